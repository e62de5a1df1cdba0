"""The fast path of the JUnit reader: a verified scan of the document's text, beside the careful lxml reader.

libxml2 first checks the whole document (well-formedness, encoding) with the safe settings of
``xmlsafe`` and builds nothing (``xmlsafe.well_formed``): a few times cheaper than streaming the elements
into Python. Then one regular expression walks the text token by token, each token starting where the
previous one ended (a gap means something unexpected: the careful reader takes the file):

* ``<testsuites>``/``<testsuite>`` open and close tags (a stack of the open suites: a case belongs to the
  innermost one, as in the careful reader);
* ``<testcase .../>`` or ``<testcase ...>body</testcase>``, its attributes read from the match (in the
  common ``classname name [file] [line] time [file]`` order by the expression itself, else one by one);
  a body with no ``<failure``/``<error``/``<skipped``/``<flaky`` in it is a pass, one with them is
  kept and read by lxml with the careful reader's own code, all such cases in one fragment;
* any other element (``properties``, ``system-out`` ...), whole, provided nothing in it is a suite or a case;
* text, comments, PIs and CDATA sections (skipped whole wherever they are, as the careful reader ignores
  them: what they hold can neither open nor close an element).

The file goes to the careful reader (this returns None) when it has a DOCTYPE (never given to libxml2
here), an encoding other than UTF-8, a default namespace on a suite or a case, a token the expression does
not know, or anything the careful reader would warn about (an unreadable time or line: its warning names
the first one in document order, which this scan does not keep).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qualitygate.model import TestCase, TestStatus, new_test_case
from qualitygate.parsers import xmlsafe

if TYPE_CHECKING:
    from qualitygate.parsers.junit import _Oddities

_PASSED = TestStatus.PASSED
_new_object = object.__new__
# A name, a class name or a file in the common order: a value that needs no decoding (no reference, no
# character XML normalizes). A time or a line may hold anything: float() and int() read what the careful
# reader reads (whitespace around the number included) or refuse it, and a refused value sends the file to
# the careful reader (its warning names the first one). Negated single characters: sre's fastest loop.
_V = r'([^"&\t\n\r]*)'
_N = r'([^"]*)'
_NAME = r"[A-Za-z_][\w.-]*"
_ATTR_NAME = r"[A-Za-z_][\w.:-]*"
_ATTR_RE = r"\s+" + _ATTR_NAME + r"\s*=\s*(?:\"[^\"<]*\"|'[^'<]*')"


# markup whose content is not markup: skipped whole, as the careful reader (comments and PIs removed, CDATA
# read as text) does; whatever they hold cannot start or end an element
_OPAQUE = r"<!\[CDATA\[(?s:.*?)\]\]>|<!--(?s:.*?)-->|<\?(?s:.*?)\?>"


def _body(tag: str) -> str:
    """An element's content up to its close tag (a nested element of the same name ends the match early,
    and the token after it then matches nothing: the careful reader takes the file)."""
    return r"([^<]*(?:(?:" + _OPAQUE + r"|<(?![!?]|/" + tag + r"\s*>))[^<]*)*)</" + tag + r"\s*>"


_CASE_END = r"\s*(?:/>|>" + _body("testcase") + ")"
# Group numbers: a case in the common order 1-7 (classname, name, file, line, time, file, body), a case in
# any other 8-9 (attributes, body), a suite's open tag 10-12 (tag, attributes, "/"), a suite's close tag 13,
# any other element 14-15 (tag, body); then a comment or PI between them.
_TOKEN = re.compile(
    r"[^<]*(?:"
    r'<testcase classname="' + _V + r'" name="' + _V + r'"(?: file="' + _V + r'")?(?: line="' + _N + r'")?'
    r' time="' + _N + r'"(?: file="' + _V + r'")?' + _CASE_END + r"|"
    r"<testcase((?:" + _ATTR_RE + r")*)" + _CASE_END + r"|"
    r"<(testsuites?)((?:" + _ATTR_RE + r")*)\s*(/?)>|"
    r"</(testsuites?)\s*>|"
    r"<(?!testcase\b|testsuites?\b)(" + _NAME + r")(?:" + _ATTR_RE + r")*\s*(?:/>|>" + _body(r"\14") + ")|"
    r"(?:" + _OPAQUE + r")"
    r")"
)
_ATTR = re.compile(r"(" + _ATTR_NAME + r")\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
_REF = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|apos|quot));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}
# an optional BOM and XML declaration (its encoding captured), up to the root element's "<"
_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml\s(?:[^?]*?\sencoding\s*=\s*[\"']([^\"']*)[\"'])?[^?]*\?>\s*)?"
    rb"(?:<!--(?:[^-]|-(?!-))*-->\s*)*(?=<[A-Za-z_])"
)


class Unsupported(Exception):
    """The document is not in a shape this scan reads exactly: the careful reader takes it."""


def read(path: str, odd: _Oddities) -> tuple[list[TestCase], bool] | None:
    """The cases of the document at ``path`` and whether it had a suite element, as the careful reader
    would return them; None when the careful reader must read it (also when the file cannot be read: the
    careful reader says why)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    checked = _checked_text(data)
    del data  # the text alone from here: the bytes are as big
    if checked is None:
        return None
    try:
        return _Scan(path, odd).run(*checked)
    except Unsupported:
        return None


def _checked_text(data: bytes) -> tuple[str, int] | None:
    """The document as text and where its root element starts, once libxml2 found it well-formed and UTF-8;
    None when it is not, or when its prolog has more than an XML declaration (a DOCTYPE is never given to
    libxml2 here; comments, CDATA and PIs after it make the scan stop: no token starts with ``<!``/``<?``
    and no body the scan skips may hold one)."""
    prolog = _PROLOG.match(data)
    if prolog is None:
        return None
    enc = prolog.group(1)
    if enc is not None and enc.lower() not in (b"utf-8", b"utf8"):
        return None
    if not xmlsafe.well_formed(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - libxml2 refused it already
        return None
    return text, prolog.end() - 2 if data.startswith(b"\xef\xbb\xbf") else prolog.end()


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
    """One walk over the text: cases in document order, complex ones completed by lxml at the end."""

    def __init__(self, path: str, odd: _Oddities) -> None:
        self.path = path
        self.odd = odd
        self.cases: list[TestCase] = []
        # the open suites: (is a <testsuite>, its name); the innermost last
        self.stack: list[tuple[bool, str]] = []
        self.suite = ""  # the name the next case gets: the innermost open <testsuite>'s, else ""
        self.seen = False
        # cases read by lxml at the end: (index in cases, the suite, the case's text)
        self.complex: list[tuple[int, str, str]] = []

    def run(self, text: str, start: int) -> tuple[list[TestCase], bool]:
        pos = self._walk(text, start)
        if text[pos:].strip() or self.stack:
            raise Unsupported("trailing text")
        if self.complex:
            self._read_complex()
        if self.odd.bad_times or self.odd.bad_lines:
            raise Unsupported("a warning that names the first odd value")
        return self.cases, self.seen

    def _walk(self, text: str, pos: int) -> int:
        """The hot loop: one iteration per token (200k cases in a monorepo report). The scanner matches
        each token where the previous one ended, and stops at the first place no token starts."""
        append = self.cases.append
        new = _new_object
        odd = self.odd
        times = odd.times.get
        seconds = odd.seconds
        last_cls = ""
        m = None
        # Pattern.scanner: each match() is anchored where the last one ended (stdlib, untyped in typeshed)
        for m in iter(_TOKEN.scanner(text, pos).match, None):  # type: ignore[attr-defined]
            cls, name, file, raw_line, raw_time, file2, body = m.group(1, 2, 3, 4, 5, 6, 7)
            if cls is None:
                self._other(m)
                continue
            if body is not None and _has_outcome(body):
                self._complex(m, {})
                continue
            if cls == last_cls:
                cls = last_cls  # one string per run of cases of a class
            else:
                last_cls = cls
            time_s = times(raw_time, -1.0)  # -1.0: not met yet (never a remembered value)
            if time_s == -1.0:
                time_s = seconds(raw_time, name)
            # new_test_case(), inline: a call per case is a tenth of this loop
            case = new(TestCase)
            case.suite = self.suite
            case.classname = cls
            case.name = name
            case.status = _PASSED
            case.time_s = time_s
            case.message = None
            case.flaky = False
            case.skip_type = None
            case.file = file2 if file is None else file
            case.line = None if raw_line is None else odd.line(raw_line, name)
            append(case)
        return pos if m is None else m.end()

    def _other(self, m: re.Match[str]) -> None:
        """A token other than a case in the common attribute order."""
        if m.group(8) is not None:  # a case with its attributes in another order
            self._case(m.group(8), m.group(9), m)
        elif m.group(10) is not None:
            self._open_suite(m.group(10), attributes(m.group(11)), m.group(12) == "/")
        elif m.group(13) is not None:
            self._close_suite(m.group(13))
        else:  # another element: nothing the careful reader reads may be inside
            body = m.group(15)
            if body is not None and ("<testcase" in body or "<testsuite" in body):
                raise Unsupported("a case or a suite inside another element")

    def _case(self, attrs: str, body: str | None, m: re.Match[str]) -> None:
        got = attributes(attrs)
        if body is not None and _has_outcome(body):
            self._complex(m, got)
            return
        get = got.get
        odd = self.odd
        name = get("name", "")
        raw_time = get("time")
        time_s = odd.times.get(raw_time, -1.0)
        if time_s == -1.0:
            time_s = odd.seconds(raw_time, name)
        raw_line = get("line")
        line = None if raw_line is None else odd.line(raw_line, name)
        self.cases.append(
            new_test_case(self.suite, get("classname", ""), name, _PASSED, time_s, get("file"), line)
        )

    def _complex(self, m: re.Match[str], _checked: dict[str, str]) -> None:
        """A case with an outcome element (its attributes checked for a default namespace by the caller):
        kept for lxml, a placeholder holds its place in the order."""
        token = m.group(0)
        token = token[token.index("<") :]
        if "<testcase" in token[9:] or "<testsuite" in token:
            raise Unsupported("a case or a suite inside a case")
        self.complex.append((len(self.cases), self.suite, token))
        self.cases.append(_PLACEHOLDER)

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
            raise Unsupported("unbalanced suites")  # pragma: no cover - libxml2 checked the nesting
        self.stack.pop()
        self.seen = True
        self.suite = self.stack[-1][1] if self.stack else ""

    def _read_complex(self) -> None:
        """The cases with an outcome element, read from one fragment by the careful reader's own code."""
        from qualitygate.parsers.junit import case_of

        texts = "".join(t for _, _, t in self.complex)
        root = xmlsafe.parse_fragment(self.path, ("<cases>" + texts + "</cases>").encode())
        if len(root) != len(self.complex):
            raise Unsupported("the fragment does not split into the cases")  # pragma: no cover
        for (i, suite, _), el in zip(self.complex, root, strict=True):
            self.cases[i] = case_of(el, suite, self.odd)


def _has_outcome(body: str) -> bool:
    """Whether a case's body may hold an outcome element (a look for the names, not for elements)."""
    return "<" in body and _OUTCOME.search(body) is not None


_OUTCOME = re.compile("<(?:failure|error|skipped|flaky)")


_PLACEHOLDER = new_test_case("", "", "", _PASSED, None, None, None)
