"""A bounded, seeded fuzz of the inputs that are not reports: a saved diff (``--base-diff``), a base verdict
(``--base-results FILE``), the baseline file and the policy's ``waivers`` section. Each mutant (cut short,
bytes flipped, lines dropped or repeated, numbers made huge, negative or 5000 digits long, YAML/JSON tokens
inserted, nested 100 000 deep, random bytes, UTF-16) is read (exit 0/1) or refused with one line naming the
file (exit 2 for the policy, 3 for the others): never an internal error (exit 5), never a traceback, never
slow.

A few seconds by default; a longer run by hand::

    QUALITYGATE_FUZZ_ROUNDS=500 QUALITYGATE_FUZZ_SEED=7 python3 -m pytest -q tests/test_fuzz_new_inputs.py
"""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qualitygate.cli import main
from tests.test_fuzz_reports import _flip, _lines

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("QUALITYGATE_FUZZ_ROUNDS", "6"))  # per input kind
SEED = int(os.environ.get("QUALITYGATE_FUZZ_SEED", "20250115"))
SLOW_S = 10.0

GATES = """
  - {id: drop, metric: coverage.lines.pct, component: backend, max_drop: 0.5}
  - {id: new-smells, metric: new.smells.count, max: 0}
  - {id: new-cover, metric: new.coverage.lines.pct, min: 80}
  - {id: new-tests, metric: new.tests.failing, max: 0}
"""
WAIVERS = b"""
waivers:
  - id: W-1
    match: {rule: B311, path: "backend/**"}
    reason: accepted
    owner: "@acme/x"
    expires: 2026-03-01
  - id: W-2
    match: {metric: coverage.lines.pct, component: frontend}
    reason: later
    owner: "@acme/web"
    expires: 2026-02-01
waiver_policy: {max_days: 180, warn_days: 14, unused: warn}
"""
DIFF = b"""diff --git a/backend/acme_api/orders.py b/backend/acme_api/orders.py
index 1..2 100644
--- a/backend/acme_api/orders.py
+++ b/backend/acme_api/orders.py
@@ -3,4 +3,6 @@ import os
 a
-b
+c
+d
 e
+f
 g
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
--- a/old name.py\t
+++ b/new name.py\t
@@ -1,3 +1,4 @@
 a
-b
+c
+d
 e
diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"
new file mode 100644
--- /dev/null
+++ "b/caf\\303\\251.py"
@@ -0,0 +1,2 @@
+x = 1
+y = 2
\\ No newline at end of file
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
diff --cc conflict.py
index 1,2..3
--- a/conflict.py
+++ b/conflict.py
@@@ -1,2 -1,2 +1,3 @@@
  x
- y
 +z
++w
"""
TOKENS = [
    b"99999999999999999999",
    b"-1",
    b"inf",
    b".nan",
    b"NaN",
    b"9" * 5000,
    b"1e308",
    b"0",
    b"null",
    b"[]",
    b"{}",
    b'"x"',
    b"true",
    b"2026-13-45",
    b"*a",
    b"&a x",
    b"!!binary aGk=",
    b"!!python/object:os.system x",
    b"\xff\xfe",
    b"\x00",
    b'"',
    b"{",
    b"- ",
    b": ",
    b"@@ -1 +1 @@",
    b"+++ b/",
    b"diff --git ",
]


def _cut(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(1, len(data)))]


def _numbers(data: bytes, rng: random.Random) -> bytes:
    spots = list(re.finditer(rb"-?\d+", data))
    out = data
    for m in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 4))), key=lambda m: -m.start()):
        out = out[: m.start()] + rng.choice(TOKENS) + out[m.end() :]
    return out


def _insert(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    extra = rng.choice([*TOKENS, b"[" * 100_000, b"{a: " * 3000, b"- " * 5000, b"A" * 200_000])
    return data[:i] + extra + data[i:]


def _whole(data: bytes, rng: random.Random) -> bytes:
    return rng.choice(
        [
            b"",
            b"\n",
            b"\xef\xbb\xbf",
            bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 64, 4096]))),
            data.decode("latin-1").encode("utf-16"),
            data.replace(b"\n", b"\r"),
        ]
    )


MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [
    _cut,
    _flip,
    _lines,
    _numbers,
    _numbers,
    _insert,
    _whole,
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """fixtures/acme with base-comparing and new-code gates; its verdict and baseline as the fuzz seeds."""
    root = tmp_path_factory.mktemp("fuzz") / "acme"
    shutil.copytree(ROOT / "fixtures" / "acme", root)
    policy = root / ".github" / "quality-gates.yml"
    policy.write_text(policy.read_text() + GATES)
    verdict = root.parent / "base.json"
    assert main(["check", "--root", str(root), "--format", "json", "--output", str(verdict)]) == 1
    assert main(["baseline", "update", "--root", str(root)]) == 0
    return {
        "root": root,
        "policy": policy.read_bytes(),
        "seeds": {
            "diff": DIFF,
            "verdict": verdict.read_bytes(),
            "baseline": (root / ".github" / "quality-baseline.json").read_bytes(),
            "waivers": WAIVERS,
        },
    }


def _place(kind: str, data: bytes, repo: dict[str, object]) -> list[str]:
    """Write the mutant where ``check`` reads it; the command's arguments."""
    root = repo["root"]
    assert isinstance(root, Path) and isinstance(repo["policy"], bytes)
    (root / ".github" / "quality-gates.yml").write_bytes(
        repo["policy"] + (data if kind == "waivers" else b"")
    )
    args = ["check", "--root", str(root), "--format", "json"]
    if kind == "diff":
        (root.parent / "change.diff").write_bytes(data)
        return [*args, "--base-diff", str(root.parent / "change.diff")]
    if kind == "verdict":
        (root.parent / "mutant.json").write_bytes(data)
        return [*args, "--base-results", str(root.parent / "mutant.json")]
    if kind == "baseline":
        (root / ".github" / "quality-baseline.json").write_bytes(data)
    return args


NAMED = {
    "diff": "change.diff",
    "verdict": "mutant.json",
    "baseline": "quality-baseline.json",
    "waivers": "quality-gates.yml",
}


@pytest.mark.parametrize(("kind", "refused"), [("diff", 3), ("verdict", 3), ("baseline", 3), ("waivers", 2)])
def test_mutated_inputs_are_read_or_refused_in_one_line_never_an_internal_error(
    kind: str,
    refused: int,
    repo: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUALITYGATE_TODAY", "2026-01-10")
    monkeypatch.setenv("QUALITYGATE_NO_CACHE", "1")
    seeds = repo["seeds"]
    assert isinstance(seeds, dict)
    original = seeds[kind]
    baseline = seeds["baseline"]
    rng = random.Random(f"{SEED}:{kind}")
    for n in range(ROUNDS):
        data = original
        for _ in range(rng.randint(1, 2)):
            data = rng.choice(MUTATIONS)(data, rng) or data
        args = _place(kind, data, repo)
        started = time.monotonic()
        code = main(args)
        took = time.monotonic() - started
        _, err = capsys.readouterr()
        where = f"{kind} round {n} (seed {SEED}): exit {code}: {err[:500]}"
        assert code in (0, 1, refused), where
        assert "Traceback" not in err and "internal error" not in err, where
        assert took < SLOW_S, f"{where} took {took:.1f} s"
        if code == refused:
            lines = [ln for ln in err.splitlines() if not ln.startswith("  tip:")]
            assert len(lines) == 1 and len(lines[0]) < 500, where
            assert NAMED[kind] in lines[0], where
        if kind == "baseline":
            (repo["root"] / ".github" / "quality-baseline.json").write_bytes(baseline)  # type: ignore[operator]
