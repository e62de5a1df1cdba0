"""The one safe way qualitygate reads XML: streaming lxml with entities and network off.

Reports are hostile input. The configuration here costs nothing over a bare iterparse loop (see
benchmarks/): libxml2 is told never to load a DTD, never to touch the network and never to substitute
entities; on the first event the document's internal DTD subset is inspected and **any** entity declaration
(internal: billion laughs; external or parameter: XXE) refuses the file before a single value is read. A bare
``<!DOCTYPE coverage SYSTEM "...dtd">``, as Cobertura's Java tool writes it, is accepted and never fetched.
defusedxml is not used on this path: its iterparse measured 1.6x slower than plain ElementTree
(../shared/bench/RESULTS.md) for the same guarantees.
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

    try:
        ctx = etree.iterparse(
            path, events=events, tag=tags, remove_blank_text=remove_blank_text, **_safe_kwargs()
        )
        yield from _doctype_checked(path, ctx)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc}") from None


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


def _refuse_entity(path: str) -> Callable[..., None]:
    def handler(name: str, *_: Any) -> None:
        raise _entity_refusal(path, name)

    return handler


def _refuse_external(path: str) -> Callable[..., int]:
    def handler(*_: Any) -> int:  # unreachable while every declaration is refused; kept as a second lock
        raise UnsafeInputError(path, "refused: external entity reference (never fetched)")

    return handler


def expat_checker(path: str) -> Any:
    """A ``pyexpat`` parser configured with the same guarantees as :func:`iterparse`, for a fast
    well-formedness pass that builds nothing (feed it blocks with ``Parse``; set only the handlers you need).

    Any entity declaration (general or parameter, internal, external or unparsed) raises
    :class:`UnsafeInputError` from inside the DOCTYPE, before any reference to it could be expanded;
    parameter entities and the external DTD subset are never processed (``XML_PARAM_ENTITY_PARSING_NEVER``),
    so a ``<!DOCTYPE coverage SYSTEM "...dtd">`` is accepted and never fetched; an external entity reference
    raises too. Set a ``SkippedEntityHandler`` if the caller must know about references to undeclared
    entities (expat skips them when the document names an external subset). ``ExpatError`` is left to the
    caller.
    """
    import pyexpat

    p = pyexpat.ParserCreate()
    p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.EntityDeclHandler = _refuse_entity(path)
    p.UnparsedEntityDeclHandler = _refuse_entity(path)
    p.ExternalEntityRefHandler = _refuse_external(path)
    return p


class _NoTarget:
    """A parser target that takes no events: libxml2 parses and checks, Python is never called back and no
    tree is built."""

    def close(self) -> None:
        return None


def well_formed(data: bytes) -> bool:
    """Whether libxml2, with the safe settings of :func:`iterparse`, reads ``data`` without an error. Builds
    nothing: several times cheaper than any streaming loop (a fast path's check before it scans the text
    itself). Only for documents without a DOCTYPE (the caller checks): no entity can be declared, so any
    reference but the predefined ones and character references is an error here."""
    from lxml import etree

    target: Any = _NoTarget()  # lxml-stubs' ParserTarget wants start/end/data: their absence is the point
    parser = etree.XMLParser(target=target, **_safe_kwargs())
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    return True


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
