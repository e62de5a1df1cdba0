"""The policy language: the compact form verbatim, the full form, units, and precise error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitygate.commands.schema import dumps
from qualitygate.config import load_policy, preset_names, preset_path
from qualitygate.errors import PolicyError
from qualitygate.policy_schema import PolicyFile
from qualitygate.units import UnitError, convert, format_value, parse_effort_minutes, parse_quantity

COMPACT = """\
quality_gates:
  coverage: {backend: 80, frontend: 75}
  complexity: {max_cyclomatic: 10, max_cognitive: 15}
  duplications: {max_percentage: 3}
  security_hotspots: 0
  code_smells: {max_count: 10, max_debt: 1d}
"""


def write(tmp_path: Path, text: str, name: str = "quality-gates.yml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_compact_form_verbatim(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, COMPACT))
    got = [(g.id, g.metric, g.op, g.threshold, g.unit, g.component) for g in policy.gates]
    assert got == [
        ("coverage.backend", "coverage.lines.pct", ">=", 80.0, "%", "backend"),
        ("coverage.frontend", "coverage.lines.pct", ">=", 75.0, "%", "frontend"),
        ("complexity.cyclomatic", "complexity.cyclomatic.max", "<=", 10.0, None, None),
        ("complexity.cognitive", "complexity.cognitive.max", "<=", 15.0, None, None),
        ("duplications", "duplication.lines.pct", "<=", 3.0, "%", None),
        ("security_hotspots", "security.blocking", "<=", 0.0, None, None),
        ("code_smells.count", "smells.count", "<=", 10.0, None, None),
        ("code_smells.debt", "smells.debt", "<=", 480.0, "min", None),  # 1d = 8h, as SonarQube counts
    ]
    backend = policy.components["backend"]
    assert backend.coverage.globs == (
        "backend/coverage.xml",
        "backend/coverage/lcov.info",
        "backend/coverage/cobertura-coverage.xml",
    )
    assert backend.coverage.first_match
    assert backend.tests.globs == ("backend/**/junit*.xml",)
    assert policy.reports["findings"].globs == ("trivy-results.sarif", "*.sarif")
    assert all(g.missing == "fail" for g in policy.gates)


def test_full_form_gates_units_and_k6_expressions(tmp_path: Path) -> None:
    text = """\
defaults: {missing: warn}
components:
  api: {paths: [services/api/], coverage: services/api/cov.xml}
k6:
  http_req_duration: ["p(95)<200", "p(99.9) < 1500"]
  http_req_failed: rate<0.1
gates:
  - {metric: coverage.branches.pct, component: api, min: 70%, level: warn}
  - {metric: k6.http_req_duration.p(90), lt: 0.15s, missing: fail}
  - {metric: k6.http_req_failed.rate, lt: 5%}
  - {metric: tests.duration_s, max: 2min}
  - {id: debt, metric: smells.debt, max: 4h, paths: [src/**]}
"""
    policy = load_policy(write(tmp_path, text))
    by_id = {g.id: g for g in policy.gates}
    assert by_id["coverage.branches.pct:api"].level == "warn"
    assert by_id["coverage.branches.pct:api"].missing == "warn"
    assert policy.components["api"].coverage.globs == ("services/api/cov.xml",)
    assert by_id["k6.http_req_duration.p(90)"].threshold == 150.0  # 0.15 s in ms
    assert by_id["k6.http_req_duration.p(90)"].missing == "fail"
    assert by_id["k6.http_req_failed.rate"].threshold == pytest.approx(0.05)  # 5 % of a ratio
    assert by_id["tests.duration_s"].threshold == 120.0
    assert by_id["debt"].threshold == 240.0 and by_id["debt"].paths == ("src/**",)
    k6 = by_id["k6.http_req_duration:p(99.9)<1500"]
    assert (k6.metric, k6.op, k6.threshold) == ("k6.http_req_duration.p(99.9)", "<", 1500.0)
    assert by_id["k6.http_req_failed:rate<0.1"].threshold == 0.1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "quality_gates:\n  coverage: {backend: 80}\n  complexity: {max_cyclomatc: 10}\n",
            "quality-gates.yml:3:16: quality_gates.complexity.max_cyclomatc: unknown key "
            "(did you mean 'max_cyclomatic'?)",
        ),
        (
            "quality_gates:\n  code_smells: {max_count: 10, max_debt: 1week}\n",
            "quality-gates.yml:2:42: quality_gates.code_smells.max_debt: expected a number or a quantity "
            "like 80%, 200ms, 0.5s, 30min, 4h, 1d; got '1week'",
        ),
        (
            "quality_gates:\n  coverage: {backend: 180}\n",
            "quality-gates.yml:2:23: quality_gates.coverage.backend: Input should be less than or equal to 100 "
            "(got 180)",
        ),
        (
            "quality_gate:\n  coverage: {backend: 80}\n",
            "quality-gates.yml:1:1: quality_gate: unknown key (did you mean 'quality_gates'?)",
        ),
        (
            "gates:\n  - metric: coverage.lines.pct\n    min: 2s\n",
            "quality-gates.yml:2:5: gates.0: coverage.lines.pct takes a percentage; 2s has the wrong unit",
        ),
        (
            "gates:\n  - {metric: coverage.lines.pct, min: 80, max: 90}\n",
            "quality-gates.yml:2:5: gates.0: give exactly one of min, max, lt, gt, max_drop, max_rise (got min, max)",
        ),
        (
            "gates:\n  - {metric: cov.lines, min: 80}\n",
            "quality-gates.yml:2:5: gates.0: unknown metric 'cov.lines': metric names start with coverage., "
            "tests., complexity., duplication., findings., security., smells., k6. or new.",
        ),
        (
            "k6:\n  http_req_duration: ['p95 < 200']\n",
            "quality-gates.yml:2:3: k6: k6 threshold 'p95 < 200' for http_req_duration: expected "
            "'aggregation operator value', e.g. 'p(95)<200', 'rate<0.01'",
        ),
        (
            "quality_gates:\n  coverage: {backend: 80\n",
            "quality-gates.yml:3:1: invalid YAML: did not find expected ',' or '}'",
        ),
        (
            'gates:\n  - {metric: coverage.lines.pct, min: 80, paths: ["src/[]"]}\n',
            "quality-gates.yml:2:50: gates.0.paths: 'src/[]' is not a valid glob (bad escape \\Z at position 6)",
        ),
        (
            "defaults: {missing: warn}\ngates:\n  - {metric: tests.failng, max: 0}\n",
            "quality-gates.yml:3:5: gates.0: unknown metric 'tests.failng' (did you mean 'tests.failing'?)",
        ),
        (
            "gates:\n  - {metric: k6.http_req_duration.p95, lt: 200ms}\n",
            "quality-gates.yml:2:5: gates.0: unknown metric 'k6.http_req_duration.p95' (k6 metrics are "
            "k6.<metric>[{tag:value}].<stat>, e.g. k6.http_req_duration.p(95))",
        ),
        (
            "- just\n- a list\n",
            "quality-gates.yml:1:1: the policy must be a mapping with 'quality_gates:' or 'gates:'",
        ),
        (
            "defaults: {missing: warn}\n",
            "quality-gates.yml: the policy has no gates: an empty policy would pass anything",
        ),
        (
            "security: {severity: [CRITICAL, HIHG]}\nquality_gates: {security_hotspots: 0}\n",
            "quality-gates.yml:1:33: security.severity.1: Input should be 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW' or "
            "'UNKNOWN' (got 'HIHG')",
        ),
    ],
    ids=[
        "typo-did-you-mean",
        "bad-duration",
        "coverage-over-100",
        "top-level-typo",
        "wrong-unit",
        "two-bounds",
        "unknown-metric",
        "bad-k6-expression",
        "invalid-yaml",
        "bad-glob",
        "metric-typo",
        "k6-metric-typo",
        "not-a-mapping",
        "empty-policy",
        "bad-severity-word",
    ],
)
def test_policy_errors_name_file_line_column_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1]
    assert info.value.exit_code == 2


def test_missing_policy_file_points_at_init(tmp_path: Path) -> None:
    from qualitygate.config import find_policy

    with pytest.raises(PolicyError) as info:
        find_policy(None, str(tmp_path))
    assert str(info.value).endswith(".github/quality-gates.yml: no policy file")
    assert info.value.hint is not None and "qualitygate init" in info.value.hint


@pytest.mark.parametrize("name", ["autoforge", "recommended", "strict"])
def test_presets_load(name: str) -> None:
    assert name in preset_names()
    policy = load_policy(str(preset_path(name)))
    assert policy.gates


def test_autoforge_preset_is_the_compact_policy_plus_k6_trivy_and_tests() -> None:
    policy = load_policy(str(preset_path("autoforge")))
    ids = [g.id for g in policy.gates]
    assert ids == [
        "coverage.backend",
        "coverage.frontend",
        "complexity.cyclomatic",
        "complexity.cognitive",
        "duplications",
        "security_hotspots",
        "code_smells.count",
        "code_smells.debt",
        "tests.failing",
        "k6.http_req_duration:p(95)<200",
        "k6.http_req_failed:rate<0.1",
    ]
    assert policy.security.severity == ("CRITICAL", "HIGH")
    assert policy.security.source == "scanner"


def test_unknown_preset_suggests_the_closest() -> None:
    with pytest.raises(PolicyError) as info:
        preset_path("autoforg")
    assert info.value.hint == "did you mean 'autoforge'?"


@pytest.mark.parametrize(
    ("raw", "metric", "expected"),
    [
        (80, "coverage.lines.pct", 80.0),
        ("80%", "coverage.lines.pct", 80.0),
        ("200ms", "k6.http_req_duration.p(95)", 200.0),
        ("0.2s", "k6.http_req_duration.p(95)", 200.0),
        ("10%", "k6.http_req_failed.rate", 0.1),
        ("1d", "smells.debt", 480.0),
        ("4h", "smells.debt", 240.0),
        ("30min", "smells.debt", 30.0),
        ("1500ms", "tests.duration_s", 1.5),
    ],
)
def test_units_convert_to_the_metric_unit(raw: object, metric: str, expected: float) -> None:
    assert convert(parse_quantity(raw), metric) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "metric"), [("5ms", "coverage.lines.pct"), ("3%", "complexity.cyclomatic.max")]
)
def test_units_of_another_dimension_are_refused(raw: str, metric: str) -> None:
    with pytest.raises(UnitError):
        convert(parse_quantity(raw), metric)


def test_effort_and_value_formatting() -> None:
    assert parse_effort_minutes("1d") == 480.0
    assert parse_effort_minutes(45) == 45.0
    assert format_value(79.996, "%", against=80.0) == "79.996%"  # never shown as 80% next to an 80% minimum
    assert format_value(87.5, "%") == "87.5%"
    assert format_value(0.0523, "ratio") == "5.23%"
    assert format_value(510.0, "min") == "1d 30min"
    assert format_value(None, "%") == "n/a"


@pytest.mark.parametrize("which", ["policy", "verdict"])
def test_committed_schemas_are_in_sync(which: str) -> None:
    committed = Path(__file__).resolve().parent.parent / "qualitygate" / "schemas" / f"{which}.schema.json"
    assert committed.read_text() == dumps(which), (
        "run: qualitygate schema --" + which + " > " + str(committed)
    )


def test_schema_allowed_keys_match_the_model() -> None:
    doc = json.loads(dumps("policy"))
    assert sorted(doc["properties"]) == sorted(PolicyFile.model_fields)
    assert doc["additionalProperties"] is False


# ------------------------------------------------------------------------------ validated-policy cache


def test_an_unchanged_policy_is_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualitygate import config

    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, COMPACT)
    first = load_policy(path)
    assert len(list((tmp_path / "cache").glob("policy-*.json"))) == 1

    def no_validation(raw: bytes, shown: str) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(config, "_validate", no_validation)
    again = load_policy(path, display="shown.yml")
    assert again.gates == first.gates and again.components == first.components
    assert again.source == "shown.yml"


def test_an_edited_policy_is_validated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, COMPACT)
    load_policy(path)
    write(tmp_path, COMPACT.replace("max_cyclomatic: 10", "max_cyclomatc: 10"))
    with pytest.raises(PolicyError, match="did you mean 'max_cyclomatic'"):
        load_policy(path)


def test_a_corrupt_cache_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, COMPACT)
    expected = load_policy(path)
    (entry,) = (tmp_path / "cache").glob("policy-*.json")
    entry.write_text('{"format": 1, "gates": [')
    assert load_policy(path).gates == expected.gates


def test_no_cache_when_disabled_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALITYGATE_NO_CACHE", "1")
    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(tmp_path / "cache"))
    load_policy(write(tmp_path, COMPACT))
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("QUALITYGATE_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert load_policy(write(tmp_path, COMPACT)).gates


def test_the_fixture_bundles_use_the_launch_customers_policy() -> None:
    root = Path(__file__).resolve().parent.parent
    preset = (root / "gates" / "autoforge.yml").read_bytes()
    for bundle in ("acme", "acme-failing"):
        assert (root / "fixtures" / bundle / ".github" / "quality-gates.yml").read_bytes() == preset
