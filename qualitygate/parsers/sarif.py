"""SARIF 2.1.0 (Trivy, ruff, bandit, semgrep, ESLint, CodeQL, ...): one :class:`Finding` per result.

Where each field comes from (OASIS SARIF 2.1.0; Trivy ``pkg/report/sarif.go``; ../shared/FORMATS.md §5):

* ``level``: ``result.level``; else ``none`` when ``result.kind`` is not ``fail`` (§3.27.9: ``pass``,
  ``open``, ``review``, ``notApplicable``, ``informational`` carry no level); else the rule's
  ``defaultConfiguration.level``; else ``warning`` (§3.27.10).
* The rule: ``result.ruleIndex`` (or ``result.rule.index``, in ``result.rule.toolComponent`` when that
  names an extension), checked against ``ruleId``; else looked up by ``ruleId`` among
  ``tool.driver.rules`` and every ``tool.extensions[].rules``.
* ``severity``: the CVSS band of ``properties["security-severity"]`` of the rule (else of the result),
  as GitHub code scanning reads it; else the scanner's own word. Trivy writes one rule per CVE and puts
  its own severity as the last of the rule's ``tags`` (``["vulnerability", "security", "HIGH"]``; older
  Trivy ``["vulnerability", "HIGH"]``) and again as a ``Severity: HIGH`` line of the message. Trivy's
  ``security-severity`` is the CVSS score when it has one, so a Trivy-HIGH CVE scored 9.8 bands as
  critical: both are kept (``cvss``, ``scanner_severity``).
* ``fixed``: Trivy's message has a ``Fixed Version: X`` line, empty when no fix exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from qualitygate.errors import ReportFormatError
from qualitygate.model import Finding, FindingsReport, Level, Severity, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import loads, no_gc, read_text, type_name
from qualitygate.units import effort_in_report as parse_effort

WHAT = "SARIF log"

_LEVELS = {lv.value: lv for lv in Level}
_SEVERITY_WORDS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    # Trivy's UNKNOWN (and its security-severity 0.0): a finding with no known severity.
    "UNKNOWN": Severity.NONE,
}
_RUFF_SECURITY = re.compile(r"S\d{3}\Z")
_SEVERITY_LINE = re.compile(r"^Severity: *([A-Za-z]+) *$", re.MULTILINE)
# SonarQube's debt unit: a day is 8 hours of work.

_SNIFF_SCHEMA = re.compile(r'"\$schema"\s*:\s*"[^"]*sarif', re.IGNORECASE)
_SNIFF_VERSION = re.compile(r'"version"\s*:\s*"2\.1\.0"')


KIND = "sarif"
REFRESH = {"tool": "re-run {tool}, which wrote {path}"}


def producer(tool: str | None, head: str) -> str | None:
    return "tool" if tool else None


def sniff(head: str) -> bool:
    """``"runs"`` plus a SARIF ``$schema`` or ``"version": "2.1.0"`` in the first 64 KiB."""
    if '"runs"' not in head:
        return False
    return bool(_SNIFF_SCHEMA.search(head) or _SNIFF_VERSION.search(head))


def cvss_band(score: float) -> Severity:
    """GitHub's bands for ``security-severity``: >= 9.0 critical, >= 7.0 high, >= 4.0 medium, > 0 low."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.NONE


def _uri_to_path(uri: str) -> str:
    """``file:///home/x/a.py`` -> ``/home/x/a.py``, ``file:///C:/a.py`` -> ``C:/a.py``; relative stays so."""
    if uri.startswith("file://"):
        uri = uri[7:]
        if len(uri) > 3 and uri[0] == "/" and uri[2] == ":" and uri[1].isalpha():
            uri = uri[1:]  # a drive letter after the empty authority
    if "%" in uri:
        uri = unquote(uri)
    return to_posix(uri)


# What a result inherits from its rule: (cvss, scanner_severity, security, effort_min).
_Inherited = tuple[float | None, Severity | None, bool, float | None]
# The same completed with the severity band, in the order the hot loop unpacks them.
_SeverityFields = tuple[float | None, Severity | None, bool, float | None, Severity]

_NOTHING_INHERITED: _Inherited = (None, None, False, None)


def _band(cvss: float | None, scanner: Severity | None) -> Severity:
    """The ``severity`` of a finding: the CVSS band where there is a score, else the scanner's own word."""
    if cvss is not None:
        return cvss_band(cvss)
    return scanner or Severity.NONE


class _Rule:
    """What a result inherits from its rule, computed once per rule (Trivy shares a rule across results)."""

    __slots__ = (
        "band",
        "cvss",
        "default_level",
        "effort",
        "fields",
        "id",
        "inherited",
        "scanner",
        "security",
    )

    def __init__(self, rule: dict[str, Any], where: str, warnings: list[str]) -> None:
        rid = rule.get("id")
        self.id: str = rid if isinstance(rid, str) else ""
        self.default_level: Level | None = None
        cfg = rule.get("defaultConfiguration")
        if isinstance(cfg, dict):
            lv = cfg.get("level")
            if lv is not None:
                self.default_level = _level(lv, f"{where}.defaultConfiguration.level")
        props = rule.get("properties")
        self.cvss: float | None = None
        self.scanner: Severity | None = None
        self.security = False
        self.effort: float | None = None
        if isinstance(props, dict):
            self.cvss = _cvss(props.get("security-severity"), f"{where}.properties", warnings)
            tags = props.get("tags")
            if isinstance(tags, list):
                self.security = "security" in tags
                self.scanner = _severity_from_tags(tags)
            self.effort = parse_effort(props.get("effort"))
        if self.cvss is not None:
            self.security = True
        # The band of a result that adds nothing of its own (no properties) when the rule names a severity.
        self.band = _band(self.cvss, self.scanner)
        self.inherited: _Inherited = (self.cvss, self.scanner, self.security, self.effort)
        self.fields: _SeverityFields = (*self.inherited, self.band)


def _level(value: object, where: str) -> Level:
    lv = _LEVELS.get(value) if isinstance(value, str) else None
    if lv is None:
        raise _Fail(f"{where}: expected one of {', '.join(_LEVELS)}, got {value!r}")
    return lv


def _severity_from_tags(tags: list[Any]) -> Severity | None:
    # Trivy's word is the 3rd tag today and the 2nd in older releases: take the first tag that is one.
    for tag in tags:
        if isinstance(tag, str):
            sev = _SEVERITY_WORDS.get(tag.upper())
            if sev is not None:
                return sev
    return None


def _cvss(value: object, where: str, warnings: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        warnings.append(f"{where}: security-severity {value!r} is not a number; ignored")
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)  # Trivy writes it as a string: "%.1f"
        except ValueError:
            pass
    warnings.append(f"{where}: security-severity {value!r} is not a number; ignored")
    return None


class _Fail(Exception):
    """A shape error deep in the document; turned into ReportFormatError with the file name by parse()."""


def _expect_obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Fail(f"{where}: expected an object, got {type_name(value)}")
    return value


def _expect_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Fail(f"{where}: expected an array, got {type_name(value)}")
    return value


def parse(path: str, display: str | None = None) -> FindingsReport:
    """The log's findings. Its ``results`` arrays are read one result at a time (parsers/_sarif_stream.py:
    the text and the findings are all that is held, never the whole JSON tree); a log that reader declines
    (anything unusual, any error) is read whole here, which gives every error message."""
    from qualitygate.parsers._sarif_stream import stream

    with no_gc():
        text = read_text(path, WHAT)
        report = stream(path, text, display)
        if report is not None:
            return report
        doc = loads(path, text, WHAT)
        del text
        if not isinstance(doc, dict):
            raise ReportFormatError(path, f"top level is {type_name(doc)}, expected an object: not a {WHAT}")
        return _build(path, doc, display)


def _build(path: str, doc: dict[str, Any], display: str | None = None) -> FindingsReport:
    runs = doc.get("runs")
    if not isinstance(runs, list):
        got = "no" if runs is None else f"{type_name(runs)} as"
        raise ReportFormatError(path, f"not a SARIF log: {got} 'runs' (expected an array of runs)")
    report = FindingsReport(path=display or path, kind="sarif")
    report.warnings.extend(version_warnings(doc.get("version")))
    try:
        finish(report, _parse_runs(runs, report, _parse_run_object))
    except _Fail as exc:
        raise ReportFormatError(path, str(exc)) from None
    return report


def version_warnings(version: object) -> list[str]:
    return [] if version is None or version == "2.1.0" else [f"SARIF version {version!r}: read as 2.1.0"]


def finish(report: FindingsReport, tools: list[str]) -> None:
    report.tools = tools
    report.tool = ", ".join(tools) or None


def _parse_run_object(run: object, i: int, report: FindingsReport) -> str:
    return _parse_run(_expect_obj(run, f"runs[{i}]"), f"runs[{i}]", report)


def _parse_runs(
    runs: Iterable[Any], report: FindingsReport, parse_run: Callable[[Any, int, FindingsReport], str]
) -> list[str]:
    """Add every run's findings to the report (``parse_run`` reads one run); the runs' tool names, each
    once, in order."""
    tools: list[str] = []
    for i, run in enumerate(runs):
        first = len(report.findings)
        name = parse_run(run, i, report)
        if name.lower() == "ruff":
            _mark_ruff_security(report.findings[first:])
        if name and name not in tools:
            tools.append(name)
    return tools


def _rules_of(component: object, where: str, warnings: list[str]) -> list[_Rule]:
    if not isinstance(component, dict):
        return []
    rules = component.get("rules")
    if rules is None:
        return []
    out = []
    for j, rule in enumerate(_expect_list(rules, f"{where}.rules")):
        rw = f"{where}.rules[{j}]"
        out.append(_Rule(_expect_obj(rule, rw), rw, warnings))
    return out


class _RuleTable:
    """A run's rules: the driver's and each extension's arrays (for indexes) and all of them by id."""

    def __init__(self, tool: dict[str, Any], where: str, warnings: list[str]) -> None:
        driver = _expect_obj(tool.get("driver"), f"{where}.tool.driver")
        self.driver = _rules_of(driver, f"{where}.tool.driver", warnings)
        self.extensions: list[list[_Rule]] = []
        extensions = tool.get("extensions")
        if extensions is not None:
            for k, ext in enumerate(_expect_list(extensions, f"{where}.tool.extensions")):
                self.extensions.append(_rules_of(ext, f"{where}.tool.extensions[{k}]", warnings))
        self.by_id: dict[str, _Rule] = {}
        for group in (self.driver, *self.extensions):
            for r in group:
                self.by_id.setdefault(r.id, r)
        self.unresolved = 0

    def of(self, res: dict[str, Any], where: str, i: int) -> tuple[_Rule | None, str]:
        """The rule and rule id of ``results[i]``. The common case -- a driver ``ruleIndex`` whose rule has
        the result's ``ruleId`` -- is answered here; everything else goes through :meth:`resolve`."""
        idx = res.get("ruleIndex")
        if type(idx) is int and 0 <= idx < len(self.driver) and "rule" not in res:
            rule = self.driver[idx]
            if rule.id == res.get("ruleId"):
                return rule, rule.id
        return self.resolve(res, f"{where}.results[{i}]")

    def _reference(
        self, ref: object, idx: object, rule_id: object, where: str
    ) -> tuple[object, object, list[_Rule]]:
        if type(ref) is not dict:
            raise _Fail(f"{where}.rule: expected an object, got {type_name(ref)}")
        if idx is None:
            idx = ref.get("index")
        if rule_id is None:
            rule_id = ref.get("id")
        tc = ref.get("toolComponent")
        tci = tc.get("index") if type(tc) is dict else None
        if type(tci) is int and 0 <= tci < len(self.extensions):
            return idx, rule_id, self.extensions[tci]
        return idx, rule_id, self.driver

    def resolve(self, res: dict[str, Any], where: str) -> tuple[_Rule | None, str]:
        """The result's rule (None when the log has none) and its rule id."""
        rule_id = res.get("ruleId")
        idx = res.get("ruleIndex")
        group = self.driver
        ref = res.get("rule")  # reportingDescriptorReference, §3.52
        if ref is not None:
            idx, rule_id, group = self._reference(ref, idx, rule_id, where)
        if rule_id is not None and type(rule_id) is not str:
            raise _Fail(f"{where}.ruleId: expected a string, got {type_name(rule_id)}")
        rule = self._by_index(group, idx, rule_id)
        if rule is None and rule_id is not None:
            rule = self.by_id.get(rule_id)
        if rule_id is None:
            rule_id = rule.id if rule is not None else ""
        return rule, rule_id

    def _by_index(self, group: list[_Rule], idx: object, rule_id: str | None) -> _Rule | None:
        """``group[idx]``, unless the result's ``ruleId`` names another rule (then that one, when it exists);
        None without a usable index. An index past the end is counted in ``unresolved``."""
        if type(idx) is not int or idx < 0:
            return None
        if idx >= len(group):
            self.unresolved += 1
            return None
        rule = group[idx]
        if rule_id is not None and rule.id != rule_id:
            return self.by_id.get(rule_id, rule)
        return rule


def _message_text(msg: object) -> str:
    if type(msg) is not dict:
        return ""
    text = msg.get("text")
    if type(text) is str:
        return text
    for key in ("markdown", "id"):  # id: a rule messageStrings key, better than nothing
        t = msg.get(key)
        if type(t) is str:
            return t
    return ""


def _fixed(text: str) -> bool | None:
    """Trivy: ``Fixed Version: 1.1.1d-r0``, or ``Fixed Version: `` when no fix exists; None elsewhere."""
    fv = text.find("Fixed Version:")
    if fv < 0:
        return None
    end = text.find("\n", fv)
    return bool(text[fv + 14 : end if end >= 0 else len(text)].strip())


def _tool_name(tool: dict[str, Any]) -> str:
    driver = tool.get("driver")
    name = driver.get("name") if type(driver) is dict else None
    return name if isinstance(name, str) else ""


def _parse_run(
    run: dict[str, Any], where: str, report: FindingsReport, results: Iterable[Any] | None = None
) -> str:
    """One run's findings; its results from ``run`` or, streamed, from ``results``."""
    tool = _expect_obj(run.get("tool"), f"{where}.tool")
    tool_name = _tool_name(tool)
    warnings = report.warnings
    rules = _RuleTable(tool, where, warnings)
    if results is None:
        results = run.get("results")
        if results is None:  # a run that did not execute its analysis has no results array (§3.14.23)
            return tool_name
        results = _expect_list(results, f"{where}.results")
    artifacts = run.get("artifacts")
    if not isinstance(artifacts, list):
        artifacts = []
    reader = _ResultReader(where, tool_name, rules, artifacts, warnings)
    # The hot path (Trivy: 50,000 results per file): one call per result.
    append = report.findings.append
    finding = reader.finding
    for i, res in enumerate(results):
        append(finding(res, i))
    if rules.unresolved:
        warnings.append(f"{where}: {rules.unresolved} result(s) have a ruleIndex outside the rules array")
    return tool_name


_SHARED_MAX = 1 << 16  # distinct messages (and paths) kept for sharing, per run


class _ResultReader:
    """Turns the results of one run into :class:`Finding` objects.

    Each step has a fast path for the common case -- a ``ruleIndex`` that matches its ``ruleId``, a
    ``level``, a text message, no result properties -- and leaves the rest to helpers. The ``where``
    strings for messages (``runs[0].results[17]``) are built only when a message needs one.
    """

    __slots__ = ("artifacts", "name_path", "paths", "rules", "texts", "tool", "warnings", "where")

    def __init__(
        self, where: str, tool: str, rules: _RuleTable, artifacts: list[Any], warnings: list[str]
    ) -> None:
        self.where = where
        self.tool = tool
        self.rules = rules
        self.artifacts = artifacts
        self.warnings = warnings
        # One string for each repeated message and path (a linter repeats both across results): a million
        # findings then share a few thousand strings. Bounded, so unique texts cost no more than a table.
        self.texts: dict[str, str] = {}
        self.paths: dict[str, str] = {}
        self.name_path = naming.paths()

    def _shared(self, text: str) -> str:
        texts = self.texts
        seen = texts.get(text)
        if seen is not None:
            return seen
        if len(texts) < _SHARED_MAX:
            texts[text] = text
        return text

    def finding(self, res: Any, i: int) -> Finding:
        """``results[i]`` as a Finding."""
        where = self.where
        if type(res) is not dict:
            raise _Fail(f"{where}.results[{i}]: expected an object, got {type_name(res)}")
        get = res.get
        rule, rule_id = self.rules.of(res, where, i)
        level = _result_level(res, rule, where, i)
        text = self._shared(_message_text(get("message")))
        cvss, scanner, security, effort, severity = self._severity(rule, get("properties"), text, i)
        if level is Level.NONE and get("kind", "fail") != "fail":
            # a "pass"/"notApplicable"/... result reports no problem (§3.27.9): no severity of either kind
            severity, scanner = Severity.NONE, None
        file, line, column = _location(get("locations"), self, where, i)
        sups = get("suppressions")
        return Finding(
            rule_id=rule_id,
            level=level,
            severity=severity,
            message=text,
            tool=self.tool,
            scanner_severity=scanner,
            cvss=cvss,
            security=security,
            path=file and self.name_path(file),
            line=line,
            column=column,
            fingerprint=_fingerprint(res) if "partialFingerprints" in res or "fingerprints" in res else None,
            suppressed=bool(sups) and _suppressed(sups, f"{where}.results[{i}]"),
            fixed=_fixed(text) if "Fixed Version:" in text else None,
            effort_min=effort,
        )

    def _severity(self, rule: _Rule | None, props: object, text: str, i: int) -> _SeverityFields:
        """``(cvss, scanner_severity, security, effort_min, severity)`` of ``results[i]``: the rule's as they
        are when the result has no properties and the rule names a severity (Trivy), else completed."""
        if rule is not None and not props and rule.scanner is not None:
            return rule.fields
        return _completed_severity(rule, props, text, f"{self.where}.results[{i}]", self.warnings)


def _mark_ruff_security(findings: list[Finding]) -> None:
    """ruff tags none of its rules; its S rules are flake8-bandit's security checks."""
    for f in findings:
        if not f.security and _RUFF_SECURITY.match(f.rule_id):
            f.security = True


def _completed_severity(
    rule: _Rule | None, props: object, text: str, where: str, warnings: list[str]
) -> _SeverityFields:
    """The rule's severity fields completed from the result's ``properties`` and, where there is still no
    scanner severity, from a ``Severity:`` line of the message (Trivy repeats its own word there)."""
    inherited = rule.inherited if rule is not None else _NOTHING_INHERITED
    if type(props) is dict and props:
        inherited = _with_result_properties(props, inherited, where, warnings)
    cvss, scanner, security, effort = inherited
    if scanner is None and "Severity:" in text:
        scanner = _severity_in_message(text)
    return cvss, scanner, security, effort, _band(cvss, scanner)


def _with_result_properties(
    props: dict[str, Any], inherited: _Inherited, where: str, warnings: list[str]
) -> _Inherited:
    """What the rule gave, completed from the result's own ``properties``: a ``security-severity`` when the
    rule has none, an ``effort`` (which wins), bandit's ``issue_severity`` when the rule names none."""
    cvss, scanner, security, effort = inherited
    if cvss is None and "security-severity" in props:
        cvss = _cvss(props["security-severity"], f"{where}.properties", warnings)
        security = security or cvss is not None
    if "effort" in props:
        effort = parse_effort(props["effort"]) or effort
    if scanner is None and type(props.get("issue_severity")) is str:
        # bandit's own per-result severity (bandit/formatters/sarif.py: properties.issue_severity);
        # its rules carry neither a security-severity nor a severity tag
        scanner = _SEVERITY_WORDS.get(props["issue_severity"].upper())
    return cvss, scanner, security, effort


def _severity_in_message(text: str) -> Severity | None:
    """Trivy's own severity word from the ``Severity: HIGH`` line of its message."""
    m = _SEVERITY_LINE.search(text)
    return _SEVERITY_WORDS.get(m.group(1).upper()) if m else None


def _result_level(res: dict[str, Any], rule: _Rule | None, where: str, i: int) -> Level:
    """``level``; else ``none`` for a result whose ``kind`` is not ``fail``; else the rule's default level;
    else ``warning``."""
    lv = res.get("level")
    if type(lv) is str and lv in _LEVELS:
        return _LEVELS[lv]
    if lv is not None:
        raise _Fail(f"{where}.results[{i}].level: expected one of {', '.join(_LEVELS)}, got {lv!r}")
    kind = res.get("kind")
    if kind is not None and kind != "fail":
        return Level.NONE
    if rule is not None and rule.default_level is not None:
        return rule.default_level
    return Level.WARNING


def _location(
    locs: object, reader: _ResultReader, where: str, i: int
) -> tuple[str | None, int | None, int | None]:
    """Path, start line and column of the first ``physicalLocation`` (§3.28.3); URIs relative to a
    ``uriBaseId`` (Trivy's ROOTPATH, semgrep's %SRCROOT%) stay relative."""
    if not locs:
        return None, None, None
    if type(locs) is not list:
        raise _Fail(f"{where}.results[{i}].locations: expected an array, got {type_name(locs)}")
    for loc in locs:
        phys = loc.get("physicalLocation") if type(loc) is dict else None
        if type(phys) is dict:
            return _physical_location(phys, reader)
    return None, None, None


def _physical_location(
    phys: dict[str, Any], reader: _ResultReader
) -> tuple[str | None, int | None, int | None]:
    """Path, ``region.startLine`` and ``region.startColumn`` of one ``physicalLocation``."""
    file = _artifact_path(phys.get("artifactLocation"), reader)
    region = phys.get("region")
    if type(region) is not dict:
        return file, None, None
    sl = region.get("startLine")
    sc = region.get("startColumn")
    return file, sl if type(sl) is int else None, sc if type(sc) is int else None


def _artifact_path(art: object, reader: _ResultReader) -> str | None:
    """The path of an ``artifactLocation``: its ``uri``, else that of ``run.artifacts[index]`` (§3.4.5)."""
    if type(art) is not dict:
        return None
    uri = art.get("uri")
    if uri is None:
        uri = _artifact_uri(art.get("index"), reader.artifacts)
    if type(uri) is not str:
        return None
    paths = reader.paths
    path = paths.get(uri)
    if path is None:
        path = _uri_to_path(uri)
        if len(paths) < _SHARED_MAX:
            paths[uri] = path
    return path


def _artifact_uri(index: object, artifacts: list[Any]) -> object:
    """``run.artifacts[index].location.uri`` (any JSON value), None when there is none."""
    if type(index) is not int or not 0 <= index < len(artifacts):
        return None
    a = artifacts[index]
    al = a.get("location") if type(a) is dict else None
    return al.get("uri") if type(al) is dict else None


def _fingerprint(res: dict[str, Any]) -> str | None:
    for key in ("partialFingerprints", "fingerprints"):
        fp = res.get(key)
        if type(fp) is dict and fp:
            v = next(iter(fp.values()))
            if type(v) is str:
                return v
    return None


def _suppressed(sups: object, where: str) -> bool:
    if type(sups) is not list:
        raise _Fail(f"{where}.suppressions: expected an array, got {type_name(sups)}")
    # §3.35.3, as the SARIF SDK reads it: suppressed when at least one suppression is "accepted" (no status
    # means accepted) and none is "underReview" or "rejected"; any other status neither adds nor vetoes.
    accepted = False
    for s in sups:
        status = s.get("status") if type(s) is dict else _NOT_A_STATUS
        if status is None or status == "accepted":
            accepted = True
        elif status in ("underReview", "rejected"):  # a tuple: a malformed status may be unhashable
            return False
    return accepted


_NOT_A_STATUS = object()  # a suppressions entry that is not an object: ignored
