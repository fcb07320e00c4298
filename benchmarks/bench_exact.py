"""What exactness costs: stable row removal, Gram recomputation, canonical finalization.

Three measurements behind the privacy guarantee (README, "Privacy"):

1. Row stores: stable removal (the remaining rows keep their order) of ``k``
   rows from a dense store and a CSR store of ``n`` rows, d = 100, including
   the hash index update; the lookup that precedes it.
2. Ridge (d = 100): one unlearning with the Gram statistics recomputed from the
   remaining rows (the default; what ``fit`` computes), against the O(k d^2)
   downdate it replaced (Chan et al.'s update run backwards, then the solve) and
   against scikit-learn's ``Ridge`` refit on the remaining rows.
3. Logistic regression (d = 100): ``newton`` unlearning split into the Newton
   iterations and the canonical finalization (polish, rounding, one Newton
   step), against scikit-learn's ``newton-cholesky`` refit at tol=1e-12; and the
   rate at which the canonical rounding lands differently for two histories (a
   fit on the remaining rows against a fit on all rows followed by an
   unlearning), over many small random problems.

Run ``python benchmarks/bench_exact.py`` (n = 1e5 and 1e6; a few minutes) or
``--quick`` (n = 2e4 and fewer trials).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn import linear_model as sk

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import skunlearn._solvers._budget as budget  # noqa: E402
from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn._solvers import GramStatistics  # noqa: E402
from skunlearn.unlearners import Newton  # noqa: E402
from skunlearn.utils import SparseTrainingRows, TrainingRows  # noqa: E402


def seconds(run, repeat=3):
    """Median wall time of ``run()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def row_stores(n, d, ks):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    sparse = sp.random(n, d, density=0.1, format="csr", random_state=0, dtype=np.float64)
    print(f"\n1. Stable removal, n = {n:,}, d = {d} (dense) / density 0.1 (CSR)")
    print(f"{'store':<8}{'k':>6}{'lookup [ms]':>14}{'removal [ms]':>15}{'rows/s moved':>15}")
    for name, data in (("dense", X), ("CSR", sparse)):
        cls = TrainingRows if name == "dense" else SparseTrainingRows
        for k in ks:
            rows = cls(data, np.zeros(n), np.ones(n))
            rows.find(data[n - 1 : n])  # builds the index, as the first unlearn does
            positions = np.sort(rng.choice(n // 10, k, replace=False))  # near the front
            forget = data[positions]
            start = time.perf_counter()
            found = rows.find(forget)
            lookup = time.perf_counter() - start
            start = time.perf_counter()
            rows.remove(found)
            removal = time.perf_counter() - start
            moved = n - positions[0]
            print(
                f"{name:<8}{k:>6}{1e3 * lookup:>14.1f}{1e3 * removal:>15.1f}"
                f"{moved / removal:>15.3g}"
            )


def old_downdate(gram, X, Y, w):
    """The downdate skunlearn used before: Chan et al.'s pairwise update run backwards."""
    part = GramStatistics.from_rows(X, Y, w, True)
    weight = gram.weight - part.weight
    x_mean = (gram.weight * gram.x_mean - part.weight * part.x_mean) / weight
    y_mean = (gram.weight * gram.y_mean - part.weight * part.y_mean) / weight
    dx, dy = part.x_mean - x_mean, part.y_mean - y_mean
    factor = weight * part.weight / gram.weight
    xx = gram.xx - part.xx - factor * np.outer(dx, dx)
    xy = gram.xy - part.xy - factor * np.outer(dx, dy)
    return GramStatistics(weight, x_mean, y_mean, (xx + xx.T) / 2, xy, True)


def ridge(n, d, k):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    forget = rng.choice(n, k, replace=False)
    keep = np.setdiff1d(np.arange(n), forget)
    model = Ridge().fit(X, y)
    gram = model._warm_state
    Y, w = y[:, None], np.ones(n)
    rows = (X[keep], Y[keep], w[keep])
    t_fit = seconds(lambda: Ridge().fit(X, y), 1)
    t_unlearn = seconds(lambda: model.unlearn(X[forget]), 1)
    t_recompute = seconds(lambda: GramStatistics.from_rows(*rows, True))
    t_down = seconds(lambda: old_downdate(gram, X[forget], Y[forget], w[forget]).solve(1.0))
    t_sklearn = seconds(lambda: sk.Ridge(alpha=1.0).fit(X[keep], y[keep]), 1)
    print(
        f"{n:>10,}{k:>5}{1e3 * t_fit:>10.0f}{1e3 * t_unlearn:>13.0f}{1e3 * t_recompute:>14.0f}"
        f"{1e3 * t_down:>13.2f}{1e3 * t_sklearn:>13.0f}"
    )


def logistic(n, d, k):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, d))
    y = (X @ (rng.normal(size=d) / np.sqrt(d)) + rng.logistic(size=n) > 0).astype(int)
    forget = rng.choice(n, k, replace=False)
    keep = np.setdiff1d(np.arange(n), forget)
    model = LogisticRegression().fit(X, y)
    problem = model._unlearning_problem(X[forget])
    t_newton = seconds(lambda: Newton().run(problem), 1)
    t_unlearn = seconds(lambda: model.unlearn(X[forget]), 1)
    oracle = sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=100)
    t_sklearn = seconds(lambda: oracle.fit(X[keep], y[keep]), 1)
    print(
        f"{n:>10,}{k:>5}{1e3 * t_unlearn:>13.0f}{1e3 * t_newton:>14.0f}"
        f"{1e3 * (t_unlearn - t_newton):>16.0f}{1e3 * t_sklearn:>13.0f}"
    )


def same_bits(a, b):
    return np.array_equal(a.coef_, b.coef_) and np.array_equal(a.intercept_, b.intercept_)


def boundary_rate(trials, kind):
    """How often fit(remaining) and fit(all) + unlearn commit different bits."""
    rng = np.random.default_rng(3)
    differ = coordinates = 0
    for _ in range(trials):
        n, d = int(rng.integers(60, 400)), int(rng.integers(2, 20))
        X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, d)
        signal = X @ rng.normal(size=d) / d
        forget = rng.choice(n, int(rng.integers(1, 6)), replace=False)
        keep = np.setdiff1d(np.arange(n), forget)
        if kind == "ridge-cg":
            y, make = signal + rng.normal(size=n), Ridge
        elif kind == "binary":
            y, make = (signal + rng.logistic(size=n) > 0).astype(int), LogisticRegression
        else:
            y, make = np.digitize(signal + rng.logistic(size=n), [-0.5, 0.5]), LogisticRegression
        if kind != "ridge-cg" and len(np.unique(y[keep])) < len(np.unique(y)):
            continue
        unlearned = make().fit(X, y).unlearn(X[forget])
        differ += not same_bits(unlearned, make().fit(X[keep], y[keep]))
        coordinates += unlearned.coef_.size + np.size(unlearned.intercept_)
    return differ, trials, coordinates


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 2e4, fewer trials")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else [100_000, 1_000_000]
    trials = 100 if args.quick else 2000
    row_stores(sizes[-1], 100, [1, 100])
    print("\n2. Ridge, d = 100, one unlearning of k rows [ms]")
    print(
        f"{'n':>10}{'k':>5}{'fit':>10}{'unlearn':>13}{'Gram (recomp)':>14}"
        f"{'old downdate':>13}{'sklearn refit':>13}"
    )
    for n in sizes:
        for k in (1, 100):
            ridge(n, 100, k)
    print("\n3. LogisticRegression, d = 100, one newton unlearning of k rows [ms]")
    print(
        f"{'n':>10}{'k':>5}{'unlearn':>13}{'Newton steps':>14}{'finalization':>16}{'sklearn':>13}"
    )
    for n in sizes:
        for k in (1, 100):
            logistic(n, 100, k)
    print("\nCanonical rounding: histories that commit different bits")
    for kind in ("binary", "multinomial"):
        differ, total, coordinates = boundary_rate(trials, kind)
        print(f"  {kind:<12}{differ} of {total} unlearnings ({coordinates:,} coordinates)")
    saved = budget.HESSIAN_MEMORY_BUDGET
    budget.HESSIAN_MEMORY_BUDGET = 8  # force Ridge's conjugate-gradient path
    try:
        differ, total, coordinates = boundary_rate(trials, "ridge-cg")
    finally:
        budget.HESSIAN_MEMORY_BUDGET = saved
    print(f"  {'ridge (CG)':<12}{differ} of {total} unlearnings ({coordinates:,} coordinates)")


if __name__ == "__main__":
    main()
