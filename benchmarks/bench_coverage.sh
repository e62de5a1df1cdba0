#!/usr/bin/env bash
# Benchmark `qualitygate parse --kind cobertura|lcov` next to their floors (and pycobertura), in the same run.
#
#   bash benchmarks/bench_coverage.sh [REPORT_DIR ...]     (default: /tmp/qg-reports-q /tmp/qg-reports)
#
# REPORT_DIR holds coverage.xml, lcov.info and manifest.json from ../shared/bench/gen_reports.py. Whole
# processes are timed with ../shared/bench/measure.py (median of RUNS timed runs after a warm-up; peak RSS
# from GNU time on the warm-up):
#   cobertura  floor  the bare lxml iterparse loop (peer_floor_xml.py --engine lxml --work bare): the reference
#              floor  lxml iterparse + totals from <line> (counts only, no per-file data)
#              qg     qualitygate parse FILE --kind cobertura --format json, checked against the manifest
#              qg1    the same with QUALITYGATE_NO_FORK=1: expat pass and byte scan in one process (no child)
#              peer   pycobertura per-file recompute (peer_pycobertura.py --mode recompute) in $PEER_PY, if present
#   lcov       floor  the bare Python loop over DA: lines (peer_floor_lcov.py --work bare): the reference
#              floor  the Python line loop recomputing LF/LH/BRF/BRH/FNF/FNH (--work totals)
#              qg     qualitygate parse FILE --kind lcov --format json, checked against the manifest
# Results are appended to benchmarks/_out/coverage.jsonl (gitignored); this run's ratios are printed last.
# The machine is shared: only ratios from one run mean anything, never absolute seconds across runs.
#
# Environment: RUNS (default 5), SLOW_RUNS (default 1, for pycobertura), BENCH (default ../shared/bench),
# PEER_PY (default /tmp/qg-venv/bin/python, see ../shared/bench/README.md section 2), PEERS=0 to skip it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${BENCH:-$ROOT/../shared/bench}"
RUNS="${RUNS:-5}"
SLOW_RUNS="${SLOW_RUNS:-1}"
PEER_PY="${PEER_PY:-/tmp/qg-venv/bin/python}"
PEERS="${PEERS:-1}"
PY="$(python3 -c 'import sys; print(sys.executable)')"  # the real interpreter, not a shim
# the console script beside the interpreter, not a pyenv shim (a shim adds ~80 ms of bash to every run)
QG="$(dirname "$PY")/qualitygate"
[ -x "$QG" ] || QG="$(command -v qualitygate || true)"
[ -n "$QG" ] || { echo "qualitygate is not on PATH (pip install -e .)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }

OUT="$HERE/_out"
mkdir -p "$OUT"
RUN_JSONL="$(mktemp "$OUT/run.XXXXXX.jsonl")"
trap 'cat "$RUN_JSONL" >> "$OUT/coverage.jsonl"; rm -f "$RUN_JSONL"' EXIT

DIRS=("$@")
[ ${#DIRS[@]} -gt 0 ] || DIRS=(/tmp/qg-reports-q /tmp/qg-reports)

m() {  # label, runs, command...
  local label="$1" runs="$2"
  shift 2
  "$PY" "$BENCH/measure.py" -n "$runs" --label "$label" --input "$F" --jsonl "$RUN_JSONL" -- "$@"
}

check() {  # regex the last measured command's output must match: a fast wrong answer is not a result
  tail -n1 "$RUN_JSONL" | "$PY" -c '
import json, re, sys
rec = json.load(sys.stdin)
if not re.search(sys.argv[1], rec["stdout_tail"]):
    sys.exit("qualitygate counts differ from the manifest: " + rec["stdout_tail"][-400:])
' "$1"
}

expect() {  # manifest.json, format -> regex over `qualitygate parse --format json`
  "$PY" - "$1" "$2" <<'PYEOF'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
if sys.argv[2] == "cobertura":
    c = files["coverage"]
    print(f'"coverage.lines.covered": {c["lines_covered"]},\\s*"coverage.lines.total": {c["lines_valid"]},'
          f'[^}}]*"coverage.branches.covered": {c["branches_covered"]},\\s*'
          f'"coverage.branches.total": {c["branches_valid"]},')
else:
    c = files["lcov"]
    print(f'"coverage.lines.covered": {c["LH"]},\\s*"coverage.lines.total": {c["LF"]},'
          f'[^}}]*"coverage.branches.covered": {c["BRH"]},\\s*"coverage.branches.total": {c["BRF"]},'
          f'[^}}]*"coverage.functions.covered": {c["FNH"]},\\s*"coverage.functions.total": {c["FNF"]},')
PYEOF
}

for D in "${DIRS[@]}"; do
  F="$D/coverage.xml"
  if [ -f "$F" ]; then
    echo "== $F"
    m "cobertura|floor|lxml iterparse + clear (bare)|$F" "$RUNS" "$PY" "$BENCH/peer_floor_xml.py" --engine lxml --work bare "$F"
    m "cobertura|floor|lxml iterparse + totals|$F" "$RUNS" "$PY" "$BENCH/peer_floor_xml.py" --engine lxml --work coverage "$F"
    m "cobertura|qg|qualitygate parse --kind cobertura|$F" "$RUNS" "$QG" parse "$F" --kind cobertura --format json
    check "$(expect "$D/manifest.json" cobertura)"
    QUALITYGATE_NO_FORK=1 m "cobertura|qg1|qualitygate, one process (QUALITYGATE_NO_FORK=1)|$F" "$RUNS" "$QG" parse "$F" --kind cobertura --format json
    check "$(expect "$D/manifest.json" cobertura)"
    if [ "$PEERS" = 1 ] && "$PEER_PY" -c "import pycobertura" 2>/dev/null; then
      m "cobertura|peer|pycobertura per-file recompute|$F" "$SLOW_RUNS" "$PEER_PY" "$BENCH/peer_pycobertura.py" --mode recompute "$F"
    else
      echo "peer skipped: no pycobertura in $PEER_PY (or PEERS=0)" >&2
    fi
  fi
  F="$D/lcov.info"
  if [ -f "$F" ]; then
    echo "== $F"
    m "lcov|floor|python line loop counting DA: (bare)|$F" "$RUNS" "$PY" "$BENCH/peer_floor_lcov.py" --work bare "$F"
    m "lcov|floor|python line loop, LF/LH/BRF/BRH/FNF/FNH|$F" "$RUNS" "$PY" "$BENCH/peer_floor_lcov.py" --work totals "$F"
    m "lcov|qg|qualitygate parse --kind lcov|$F" "$RUNS" "$QG" parse "$F" --kind lcov --format json
    check "$(expect "$D/manifest.json" lcov)"
  fi
done

"$PY" - "$RUN_JSONL" <<'PYEOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
TARGETS = {"cobertura": 1.2, "lcov": 2.0}  # README, "Performance"
by_file = {}
for r in rows:
    fmt, kind, name, path = r["label"].split("|", 3)
    by_file.setdefault((fmt, path), {})[name] = (kind, r)
print()
for (fmt, path), res in by_file.items():
    ref = next(r for name, (kind, r) in res.items() if kind == "floor")  # the first floor is the reference
    floor, floor_cpu = ref["wall_s"]["median"], ref["cpu_s"]["median"]
    print(f"{path}  ({ref['input_bytes'] / 1e6:.1f} MB)")
    for name, (kind, r) in res.items():
        w, c = r["wall_s"]["median"], r["cpu_s"]["median"]
        print(f"  {kind:5s} {name:45s} wall {w:7.3f} s (x floor {w / floor:5.2f})  cpu {c:7.3f} s"
              f" (x floor {c / floor_cpu:5.2f})  {r['peak_rss_mib']['median']:7.1f} MiB"
              f"  load {r['loadavg_1min']['before']:.2f}")
    qg = next((r for name, (kind, r) in res.items() if kind == "qg"), None)
    target = TARGETS.get(fmt)
    if qg and target:
        w, c = qg["wall_s"]["median"] / floor, qg["cpu_s"]["median"] / floor_cpu
        verdict = "ok" if w <= target else "OVER"
        print(f"  target: qualitygate <= {target}x the first floor: wall {w:.2f}x, cpu {c:.2f}x ({verdict})")
    for name, (kind, r) in res.items():
        if kind == "peer" and qg:
            print(f"  {name} / qualitygate: wall {r['wall_s']['median'] / qg['wall_s']['median']:.2f}x")
PYEOF
