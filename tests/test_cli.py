"""End to end: the real CLI (``python -m qualitygate``) on the fixture bundles, one test per exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ACME = FIXTURES / "acme"
ACME_FAILING = FIXTURES / "acme-failing"


def qg(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "qualitygate", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
    )


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stdout + p.stderr


def test_exit_0_when_every_gate_passes() -> None:
    p = qg("check", "--root", str(ACME), "--preset", "autoforge")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("PASS")


def test_exit_1_when_a_gate_fails_and_the_json_verdict_says_why(tmp_path: Path) -> None:
    out = tmp_path / "verdict.json"
    p = qg(
        "check",
        "--root",
        str(ACME_FAILING),
        "--preset",
        "autoforge",
        "--format",
        "table",
        "--format",
        "json",
        "--output",
        "-",
        "--output",
        str(out),
    )
    no_traceback(p)
    assert p.returncode == 1, p.stdout + p.stderr
    verdict = json.loads(out.read_text())
    assert verdict["status"] == "fail"
    failed = {g["id"] for g in verdict["gates"] if g["status"] == "fail"}
    assert {"tests.failing", "security_hotspots"} <= failed
    assert "FAIL" in p.stdout


def test_exit_2_for_a_policy_error_with_file_line_column(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("quality_gates:\n  coverage: {backend: 80}\n  complexity: {max_cyclomatc: 10}\n")
    p = qg("check", "--root", str(ACME), "--config", str(policy))
    no_traceback(p)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines()[0] == (
        f"qualitygate: error: {policy}:3:16: quality_gates.complexity.max_cyclomatc: unknown key "
        "(did you mean 'max_cyclomatic'?)"
    )


def test_exit_2_for_usage_errors() -> None:
    p = qg("check", "--format", "yaml")
    assert p.returncode == 2 and "Invalid value for '--format'" in p.stderr
    p = qg("check", "--root", str(ACME), "--preset", "autoforge", "--format", "json", "--format", "table")
    assert p.returncode == 2 and "would all go to stdout" in p.stderr


def test_exit_3_for_an_unreadable_report_and_no_verdict_written(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ACME, root)
    (root / "backend" / "coverage.xml").write_text(
        '<?xml version="1.0"?>\n<coverage line-rate="1"><packages><pack'
    )
    out = tmp_path / "verdict.json"
    p = qg("check", "--root", str(root), "--preset", "autoforge", "--format", "json", "--output", str(out))
    no_traceback(p)
    assert p.returncode == 3
    assert len(p.stderr.strip().splitlines()) == 1
    assert "backend/coverage.xml:2:" in p.stderr
    assert not out.exists()


def test_missing_report_is_visible_and_fails(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ACME, root)
    (root / "backend" / "coverage.xml").unlink()
    p = qg("check", "--root", str(root), "--preset", "autoforge", "--format", "json")
    assert p.returncode == 1
    verdict = json.loads(p.stdout)
    g = next(g for g in verdict["gates"] if g["id"] == "coverage.backend")
    assert g["status"] == "error" and g["actual"] is None
    assert "no coverage report found" in g["message"]


def test_default_policy_location_and_compact_form_verbatim(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ACME, root)
    (root / ".github").mkdir(exist_ok=True)
    (root / ".github" / "quality-gates.yml").write_text(
        "quality_gates:\n"
        "  coverage: {backend: 80, frontend: 75}\n"
        "  complexity: {max_cyclomatic: 10, max_cognitive: 15}\n"
        "  duplications: {max_percentage: 3}\n"
        "  security_hotspots: 0\n"
        "  code_smells: {max_count: 10, max_debt: 1d}\n"
    )
    p = qg("check", "--format", "json", cwd=root)
    no_traceback(p)
    verdict = json.loads(p.stdout)
    assert [g["id"] for g in verdict["gates"]] == [
        "coverage.backend",
        "coverage.frontend",
        "complexity.cyclomatic",
        "complexity.cognitive",
        "duplications",
        "security_hotspots",
        "code_smells.count",
        "code_smells.debt",
    ]
    assert verdict["status"] == "pass" and p.returncode == 0
    assert verdict["policy"] == ".github/quality-gates.yml" or verdict["policy"].endswith(
        ".github/quality-gates.yml"
    )
    kinds = {i["path"]: i["kind"] for i in verdict["inputs"]}
    assert kinds["backend/coverage.xml"] == "cobertura"
    assert all(len(i["sha256"]) == 64 for i in verdict["inputs"])


def test_coverage_paths_are_mapped_to_the_working_tree() -> None:
    p = qg("check", "--root", str(ACME), "--preset", "autoforge", "--format", "json")
    verdict = json.loads(p.stdout)
    inputs = {i["path"]: i for i in verdict["inputs"]}
    backend = inputs["backend/coverage.xml"]
    # coverage.py wrote the absolute <source> of the machine that ran the tests; every file is found anyway
    assert backend["files_total"] and backend["files_found"] == backend["files_total"]
    frontend = next(v for k, v in inputs.items() if k.startswith("frontend/coverage/"))
    assert frontend["files_found"] == frontend["files_total"]


def test_github_format_annotates_and_appends_the_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    p = qg(
        "check",
        "--root",
        str(ACME_FAILING),
        "--preset",
        "autoforge",
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert p.returncode == 1
    assert "::error" in p.stdout
    text = summary.read_text()
    assert text.startswith("previous step\n") and len(text) > len("previous step\n") + 100


def test_no_color_and_no_tty_mean_no_escape_codes() -> None:
    p = qg("check", "--root", str(ACME_FAILING), "--preset", "autoforge", env={"NO_COLOR": "1"})
    assert "\x1b[" not in p.stdout
    p = qg("check", "--root", str(ACME_FAILING), "--preset", "autoforge", "--color")
    assert "\x1b[" in p.stdout


def test_schema_command_prints_the_committed_schemas() -> None:
    p = qg("schema")
    assert p.returncode == 0 and json.loads(p.stdout)["title"] == "qualitygate policy"
    p = qg("schema", "--verdict")
    assert p.returncode == 0 and "gates" in json.loads(p.stdout)["properties"]


def test_init_writes_a_policy_that_check_accepts(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(ACME, root)
    shutil.rmtree(root / ".github", ignore_errors=True)
    p = qg("init", "--root", str(root))
    no_traceback(p)
    assert p.returncode == 0, p.stderr
    text = (root / ".github" / "quality-gates.yml").read_text()
    assert "backend/coverage.xml" in text and "frontend" in text
    p = qg("check", "--root", str(root), "--format", "json")
    assert p.returncode in (0, 1), p.stderr
    assert json.loads(p.stdout)["gates"]
    again = qg("init", "--root", str(root))
    assert again.returncode == 2 and "--force" in again.stderr


HEAVY_MODULES = ("pydantic", "lxml", "yaml", "httpx", "jsonschema")


def imported_modules(*args: str) -> set[str]:
    """The top-level packages ``python -X importtime -m qualitygate ARGS`` imports, and qualitygate's own."""
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qualitygate", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    rows = [line.split("|")[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")]
    return {name for name in rows[1:] if name}  # the first row is the header


def test_version_and_help_are_cheap() -> None:
    p = qg("--version")
    assert p.returncode == 0 and p.stdout.startswith("qualitygate")
    p = qg("--help")
    assert p.returncode == 0 and "Exit codes" in p.stdout
    own = {"qualitygate", "qualitygate.cli", "qualitygate.errors"}
    # a command's help lists its choices: the kinds from the registry, the formats from OutputFormat
    expected = {
        ("--version",): own,
        ("--help",): own,
        ("check", "--help"): own | {"qualitygate.render"},
        ("parse", "--help"): own | {"qualitygate.parsers", "qualitygate.parsers.registry"},
    }
    for args, allowed in expected.items():
        modules = imported_modules(*args)
        heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY_MODULES)
        assert heavy == [], f"{args}: {heavy}"
        ours = {m for m in modules if m.startswith("qualitygate")}
        assert ours == allowed, f"{args}: {sorted(ours)}"


@pytest.mark.parametrize("args", [["parse", "/nonexistent/report.xml"], ["parse", "."]])
def test_parse_refuses_missing_paths_with_exit_3(args: list[str]) -> None:
    p = qg(*args)
    no_traceback(p)
    assert p.returncode == 3 and p.stderr.count("\n") == 1


COMPACT = (
    "quality_gates:\n"
    "  coverage: {backend: 80, frontend: 75}\n"
    "  complexity: {max_cyclomatic: 10, max_cognitive: 15}\n"
    "  duplications: {max_percentage: 3}\n"
    "  security_hotspots: 0\n"
    "  code_smells: {max_count: 10, max_debt: 1d}\n"
)


def test_the_compact_policy_fails_the_failing_bundle_for_the_right_reasons(tmp_path: Path) -> None:
    """The launch customer's policy, verbatim, on the bundle whose faults we planted: each gate's outcome and
    the culprit it names are the planted ones (fixtures/README.md lists what each tool itself printed)."""
    policy = tmp_path / "quality-gates.yml"
    policy.write_text(COMPACT)
    p = qg("check", "--root", str(ACME_FAILING), "--config", str(policy), "--format", "json")
    assert p.returncode == 1, p.stderr
    gates = {g["id"]: g for g in json.loads(p.stdout)["gates"]}
    got = {gid: (g["status"], round(g["actual"], 2)) for gid, g in gates.items()}
    assert got == {
        "coverage.backend": ("pass", 89.33),  # 293/328 lines, coverage.py
        "coverage.frontend": ("fail", 56.12),  # 55/98 lines, jest ran two of its four test files
        "complexity.cyclomatic": ("fail", 14.0),  # radon: import_legacy_row C (14)
        "complexity.cognitive": ("fail", 17.0),  # complexipy: import_legacy_row 17
        "duplications": ("fail", 3.24),  # jscpd: 3.24 %
        "security_hotspots": ("fail", 4.0),  # Trivy CRITICAL secret + 2 HIGH misconfigs, bandit B324 HIGH
        "code_smells.count": ("fail", 14.0),  # 16 ruff findings, 2 of them S rules (security)
        "code_smells.debt": ("pass", 210.0),  # 14 x 15 min (ruff writes every result as an error)
    }
    assert gates["coverage.frontend"]["reason"].startswith("worst frontend/src/api.js (0%)")
    assert gates["complexity.cyclomatic"]["evidence"][0]["path"] == "backend/acme_api/legacy.py"
    assert gates["complexity.cyclomatic"]["evidence"][0]["title"] == "import_legacy_row"
    security = gates["security_hotspots"]["evidence"]
    assert {e["title"] for e in security if "below the blocking severity" not in e["detail"]} == {
        "Trivy aws-access-key-id",
        "Trivy DS-0002",
        "Trivy DS-0029",
        "Bandit B324",
    }
    # every other security finding is listed too, as not blocking: 5 Trivy MEDIUM/LOW, bandit B311 LOW and
    # ruff's S311 and S324 (ruff gives its S rules no severity)
    assert len(security) == 12
    assert "4 blocking, 8 below the blocking severity" in gates["security_hotspots"]["reason"]
    assert gates["code_smells.debt"]["estimate"] is True


def test_the_compact_policy_passes_the_healthy_bundle(tmp_path: Path) -> None:
    policy = tmp_path / "quality-gates.yml"
    policy.write_text(COMPACT)
    p = qg("check", "--root", str(ACME), "--config", str(policy), "--format", "json")
    verdict = json.loads(p.stdout)
    assert p.returncode == 0 and verdict["status"] == "pass"
    assert {g["status"] for g in verdict["gates"]} == {"pass"}
