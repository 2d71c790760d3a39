#!/usr/bin/env bash
# End-to-end comparison of GpuEnet with glmnet (R) and scikit-learn.
#
#   bench/compare/run.sh [small|issue2|issue3|all|<case>...] [--with-sklearn] [--tag NAME]
#
# Cases (data: glmnet JSS 2010 simulation, seeded; see gen_data.py):
#   small       = small_fit + small_cv  n=100,  p=2,000,   rho=0.5,  lasso 100 lambda (+ 10-fold CV)
#   issue2      = issue2_a  n=100,  p=50,000,  rho=0.95, lasso 100 lambda
#               + issue2_b  n=1000, p=100,000, rho=0.5,  50 nonzero, lasso 100 lambda
#   issue3      = issue3_a  n=100,  p=20,000,  rho=0.5,  10-fold CV, 100 lambda
#               + issue3_b  n=1000, p=100,000, rho=0.5,  50 nonzero, 10-fold CV, 100 lambda
#   binomial    = bin_fit   n=1000, p=100,000, rho=0.5,  50 nonzero, logistic lasso path, 100 lambda
#               + bin_cv    the same data, 10-fold CV (deviance), 100 lambda
# scikit-learn runs on the small cases always, elsewhere only with --with-sklearn (minutes).
# Data go to bench/work/ (git-ignored); the report to bench/results/<tag>-compare.md
# (tag: --tag, else $MACHINE_TAG, else the hostname).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$ROOT/bench/work"
PY=/usr/bin/python3
TAG=${MACHINE_TAG:-$(hostname)}
WITH_SKLEARN=0
CASES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with-sklearn) WITH_SKLEARN=1 ;;
    --tag) TAG="$2"; shift ;;
    small) CASES+=(small_fit small_cv) ;;
    issue2) CASES+=(issue2_a issue2_b) ;;
    issue3) CASES+=(issue3_a issue3_b) ;;
    binomial) CASES+=(bin_fit bin_cv) ;;
    all) CASES+=(small_fit small_cv issue2_a issue2_b issue3_a issue3_b bin_fit bin_cv) ;;
    small_fit|small_cv|issue2_a|issue2_b|issue3_a|issue3_b|bin_fit|bin_cv) CASES+=("$1") ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#CASES[@]} -eq 0 ] && CASES=(small_fit small_cv)

# ---- prerequisites (Debian packages; needs root) ----
need=()
command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("glmnet", quietly = TRUE))' >/dev/null 2>&1 \
  || need+=(r-base-core r-cran-glmnet)
"$PY" -c 'import numpy, sklearn' 2>/dev/null || need+=(python3-numpy python3-sklearn)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" != 0 ]; then echo "run as root (or install: apt-get install -y ${need[*]})" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq && \
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null || { echo "apt-get failed" >&2; exit 1; }
fi

# case -> "data-set n p rho k mode sklearn-by-default description"
spec() {
  case "$1" in
    small_fit) echo "small 100 2000 0.5 2000 fit 1 lasso path, 100 λ" ;;
    small_cv)  echo "small 100 2000 0.5 2000 cv 1 10-fold CV, 100 λ" ;;
    issue2_a)  echo "n100_p50k 100 50000 0.95 50000 fit 0 lasso path, 100 λ" ;;
    issue2_b)  echo "n1000_p100k 1000 100000 0.5 50 fit 0 lasso path, 100 λ" ;;
    issue3_a)  echo "n100_p20k 100 20000 0.5 20000 cv 0 10-fold CV, 100 λ" ;;
    issue3_b)  echo "n1000_p100k 1000 100000 0.5 50 cv 0 10-fold CV, 100 λ" ;;
    bin_fit)   echo "n1000_p100k_bin 1000 100000 0.5 50 fit 0 binomial lasso path, 100 λ" ;;
    bin_cv)    echo "n1000_p100k_bin 1000 100000 0.5 50 cv 0 binomial 10-fold CV (deviance), 100 λ" ;;
  esac
}

# run_tool CASEDIR TOOL CMD... : GNU time -v around the whole command, wall clock, exit code
run_tool() {
  local res="$1/results" tool="$2"; shift 2
  local t0 t1 rc
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$res/$tool.time" "$@" >"$res/$tool.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  echo "$rc" >"$res/$tool.rc"
  echo "$t1 - $t0" | bc -l 2>/dev/null >"$res/$tool.wall" || "$PY" -c "print($t1 - $t0)" >"$res/$tool.wall"
  [ -s "$res/$tool.wall" ] || "$PY" -c "print($t1 - $t0)" >"$res/$tool.wall"
  if [ "$rc" = 0 ]; then echo "  $tool: ok ($(tail -1 "$res/$tool.log"))"
  else echo "  $tool: FAILED (rc $rc; log: $res/$tool.log)"; tail -3 "$res/$tool.log" | sed 's/^/      /'; fi
}

GPUENET_READY=""
gpuenet_build() {
  [ -n "$GPUENET_READY" ] && return
  GPUENET_READY=no
  if [ -x "$ROOT/gpuenet" ]; then
    echo "building GpuEnet (untimed warm-up: ./gpuenet --help)"
    (cd "$ROOT" && ./gpuenet --help >/dev/null 2>&1) && GPUENET_READY=yes
  fi
}

mkdir -p "$WORK"
for c in "${CASES[@]}"; do
  read -r ds n p rho k mode skdef desc <<<"$(spec "$c")"
  family=gaussian
  case "$ds" in *_bin) family=binomial ;; esac
  data="$WORK/data_$ds"
  cdir="$WORK/$c"
  mkdir -p "$cdir/results"; rm -f "$cdir"/results/*
  echo "== $c: n=$n p=$p rho=$rho k=$k $desc"
  if [ ! -s "$data/X.npy" ] || [ ! -s "$data/y.txt" ]; then
    seed=$(( 20100 + ${#ds} * 7 + n % 97 ))
    "$PY" "$HERE/gen_data.py" "$data" "$n" "$p" "$rho" "$k" "$seed" $family || exit 1
  fi
  printf '{"case": "%s", "description": "%s", "n": %s, "p": %s, "rho": %s, "k": %s, "mode": "%s", "family": "%s", "data": "%s"}\n' \
    "$c" "$desc" "$n" "$p" "$rho" "$k" "$mode" "$family" "$data" >"$cdir/case.json"

  run_tool "$cdir" glmnet Rscript "$HERE/glmnet_bench.R" "$data" "$mode" "$cdir/results/glmnet.json" "$family"

  if [ "$family" = gaussian ] && { [ "$skdef" = 1 ] || [ "$WITH_SKLEARN" = 1 ]; }; then
    if [ -s "$data/lambda_glmnet.txt" ]; then
      run_tool "$cdir" sklearn "$PY" "$HERE/sklearn_bench.py" "$data" "$mode" "$cdir/results/sklearn.json"
    else echo "  sklearn: skipped (needs glmnet's lambda sequence)"; fi
  fi

  gpuenet_build
  if [ "$GPUENET_READY" = yes ]; then
    if [ "$mode" = fit ]; then
      args=(fit --data "$data/X.npy" --target-file "$data/y.txt" --l1-ratio 1 --nlambda 100 --family "$family")
    else
      args=(cv --data "$data/X.npy" --target-file "$data/y.txt" --foldid "$data/foldid.txt" --l1-ratio 1 --family "$family")
    fi
    (cd "$ROOT" && run_tool "$cdir" gpuenet ./gpuenet "${args[@]}" --out "$cdir/m.gnet" --json "$cdir/results/gpuenet.json")
  else
    echo "  gpuenet: FAILED (./gpuenet missing or does not build)"
    echo 127 >"$cdir/results/gpuenet.rc"
  fi
done

out="$ROOT/bench/results/${TAG}-compare.md"
"$PY" "$HERE/report.py" "$WORK" "$out" "${CASES[@]}"
