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
        "huge_tree": True,  # deep/long but legitimate reports; amplification limits stay on
        "remove_comments": True,
        "remove_pis": True,
    }


def check_doctype(path: str, element: etree._Element) -> None:
    """Refuse a document whose internal DTD subset declares any entity."""
    docinfo = element.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():  # type: ignore[attr-defined]  # missing from lxml-stubs
        raise UnsafeInputError(
            path,
            f"refused: the DOCTYPE declares entity {entity.name!r}; reports never need entities "
            "and they are not expanded",
        )


def iterparse(
    path: str,
    events: tuple[str, ...] = ("end",),
    tag: str | tuple[str, ...] | None = None,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs from ``path`` safely; translate every lxml error to an InputError.

    The caller clears elements it has consumed. The first element is always reported with a ``start`` event
    internally so the DOCTYPE can be inspected before anything is read.
    """
    from lxml import etree

    want = set(events)
    try:
        ctx = etree.iterparse(path, events=("start", *[e for e in events if e != "start"]), **_safe_kwargs())
        checked = False
        for event, elem in ctx:
            if not checked:
                check_doctype(path, elem)
                checked = True
            if event not in want:
                continue
            if tag is not None and not _tag_matches(elem.tag, tag):
                continue
            yield event, elem
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        msg = str(exc.msg or exc).split(", line ")[0]
        if "amplification" in msg or ("entity" in msg.lower() and "external" in msg.lower()):
            raise UnsafeInputError(path, f"refused: {msg}", line=line, column=col) from None
        raise ReportFormatError(path, f"not well-formed XML: {msg}", line=line, column=col) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc}") from None


def iterparse_tags(
    path: str, tags: tuple[str, ...], events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, etree._Element]]:
    """Like :func:`iterparse`, but only elements named in ``tags`` ever reach Python.

    The filter runs inside libxml2 (lxml's ``iterparse(tag=...)``), so a format whose interesting elements
    are a small share of its events (JUnit: ``testcase`` among ``failure``, ``system-out``, ``property``...)
    does not pay a Python round trip per element, and no ``start`` event is forced on every element. The
    same safe parser options apply; the DOCTYPE is checked on the first matched event, or after the last
    byte when nothing matched. Unmatched elements stay in the tree: the caller clears the matched elements
    it consumed (and deletes their consumed previous siblings) to keep memory bounded.
    """
    from lxml import etree

    try:
        ctx = etree.iterparse(path, events=events, tag=tags, **_safe_kwargs())
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
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc}") from None


def _syntax_error(path: str, exc: Any) -> ReportFormatError | UnsafeInputError:
    """The InputError for an lxml ``XMLSyntaxError`` (same wording as :func:`iterparse`)."""
    line, col = exc.position if exc.position else (None, None)
    msg = str(exc.msg or exc).split(", line ")[0]
    if "amplification" in msg or ("entity" in msg.lower() and "external" in msg.lower()):
        return UnsafeInputError(path, f"refused: {msg}", line=line, column=col)
    return ReportFormatError(path, f"not well-formed XML: {msg}", line=line, column=col)


def iterparse_tagged(
    path: str,
    tag: tuple[str, ...],
    events: tuple[str, ...] = ("start", "end"),
    *,
    remove_blank_text: bool = False,
) -> Iterator[tuple[str, etree._Element]]:
    """Like ``iterparse``, but the tag filter runs inside lxml: Python sees only events for ``tag``.

    For big documents where a few element types carry the data (Cobertura's ``<class>``): an event per
    element costs a proxy object and a Python round trip, about a quarter of the bare loop. The same
    safe parser settings apply; the DOCTYPE is checked on the first event delivered (the prolog is
    parsed by then), before the caller can read any value. Elements outside ``tag`` are built into the
    tree and must be cleared by the caller through their ancestors. ``remove_blank_text`` drops
    whitespace-only text nodes (indentation) that would otherwise be allocated for nothing.
    """
    from lxml import etree

    try:
        ctx = etree.iterparse(
            path, events=events, tag=tag, remove_blank_text=remove_blank_text, **_safe_kwargs()
        )
        checked = False
        for event, elem in ctx:
            if not checked:
                check_doctype(path, elem)
                checked = True
            yield event, elem
        if not checked and ctx.root is not None:
            check_doctype(path, ctx.root)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        msg = str(exc.msg or exc).split(", line ")[0]
        if "amplification" in msg or ("entity" in msg.lower() and "external" in msg.lower()):
            raise UnsafeInputError(path, f"refused: {msg}", line=line, column=col) from None
        raise ReportFormatError(path, f"not well-formed XML: {msg}", line=line, column=col) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc}") from None


def _refuse_entity(path: str) -> Callable[..., None]:
    def handler(name: str, *_: Any) -> None:
        raise UnsafeInputError(
            path,
            f"refused: the DOCTYPE declares entity {name!r}; reports never need entities "
            "and they are not expanded",
        )

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


def parse_fragment(path: str, data: bytes, *, remove_blank_text: bool = False) -> etree._Element:
    """Parse one UTF-8 element (a piece of a document already checked, e.g. by :func:`expat_checker`)
    with the safe settings of :func:`iterparse`."""
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=remove_blank_text, **_safe_kwargs())
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None


def _tag_matches(actual: Any, wanted: str | tuple[str, ...]) -> bool:
    if not isinstance(actual, str):
        return False
    if isinstance(wanted, str):
        return actual == wanted
    return actual in wanted


def sniff_root(head: str) -> str | None:
    """The local name of the root element of an XML document's first bytes, or None if it is not XML."""
    text = head.lstrip()
    if not text.startswith("<"):
        return None
    i = 0
    n = len(text)
    while i < n:
        j = text.find("<", i)
        if j < 0 or j + 1 >= n:
            return None
        nxt = text[j + 1]
        if nxt == "?":
            i = text.find("?>", j)
        elif text.startswith("<!--", j):
            i = text.find("-->", j)
        elif nxt == "!":
            # DOCTYPE, possibly with an internal subset [...]
            k = text.find("[", j)
            end = text.find(">", j)
            if 0 <= k < end:
                end = text.find("]", k)
                end = text.find(">", end) if end >= 0 else -1
            i = end
        else:
            k = j + 1
            while k < n and text[k] not in " \t\r\n/>":
                k += 1
            name = text[j + 1 : k]
            return name.rsplit(":", 1)[-1]
        if i < 0:
            return None
        i += 1
    return None
