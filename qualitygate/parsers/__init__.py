"""Report parsers: one module per format, a lazy registry, content sniffing.

Public entry points: :func:`parse_report` (path -> report), :func:`sniff_kind`, :data:`KINDS`.
Parser modules import only the standard library and :mod:`qualitygate.model` at import time; heavy
dependencies (lxml) are imported inside ``parse`` so sniffing and ``--help`` stay cheap.
"""

from qualitygate.parsers.registry import KINDS, ParserSpec, parse_report, sniff_kind

__all__ = ["KINDS", "ParserSpec", "parse_report", "sniff_kind"]
