#!/usr/bin/python3
"""The CSV of issue 17's load measurement: the glmnet JSS design (as bench/compare/gen_data.py) written as text.

    make_csv.py OUT.csv N P RHO SEED

Header y,x1..xP; one row per sample; every value at '%.17g' (what numpy.savetxt and R's write.csv with 17 digits
write), so n = 100, p = 50,000 is about 102 MB. Pure Python (no numpy needed); seeded.
"""
import math
import random
import sys


def main():
    out, n, p, rho, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(seed)
    k = 20
    beta = [(-1.0) ** j * math.exp(-2.0 * (j - 1) / 20.0) for j in range(1, k + 1)]
    a, b = math.sqrt(rho), math.sqrt(1.0 - rho)
    gauss = rng.gauss
    with open(out, "w") as fh:
        fh.write("y," + ",".join("x%d" % (j + 1) for j in range(p)) + "\n")
        for _ in range(n):
            z = gauss(0.0, 1.0)
            row = [a * z + b * gauss(0.0, 1.0) for _ in range(p)]
            y = sum(beta[j] * row[j] for j in range(k)) + gauss(0.0, 1.0)
            fh.write("%.17g," % y + ",".join(["%.17g" % v for v in row]) + "\n")


if __name__ == "__main__":
    main()
