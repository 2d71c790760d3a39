#!/usr/bin/python3
"""Generated data for the imputation recovery benchmark: n rows, p features with equicorrelation rho (one shared
factor), k true effects of size 1 on the first k features, y = X b + sigma e, then a share of cells missing
completely at random (never the target). Writes <out>/complete.csv and <out>/missing.csv."""
import sys
import numpy as np

n, p, rho, k, sigma, share, seed, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
rng = np.random.default_rng(seed)
z = rng.standard_normal((n, 1))
x = np.sqrt(rho) * z + np.sqrt(1 - rho) * rng.standard_normal((n, p))
b = np.zeros(p)
b[:k] = 1.0
y = x @ b + sigma * rng.standard_normal(n)
mask = rng.random((n, p)) < share
header = ",".join(["y"] + [f"g{j}" for j in range(p)])
for name, m in (("complete", np.zeros_like(mask)), ("missing", mask)):
    with open(f"{out}/{name}.csv", "w") as f:
        f.write(header + "\n")
        for i in range(n):
            cells = ["" if m[i, j] else repr(float(x[i, j])) for j in range(p)]
            f.write(",".join([repr(float(y[i]))] + cells) + "\n")
