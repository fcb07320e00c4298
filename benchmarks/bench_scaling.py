"""Scaling of unlearning: time against n and k, memory against the size of X, and CSR.

1. ``unlearn`` (``newton``) time against n at k = 100 and against k at fixed n, for
   dense logistic regression and ridge with d = 100. Medians over copies of one
   fitted model; the last column is the time relative to the first row.
2. Peak memory of ``fit`` and of ``unlearn`` (k = 100) against the size of X, each
   size in a fresh process: tracemalloc's peak above what was allocated before the
   phase, and the peak resident set (VmHWM, reset before each phase through
   ``/proc/self/clear_refs``) above the resident set before it; plus the process's
   ``resource`` max RSS (data, stored copy and model together). ``fit`` keeps a
   copy of X (O(n d)); ``unlearn`` must stay O(k d + d^2) (plus a float or two per
   row for the retain weights), not O(n d).
3. The CSR case: logistic regression on n x 1e4 rows of density 1e-3; skunlearn's
   ``newton`` unlearning of 100 rows and of 1% of n (``--quick``: 100 rows only)
   against scikit-learn refits on the remaining rows (cold lbfgs at tol 1e-10, lbfgs
   warm-started from the original coefficients at tol 1e-10, lbfgs at the default
   tol). Each result is scored by ``||w - w_oracle|| / ||w_original - w_oracle||``;
   the oracle is a cold skunlearn fit at tol 1e-13 (L-BFGS polished by Newton-CG),
   whose gradient (per-sample-mean units) is printed.

Run ``python benchmarks/bench_scaling.py`` (n up to 1e6; several minutes) or
``--quick`` (CI, under a minute).
"""

import argparse
import copy
import json
import re
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn import linear_model as sk

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn._solvers import scaled_gradient_norm  # noqa: E402

D = 100
MODELS = {"logistic": LogisticRegression, "ridge": Ridge}


def dense_data(kind, n, d=D, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    z = X @ (rng.normal(size=d) * 2 / np.sqrt(d))
    if kind == "logistic":
        return X, (z + rng.logistic(size=n) > 0).astype(int)
    return X, z + rng.normal(size=n)


def sparse_data(n, d, density, seed=0):
    """Entries at uniform random positions (a repeated position sums), normal values."""
    rng = np.random.default_rng(seed)
    nnz = int(n * d * density)
    entries = (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, d, nnz)))
    X = sp.csr_matrix(entries, shape=(n, d))
    z = X @ (rng.normal(size=d) * 3 / np.sqrt(d * density))
    return X, (z + rng.logistic(size=n) > 0).astype(int)


def median_unlearn(model, X_forget, repeat, y_forget=None):
    """Median seconds of ``unlearn`` on fresh copies of a fitted model, and the last copy."""
    times, result = [], None
    for _ in range(repeat):
        result = copy.deepcopy(model)
        start = time.perf_counter()
        result.unlearn(X_forget, y_forget)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def timing_rows(kind, sizes, ks, repeat):
    """(n, k, fit seconds, unlearn seconds) for every n in sizes and k in ks."""
    rows = []
    for n in sizes:
        X, y = dense_data(kind, n)
        start = time.perf_counter()
        model = MODELS[kind]().fit(X, y)
        fit_seconds = time.perf_counter() - start
        rng = np.random.default_rng(1)
        for k in ks:
            forget = rng.choice(n, size=k, replace=False)
            seconds, _ = median_unlearn(model, X[forget], repeat)
            rows.append((n, k, fit_seconds, seconds))
    return rows


def print_timing(title, kind, rows):
    print(f"\n{title} ({kind}, d={D}, newton unlearner, median)")
    print(f"{'n':>10}{'k':>8}{'fit [s]':>10}{'unlearn [ms]':>15}{'vs first':>10}")
    first = rows[0][3]
    for n, k, fit_seconds, seconds in rows:
        print(f"{n:>10}{k:>8}{fit_seconds:>10.2f}{1e3 * seconds:>15.2f}{seconds / first:>9.1f}x")


def _vm_hwm():
    """Peak resident set (kB) since the last reset, or None where /proc is missing."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1))


def _vm_rss():
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _reset_hwm():
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _measure(phase):
    """Run ``phase``; tracemalloc peak and peak-RSS increase above the start, in bytes."""
    tracemalloc.reset_peak()
    traced_before = tracemalloc.get_traced_memory()[0]
    resettable = _reset_hwm()
    rss_before = _vm_rss()
    phase()
    traced_peak = tracemalloc.get_traced_memory()[1] - traced_before
    rss_peak = 1024 * (_vm_hwm() - rss_before) if resettable else float("nan")
    return traced_peak, rss_peak


def memory_child(kind, n, k):
    """In a fresh process: memory of fit and unlearn for one size; prints JSON."""
    X, y = dense_data(kind, n)
    forget = X[np.random.default_rng(1).choice(n, size=k, replace=False)]
    model = MODELS[kind]()
    tracemalloc.start()
    fit = _measure(lambda: model.fit(X, y))
    unlearn = _measure(lambda: model.unlearn(forget))
    tracemalloc.stop()
    max_rss = 1024 * resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"x": X.nbytes, "fit": fit, "unlearn": unlearn, "max_rss": max_rss}))


def memory_rows(kind, sizes, k):
    rows = []
    for n in sizes:
        command = [sys.executable, __file__, "--memory-child", kind, str(n), str(k)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rows.append((n, json.loads(output.strip().splitlines()[-1])))
    return rows


def print_memory(kind, rows, k):
    mb = 2.0**20
    print(f"\nPeak memory above the start of each phase ({kind}, d={D}, unlearn k={k}), MiB")
    header = ["n", "X", "fit traced", "fit RSS", "unlearn traced", "unlearn RSS", "/ X", "max RSS"]
    widths = [10, 9, 12, 10, 16, 13, 8, 10]
    print("".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for n, r in rows:
        values = [
            f"{n}",
            f"{r['x'] / mb:.1f}",
            f"{r['fit'][0] / mb:.1f}",
            f"{r['fit'][1] / mb:.1f}",
            f"{r['unlearn'][0] / mb:.2f}",
            f"{r['unlearn'][1] / mb:.2f}",
            f"{r['unlearn'][0] / r['x']:.4f}",
            f"{r['max_rss'] / mb:.0f}",
        ]
        print("".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)))
    kd = (k * D + D * D) * 8 / mb
    print(f"(k d + d^2 float64 = {kd:.2f} MiB; one float per row = n * 8 bytes)")


def params(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def sklearn_refit(tol, warm_from=None):
    model = sk.LogisticRegression(solver="lbfgs", tol=tol, max_iter=10_000)
    if warm_from is not None:
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = warm_from.coef_.copy(), warm_from.intercept_.copy()
    return model


def csr_rows(n, d, density, ks, repeat):
    X, y = sparse_data(n, d, density)
    start = time.perf_counter()
    original = LogisticRegression().fit(X, y)
    fit_seconds = time.perf_counter() - start
    print(f"\nCSR logistic n={n:.0e} d={d:.0e} density={density:g} nnz={X.nnz:.2e}: ", end="")
    print(f"skunlearn fit {fit_seconds:.1f} s")
    rng = np.random.default_rng(3)
    rows = []
    for k in ks:
        forget = rng.choice(n, size=k, replace=False)
        keep = np.setdiff1d(np.arange(n), forget)
        X_keep, y_keep = X[keep], y[keep]
        oracle_model = LogisticRegression(tol=1e-13).fit(X_keep, y_keep)
        objective = oracle_model._training_objective()
        gradient = scaled_gradient_norm(objective, objective.value_grad(oracle_model._theta())[1])
        oracle = params(oracle_model)
        effect = np.linalg.norm(params(original) - oracle)
        label = f"k={k} (oracle grad {gradient:.0e})"
        # y_forget: at this size some rows repeat (empty ones) with different labels
        seconds, model = median_unlearn(original, X[forget], repeat, y[forget])
        rows.append((label, "skunlearn newton", seconds, params(model), oracle, effect))
        refits = {
            "sklearn lbfgs cold 1e-10": sklearn_refit(1e-10),
            "sklearn lbfgs warm 1e-10": sklearn_refit(1e-10, original),
            "sklearn lbfgs default tol": sklearn_refit(1e-4),
        }
        for name, refit in refits.items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                refit.fit(X_keep, y_keep)
            seconds = time.perf_counter() - start
            rows.append((label, name, seconds, params(refit), oracle, effect))
    return rows


def print_csr(rows):
    print(f"{'forget set':<28}{'method':<28}{'time [s]':>10}{'vs newton':>11}{'dist/effect':>13}")
    newton = {label: seconds for label, method, seconds, *_ in rows if "newton" in method}
    for label, method, seconds, theta, oracle, effect in rows:
        distance = np.linalg.norm(theta - oracle) / effect
        ratio = seconds / newton[label]
        print(f"{label:<28}{method:<28}{seconds:>10.3f}{ratio:>10.1f}x{distance:>13.2e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--memory-child", nargs=3, metavar=("KIND", "N", "K"), help="internal")
    args = parser.parse_args(argv)
    if args.memory_child:
        kind, n, k = args.memory_child
        return memory_child(kind, int(n), int(k))
    if args.quick:
        sizes, fixed_n, ks = [10**4, 3 * 10**4, 10**5], 3 * 10**4, [1, 100, 1000]
        memory_sizes, csr_n, csr_ks = [10**4, 10**5], 10**5, [100]
    else:
        sizes, fixed_n, ks = [10**4, 10**5, 10**6], 10**5, [1, 10, 100, 1000, 10**4]
        memory_sizes, csr_n, csr_ks = [10**4, 10**5, 10**6], 10**6, [100, 10**4]
    repeat = 3
    for kind in MODELS:  # first, while this process is small: children inherit its max RSS
        print_memory(kind, memory_rows(kind, memory_sizes, 100), 100)
    for kind in MODELS:
        by_n = timing_rows(kind, sizes, [100], repeat)
        print_timing("Unlearn time against n at k=100", kind, by_n)
        by_k = timing_rows(kind, [fixed_n], ks, repeat)
        print_timing(f"Unlearn time against k at n={fixed_n}", kind, by_k)
    print_csr(csr_rows(csr_n, 10**4, 1e-3, csr_ks, repeat))


if __name__ == "__main__":
    main()
