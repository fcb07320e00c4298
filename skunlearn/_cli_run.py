"""One run of ``python -m skunlearn``: split, forget set, features, model and oracle.

The preprocessing (standardising; for a table also imputing and one-hot encoding)
is fitted on the training rows that remain after the deletion, which is what the
pipeline refit on the remaining rows (the oracle of the whole pipeline) uses: the
model is then fitted on every training row in that feature space, each unlearner
forgets the forget rows, and the oracle is the model refit on the remaining ones.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from ._cli_data import DataError, take
from ._cli_estimators import ESTIMATORS, is_classification, make_estimator, reference_oracle
from ._cli_estimators import strength as strength_option
from ._cli_forget import sampled_rows, selected_rows

__all__ = ["MODELS", "Run", "prepare_run"]

# --model's choices (skunlearn's class and its oracle: skunlearn._cli_estimators)
MODELS = tuple(ESTIMATORS)


@dataclass
class Run:
    """Everything a report needs: the split, the forget positions, features and models."""

    table: object
    model_name: str
    classification: bool
    strength: float
    train: np.ndarray
    test: np.ndarray
    forget: np.ndarray
    keep: np.ndarray
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    preprocessor: object

    def estimator(self):
        """A fresh, unfitted skunlearn estimator of ``--model``."""
        return make_estimator(self.model_name, self.strength)

    def fit_oracle(self):
        """scikit-learn's refit on the remaining rows, at a tight tolerance: the oracle
        (skunlearn's own tight refit where scikit-learn's solver stops short of it)."""
        remaining = self.X_train[self.keep], self.y_train[self.keep]
        return reference_oracle(self.model_name, self.strength, *remaining)

    @property
    def option(self):
        """The model's regularisation option (``"C"``, ``"alpha"``), or None."""
        return strength_option(self.model_name)[0]

    @property
    def ids_forgotten(self):
        """The ``--id`` values of the forgotten rows, or None without ``--id``."""
        ids = self.table.ids
        return None if ids is None else ids[self.train[self.forget]]


def prepare_run(table, args):
    """Split the table, choose the forget rows and fit the preprocessing.

    Raises
    ------
    DataError
        A model that does not suit the target, a split or a forget set that
        leaves too few rows or classes.
    """
    model_name = _model_name(table, args.model, args.dataset)
    classification = is_classification(model_name)
    explicit = selected_rows(args.forget, table, classification)
    train, test = _split(table, explicit, args.test_size, args.seed, classification)
    forget = _forget_positions(table, args, train, explicit)
    keep = np.setdiff1d(np.arange(len(train)), forget)
    y = table.y if classification else table.y.astype(np.float64)
    _check_classes(classification, y[train][keep], args)
    preprocessor = table.preprocessor().fit(take(table.X, train[keep]))
    X_train = np.asarray(preprocessor.transform(take(table.X, train)), dtype=np.float64)
    X_test = np.asarray(preprocessor.transform(take(table.X, test)), dtype=np.float64)
    strength = _strength(model_name, args)
    return Run(
        table,
        model_name,
        classification,
        strength,
        train,
        test,
        forget,
        keep,
        X_train,
        X_test,
        y[train],
        y[test],
        preprocessor,
    )


def _forget_positions(table, args, train, explicit):
    """Positions among the training rows: the named rows, or sampled ones."""
    if explicit is not None:
        return np.searchsorted(train, explicit)
    features = None
    if args.forget.kind == "cluster":
        features = table.preprocessor().fit_transform(take(table.X, train))
    return sampled_rows(args.forget, len(train), args.fraction, args.seed, features)


def _model_name(table, requested, dataset=None):
    """``--model``, or by default logistic for classes and ridge for values."""
    if requested is None:
        return "logistic" if table.classification else "ridge"
    classes = is_classification(requested)
    if classes and not table.classification:
        raise DataError(
            f"--model {requested} needs classes; the target {table.target} looks like values "
            "(fractions, or more than 20 distinct numbers): use --model ridge"
        )
    if not classes and table.classification and dataset is not None:
        raise DataError(
            f"--model {requested} does not fit --dataset {dataset}: its target is classes "
            "(a regressor needs --dataset diabetes or your own table)"
        )
    if not classes and table.y.dtype.kind not in "biuf":
        raise DataError(f"--model {requested} needs a numeric target; {table.target} holds text")
    return requested


def _strength(model_name, args):
    """``--C`` or ``--alpha``, whichever the model has (default: the model's); the other
    is an error."""
    own, default = strength_option(model_name)
    for option in ("C", "alpha"):
        if option != own and getattr(args, option) is not None:
            has = f"it has --{own}" if own else "it has neither"
            raise DataError(f"--{option} does not apply to --model {model_name} ({has})")
    value = None if own is None else getattr(args, own)
    return default if value is None else value


def _split(table, explicit, test_size, seed, classification):
    """Training and held-out row numbers; rows named by ``--forget`` all train."""
    rows = np.arange(len(table.y))
    if explicit is not None:
        rows = np.setdiff1d(rows, explicit)
    labels = table.y[rows] if classification else None
    if labels is not None and np.unique(labels, return_counts=True)[1].min() < 2:
        labels = None  # a class with one row cannot be stratified
    try:
        train, test = train_test_split(
            rows, test_size=test_size, random_state=seed, stratify=labels
        )
    except ValueError as error:
        raise DataError(f"--test-size {test_size}: {str(error).splitlines()[0]}") from None
    if explicit is not None:
        train = np.concatenate([train, explicit])
    return np.sort(train), np.sort(test)


def _check_classes(classification, y_keep, args):
    if not classification:
        if len(y_keep) < 2:
            raise DataError(f"--forget leaves {len(y_keep)} training rows; need at least 2")
        return
    n_classes = len(np.unique(y_keep))
    if n_classes < 2:
        what = "--forget-fraction" if args.forget.kind in ("random", "cluster") else "--forget"
        value = args.fraction if what == "--forget-fraction" else args.forget.spec()
        raise DataError(
            f"{what} {value} leaves fewer than 2 classes among the {len(y_keep)} remaining "
            "training rows"
        )
    if len(y_keep) < 2 * n_classes:
        raise DataError(
            f"--test-size {args.test_size} leaves {len(y_keep)} remaining training rows for "
            f"{n_classes} classes; use a smaller test size"
        )
