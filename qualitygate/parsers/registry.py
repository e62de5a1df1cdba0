"""The parser registry: which kinds exist, how to recognise them, and lazy loading of their modules.

Each parser module ``qualitygate.parsers.<module>`` defines:

* ``sniff(head: str) -> bool``: does this text (the first bytes of the file, decoded leniently) look like
  the format? Must be cheap and import nothing heavy.
* ``parse(path: str) -> Report``: read the file (streaming), raise ``InputError`` subclasses naming the
  file (and line/column where known) for anything unreadable.
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import cast

from qualitygate.errors import ReportFormatError, ReportNotFoundError, UnknownKindError
from qualitygate.model import Report

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ParserSpec:
    kind: str
    module: str
    description: str
    family: str

    def load(self) -> ModuleType:
        return importlib.import_module(f"qualitygate.parsers.{self.module}")

    def sniff(self, head: str) -> bool:
        return bool(cast(Callable[[str], bool], self.load().sniff)(head))

    def parse(self, path: str) -> Report:
        return cast(Callable[[str], Report], self.load().parse)(path)


# Order matters for sniffing: the more specific formats first.
_SPECS = (
    ParserSpec(
        "cobertura",
        "cobertura",
        "Cobertura XML (coverage.py, Istanbul, gcovr, coverlet, Cobertura)",
        "coverage",
    ),
    ParserSpec(
        "junit",
        "junit",
        "JUnit XML (pytest, jest-junit, Playwright, Surefire, go-junit-report, ...)",
        "tests",
    ),
    ParserSpec("lcov", "lcov", "lcov tracefile (geninfo, Istanbul/c8/nyc, coverage.py, gcovr)", "coverage"),
    ParserSpec(
        "sarif", "sarif", "SARIF 2.1.0 (Trivy, ruff, bandit, semgrep, ESLint, CodeQL, ...)", "findings"
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
    ParserSpec("k6", "k6", "k6 end-of-test summary JSON (handleSummary() or --summary-export)", "k6"),
    ParserSpec("jscpd", "jscpd", "jscpd JSON report (copy/paste detection)", "duplication"),
    ParserSpec("complexipy", "complexipy", "complexipy JSON (cognitive complexity)", "complexity"),
    ParserSpec(
        "radon", "radon", "radon cc JSON (-j) or text (-s) output (cyclomatic complexity)", "complexity"
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
    try:
        with open(path, "rb") as fh:
            raw = fh.read(size)
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", errors="replace")


def sniff_kind(path: str) -> str:
    """Tell a report's kind from its content; raise UnknownKindError when nothing matches."""
    if _check_file(path) == 0:
        raise ReportFormatError(
            path, "empty file: no report was written", hint="check the step that writes it"
        )
    head = read_head(path)
    if "\x00" in head[:4096]:
        raise UnknownKindError(path, "binary content: not a report this tool reads")
    for spec in _SPECS:
        if spec.sniff(head):
            return spec.kind
    tried = ", ".join(KINDS)
    raise UnknownKindError(
        path, f"cannot tell what kind of report this is (tried: {tried})", hint="pass --kind KIND"
    )


def parse_report(path: str, kind: str | None = None) -> Report:
    """Parse one report file. ``kind=None`` sniffs the content."""
    if kind is None:
        kind = sniff_kind(path)
    else:
        if kind not in KINDS:
            raise UnknownKindError(path, f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
        if _check_file(path) == 0:
            raise ReportFormatError(path, f"empty file: no {kind} report was written")
    return KINDS[kind].parse(path)
