#!/usr/bin/python3
"""Simulated data of Friedman, Hastie & Tibshirani (2010, JSS, section 5.1), seeded.

    gen_data.py OUTDIR N P RHO K SEED [binomial]

X: Gaussian, equal pairwise correlation RHO (X = sqrt(rho) z 1' + sqrt(1-rho) E).
beta_j = (-1)^j exp(-2 (j-1) / 20) for j = 1..K, 0 beyond. y = X beta + sigma eps with sigma
chosen so that the signal-to-noise ratio Var(x'beta) / sigma^2 = 3 (population value).
With `binomial`, y is instead a 0/1 draw from the logistic model P(y = 1) = 1 / (1 + exp(-2 f / sd(f))), f = X beta
(the same X and beta). Writes OUTDIR/X.npy (float64, Fortran order, npy 1.0), y.txt, y.npy, foldid.txt (10 folds).
Generated in column blocks, so memory stays ~ size of X.
"""
import os
import sys

import numpy as np


def main():
    out, n, p, rho, k, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    binomial = len(sys.argv) > 7 and sys.argv[7] == "binomial"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    j = np.arange(1, k + 1)
    beta = np.zeros(p)
    beta[:k] = (-1.0) ** j * np.exp(-2.0 * (j - 1) / 20.0)
    # Var(x'beta) = rho (sum beta)^2 + (1 - rho) ||beta||^2
    signal_var = rho * beta.sum() ** 2 + (1 - rho) * (beta ** 2).sum()
    sigma = np.sqrt(signal_var / 3.0)
    z = rng.standard_normal(n)
    X = np.lib.format.open_memmap(os.path.join(out, "X.npy"), mode="w+", dtype="<f8",
                                  shape=(n, p), fortran_order=True, version=(1, 0))
    f = np.zeros(n)
    block = max(1, min(p, 2_000_000 // max(n, 1)))
    a, b = np.sqrt(rho), np.sqrt(1.0 - rho)
    for s in range(0, p, block):
        e = min(p, s + block)
        E = rng.standard_normal((n, e - s))
        Xb = a * z[:, None] + b * E
        X[:, s:e] = Xb
        f += Xb @ beta[s:e]
    X.flush()
    del X
    y = f + sigma * rng.standard_normal(n)
    if binomial:
        eta = 2.0 * (f - f.mean()) / f.std()
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    np.save(os.path.join(out, "y.npy"), y)
    with open(os.path.join(out, "y.txt"), "w") as fh:
        fh.write("\n".join("%.17g" % v for v in y) + "\n")
    foldid = rng.permutation(np.arange(n) % 10 + 1)
    with open(os.path.join(out, "foldid.txt"), "w") as fh:
        fh.write("\n".join(str(v) for v in foldid) + "\n")
    print("generated n=%d p=%d rho=%g k=%d sigma=%.4g (%.1f MB)" %
          (n, p, rho, k, sigma, n * p * 8 / 1e6))


if __name__ == "__main__":
    main()
