"""The parser registry: the one list of report kinds, how to recognise them, lazy loading of their modules.

Everything else that depends on the kind reads it from here: the CLI's ``--kind`` choices, ``init``'s roles
(``ParserSpec.role``), the hook's refresh hints (the module's ``REFRESH``). A new kind is its module (the
:class:`ParserModule` protocol) and one ``ParserSpec`` line in ``_SPECS`` (README, "Adding a format");
``tests/test_architecture.py`` checks that no module outside ``parsers/`` names a kind.

This module is imported at start-up (the CLI's choices): it imports nothing heavy (the model only for types).
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from qualitygate.errors import ReportFormatError, ReportNotFoundError, UnknownKindError

if TYPE_CHECKING:
    from qualitygate.model import Report
    from qualitygate.parsers.naming import Namer

SNIFF_BYTES = 64 * 1024
# a ``REFRESH`` hint shared by the Istanbul formats: jest, nyc, c8 and vitest write the same report, so no
# one command is right
RERUN_ISTANBUL = (
    "re-run the JavaScript tests with coverage that wrote {path} (Istanbul: jest, vitest, nyc or c8)"
)


class ParserModule(Protocol):
    """What a parser module ``qualitygate.parsers.<module>`` defines (as pre-commit's ``lang_base``).

    * ``KIND``: its kind, as in its ``ParserSpec``.
    * ``REFRESH``: how to rewrite a stale report, by producer (see ``producer``); ``{path}`` is the
      report's path, ``{dir}`` its folder, ``{tool}`` the recorded tool. The key ``""`` is the hint when the
      producer is unknown (or the only one); no hint at all: "re-run the tool that wrote {path}".
    * ``sniff(head)``: does this text (the first bytes of the file, decoded leniently) look like the format?
      Cheap, and imports nothing heavy.
    * ``parse(path, display=None)``: read the file (streaming); raise ``InputError`` subclasses naming the
      file (and line/column where known) for anything unreadable. The report's ``path`` is ``display``
      when given (the repository-relative name ``check`` knows it by), else ``path``.
    * optionally ``producer(tool, head) -> str | None``: which key of ``REFRESH`` wrote this report, from
      the tool its parser recorded or the file's first bytes.
    """

    KIND: str
    REFRESH: Mapping[str, str]

    def sniff(self, head: str) -> bool: ...

    def parse(self, path: str, display: str | None = None) -> Report: ...


@dataclass(frozen=True, slots=True)
class ParserSpec:
    """One kind. ``family``: the model it parses to; ``role``: the policy's report role ``init`` lists it
    under (None: init proposes no gate for it)."""

    kind: str
    module: str
    description: str
    family: str
    role: str | None = None

    def load(self) -> ParserModule:
        return cast(ParserModule, importlib.import_module(f"qualitygate.parsers.{self.module}"))

    def sniff(self, head: str) -> bool:
        return bool(self.load().sniff(head))

    def parse(self, path: str, display: str | None = None) -> Report:
        return self.load().parse(path, display)


# Order matters for sniffing: the more specific formats first.
_SPECS = (
    ParserSpec(
        "cobertura",
        "cobertura",
        "Cobertura XML (coverage.py, Istanbul, gcovr, coverlet, Cobertura)",
        "coverage",
        role="coverage",
    ),
    ParserSpec(
        "junit",
        "junit",
        "JUnit XML (pytest, jest-junit, Playwright, Surefire, go-junit-report, ...)",
        "tests",
        role="tests",
    ),
    ParserSpec(
        "lcov",
        "lcov",
        "lcov tracefile (geninfo, Istanbul/c8/nyc, coverage.py, gcovr)",
        "coverage",
        role="coverage",
    ),
    ParserSpec(
        "sarif",
        "sarif",
        "SARIF 2.1.0 (Trivy, ruff, bandit, semgrep, ESLint, CodeQL, ...)",
        "findings",
        role="findings",
    ),
    ParserSpec(
        "locust", "locust", "Locust request statistics CSV (locust --csv PREFIX: PREFIX_stats.csv)", "locust"
    ),
    ParserSpec(
        "playwright-json", "playwright", "Playwright JSON reporter (tests per project, retries)", "tests"
    ),
    ParserSpec(
        "istanbul-json",
        "istanbul",
        "Istanbul JSON coverage (Jest/nyc/c8: coverage-summary.json, coverage-final.json)",
        "coverage",
    ),
    ParserSpec("gitleaks", "gitleaks", "gitleaks JSON report (--report-format json)", "findings"),
    ParserSpec("zap", "zap", "OWASP ZAP traditional JSON report (report_json.json)", "findings"),
    ParserSpec("snyk", "snyk", "Snyk Open Source JSON (snyk test --json, --all-projects)", "findings"),
    ParserSpec(
        "k6", "k6", "k6 end-of-test summary JSON (handleSummary() or --summary-export)", "k6", role="k6"
    ),
    ParserSpec(
        "jscpd", "jscpd", "jscpd JSON report (copy/paste detection)", "duplication", role="duplication"
    ),
    ParserSpec(
        "complexipy", "complexipy", "complexipy JSON (cognitive complexity)", "complexity", role="cognitive"
    ),
    ParserSpec(
        "radon",
        "radon",
        "radon cc JSON (-j) or text (-s) output (cyclomatic complexity)",
        "complexity",
        role="complexity",
    ),
)

KINDS: dict[str, ParserSpec] = {s.kind: s for s in _SPECS}


def _check_file(path: str) -> int:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ReportNotFoundError(path, "no such file") from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReportNotFoundError(path, "is a directory, not a report file")
    if not stat.S_ISREG(st.st_mode):
        raise ReportNotFoundError(path, "is not a regular file")
    return st.st_size


def read_head(path: str, size: int = SNIFF_BYTES) -> str:
    """The file's first ``size`` bytes as text: the bytes already sniffed when it is the report being parsed
    now (``reading.head``), else read."""
    from qualitygate.parsers import reading

    sniffed = reading.head(path)
    if sniffed is not None and size <= SNIFF_BYTES:
        return _decoded(sniffed[:size])
    try:
        with open(path, "rb") as fh:
            raw = fh.read(size)
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    return _decoded(raw)


def _decoded(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", errors="replace")


def sniff_kind(path: str) -> str:
    """Tell a report's kind from its content; raise UnknownKindError when nothing matches."""
    _check_nonempty(path)
    return _sniff(path, read_head(path))


def _check_nonempty(path: str) -> None:
    if _check_file(path) == 0:
        raise ReportFormatError(
            path, "empty file: no report was written", hint="check the step that writes it"
        )


def _sniff(path: str, head: str) -> str:
    if "\x00" in head[:4096]:
        raise UnknownKindError(path, "binary content: not a report this tool reads")
    for spec in _SPECS:
        if spec.sniff(head):
            return spec.kind
    tried = ", ".join(KINDS)
    raise UnknownKindError(
        path, f"cannot tell what kind of report this is (tried: {tried})", hint="pass --kind KIND"
    )


def parse_report(
    path: str,
    kind: str | None = None,
    *,
    display: str | None = None,
    namer: Namer | None = None,
    digest: bool = True,
) -> Report:
    """Parse one report file. ``kind=None`` sniffs the content. The file is opened once for both
    (``reading``): a parser that reads it from the start continues after the sniffed bytes. ``display``:
    the report's ``path`` (errors name ``path``, the file read). ``namer``: names every path inside as the
    items are built (``naming``); None keeps them as the report wrote them. ``digest=False``: no SHA-256 is
    computed on the way (``reading.take_digest`` then has none; a caller that records none need not pay
    for it)."""
    from qualitygate.parsers import reading
    from qualitygate.parsers.naming import naming

    if kind is None:
        _check_nonempty(path)
    elif kind not in KINDS:
        raise UnknownKindError(path, f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    elif _check_file(path) == 0:
        raise ReportFormatError(path, f"empty file: no {kind} report was written")
    with reading.opened(path, SNIFF_BYTES, digest=digest) as head, naming(namer):
        return KINDS[kind or _sniff(path, _decoded(head))].parse(path, display)
