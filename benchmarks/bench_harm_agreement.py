"""Does ``ascent_harm`` agree with what descent-ascent actually does?

For each problem, the truth is measured by running the library's
``DescentAscent`` (default ``1/L`` step, the problem's ascent weight) for up
to ``--da-iter`` iterations (default 3,000): it *diverges* (its divergence
warning), *settles* (the last step is below 1e-9 (1 + ||w||)) or is *still
moving*. DA is harmful when it diverges or ends farther from the oracle than
the original model (normalised distance > 1), with the oracle a refit on the
retain rows at ``tol=1e-12`` (``fit_oracle``, independent of the Newton steps
inside ``ascent_harm``). ``ascent_harm`` is asked the same question before
any unlearning.

Problems: the paper's constructions (paper-notes 2b, one-dimensional blocks;
2c, cross-correlated pairs; exponential loss, ``lambda = 0.01``, multiplicities
as sample weights, ascent weights 0.5 and 1; cells where forgetting does not
move the model are skipped) and random problems: logistic (scikit-learn and
paper conventions, with and without intercept), exponential loss,
multinomial and ridge; correlated forget sets (the nearest rows to a random
row) and random ones; ascent weights from 0.01 to 1; and the breast-cancer
data (standardised) with random 5% forget sets.

Prints the confusion matrix (predicted harmful / not against measured),
balanced accuracy, false "runs away" (predicted divergence where DA settles),
and, where both settle, how closely the predicted end distance matches.

Run ``python benchmarks/bench_harm_agreement.py`` (all paper cells and 120
random problems, about a minute) or ``--quick`` (a subset: 24 paper cells
and 50 random problems).
"""

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn.diagnostics import ascent_harm, fit_oracle  # noqa: E402
from skunlearn.diagnostics._oracle_distance import parameter_vector  # noqa: E402
from skunlearn.exceptions import UnlearningDivergenceWarning  # noqa: E402
from skunlearn.unlearners import DescentAscent  # noqa: E402

LAM = 0.01
GAMMAS = (0.01, 0.03, 0.1, 0.3, 1.0)
KINDS = ("logistic", "logistic-paper", "ridge", "exponential", "multinomial", "logistic-noint")


def _paper_model(X, y, weight):
    model = LogisticRegression(
        C=1 / LAM, convention="paper", loss="exponential", fit_intercept=False
    )
    return model.fit(X, y, sample_weight=weight)


def block_problem(r_j, alpha, n_retain=1000, n_forget=100):
    """Paper-notes 2b: retain rows e_1 (label 1), forget rows -e_1 (label 0), inert rest."""
    X = np.array([[1.0], [-1.0], [0.0], [0.0]])
    y = np.array([1, 0, 0, 1])
    f_j = alpha * r_j
    weight = np.array([r_j, f_j, n_retain - r_j, n_forget - f_j])
    return _paper_model(X, y, weight), X[[1, 3]], y[[1, 3]]


def cross_problem(eps, alpha, r_ij=50, n_retain=1000, n_forget=100):
    """Paper-notes 2c: retain rows (1, eps), forget rows (eps, 1), labels 1, inert rest."""
    X = np.array([[1.0, eps], [eps, 1.0], [0.0, 0.0], [0.0, 0.0]])
    y = np.array([1, 1, 0, 1])
    f_ij = alpha * r_ij
    weight = np.array([r_ij, f_ij, n_retain - r_ij, n_forget - f_ij])
    return _paper_model(X, y, weight), X[[1, 3]], y[[1, 3]]


def paper_problems(quick):
    eps_grid = (0.5, 0.8) if quick else (0.2, 0.5, 0.8, 0.95)
    alphas = (0.005, 0.02, 0.05, 0.1) if quick else (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1)
    for eps in eps_grid:
        for alpha in alphas:
            for gamma in (0.5, 1.0):
                yield f"2c eps={eps} alpha={alpha}", cross_problem(eps, alpha), gamma
    sizes = (50,) if quick else (50, 100, 200)
    for r_j in sizes:
        for alpha in (0.005, 0.02, 0.05, 0.2):
            for gamma in (0.5, 1.0):
                yield f"2b R_j={r_j} alpha={alpha}", block_problem(r_j, alpha), gamma


def breast_cancer_problems():
    """Standardised breast-cancer rows, random 5% forget sets, two conventions, three weights."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    models = {
        "sklearn C=1": LogisticRegression(C=1.0),
        "paper C=100, no intercept": LogisticRegression(
            C=100.0, convention="paper", fit_intercept=False
        ),
    }
    for seed in range(3):
        forget = np.random.default_rng(seed).choice(len(X), 28, replace=False)
        for label, model in models.items():
            fitted = copy.deepcopy(model).fit(X, y)
            for gamma in (0.003, 0.03, 1.0):
                yield f"breast cancer {label} seed={seed}", (fitted, X[forget], y[forget]), gamma


def random_problem(seed):
    """A random model, forget set and ascent weight (see the module docstring)."""
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % len(KINDS)]
    n, d = int(rng.integers(80, 300)), int(rng.integers(2, 7))
    mixing = np.eye(d) + rng.normal(size=(d, d)) * rng.uniform(0.2, 1.0)
    X = rng.normal(size=(n, d)) @ mixing / np.sqrt(d)
    w = rng.normal(size=d) * rng.uniform(0.5, 3)
    correlated = bool(rng.random() < 0.5)
    size = int(rng.integers(max(3, n // 30), n // 6))
    if correlated:
        forget = np.argsort(np.linalg.norm(X - X[rng.integers(n)], axis=1))[:size]
    else:
        forget = rng.choice(n, size, replace=False)
    gamma = float(rng.choice(GAMMAS))
    C = float(10 ** rng.uniform(-1, 1))
    if kind == "ridge":
        y = X @ w + rng.normal(size=n)
        model = Ridge(alpha=float(10 ** rng.uniform(-1, 1.5)))
    elif kind == "multinomial":
        y = np.argmax(X @ (2 * rng.normal(size=(d, 3))) + rng.gumbel(size=(n, 3)), axis=1)
        model = LogisticRegression(C=C)
    else:
        y = (X @ w + rng.logistic(size=n) > 0).astype(int)
        model = {
            "logistic": LogisticRegression(C=C),
            "exponential": LogisticRegression(C=C, loss="exponential"),
            "logistic-paper": LogisticRegression(
                C=float(10 ** rng.uniform(0.5, 2)), convention="paper"
            ),
            "logistic-noint": LogisticRegression(C=C, fit_intercept=False),
        }[kind]
    name = f"{kind} {'correlated' if correlated else 'random'} |F|={size} seed={seed}"
    return name, (model.fit(X, y), X[forget], y[forget]), gamma


def measure_da(model, X_f, y_f, gamma, max_iter):
    """Normalised distance and status of DescentAscent run to convergence or divergence."""
    oracle = parameter_vector(fit_oracle(model, X_f, y_f))
    effect = np.linalg.norm(parameter_vector(model) - oracle)
    run = copy.deepcopy(model)
    run.set_params(unlearner=DescentAscent(ascent_weight=gamma, max_iter=max_iter))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnlearningDivergenceWarning)
        run.unlearn(X_f, y_f)
    theta = parameter_vector(run)
    distance = np.linalg.norm(theta - oracle) / effect
    if any(issubclass(w.category, UnlearningDivergenceWarning) for w in caught):
        return "diverges", distance, effect
    last = run.unlearn_history_["step_length"][-1]
    status = "settles" if last <= 1e-9 * (1 + np.linalg.norm(theta)) else "still moving"
    return status, distance, effect


def study(problems, max_iter):
    rows = []
    for name, (model, X_f, y_f), gamma in problems:
        status, distance, effect = measure_da(model, X_f, y_f, gamma, max_iter)
        if not effect > 1e-12:
            continue  # forgetting does not move the model: nothing to compare against
        start = time.perf_counter()
        harm = ascent_harm(model, X_f, y_f, ascent_weight=gamma)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "name": f"{name} gamma={gamma}",
                "status": status,
                "distance": distance,
                "harmful": status == "diverges" or distance > 1,
                "predicted": harm.harmful,
                "outcome": harm.outcome,
                "predicted_distance": harm.stationary_distance,
                "confirmed": harm.path_confirmed,
                "seconds": seconds,
            }
        )
    return rows


def summarise(title, rows):
    truth = np.array([r["harmful"] for r in rows])
    pred = np.array([r["predicted"] for r in rows])
    tp, fn = int(np.sum(truth & pred)), int(np.sum(truth & ~pred))
    fp, tn = int(np.sum(~truth & pred)), int(np.sum(~truth & ~pred))
    sensitivity = tp / (tp + fn) if tp + fn else np.nan
    specificity = tn / (tn + fp) if tn + fp else np.nan
    print(f"\n{title}: {len(rows)} problems")
    print(f"{'':>24}{'measured harmful':>18}{'measured not':>14}")
    print(f"{'predicted harmful':>24}{tp:>18}{fp:>14}")
    print(f"{'predicted not harmful':>24}{fn:>18}{tn:>14}")
    print(
        f"balanced accuracy {(sensitivity + specificity) / 2:.3f} (sensitivity "
        f"{sensitivity:.3f}, specificity {specificity:.3f}; base rate {np.mean(truth):.2f})"
    )
    false_away = [r for r in rows if r["outcome"] == "diverges" and r["status"] == "settles"]
    moving = [r for r in rows if r["outcome"] == "diverges" and r["status"] == "still moving"]
    distances = ", ".join(f"{r['distance']:.3g}" for r in moving) or "-"
    print(
        f"false 'runs away' (predicted divergence, DA settles): {len(false_away)}; "
        f"predicted divergence where DA is still moving after the budget: {len(moving)} "
        f"(distances {distances})"
    )
    both = [r for r in rows if r["outcome"] == "settles" and r["status"] == "settles"]
    gaps = np.array([abs(r["predicted_distance"] / r["distance"] - 1) for r in both])
    if len(both):
        print(
            f"both settle: {len(both)}; end distance within 0.1% in {np.sum(gaps <= 1e-3)}, "
            f"largest relative gap {gaps.max():.2g}; "
            f"{sum(not r['confirmed'] for r in both)} ends unconfirmed along DA's path"
        )
    print(f"ascent_harm time: median {np.median([r['seconds'] for r in rows]):.3f} s")
    for r in rows:
        if r["predicted"] != r["harmful"]:
            print(f"  disagrees: {r['name']}: DA {r['status']} at {r['distance']:.3g}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="24 paper cells, 50 problems")
    parser.add_argument("--da-iter", type=int, default=3000, help="DA iteration budget")
    args = parser.parse_args(argv)
    n_random = 50 if args.quick else 120
    paper = study(paper_problems(args.quick), args.da_iter)
    real = study(breast_cancer_problems(), args.da_iter)
    random = study((random_problem(seed) for seed in range(n_random)), args.da_iter)
    summarise("Paper constructions (paper-notes 2b, 2c)", paper)
    summarise("Breast cancer, random forget sets", real)
    summarise("Random problems", random)
    summarise("All", paper + real + random)


if __name__ == "__main__":
    main()
