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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import itemgetter, lt
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import CoverageReport, FileCoverage, LazyFileCoverage, count_positive, to_posix
from qualitygate.parsers import _lcov_istanbul, naming, reading
from qualitygate.parsers.registry import RERUN_ISTANBUL

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


REFRESH = {
    "coverage.py": "pytest --cov --cov-report=lcov:{path}",
    "istanbul": RERUN_ISTANBUL,
    "gcovr": "gcovr --lcov {path}",
    "": "re-run the coverage tool that wrote {path} (lcov)",
}
_LCOV_SF = re.compile(r"^SF:(.*)$", re.MULTILINE)
_JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte")


def producer(tool: str | None, head: str) -> str | None:
    """gcovr from its ``TN:GCOVR``/``VER:`` lines, else the language of the first ``SF:``."""
    if head.startswith("TN:GCOVR") or "\nVER:" in head:
        return "gcovr"
    first = _LCOV_SF.search(head)
    if first is None:
        return None
    source = first.group(1).strip()
    if source.endswith(".py"):
        return "coverage.py"
    return "istanbul" if source.endswith(_JS_SUFFIXES) else None


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
    # names a new file's path (naming.coverage); None: as written (a record decoded on its own)
    namer: naming.CoverageNaming | None = None

    def name(self, fpath: str) -> str:
        """The path of the file read for SF ``fpath``: the one read before's, else a new file's name."""
        prev = self.files.get(fpath)
        if prev is not None:
            return prev.path
        return fpath if self.namer is None else self.namer.name(fpath, ())


def parse(path: str, display: str | None = None) -> CoverageReport:
    st = _State(path, namer=naming.coverage())
    gc_was_enabled = gc.isenabled()
    gc.disable()  # no reference cycles are created; GC passes over millions of ints find nothing
    try:
        _read(path, st)
    finally:
        if gc_was_enabled:
            gc.enable()
    if not st.records:
        raise ReportFormatError(path, "no SF record: this lcov file holds no coverage at all")
    report = CoverageReport(path=display or path, kind=KIND, tool=st.tool, functions_measured=True)
    report.files = list(st.files.values())
    report.warnings = st.warnings
    _summary_warnings(st)
    return report


def _read(path: str, st: _State) -> None:
    try:
        fh = reading.open_report(path)  # the registry's open file, hashed on the way; closed below
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


def _blocks(fh: reading.HashingReader) -> Iterator[bytes]:
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
    if end > 14 and _fast_chunk(text[:end], line_no, st):
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
        path=st.name(fpath),
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
        _merge_into(st, fpath, prev, fc, br_text.split("\n") if n_br else [])


def _arm_payloads(stored: str) -> list[str]:
    """The BRDA payloads kept for a file: newline-joined, or BRDA lines as the fast path read them."""
    if stored.startswith("\nBRDA:"):
        return stored[6:].split("\nBRDA:")
    return stored.split("\n")


def _merge_into(st: _State, fpath: str, prev: FileCoverage, fc: FileCoverage, payloads: list[str]) -> None:
    """A repeated SF (``fpath``, as written): merge ``fc`` into the file read before (``lcov -a``); the
    merged file keeps ``prev``'s path."""
    # the fast path keeps no BRDA payloads apart: they are in the text it kept
    old = prev.arm_lines() if isinstance(prev, _LcovFile) else st.arms.get(fpath)
    arms = (_arm_payloads(old) if old else []) + payloads
    st.files[fpath] = _merge(prev, fc, arms)
    if arms:
        st.arms[fpath] = "\n".join(arms)


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
# Records laid out as Istanbul writes them are counted by parsers/_lcov_istanbul.py and kept as text; the
# careful reader above decodes one (_decode_record) only when its per-line columns are read.


class _LcovFile(LazyFileCoverage):
    """A record the fast path counted: its columns come from the careful reader, on first use. Its text is
    the record from its first FN line on (its SF line is not kept: ``path`` is the file's name)."""

    __slots__ = ()

    def decode(self, text: str) -> FileCoverage:
        return _decode_record("SF:-\n" + text)

    def arm_lines(self) -> str:
        """Its BRDA lines ("\\nBRDA:..." each, as _arm_payloads reads them)."""
        text = "\n" + self._text
        i = text.find("\nBRDA:")
        return "" if i < 0 else text[i : text.rfind("\nBRF:")]


def _decode_record(body: str) -> FileCoverage:
    """One record's columns, as the careful reader reads them (the record was validated when counted)."""
    st = _State("")
    _one_record("", body, 1, st)
    (fc,) = st.files.values()
    return fc


def _fast_chunk(chunk: str, line_no: int, st: _State) -> bool:
    """Read a chunk of complete records, those laid out as Istanbul writes them by the fast path and the
    others by the careful reader; False (nothing read) when not one of them is."""
    items = _lcov_istanbul.read_chunk(chunk)
    if items is None:
        return False
    seen = 0
    fast: list[_lcov_istanbul.Record] = []
    for item in items:
        if type(item) is _lcov_istanbul.Record and (fpath := to_posix(item.sf)) not in st.files:
            _add_record(st, fpath, item)
            fast.append(item)
            continue
        line_no += chunk.count("\n", seen, item.offset)
        seen = item.offset
        if isinstance(item, _lcov_istanbul.Misfit):
            text = item.text
        else:  # a repeated SF: merged by the careful reader
            text = f"SF:{item.sf}\n{item.body}end_of_record\n"
        _records(st.path, text, line_no, st)
    sm = st.summary
    sm.said[:] = map(sum, zip(sm.said, *(r.said for r in fast), strict=True))
    sm.counted[:] = map(sum, zip(sm.counted, *(r.counted for r in fast), strict=True))
    return True


def _add_record(st: _State, fpath: str, rec: _lcov_istanbul.Record) -> None:
    """Keep a record the fast path counted, as ``fpath`` (its summary lines are summed by the caller)."""
    c = rec.counted
    if st.summary.first_bad is None and rec.said != c:
        st.summary.first_bad = fpath
    st.records += 1
    st.files[fpath] = _LcovFile(st.name(fpath), rec.body, (c[1], c[0], c[3], c[2], c[5], c[4]))
