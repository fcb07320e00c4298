"""Unlearning against refitting, at equal accuracy, side by side in one run.

For dense logistic regression (n rows, d = 100) and each forget-set size k,
times skunlearn's ``newton`` unlearning and, for comparison, scikit-learn
refits on the remaining rows: a cold ``lbfgs`` refit at tol=1e-10, warm-started
``newton-cholesky`` and ``lbfgs`` refits at tol=1e-10 (from the original
coefficients) and a default-tolerance ``lbfgs`` refit; plus skunlearn's
descent-ascent and finetune at their defaults. Every result is scored by its
normalised distance to a tight oracle (``newton-cholesky`` at tol=1e-12, cold):
``||w - w_oracle|| / ||w_original - w_oracle||``. Ridge: ``newton`` (Gram statistics
recomputed from the remaining rows) against scikit-learn's ``Ridge`` refit. Also the fit times of
both libraries. Times are medians; ratios are against ``newton``.

Run ``python benchmarks/bench_unlearn.py`` (n = 1e5 and 1e6; several minutes)
or ``--quick`` (n = 2e4, for CI).
"""

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn import linear_model as sk

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression, Ridge  # noqa: E402


def median_seconds(run, repeat):
    """Median wall time of ``run(copy_index)`` and its last result."""
    times, result = [], None
    for index in range(repeat):
        start = time.perf_counter()
        result = run(index)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def params(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def logistic_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) * 2 / np.sqrt(d)
    y = (X @ w + rng.logistic(size=n) > 0).astype(int)
    return X, y


def sklearn_refit(solver, tol, warm_from=None):
    def refit(X, y):
        model = sk.LogisticRegression(solver=solver, tol=tol, max_iter=10_000)
        if warm_from is not None:
            model.set_params(warm_start=True)
            model.coef_, model.intercept_ = warm_from.coef_.copy(), warm_from.intercept_.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(X, y)

    return refit


def sklearn_runs(reference, X_keep, y_keep):
    """scikit-learn refits on the remaining rows, keyed by a short description."""
    refits = {
        "sklearn nc warm 1e-10": sklearn_refit("newton-cholesky", 1e-10, reference),
        "sklearn lbfgs warm 1e-10": sklearn_refit("lbfgs", 1e-10, reference),
        "sklearn lbfgs cold 1e-10": sklearn_refit("lbfgs", 1e-10),
        "sklearn lbfgs default tol": sklearn_refit("lbfgs", 1e-4),
    }
    return {name: (lambda _, f=refit: f(X_keep, y_keep)) for name, refit in refits.items()}


def unlearn_copies(original, unlearner, X_forget, repeat):
    copies = [copy.deepcopy(original).set_params(unlearner=unlearner) for _ in range(repeat)]

    def run(index):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return copies[index].unlearn(X_forget)

    return run


def logistic_rows(n, d, ks, repeat):
    X, y = logistic_data(n, d)
    fit_ours, original = median_seconds(lambda _: LogisticRegression().fit(X, y), 1)
    fit_nc, reference = median_seconds(lambda _: sklearn_refit("newton-cholesky", 1e-10)(X, y), 1)
    fit_lbfgs, _ = median_seconds(lambda _: sklearn_refit("lbfgs", 1e-10)(X, y), 1)
    print(
        f"\nfit n={n:.0e} d={d}: skunlearn {fit_ours:.2f} s, sklearn newton-cholesky "
        f"{fit_nc:.2f} s ({fit_nc / fit_ours:.1f}x), lbfgs {fit_lbfgs:.2f} s "
        f"({fit_lbfgs / fit_ours:.1f}x)"
    )
    rng = np.random.default_rng(1)
    rows = []
    for k in ks:
        forget = rng.choice(n, k, replace=False)
        keep = np.setdiff1d(np.arange(n), forget)
        X_keep, y_keep = X[keep], y[keep]
        oracle = params(sklearn_refit("newton-cholesky", 1e-12)(X_keep, y_keep))
        effect = np.linalg.norm(params(original) - oracle)
        methods = {
            "skunlearn newton": unlearn_copies(original, "newton", X[forget], repeat),
            "skunlearn descent_ascent": unlearn_copies(original, "descent_ascent", X[forget], 1),
            "skunlearn finetune": unlearn_copies(original, "finetune", X[forget], 1),
            **sklearn_runs(reference, X_keep, y_keep),
        }
        for name, run in methods.items():
            seconds, model = median_seconds(run, repeat if name.endswith("newton") else 1)
            distance = np.linalg.norm(params(model) - oracle) / effect
            rows.append((f"logistic n={n:.0e} k={k}", name, seconds, distance))
    return rows


def ridge_rows(n, d, k, repeat):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    fit_ours, original = median_seconds(lambda _: Ridge().fit(X, y), 1)
    fit_sk, _ = median_seconds(lambda _: sk.Ridge().fit(X, y), 1)
    print(f"\nridge fit n={n:.0e}: skunlearn {fit_ours:.2f} s, sklearn {fit_sk:.2f} s")
    forget = rng.choice(n, k, replace=False)
    keep = np.setdiff1d(np.arange(n), forget)
    refit_seconds, refit = median_seconds(lambda _: sk.Ridge().fit(X[keep], y[keep]), 1)
    oracle = params(refit)
    effect = np.linalg.norm(params(original) - oracle)
    seconds, model = median_seconds(unlearn_copies(original, "newton", X[forget], repeat), repeat)
    label = f"ridge n={n:.0e} k={k}"
    return [
        (
            label,
            "skunlearn newton (exact)",
            seconds,
            np.linalg.norm(params(model) - oracle) / effect,
        ),
        (label, "sklearn Ridge refit", refit_seconds, 0.0),
    ]


def print_table(rows):
    print(f"\n{'problem':<26}{'method':<28}{'time [s]':>10}{'vs newton':>11}{'dist/effect':>13}")
    newton = {}
    for problem, method, seconds, _ in rows:
        if "newton" in method and method.startswith("skunlearn"):
            newton[problem] = seconds
    for problem, method, seconds, distance in rows:
        ratio = seconds / newton[problem]
        print(f"{problem:<26}{method:<28}{seconds:>10.4f}{ratio:>10.1f}x{distance:>13.2e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else [100_000, 1_000_000]
    repeat = 3
    rows = []
    for n in sizes:
        rows += logistic_rows(n, 100, [1, 100, n // 100], repeat)
        rows += ridge_rows(n, 100, 100, repeat)
    print_table(rows)


if __name__ == "__main__":
    main()
