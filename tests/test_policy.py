"""The policy language: the compact form verbatim, the full form, units, and precise error messages."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
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
        "backend/coverage/coverage-summary.json",
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
            "tests., complexity., duplication., findings., security., smells., k6., locust. or new.",
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
    assert format_value(79.996, "%", against=80.0) == "79.99%"  # never shown as 80% next to an 80% minimum
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


# ---------------------------------------------------------- hostile or surprising YAML (issue 14, 7 and 11)


def qg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a user runs it (the policy cache is the session's temporary folder)."""
    return subprocess.run(
        [sys.executable, "-m", "qualitygate", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_the_compact_form_takes_percentages_as_the_full_form_does(tmp_path: Path) -> None:
    text = (
        "quality_gates:\n  coverage: {backend: 80%, frontend: 75.5 %}\n  duplications: {max_percentage: 3%}\n"
    )
    policy = load_policy(write(tmp_path, text))
    got = [(g.id, g.threshold, g.written) for g in policy.gates]
    assert got == [
        ("coverage.backend", 80.0, "80%"),
        ("coverage.frontend", 75.5, "75.5%"),
        ("duplications", 3.0, "3%"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "quality_gates:\n  coverage: {backend: 180%}\n",
            "2:23: quality_gates.coverage.backend: Input should be less than or equal to 100 (got '180%')",
        ),
        (
            "quality_gates:\n  coverage: {backend: 80ms}\n",
            "2:23: quality_gates.coverage.backend: takes a percentage; 80ms has the wrong unit",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: 0}\ndefaults: {level: warn}\ngates:\n  - {metric: tests.failing, max: 9}\n",
            "4:1: gates: duplicate key 'gates' (first at line 1)",
        ),
        (
            "gates:\n  - metric: tests.failing\n    max: 0\n    max: 9\n",
            "4:5: gates.0.max: duplicate key 'max' (first at line 3)",
        ),
        (
            "quality_gates:\n  coverage: {backend: 80, 'backend': 20}\n",
            "2:27: quality_gates.coverage.backend: duplicate key 'backend' (first at line 2)",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: .nan}\n",
            "2:34: gates.0.max: '.nan' is not a finite number",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: .inf}\n",
            "2:34: gates.0.max: '.inf' is not a finite number",
        ),
        (
            "gates:\n  - {metric: coverage.lines.pct, min: -.inf}\n",
            "2:39: gates.0.min: '-.inf' is not a finite number",
        ),
        (
            "quality_gates:\n  duplications: {max_percentage: .NaN}\n",
            "2:34: quality_gates.duplications.max_percentage: '.NaN' is not a finite number",
        ),
        (
            "quality_gates:\n  code_smells: {max_debt: .inf}\n",
            "2:27: quality_gates.code_smells.max_debt: '.inf' is not a finite number",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: 1.0e+400}\n",
            "2:34: gates.0.max: '1.0e+400' is not a finite number",
        ),
        (
            "quality_gates: {security_hotspots: " + "9" * 5000 + "}\n",
            "1:36: quality_gates.security_hotspots: number too long (5000 characters; at most 100)",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: " + "9" * 5000 + ".5}\n",
            "2:34: gates.0.max: number too long (5002 characters; at most 100)",
        ),
        (
            "gates:\n  - {metric: coverage.lines.pct, min: '" + "9" * 400 + "%'}\n",
            "2:39: gates.0.min: number too large (401 characters)",
        ),
        (
            "quality_gates:\n  code_smells: {max_debt: '" + "9" * 400 + "h'}\n",
            "2:27: quality_gates.code_smells.max_debt: Input should be a finite number (got inf)",
        ),
        (
            "k6:\n  http_req_duration: ['p(95)<" + "9" * 400 + "']\n",
            "2:3: k6: k6 threshold for http_req_duration: a number of 400 digits is not a finite number",
        ),
        ("gates: &g [*g]\n", "1:12: gates.0: the alias *g is inside its own anchor"),
        (
            "gates: " + "[" * 100 + "]" * 100 + "\n",
            "1:72: " + "gates" + ".0" * 64 + ": nested more than 64 levels deep",
        ),
        (
            "quality_gates: {security_hotspots: [" + ", ".join(["1"] * 10_000) + "]}\n",
            "1:36: quality_gates.security_hotspots: Input should be a valid integer (got [1, 1, 1, 1, 1, 1, ...])",
        ),
        (
            "quality_gates:\n  code_smells: {max_debt: '" + "x" * 100_000 + "'}\n",
            "2:27: quality_gates.code_smells.max_debt: expected a number or a quantity like 80%, 200ms, 0.5s, "
            "30min, 4h, 1d; got '" + "x" * 225 + "... (100076 characters)",
        ),
        (
            "quality_gates: !!python/object/apply:os.system ['true']\n",
            "1:16: quality_gates: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: !!int abc}\n",
            "2:34: gates.0.max: 'abc' is not a valid int",
        ),
        (
            "gates:\n  - {metric: tests.failing, max: !!bool x}\n",
            "2:34: gates.0.max: 'x' is not a valid bool",
        ),
        ("gates: !!omap [1]\n", "1:16: invalid YAML value: expected a mapping of length 1, but found scalar"),
        (
            "quality_gat[es: {security_hotspots: 0}\n",
            "1:1: quality_gat[es: unknown key (did you mean 'quality_gates'?)",
        ),
        (
            "gates:\n  - {metric: tests.failing,\x01 max: 0}\n",
            "2:28: invalid YAML: unacceptable character #x0001: control characters are not allowed",
        ),
        (
            "quality_gates: {security_hotspots: '" + "9" * 400 + "'}\n",
            "1:36: quality_gates.security_hotspots: Input should be less than or equal to 1000000000000000 "
            "(got '999999999999999999999999999...9999999999999999999999999999')",
        ),
        (
            "gates:\n  - {metric: tests.duration_s, max: '" + "9" * 307 + "h'}\n",
            "2:5: gates.0: max: number too large in tests.duration_s's unit",
        ),
    ],
    ids=[
        "percent-over-100",
        "percent-wrong-unit",
        "duplicate-top-level-key",
        "duplicate-nested-key",
        "duplicate-key-quoted",
        "nan",
        "inf",
        "minus-inf",
        "nan-in-compact-form",
        "inf-duration",
        "float-overflow",
        "5000-digit-integer",
        "5000-digit-float",
        "overflowing-quantity",
        "overflowing-duration",
        "overflowing-k6-threshold",
        "recursive-alias",
        "deep-nesting",
        "huge-value-not-repeated",
        "huge-string-not-repeated",
        "python-tag",
        "bad-int",
        "bad-bool",
        "bad-omap",
        "key-with-a-bracket",
        "control-character",
        "quoted-400-digit-count",
        "overflow-on-conversion",
    ],
)
def test_hostile_or_surprising_yaml_is_a_one_line_policy_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}:{message}"
    assert info.value.exit_code == 2


def billion_laughs(levels: int = 10, fan: int = 10) -> str:
    """Nested anchors, each level repeating the one below ``fan`` times: ``fan ** levels`` strings."""
    lines = [f"x0: &a0 [{', '.join(['lol'] * fan)}]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ngates: *a{levels - 1}\n"


def test_an_alias_bomb_is_refused_at_once_in_bounded_memory(tmp_path: Path) -> None:
    """Before: minutes and over 5 GB (10 ** 10 strings, and the message repr'd them)."""
    import time
    import tracemalloc

    path = write(tmp_path, billion_laughs())
    started = time.perf_counter()
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    elapsed = time.perf_counter() - started
    assert str(info.value) == (
        f"{path}:4:45: x3.7: aliases repeat more than 10000 nodes (nested anchors, a 'billion laughs'?): "
        "refused; write the repeated part out or repeat it less"
    )
    assert elapsed < 0.5  # about 15 ms
    tracemalloc.start()
    with pytest.raises(PolicyError):
        load_policy(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20  # about 2.3 MiB


def test_the_alias_budget_counts_every_repeated_node() -> None:
    from qualitygate.policy_yaml import ALIAS_BUDGET, compose

    within = "[&a x, " + ", ".join(["*a"] * ALIAS_BUDGET) + "]"
    node = compose(within, "p.yml")
    assert node is not None and len(node.value) == ALIAS_BUDGET + 1
    pair = "[&a [x, y], " + ", ".join(["*a"] * (ALIAS_BUDGET // 3 + 1)) + "]"  # each alias repeats 3 nodes
    with pytest.raises(PolicyError, match=r"^p\.yml:1:\d+: \d+: aliases repeat more than 10000 nodes"):
        compose(pair, "p.yml")


def test_merge_keys_and_small_aliases_keep_working(tmp_path: Path) -> None:
    text = """\
gates:
  - &base {metric: tests.failing, max: 0, level: warn, missing: warn}
  - {<<: *base, metric: tests.flaky}
  - <<: *base
    metric: tests.errors
    level: fail
"""
    policy = load_policy(write(tmp_path, text))
    got = [(g.metric, g.threshold, g.level, g.missing) for g in policy.gates]
    assert got == [
        ("tests.failing", 0.0, "warn", "warn"),
        ("tests.flaky", 0.0, "warn", "warn"),
        ("tests.errors", 0.0, "fail", "warn"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (billion_laughs(), ":4:45: x3.7: aliases repeat more than 10000 nodes"),
        ("gates:\n  - {metric: tests.failing, max: 0}\ngates: []\n", ":3:1: gates: duplicate key 'gates'"),
        (
            "gates:\n  - {metric: tests.failing, max: .nan}\n",
            ":2:34: gates.0.max: '.nan' is not a finite number",
        ),
        (
            "quality_gates: {security_hotspots: " + "9" * 5000 + "}\n",
            ":1:36: quality_gates.security_hotspots",
        ),
    ],
    ids=["alias-bomb", "duplicate-key", "nan", "5000-digits"],
)
def test_the_cli_says_so_in_one_line_with_exit_2(tmp_path: Path, text: str, message: str) -> None:
    policy = write(tmp_path, text)
    p = qg("check", "--root", str(tmp_path), "--config", policy)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    (line,) = p.stderr.splitlines()
    assert line.startswith(f"qualitygate: error: quality-gates.yml{message}")  # shown relative to the root


def test_a_hidden_report_folder_is_found_with_or_without_a_leading_dot_slash(tmp_path: Path) -> None:
    from qualitygate.globs import compile_glob

    assert compile_glob("./.reports/*.xml").match(".reports/junit.xml")
    assert compile_glob("././.reports/").match(".reports/a/junit.xml")
    assert not compile_glob("./.reports/*.xml").match("reports/junit.xml")
    (tmp_path / ".reports").mkdir()
    (tmp_path / "reports").mkdir()
    passing = '<testsuite name="s" tests="1"><testcase classname="c" name="ok"/></testsuite>\n'
    (tmp_path / ".reports" / "junit.xml").write_text(passing)
    failing = (
        '<testsuite name="s" tests="1"><testcase classname="c" name="f"><failure/></testcase></testsuite>\n'
    )
    (tmp_path / "reports" / "junit.xml").write_text(failing)  # what the glob read before: a wrong verdict
    policy = write(
        tmp_path, "reports: {tests: ['./.reports/*.xml']}\ngates:\n  - {metric: tests.failing, max: 0}\n"
    )
    p = qg("check", "--root", str(tmp_path), "--config", policy, "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    (gate,) = json.loads(p.stdout)["gates"]
    assert (gate["status"], gate["actual"]) == ("pass", 0)


THRESHOLD = re.compile(rb'(threshold\\?": )([0-9.]+)')  # a gate's threshold in a cache entry, however quoted


def threshold_in(entry: bytes) -> bytes | None:
    found = THRESHOLD.search(entry)
    return found[2] if found else None


def test_an_edited_cache_entry_is_not_believed(tmp_path: Path) -> None:
    """A threshold changed by hand in the cache must not flip the verdict: the entry is sealed."""
    cache = Path(os.environ["QUALITYGATE_CACHE_DIR"])
    before = set(cache.glob("policy-*.json"))
    failing = (
        '<testsuite name="s" tests="1"><testcase classname="c" name="f"><failure/></testcase></testsuite>\n'
    )
    (tmp_path / "junit.xml").write_text(failing)
    text = f"# {tmp_path}\ngates:\n  - {{metric: tests.failing, max: 0}}\n"  # a policy no other test caches
    policy = write(tmp_path, text)
    assert qg("check", "--root", str(tmp_path), "--config", policy).returncode == 1
    (entry,) = set(cache.glob("policy-*.json")) - before
    entry.write_bytes(THRESHOLD.sub(rb"\g<1>5.0", entry.read_bytes()))
    p = qg("check", "--root", str(tmp_path), "--config", policy)
    assert p.returncode == 1, p.stdout  # validated afresh: 1 failing test > 0
    assert threshold_in(entry.read_bytes()) == b"0.0"  # and the entry written again


def test_a_cache_entry_of_another_policy_is_not_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALITYGATE_CACHE_DIR", str(tmp_path / "cache"))
    strict = load_policy(write(tmp_path, "gates:\n  - {metric: tests.failing, max: 0}\n", "strict.yml"))
    load_policy(write(tmp_path, "gates:\n  - {metric: tests.failing, max: 5}\n", "lax.yml"))
    entries = {p.read_bytes(): p for p in (tmp_path / "cache").glob("policy-*.json")}
    (strict_entry,) = [p for b, p in entries.items() if threshold_in(b) == b"0.0"]
    (lax_entry,) = [p for b, p in entries.items() if threshold_in(b) == b"5.0"]
    strict_entry.write_bytes(lax_entry.read_bytes())  # a valid entry, sealed for another policy
    again = load_policy(str(tmp_path / "strict.yml"))
    assert [g.threshold for g in again.gates] == [g.threshold for g in strict.gates] == [0.0]


def test_a_cached_policy_imports_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    """The compact form is validated by hand (policy_fast) on the first run: only YAML is read, no pydantic;
    a form the hand validator leaves to pydantic (here `components:`) imports it."""
    common = write(tmp_path, f"# {tmp_path}\n{COMPACT}")  # not cached yet
    unusual = write(
        tmp_path, f"# {tmp_path}\n{COMPACT}components: {{backend: {{paths: [api/**]}}}}\n", "unusual.yml"
    )

    def imported(policy: str) -> list[str]:
        code = (
            "import sys; from qualitygate.config import load_policy; "
            f"load_policy({policy!r}); print('pydantic' in sys.modules, 'yaml' in sys.modules)"
        )
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()

    first, second = imported(common), imported(common)
    assert (first, second) == (["False", "True"], ["False", "False"])
    assert imported(unusual) == ["True", "True"]


FUZZ_TOKENS = [
    "&a ",
    "*a",
    "<<: *a",
    ".nan",
    "-.inf",
    "9" * 400,
    "!!int ",
    "!!python/name:os.system ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "\n  ",
    "- ",
    "'",
    '"',
    "%",
    "ms",
    "gates:",
    "\t",
    "\x00",
    "\ufeff",
    "? ",
    "!!omap ",
    "|",
    "#",
]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text) + 1)
        if rng.random() < 0.3:
            text = text[:i] + text[i + rng.randint(1, 8) :]  # cut
        else:
            text = text[:i] + rng.choice(FUZZ_TOKENS) + text[i:]
    return text


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_policies_validate_or_give_a_policy_error(tmp_path: Path, seed: int) -> None:
    """A bounded, seeded fuzz (about a second): every mutated policy loads or is a PolicyError (exit 2),
    never another exception (exit 5). More by hand: QG_POLICY_FUZZ=5000 pytest -k fuzzed_policies."""
    rng = random.Random(seed)
    base = (Path(__file__).resolve().parent.parent / "gates" / "autoforge.yml").read_text()
    for _ in range(int(os.environ.get("QG_POLICY_FUZZ", "150"))):
        text = mutate(rng.choice([base, COMPACT]), rng)
        path = write(tmp_path, text)
        try:
            load_policy(path)
        except PolicyError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 1200, text
