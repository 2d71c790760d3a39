#!/usr/bin/env bash
# Communication volume and memory per rank of `gpuenet cv` under mpirun, K = 1, 2, 3 ranks, on a synthetic PLINK
# fileset (bench/plink/make_bed.c). On a 2-core machine this measures bytes, collectives and peak RSS, not speed-up.
#   bench/mpi/run.sh            environment: N (5000) P (500000) FOLDS (10) RANKS ("1 2 3") MODE (cv, or fit: one path)
#                               MACHINE_TAG (hostname)
# Writes bench/results/mpi-<tag>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
N="${N:-5000}" P="${P:-500000}" FOLDS="${FOLDS:-10}" RANKS="${RANKS:-1 2 3}" MODE="${MODE:-cv}"
tag="${MACHINE_TAG:-$(hostname)}"
work="$root/bench/work/mpi"
mkdir -p "$work"
gcc -O2 -o "$work/make_bed" "$root/bench/plink/make_bed.c" -lm
prefix="$work/geno-${N}x${P}"
[ -f "$prefix.bed" ] || "$work/make_bed" "$prefix" "$N" "$P" 0.02 50 1 2> "$work/gen.log"
./gpuenet --version > /dev/null   # build once, before the ranks start
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 GPUENET_PROFILE=1
out="bench/results/mpi-$tag-${N}x${P}-$MODE.md"
{
  echo "# gpuenet $MODE under mpirun: bytes, collectives and peak RSS per rank"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), OpenMPI $(mpirun --version | head -1 | awk '{print $NF}'),"
  echo "PLINK $N samples × $P variants (.bed $(( $(stat -c %s "$prefix.bed") / 1000000 )) MB, 2 % missing calls), $([ "$MODE" = cv ] && echo "$FOLDS-fold CV" || echo "one path (fit), 100 λ"), l1_ratio 1."
  echo "Ranks share this machine's cores: the wall times are not a speed-up measurement."
  echo
  echo "| ranks | wall s | KKT passes | bytes received by rank 0 | collectives | bytes per pass | peak RSS per rank (MB) | same selection as 1 rank |"
  echo "|---|---|---|---|---|---|---|---|"
  for k in $RANKS; do
    log="$work/k$k.log"
    start=$(date +%s.%N)
    folds=(); [ "$MODE" = cv ] && folds=(--folds "$FOLDS")
    mpirun --oversubscribe -np "$k" /usr/bin/time -f "rss-kb %M" ./gpuenet "$MODE" --data "$prefix.bed" "${folds[@]}" --l1-ratio 1 \
      --out "$work/k$k.gnet" --json "$work/k$k.json" --quiet > "$log" 2>&1
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    passes=$(grep -m1 -o 'passes [0-9]*' "$log" | awk '{print $2}')
    bytes=$(grep -o 'MPI, rank 0 of [0-9]*: [0-9,]* bytes' "$log" | awk '{print $6}' | tr -d , || true)
    colls=$(grep -o 'bytes received in [0-9,]* collectives' "$log" | awk '{print $4}' | tr -d , || true)
    rss=$(grep -o 'rss-kb [0-9]*' "$log" | awk '{printf "%s%d", sep, $2/1024; sep=", "}')
    per=$([ -n "$bytes" ] && echo $(( bytes / passes )) || echo "—")
    same=$(python3 -c "import json,sys; a=json.load(open('$work/k1.json'))['selected']; b=json.load(open('$work/k$k.json'))['selected']; print('yes' if a==b else 'NO')" 2>/dev/null || echo "?")
    echo "| $k | $(printf %.1f "$wall") | $passes | ${bytes:-0} | ${colls:-0} | $per | $rss | $same |"
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
