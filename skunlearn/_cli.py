"""The command-line report: forget/retain dependence and the ascent harm prediction, then
every unlearner on one forget set against the oracle, with a one-line verdict each."""

import argparse
import sys

import numpy as np
import sklearn.linear_model
import sklearn.svm
from sklearn import datasets
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import linear_model, svm
from ._parameters import parameter_vector
from .diagnostics import dependence_report, unlearning_report
from .diagnostics import fit_oracle as skunlearn_oracle

__all__ = ["main", "build_parser"]

DATASETS = {
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
    "diabetes": datasets.load_diabetes,  # regression: targets 25 to 346
}
# --estimator: skunlearn's class, its module and scikit-learn's, and whether scikit-learn's
# own solver reaches a tight oracle (else the oracle is skunlearn's tight refit).
ESTIMATORS = {
    "logistic": ("LogisticRegression", linear_model, sklearn.linear_model, True),
    "linear_svc": ("LinearSVC", svm, sklearn.svm, False),
    "ridge_classifier": ("RidgeClassifier", linear_model, sklearn.linear_model, True),
    "ridge": ("Ridge", linear_model, sklearn.linear_model, True),
    "ridge_cv": ("RidgeCV", linear_model, sklearn.linear_model, True),
    "linear_regression": ("LinearRegression", linear_model, sklearn.linear_model, True),
    "poisson": ("PoissonRegressor", linear_model, sklearn.linear_model, True),
    "gamma": ("GammaRegressor", linear_model, sklearn.linear_model, True),
    "tweedie": ("TweedieRegressor", linear_model, sklearn.linear_model, True),
    "huber": ("HuberRegressor", linear_model, sklearn.linear_model, False),
}


# The ensembles cost about 2 * ENSEMBLE_SIZE fits per unlearner: by default they
# are computed only for problems with at most ENSEMBLE_MAX_SIZE rows x parameters.
ENSEMBLE_SIZE = 8
ENSEMBLE_MAX_SIZE = 100_000


def build_parser():
    """The argument parser of ``python -m skunlearn``."""
    parser = argparse.ArgumentParser(
        prog="python -m skunlearn",
        description=(
            "Fit a skunlearn estimator (LogisticRegression by default) on a dataset that "
            "scikit-learn ships (standardised), report how the forget set (a seeded random "
            "subset of the "
            "training rows) depends on the retain set and whether descent-ascent will harm "
            "(predicted before any ascent), then forget it with each unlearner and compare "
            "each result with the oracle (a tight scikit-learn refit on the remaining rows), "
            "with a one-line verdict per unlearner."
        ),
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default=None)
    parser.add_argument(
        "--estimator",
        choices=list(ESTIMATORS),
        default="logistic",
        help="model to fit (default: logistic); a regressor gets a regression report "
        "(R^2, D^2 for the deviances) on the diabetes data by default",
    )
    parser.add_argument(
        "--forget-fraction",
        type=float,
        default=0.05,
        help="fraction of the training rows to forget (default: 0.05)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the split and forget set")
    parser.add_argument(
        "--C", type=float, default=1.0, help="inverse regularisation strength (C models)"
    )
    parser.add_argument(
        "--alpha", type=float, default=None, help="penalty of the alpha models (default: theirs)"
    )
    parser.add_argument(
        "--test-size", type=float, default=0.25, help="held-out fraction (default: 0.25)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timing repeats; the median is shown"
    )
    parser.add_argument(
        "--ensemble",
        type=int,
        default=None,
        help="models per subsample ensemble for KLoM and U-LiRA (0: skip; default: "
        f"{ENSEMBLE_SIZE} when rows x parameters <= {ENSEMBLE_MAX_SIZE:,}, else 0)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        default=None,
        help="also save the trajectory figure (distance to the oracle per iteration of "
        "each iterative unlearner) to FILE; needs matplotlib",
    )
    return parser


def load(dataset, test_size, seed):
    """Standardised train/test split of a scikit-learn dataset."""
    X, y = DATASETS[dataset](return_X_y=True)
    classes = dataset != "diabetes"
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y if classes else None
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def make_estimator(args):
    """The skunlearn estimator of ``--estimator`` with ``--C`` or ``--alpha``."""
    name, module, _, _ = ESTIMATORS[args.estimator]
    estimator = getattr(module, name)()
    params = estimator.get_params()
    if "C" in params:
        estimator.set_params(C=args.C)
    if "alpha" in params and args.alpha is not None:
        estimator.set_params(alpha=args.alpha)
    return estimator


def fit_oracle(original, X, y, X_forget, y_forget):
    """The reference oracle: scikit-learn's refit on the remaining rows at ``tol=1e-12``.

    For the models whose scikit-learn solver stops short of that (liblinear,
    HuberRegressor's L-BFGS-B at its fixed ``ftol``), skunlearn's tight refit.
    """
    name, _, sklearn_module, tight = ESTIMATORS[ESTIMATOR_OF[type(original).__name__]]
    if not tight:
        return skunlearn_oracle(original, X_forget, y_forget)
    reference = getattr(sklearn_module, name)()
    shared = set(reference.get_params()) & set(original.get_params())
    reference.set_params(**{key: original.get_params()[key] for key in shared})
    settings = {"tol": 1e-12, "max_iter": 1000, "solver": "newton-cholesky"}
    solvers = reference._parameter_constraints.get("solver", [])
    for key, value in settings.items():
        if key in reference.get_params() and (key != "solver" or _accepts(solvers, value)):
            reference.set_params(**{key: value})
    return reference.fit(X, y)


def _accepts(constraints, value):
    return any(getattr(c, "options", ()) and value in c.options for c in constraints)


ESTIMATOR_OF = {name: key for key, (name, *_) in ESTIMATORS.items()}


def main(argv=None):
    """Run the report; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if not 0 < args.forget_fraction < 1:
        raise SystemExit("--forget-fraction must be strictly between 0 and 1")
    original = make_estimator(args)
    if args.dataset is None:
        args.dataset = "breast_cancer" if is_classifier(original) else "diabetes"
    if is_classifier(original) == (args.dataset == "diabetes"):
        raise SystemExit(f"--estimator {args.estimator} does not fit --dataset {args.dataset}")
    data = load(args.dataset, args.test_size, args.seed)
    X_train, X_test, y_train, y_test = data
    rng = np.random.default_rng(args.seed)
    n_forget = max(1, round(args.forget_fraction * len(X_train)))
    forget = np.sort(rng.choice(len(X_train), n_forget, replace=False))
    keep = np.setdiff1d(np.arange(len(X_train)), forget)
    print(
        f"skunlearn: {original!r} on {args.dataset}, {len(X_train)} training rows, "
        f"{X_train.shape[1]} features; forgetting {n_forget} random rows (seed {args.seed}).",
        flush=True,
    )
    print(
        "(the first run compiles numba kernels; later runs load them from cache)",
        file=sys.stderr,
        flush=True,
    )
    original.fit(X_train, y_train)
    oracle = fit_oracle(original, X_train[keep], y_train[keep], X_train[forget], y_train[forget])
    print_reports(original, oracle, data, forget, args)
    if args.plot:
        save_trajectory_figure(original, oracle, X_train[forget], y_train[forget], args)
    return 0


def ensemble_size(args, n_train, original):
    """``--ensemble``, or by default ENSEMBLE_SIZE for small problems and 0 otherwise."""
    if args.ensemble is not None:
        return args.ensemble
    size = n_train * (original.coef_.size + original.intercept_.size)
    return ENSEMBLE_SIZE if size <= ENSEMBLE_MAX_SIZE else 0


def print_reports(original, oracle, data, forget, args):
    """The dependence report and harm prediction, then the comparison with its verdicts."""
    X_train, X_test, y_train, y_test = data
    X_forget, y_forget = X_train[forget], y_train[forget]
    n_models = ensemble_size(args, len(X_train), original)
    print()
    try:
        print(dependence_report(original, X_forget, y_forget, X_test, y_test), flush=True)
    except ValueError as refusal:  # a loss the lemmas do not cover: say why
        print(f"No dependence report: {refusal}", flush=True)
    print()
    comparison = unlearning_report(
        original,
        X_forget,
        y_forget,
        X_test,
        y_test,
        oracle=oracle,
        repeats=args.repeats,
        n_models=n_models,
        random_state=args.seed,
    )
    print(comparison)
    if not n_models:
        print("(KLoM and U-LiRA skipped: --ensemble N computes them over N subsample fits.)")


def save_trajectory_figure(original, oracle, X_forget, y_forget, args):
    """``--plot FILE``: distance to the oracle per iteration, saved to ``args.plot``."""
    from .plotting import oracle_trajectories, plot_oracle_trajectories

    oracle = parameter_vector(oracle)
    trajectories = oracle_trajectories(original, X_forget, y_forget, oracle=oracle)
    ax = plot_oracle_trajectories(
        trajectories, title=f"{args.dataset}: forgetting {len(X_forget)} rows (seed {args.seed})"
    )
    ax.figure.savefig(args.plot, bbox_inches="tight")
    print(f"\nSaved the trajectory figure to {args.plot}.")
