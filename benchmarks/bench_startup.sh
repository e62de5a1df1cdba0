#!/usr/bin/env bash
# Start-up cost: `qualitygate --version` and `qualitygate check` on the fixtures bundle, each next to the cost
# of merely starting the interpreter / importing the dependencies that path needs, measured in the same run.
#
#   bash benchmarks/bench_startup.sh
#
# Rows (whole processes, ../shared/bench/measure.py: median of RUNS timed runs after WARMUP warm-ups):
#   floor   python -c pass                                             (what --version is held to: <= 2x)
#   floor   python -c "import pydantic, yaml, lxml.etree, click, tabulate"  (what check is held to: <= 1.3x
#           with a cached policy, <= 1.5x on the first run after a policy edit and for the hook)
#   qg      qualitygate --version
#   qg      qualitygate check --root fixtures/acme --preset autoforge  (every report of the bundle is read;
#           its table rows are checked, so a run that died early is not a fast result); the validated
#           policy comes from the cache, as on every push after the first
#   qg      the same with QUALITYGATE_NO_CACHE=1: the policy validated afresh, as after an edit
#   qg      the installed pre-push hook (sh script + `check --hook`) on a git copy of fixtures/acme whose policy
#           adds new-code gates, judging a pushed range of 2 edited files (benchmarks/hook_repo.py)
# Results are appended to benchmarks/_out/startup.jsonl (gitignored); the ratios of this run are printed last.
# The machine is shared: only ratios from one run mean anything, never absolute milliseconds across runs.
#
# Bytecode: qualitygate is installed editable, so its .pyc files live in the tree; they are compiled first
# (as `pip install` does for a regular install), otherwise a PYTHONDONTWRITEBYTECODE environment would
# compile every module from source on every run while the dependencies load theirs from site-packages.
#
# Environment: RUNS (default 20), WARMUP (default 2), BENCH (default ../shared/bench).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-20}"
WARMUP="${WARMUP:-2}"
# the real interpreter and its qualitygate script, not pyenv shims: a shim's bash start-up would be timed
PY="$(python3 -c 'import sys; print(sys.executable)')"
QG="$(dirname "$PY")/qualitygate"
[ -x "$QG" ] || QG="$(command -v qualitygate || true)"
[ -n "$QG" ] || { echo "qualitygate is not installed (pip install -e .)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }

"$PY" -m compileall -q "$ROOT/qualitygate" >/dev/null

OUT="$HERE/_out"
mkdir -p "$OUT"
RUN_JSONL="$(mktemp "$OUT/run.XXXXXX.jsonl")"
trap 'cat "$RUN_JSONL" >> "$OUT/startup.jsonl"; rm -f "$RUN_JSONL"' EXIT

m() {  # label, command...
  local label="$1"
  shift
  "$PY" "$BENCH/measure.py" -n "$RUNS" --warmup "$WARMUP" --label "$label" --jsonl "$RUN_JSONL" -- "$@"
}

cd "$ROOT"
m "startup|floor|python -c pass" "$PY" -c pass
m "startup|floor|import pydantic, yaml, lxml.etree, click, tabulate" \
  "$PY" -c "import pydantic, yaml, lxml.etree, click, tabulate"
m "startup|qg|qualitygate --version" "$QG" --version
"$PY" "$BENCH/measure.py" -n "$RUNS" --warmup "$WARMUP" --label "startup|qg|qualitygate check (fixtures/acme)" \
  --jsonl "$RUN_JSONL" --check '(PASS|WARN|FAIL|ERROR|SKIP)  ' -- \
  "$QG" check --root fixtures/acme --preset autoforge
# the first check after the policy changed: no cached validated policy (the common forms are validated by
# hand, policy_fast.py; any other form by pydantic)
QUALITYGATE_NO_CACHE=1 "$PY" "$BENCH/measure.py" -n "$RUNS" --warmup "$WARMUP" \
  --label "startup|qg|qualitygate check, policy not cached" --jsonl "$RUN_JSONL" \
  --check '(PASS|WARN|FAIL|ERROR|SKIP)  ' -- "$QG" check --root fixtures/acme --preset autoforge

# the pre-push hook with new-code gates: a git copy of fixtures/acme (its policy plus a new_code section,
# kept in the cache as on every push after the first), branch `feature` editing backend and frontend lines;
# the hook script qualitygate installs runs as git runs it, the pushed refs on its standard input
HOOKREPO="$(mktemp -d)"
trap 'cat "$RUN_JSONL" >> "$OUT/startup.jsonl"; rm -f "$RUN_JSONL"; rm -rf "$HOOKREPO"' EXIT
"$PY" "$HERE/hook_repo.py" "$HOOKREPO" "$QG" "$PY"
"$PY" "$BENCH/measure.py" -n "$RUNS" --warmup "$WARMUP" \
  --label "startup|qg|pre-push hook, new-code gates (fixtures/acme)" --jsonl "$RUN_JSONL" \
  --check 'qualitygate: (PASS|WARN|FAIL|ERROR)  ' -- \
  sh -c "cd '$HOOKREPO' && exec .git/hooks/pre-push origin '$HOOKREPO' < .git/pushed.txt"

"$PY" - "$RUN_JSONL" <<'EOF'
import json, sys
rows = {json.loads(line)["label"].split("|")[2]: json.loads(line) for line in open(sys.argv[1])}
def med(name, key="wall_s"):
    return rows[name][key]["median"]
pairs = [
    ("qualitygate --version", "python -c pass", 2.0),
    ("qualitygate check (fixtures/acme)", "import pydantic, yaml, lxml.etree, click, tabulate", 1.3),
    ("qualitygate check, policy not cached", "import pydantic, yaml, lxml.etree, click, tabulate", 1.5),
    ("pre-push hook, new-code gates (fixtures/acme)", "import pydantic, yaml, lxml.etree, click, tabulate", 1.5),
]
print()
for name, r in rows.items():
    print(f"  {name:55s} wall {med(name) * 1000:6.0f} ms  cpu {med(name, 'cpu_s') * 1000:6.0f} ms"
          f"  {r['peak_rss_mib']['median']:6.1f} MiB  load {r['loadavg_1min']['before']:.2f}")
print()
for name, floor, target in pairs:
    wall, cpu = med(name) / med(floor), med(name, "cpu_s") / med(floor, "cpu_s")
    verdict = "ok" if wall <= target else "OVER"
    print(f"  {name} / {floor}: wall {wall:.2f}x  cpu {cpu:.2f}x  (target <= {target}x: {verdict})")
EOF
