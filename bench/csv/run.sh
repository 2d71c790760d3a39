#!/bin/bash
# Issue 17's load measurement: `load_seconds` of `gpuenet fit` on the 100 × 50,000 CSV (~101 MB, values at %.17g)
# and on its converted .npy, RUNS times each, plus the time of `gpuenet convert`.
#   bench/csv/run.sh [GPUENET] [RUNS]     (GPUENET: the CLI to measure, default ./gpuenet; another build compares)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
g=${1:-$here/../../gpuenet}
runs=${2:-5}
dir=${GPUENET_BENCH_DIR:-/tmp/gpuenet-csv-bench}
mkdir -p "$dir"
[ -f "$dir/X.csv" ] || python3 "$here/make_csv.py" "$dir/X.csv" 100 50000 0.95 1
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file: $(stat -c %s "$dir/X.csv") bytes"
cat "$dir/X.csv" > /dev/null # in the page cache, as for every run below
load() { # $1: data file, rest: options
  local data=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    "$g" fit --data "$data" "$@" --lambda 1 --out "$dir/m.gnet" --json "$dir/fit.json" --quiet
    times+=("$(grep -o '"load_seconds": *[0-9.e-]*' "$dir/fit.json" | cut -d: -f2)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v f="$data" '{ a[NR] = $1 } END { printf "%s: load_seconds median %.3f (min %.3f, max %.3f, %d runs)\n", f, a[int((NR + 1) / 2)], a[1], a[NR], NR }'
}
load "$dir/X.csv" --target y
if "$g" convert --help > /dev/null 2>&1; then
  s=$(date +%s.%N)
  "$g" convert --data "$dir/X.csv" --target y --out "$dir/X.npy" --quiet
  echo "convert: $(echo "$(date +%s.%N) - $s" | bc) s wall (process start included)"
  load "$dir/X.npy"
fi
