#!/usr/bin/env bash
# Benchmark `qualitygate parse --kind junit` next to its floor and its peer, in the same run.
#
#   bash benchmarks/bench_junit.sh [REPORT_DIR ...]     (default: /tmp/qg-reports-q /tmp/qg-reports)
#
# REPORT_DIR holds junit.xml and manifest.json from ../shared/bench/gen_reports.py. For each one, whole
# processes are timed with ../shared/bench/measure.py (median of RUNS timed runs after a warm-up, peak RSS
# from GNU time):
#   floor  the bare lxml iterparse loop (peer_floor_xml.py --engine lxml --work bare), the reference
#   floor  lxml iterparse tag=testcase + outcome counts only (the least a JUnit reader can do)
#   qg     qualitygate parse FILE --kind junit --format json, checked against the manifest's counts
#   peer   junitparser (peer_junitparser.py) in $PEER_PY, when that interpreter has it
# Results are appended to benchmarks/_out/junit.jsonl (gitignored); the ratios of this run are printed last.
# The machine is shared: only ratios from one run mean anything, never absolute seconds across runs.
#
# Environment: QG (the qualitygate command), RUNS (default 5), SLOW_RUNS (default 3, for the peer), BENCH (default ../shared/bench),
# PEER_PY (default /tmp/qg-venv/bin/python, ../shared/bench/README.md section 2).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-5}"
SLOW_RUNS="${SLOW_RUNS:-3}"
PEER_PY="${PEER_PY:-/tmp/qg-venv/bin/python}"
# the real interpreter, not a pyenv shim: a shim's bash start-up would inflate the floor
PY="$(python3 -c 'import sys; print(sys.executable)')"
# the console script next to that interpreter, not a pyenv shim (a shim adds ~50-80 ms of bash per run)
# QG overrides it (e.g. a one-line `exec python -m qualitygate "$@"` wrapper when the script is stale)
QG="${QG:-$(dirname "$PY")/qualitygate}"
[ -x "$QG" ] || QG="$(command -v qualitygate || true)"
[ -n "$QG" ] || { echo "qualitygate is not on PATH (pip install -e .)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }

OUT="$HERE/_out"
mkdir -p "$OUT"
RUN_JSONL="$(mktemp "$OUT/run.XXXXXX.jsonl")"
trap 'cat "$RUN_JSONL" >> "$OUT/junit.jsonl"; rm -f "$RUN_JSONL"' EXIT

DIRS=("$@")
[ ${#DIRS[@]} -gt 0 ] || DIRS=(/tmp/qg-reports-q /tmp/qg-reports)

m() {  # label, runs, command...
  local label="$1" runs="$2"
  shift 2
  "$PY" "$BENCH/measure.py" -n "$runs" --label "$label" --input "$F" --jsonl "$RUN_JSONL" -- "$@"
}

for D in "${DIRS[@]}"; do
  F="$D/junit.xml"
  [ -f "$F" ] || { echo "skip $D: no junit.xml" >&2; continue; }
  # the counts a correct parse prints, from the generator's manifest
  CHECK="$("$PY" - "$D/manifest.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["files"]["junit"]
print(f'"tests.total": {j["tests"]},\\s*"tests.passed": {j["passed"]},\\s*"tests.failed": {j["failures"]},'
      f'\\s*"tests.errors": {j["errors"]},\\s*"tests.skipped": {j["skipped"]}')
EOF
)"
  echo "== $F"
  m "junit|floor|lxml iterparse + clear (bare)|$F" "$RUNS" "$PY" "$BENCH/peer_floor_xml.py" --engine lxml --work bare "$F"
  m "junit|floor|lxml iterparse tag=testcase + outcomes|$F" "$RUNS" \
    "$PY" "$BENCH/peer_floor_xml.py" --engine lxml-tag --work junit "$F"
  # checked against the manifest below: a fast wrong answer is not a result
  m "junit|qg|qualitygate parse --kind junit|$F" "$RUNS" "$QG" parse "$F" --kind junit --format json
  tail -n1 "$RUN_JSONL" | "$PY" -c '
import json, re, sys
rec = json.load(sys.stdin)
if not re.search(sys.argv[1], rec["stdout_tail"]):
    sys.exit("qualitygate counts differ from the manifest: " + rec["stdout_tail"][-400:])
' "$CHECK"
  if "$PEER_PY" -c "import junitparser" 2>/dev/null; then
    m "junit|peer|junitparser: fromfile + count|$F" "$SLOW_RUNS" "$PEER_PY" "$BENCH/peer_junitparser.py" "$F"
  else
    echo "peer skipped: $PEER_PY has no junitparser" >&2
  fi
done

"$PY" - "$RUN_JSONL" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by_file = {}
for r in rows:
    _, kind, name, path = r["label"].split("|", 3)
    by_file.setdefault(path, {})[name] = r
print()
for path, res in by_file.items():
    floor = res["lxml iterparse + clear (bare)"]["wall_s"]["median"]
    floor_cpu = res["lxml iterparse + clear (bare)"]["cpu_s"]["median"]
    qg = res["qualitygate parse --kind junit"]
    print(f"{path}  ({qg['input_bytes'] / 1e6:.1f} MB)")
    for name, r in res.items():
        w = r["wall_s"]["median"]
        c = r["cpu_s"]["median"]
        print(f"  {name:45s} wall {w:7.3f} s (x floor {w / floor:5.2f})  cpu {c:7.3f} s (x floor {c / floor_cpu:5.2f})"
              f"  {r['peak_rss_mib']['median']:7.1f} MiB  load {r['loadavg_1min']['before']:.2f}")
    w, c = qg["wall_s"]["median"] / floor, qg["cpu_s"]["median"] / floor_cpu
    print(f"  target: qualitygate <= 1.3x the bare loop: wall {w:.2f}x, cpu {c:.2f}x ({'ok' if w <= 1.3 else 'OVER'})")
    peer = res.get("junitparser: fromfile + count")
    if peer:
        print(f"  junitparser / qualitygate: wall {peer['wall_s']['median'] / qg['wall_s']['median']:.2f}x,"
              f" cpu {peer['cpu_s']['median'] / qg['cpu_s']['median']:.2f}x")
EOF
