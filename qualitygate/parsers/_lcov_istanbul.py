"""The fast path of the lcov reader: records laid out the way Istanbul's ``lcovonly`` writes them (jest, nyc,
c8, vitest), counted from their text without decoding a line.

Istanbul writes every record in one fixed layout::

    TN:<name>  SF:<path>  FN:*  FNF  FNH  FNDA:*  DA:*  LF  LH  BRDA:*  BRF  BRH  end_of_record

A chunk of records is cut at its ``end_of_record`` lines (``str.split``; a chunk holding "end_of_record"
anywhere else goes to the careful reader, which ends a record there) and each record into its regions with
``str.find`` and three small regular expressions for its summary lines. Each kind of region is then checked
for the whole chunk at once, in C, and record by record only when that fails (the records failing it go to
the careful reader): the BRDA lines by their shape (``bytes.translate`` deletes the digits: what is left
must be ``BRDA:,,,`` lines; no empty line number or count, no leading zero, no number longer than the
careful reader takes alike); the FN and FNDA lines by one regular-expression substitution each, after which
the FNDA names must be the FN names in the same order (then each FN's count is its FNDA's); the DA lines by
their shape and one JSON scan of the chunk's ``DA:<line>,<count>`` pairs, turned into a JSON array by one
``bytes.translate`` (JSON refuses an empty field and a leading zero; a chunk whose DA lines do not fit goes
to the careful reader whole). The line numbers are
the one thing decoded: a record whose lines are not strictly increasing would be merged by the careful
reader, so it goes there. The totals are ``str.count`` of regions: lines = DA lines, covered = counts other
than 0; branch arms = BRDA lines, taken = those not ending in ``,0``/``,-``; functions = FN lines,
covered = FNDA lines not starting ``FNDA:0,``.

The per-line columns are not built here: the record's text is kept and decoded by the careful reader
(``lcov._decode_record``) when something asks for them (``model.LazyFileCoverage``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import ge

_END = "end_of_record\n"
_SF = re.compile(r"(?:TN:[^\n]*\n)?SF:([^\n]*)\n")
_FNF = re.compile(r"FNF:([0-9]{1,18})\nFNH:([0-9]{1,18})\n")
_LF = re.compile(r"LF:([0-9]{1,18})\nLH:([0-9]{1,18})\n")
_BRF = re.compile(r"BRF:([0-9]{1,18})\nBRH:([0-9]{1,18})\n")
# a name never starts with a digit (\d: any decimal digit, as the careful reader's _DIGIT_START): it would
# read FN:<start>,<end>,<name>
_FN_LINE = re.compile(r"\nFN:(?:0|[1-9][0-9]{0,8}),(?!\d)")
_FNDA_LINE = re.compile(r"\nFNDA:(?:0|[1-9][0-9]{0,17}),")
_LEADING_ZERO = re.compile(r",0[0-9]")  # (a literal first: the search skips through the text in C)
_NINES = bytes.maketrans(b"0123456789", b"9999999999")
_LONG_BRDA_LINE = b":" + b"9" * 10  # a BRDA line number beyond 9 digits
_LINE_MAX = 2**31 - 1  # the careful reader refuses line numbers beyond
_LONG_COUNT = b"," + b"9" * 19  # a count beyond 18 digits (the careful reader clamps or refuses those)
_LONG_DA_LINE = b"DA:" + b"9" * 10  # a DA line number of 10 digits: compared with _LINE_MAX
# "[0\nDA:<line>,<count>\n...]" with "D" and "A" deleted -> "[0 ,<line>,<count> ...]", a JSON array
_DA_JSON = bytes.maketrans(b":\n", b", ")


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


@dataclass(slots=True)
class _Cut:
    """A record cut into its regions (each a run of whole lines), not yet checked."""

    text: str  # the record without its end_of_record line
    sf: str
    body: int  # where its FN lines start
    fn: str
    fnda: str
    da: str
    brda: str
    n: tuple[int, int, int, int]  # how many FN, FNDA, DA and BRDA lines
    counted: tuple[int, int, int, int, int, int]  # LF LH BRF BRH FNF FNH, counted from the regions
    said: tuple[int, int, int, int, int, int]  # LF LH BRF BRH FNF FNH, its summary lines


def read_chunk(chunk: str) -> list[Record | Misfit] | None:
    """The records of ``chunk`` (complete records, the last ending in ``end_of_record\\n``), in order; None
    when not one of them is laid out as Istanbul writes it."""
    pieces = chunk.split(_END)
    # "end_of_record" anywhere else ends a record for the careful reader: it reads such a chunk
    if "\r" in chunk or pieces.pop() or chunk.count(_END[:-1]) != len(pieces):
        return None
    cuts = list(map(_cut, pieces))
    good = [c for c in cuts if c is not None]
    nums = _line_numbers(good) if good else None
    if nums is None:  # DA lines JSON would read otherwise than int: the careful reader reads them all
        return None
    if not _ordered(good, nums):
        good = list(filter(_ordered_alone, good))
    good = _keep(_keep(good, _arms_fit), _functions_fit)
    return _items(pieces, cuts, {id(c) for c in good})


def _items(pieces: list[str], cuts: list[_Cut | None], kept: set[int]) -> list[Record | Misfit]:
    """The records of the chunk in order: those whose cut is ``kept`` (by id) read, the others not."""
    out: list[Record | Misfit] = []
    offsets = accumulate((len(p) + len(_END) for p in pieces), initial=0)
    for piece, c, offset in zip(pieces, cuts, offsets, strict=False):
        if c is not None and id(c) in kept:
            out.append(Record(c.sf, c.text[c.body :], c.counted, c.said, offset))
        else:
            out.append(Misfit(piece + _END, offset))
    return out


def _cut(text: str) -> _Cut | None:
    """``text`` cut into its regions when its lines come in Istanbul's order; the regions' lines are
    checked later. LF and BRF are found from the end (only BRDA lines stand between): a second LF or
    BRF line would fall in a region, whose check then fails."""
    head = _SF.match(text)
    if head is None:
        return None
    body = head.end()
    fnf = _FNF.match(text, text.find("\nFNF:", body - 1) + 1)
    lf = _LF.match(text, text.rfind("\nLF:") + 1)
    brf = _BRF.fullmatch(text, text.rfind("\nBRF:") + 1)
    if fnf is None or lf is None or brf is None:
        return None
    fn_end, fnda_start = fnf.span()
    da_end, brda_start = lf.span()
    if fnda_start > da_end:
        return None
    da_start = text.find("\nDA:", fnda_start - 1, da_end) + 1 or da_end
    fn = text[body:fn_end]
    fnda = text[fnda_start:da_start]
    da = text[da_start:da_end]
    brda = text[brda_start : brf.start()]
    n = (fn.count("\n"), fnda.count("\n"), da.count("\n"), brda.count("\n"))
    n_fn, _, n_da, n_br = n
    fn_hit = n_fn - fnda.count("\nFNDA:0,") - fnda.startswith("FNDA:0,")
    counted = (
        n_da,
        n_da - da.count(",0\n"),
        n_br,
        n_br - brda.count(",0\n") - ("-" in brda and brda.count(",-\n")),
        n_fn,
        fn_hit,
    )
    fnf_, fnh, lf_, lh = map(int, (*fnf.groups(), *lf.groups()))
    brf_, brh = map(int, brf.groups())
    return _Cut(text, head.group(1), body, fn, fnda, da, brda, n, counted, (lf_, lh, brf_, brh, fnf_, fnh))


def _keep(cuts: list[_Cut], check: Callable[[list[_Cut]], bool]) -> list[_Cut]:
    """The cuts that pass ``check``: checked all at once, and one by one only when that fails."""
    if not cuts or check(cuts):
        return cuts
    return [c for c in cuts if check([c])]


def _line_numbers(cuts: list[_Cut]) -> list[int] | None:
    """The DA line numbers of ``cuts``, when every DA line is ``DA:<line>,<count>`` spelled as
    JSON and int read it alike (JSON refuses an empty field and a leading zero) with a line number the
    careful reader takes (at most 2**31 - 1)."""
    # "[0" and the DA lines, each turned into ",<line>,<count>", the last line's end then "]"
    text = "".join(["[0\n", *(c.da for c in cuts), "]"]).encode()
    nines = text.translate(_NINES)
    n = sum(c.n[2] for c in cuts)
    if nines.translate(None, b"9") != b"".join((b"[\n", b"DA:,\n" * n, b"]")):
        return None
    try:  # (bytes.translate: no str copy of the text made by str.replace)
        values: list[int] = json.loads(text.translate(_DA_JSON, b"DA"))
    except ValueError:
        return None
    nums = values[1::2]
    if _LONG_DA_LINE in nines and max(nums) > _LINE_MAX:
        return None
    return nums


def _ordered(cuts: list[_Cut], nums: list[int]) -> bool:
    """Whether every record's DA line numbers (``nums``: all records' in a row) are strictly increasing:
    one comparison pass over all of them; the pairs that straddle two records are expected."""
    ends = set(accumulate(c.n[2] for c in cuts))
    straddling = sum(nums[e - 1] >= nums[e] for e in ends if 0 < e < len(nums))
    not_increasing: int = sum(map(ge, nums, islice(nums, 1, None)))
    return not_increasing == straddling


def _ordered_alone(cut: _Cut) -> bool:
    nums = _line_numbers([cut])
    return nums is not None and _ordered([cut], nums)


def _arms_fit(cuts: list[_Cut]) -> bool:
    """Every BRDA line is ``BRDA:<line>,<block>,<branch>,<taken|->``, with no empty line number or count,
    no leading zero, a line number of 9 digits at most and no number longer than 18."""
    text = "".join(c.brda for c in cuts)
    dashes = text.count(",-\n")
    if text.count("-") != dashes or ":," in text or ",\n" in text or _LEADING_ZERO.search(text):
        return False  # (a leading zero in a line number would be harmless: the careful reader uses int)
    nines = (text.replace(",-\n", ",0\n") if dashes else text).encode().translate(_NINES)
    if _LONG_BRDA_LINE in nines or _LONG_COUNT in nines:
        return False
    return nines.translate(None, b"9") == b"BRDA:,,,\n" * sum(c.n[3] for c in cuts)


def _functions_fit(cuts: list[_Cut]) -> bool:
    """Every FN line is ``FN:<line>,<name>``, every FNDA line ``FNDA:<count>,<name>``, and each record's
    FNDA names are its FN names in order."""
    fn_names, n_fn = _FN_LINE.subn("\n", "\n" + "".join(c.fn for c in cuts))
    fnda_names, n_fnda = _FNDA_LINE.subn("\n", "\n" + "".join(c.fnda for c in cuts))
    return (
        fn_names == fnda_names
        and all(c.n[0] == c.n[1] for c in cuts)
        and n_fn == sum(c.n[0] for c in cuts) == n_fnda
    )
