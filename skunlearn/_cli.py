"""The command-line report: forget/retain dependence and the ascent harm prediction, then
every unlearner on one forget set against the oracle, with a one-line verdict each."""

import argparse
import math
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ._cli_estimators import ESTIMATORS, make_estimator, reference_oracle
from ._parameters import parameter_vector
from .diagnostics import dependence_report, unlearning_report

__all__ = ["main", "build_parser"]

DATASETS = {
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
    "diabetes": datasets.load_diabetes,  # regression: targets 25 to 346
}


# The ensembles cost about 2 * ENSEMBLE_SIZE fits per unlearner: by default they
# are computed only for problems with at most ENSEMBLE_MAX_SIZE rows x parameters.
ENSEMBLE_SIZE = 8
ENSEMBLE_MAX_SIZE = 100_000


class _Parser(argparse.ArgumentParser):
    """Argument errors exit with status 2 and one line on stderr, before any work."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _number(kind, low, high=None, low_open=False):
    """An argparse type: ``kind`` above ``low`` (strictly if ``low_open``), below ``high``."""
    if high is not None:
        bounds = f"in ({low}, {high})" if low_open else f"in [{low}, {high})"
    else:
        bounds = f"> {low}" if low_open else f">= {low}"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
        below = value <= low if low_open else value < low
        if below or (high is not None and value >= high):
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {text}")
        return value

    return parse


NUMBERS = [
    (
        "--forget-fraction",
        _number(float, 0.0, 1.0, low_open=True),
        0.05,
        "fraction of the training rows to forget, in (0, 1) (default: 0.05)",
    ),
    ("--seed", _number(int, 0), 0, "seed of the split and forget set"),
    (
        "--C",
        _number(float, 0.0, low_open=True),
        1.0,
        "inverse regularisation strength of the C models, positive (default: 1.0)",
    ),
    (
        "--alpha",
        _number(float, 0.0, low_open=True),
        None,
        "penalty of the alpha models, positive (default: the model's)",
    ),
    (
        "--test-size",
        _number(float, 0.0, 1.0, low_open=True),
        0.25,
        "held-out fraction, in (0, 1) (default: 0.25)",
    ),
    ("--repeats", _number(int, 1), 3, "timing repeats, at least 1; the median is shown"),
    (
        "--ensemble",
        _number(int, 0),
        None,
        "models per subsample ensemble for KLoM and U-LiRA (0: skip; default: "
        f"{ENSEMBLE_SIZE} when rows x parameters <= {ENSEMBLE_MAX_SIZE:,}, else 0)",
    ),
]


def build_parser():
    """The argument parser of ``python -m skunlearn``."""
    parser = _Parser(
        prog="python -m skunlearn",
        description=(
            "Fit a skunlearn linear model (LogisticRegression by default) on a dataset that "
            "scikit-learn ships (standardised), report how the forget set (a seeded random "
            "subset of the "
            "training rows) depends on the retain set and whether descent-ascent will harm "
            "(found from a few of its steps, then Newton steps), then forget it with each "
            "unlearner and compare each result with the oracle (a tight scikit-learn refit on "
            "the remaining rows), with a one-line verdict per unlearner."
        ),
    )
    parser.add_argument(
        "--estimator",
        choices=list(ESTIMATORS),
        default="logistic",
        help="model to fit (default: logistic); a regressor gets a regression report "
        "(R^2, D^2 for the deviances) on the diabetes data by default",
    )
    parser.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default=None,
        help="default: breast_cancer for classifiers, diabetes for regressors",
    )
    for flag, kind, default, text in NUMBERS:
        parser.add_argument(flag, type=kind, default=default, help=text)
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
    stratify = None if dataset == "diabetes" else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=stratify
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def main(argv=None):
    """Run the report; returns the process exit code (2 for an argument error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.plot:
        _check_plot_target(parser, args.plot)
    original = make_estimator(args.estimator, args.C, args.alpha)
    classifier = is_classifier(original)
    if args.dataset is None:
        args.dataset = "breast_cancer" if classifier else "diabetes"
    if classifier == (args.dataset == "diabetes"):
        parser.error(f"--estimator {args.estimator} does not fit --dataset {args.dataset}")
    data = _load_checked(parser, args, classifier)
    X_train, X_test, y_train, y_test = data
    rng = np.random.default_rng(args.seed)
    n_forget = max(1, round(args.forget_fraction * len(X_train)))
    forget = np.sort(rng.choice(len(X_train), n_forget, replace=False))
    keep = np.setdiff1d(np.arange(len(X_train)), forget)
    if classifier and len(np.unique(y_train[keep])) < 2:
        parser.error(
            f"--forget-fraction {args.forget_fraction} leaves fewer than 2 classes among the "
            f"{len(keep)} remaining training rows"
        )
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
    remaining, forgotten = (X_train[keep], y_train[keep]), (X_train[forget], y_train[forget])
    oracle = reference_oracle(args.estimator, original, remaining, forgotten)
    print_reports(original, oracle, data, forget, args)
    if args.plot:
        save_trajectory_figure(original, oracle, X_train[forget], y_train[forget], args)
    return 0


def _load_checked(parser, args, classifier=True):
    """The split, or an argument error when ``--test-size`` leaves too few rows."""
    try:
        data = load(args.dataset, args.test_size, args.seed)
    except ValueError as error:
        parser.error(f"--test-size {args.test_size}: {str(error).splitlines()[0]}")
    n_classes = len(np.unique(data[2])) if classifier else 1
    if len(data[0]) < 2 * n_classes:
        parser.error(
            f"--test-size {args.test_size} leaves {len(data[0])} training rows for "
            f"{n_classes} classes; use a smaller test size"
        )
    return data


def _check_plot_target(parser, path):
    """``--plot FILE`` must be writable, in a format matplotlib saves; checked up front."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        parser.error("--plot needs matplotlib: pip install skunlearn[examples]")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        parser.error(f"--plot {path}: not a writable file path")
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    formats = Figure().canvas.get_supported_filetypes()
    if extension not in formats:
        parser.error(f"--plot {path}: the extension must be one of {', '.join(sorted(formats))}")


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
