#!/usr/bin/env bash
# What a three-value l1_ratio grid costs against three separate CV runs (issue 3), GpuEnet only.
#
#   bench/compare/grid.sh [issue3_a|issue3_b ...] [--repeats N] [--tag NAME]
#
# For each case (the data of run.sh's issue3 cases: n=100, p=20,000 and n=1000, p=100,000, rho=0.5, 10 folds from
# the same foldid.txt), runs `gpuenet cv --l1-ratio A` for A = 1, 0.5, 0.1 and then `--l1-ratio 1,0.5,0.1`, N times
# interleaved (default 5), and reports the median and the fastest solve time (timing.solve_seconds) and the median
# whole-command wall time of each, and the factor grid / (sum of the three) for each. Writes
# bench/results/<tag>-grid.md.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$ROOT/bench/work"
PY=/usr/bin/python3
TAG=${MACHINE_TAG:-$(hostname)}
REPEATS=5
CASES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift ;;
    --tag) TAG="$2"; shift ;;
    issue3_a|issue3_b) CASES+=("$1") ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#CASES[@]} -eq 0 ] && CASES=(issue3_a issue3_b)
"$PY" -c 'import numpy' 2>/dev/null || { echo "needs python3-numpy (apt-get install -y python3-numpy)" >&2; exit 1; }

(cd "$ROOT" && ./gpuenet --help >/dev/null) || { echo "gpuenet does not build" >&2; exit 1; }
out="$ROOT/bench/results/$TAG-grid.md"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
  echo "# A three-value l1_ratio grid against three separate CV runs"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC; commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo ' (with uncommitted changes)')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) logical cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- each command run $REPEATS times, interleaved. Solve = timing.solve_seconds (median and fastest); command = median wall clock of the whole \`gpuenet cv\`. On this shared VM single runs vary by ±15 %, so compare the factors, not single rows."
  echo
} >"$out"

for c in "${CASES[@]}"; do
  case "$c" in
    issue3_a) ds=n100_p20k; n=100; p=20000; k=20000 ;;
    issue3_b) ds=n1000_p100k; n=1000; p=100000; k=50 ;;
  esac
  data="$WORK/data_$ds"
  if [ ! -s "$data/X.npy" ]; then
    seed=$(( 20100 + ${#ds} * 7 + n % 97 ))
    "$PY" "$HERE/gen_data.py" "$data" "$n" "$p" 0.5 "$k" "$seed" || exit 1
  fi
  echo "== $c (n=$n, p=$p)"
  for r in $(seq "$REPEATS"); do
    for a in 1 0.5 0.1 1,0.5,0.1; do
      t0=$(date +%s.%N)
      (cd "$ROOT" && ./gpuenet cv --data "$data/X.npy" --target-file "$data/y.txt" --foldid "$data/foldid.txt" \
        --l1-ratio "$a" --device cpu --quiet --out "$tmp/model.gpe" --json "$tmp/$c-$a-$r.json" >/dev/null 2>"$tmp/err") \
        || { cat "$tmp/err" >&2; exit 1; }
      t1=$(date +%s.%N)
      "$PY" -c "print($t1 - $t0)" >"$tmp/$c-$a-$r.wall"
      echo "  run $r, l1_ratio $a: $(cat "$tmp/$c-$a-$r.wall") s"
    done
  done
  "$PY" - "$tmp" "$c" "$REPEATS" "$n" "$p" >>"$out" <<'EOF'
import json, statistics, sys
tmp, case, repeats, n, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = {}
for a in ["1", "0.5", "0.1", "1,0.5,0.1"]:
    solve = [json.load(open(f"{tmp}/{case}-{a}-{r}.json"))["timing"]["solve_seconds"] for r in range(1, repeats + 1)]
    wall = [float(open(f"{tmp}/{case}-{a}-{r}.wall").read()) for r in range(1, repeats + 1)]
    rows[a] = (statistics.median(solve), min(solve), statistics.median(wall))
print(f"## {case}: 10-fold CV, 100 λ, n = {n}, p = {p}, ρ = 0.5\n")
print("| --l1-ratio | solve, median (s) | solve, fastest (s) | command, median (s) |")
print("|---|---|---|---|")
for a, (s, f, w) in rows.items():
    print(f"| {a} | {s:.2f} | {f:.2f} | {w:.2f} |")
sep = [sum(rows[a][i] for a in ["1", "0.5", "0.1"]) for i in range(3)]
grid = rows["1,0.5,0.1"]
print(f"| three separate runs | {sep[0]:.2f} | {sep[1]:.2f} | {sep[2]:.2f} |")
print(f"\n**Grid factor** (grid / three separate runs): solve **{grid[0] / sep[0]:.2f}** (medians), "
      f"**{grid[1] / sep[1]:.2f}** (fastest); whole command **{grid[2] / sep[2]:.2f}**.\n")
EOF
done
echo "report: $out"
