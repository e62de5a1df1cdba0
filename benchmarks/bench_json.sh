#!/usr/bin/env bash
# Whole-process timings of `qualitygate parse` on the big JSON reports, next to the json.load floors
# measured in the same run (on a shared machine only same-run ratios mean anything: ../shared/bench/README.md).
#
#   bash benchmarks/bench_json.sh [DATA_DIR] [GROUP ...]      # groups: sarif radon k6 sarif-many (default: all)
#
# DATA_DIR (default /tmp/qg-reports) holds the files of ../shared/bench/gen_reports.py. Results are appended
# to benchmarks/_out/bench_json.jsonl (gitignored), one JSON line per command; a ratio table is printed last.
# Target: each SARIF and radon qualitygate row <= 1.3x the plain `json.load` floor ("floor|json.load + count").
# sarif-many: a ruff-like log with 10**6 results (benchmarks/gen_sarif_many.py, ~190 MB, written to
# DATA_DIR/many.sarif if missing), one run each; target: qualitygate's peak RSS <= 3x the file size.
# RUNS (default 5) sets the timed repetitions.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BENCH="${QG_BENCH:-$ROOT/../shared/bench}"
D="${1:-/tmp/qg-reports}"
shift || true
GROUPS_="${*:-sarif radon k6 sarif-many}"
RUNS="${RUNS:-5}"
PY="${PY:-python3}"
QG="${QG:-qualitygate}"
OUT="$HERE/_out/bench_json.jsonl"
mkdir -p "$HERE/_out"
STAMP="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
START_LINE=$(($(wc -l < "$OUT" 2>/dev/null || echo 0) + 1))

m() { # label input check -- cmd...
  local label="$1" input="$2" check="$3"
  shift 3
  "$PY" "$BENCH/measure.py" -n "$RUNS" --label "$label [$STAMP]" --input "$input" --jsonl "$OUT" \
    ${check:+--check "$check"} -- "$@"
}

for g in $GROUPS_; do
  case "$g" in
    sarif)
      F="$D/trivy.sarif"
      m "sarif|floor|cat" "$F" "" sh -c "cat '$F' > /dev/null"
      m "sarif|floor|json.load + count" "$F" '"results": 50000' "$PY" "$BENCH/peer_floor_json.py" --work sarif "$F"
      m "sarif|floor|json.load + count, gc off + fast exit" "$F" "" \
        "$PY" "$BENCH/peer_floor_json.py" --work sarif --no-gc --fast-exit "$F"
      m "sarif|qualitygate|parse --kind sarif" "$F" '"findings.total": 50000' "$QG" parse "$F" --kind sarif --format json
      m "sarif|qualitygate|parse (sniffed)" "$F" '"findings.total": 50000' "$QG" parse "$F" --format json
      ;;
    radon)
      F="$D/radon-cc.json"
      m "radon|floor|cat" "$F" "" sh -c "cat '$F' > /dev/null"
      m "radon|floor|json.load + count" "$F" '"top_level_entries": 219972' "$PY" "$BENCH/peer_floor_json.py" --work radon "$F"
      m "radon|floor|json.load + count, gc off + fast exit" "$F" "" \
        "$PY" "$BENCH/peer_floor_json.py" --work radon --no-gc --fast-exit "$F"
      m "radon|qualitygate|parse --kind radon" "$F" '"complexity.blocks": 219972' "$QG" parse "$F" --kind radon --format json
      ;;
    k6)
      F="$D/k6-summary.json"
      m "k6|floor|python -c pass" "$F" "" "$PY" -c pass
      m "k6|floor|json.load + count" "$F" "" "$PY" "$BENCH/peer_floor_json.py" --work k6 "$F"
      m "k6|qualitygate|parse --kind k6" "$F" '"k6.thresholds.failed": 1' "$QG" parse "$F" --kind k6 --format json
      ;;
    sarif-many)
      F="$D/many.sarif"
      [ -f "$F" ] || "$PY" "$HERE/gen_sarif_many.py" "$F"
      RUNS=1 m "sarif-many|floor|json.load + count" "$F" '"results": 1000000' "$PY" "$BENCH/peer_floor_json.py" --work sarif "$F"
      RUNS=1 m "sarif-many|qualitygate|parse --kind sarif" "$F" '"findings.total": 1000000' "$QG" parse "$F" --kind sarif --format json
      ;;
    *) echo "unknown group: $g" >&2; exit 2 ;;
  esac
done

# Ratios of this run's rows to this run's json.load floor, per group.
tail -n "+$START_LINE" "$OUT" | "$PY" -c "$(cat <<'PYEOF'
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
floors = {}
for r in rows:
    fmt, _kind, name = r["label"].split("|", 2)
    if name.startswith("json.load + count ["):
        floors[fmt] = r["wall_s"]["median"]
cpu_floors = {r["label"].split("|", 1)[0]: r["cpu_s"]["median"] for r in rows if "|floor|json.load + count [" in r["label"]}
print(f"{'label':<72} {'wall s':>8} {'x json.load':>11} {'cpu x':>6} {'peak MiB':>9} {'x file':>6}  target")
for r in rows:
    fmt = r["label"].split("|", 1)[0]
    w, f, c = r["wall_s"]["median"], floors.get(fmt), cpu_floors.get(fmt)
    ratio = f"{w / f:.2f}" if f else "-"
    cpu = f"{r['cpu_s']['median'] / c:.2f}" if c else "-"
    size = (r.get("input_bytes") or 0) / 2**20
    rss = r["peak_rss_mib"]["median"]
    times = f"{rss / size:.2f}" if size else "-"
    target = ""
    if "|qualitygate|" in r["label"] and fmt == "sarif-many":
        target = f"peak <= 3x the file: {'ok' if size and rss / size <= 3 else 'OVER'}"
    elif "|qualitygate|" in r["label"] and fmt == "k6":
        target = "none: a 16 kB file measures start-up (bench_startup.sh)"
    elif "|qualitygate|" in r["label"] and f:
        target = f"<= 1.3x json.load: {'ok' if w / f <= 1.3 else 'OVER'}"
    print(f"{r['label']:<72} {w:>8.3f} {ratio:>11} {cpu:>6} {rss:>9.0f} {times:>6}  {target}")
PYEOF
)"
