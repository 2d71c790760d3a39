#!/usr/bin/env bash
# CPU (SIMD backend) vs GPU (ILGPU's CUDA accelerator) end to end on a GPU machine: generates synthetic p >> n data there, runs `gpuenet fit` and
# `gpuenet cv` with --device cpu and --device cuda, and writes a Markdown table to $OUT/gpu-vs-cpu.md (raw JSON
# outputs and logs beside it).
#
# NOT YET RUN ON A GPU: written on a machine without one; the first run on a device may need fixes.
#
# Runs from the repository root with a self-contained publish at ./.publish/gpuenet, made beforehand with
#   dotnet publish src/Host -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o .publish
# (about 28 MB; src/Host/GpuEnet.Host.csproj roots ILGPU and ILGPU.Trim.xml keeps the BCL members ILGPU looks up by name,
# without which a trimmed ILGPU fails at its first kernel; untrimmed, the publish is 83 MB, more than a device run carries)
# so the device machine needs no .NET. Data: X as a Fortran-order float64 .npy (memory-mapped by gpuenet) and y as
# one value per line, written by python3 + numpy when the machine has them, else by a tiny C program (cc), else
# a CSV by awk (slower to load; the table says which). Environment knobs:
#   OUT=dir (default bench/work/gpu)    SIZES="NxP …" as "2000x20000 5000x100000"    FOLDS=10    L1=1 (cv's list)
#   PRECISIONS="float64 float32"         DEVICES="cpu cuda"                          SEED=1
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=./.publish/gpuenet
out="${OUT:-bench/work/gpu}"
sizes="${SIZES:-1000x10000 2000x50000 5000x100000}"
folds="${FOLDS:-10}"
l1="${L1:-1}"
precisions="${PRECISIONS:-float64 float32}"
devices="${DEVICES:-cpu cuda}"
seed="${SEED:-1}"
mkdir -p "$out/data" "$out/runs"

if [[ ! -x "$bin" ]]; then
    echo "run-on-device.sh: $bin not found; publish the CLI first (see the comment at the top)" >&2
    exit 2
fi
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null || echo "nvidia-smi unavailable"; } > "$out/device.txt"
nproc > "$out/cpu-cores.txt"

# y = X·b (10 non-zero coefficients, alternating sign, decreasing size) + uniform noise; columns of mixed mean and
# scale so standardisation matters. Every generator writes the same kind of problem (not the same numbers).
generator=awk
if command -v python3 > /dev/null && python3 -c "import numpy" 2> /dev/null; then
    generator=numpy
elif command -v cc > /dev/null; then
    generator=c
    cat > "$out/data/gen.c" << 'EOF'
/* gen N P SEED X.npy y.txt: X as a Fortran-order float64 .npy, y one value per line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static uint64_t s;
static double u(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (double)(s >> 11) / 9007199254740992.0; }
int main(int argc, char** argv)
{
    if (argc != 6) return 2;
    long n = atol(argv[1]), p = atol(argv[2]);
    s = 0x9E3779B97F4A7C15ull ^ (uint64_t)atol(argv[3]);
    FILE* fx = fopen(argv[4], "wb");
    FILE* fy = fopen(argv[5], "w");
    if (!fx || !fy) return 1;
    char header[256];
    int len = snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': True, 'shape': (%ld, %ld), }", n, p);
    int total = (10 + len + 1 + 63) / 64 * 64;
    memset(header + len, ' ', total - 10 - len);
    header[total - 10 - 1] = '\n';
    unsigned short hlen = (unsigned short)(total - 10);
    fwrite("\x93NUMPY\x01\x00", 1, 8, fx);
    fputc(hlen & 0xff, fx);
    fputc(hlen >> 8, fx);
    fwrite(header, 1, hlen, fx);
    double* y = malloc(sizeof(double) * n);
    double* col = malloc(sizeof(double) * n);
    for (long i = 0; i < n; i++) y[i] = u() - 0.5;
    for (long j = 0; j < p; j++) {
        double mu = u() * 4 - 2, sd = 0.5 + u() * 2;
        double b = j < 10 ? ((j % 2) ? -1 : 1) * (10 - j) * 0.1 : 0;
        for (long i = 0; i < n; i++) {
            col[i] = mu + sd * (u() + u() + u() - 1.5);
            y[i] += b * col[i];
        }
        fwrite(col, sizeof(double), n, fx);
    }
    for (long i = 0; i < n; i++) fprintf(fy, "%.17g\n", y[i]);
    return fclose(fx) | fclose(fy);
}
EOF
    cc -O2 -o "$out/data/gen" "$out/data/gen.c"
fi

# generate N P: prints the gpuenet data arguments for that size (creating the files once).
generate() {
    local n=$1 p=$2 base="$out/data/synthetic-$1-$2"
    case "$generator" in
        numpy)
            [[ -f "$base.npy" ]] || python3 - "$n" "$p" "$seed" "$base.npy" "$base.y.txt" << 'EOF'
import sys
import numpy as np
n, p, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
mu = rng.uniform(-2, 2, p)
sd = rng.uniform(0.5, 2.5, p)
x = np.asfortranarray(mu + sd * rng.uniform(-1.5, 1.5, (n, p)) / np.sqrt(3))
b = np.zeros(p)
b[:10] = [(-1 if j % 2 else 1) * (10 - j) * 0.1 for j in range(10)]
y = x @ b + rng.uniform(-0.5, 0.5, n)
np.save(sys.argv[4], x)  # Fortran order is kept, so gpuenet memory-maps it
np.savetxt(sys.argv[5], y, fmt="%.17g")
EOF
            echo "--data $base.npy --target-file $base.y.txt" ;;
        c)
            [[ -f "$base.npy" ]] || "$out/data/gen" "$n" "$p" "$seed" "$base.npy" "$base.y.txt"
            echo "--data $base.npy --target-file $base.y.txt" ;;
        awk)
            [[ -f "$base.csv" ]] || awk -v n="$n" -v p="$p" -v seed="$seed" 'BEGIN {
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
            }' > "$base.csv"
            echo "--data $base.csv --target y" ;;
    esac
}

json_number() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
json_string() { grep -o "\"$2\": *\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*: *"//; s/"$//'; }

table="$out/gpu-vs-cpu.md"
{
    echo "# gpuenet: --device cuda vs --device cpu"
    echo
    echo "GPU: $(cat "$out/device.txt"); CPU cores: $(cat "$out/cpu-cores.txt"); data by $generator; fit l1_ratio 1;"
    echo "cv $folds folds, l1_ratio $l1; $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "| n | p | command | precision | device | solve s | wall s | selected lambda |"
    echo "|---|---|---|---|---|---|---|---|"
} > "$table"

for size in $sizes; do
    n="${size%x*}"
    p="${size#*x}"
    read -r -a data <<< "$(generate "$n" "$p")"
    for command in fit cv; do
        for precision in $precisions; do
            for device in $devices; do
                name="$command-$n-$p-$precision-$device"
                if [[ "$command" == fit ]]; then
                    extra=(--l1-ratio 1)
                else
                    extra=(--l1-ratio "$l1" --folds "$folds" --seed "$seed")
                fi
                start=$(date +%s.%N)
                if "$bin" "$command" "${data[@]}" "${extra[@]}" --device "$device" --precision "$precision" \
                    --out "$out/runs/$name.gnet" --json "$out/runs/$name.json" --quiet > "$out/runs/$name.log" 2>&1; then
                    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
                    solve=$(json_number "$out/runs/$name.json" solve_seconds)
                    used=$(json_string "$out/runs/$name.json" device)
                    selected=$(grep -o '"selected": *{[^}]*}' "$out/runs/$name.json" | grep -o '"lambda": *[-0-9.eE+]*' | sed 's/.*: *//' || true)
                    echo "| $n | $p | $command | $precision | $used | $solve | $wall | ${selected:--} |" >> "$table"
                else
                    echo "| $n | $p | $command | $precision | $device | failed: $(tail -n 1 "$out/runs/$name.log" | tr '|' '/') | | |" >> "$table"
                fi
            done
        done
    done
done
cat "$table"
