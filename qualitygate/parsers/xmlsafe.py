"""The one safe way qualitygate reads XML: streaming lxml with entities and network off.

Reports are hostile input. The configuration here costs nothing over a bare iterparse loop (see
benchmarks/): libxml2 is told never to load a DTD, never to touch the network and never to substitute
entities; on the first event the document's internal DTD subset is inspected and **any** entity declaration
(internal: billion laughs; external or parameter: XXE) refuses the file before a single value is read. A bare
``<!DOCTYPE coverage SYSTEM "...dtd">``, as Cobertura's Java tool writes it, is accepted and never fetched.
defusedxml's iterparse is not used on this path: it measured 1.6x slower than plain ElementTree
(../shared/bench/RESULTS.md) for the same guarantees; the expat pass (:func:`expat_checker`) refuses with
defusedxml's handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from qualitygate.errors import ReportFormatError, ReportNotFoundError, UnsafeInputError

if TYPE_CHECKING:
    from lxml import etree


def _safe_kwargs() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": _huge_tree_keeps_limits(),  # deep/long but legitimate reports
        "remove_comments": True,
        "remove_pis": True,
    }


_HUGE_TREE_OK: list[bool] = []  # the answer of _huge_tree_keeps_limits(), once known


def _huge_tree_keeps_limits() -> bool:
    """Whether ``huge_tree`` (libxml2's XML_PARSE_HUGE) leaves the entity-amplification limits on, asked once
    per process (lxml is imported on the first parse, not when this module is).

    Before libxml2 2.11, XML_PARSE_HUGE also switched off the entity expansion ("billion laughs") checks;
    2.11 reworked them and they apply in huge mode too (libxml2 2.11.0 NEWS; XML-LibXML issue #79, whose
    huge-mode entity-loop test stopped failing with 2.11). On an older runtime libxml2 the limits matter more
    than very deep or long reports: no huge_tree there (entities are refused anyway; this is a second lock).
    """
    if not _HUGE_TREE_OK:
        from lxml import etree

        _HUGE_TREE_OK.append(etree.LIBXML_VERSION >= (2, 11))
    return _HUGE_TREE_OK[0]


def _entity_refusal(path: str, name: object) -> UnsafeInputError:
    return UnsafeInputError(
        path,
        f"refused: the DOCTYPE declares entity {name!r}; reports never need entities "
        "and they are not expanded",
    )


def check_doctype(path: str, element: etree._Element) -> None:
    """Refuse a document whose internal DTD subset declares any entity."""
    docinfo = element.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():  # type: ignore[attr-defined]  # missing from lxml-stubs
        raise _entity_refusal(path, entity.name)


def iterparse(
    path: str,
    tags: tuple[str, ...],
    events: tuple[str, ...] = ("end",),
    *,
    remove_blank_text: bool = False,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs for the elements named in ``tags``, safely; every lxml error
    becomes an InputError naming the file and line:column.

    The tag filter runs inside libxml2 (lxml's ``iterparse(tag=...)``): a format whose interesting elements
    are a small share of the document (JUnit's ``testcase`` among ``failure``, ``system-out``, ``property``;
    Cobertura's ``class``) does not pay a Python round trip per element. The DOCTYPE is checked on the first
    event delivered (the prolog is parsed by then), or after the last byte when nothing matched, before the
    caller can read any value. Unmatched elements stay in the tree: the caller clears what it consumed
    (through ancestors, deleting consumed previous siblings) to keep memory bounded.
    ``remove_blank_text`` drops whitespace-only text nodes (indentation) that would be allocated for nothing.
    """
    from lxml import etree

    from qualitygate.parsers.reading import open_report

    try:
        with open_report(path) as fh:  # the registry's open file, hashed on the way
            ctx = etree.iterparse(
                fh, events=events, tag=tags, remove_blank_text=remove_blank_text, **_safe_kwargs()
            )
            yield from _doctype_checked(path, ctx)
    except etree.XMLSyntaxError as exc:
        _refuse_declared_entity(path)
        raise _syntax_error(path, exc) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc}") from None


def _refuse_declared_entity(path: str) -> None:
    """On a libxml2 error, the refusal an expat pass gives when the DOCTYPE declares an entity: libxml2
    can stop at its amplification limit before the first event, and then a billion-laughs file would be
    refused in other words than by the cobertura fast path (expat), which sees the declaration first."""
    p = expat_checker(path)
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                p.Parse(block, False)
    except UnsafeInputError:
        raise
    except Exception:  # ExpatError, an encoding expat does not know, ...: libxml2's own error stands
        return


def _doctype_checked(path: str, ctx: Any) -> Iterator[tuple[str, etree._Element]]:
    """``ctx``'s events, the DOCTYPE checked before the first one (no per-event test after it)."""
    it = iter(ctx)
    for event, elem in it:
        check_doctype(path, elem)
        yield event, elem
        break
    else:
        if ctx.root is not None:
            check_doctype(path, ctx.root)
        return
    yield from it


def _syntax_error(path: str, exc: Any) -> ReportFormatError | UnsafeInputError:
    """The InputError for an lxml ``XMLSyntaxError``: entity trouble is a refusal, the rest malformed XML."""
    line, col = exc.position if exc.position else (None, None)
    msg = str(exc.msg or exc).split(", line ")[0]
    if "amplification" in msg or ("entity" in msg.lower() and "external" in msg.lower()):
        return UnsafeInputError(path, f"refused: {msg}", line=line, column=col)
    return ReportFormatError(path, f"not well-formed XML: {msg}", line=line, column=col)


def _translated(path: str, defused: Callable[..., Any]) -> Callable[..., Any]:
    """defusedxml's handler, its refusal told in this module's words (the messages tests and users know)."""
    from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden

    def handler(*args: Any) -> Any:
        try:
            return defused(*args)
        except EntitiesForbidden as exc:
            raise _entity_refusal(path, exc.name) from None
        except ExternalReferenceForbidden:  # unreachable while every declaration is refused: a second lock
            raise UnsafeInputError(path, "refused: external entity reference (never fetched)") from None

    return handler


def expat_checker(path: str) -> Any:
    """A ``pyexpat`` parser configured with the same guarantees as :func:`iterparse`, for a fast
    well-formedness pass that builds nothing (feed it blocks with ``Parse``; set only the handlers you need).

    The refusals are defusedxml's (``forbid_entities``, ``forbid_external``; DTDs allowed), told in this
    module's words. Any entity declaration (general or parameter, internal, external or unparsed) raises
    :class:`UnsafeInputError` from inside the DOCTYPE, before any reference to it could be expanded;
    parameter entities and the external DTD subset are never processed (``XML_PARAM_ENTITY_PARSING_NEVER``),
    so a ``<!DOCTYPE coverage SYSTEM "...dtd">`` is accepted and never fetched; an external entity reference
    raises too. Set a ``SkippedEntityHandler`` if the caller must know about references to undeclared
    entities (expat skips them when the document names an external subset). ``ExpatError`` is left to the
    caller.
    """
    import pyexpat

    # defusedxml's refusals, from its expat DOM builder: importing its SAX reader (DefusedExpatParser, the
    # same handlers) pulls xml.sax.saxutils -> urllib.request -> http.client, 33 ms of a 170 ms check
    from defusedxml.expatbuilder import DefusedExpatBuilder

    guard = DefusedExpatBuilder(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    p = pyexpat.ParserCreate()
    p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.EntityDeclHandler = _translated(path, guard.defused_entity_decl)
    p.UnparsedEntityDeclHandler = _translated(path, guard.defused_unparsed_entity_decl)
    p.ExternalEntityRefHandler = _translated(path, guard.defused_external_entity_ref_handler)
    return p


class _NoTarget:
    """A parser target that takes no events: libxml2 parses and checks, Python is never called back and no
    tree is built."""

    def close(self) -> None:
        return None


class WellFormed:
    """libxml2, with the safe settings of :func:`iterparse`, checking a document fed to it in pieces; builds
    nothing and calls no Python per element: several times cheaper than any streaming loop (a fast path's
    check beside its own scan of the text). Only for documents without a DOCTYPE (the caller checks): no
    entity can be declared, so any reference but the predefined ones and character references is an error
    here. ``ok`` turns False at the first error; nothing is read after it."""

    def __init__(self) -> None:
        from lxml import etree

        target: Any = _NoTarget()  # lxml-stubs' ParserTarget wants start/end/data: their absence is the point
        self._parser: Any = etree.XMLParser(target=target, **_safe_kwargs())
        self._error = etree.XMLSyntaxError
        self.ok = True

    def feed(self, data: bytes) -> bool:
        """Check the next piece of the document; whether it is well-formed so far."""
        if self.ok:
            try:
                self._parser.feed(data)
            except self._error:
                self.ok = False
        return self.ok

    def close(self) -> bool:
        """Whether the whole document fed was well-formed (one root element, closed)."""
        if self.ok:
            try:
                self._parser.close()
            except self._error:
                self.ok = False
        return self.ok


def parse_fragment(path: str, data: bytes, *, remove_blank_text: bool = False) -> etree._Element:
    """Parse one UTF-8 element (a piece of a document already checked, e.g. by :func:`expat_checker`)
    with the safe settings of :func:`iterparse`."""
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=remove_blank_text, **_safe_kwargs())
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None


def _markup_end(text: str, j: int) -> int:
    """Where the prolog item at ``text[j]`` (``<?...?>``, ``<!--...-->``, ``<!DOCTYPE ... [...]>``) ends;
    -1 when it runs past the sniffed bytes."""
    if text.startswith("<?", j):
        return text.find("?>", j)
    if text.startswith("<!--", j):
        return text.find("-->", j)
    bracket, end = text.find("[", j), text.find(">", j)
    if 0 <= bracket < end:  # a DOCTYPE with an internal subset: its own '>' come before the closing ']'
        close = text.find("]", bracket)
        return text.find(">", close) if close >= 0 else -1
    return end


def sniff_root(head: str) -> str | None:
    """The local name of the root element of an XML document's first bytes, or None if it is not XML."""
    text = head.lstrip()
    if not text.startswith("<"):
        return None
    i = 0
    while (j := text.find("<", i)) >= 0 and j + 1 < len(text):
        if text[j + 1] not in "?!":
            name = re.match(r"[^\s/>]*", text[j + 1 :])
            return name.group(0).rsplit(":", 1)[-1] if name else None
        i = _markup_end(text, j)
        if i < 0:
            return None
        i += 1
    return None
