#!/usr/bin/python3
"""Writes the comparison report from bench/work/<case>/results/*.

    report.py WORKDIR OUTFILE CASE [CASE ...]

Per case and tool it reads <tool>.json (the tool's own result, gpuenet: the CLI's --json),
<tool>.time (GNU time -v output), <tool>.rc and <tool>.wall (whole-command wall seconds).
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

TOOLS = ["glmnet", "sklearn", "gpuenet"]


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def load_json(path):
    t = read(path)
    if t is None:
        return None
    try:
        return json.loads(t)
    except ValueError:
        return None


def max_rss_mb(path):
    t = read(path)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t or "")
    return int(m.group(1)) / 1024 if m else None


def machine():
    cpu = "?"
    for line in (read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    m = re.search(r"MemTotal:\s+(\d+) kB", read("/proc/meminfo") or "")
    if m:
        mem = "%.1f GiB" % (int(m.group(1)) / 2**20)
    gpu = "none found"
    try:
        gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip() or gpu
    except (OSError, subprocess.SubprocessError):
        pass
    return cpu, os.cpu_count(), mem, gpu


def gpuenet_view(j):
    """GpuEnet's --json -> (seconds, lambda list, beta_last dict, cv dict)."""
    path = j["paths"][0]
    betas = path.get("beta") or []
    empty = {"index": [], "value": []}
    beta = betas[-1] if betas else empty
    mid = betas[(len(betas) - 1) // 2] if betas else empty
    return (j.get("timing", {}).get("solve_seconds"), path.get("lambda", []), beta,
            path.get("cv"), mid)


def dense(beta, p):
    v = [0.0] * p
    for i, x in zip(beta["index"], beta["value"]):
        v[i] = x
    return v


def reldiff(br, bo):
    scale = max(max((abs(x) for x in br), default=0), 1e-300)
    return max(abs(a - b) for a, b in zip(br, bo)) / scale


def agreement(ref, other):
    """Compare `other` with glmnet at the middle and the last lambda of the path."""
    lr, lo = ref["lam"], other["lam"]
    if not lr or not lo:
        return "-"
    if len(lr) != len(lo):
        return "paths differ in length (%d vs %d λ): fits not compared" % (len(lr), len(lo))
    k = (len(lr) - 1) // 2
    dl = max(abs(lr[i] - lo[i]) / lr[i] for i in range(len(lr)))
    return "mid λ: %.1e, last λ: %.1e (max rel. λ diff %.0e)" % (
        reldiff(ref["mid"], other["mid"]), reldiff(ref["beta"], other["beta"]), dl)


def main():
    work, outfile, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    cpu, ncores, mem, gpu = machine()
    lines = ["# GpuEnet vs glmnet vs scikit-learn", "",
             "- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
             "- machine: %s (%s)" % (platform.node(), platform.platform()),
             "- CPU: %s, %d logical cores; memory %s; GPU: %s" % (cpu, ncores, mem, gpu),
             "- load: %s (1/5/15 min) at report time" % " ".join(
                 (read("/proc/loadavg") or "? ? ?").split()[:3])]
    versions = {}
    body = []
    for case in cases:
        d = os.path.join(work, case)
        meta = load_json(os.path.join(d, "case.json")) or {}
        r = os.path.join(d, "results")
        body += ["", "## %s: %s" % (case, meta.get("description", "")), ""]
        n, p = meta.get("n", 0), meta.get("p", 0)
        body.append("n = %s, p = %s, ρ = %s, nonzero β = %s; X = %.1f MB (float64)" % (
            n, p, meta.get("rho"), meta.get("k"), n * p * 8 / 1e6))
        xmb = n * p * 8 / 1e6
        body += ["", "| tool | status | fit time (s) | ratio to glmnet | whole command (s) | peak RSS (MB) | RSS / X | #λ | agreement with accurate glmnet | CV λ_min |",
                 "|---|---|---|---|---|---|---|---|---|---|"]
        ref = None
        acc = None
        rows = []
        for tool in TOOLS:
            rc = read(os.path.join(r, tool + ".rc"))
            if rc is None:
                continue
            rc = rc.strip()
            j = load_json(os.path.join(r, tool + ".json"))
            wall = read(os.path.join(r, tool + ".wall"))
            rss = max_rss_mb(os.path.join(r, tool + ".time"))
            entry = {"tool": tool, "status": "ok" if rc == "0" and j else "failed (rc %s)" % rc,
                     "wall": float(wall) if wall else None, "rss": rss}
            if entry["status"] == "ok":
                try:
                    if tool == "gpuenet":
                        secs, lam, beta, cv, mid = gpuenet_view(j)
                        versions["gpuenet"] = j.get("version", "(repo HEAD)")
                        entry["device"] = j.get("device")
                    else:
                        secs, lam, beta, cv = j["solve_seconds"], j["lambda"], j["beta_last"], j.get("cv")
                        mid = j.get("beta_mid", {"index": [], "value": []})
                        versions[tool] = j.get("version")
                        if tool == "glmnet":
                            versions["R"] = j.get("r_version")
                        if tool == "sklearn":
                            versions["numpy"] = j.get("numpy")
                    entry.update(secs=secs, lam=lam, beta=dense(beta, p), mid=dense(mid, p), cv=cv)
                except (KeyError, IndexError, TypeError, ValueError) as e:
                    entry["status"] = "failed (unreadable JSON: %s)" % e
            if tool == "glmnet" and entry["status"] == "ok":
                ref = entry
                if j.get("ref"):   # accurate refit (thresh 1e-12) at the same lambdas
                    acc = {"lam": entry["lam"], "beta": dense(j["ref"]["beta_last"], p),
                           "mid": dense(j["ref"]["beta_mid"], p)}
            rows.append(entry)
        for e in rows:
            ok = e["status"] == "ok"
            ratio = "%.2f×" % (e["secs"] / ref["secs"]) if ok and ref and ref["secs"] else "-"
            agree = agreement(acc, e) if ok and acc else "-"
            cvmin = "%.6g" % e["cv"]["lambda_min"] if ok and e.get("cv") else "-"
            name = e["tool"] + (" (%s)" % e["device"] if e.get("device") else "")
            body.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, e["status"], "%.3f" % e["secs"] if ok and e["secs"] is not None else "-",
                ratio, "%.2f" % e["wall"] if e["wall"] is not None else "-",
                "%.0f" % e["rss"] if e["rss"] is not None else "-",
                "%.2f" % (e["rss"] / xmb) if e["rss"] is not None and xmb else "-",
                len(e["lam"]) if ok else "-", agree, cvmin))
    lines.append("- versions: " + ", ".join("%s %s" % kv for kv in sorted(versions.items())))
    lines += ["", "Fit time: wall clock of the fit alone (R: `proc.time` around glmnet/cv.glmnet; "
              "Python: `perf_counter` around standardisation + enet_path/ElasticNetCV; GpuEnet: "
              "`timing.solve_seconds` of its --json). Whole command: wall time including process "
              "start and data loading (GpuEnet's first call is preceded by an untimed build). "
              "Peak RSS: `/usr/bin/time -v` Maximum resident set size of the whole command. "
              "Agreement: max abs coefficient difference from an accurate glmnet refit (thresh 1e-12, same λ, "
              "untimed) at the middle and at the last λ of the path, divided by the largest abs reference "
              "coefficient there (glmnet default thresh 1e-7, sklearn tol 1e-4)."]
    os.makedirs(os.path.dirname(outfile), exist_ok=True)
    with open(outfile, "w") as f:
        f.write("\n".join(lines + body) + "\n")
    print("wrote", outfile)


if __name__ == "__main__":
    main()
