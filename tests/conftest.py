"""Shared test fixtures.

``real_reports``: ``../shared/real-reports`` (reports written by real tools, with the numbers those tools
computed). Tests that need it are skipped cleanly when the folder is absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
REAL_REPORTS = SHARED / "real-reports"


def conformance_cases(kind: str | None = None) -> list[Any]:
    """pytest params for every ``conformance.json`` case (of one kind), ids = path under real-reports."""
    if not REAL_REPORTS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/real-reports not present"))]
    out = []
    for spec_path in sorted(REAL_REPORTS.rglob("conformance.json")):
        spec = json.loads(spec_path.read_text())
        for case in spec.get("cases", []):
            if kind is None or case.get("kind") == kind:
                f = spec_path.parent / case["file"]
                out.append(pytest.param((f, case), id=str(f.relative_to(REAL_REPORTS))))
    return out


@pytest.fixture
def real_reports() -> Iterator[Path]:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    yield REAL_REPORTS


@pytest.fixture(autouse=True, scope="session")
def _policy_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never read or write the user's ~/.cache from tests (subprocesses inherit the variable)."""
    import os

    old = os.environ.get("QUALITYGATE_CACHE_DIR")
    os.environ["QUALITYGATE_CACHE_DIR"] = str(tmp_path_factory.mktemp("qualitygate-cache"))
    yield
    if old is None:
        os.environ.pop("QUALITYGATE_CACHE_DIR", None)
    else:
        os.environ["QUALITYGATE_CACHE_DIR"] = old
