"""lcov tracefiles: geninfo (lcov 1.x/2.x), Istanbul's ``lcovonly`` (jest, nyc, c8), coverage.py, gcovr.

Records (lcov ``man/geninfo.1``): ``TN:`` ``SF:`` ``FN:<line>[,<end>],<name>`` ``FNDA:<count>,<name>``
``FNF`` ``FNH`` (lcov 2.x: ``FNL:<idx>,<start>[,<end>]`` ``FNA:<idx>,<count>,<name>``)
``BRDA:<line>,<block>,<branch>,<taken|->`` ``BRF`` ``BRH`` ``DA:<line>,<count>[,<checksum>]`` ``LF`` ``LH``
``end_of_record``, in any order inside a record (Istanbul's order is not geninfo's). Unknown records are
ignored (newer lcov versions add some).

Totals are recounted from ``DA``/``BRDA``/``FN``+``FNDA``; ``LF``/``LH``/``BRF``/``BRH``/``FNF``/``FNH`` are
only compared, and a disagreement becomes a warning. ``BRDA`` taken ``-`` (the block never ran) counts in
the total and is not covered. Function names repeat in Istanbul output (``(anonymous_3)`` twice, or two
methods of one name), so the k-th ``FNDA`` of a name belongs to the k-th ``FN`` of that name: each ``FN`` is
one function, which is what ``FNF`` counts (``lcov --summary`` 1.16 merges same-named functions instead and
reports fewer). Repeated ``SF`` records (concatenated tracefiles) are merged the way ``lcov -a`` does: line
counts summed, branch ``taken`` summed per (line, block, branch), functions summed per (name, line).

Speed: the file is read in 1 MiB blocks of whole records. A block laid out the way Istanbul writes it (jest,
nyc, c8, vitest; the fast path at the end of this module) is read with a few C calls per record and one JSON
scan per column kind per block: Python never loops over ``DA``/``BRDA``/``FN`` lines, and line numbers are
held in ``array('i')`` (hits stay ``'q'``). Any other block (geninfo order, checksums, ``-``, CRLF, odd
spacing, lcov 2.x records) goes through the general reader: each record is cut into its
``DA``/``BRDA``/``FN``/``FNDA`` lines with ``str.split`` on the record prefix, then converted column-wise. Any
conversion failure re-reads the record line by line, which names the offending line.
"""

from __future__ import annotations

import gc
import json
import re
from array import array
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress, islice, repeat
from operator import ge, itemgetter, lt, methodcaller
from typing import Any, BinaryIO

from qualitygate.errors import ReportFormatError
from qualitygate.model import CoverageReport, FileCoverage, count_positive, to_posix

KIND = "lcov"
_BLOCK = 1 << 20
_INT64_MAX = 2**63 - 1
_LINE_MAX = 2**31 - 1  # line numbers fit 4 bytes; counts below 0 or lines beyond this are refused
_RECORDS = frozenset(
    ("TN", "SF", "VER", "FN", "FNDA", "FNF", "FNH", "FNL", "FNA", "BRDA", "BRF", "BRH", "DA", "LF", "LH")
)
_DIGIT_START = re.compile(r"\n\d")  # FN:<start>,<end>,<name>: names never start with a digit
_first = itemgetter(0)
_third = itemgetter(2)
_count_newlines = methodcaller("count", "\n")


def sniff(head: str) -> bool:
    for raw in head.splitlines()[:20]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "end_of_record":
            return True
        tag, sep, _ = line.partition(":")
        return bool(sep) and tag in _RECORDS
    return False


@dataclass(slots=True)
class _Summary:
    """A record's own LF/LH/BRF/BRH/FNF/FNH next to the recount, summed over records that have them."""

    said: list[int] = field(default_factory=lambda: [0] * 6)
    counted: list[int] = field(default_factory=lambda: [0] * 6)
    first_bad: str | None = None


@dataclass(slots=True)
class _State:
    path: str
    files: dict[str, FileCoverage] = field(default_factory=dict)
    # BRDA payloads per file joined by newlines (one string per file, not one per arm), for merging
    arms: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    summary: _Summary = field(default_factory=_Summary)
    records: int = 0
    tool: str | None = None
    # The fast path does not keep BRDA payloads (15 MB on a 4 M-line report) unless asked: a file it read
    # with branches is noted here, and if that file's SF comes again the read restarts with keep_arms.
    keep_arms: bool = False
    armless: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # one string per distinct function name


class _KeepArms(Exception):
    """A repeated SF needs the BRDA payloads of a record read without them: read again, keeping them."""


def parse(path: str) -> CoverageReport:
    st = _State(path)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # no reference cycles are created; GC passes over millions of ints find nothing
    try:
        try:
            _read(path, st)
        except _KeepArms:
            st = _State(path, keep_arms=True)
            _read(path, st)
    finally:
        if gc_was_enabled:
            gc.enable()
    if not st.records:
        raise ReportFormatError(path, "no SF record: this lcov file holds no coverage at all")
    report = CoverageReport(path=path, kind=KIND, tool=st.tool, functions_measured=True)
    report.files = list(st.files.values())
    report.warnings = st.warnings
    _summary_warnings(st)
    return report


def _read(path: str, st: _State) -> None:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; reading in blocks
    except OSError as exc:
        from qualitygate.errors import ReportNotFoundError

        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    with fh:
        carry = ""
        line_no = 1  # line number of the first line of `carry`
        for block in _blocks(fh):
            text = carry + _decode(path, block, line_no + carry.count("\n"))
            carry, line_no = _consume(path, text, line_no, st)
        if carry.rstrip().endswith("end_of_record"):  # a complete last record, only its newline missing
            carry, line_no = _records(path, carry, line_no, st)
        if carry.strip():
            st.warnings.append(
                f"{path}:{line_no}: the last record has no end_of_record (truncated file?); read anyway"
            )
            _records(path, carry + "\nend_of_record\n", line_no, st)


def _blocks(fh: BinaryIO) -> Iterator[bytes]:
    """The file in blocks of about ``_BLOCK`` bytes, each extended to a whole line (a block could otherwise
    end inside a UTF-8 sequence), without the UTF-8 byte order mark at the start of the file."""
    block = fh.read(_BLOCK)
    if block.startswith(b"\xef\xbb\xbf"):
        block = block[3:]
    while block:
        if not block.endswith(b"\n"):
            block += fh.readline()
        yield block
        block = fh.read(_BLOCK)


def _consume(path: str, text: str, line_no: int, st: _State) -> tuple[str, int]:
    """Read the complete records of ``text`` (fast path first); return the unfinished rest and its line."""
    end = text.rfind("\nend_of_record\n") + 15  # complete records: up to the last end_of_record line
    if end > 14 and _fast_chunk(text[:end], st):
        return text[end:], line_no + text.count("\n", 0, end)
    return _records(path, text, line_no, st)


def _decode(path: str, data: bytes, line_no: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_no + data.count(b"\n", 0, exc.start)
        raise ReportFormatError(
            path, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}): lcov files are UTF-8 text", line=line
        ) from None


def _records(path: str, text: str, line_no: int, st: _State) -> tuple[str, int]:
    """Consume every complete record of ``text``; return the unfinished rest and its first line number."""
    pos = 0
    while True:
        end = text.find("end_of_record", pos)
        if end < 0:
            return text[pos:], line_no
        nl = text.find("\n", end)
        nxt = len(text) if nl < 0 else nl + 1
        body = text[pos:end]
        _record(path, body, line_no, st)
        line_no += text.count("\n", pos, nxt)
        pos = nxt
        if nl < 0:
            return "", line_no


def _record(path: str, body: str, line_no: int, st: _State) -> None:
    """One section between end_of_record lines (it may hold several SF if an end_of_record is missing)."""
    s = "\n" + body
    n_sf = s.count("\nSF:")
    if n_sf == 1:
        _one_record(path, body, line_no, st)
    elif n_sf == 0:
        _check_outside(path, body, line_no)
    else:
        _split_records(path, s, line_no, st)


def _check_outside(path: str, body: str, line_no: int) -> None:
    """Only TN/comment lines may stand outside an SF section."""
    for i, ln in enumerate(body.split("\n")):
        if ln.strip() and not ln.startswith(("TN:", "#")):
            raise ReportFormatError(path, "record outside an SF section", line=line_no + i)


def _split_records(path: str, s: str, line_no: int, st: _State) -> None:
    """An end_of_record is missing between two files: split ``s`` ("\\n" + the section) before each SF;
    the first piece keeps the TN."""
    starts = []
    i = s.find("\nSF:")
    while i >= 0:
        starts.append(i)
        i = s.find("\nSF:", i + 1)
    starts[0] = 0
    starts.append(len(s))
    _one_record(path, s[: starts[1]].lstrip("\n"), line_no, st)
    for k in range(1, len(starts) - 1):
        where = line_no + s.count("\n", 0, starts[k])
        st.warnings.append(f"{path}:{where}: SF without end_of_record before it; records split there")
        _one_record(path, s[starts[k] + 1 : starts[k + 1]], where, st)


def _take(s: str, prefix: str) -> tuple[list[str], str]:
    """Cut every line starting with ``prefix`` (which starts with a newline) out of ``s``."""
    parts = s.split(prefix)
    if len(parts) == 1:
        return [], s
    last = parts[-1]
    i = last.find("\n")
    payloads = parts[1:]
    rest = [parts[0]]
    if i >= 0:
        payloads[-1] = last[:i]
        tail = last[i:]
    else:
        tail = ""
    mids = parts[1:-1]
    if mids and "\n" in "\x00".join(mids):
        # the prefix's lines are interleaved with others: split each piece at its first newline
        payloads = []
        for p in parts[1:]:
            j = p.find("\n")
            if j < 0:
                payloads.append(p)
            else:
                payloads.append(p[:j])
                rest.append(p[j:])
        return payloads, "".join(rest)
    rest.append(tail)
    return payloads, "".join(rest)


def _take_block(s: str, prefix: str) -> tuple[str | None, int, str]:
    """The payloads of every ``prefix`` line as one newline-separated string, their number, and the rest,
    when those lines are contiguous (geninfo, Istanbul and coverage.py write DA lines so): no string per
    line is built. None when other lines are in between."""
    i = s.find(prefix)
    if i < 0:
        return "", 0, s
    j = s.rfind(prefix)
    k = s.find("\n", j + 1)
    if k < 0:
        k = len(s)
    block = s[i:k]
    n = block.count(prefix)
    if block.count("\n") != n:  # other lines in between
        return None, 0, s
    return block.replace(prefix, "\n")[1:], n, s[:i] + s[k:]


class _Bad(Exception):
    """A record the column-wise path could not convert; it is re-read line by line for the error."""


def _ints(values: list[str] | tuple[str, ...]) -> array[int]:
    try:
        return array("q", map(int, values))
    except ValueError:
        raise _Bad from None
    except OverflowError:
        try:
            return array("q", (min(max(int(v), -_INT64_MAX), _INT64_MAX) for v in values))
        except ValueError:
            raise _Bad from None


def _one_record(path: str, body: str, line_no: int, st: _State) -> None:
    try:
        _convert(path, body, line_no, st)
    except (_Bad, OverflowError):
        _locate_error(path, body, line_no)
        raise ReportFormatError(path, "malformed record", line=line_no) from None


_SUMMARY = ("LF", "LH", "BRF", "BRH", "FNF", "FNH")


@dataclass(slots=True)
class _Rest:
    """What a record holds besides DA/BRDA/FN/FNDA lines (a few lines per record, read one by one)."""

    sf: str | None = None
    summary: list[int | None] = field(default_factory=lambda: [None] * 6)  # LF LH BRF BRH FNF FNH
    fnl: dict[str, int] = field(default_factory=dict)
    fna: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def _scan_rest(s: str) -> _Rest:
    out = _Rest()
    try:
        for raw in s.split("\n"):
            tag, sep, val = raw.rstrip("\r").partition(":")
            if not sep:
                continue
            if tag == "SF":
                out.sf = val
            elif tag in _SUMMARY:
                out.summary[_SUMMARY.index(tag)] = int(val)
            elif tag == "FNL":  # lcov 2.x: FNL:<index>,<start>[,<end>]
                idx, _, rng = val.partition(",")
                out.fnl[idx] = int(rng.partition(",")[0])
            elif tag == "FNA":  # lcov 2.x: FNA:<index>,<count>,<name>; several names (aliases) per index
                idx, _, rest = val.partition(",")
                cnt, _, name = rest.partition(",")
                out.fna.setdefault(idx, []).append((int(cnt), name))
    except ValueError:
        raise _Bad from None
    return out


def _convert(path: str, body: str, line_no: int, st: _State) -> None:
    s = "\n" + body
    da_text, n_da, s = _take_block(s, "\nDA:")
    if da_text is None:
        da, s = _take(s, "\nDA:")
        da_text, n_da = "\n".join(da), len(da)
    br_text, n_br, s = _take_block(s, "\nBRDA:")
    if br_text is None:
        brda, s = _take(s, "\nBRDA:")
        br_text, n_br = "\n".join(brda), len(brda)
    fnda, s = _take(s, "\nFNDA:")
    fn, s = _take(s, "\nFN:")
    rest = _scan_rest(s)
    if rest.sf is None:
        raise ReportFormatError(path, "record without SF line", line=line_no)
    fpath = to_posix(rest.sf)
    nums, hits = _lines(da_text, n_da)
    bl, bc, bt = _branches(br_text, n_br)
    names, flines, fhits = _functions(fn, fnda, fpath, st)
    for idx, start in rest.fnl.items():
        aliases = rest.fna.get(idx, [])
        names.append(aliases[0][1] if aliases else idx)
        flines.append(start)
        fhits.append(sum(c for c, _ in aliases))  # aliases of one function (lcov 2.x): one function
    fc = FileCoverage(
        path=fpath,
        line_numbers=nums,
        line_hits=hits,
        branch_lines=bl,
        branch_covered=bc,
        branch_total=bt,
        function_names=names,
        function_lines=flines,
        function_hits=fhits,
    )
    _refuse_impossible(fc)
    _check_summary(st, fpath, rest.summary, fc)
    st.records += 1
    prev = st.files.get(fpath)
    if prev is None:
        st.files[fpath] = fc
        if n_br:
            st.arms[fpath] = br_text
    else:
        _merge_into(st, prev, fc, br_text.split("\n") if n_br else [])


def _arm_payloads(stored: str) -> list[str]:
    """The BRDA payloads kept for a file: newline-joined, or BRDA lines as the fast path read them."""
    if stored.startswith("\nBRDA:"):
        return stored[6:].split("\nBRDA:")
    return stored.split("\n")


def _merge_into(st: _State, prev: FileCoverage, fc: FileCoverage, payloads: list[str]) -> None:
    """A repeated SF: merge ``fc`` into the file read before (``lcov -a``)."""
    if fc.path in st.armless:
        raise _KeepArms
    old = st.arms.get(fc.path)
    arms = (_arm_payloads(old) if old else []) + payloads
    st.files[fc.path] = _merge(prev, fc, arms)
    if arms:
        st.arms[fc.path] = "\n".join(arms)


def _lines(da_text: str, n: int) -> tuple[array[int], array[int]]:
    """DA:<line>,<count>[,<checksum>] payloads (newline-separated) -> sorted, distinct lines and counts."""
    if not n:
        return array("q"), array("q")
    got = _json_columns(da_text, 2, n, (0, 1))
    if got is not None:
        nums, hits = got
    else:  # checksums (geninfo --checksum, gcovr), odd spellings: field by field, first two fields
        split = [p.split(",") for p in da_text.split("\n")]
        if any(len(f) not in (2, 3) for f in split):
            raise _Bad
        nums = _ints([f[0] for f in split])
        hits = _ints([f[1] for f in split])
    if n > 1 and not all(map(lt, nums, islice(nums, 1, None))):  # not strictly increasing
        nums, hits = _merged_lines(nums, hits)
    return nums, hits


def _merged_lines(nums: array[int], hits: array[int]) -> tuple[array[int], array[int]]:
    merged: dict[int, int] = {}
    for ln, h in zip(nums, hits, strict=True):
        merged[ln] = merged.get(ln, 0) + h  # a line listed twice in one record: counts add up
    nums = array("q", sorted(merged))
    return nums, array("q", [merged[k] for k in nums])


def _functions(
    fn: list[str], fnda: list[str], fpath: str, st: _State
) -> tuple[list[str], array[int], array[int]]:
    """FN and FNDA payloads -> one name, line and count per FN (each FN is one function)."""
    if not fn:
        names: list[str] = []
        flines = array("q")
        fhits = array("q")
    else:
        names, flines = _fn_payloads(fn)
        fhits = array("q", [0]) * len(names)
    if fnda:
        dparts = list(map(str.partition, fnda, repeat(",")))
        counts = _ints(list(map(_first, dparts)))
        dnames = _without_cr(list(map(_third, dparts)))
        if dnames == names:
            fhits = counts  # Istanbul and geninfo write FNDA in FN order
        else:
            _match_fnda(names=names, fhits=fhits, counts=counts, dnames=dnames, fpath=fpath, st=st)
    return names, flines, fhits


def _fn_payloads(fn: list[str]) -> tuple[list[str], array[int]]:
    """FN:<line>[,<end>],<name> payloads -> names and start lines."""
    parts = list(map(str.partition, fn, repeat(",")))
    flines = _ints(list(map(_first, parts)))
    names = list(map(_third, parts))
    if _DIGIT_START.search("\n" + "\n".join(names)):
        # FN:<start>,<end>,<name> (coverage.py, lcov 2.x): drop the end line
        names = [n.partition(",")[2] if n[:1].isdigit() else n for n in names]
    return _without_cr(names), flines


def _without_cr(names: list[str]) -> list[str]:
    """``names`` without the "\\r" of CRLF line ends."""
    if "\r" in "".join(names):
        return [n.rstrip("\r") for n in names]
    return names


def _match_fnda(
    *,
    fpath: str,
    names: list[str],
    fhits: array[int],
    counts: array[int],
    dnames: list[str],
    st: _State,
) -> None:
    """FNDA in another order than FN: the k-th FNDA of a name goes to the k-th FN of that name."""
    slots: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        slots.setdefault(name, []).append(i)
    orphans = 0
    for c, name in zip(counts, dnames, strict=True):
        free = slots.get(name)
        if free:
            fhits[free.pop(0)] = c
        else:
            orphans += 1
    if orphans:
        st.warnings.append(f"{fpath}: {orphans} FNDA record(s) name no FN function; ignored")


def _taken(values: list[str]) -> array[int]:
    try:
        return array("q", map(int, values))
    except OverflowError:  # an execution count beyond int64: clamped, as DA counts are (_ints)
        return _ints([v if v != "-" else "0" for v in values])
    except ValueError:
        # geninfo writes "-" for a branch whose block never ran: in the total, not covered
        try:
            return array("q", (0 if v == "-" else int(v) for v in values))
        except ValueError:
            raise _Bad from None


def _arms(brda: list[str]) -> tuple[list[str], array[int]]:
    """BRDA payloads -> (line strings, taken)."""
    n = len(brda)
    fields = ",".join(brda).split(",")
    if len(fields) == 4 * n:
        lines = fields[0::4]
        taken = _taken(fields[3::4])
    else:
        # lcov 2.x may write an expression as the branch name, commas included: line first, taken last
        lines = []
        tk = []
        for p in brda:
            first, _, rest = p.partition(",")
            _, _, t = rest.rpartition(",")
            lines.append(first)
            tk.append(t)
        taken = _taken(tk)
    return lines, taken


def _branches(br_text: str, n: int) -> tuple[array[int], array[int], array[int]]:
    """BRDA payloads (newline-separated) -> per line with branches: arms taken, arms in total."""
    if not n:
        return array("q"), array("q"), array("q")
    # "-" (never ran) and 0 are both "not taken"; the whole payload text is then one JSON array of ints
    got = _json_columns((br_text + "\n").replace(",-\n", ",0\n")[:-1], 4, n, (0, 3))
    if got is not None:
        lines, taken = got
    else:
        lines_s, taken = _arms(br_text.split("\n"))
        lines = _ints(lines_s)
    if min(taken) < 0:
        raise _Bad  # a negative count: _locate_error names the line
    total = Counter(lines)
    covered = Counter(compress(lines, taken))
    bl = array("q", sorted(total))
    return bl, array("q", [covered[k] for k in bl]), array("q", [total[k] for k in bl])


def _json_columns(text: str, width: int, n: int, cols: tuple[int, ...]) -> list[array[int]] | None:
    """``n`` rows of ``width`` comma-separated decimal integers (rows newline-separated) -> the chosen
    columns, parsed by the C JSON scanner: about 2.5x faster than ``map(int, text.split(","))``, with no
    string per field. None (the caller takes the careful path) for anything else: checksums, "-", leading
    zeros, floats, ``true``/``false`` (hence the "e" test), names, values outside int64."""
    if "e" in text:
        return None
    try:
        vals = json.loads("[" + text.replace("\n", ",") + "]")
        if len(vals) != width * n:
            return None
        return [array("q", vals[c::width]) for c in cols]
    except (ValueError, TypeError, OverflowError):
        return None


def _merge(a: FileCoverage, b: FileCoverage, arms: list[str]) -> FileCoverage:
    """``lcov -a``: counts summed per line, per (line, block, branch) and per (function name, line)."""
    lines: dict[int, int] = dict(zip(a.line_numbers, a.line_hits, strict=True))
    for n, h in zip(b.line_numbers, b.line_hits, strict=True):
        lines[n] = lines.get(n, 0) + h
    out = FileCoverage(path=a.path)
    for n in sorted(lines):
        out.line_numbers.append(n)
        out.line_hits.append(lines[n])
    _merge_arms(out, arms)
    funcs: dict[tuple[str, int], int] = {}
    for src in (a, b):
        for name, line, h in zip(src.function_names, src.function_lines, src.function_hits, strict=True):
            funcs[(name, line)] = funcs.get((name, line), 0) + h
    for (name, line), h in funcs.items():
        out.function_names.append(name)
        out.function_lines.append(line)
        out.function_hits.append(h)
    return out


def _merge_arms(out: FileCoverage, payloads: list[str]) -> None:
    if not payloads:
        return
    arms: dict[tuple[int, str], int] = {}
    ls, taken = _arms(payloads)
    for ln, p, t in zip(ls, payloads, taken, strict=True):
        key = (int(ln), p.rpartition(",")[0])  # (line, "line,block,branch")
        arms[key] = arms.get(key, 0) + t
    total: Counter[int] = Counter()
    covered: Counter[int] = Counter()
    for (line, _), t in arms.items():
        total[line] += 1
        if t > 0:
            covered[line] += 1
    for line in sorted(total):
        out.branch_lines.append(line)
        out.branch_covered.append(covered[line])
        out.branch_total.append(total[line])


def _check_summary(st: _State, fpath: str, said: list[int | None], fc: FileCoverage) -> None:
    if all(v is None for v in said):
        return
    counted = (
        len(fc.line_numbers),
        count_positive(fc.line_hits),
        sum(fc.branch_total),
        sum(fc.branch_covered),
        len(fc.function_names),
        count_positive(fc.function_hits),
    )
    sm = st.summary
    for i, v in enumerate(said):
        if v is None:
            continue
        sm.said[i] += v
        sm.counted[i] += counted[i]
        if v != counted[i] and sm.first_bad is None:
            sm.first_bad = fpath


def _summary_warnings(st: _State) -> None:
    sm = st.summary
    names = ("LF", "LH", "BRF", "BRH", "FNF", "FNH")
    bad = [f"{names[i]} {sm.said[i]} vs {sm.counted[i]}" for i in range(6) if sm.said[i] != sm.counted[i]]
    if bad:
        st.warnings.append(
            "summary lines disagree with the DA/BRDA/FN records (recounts used): "
            + ", ".join(bad)
            + f" (first file: {sm.first_bad})"
        )


def _impossible(*columns: Any) -> bool:
    """Line-number columns, then a tuple of count columns: a line number below 0 or beyond 4 bytes, or a
    negative count (no tool writes one; a negative BRDA taken would otherwise read as covered)."""
    *lines, counts = columns
    return any(c and (min(c) < 0 or max(c) > _LINE_MAX) for c in lines) or any(
        c and min(c) < 0 for c in counts
    )


def _refuse_impossible(fc: FileCoverage) -> None:
    if _impossible(fc.line_numbers, fc.branch_lines, fc.function_lines, (fc.line_hits, fc.function_hits)):
        raise _Bad  # _locate_error names the line


class _Impossible(ValueError):
    """A well-formed record line whose numbers cannot be: its message says why."""


def _line_number(s: str) -> None:
    if not 0 <= int(s) <= _LINE_MAX:
        raise _Impossible(f"line number {s[:40]} out of range")


def _count(s: str) -> None:
    if int(s) < 0:
        raise _Impossible(f"negative count {s[:40]}")


def _check_line(tag: str, val: str) -> None:
    """Raise ValueError/IndexError if one record line of a known type is malformed (_Impossible: if its
    numbers cannot be)."""
    if tag == "DA":
        f = val.split(",")
        if len(f) not in (2, 3):
            raise ValueError
        _line_number(f[0])
        _count(f[1])
    elif tag == "BRDA":
        first, _, rest = val.partition(",")
        t = rest.rpartition(",")[2]
        _line_number(first)
        if t != "-":
            _count(t)
    elif tag in ("FN", "FNL"):
        _line_number(val.partition(",")[0] if tag == "FN" else val.split(",")[1])
    elif tag in ("FNDA", "FNA"):
        _count(val.partition(",")[0] if tag == "FNDA" else val.split(",")[1])
    elif tag in _SUMMARY:
        int(val)


def _locate_error(path: str, body: str, line_no: int) -> None:
    """Re-read a record line by line and raise the first malformed line's error."""
    for i, raw in enumerate(body.split("\n")):
        line = raw.rstrip("\r")
        tag, sep, val = line.partition(":")
        if not sep:
            continue
        try:
            _check_line(tag, val)
        except _Impossible as exc:
            raise ReportFormatError(path, f"{tag} record: {exc}", line=line_no + i) from None
        except (ValueError, IndexError):
            raise ReportFormatError(
                path, f"malformed {tag} record: {line[:80]!r}", line=line_no + i
            ) from None


# ------------------------------------------------------------------------------------------ fast path
#
# Istanbul's lcovonly (jest, nyc, c8, vitest) writes every record in one fixed layout:
#   TN:<name>  SF:<path>  FN:*  FNF  FNH  FNDA:*  DA:*  LF  LH  BRDA:*  BRF  BRH  end_of_record
# A block of such records is read with a handful of C calls per record: each record is cut at the positions
# of its summary lines into four regions (FN, FNDA, DA, BRDA lines), the regions of the whole block are
# joined per kind and converted by one JSON scan each, and the columns are sliced back per record. Nothing
# is assumed: a region is taken only if the JSON scan yields exactly the number of values its newlines
# promise (a foreign line in a region breaks the JSON or the count), every other line sits at a checked
# position, and any mismatch sends the whole block to the general reader above (_records), unchanged.


def _fast_regions(recs: list[str]) -> _Regions | None:
    """Cut each record into SF, its six summary values and its four regions; None if one does not fit."""
    cuts = []
    for rec in recs:
        cut = _cut_record(rec)
        if cut is None:
            return None
        cuts.append(cut)
    sfs, summ, fn, fnda, da, br = map(list, zip(*cuts, strict=True))
    return _Regions(sfs, summ, fn, fnda, da, br)


@dataclass(slots=True)
class _Regions:
    """A block's records cut apart: per record its SF path, its summary values (LF LH BRF BRH FNF FNH, as
    text) and the text of its FN, FNDA, DA and BRDA regions (each region's lines with their leading "\\n")."""

    sfs: list[str]
    summ: list[tuple[str, ...]]
    fn: list[str]
    fnda: list[str]
    da: list[str]
    br: list[str]


def _sf_start(rec: str) -> int:
    """Where the SF line of an Istanbul record starts (after an optional TN line), or -1."""
    if rec.startswith("SF:"):
        return 0
    if rec.startswith("TN:"):
        p = rec.find("\n") + 1
        if rec.startswith("SF:", p):
            return p
    return -1


def _cut_record(rec: str) -> tuple[str, tuple[str, ...], str, str, str, str] | None:
    """One record's SF, summary values and four regions (see _Regions), or None unless it is laid out the
    way Istanbul writes it: FN* FNF FNH FNDA* DA* LF LH BRDA* BRF BRH, the last line ending the record."""
    p = _sf_start(rec)
    if p < 0:
        return None
    q = rec.find("\n", p)
    f = rec.find("\nFNF:", q)
    g = rec.find("\n", f + 5)
    if f < 0 or not rec.startswith("\nFNH:", g):
        return None
    h = rec.find("\n", g + 5)
    lf = rec.find("\nLF:", h)
    if lf < 0:
        return None
    d = rec.find("\nDA:", h, lf)
    if d < 0:
        d = lf
    m = rec.find("\n", lf + 4)
    if not rec.startswith("\nLH:", m):
        return None
    o = rec.find("\n", m + 4)
    b = rec.find("\nBRF:", o)
    c = rec.find("\n", b + 5)
    if b < 0 or not rec.startswith("\nBRH:", c):
        return None
    e = rec.find("\n", c + 5)
    if e != len(rec) - 1:
        return None
    summary = (  # in _SUMMARY order: LF LH BRF BRH FNF FNH
        rec[lf + 4 : m],
        rec[m + 4 : o],
        rec[b + 5 : c],
        rec[c + 5 : e],
        rec[f + 5 : g],
        rec[g + 5 : h],
    )
    return rec[p + 3 : q], summary, rec[q:f], rec[h:d], rec[d:lf], rec[o:b]


def _json_list(text: str, per_line: int, lines: int) -> list[int] | None:
    """``text`` is ",v,v,..." (a comma before each value): its values, or None unless exactly
    per_line*lines of them and no ``true``/``false``/exponent (``array("q", ...)`` refuses other non-ints)."""
    if "e" in text:
        return None
    try:
        vals = json.loads("[" + text[1:] + "]")
    except ValueError:
        return None
    return vals if len(vals) == per_line * lines else None


def _json_named(text: str, tag: str, lines: int) -> tuple[array[int], list[str]] | None:
    """``text`` is the joined "\n<tag>:<int>,<name>" lines of a block: (ints, names), or None."""
    if not lines:
        return array("q"), []
    if '"' in text or "\\" in text:
        return None
    body = text.replace(",", ',"').replace("\n" + tag + ":", '",')
    if _ODD_NAME.search(body):  # a name starting with a digit (FN:<start>,<end>,<name>) or non-ASCII
        return None
    try:
        vals = json.loads("[" + body[2:] + '"]', strict=False)
        if len(vals) != 2 * lines:
            return None
        nums = vals[0::2]
        if ("true" in text or "false" in text) and set(map(type, nums)) != {int}:
            return None
        return array("q", nums), vals[1::2]
    except (ValueError, TypeError, OverflowError):
        return None


_ODD_NAME = re.compile(r',"(?:\d|[^\x00-\x7f])')


def _per_line(lines: array[int], taken: array[int]) -> tuple[array[int], array[int], array[int]]:
    """BRDA arms (line, taken) -> per line with branches: lines, arms taken, arms in total."""
    if not lines:
        return array("q"), array("q"), array("q")
    total: dict[int, int] = {}
    covered: dict[int, int] = {}
    _count_elements(total, lines)
    _count_elements(covered, compress(lines, taken))
    bl = array("q", sorted(total))
    return bl, array("q", map(covered.get, bl, repeat(0))), array("q", map(total.__getitem__, bl))


def _fast_chunk(chunk: str, st: _State) -> bool:
    """Read a block of complete records laid out as Istanbul writes them; False (nothing read) otherwise."""
    if "\r" in chunk:
        return False
    recs = chunk.split("end_of_record\n")
    recs.pop()  # "" after the last end_of_record
    regions = _fast_regions(recs)
    if regions is None:
        return False
    cols = _fast_columns(regions)
    if cols is None:
        return False
    _fast_records(regions, cols, st)
    return True


@dataclass(slots=True)
class _Columns:
    """A block's values, each kind converted by one JSON scan, and how many lines of each kind per record."""

    said: list[int]  # six summary values per record, in _SUMMARY order
    da_nums: array[int]  # 'i' when every line number fits (4 bytes a line less to hold), else 'q'
    da_hits: array[int]
    br_lines: array[int]
    br_taken: array[int]
    fn_lines: array[int]
    fn_names: list[str]
    fnda_counts: array[int]
    fnda_names: list[str]
    n_da: list[int]
    n_br: list[int]
    n_fn: list[int]
    n_fnda: list[int]
    # adjacent DA lines within a record that are not strictly increasing (0: no record needs a merge)
    suspects: int = 0


def _fast_columns(rg: _Regions) -> _Columns | None:
    """Convert the regions of a block column-wise (see _json_list/_json_named); None if any does not fit."""
    n_da = _line_counts(rg.da)
    n_br = _line_counts(rg.br)
    n_fn = _line_counts(rg.fn)
    n_fnda = _line_counts(rg.fnda)
    said = _json_list("," + ",".join(map(",".join, rg.summ)), 6, len(rg.sfs))
    da_all = _json_list("".join(rg.da).replace("\nDA:", ","), 2, sum(n_da))
    br_text = "".join(rg.br)
    br_all = _json_list((br_text + "\n").replace(",-\n", ",0\n").replace("\nBRDA:", ","), 4, sum(n_br))
    fn_all = _json_named("".join(rg.fn), "FN", sum(n_fn))
    fnda_all = _json_named("".join(rg.fnda), "FNDA", sum(n_fnda))
    if said is None or da_all is None or br_all is None or fn_all is None or fnda_all is None:
        return None
    nums_l = da_all[0::2]
    try:
        array("q", said)  # checked here: a float, a string, null, a list, beyond int64 send the block away
        cols = _Columns(
            said=said,
            da_nums=_line_numbers(nums_l),
            da_hits=array("q", da_all[1::2]),
            br_lines=array("q", br_all[0::4]),
            br_taken=array("q", br_all[3::4]),
            fn_lines=fn_all[0],
            fn_names=fn_all[1],
            fnda_counts=fnda_all[0],
            fnda_names=fnda_all[1],
            n_da=n_da,
            n_br=n_br,
            n_fn=n_fn,
            n_fnda=n_fnda,
        )
    except (TypeError, OverflowError):
        return None
    counts = (cols.da_hits, cols.br_taken, cols.fnda_counts)
    if _impossible(cols.da_nums, cols.br_lines, cols.fn_lines, counts):
        return None  # the general reader names the line
    cols.suspects = _unordered_pairs(nums_l, n_da)
    return cols


def _line_counts(regions: list[str]) -> list[int]:
    """How many lines each region holds (each of its lines starts with a newline)."""
    return list(map(_count_newlines, regions))


def _line_numbers(nums: list[int]) -> array[int]:
    """Line numbers fit 32 bits (4 bytes a line less to hold); consumers only iterate the columns."""
    try:
        return array("i", nums)
    except OverflowError:
        return array("q", nums)


def _unordered_pairs(nums: list[int], n_da: list[int]) -> int:
    """Adjacent DA line numbers of a block that are not strictly increasing within one record.

    One comparison pass over the block counts the pairs that are not; those that straddle two records are
    expected and taken off, any other one sends its record to the merge (_fast_lines)."""
    suspects: int = sum(map(ge, nums, islice(nums, 1, None)))
    if suspects:
        n = len(nums)
        suspects -= sum(nums[o - 1] >= nums[o] for o in set(accumulate(n_da)) if 0 < o < n)
    return suspects


def _fast_records(rg: _Regions, cols: _Columns, st: _State) -> None:
    """One FileCoverage per record of a converted block, with the summary recount and the merge of repeats."""
    all_nums, all_hits, br_lines, br_taken = cols.da_nums, cols.da_hits, cols.br_lines, cols.br_taken
    fn_lines, fnda_counts, fnda_names = cols.fn_lines, cols.fnda_counts, cols.fnda_names
    n_da, n_br, n_fn, n_fnda, suspects = cols.n_da, cols.n_br, cols.n_fn, cols.n_fnda, cols.suspects
    intern = st.names.setdefault
    fn_names = list(
        map(intern, cols.fn_names, cols.fn_names)
    )  # Istanbul's "(anonymous_N)" repeat in every file
    hits_nonneg = not all_hits or min(all_hits) >= 0
    fnda_nonneg = not fnda_counts or min(fnda_counts) >= 0
    said = cols.said
    sm = st.summary
    counted: list[int] = []
    oda = obr = ofn = ofnda = 0
    for i, sf in enumerate(rg.sfs):
        fpath = to_posix(sf)
        k = n_da[i]
        nums, hits, merged = _fast_lines(all_nums[oda : oda + k], all_hits[oda : oda + k], suspects)
        oda += k
        nb = n_br[i]
        taken = br_taken[obr : obr + nb]
        bl, bc, bt = _per_line(br_lines[obr : obr + nb], taken)
        obr += nb
        k = n_fn[i]
        names = fn_names[ofn : ofn + k]
        flines = fn_lines[ofn : ofn + k]
        ofn += k
        kd = n_fnda[i]
        fhits = _fast_hits(names, fnda_names[ofnda : ofnda + kd], fnda_counts[ofnda : ofnda + kd], fpath, st)
        ofnda += kd
        fc = FileCoverage(
            path=fpath,
            line_numbers=nums,
            line_hits=hits,
            branch_lines=bl,
            branch_covered=bc,
            branch_total=bt,
            function_names=names,
            function_lines=flines,
            function_hits=fhits,
        )
        # the recount the general reader's _check_summary makes, from counts at hand
        lh = len(hits) - hits.count(0) if hits_nonneg and not merged else count_positive(hits)
        fnh = len(fhits) - fhits.count(0) if fnda_nonneg else count_positive(fhits)
        row = (len(nums), lh, nb, nb - taken.count(0), len(names), fnh)
        counted += row
        if sm.first_bad is None and said[6 * i : 6 * i + 6] != list(row):
            sm.first_bad = fpath
        _add_file(st, fc, rg.br[i], nb)
    for j in range(6):
        sm.said[j] += sum(said[j::6])
        sm.counted[j] += sum(counted[j::6])


def _fast_lines(nums: array[int], hits: array[int], suspects: int) -> tuple[array[int], array[int], bool]:
    """A record's DA columns, merged (sorted, counts of a repeated line summed) if its lines are not strictly
    increasing, and whether they were. Only looked at when the block has ``suspects``."""
    if suspects and len(nums) > 1 and not all(map(lt, nums, islice(nums, 1, None))):
        nums, hits = _merged_lines(nums, hits)
        return nums, hits, True
    return nums, hits, False


def _fast_hits(names: list[str], dnames: list[str], counts: array[int], fpath: str, st: _State) -> array[int]:
    """A record's function counts in FN order, from its FNDA names and counts."""
    if dnames == names:
        return counts
    fhits = array("q", [0]) * len(names)
    if dnames:
        _match_fnda(names=names, fhits=fhits, counts=counts, dnames=dnames, fpath=fpath, st=st)
    return fhits


def _add_file(st: _State, fc: FileCoverage, br_lines: str, nb: int) -> None:
    """Store a file the fast path read, or merge it into the same SF read before (``br_lines``: its BRDA
    lines as read, ``nb`` of them)."""
    st.records += 1
    prev = st.files.get(fc.path)
    if prev is not None:
        _merge_into(st, prev, fc, _arm_payloads(br_lines) if nb else [])
        return
    st.files[fc.path] = fc
    if not nb:
        return
    if st.keep_arms:
        st.arms[fc.path] = br_lines  # kept as read ("\nBRDA:..." lines)
    else:
        st.armless.add(fc.path)
