"""Benchmark of the dependence report of ``skunlearn.diagnostics``.

Fits ``skunlearn.LogisticRegression`` on synthetic data (n = 100,000 rows,
d = 100 features, a linear signal with logistic noise) and times
``dependence_report`` for a random forget set of 1,000 rows: the median of a
few runs after one warm-up, with the time of each piece (cross-influence,
alignment, harm test, feature similarity, MMD) measured separately on a fresh
split. ``--quick`` runs n = 20,000 with |F| = 200.

Run ``python benchmarks/bench_diagnostics.py`` (full, about a minute with the
fit) or ``--quick``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression  # noqa: E402
from skunlearn.diagnostics import dependence_report, feature_similarity, mmd_test  # noqa: E402
from skunlearn.diagnostics._ascent_harm import _ascent_harm, _gradient_alignment  # noqa: E402
from skunlearn.diagnostics._cross_influence import _cross_influence  # noqa: E402
from skunlearn.diagnostics._forget_split import ForgetSplit  # noqa: E402


def make_problem(n, d, n_forget, seed=0):
    """Synthetic binary data, a fitted model and a random forget set."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) / np.sqrt(d) + rng.logistic(size=n) > 0).astype(int)
    start = time.perf_counter()
    model = LogisticRegression(C=1.0).fit(X, y)
    fit_seconds = time.perf_counter() - start
    forget = np.sort(rng.choice(n, n_forget, replace=False))
    return model, X, y, forget, fit_seconds


def time_pieces(model, X_forget, y_forget):
    """Seconds of each piece of the report, in the order the report runs them."""
    times = {}
    start = time.perf_counter()
    split = ForgetSplit(model, X_forget, y_forget)
    retain = split.problem.X[split.retain_sample_weight > 0]
    times["split + retain copy"] = time.perf_counter() - start
    pieces = {
        "cross-influence (gradient Gram + Hessian)": lambda: _cross_influence(split),
        "gradient alignment": lambda: _gradient_alignment(split),
        "ascent harm test": lambda: _ascent_harm(split),
        "feature similarity": lambda: feature_similarity(X_forget, retain),
        "MMD test": lambda: mmd_test(X_forget, retain),
    }
    for name, run in pieces.items():
        start = time.perf_counter()
        run()
        times[name] = time.perf_counter() - start
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 20,000, |F| = 200")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (median shown)")
    args = parser.parse_args(argv)
    n, d, n_forget = (20_000, 100, 200) if args.quick else (100_000, 100, 1_000)
    model, X, y, forget, fit_seconds = make_problem(n, d, n_forget)
    X_f, y_f = X[forget], y[forget]
    print(f"n = {n:,}, d = {d}, |F| = {n_forget:,}; fit {fit_seconds:.2f} s")
    dependence_report(model, X_f, y_f)  # warm-up: kernels load from numba's cache
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        report = dependence_report(model, X_f, y_f)
        runs.append(time.perf_counter() - start)
    print(
        f"dependence_report: median {np.median(runs):.3f} s over {args.repeats} runs "
        f"(min {min(runs):.3f} s, max {max(runs):.3f} s)"
    )
    for name, seconds in time_pieces(model, X_f, y_f).items():
        print(f"  {name:<44}{seconds:8.3f} s")
    print()
    print(report)


if __name__ == "__main__":
    main()
