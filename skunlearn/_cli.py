"""The command-line report: every unlearner on one forget set, against the oracle."""

import argparse
import copy
import sys
import time

import numpy as np
from sklearn import datasets
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import LogisticRegression
from .unlearners import ALIASES

__all__ = ["main", "build_parser"]

DATASETS = {
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
}


def build_parser():
    """The argument parser of ``python -m skunlearn``."""
    parser = argparse.ArgumentParser(
        prog="python -m skunlearn",
        description=(
            "Fit skunlearn.LogisticRegression on a dataset that scikit-learn ships "
            "(standardised), forget a seeded random subset of the training rows with each "
            "unlearner, and compare each result with the oracle (a tight scikit-learn refit "
            "on the remaining rows)."
        ),
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="breast_cancer")
    parser.add_argument(
        "--forget-fraction", type=float, default=0.05,
        help="fraction of the training rows to forget (default: 0.05)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and forget set")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument(
        "--test-size", type=float, default=0.25, help="held-out fraction (default: 0.25)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timing repeats; the median is shown"
    )
    parser.add_argument(
        "--plot", metavar="FILE", default=None,
        help="also save the trajectory figure (distance to the oracle per iteration of "
        "each iterative unlearner) to FILE; needs matplotlib",
    )
    return parser


def load(dataset, test_size, seed):
    """Standardised train/test split of a scikit-learn dataset."""
    X, y = DATASETS[dataset](return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def parameters(model):
    """Coefficients and intercepts of a fitted linear classifier, as one vector."""
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def fit_oracle(X, y, C):
    """scikit-learn's ``newton-cholesky`` refit at ``tol=1e-12``: the reference oracle."""
    oracle = SklearnLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    return oracle.fit(X, y)


def run_unlearner(original, name, X_forget, y_forget, repeats):
    """Median wall time of ``unlearn`` over ``repeats`` fresh copies, and the last copy."""
    times = []
    for _ in range(repeats):
        model = copy.deepcopy(original).set_params(unlearner=name)
        start = time.perf_counter()
        model.unlearn(X_forget, y_forget)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model


def comparison_rows(original, oracle, data, forget, repeats):
    """One dict per unlearner: time, distance to the oracle, gradient norm, accuracies."""
    X_train, X_test, y_train, y_test = data
    keep = np.setdiff1d(np.arange(len(X_train)), forget)
    w_original, w_oracle = parameters(original), parameters(oracle)
    effect = np.linalg.norm(w_original - w_oracle)
    rows = []
    for name in ALIASES:
        seconds, model = run_unlearner(original, name, X_train[forget], y_train[forget], repeats)
        objective = model._training_objective()
        grad = objective.value_grad(model._theta())[1]
        rows.append({
            "unlearner": name,
            "seconds": seconds,
            "distance": np.linalg.norm(parameters(model) - w_oracle) / effect,
            "grad_norm": float(np.max(np.abs(grad))) / objective.total_weight,
            "retain_acc": model.score(X_train[keep], y_train[keep]),
            "forget_acc": model.score(X_train[forget], y_train[forget]),
            "test_acc": model.score(X_test, y_test),
        })
    retrain = next(row["seconds"] for row in rows if row["unlearner"] == "retrain")
    for row in rows:
        row["speedup"] = retrain / row["seconds"]
    return rows


def format_table(rows):
    """The comparison table as text."""
    header = (
        f"{'unlearner':<16}{'time [ms]':>11}{'speed-up':>10}{'dist/effect':>13}"
        f"{'|grad J_R|':>12}{'retain':>8}{'forget':>8}{'test':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['unlearner']:<16}{1e3 * row['seconds']:>11.2f}{row['speedup']:>9.1f}x"
            f"{row['distance']:>13.3g}{row['grad_norm']:>12.2e}{row['retain_acc']:>8.3f}"
            f"{row['forget_acc']:>8.3f}{row['test_acc']:>8.3f}"
        )
    return "\n".join(lines)


def main(argv=None):
    """Run the report; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if not 0 < args.forget_fraction < 1:
        raise SystemExit("--forget-fraction must be strictly between 0 and 1")
    data = load(args.dataset, args.test_size, args.seed)
    X_train, _, y_train, _ = data
    rng = np.random.default_rng(args.seed)
    n_forget = max(1, round(args.forget_fraction * len(X_train)))
    forget = np.sort(rng.choice(len(X_train), n_forget, replace=False))
    keep = np.setdiff1d(np.arange(len(X_train)), forget)
    print(f"skunlearn: {args.dataset}, {len(X_train)} training rows, {X_train.shape[1]} "
          f"features; forgetting {n_forget} random rows (seed {args.seed}), C={args.C}.",
          flush=True)
    print("(the first run compiles numba kernels; later runs load them from cache)",
          file=sys.stderr, flush=True)
    original = LogisticRegression(C=args.C).fit(X_train, y_train)
    oracle = fit_oracle(X_train[keep], y_train[keep], args.C)
    rows = comparison_rows(original, oracle, data, forget, args.repeats)
    print()
    print(format_table(rows))
    print("\ndist/effect = ||w_u - w_oracle|| / ||w_original - w_oracle|| (0: exact, "
          "1: did nothing, > 1: farther than the original model).")
    if args.plot:
        save_trajectory_figure(original, oracle, X_train[forget], y_train[forget], args)
    return 0


def save_trajectory_figure(original, oracle, X_forget, y_forget, args):
    """``--plot FILE``: distance to the oracle per iteration, saved to ``args.plot``."""
    from .plotting import oracle_trajectories, plot_oracle_trajectories

    trajectories = oracle_trajectories(original, X_forget, y_forget, oracle=parameters(oracle))
    ax = plot_oracle_trajectories(
        trajectories, title=f"{args.dataset}: forgetting {len(X_forget)} rows (seed {args.seed})"
    )
    ax.figure.savefig(args.plot, bbox_inches="tight")
    print(f"\nSaved the trajectory figure to {args.plot}.")
