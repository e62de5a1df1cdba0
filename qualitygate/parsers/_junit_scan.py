"""The fast path of the JUnit reader: a verified scan of the document's text, beside the careful lxml reader.

The file is read in blocks of ``BLOCK`` bytes (through ``reading.open_report``: the registry's open file,
hashed on the way), so memory holds one block and the cases, never the document. Each block goes to libxml2
first (``xmlsafe.WellFormed``: the safe settings, fed piece by piece, building nothing); the text up to the
last ``<testcase`` in what is pending (a token boundary: text never holds a raw ``<``, and a cut inside a
CDATA section or a comment leaves an unclosed token the scan refuses) is decoded and scanned, the rest waits
for the next block. One regular expression reads the piece token by token with ``findall``: its last
alternative takes any ``<`` no other alternative reads, so every token starts where the previous one ended
and a token the scan does not know is seen (the careful reader takes the file):

* ``<testsuites>``/``<testsuite>`` open and close tags (a stack of the open suites: a case belongs to the
  innermost one, as in the careful reader);
* ``<testcase .../>`` or ``<testcase ...>body</testcase>``, its attributes read from the match (in the
  common ``classname name [file] [line] time [file]`` order by the expression itself, else one by one);
  a body with no ``<failure``/``<error``/``<skipped``/``<flaky`` in it is a pass, one with them is
  read by lxml with the careful reader's own code, the piece's such cases in one fragment;
* any other element (``properties``, ``system-out`` ...), whole, provided nothing in it is a suite or a case;
* text, comments, PIs and CDATA sections (skipped whole wherever they are, as the careful reader ignores
  them: what they hold can neither open nor close an element).

Nothing is returned before libxml2 accepted the whole document. The file goes to the careful reader (this
returns None) when it has a DOCTYPE (never given to libxml2 here), an encoding other than UTF-8, a default
namespace on a suite or a case, a token the expression does not know, one token longer than ``MAX_TOKEN``,
or anything the careful reader would warn about (an unreadable time or line: its warning names the first one
in document order, which this scan does not keep).
"""

from __future__ import annotations

import codecs
import operator
import re
import sys
from collections.abc import Callable, Sequence
from functools import reduce
from typing import TYPE_CHECKING, TypeVar

from qualitygate.model import CaseTally, TestCase, TestStatus, new_test_case
from qualitygate.parsers import naming, xmlsafe

if TYPE_CHECKING:
    from qualitygate.parsers.junit import _Oddities
    from qualitygate.parsers.reading import HashingReader

BLOCK = 1 << 20  # bytes read at a time: the scan holds about 8x this besides the cases (its tokens)
_HEAD = 1 << 16  # the first read at least: the prolog must end in it
_KEPT = 4096  # distinct values remembered per attribute (as the careful reader's _Oddities.times)
MAX_TOKEN = 16 << 20  # a case or element longer than this (a huge system-out) is the careful reader's
_PASSED = TestStatus.PASSED
_T = TypeVar("_T")
# The values of a case in the common order are captured raw, any character but '"': a name, a class name
# or a file with a reference or a character XML normalizes is decoded by the loop (``_unescape``), a time
# or a line is read by float() and int() as the careful reader reads it (whitespace around the number
# included) or refused, and a refused value sends the file to the careful reader (its warning names the
# first one). A negated single character is sre's fastest loop: a class such as [^"&\t\n\r] costs about
# 40 instructions a character more (measured: a quarter of the scan). An optional attribute is an
# alternative with the empty string (a BRANCH, cheaper in sre than a REPEAT for "?") and is captured with
# its opening quote ("" when absent, '"' when empty).
_N = r'([^"]*)'
_OPT_N = r'("[^"]*)"'
_NAME = r"[A-Za-z_][\w.-]*"
_ATTR_NAME = r"[A-Za-z_][\w.:-]*"
_ATTR_RE = r"\s+" + _ATTR_NAME + r"\s*=\s*(?:\"[^\"<]*\"|'[^'<]*')"


# markup whose content is not markup: skipped whole, as the careful reader (comments and PIs removed, CDATA
# read as text) does; whatever they hold cannot start or end an element
_OPAQUE = r"<!\[CDATA\[(?s:.*?)\]\]>|<!--(?s:.*?)-->|<\?(?s:.*?)\?>"


def _content(tag: str, refused: str = "") -> str:
    """An element's content, without its close tag (a nested element of the same name ends it early, and
    the token after it then matches nothing: the careful reader takes the file); no tag starting with a
    name in ``refused`` (alternatives) outside comments and CDATA."""
    return r"[^<]*(?:(?:" + _OPAQUE + r"|<(?![!?]|/" + tag + r"\s*>" + refused + r"))[^<]*)*"


# a case's end: "/>", or its body captured with the ">" that opens it ("" when empty) and the close tag
_CASE_END = r"\s*(?:/>|(>" + _content("testcase") + r")</testcase\s*>)"
# the same for a case in the common order: a body with no tag whose name starts like an outcome element's
# is not captured (a passed case); one with such a tag (a look for names, not for elements: lxml judges
# it) is read again by the last branch, which captures it with its ">" (sre backtracks to the ">" only)
_COMMON_END = (
    r"\s*(?:/>|>"
    + _content("testcase", "|failure|error|skipped|flaky")
    + r"</testcase\s*>|(>"
    + _content("testcase")
    + r")</testcase\s*>)"
)
# any other token: a case in another attribute order, a suite's open or close tag, another element whole
_OTHER = (
    r"<testcase(?:" + _ATTR_RE + r")*" + _CASE_END.replace("(>", "(?:>") + r"|"
    r"<testsuites?(?:" + _ATTR_RE + r")*\s*/?>|"
    r"</testsuites?\s*>|"
    r"<(?!testcase\b|testsuites?\b)("
    + _NAME
    + r")(?:"
    + _ATTR_RE
    + r")*\s*(?:/>|>"
    + _content(r"\{n}")
    + r"</\{n}\s*>)"
)
# One token per match, in findall's tuples (a group that took no part is ""): a case in the common order
# 0-6 (classname, name, file, line, time, file, body; file and line with their opening quote, or "" when
# absent, time with its opening quote: never "" for such a case, and a body with an outcome element from
# its ">", else ""), else 7, the whole token (any other token, or any "<" no alternative reads: the scan
# then stops), or nothing (a comment, PI or CDATA section). Every alternative starts with "<", so a match
# that follows text always reaches one, and the next match starts where this one ended. 8 is the name of
# another element (its close tag must match it).
_TOKEN = re.compile(
    r"[^<]*(?:"
    r'<testcase classname="'
    + _N
    + r'" name="'
    + _N
    + r'"(?: file='
    + _OPT_N
    + r"|)(?: line="
    + _OPT_N
    + r"|)"
    r" time=" + _OPT_N + r"(?: file=" + _OPT_N + r"|)" + _COMMON_END + r"|"
    r"(?:" + _OPAQUE + r")|"
    r"(" + _OTHER.format(n=9) + r"|<)"
    r")"
)
# the other tokens, read one by one: a case (attributes 1, body 2), a suite's open tag (3-5: tag,
# attributes, "/"), a suite's close tag (6), another element (7, its content 8)
_DETAIL = re.compile(
    r"<testcase((?:" + _ATTR_RE + r")*)" + _CASE_END + r"|"
    r"<(testsuites?)((?:" + _ATTR_RE + r")*)\s*(/?)>|"
    r"</(testsuites?)\s*>|"
    r"<(" + _NAME + r")(?:" + _ATTR_RE + r")*\s*(?:/>|>(" + _content(r"\7") + r")</\7\s*>)"
)
_ATTR = re.compile(r"(" + _ATTR_NAME + r")\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_REF = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|apos|quot));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}
# an optional BOM and XML declaration (its encoding captured), up to the root element's "<"
_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml\s(?:[^?]*?\sencoding\s*=\s*[\"']([^\"']*)[\"'])?[^?]*\?>\s*)?"
    rb"(?:<!--(?:[^-]|-(?!-))*-->\s*)*(?=<[A-Za-z_])"
)
_decode = codecs.utf_8_decode
_TIME = operator.itemgetter(4)  # a token's time (with its opening quote): "" for any other token
_CLASS, _NAME1, _FILE1, _LINE, _FILE2 = (operator.itemgetter(i) for i in (0, 1, 2, 3, 5))  # columns
_BODY = operator.itemgetter(6)  # a common-order case's body with an outcome element: "" for any other
_add = operator.add
_ge = operator.ge
if sys.version_info < (3, 12):
    _add_in_order = sum  # floats added one by one to a C double, in order, as a Python loop adds them
else:  # pragma: no cover - sum() compensates rounding since 3.12: the loop's result needs plain addition

    def _add_in_order(values: list[float], start: float) -> float:
        return reduce(_add, values, start)


class _Memo(dict[str, _T]):
    """A dict that makes a missing value with ``make`` (``__missing__``: a hit costs one subscript in C)
    and keeps at most ``kept`` of them."""

    __slots__ = ("kept", "make")

    def __init__(self, make: Callable[[str], _T], kept: int, seed: dict[str, _T]) -> None:
        super().__init__(seed)
        self.make, self.kept = make, kept

    def __missing__(self, key: str) -> _T:
        value = self.make(key)
        if len(self) < self.kept:
            self[key] = value
        return value


def _line(quoted: str) -> int:
    """A line attribute (with its opening quote): one int() refuses sends the file to the careful reader
    (its warning names the first such case)."""
    try:
        return int(quoted[1:])
    except ValueError:
        raise Unsupported("a warning that names the first odd line") from None


class Unsupported(Exception):
    """The document is not in a shape this scan reads exactly: the careful reader takes it."""


def read(path: str, odd: _Oddities) -> tuple[Cases, bool] | None:
    """The cases of the document at ``path`` (compact: ``Cases.build`` returns them as the careful reader
    would) and whether it had a suite element; None when the careful reader must read it (also when the
    file cannot be read: the careful reader says why)."""
    from qualitygate.parsers.reading import open_report

    scan = _Scan(path, odd)
    try:
        with open_report(path) as fh:
            return scan.run(fh)
    except (Unsupported, OSError, UnicodeDecodeError):
        return None


def _prolog_end(data: bytes) -> int:
    """Where the root element starts in the first block, once its prolog has nothing but an XML declaration
    (UTF-8) and comments; Unsupported otherwise (a DOCTYPE is never given to libxml2 here; another encoding,
    or a prolog longer than a block, is the careful reader's)."""
    prolog = _PROLOG.match(data)
    if prolog is None:
        raise Unsupported("prolog")
    enc = prolog.group(1)
    if enc is not None and enc.lower() not in (b"utf-8", b"utf8"):
        raise Unsupported("encoding")
    return prolog.end()


def _unescape(value: str) -> str:
    """An attribute value as an XML parser returns it: literal tabs and line ends normalized to spaces,
    then the predefined entities and character references replaced (no other entity can be in a document
    libxml2 accepted without a DOCTYPE)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\n", " ").replace("\t", " ")
    if "&" in value:
        value = _REF.sub(_reference, value)
    return value


def _reference(m: re.Match[str]) -> str:
    hexa, dec, name = m.groups()
    if name is not None:
        return _ENTITIES[name]
    return chr(int(hexa, 16) if hexa is not None else int(dec))


def _value(raw: str) -> str:
    """An attribute value as an XML parser returns it (``_unescape`` when it may need it)."""
    return _unescape(raw) if "&" in raw or not raw.isprintable() else raw


def attributes(attrs: str) -> dict[str, str]:
    """The attributes of a tag (the text after its name) by name, values decoded; a namespace declaration
    raises Unsupported: a default namespace would change the element's name for the careful reader."""
    out = {}
    for name, dq, sq in _ATTR.findall(attrs):
        if name == "xmlns":
            raise Unsupported(name)
        value = dq if dq or not sq else sq
        out[name] = (
            _unescape(value) if "&" in value or "\t" in value or "\n" in value or "\r" in value else value
        )
    return out


class _Scan:
    """One walk over the text, piece by piece: cases in document order, those with an outcome element
    completed by lxml at the end of their piece."""

    def __init__(self, path: str, odd: _Oddities) -> None:
        self.path = path
        self.odd = odd
        # the cases in document order: runs of common-order passed cases, and the other cases one by one
        self.parts: list[_Run | TestCase] = []
        # the open suites: (is a <testsuite>, its name); the innermost last
        self.stack: list[tuple[bool, str]] = []
        self.suite = ""  # the name the next case gets: the innermost open <testsuite>'s, else ""
        self.seen = False
        # the piece's cases with an outcome element, judged by lxml at its end: (the case, its body)
        self.complex: list[tuple[TestCase, str]] = []
        # A common-order case's values read once per distinct value, looked up in C (a dict subscript):
        # one string per class name and file (200k cases share a few thousand: for class names a tenth
        # to a half), the seconds of a time attribute and the number of a line attribute (those with their
        # opening quote); "" is an absent file or line.
        self.names: dict[str, str] = {}
        self.name_path = naming.paths()  # the repository's name for a file attribute (``naming``)
        self.files: _Memo[str | None] = _Memo(self._file, _KEPT, {"": None})
        self.times: _Memo[float] = _Memo(self._time, _KEPT, {})
        self.lines: _Memo[int | None] = _Memo(_line, _KEPT, {"": None})

    def _file(self, quoted: str) -> str:
        """A file attribute's value (with its opening quote), named as the repository names it."""
        value = _value(quoted[1:])
        return value and self.name_path(value)

    def run(self, fh: HashingReader) -> tuple[Cases, bool]:
        """Read the document block by block; the cases once libxml2 accepted all of it."""
        check = xmlsafe.WellFormed()
        pending = fh.read(max(BLOCK, _HEAD))
        if not check.feed(pending):
            raise Unsupported("not well-formed")
        pending = pending[_prolog_end(pending) :]
        while pending:
            block = fh.read(BLOCK)
            if not block:
                piece, pending = memoryview(pending), b""
            elif not check.feed(block):
                raise Unsupported("not well-formed")
            else:
                pending += block
                cut = pending.rfind(b"<testcase")
                if cut <= 0:  # no token boundary yet: one huge token, or no case at all so far
                    if len(pending) > MAX_TOKEN:
                        raise Unsupported("a token longer than MAX_TOKEN")
                    continue
                piece, pending = memoryview(pending)[:cut], pending[cut:]
            self._piece(_decode(piece, "strict", True)[0])
        if not check.close() or self.stack:
            raise Unsupported("not well-formed")
        return Cases(self.parts), self.seen

    def _piece(self, text: str) -> None:
        """The hot path: the tokens of a piece are read by one ``findall`` in C; the common-order cases
        between two other tokens or cases with an outcome element are kept as columns, built by C loops (no
        Python code per passed case)."""
        tokens = _TOKEN.findall(text)
        times = list(map(_TIME, tokens))  # "" for any token other than a case in the common order
        # True where a run of passed cases ends: another token (body "" >= time ""), or a case with an
        # outcome element (its body starts with ">", its time with '"', which sorts first); False for a passed
        # case (body "" < time). One C comparison per token, no call of a type (bool() is one: tp_call), and
        # bools are singletons, so the index() below compares identities in C.
        stops = list(map(_ge, map(_BODY, tokens), times))
        controls = "\t" in text or "\r" in text  # anywhere: every class name and name is looked at closely
        # whether a case of the piece has a file, a line (any() over a column in C: cheaper than searching
        # the text for " file=", whose first character is everywhere)
        shape = (controls, any(map(_FILE1, tokens)) or any(map(_FILE2, tokens)), any(map(_LINE, tokens)))
        end = len(tokens)
        start = 0
        while start < end:
            try:
                stop = stops.index(True, start)
            except ValueError:
                stop = end
            if stop > start:
                self.parts.append(self._run(tokens[start:stop], times[start:stop], shape))
            if stop < end:
                token = tokens[stop]
                if times[stop]:
                    self._outcome_case(token, controls)
                else:
                    self.suite = self._other(token[7])
            start = stop + 1
        self._end_of_piece()

    def _run(self, tokens: list[tuple[str, ...]], times: list[str], shape: tuple[bool, bool, bool]) -> _Run:
        """Cases in the common order, one after another, in one suite, as columns (one ``itemgetter`` pass
        each: cheaper than transposing with ``zip``), each value read once per distinct value (the memos'
        ``__missing__``) and shared; files and lines only when a case of the piece has one (``shape``: a tab
        or carriage return in the piece, a file attribute, a line attribute)."""
        controls, has_file, has_line = shape
        classes = list(map(_CLASS, tokens))
        none = [None] * len(times)  # files and lines when no case has one (any() is a C loop)
        files: Sequence[str | None] = none
        lines: Sequence[int | None] = none
        if has_file:
            file1, file2 = list(map(_FILE1, tokens)), list(map(_FILE2, tokens))
            if any(file1) or any(file2):
                files = list(map(self.files.__getitem__, map(_add, file1, file2)))
        if has_line:
            raw_lines = list(map(_LINE, tokens))
            if any(raw_lines):
                lines = list(map(self.lines.__getitem__, raw_lines))
        return _Run(
            self.suite,
            list(map(self.names.setdefault, classes, classes)),
            list(map(_NAME1, tokens)),
            list(map(self.times.__getitem__, times)),
            files,
            lines,
            controls,
        )

    def _outcome_case(self, token: tuple[str, ...], controls: bool) -> None:
        """A case in the common order with an outcome element: its record now, judged at the piece's end."""
        raw_cls, raw, file1, line, raw_time, file2, body = token[:7]
        cls = self.names.setdefault(raw_cls, raw_cls)
        name = raw
        if controls or "&" in cls or "\n" in cls or "&" in raw or "\n" in raw:
            cls, name = _value(cls), _value(raw)  # as _Run.build
        case = new_test_case(
            self.suite, cls, name, _PASSED, self.times[raw_time], self.files[file1 + file2], self.lines[line]
        )
        self.parts.append(case)
        self._complex(case, body)

    def _end_of_piece(self) -> None:
        if self.complex:
            self._read_complex()
        if self.odd.bad_times or self.odd.bad_lines:
            raise Unsupported("a warning that names the first odd value")

    def _time(self, quoted: str) -> float:
        """A time attribute (with its opening quote) not met before: read as the careful reader reads it; one
        it cannot read sends the file to it (its warning names the first such case)."""
        seconds = self.odd.seconds(quoted[1:], "")
        if seconds is None:
            raise Unsupported("a warning that names the first odd time")
        return seconds

    def _other(self, token: str) -> str:
        """A token other than a case in the common attribute order ("": a comment, PI or CDATA section);
        the suite of the cases after it."""
        if not token:
            return self.suite
        m = _DETAIL.fullmatch(token)
        if m is None:
            raise Unsupported("a token the scan does not read")
        attrs, body, tag, suite_attrs, empty, close, _, content = m.groups()
        if attrs is not None:  # a case with its attributes in another order
            self._case(attributes(attrs), body)
        elif tag is not None:
            self._open_suite(tag, attributes(suite_attrs), empty == "/")
        elif close is not None:
            self._close_suite(close)
        elif content is not None and ("<testcase" in content or "<testsuite" in content):
            raise Unsupported("a case or a suite inside another element")
        return self.suite

    def _case(self, got: dict[str, str], body: str | None) -> None:
        case = self.odd.case(got, self.suite, self.name_path)
        self.parts.append(case)
        if body and _has_outcome(body):
            self._complex(case, body)

    def _complex(self, case: TestCase, body: str) -> None:
        """A case with an outcome element: its body (from its ">") is judged by lxml at the piece's end."""
        if "<testcase" in body or "<testsuite" in body:
            raise Unsupported("a case or a suite inside a case")
        self.complex.append((case, body))

    def _open_suite(self, tag: str, attrs: dict[str, str], empty: bool) -> None:
        is_suite = tag == "testsuite"
        if is_suite and (not self.stack or not self.stack[-1][0]):
            self.odd.top_level_suite(attrs)
        if empty:
            self.seen = True
            return
        self.stack.append((is_suite, attrs.get("name") or "" if is_suite else ""))
        self.suite = self.stack[-1][1]

    def _close_suite(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != (tag == "testsuite"):
            raise Unsupported("unbalanced suites")  # pragma: no cover - libxml2 checks the nesting
        self.stack.pop()
        self.seen = True
        self.suite = self.stack[-1][1] if self.stack else ""

    def _read_complex(self) -> None:
        """The outcome of the piece's cases with an outcome element, read from one fragment of their bodies
        by the careful reader's code (``junit.judge``); no default namespace is declared on those cases
        (``attributes`` refuses one), so their children are named the same there."""
        from qualitygate.errors import InputError
        from qualitygate.parsers.junit import judge

        texts = "</c><c".join(body for _, body in self.complex)
        try:
            root = xmlsafe.parse_fragment(self.path, ("<cases><c" + texts + "</c></cases>").encode())
        except InputError:  # libxml2 has not seen the whole document yet: it says why, in the careful reader
            raise Unsupported("the fragment is not well-formed") from None
        if len(root) != len(self.complex):
            raise Unsupported("the fragment does not split into the cases")  # pragma: no cover
        for (case, _), el in zip(self.complex, root, strict=True):
            judge(case, el)
        self.complex.clear()


def _has_outcome(body: str) -> bool:
    """Whether a case's body may hold an outcome element (a look for the names, not for elements)."""
    return "<" in body and _OUTCOME.search(body) is not None


_OUTCOME = re.compile("<(?:failure|error|skipped|flaky)")


class _Run:
    """Passed cases in the common attribute order, one after another in one suite, in columns: class names
    (one string per distinct name), names as written, seconds, files (named), lines; ``controls``: a tab
    or carriage return was in their piece (every name is then looked at closely)."""

    __slots__ = ("classes", "controls", "files", "lines", "names", "suite", "times")

    def __init__(  # noqa: PLR0917  # the columns, built by _Scan._run
        self,
        suite: str,
        classes: list[str],
        names: Sequence[str],
        times: list[float],
        files: Sequence[str | None],
        lines: Sequence[int | None],
        controls: bool,
    ) -> None:
        self.suite, self.classes, self.names, self.times = suite, classes, names, times
        self.files, self.lines, self.controls = files, lines, controls

    def build(self, append: Callable[[TestCase], None]) -> None:
        """Append the run's TestCase records (when something reads ``report.cases``; ``parse`` does not)."""
        suite = self.suite
        controls = self.controls
        for raw_cls, raw, time_s, file, line in zip(
            self.classes, self.names, self.times, self.files, self.lines, strict=True
        ):
            cls, name = raw_cls, raw
            if controls or "&" in cls or "\n" in cls or "&" in raw or "\n" in raw:
                cls, name = _value(cls), _value(raw)  # a reference, or a line end to normalize
            append(new_test_case(suite, cls, name, _PASSED, time_s, file, line))


class Cases:
    """The cases of a document the scan read, in document order: runs of common-order passed cases in
    columns, the other cases as records (``model.CompactCases``)."""

    __slots__ = ("_parts", "_tally")

    def __init__(self, parts: list[_Run | TestCase]) -> None:
        self._parts = parts
        self._tally: CaseTally | None = None

    def build(self) -> list[TestCase]:
        """The TestCase records in document order: the runs' built on each call, the other cases' the scan's
        own (LazyTestReport calls this once)."""
        cases: list[TestCase] = []
        for part in self._parts:
            if isinstance(part, _Run):
                part.build(cases.append)
            else:
                cases.append(part)
        return cases

    def tally(self) -> CaseTally:
        """The cases counted without building them; the durations added in document order, one by one (as
        ``TestReport.tally`` adds them: ``_add_in_order``)."""
        if self._tally is not None:
            return self._tally
        counts = dict.fromkeys(TestStatus, 0)
        total = flaky = 0
        duration = 0.0
        for part in self._parts:
            if isinstance(part, _Run):
                total += len(part.times)
                duration = _add_in_order(part.times, duration)
                continue
            total += 1
            counts[part.status] += 1
            flaky += part.flaky
            if part.time_s is not None:
                duration += part.time_s
        counts[_PASSED] += total - sum(counts.values())
        self._tally = CaseTally(total, counts, flaky, duration, 0)
        return self._tally
