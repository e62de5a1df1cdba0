"""The fast path of the lcov reader: records laid out the way Istanbul's ``lcovonly`` writes them (jest, nyc,
c8, vitest), counted from their text without decoding a line.

Istanbul writes every record in one fixed layout::

    TN:<name>  SF:<path>  FN:*  FNF  FNH  FNDA:*  DA:*  LF  LH  BRDA:*  BRF  BRH  end_of_record

One regular expression matches a whole record of that layout, with every number spelled the way ``int``
and JSON agree on (no sign, no leading zero, no CR, no checksum, a function name that cannot be read as an
end line) and nothing else between the lines. Of a record it matched, the totals are counted in C with
``str.count`` over its regions: lines = DA lines, covered = those not ending in ``,0``; branch arms = BRDA
lines, taken = those not ending in ``,0``/``,-``; functions = FN lines, covered = FNDA lines not starting
``FNDA:0,`` — the last only when the FNDA names are the FN names in the same order (checked per block,
one regular-expression substitution each). DA line numbers are the one thing decoded (one JSON scan per
block): a record whose lines are not strictly increasing would be merged by the careful reader, so it
goes there. Anything the expression does not match goes there too, record by record, unchanged.

The per-line columns are not built here: the record's text is kept and decoded by the careful reader
(``lcov._decode_record``) when something asks for them (``model.LazyFileCoverage``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import ge, lt

_NUM = r"(?:0|[1-9][0-9]*)"
_LINE = r"(?:0|[1-9][0-9]{0,8})"  # line numbers fit int32 (the careful reader's merge compares them)
# a record up to its DA lines, and from its LF line to its end; the DA lines between are checked by _lines
_HEAD = re.compile(
    r"(?:TN:[^\r\n]*\n)?SF:([^\r\n]*)\n"
    r"((?:FN:" + _LINE + r",(?![0-9])[^\r\n]*\n)*)"
    r"FNF:([0-9]+)\nFNH:([0-9]+)\n"
    r"((?:FNDA:" + _NUM + r",[^\r\n]*\n)*)"
)
_TAIL = re.compile(
    r"LF:([0-9]+)\nLH:([0-9]+)\n"
    r"((?:BRDA:[0-9]+,[0-9]+,[0-9]+,(?:" + _NUM + r"|-)\n)*)"
    r"BRF:([0-9]+)\nBRH:([0-9]+)\nend_of_record\n"
)
_INT64_MAX = 2**63 - 1
_FN_HEAD = re.compile(r"\nFN:[0-9]+,")
_FNDA_HEAD = re.compile(r"\nFNDA:[0-9]+,")
_END = "end_of_record\n"


@dataclass(slots=True)
class Record:
    """One record read by the fast path: its path (as written), its text from its first FN line to its
    BRH line (what the careful reader decodes, after an SF line), its counted totals and its own summary
    lines, both in lcov's order LF LH BRF BRH FNF FNH."""

    sf: str
    body: str
    counted: tuple[int, int, int, int, int, int]
    said: tuple[int, int, int, int, int, int]
    offset: int  # where it starts in the chunk


@dataclass(slots=True)
class Misfit:
    """A record the fast path does not read: its text (``end_of_record`` line included) and where it
    starts in the chunk."""

    text: str
    offset: int


def read_chunk(chunk: str) -> list[Record | Misfit] | None:
    """The records of ``chunk`` (complete records, the last ending in ``end_of_record\\n``), in order; None
    when not one of them is laid out as Istanbul writes it."""
    if "\r" in chunk:
        return None
    items: list[_Match | Misfit] = []
    pos = 0
    n = len(chunk)
    while pos < n:
        m = _match(chunk, pos)
        if m is None:
            end = chunk.find(_END, pos)
            nxt = n if end < 0 else end + len(_END)
            items.append(Misfit(chunk[pos:nxt], pos))
            pos = nxt
        else:
            items.append(m)
            pos = m.end
    if all(type(m) is Misfit for m in items):
        return None
    return _records(chunk, items)


@dataclass(slots=True)
class _Match:
    """A record that fits the layout: where it starts and ends, and the text of its parts (_HEAD's groups,
    the DA lines, _TAIL's groups)."""

    start: int
    body: int  # where its FN lines start
    end: int
    groups: tuple[str, ...]


def _match(chunk: str, pos: int) -> _Match | None:
    head = _HEAD.match(chunk, pos)
    if head is None:
        return None
    d = head.end()
    lf = d if chunk.startswith("LF:", d) else chunk.find("\nLF:", d) + 1
    if lf <= 0:
        return None
    tail = _TAIL.match(chunk, lf)
    if tail is None:
        return None
    da = chunk[d:lf]
    if da and not da.startswith("DA:"):
        return None
    return _Match(pos, head.start(2), tail.end(), (*head.groups(), da, *tail.groups()))


def _counts(groups: list[tuple[str, ...]]) -> Iterator[tuple[tuple[str, ...], int, int, int, int, bool]]:
    """Per matched record: its parts, its DA lines, lines hit (-1: not strictly increasing), FN and FNDA
    lines, and whether its FNDA names are its FN names in order."""
    n_fn = [g[1].count("\n") for g in groups]
    n_fnda = [g[4].count("\n") for g in groups]
    n_da = [g[5].count("\n") for g in groups]
    lh = _lines([g[5] for g in groups], n_da)
    same = n_fn == n_fnda and _same_names(groups)
    names = [same or _names_agree(g) for g in groups]
    return iter(zip(groups, n_da, lh, n_fn, n_fnda, names, strict=True))


def _records(chunk: str, matches: list[_Match | Misfit]) -> list[Record | Misfit]:
    counts = _counts([m.groups for m in matches if type(m) is _Match])
    out: list[Record | Misfit] = []
    for m in matches:
        if isinstance(m, Misfit):
            out.append(m)
            continue
        g, n_da, lh, n_fn, n_fnda, names = next(counts)
        if lh < 0 or not names or not _said_fits(g):
            out.append(Misfit(chunk[m.start : m.end], m.start))
        else:
            out.append(_record(chunk[m.body : m.end - len(_END)], m.start, g, (n_da, lh, n_fn, n_fnda)))
    return out


def _said_fits(g: tuple[str, ...]) -> bool:
    """Whether the record's FNF/FNH/LF/LH/BRF/BRH numbers are short enough for int(): a longer one is left
    to the careful reader, which names its line (int() of 5000 digits raises ValueError: exit 5)."""
    return all(len(g[i]) <= 18 for i in (2, 3, 6, 7, 9, 10))


def _record(text: str, offset: int, g: tuple[str, ...], n: tuple[int, int, int, int]) -> Record:
    sf, _, fnf, fnh, fnda, _, lf, lh, brda, brf, brh = g
    n_da, lines_hit, n_fn, n_fnda = n
    n_br = brda.count("\n")
    fn_zero = fnda.count("\nFNDA:0,") + fnda.startswith("FNDA:0,")
    counted = (n_da, lines_hit, n_br, n_br - brda.count(",0\n") - brda.count(",-\n"), n_fn, n_fnda - fn_zero)
    said = (int(lf), int(lh), int(brf), int(brh), int(fnf), int(fnh))
    return Record(sf, text, counted, said, offset)


def _same_names(groups: list[tuple[str, ...]]) -> bool:
    """Whether the FNDA lines of a block (each record as many as FN lines) name its FN functions in the same
    order: then each FN's count is its FNDA's."""
    fns = "".join(g[1] for g in groups)
    fndas = "".join(g[4] for g in groups)
    return _FN_HEAD.sub("\n", "\n" + fns) == _FNDA_HEAD.sub("\n", "\n" + fndas)


def _names_agree(g: tuple[str, ...]) -> bool:
    fn, fnda = g[1], g[4]
    if fn.count("\n") != fnda.count("\n"):
        return False
    return _FN_HEAD.sub("\n", "\n" + fn) == _FNDA_HEAD.sub("\n", "\n" + fnda)


def _lines(das: list[str], counts: list[int]) -> list[int]:
    """Per record (its DA lines and their number given): how many of its lines were hit, or -1 when the
    careful reader must read it — its lines are not strictly increasing (the careful reader merges them), or
    the block's DA lines are not all ``DA:<int>,<int>`` (then every record of the block goes there)."""
    text = "".join(das)
    if not text:
        return counts
    n = sum(counts)
    bad = [-1] * len(das)
    # every line starts with DA: and holds one comma, nothing but digits around it; JSON then reads the
    # numbers as int reads them, or fails (a leading zero, an empty value)
    if ("\n" + text).count("\nDA:") != n or text.encode().translate(None, b"0123456789DA:") != b",\n" * n:
        return bad
    try:
        vals = json.loads("[" + text[3:-1].replace("\nDA:", ",") + "]")
    except ValueError:
        return bad
    nums = vals[0::2]
    if max(nums) > _INT64_MAX:  # the careful reader clamps: two such lines would be one
        return bad
    hits = vals[1::2]
    ends = list(accumulate(counts))
    unordered = _unordered(nums, ends)
    out = []
    start = 0
    for i, end in enumerate(ends):
        out.append(-1 if i in unordered else end - start - hits[start:end].count(0))
        start = end
    return out


def _unordered(nums: list[int], ends: list[int]) -> set[int]:
    """The records (``ends``: where each one's lines end in ``nums``) whose line numbers are not strictly
    increasing. One comparison pass over the block; the pairs that straddle two records are expected."""
    n = len(nums)
    suspects: int = sum(map(ge, nums, islice(nums, 1, None)))
    if suspects:
        suspects -= sum(nums[o - 1] >= nums[o] for o in set(ends) if 0 < o < n)
    if not suspects:
        return set()
    out = set()
    start = 0
    for i, end in enumerate(ends):
        part = nums[start:end]
        if not all(map(lt, part, islice(part, 1, None))):
            out.add(i)
        start = end
    return out
