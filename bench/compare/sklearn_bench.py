#!/usr/bin/python3
"""scikit-learn timing for the comparison harness.

    sklearn_bench.py DATADIR fit|cv OUTJSON

Uses glmnet's lambda sequence (DATADIR/lambda_glmnet.txt, so run glmnet first). X is
standardised by its population sd and y centred in Python (that work is inside the timed
region, as glmnet's internal standardisation is inside glmnet's), then
sklearn.linear_model.enet_path(l1_ratio=1, alphas=lambda) - with equal weights on standardised
X sklearn's alpha equals glmnet's lambda. CV: ElasticNetCV(l1_ratio=1, alphas=lambda,
cv=PredefinedSplit(foldid)) on the same standardised X (standardised once on all rows).
Default tolerances (tol=1e-4) as glmnet's default thresh is used on the R side.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNetCV, enet_path
from sklearn.model_selection import PredefinedSplit


def main():
    d, mode, outjson = sys.argv[1], sys.argv[2], sys.argv[3]
    X = np.load(d + "/X.npy")                       # Fortran order, float64
    y = np.loadtxt(d + "/y.txt")
    lam = np.loadtxt(d + "/lambda_glmnet.txt", ndmin=1)
    res = {"tool": "sklearn", "version": sklearn.__version__, "numpy": np.__version__,
           "mode": mode}
    t0 = time.perf_counter()
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    X -= mu
    X /= sd
    ym = y.mean()
    if mode == "fit":
        _, coefs, _ = enet_path(X, y - ym, l1_ratio=1.0, alphas=lam)
        secs = time.perf_counter() - t0
        b = coefs[:, -1] / sd
    else:
        foldid = np.loadtxt(d + "/foldid.txt", dtype=int)
        m = ElasticNetCV(l1_ratio=1.0, alphas=lam, cv=PredefinedSplit(foldid - 1),
                         fit_intercept=True)
        m.fit(X, y)
        secs = time.perf_counter() - t0
        res["cv"] = {"lambda_min": float(m.alpha_)}
        _, coefs, _ = enet_path(X, y - ym, l1_ratio=1.0, alphas=lam)   # untimed, for the check
        b = coefs[:, -1] / sd
    bm = coefs[:, (len(lam) - 1) // 2] / sd          # middle of the path
    nzm = np.nonzero(bm)[0]
    nz = np.nonzero(b)[0]
    res.update({"solve_seconds": secs, "nlambda": int(len(lam)), "lambda": lam.tolist(),
                "a0_last": float(ym - mu @ b),
                "beta_last": {"index": nz.tolist(), "value": b[nz].tolist()},
                "beta_mid": {"index": nzm.tolist(), "value": bm[nzm].tolist()}})
    with open(outjson, "w") as f:
        json.dump(res, f)
    print("sklearn %s: %.3f s" % (mode, secs))


if __name__ == "__main__":
    main()
