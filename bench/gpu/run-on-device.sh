#!/usr/bin/env bash
# CPU vs CUDA end to end on a GPU machine: generates synthetic p >> n data there, runs
# `gpuenet fit` and `gpuenet cv` with --device cpu and --device cuda, and writes a Markdown table to
# $OUT/gpu-vs-cpu.md (raw JSON outputs and logs beside it).
#
# NOT YET RUN: written on a machine without a GPU; the first run on a device may need fixes.
#
# Assumes a self-contained publish at ./.publish/gpuenet (the lead's publish step) and runs from the repository
# root. Needs only bash, awk, grep and sed (no Python, no network). Environment knobs:
#   OUT=dir (default bench/work/gpu)    SIZES="n×p …" as "2000x20000 5000x100000"    FOLDS=10    L1="1,0.5,0.1"
#   PRECISIONS="float64 float32"         SEED=1
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=./.publish/gpuenet
out="${OUT:-bench/work/gpu}"
sizes="${SIZES:-1000x10000 2000x50000 5000x100000}"
folds="${FOLDS:-10}"
l1="${L1:-1,0.5,0.1}"
precisions="${PRECISIONS:-float64 float32}"
seed="${SEED:-1}"
mkdir -p "$out/data" "$out/runs"

if [[ ! -x "$bin" ]]; then
    echo "run-on-device.sh: $bin not found; publish the CLI first" >&2
    exit 2
fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null || echo "nvidia-smi unavailable"; } > "$out/device.txt"
nproc > "$out/cpu-cores.txt"

# y = X·b (10 non-zero coefficients) + noise; columns of mixed mean and scale so standardisation matters.
generate() {
    local n=$1 p=$2 file=$3
    awk -v n="$n" -v p="$p" -v seed="$seed" 'BEGIN {
        srand(seed);
        printf "y"; for (j = 1; j <= p; j++) printf ",x%d", j; printf "\n";
        for (j = 1; j <= p; j++) { mu[j] = rand() * 4 - 2; sd[j] = 0.5 + rand() * 2 }
        for (i = 1; i <= n; i++) {
            y = rand() - 0.5; line = "";
            for (j = 1; j <= p; j++) {
                x = mu[j] + sd[j] * (rand() + rand() + rand() - 1.5);
                if (j <= 10) y += (j % 2 ? 1 : -1) * (11 - j) * 0.1 * x;
                line = line sprintf(",%.6g", x);
            }
            printf "%.6g%s\n", y, line;
        }
    }' > "$file"
}

json_number() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
json_string() { grep -o "\"$2\": *\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*: *"//; s/"$//'; }

table="$out/gpu-vs-cpu.md"
{
    echo "# gpuenet: --device cuda vs --device cpu"
    echo
    echo "GPU: $(cat "$out/device.txt"); CPU cores: $(cat "$out/cpu-cores.txt"); folds $folds; l1_ratio $l1; $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "| n | p | command | precision | device | solve s | wall s | selected lambda |"
    echo "|---|---|---|---|---|---|---|---|"
} > "$table"

for size in $sizes; do
    n="${size%x*}"
    p="${size#*x}"
    data="$out/data/synthetic-$n-$p.csv"
    [[ -f "$data" ]] || generate "$n" "$p" "$data"
    for command in fit cv; do
        for precision in $precisions; do
            for device in cpu cuda; do
                name="$command-$n-$p-$precision-$device"
                extra=()
                [[ "$command" == cv ]] && extra=(--folds "$folds" --l1-ratio "$l1" --seed "$seed")
                start=$(date +%s.%N)
                if "$bin" "$command" --data "$data" --target y --device "$device" --precision "$precision" "${extra[@]}" \
                    --out "$out/runs/$name.model" --json "$out/runs/$name.json" > "$out/runs/$name.log" 2>&1; then
                    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
                    solve=$(json_number "$out/runs/$name.json" solve_seconds)
                    used=$(json_string "$out/runs/$name.json" device)
                    selected=$( [[ "$command" == cv ]] && grep -o '"selected": *{[^}]*}' "$out/runs/$name.json" | grep -o '"lambda": *[-0-9.eE+]*' | sed 's/.*: *//' || echo "-")
                    echo "| $n | $p | $command | $precision | $used | $solve | $wall | ${selected:--} |" >> "$table"
                else
                    echo "| $n | $p | $command | $precision | $device | failed: $(tail -n 1 "$out/runs/$name.log") | | |" >> "$table"
                fi
            done
        done
    done
done
cat "$table"
