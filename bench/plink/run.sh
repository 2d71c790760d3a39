#!/usr/bin/env bash
# Memory benchmark on PLINK genotypes: a synthetic N x P .bed (default 5,000 x 500,000, 625 MB, ~2% missing calls,
# phenotype from 50 causal variants), then `gpuenet fit` (100-lambda path, l1_ratio 1) and `gpuenet cv --folds 10`,
# each under /usr/bin/time -v with /proc/<pid>/status sampled every second (VmRSS split into anonymous and file-backed
# pages: the .bed is memory-mapped, so its touched pages count in RSS as RssFile).
# Writes bench/results/plink-<tag>.md (tag: $MACHINE_TAG, else the hostname). Data under bench/work/plink (git-ignored).
# Env: N, P, MISS, CAUSAL, SEED, THREADS (default: all cores), CV_LIMIT_S (default 1200: a longer CV is stopped and
# reported with its last progress line), FIT_LIMIT_S (default 1800).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
N=${N:-5000}; P=${P:-500000}; MISS=${MISS:-0.02}; CAUSAL=${CAUSAL:-50}; SEED=${SEED:-1}
THREADS=${THREADS:-$(nproc)}
CV_LIMIT_S=${CV_LIMIT_S:-1200}; FIT_LIMIT_S=${FIT_LIMIT_S:-1800}
TAG=${MACHINE_TAG:-$(hostname)}
work="$root/bench/work/plink"
mkdir -p "$work" "$root/bench/results"
out="$root/bench/results/plink-$TAG.md"

# ---- data
gcc -O2 -o "$work/make_bed" "$root/bench/plink/make_bed.c" -lm
prefix="$work/geno"
expected=$(( 3 + P * ((N + 3) / 4) ))
stamp="$work/geno.params"
params="N=$N P=$P MISS=$MISS CAUSAL=$CAUSAL SEED=$SEED"
if [ ! -f "$prefix.bed" ] || [ "$(stat -c %s "$prefix.bed")" != "$expected" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$params" ]; then
  echo "generating $prefix.bed ($params)" >&2
  gen_start=$(date +%s.%N)
  "$work/make_bed" "$prefix" "$N" "$P" "$MISS" "$CAUSAL" "$SEED" 2> "$work/gen.log"
  gen_s=$(echo "$(date +%s.%N) - $gen_start" | bc)
  echo "$params" > "$stamp"
  echo "generation_seconds=$gen_s" >> "$work/gen.log"
fi
cat "$work/gen.log" >&2
bed_bytes=$(stat -c %s "$prefix.bed")

# ---- build the CLI before timing anything (the launcher builds on first use)
./gpuenet --help > /dev/null 2>&1 || true

# run NAME LIMIT ARGS...: runs ./gpuenet ARGS under /usr/bin/time -v inside a pseudo-terminal (so the progress line
# is written; it is kept in NAME.progress), sampling /proc/<pid>/status of the dotnet process every second.
run() {
  local name=$1 limit=$2; shift 2
  local dir="$work/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  printf '%s\n' "./gpuenet $*" > "$dir/command"
  uptime > "$dir/load_before"
  local cmd
  cmd="/usr/bin/time -v -o $dir/time.txt timeout -s TERM $limit ./gpuenet $(printf '%q ' "$@")"
  script -qefc "$cmd" "$dir/tty.log" > /dev/null 2>&1 &
  local sp=$!
  # sampler: finds the dotnet process (the newest process whose command line names gpuenet.dll and this run's --out)
  (
    echo -e "t_s\tVmRSS_kB\tRssAnon_kB\tRssFile_kB\tVmHWM_kB\tThreads" > "$dir/rss.tsv"
    local t0 pid=""
    t0=$(date +%s.%N)
    while kill -0 "$sp" 2>/dev/null; do
      if [ -z "$pid" ]; then
        for c in /proc/[0-9]*; do
          if { tr '\0' ' ' < "$c/cmdline"; } 2>/dev/null | grep -q "gpuenet.dll .*$dir/"; then pid=${c#/proc/}; fi
        done
      fi
      if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
        awk -v t="$(echo "$(date +%s.%N) - $t0" | bc)" '
          /^VmRSS:/{r=$2} /^RssAnon:/{a=$2} /^RssFile:/{f=$2} /^VmHWM:/{h=$2} /^Threads:/{th=$2}
          END{if (r != "") printf "%.1f\t%s\t%s\t%s\t%s\t%s\n", t, r, a, f, h, th}' "/proc/$pid/status" >> "$dir/rss.tsv" 2>/dev/null || true
      fi
      sleep 1
    done
  ) &
  local sampler=$!
  wait "$sp" || true
  wait "$sampler" || true
  uptime > "$dir/load_after"
  # last progress line (carriage-return separated)
  tr '\r' '\n' < "$dir/tty.log" | grep -a "solved" | tail -1 > "$dir/progress" || true
  tr '\r' '\n' < "$dir/tty.log" | grep -a -v -e "solved" -e '^Script ' -e '^\s*$' | sed 's/\x1b[^a-zA-Z]*[a-zA-Z=>]//g' | head -8 > "$dir/messages" || true
}

fit_args=(fit --data "$prefix.bed" --target pheno --l1-ratio 1 --threads "$THREADS" --out "$work/fit/m.gnet" --json "$work/fit/fit.json")
cv_args=(cv --data "$prefix.bed" --target pheno --l1-ratio 1 --folds 10 --threads "$THREADS" --out "$work/cv/m.gnet" --json "$work/cv/cv.json")
echo "fit ..." >&2
run fit "$FIT_LIMIT_S" "${fit_args[@]}"
echo "cv ..." >&2
run cv "$CV_LIMIT_S" "${cv_args[@]}"

# ---- report
/usr/bin/python3 "$root/bench/plink/report.py" "$work" "$out" "$bed_bytes" "$params" "$THREADS"
echo "wrote $out" >&2
