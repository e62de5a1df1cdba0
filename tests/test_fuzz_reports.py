"""A bounded, seeded fuzz of every report kind: real fixture reports, mutated the way hostile or broken CI
output looks (numbers made huge, negative, ``inf`` or 5000 digits long, counts swapped, bytes flipped, lines
dropped or repeated, the file cut short), must each be read (exit 0) or refused with one line naming the file
(exit 3): never an internal error (exit 5), never a traceback.

A few seconds by default; a longer run by hand::

    QUALITYGATE_FUZZ_ROUNDS=5000 QUALITYGATE_FUZZ_SEED=7 python3 -m pytest -q tests/test_fuzz_reports.py
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

from qualitygate.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {
    "cobertura": [
        "fixtures/acme/backend/coverage.xml",
        "fixtures/acme/frontend/coverage/cobertura-coverage.xml",
    ],
    "lcov": ["fixtures/acme/frontend/coverage/lcov.info"],
    "junit": ["fixtures/acme/backend/junit.xml", "fixtures/acme/frontend/junit.xml"],
    "radon": ["fixtures/acme/radon-cc.json", "tests/data/radon/radon.error-line-closures-crlf.txt"],
    "complexipy": ["fixtures/acme/complexipy.json"],
    "jscpd": ["fixtures/acme/jscpd-report.json"],
    "sarif": ["fixtures/acme/trivy-results.sarif", "fixtures/acme/ruff.sarif"],
    "k6": ["fixtures/acme/k6-summary.json"],
    "istanbul-json": [
        "fixtures/more/jest/coverage/coverage-summary.json",
        "fixtures/more/jest/coverage/coverage-final.json",
    ],
    "playwright-json": ["fixtures/more/playwright/e2e-results.json"],
    "locust": ["fixtures/more/locust/locust_stats.csv"],
    "gitleaks": ["fixtures/more/public/gitleaks-v8-many.json"],
    "snyk": ["fixtures/more/public/snyk-all-projects.json"],
    "zap": ["fixtures/more/public/zap-report_json.json"],
}
ROUNDS = int(os.environ.get("QUALITYGATE_FUZZ_ROUNDS", "12"))  # per seed file
SEED = int(os.environ.get("QUALITYGATE_FUZZ_SEED", "20250115"))
HOSTILE_NUMBERS = [
    b"99999999999999999999",
    b"-1",
    b"inf",
    b"NaN",
    b"9" * 5000,
    b"1e308",
    b"0",
    b"4294967296",
    b"-0",
    b"1.5",
]
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")


def _numbers(data: bytes, rng: random.Random) -> bytes:
    spots = list(_NUMBER.finditer(data))
    if not spots:
        return data
    out = bytearray(data)
    for m in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 3))), key=lambda m: -m.start()):
        out[m.start() : m.end()] = rng.choice(HOSTILE_NUMBERS)
    return bytes(out)


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        del lines[i]
    else:
        lines[i:i] = [lines[i]] * rng.randint(1, 3)
    return b"\n".join(lines)


def _cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))] if len(data) > 1 else data


def _swap(data: bytes, rng: random.Random) -> bytes:
    """covered and valid swapped: ``(1/2)`` becomes ``(2/1)``."""
    return re.sub(rb"\((\d+)/(\d+)\)", rb"(\2/\1)", data, count=rng.randint(1, 5))


MUTATIONS = [_numbers, _numbers, _flip, _lines, _cut, _swap]


def _cases() -> list[object]:
    return [
        pytest.param(kind, path, id=f"{kind}:{Path(path).name}")
        for kind, paths in SEEDS.items()
        for path in paths
    ]


@pytest.mark.parametrize(("kind", "seed_file"), _cases())
def test_mutated_reports_are_read_or_refused_never_an_internal_error(
    kind: str, seed_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (ROOT / seed_file).read_bytes()
    rng = random.Random(f"{SEED}:{seed_file}")
    for n in range(ROUNDS):
        data = original
        for _ in range(rng.randint(1, 2)):
            data = rng.choice(MUTATIONS)(data, rng)
        path = tmp_path / f"{n}-{Path(seed_file).name}"
        path.write_bytes(data)
        for args in (["--kind", kind], []):  # told the kind, and sniffed
            code = main(["parse", str(path), *args, "--format", "json"])
            _, err = capsys.readouterr()
            assert code in (0, 3), f"{path} (seed {SEED}, round {n}): exit {code}: {err}"
            assert "Traceback" not in err and "internal error" not in err, err
            if code == 3:
                assert err.startswith(f"qualitygate: error: {path}"), err
                assert len(err.splitlines()) <= 2, err  # the error, and perhaps a tip


def test_parse_kind_accepts_every_kind_the_registry_reads() -> None:
    """``parse --kind istanbul-json`` (and the five other kinds added with it) was a usage error (exit 2)."""
    import click

    from qualitygate.cli import parse_cmd
    from qualitygate.parsers.registry import KINDS

    kind = next(p for p in parse_cmd.params if p.name == "kind")
    assert isinstance(kind.type, click.Choice)
    assert sorted(kind.type.choices) == sorted(KINDS)
    assert set(SEEDS) == set(KINDS)  # the fuzz above mutates a report of every kind
