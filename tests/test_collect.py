"""Collecting reports: a Cobertura report whose ``<source>`` roots hold two files of one relative name,
end to end through the CLI, and the coverage merge that must not fold them into one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest

from qualitygate.model import CoverageReport, FileCoverage
from qualitygate.rules.coverage import merge
from tests.conftest import FIXTURES

DATA = Path(__file__).parent / "data" / "cobertura"
TWO_SOURCES = DATA / "cobertura.two-sources-same-relative-name.xml"

POLICY = (
    "gates:\n"
    "  - {id: cov, metric: coverage.lines.pct, min: 20%}\n"
    '  - {id: cov-a, metric: coverage.lines.pct, min: 20%, paths: ["pkg_a/**"]}\n'
    '  - {id: cov-b, metric: coverage.lines.pct, min: 20%, paths: ["pkg_b/**"]}\n'
)


def check(root: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    cmd = ["check", "--root", str(root), "--config", str(root / "policy.yml"), "--format", "json"]
    p = subprocess.run(
        [sys.executable, "-m", "qualitygate", *cmd],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in p.stdout + p.stderr
    verdict: dict[str, Any] = json.loads(p.stdout)
    return verdict


def repo(tmp_path: Path, *packages: str) -> Path:
    root = tmp_path / "repo"
    for pkg in packages:
        (root / pkg).mkdir(parents=True)
        (root / pkg / "__init__.py").write_text("")
    shutil.copy(TWO_SOURCES, root / "coverage.xml")
    (root / "policy.yml").write_text(POLICY)
    return root


def test_two_files_with_one_relative_name_map_to_their_own_source(tmp_path: Path) -> None:
    verdict = check(repo(tmp_path, "pkg_a", "pkg_b"))
    (info,) = verdict["inputs"]
    assert (info["files_total"], info["files_found"], info["files_missing"]) == (2, 2, [])
    assert any("share a relative name" in w for w in info["warnings"])
    gates = {g["id"]: g["actual"] for g in verdict["gates"]}
    # 4 lines, 1 covered; pkg_a's __init__.py is the uncovered one (3 lines), pkg_b's the covered one
    assert gates == {"cov": 25.0, "cov-a": 0.0, "cov-b": 100.0}


def test_when_only_one_root_holds_the_name_both_entries_stay_apart(tmp_path: Path) -> None:
    verdict = check(repo(tmp_path, "pkg_a"))
    (info,) = verdict["inputs"]
    assert (info["files_total"], info["files_found"]) == (2, 2)
    gates = {g["id"]: g["actual"] for g in verdict["gates"]}
    assert gates["cov"] == 25.0  # not 1 of 3 lines: two entries of one report are never merged


def cov(path: str, hits: list[int], name: str = "r.xml", sources: tuple[str, ...] = ()) -> CoverageReport:
    f = FileCoverage(path=path, line_numbers=array("q", range(1, len(hits) + 1)), line_hits=array("q", hits))
    return CoverageReport(path=name, kind="cobertura", files=[f], sources=list(sources))


def test_merge_joins_one_file_across_reports_but_not_within_a_several_sources_report() -> None:
    one = cov("pkg/__init__.py", [0, 0, 0], sources=("/src/pkg_a", "/src/pkg_b"))
    one.files.append(cov("pkg/__init__.py", [1]).files[0])
    merged = merge([one])
    assert [(f.path, f.lines_total) for f in merged.files] == [("pkg/__init__.py", 3), ("pkg/__init__.py", 1)]
    assert merged.metrics()["coverage.lines.pct"] == 25.0
    # across reports the same path is the same file: union of lines, hits summed
    other = cov("pkg/__init__.py", [0, 2, 0], "s.xml")
    merged = merge([one, other])
    assert [(f.path, list(f.line_hits)) for f in merged.files] == [
        ("pkg/__init__.py", [0, 2, 0]),
        ("pkg/__init__.py", [1]),
    ]


def test_merge_still_joins_one_path_twice_in_a_report_without_several_sources() -> None:
    # e.g. lcov's SF:./src/a.js and SF:src/a.js, both mapped to src/a.js: one file spelled twice
    one = cov("src/a.js", [0, 1, 0])
    one.files.append(cov("src/a.js", [1, 0, 0]).files[0])
    (f,) = merge([one]).files
    assert list(f.line_hits) == [1, 1, 0]


def test_check_reads_a_coverage_xml_once_and_hashes_it_on_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One ``check``: the file is opened once (sniffed, then read on by the fast path from the same handle,
    hashed as it goes) and the verdict's sha256 is the file's. The careful path is made to fail, so the count
    is the fast path's. (A file of 8 MiB or more may also be read by the forked expat child: its own open, in
    its own process, not counted here; this one is far below that.)"""
    import builtins
    import hashlib

    from qualitygate.cli import main
    from qualitygate.parsers import cobertura

    source = FIXTURES / "acme" / "backend" / "coverage.xml"
    (tmp_path / "coverage.xml").write_bytes(source.read_bytes())
    (tmp_path / "policy.yml").write_text(
        "reports: {coverage: [coverage.xml]}\ngates:\n  - {metric: coverage.lines.pct, min: 1%}\n"
    )
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("coverage.xml"):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def no_careful(path: str, display: str | None = None) -> Any:
        raise AssertionError("the careful path ran")

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(cobertura, "_parse_careful", no_careful)
    code = main(
        ["check", "--root", str(tmp_path), "--config", str(tmp_path / "policy.yml"), "--format", "json"]
    )
    assert code == 0
    assert opened == [str(tmp_path / "coverage.xml")]
    (info,) = json.loads(capsys.readouterr().out)["inputs"]
    assert info["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


class _CountedFile:
    """A file opened by the code under test; every byte read through it is counted for its path."""

    def __init__(self, fh: Any, counts: dict[str, int]) -> None:
        self._fh, self._counts, self._name = fh, counts, str(fh.name)

    def _count(self, data: Any) -> Any:
        if isinstance(data, bytes | str):
            self._counts[self._name] = self._counts.get(self._name, 0) + len(data)
        return data

    def read(self, *args: Any) -> Any:
        return self._count(self._fh.read(*args))

    def readline(self, *args: Any) -> Any:
        return self._count(self._fh.readline(*args))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __iter__(self) -> Any:
        return (self._count(line) for line in self._fh)

    def __enter__(self) -> _CountedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


@pytest.mark.parametrize("careful", [False, True], ids=["cobertura-fast", "cobertura-careful"])
def test_check_reads_every_report_once_and_hashes_it_on_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], careful: bool
) -> None:
    """One in-process ``check`` of fixtures/acme-failing (Cobertura, JUnit, lcov, SARIF, radon, complexipy,
    jscpd, k6): every report is opened once and its bytes are read once (sniffed, then read on from the same
    handle, lxml fed from it too), and each sha256 in the verdict is its file's, hashed on the way. With the
    Cobertura fast path off, the careful lxml path reads the file once as well."""
    import builtins
    import hashlib

    from qualitygate.cli import main
    from qualitygate.parsers import cobertura

    root = tmp_path / "acme-failing"
    shutil.copytree(FIXTURES / "acme-failing", root)
    opened: dict[str, int] = {}
    read: dict[str, int] = {}
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, *args, **kwargs)
        name = str(file)
        if not name.startswith(str(root)) or "/." in name:
            return fh
        opened[name] = opened.get(name, 0) + 1
        return _CountedFile(fh, read)

    if careful:
        monkeypatch.setattr(cobertura, "_parse_fast", lambda path, display=None: None)
    monkeypatch.setattr(builtins, "open", counting_open)
    main(["check", "--root", str(root), "--format", "json"])
    monkeypatch.undo()
    inputs = json.loads(capsys.readouterr().out)["inputs"]
    kinds = sorted({i["kind"] for i in inputs})
    assert kinds == ["cobertura", "complexipy", "jscpd", "junit", "k6", "lcov", "radon", "sarif"]
    for info in inputs:
        full = str(root / info["path"])
        data = (root / info["path"]).read_bytes()
        assert (info["path"], opened.get(full), read.get(full)) == (info["path"], 1, len(data))
        assert info["sha256"] == hashlib.sha256(data).hexdigest()


def _counting_sums(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every coverage total summed over a report's files, by the number of files summed."""
    from qualitygate import model

    summed: list[int] = []
    real = model.sum_files

    def counting(files: list[FileCoverage]) -> model.CoverageTotals:
        summed.append(len(files))
        return real(files)

    monkeypatch.setattr(model, "sum_files", counting)
    return summed


def test_check_counts_each_components_coverage_totals_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One in-process ``check`` of fixtures/acme-failing: the backend's Cobertura totals are summed once (by
    the parser's cross-check, handed on to the gate and the record) and the frontend's lcov totals once (by
    the gate, handed on to the record), not once per reader (it was five sums)."""
    from qualitygate.cli import main

    root = tmp_path / "acme-failing"
    shutil.copytree(FIXTURES / "acme-failing", root)
    summed = _counting_sums(monkeypatch)
    main(["check", "--root", str(root), "--format", "json"])
    verdict = json.loads(capsys.readouterr().out)
    files = {i["path"]: i["files_total"] for i in verdict["inputs"] if i["kind"] in ("cobertura", "lcov")}
    assert sorted(summed) == sorted(files.values())
    assert len(summed) == 2
    values = {g["component"]: g["actual"] for g in verdict["gates"] if g["metric"] == "coverage.lines.pct"}
    assert values == {"backend": 293 * 100 / 328, "frontend": 55 * 100 / 98}
    recorded = verdict["record"]["metrics"]
    assert [recorded[f"coverage.lines.pct@{c}"] for c in ("backend", "frontend")] == [
        293 * 100 / 328,
        55 * 100 / 98,
    ]


def test_check_sums_coverage_once_per_path_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four gates over one report, two of them scoped to ``pkg_a/**``: one sum for the whole report (the
    parser's, read by the unscoped gate and the record) and one per distinct scope."""
    from qualitygate.cli import main

    root = repo(tmp_path, "pkg_a", "pkg_b")
    (root / "policy.yml").write_text(
        POLICY + '  - {id: cov-a-branches, metric: coverage.branches.pct, min: 0%, paths: ["pkg_a/**"]}\n'
    )
    summed = _counting_sums(monkeypatch)
    main(["check", "--root", str(root), "--config", str(root / "policy.yml"), "--format", "json"])
    verdict = json.loads(capsys.readouterr().out)
    assert [g["id"] for g in verdict["gates"]] == ["cov", "cov-a", "cov-b", "cov-a-branches"]
    assert summed == [2, 1, 1]


def test_every_parser_names_its_report_by_the_display_path_it_is_given() -> None:
    """``check`` hands each parser the repository-relative name (``display``): the report's path is set
    once, by the parser, never overwritten afterwards; without it the path read is the report's name."""
    from qualitygate.parsers import parse_report

    root = FIXTURES / "acme-failing"
    rels = [
        "backend/coverage.xml",
        "backend/junit.xml",
        "frontend/coverage/lcov.info",
        "ruff.sarif",
        "radon-cc.json",
        "complexipy.json",
        "jscpd-report.json",
        "k6-summary.json",
    ]
    for rel in rels:
        assert parse_report(str(root / rel), display=rel).path == rel
        assert parse_report(str(root / rel)).path == str(root / rel)


@pytest.mark.parametrize("fast", [True, False], ids=["cobertura-fast", "cobertura-careful"])
def test_a_cobertura_root_error_names_the_file_read_not_its_display_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    from qualitygate.errors import ReportFormatError
    from qualitygate.parsers import cobertura, parse_report

    path = tmp_path / "coverage.xml"
    path.write_text('<?xml version="1.0" ?>\n<coverage line-rate="1" lines-valid="-1">\n</coverage>\n')
    if not fast:
        monkeypatch.setattr(cobertura, "_parse_fast", lambda path, display=None: None)
    with pytest.raises(ReportFormatError) as err:
        parse_report(str(path), display="coverage.xml")
    assert str(err.value) == f"{path}:2: <coverage> lines-valid='-1' is a negative count"


def _gates_of_check(root: Path, capsys: pytest.CaptureFixture[str], gates: str) -> dict[str, Any]:
    """``check`` on a copy of fixtures/acme-failing with ``gates`` appended to its policy: each gate's value."""
    from qualitygate.cli import main

    shutil.copytree(FIXTURES / "acme-failing", root)
    policy = root / ".github/quality-gates.yml"
    policy.write_text(policy.read_text() + gates)
    main(["check", "--root", str(root), "--format", "json"])
    return {g["id"]: g["actual"] for g in json.loads(capsys.readouterr().out)["gates"]}


def test_check_counts_the_test_cases_once_per_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four test gates over fixtures/acme-failing's JUnit report, one of them scoped to a folder: the cases
    are scanned and counted once for the three unscoped gates and once for the scoped one (it was once per
    gate), and every gate's value is as before."""
    from qualitygate.rules import tests as test_rules

    scans: list[int] = []
    real = test_rules._cases

    def counting(gate: Any, tests: Any) -> Any:
        found = real(gate, tests)
        scans.append(len(found))
        return found

    monkeypatch.setattr(test_rules, "_cases", counting)
    gates = _gates_of_check(
        tmp_path / "acme-failing",
        capsys,
        "  - {id: t.total, metric: tests.total, min: 1}\n"
        "  - {id: t.skipped, metric: tests.skipped, max: 100}\n"
        "  - {id: t.scoped, metric: tests.total, min: 1, paths: [backend/**]}\n",
    )
    actual = {k: v for k, v in gates.items() if k in ("tests.failing", "t.total", "t.skipped")}
    assert scans == [67, 0]  # the JUnit reports' 67 cases; none names a file under backend/
    assert actual == {"tests.failing": 1, "t.total": 67, "t.skipped": 0}


@pytest.mark.parametrize("kind", ["junit", "cobertura", "lcov", "sarif"])
def test_parse_report_hashes_what_it_reads_unless_no_digest_is_wanted(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check`` records each report's SHA-256 (hashed on the way); ``qualitygate parse`` records none and
    hashes nothing (``digest=False``): on a 42 MB JUnit report SHA-256 was an eighth of the instructions."""
    import hashlib
    import io

    from qualitygate.commands import parse
    from qualitygate.parsers import parse_report, reading

    files = {
        "junit": "backend/junit.xml",
        "cobertura": "backend/coverage.xml",
        "lcov": "frontend/coverage/lcov.info",
        "sarif": "ruff.sarif",
    }
    path = str(FIXTURES / "acme" / files[kind])
    data = Path(path).read_bytes()
    parse_report(path, kind)
    assert reading.take_digest(path) == hashlib.sha256(data).hexdigest()

    def no_hashing(*_: object) -> None:
        raise AssertionError("hashed")

    monkeypatch.setattr(hashlib, "sha256", no_hashing)
    parse_report(path, kind, digest=False)
    assert reading.take_digest(path) is None
    assert parse.run(path, kind, "json", out=io.StringIO()) == 0
    assert reading.take_digest(path) is None


def test_check_counts_the_complexity_blocks_once_per_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three cyclomatic gates over fixtures/acme-failing's radon report, one of them scoped to a folder: the
    blocks are filtered and their metrics computed once for the two unscoped gates and once for the scoped
    one (it was once per gate); the cognitive gate reads its own report (complexipy), and each value is as
    before."""
    from qualitygate.rules import complexity

    scopes: list[tuple[str, int]] = []
    real = complexity._scoped

    def counting(cx: Any, globs: Any) -> Any:
        found = real(cx, globs)
        scopes.append((cx[0].measure, len(found[0])))
        return found

    monkeypatch.setattr(complexity, "_scoped", counting)
    gates = _gates_of_check(
        tmp_path / "acme-failing",
        capsys,
        "  - {id: cc.mean, metric: complexity.cyclomatic.mean, max: 100}\n"
        "  - {id: cc.scoped, metric: complexity.cyclomatic.max, max: 100, paths: [nowhere/**]}\n",
    )
    actual = {k: v for k, v in gates.items() if k.startswith(("complexity", "cc."))}
    assert sorted(scopes) == [("cognitive", 47), ("cyclomatic", 0), ("cyclomatic", 60)]
    assert actual == {
        "complexity.cyclomatic": 14.0,
        "complexity.cognitive": 17.0,
        "cc.mean": 2.1,
        "cc.scoped": None,
    }
