"""Is ``certified_bound`` finite, valid and tight after unlearning runs that stop early?

Fits ``LogisticRegression`` (binary, multinomial, exponential loss) and
``Ridge`` on synthetic data, breast cancer and wine (standardised), in both
conventions, with and without intercept, for several regularisation
strengths; forgets a random 5% with descent-ascent (3 to 100 iterations) or
fine-tuning (1 to 30 iterations), both stopped early; then compares
``certified_bound`` with the true distance to the oracle, a scikit-learn refit
on the remaining rows (``newton-cholesky``, ``tol=1e-12``; ``Ridge`` with the
Cholesky solver; the exponential loss has no scikit-learn counterpart and is
refit by skunlearn at ``tol=1e-13``). Multinomial intercepts are compared
centred (the bound is to the oracle with the same intercept sum).

Prints, per group (unlearner, multinomial or not, intercept or not): how many
bounds are finite, any bound below the true distance (a violation), and the
median and largest ratio bound / distance, with the arguments that gave the
bounds.

Run ``python benchmarks/bench_certified_bound.py`` (144 runs, about 5 s)
or ``--quick`` (48 runs).
"""

import argparse
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.preprocessing import StandardScaler

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn._parameters import parameter_vector  # noqa: E402
from skunlearn.diagnostics import certified_bound, fit_oracle  # noqa: E402
from skunlearn.unlearners import DescentAscent, Finetune  # noqa: E402

DATASETS = ("binary", "multinomial", "exponential", "breast cancer", "wine", "ridge")


def dataset(kind, rng):
    if kind in ("breast cancer", "wine"):
        loader = load_breast_cancer if kind == "breast cancer" else load_wine
        X, y = loader(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    n, d = 200, 4
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, d)
    if kind == "multinomial":
        return X, np.argmax(X @ rng.normal(size=(d, 3)) + rng.gumbel(size=(n, 3)), axis=1)
    if kind == "ridge":
        return X, X @ rng.normal(size=d) + rng.normal(size=n)
    return X, (X @ rng.normal(size=d) + rng.logistic(size=n) > 0).astype(int)


def estimator(kind, strength, intercept, convention, unlearner):
    common = {"fit_intercept": intercept, "convention": convention, "unlearner": unlearner}
    if kind == "ridge":
        return Ridge(alpha=1.0 / strength, **common)
    C = strength if convention == "sklearn" else 10.0 * strength
    loss = "exponential" if kind == "exponential" else "log_loss"
    return LogisticRegression(C=C, loss=loss, **common)


def oracle_parameters(model, X, y, X_forget, y_forget):
    """Parameters of a tight refit on the retain rows ``X, y`` (``model`` not unlearned yet)."""
    n = len(X)
    if isinstance(model, Ridge):
        alpha = model.alpha if model.convention == "sklearn" else model.alpha * n
        reference = SklearnRidge(alpha=alpha, fit_intercept=model.fit_intercept, solver="cholesky")
    elif model.loss == "exponential":
        reference = fit_oracle(model, X_forget, y_forget, tol=1e-13)
    else:
        C = model.C if model.convention == "sklearn" else model.C / n
        reference = SklearnLogisticRegression(
            C=C,
            fit_intercept=model.fit_intercept,
            solver="newton-cholesky",
            tol=1e-12,
            max_iter=1000,
        )
    if not hasattr(reference, "coef_"):
        reference.fit(X, y)
    if not model.fit_intercept:
        return np.ravel(reference.coef_)
    return parameter_vector(reference)


def configurations(quick):
    strengths = (1.0,) if quick else (0.1, 1.0, 10.0)
    for kind in DATASETS:
        for strength in strengths:
            for intercept in (True, False):
                for convention in ("sklearn", "paper"):
                    yield from ((kind, strength, intercept, convention, u) for u in ("DA", "FT"))


def run(config, seed):
    kind, strength, intercept, convention, name = config
    rng = np.random.default_rng(seed)
    X, y = dataset(kind, rng)
    forget = rng.choice(len(X), max(5, len(X) // 20), replace=False)
    keep = np.setdiff1d(np.arange(len(X)), forget)
    if name == "DA":
        unlearner = DescentAscent(max_iter=int(rng.choice([3, 10, 30, 100])))
    else:
        unlearner = Finetune(max_iter=int(rng.choice([1, 3, 10, 30])))
    model = estimator(kind, strength, intercept, convention, unlearner).fit(X, y)
    oracle = oracle_parameters(model, X[keep], y[keep], X[forget], y[forget])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # divergence warnings: the bound is still checked
        model.unlearn(X[forget], y[forget])
    theta = parameter_vector(model) if intercept else np.ravel(model.coef_)
    return np.linalg.norm(theta - oracle), certified_bound(model)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one regularisation strength")
    args = parser.parse_args(argv)
    groups, methods, violations = defaultdict(list), defaultdict(Counter), []
    for seed, config in enumerate(configurations(args.quick)):
        kind = config[0]
        distance, result = run(config, seed)
        group = (config[4], kind in ("multinomial", "wine"), config[2])
        groups[group].append((distance, result.bound))
        methods[group][getattr(result, "method", "?")] += 1
        if result.bound < distance * (1 - 1e-6) - 1e-9:
            violations.append((config, distance, result.bound))
    print(
        f"{'unlearner':>9}{'multinomial':>12}{'intercept':>10}{'finite':>9}"
        f"{'median':>9}{'max':>10}  arguments"
    )
    for (name, multinomial, intercept), rows in sorted(groups.items()):
        rows = np.array(rows)
        finite = np.isfinite(rows[:, 1])
        ratio = np.r_[rows[finite, 1] / np.maximum(rows[finite, 0], 1e-300), np.nan]
        used = ", ".join(f"{m} {c}" for m, c in methods[(name, multinomial, intercept)].items())
        print(
            f"{name:>9}{multinomial!s:>12}{intercept!s:>10}{f'{finite.sum()}/{len(rows)}':>9}"
            f"{np.nanmedian(ratio):>9.3g}{np.nanmax(ratio):>10.3g}  {used}"
        )
    total = sum(len(rows) for rows in groups.values())
    print(f"violations (bound below the true distance): {len(violations)} of {total} runs")
    for config, distance, bound in violations:
        print(f"  {config}: distance {distance:.3g}, bound {bound:.3g}")


if __name__ == "__main__":
    main()
