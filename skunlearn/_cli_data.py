"""Data for ``python -m skunlearn``: a bundled dataset or the user's own table.

A :class:`Table` holds the raw rows (features, target, optional ids), its columns by
name (what ``--forget`` conditions read) and the preprocessing its features need. The
bundled datasets are numeric arrays (no pandas needed); ``--data FILE`` reads a CSV or
parquet file with pandas, and its preprocessing imputes and standardises the numeric
columns and one-hot encodes the others (missing categories become their own category).
"""

import os
from dataclasses import dataclass

import numpy as np
from sklearn import datasets, impute, preprocessing
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.utils.multiclass import type_of_target

from .impute import SimpleImputer
from .preprocessing import OneHotEncoder, StandardScaler

__all__ = [
    "BUNDLED",
    "DataError",
    "Table",
    "listing",
    "load_bundled",
    "load_table",
    "looks_like_classes",
    "take",
]

# name: (loader, classification)
BUNDLED = {
    "breast_cancer": (datasets.load_breast_cancer, True),
    "digits": (datasets.load_digits, True),
    "wine": (datasets.load_wine, True),
    "iris": (datasets.load_iris, True),
    "diabetes": (datasets.load_diabetes, False),  # regression: disease progression
}
MISSING_CATEGORY = "(missing)"
# (imputer, encoder, scaler): scikit-learn's, and skunlearn's that can unlearn
_TRANSFORMERS = {
    False: (impute.SimpleImputer, preprocessing.OneHotEncoder, preprocessing.StandardScaler),
    True: (SimpleImputer, OneHotEncoder, StandardScaler),
}
MAX_CATEGORIES = 50  # above this, and above half the rows, a text column is refused


class DataError(ValueError):
    """The data the user named cannot be used; the message says why in one line."""


@dataclass
class Table:
    """Raw rows, their columns by name, and the preprocessing their features need.

    ``X`` is an ndarray (bundled data) or a DataFrame (``--data``); ``columns``
    maps every column name (features, target, ids) to a 1-D array;
    ``classification`` says whether the target looks like classes (the default
    model's task), and ``dropped`` counts the rows left out for want of a target.
    """

    name: str
    X: object
    y: np.ndarray
    ids: object
    columns: dict
    target: str
    numeric: list
    categorical: list
    classification: bool
    dropped: int = 0

    def preprocessor(self, unlearnable=False):
        """A fresh transformer from raw rows to dense, standardised features.

        scikit-learn's transformers, or with ``unlearnable`` skunlearn's (their
        subclasses that keep their rows and can unlearn; the same output).
        """
        imputer, encoder, scaler = _TRANSFORMERS[unlearnable]
        if not hasattr(self.X, "columns"):
            return scaler()
        parts = []
        if self.numeric:
            numeric = make_pipeline(imputer(strategy="median"), scaler())
            parts.append(("numeric", numeric, self.numeric))
        if self.categorical:
            categorical = make_pipeline(
                imputer(strategy="constant", fill_value=MISSING_CATEGORY),
                encoder(handle_unknown="ignore", sparse_output=False),
            )
            parts.append(("categorical", categorical, self.categorical))
        return ColumnTransformer(parts, sparse_threshold=0.0)

    def describe_features(self):
        """How the preprocessing treats the columns, in words."""
        if not self.categorical and not hasattr(self.X, "columns"):
            return f"{len(self.numeric)} numeric columns, standardised"
        words = []
        if self.numeric:
            words.append(f"{len(self.numeric)} numeric (missing values: the median; standardised)")
        if self.categorical:
            words.append(f"{len(self.categorical)} categorical (one-hot; missing: a category)")
        return ", ".join(words)


def take(X, rows):
    """Rows ``rows`` of an ndarray or a DataFrame."""
    return X.iloc[rows] if hasattr(X, "iloc") else X[rows]


def load_bundled(name):
    """A dataset that scikit-learn ships, as a :class:`Table` (no pandas needed)."""
    bunch = BUNDLED[name][0]()
    names = [str(feature) for feature in bunch.feature_names]
    columns = dict(zip(names, bunch.data.T, strict=True))
    columns["target"] = bunch.target
    classes = BUNDLED[name][1]
    return Table(name, bunch.data, bunch.target, None, columns, "target", names, [], classes)


def load_table(path, target, id_column=None):
    """The user's CSV or parquet table as a :class:`Table`.

    Rows without a target are left out (counted in ``Table.dropped``).

    Raises
    ------
    DataError
        A missing or unreadable file, a missing reader (pandas, pyarrow), an
        unknown column, or ids that are missing or not unique.
    """
    frame = _read(path)
    names = [str(column) for column in frame.columns]
    frame.columns = names
    for option, column in (("--target", target), ("--id", id_column)):
        if column is not None and column not in names:
            raise DataError(f"{option} {column}: no such column in {path}; {listing(names)}")
    if id_column == target:
        raise DataError(f"--id {id_column}: the id column cannot be the target")
    labelled = frame[frame[target].notna()].reset_index(drop=True)
    if len(labelled) < 4:
        raise DataError(f"--data {path}: {len(labelled)} rows with a target; need at least 4")
    ids = _checked_ids(labelled, id_column)
    features = [name for name in names if name not in (target, id_column)]
    if not features:
        raise DataError(f"--data {path}: no feature columns besides --target and --id")
    numeric = [name for name in features if _is_numeric(labelled[name])]
    categorical = [name for name in features if name not in numeric]
    _check_categories(labelled, categorical)
    for name in categorical:  # one type per column for the encoder: text, missing kept
        labelled[name] = labelled[name].where(labelled[name].isna(), labelled[name].astype(str))
    columns = {name: labelled[name].to_numpy() for name in names}
    y = _target_values(labelled[target].to_numpy())
    name = os.path.basename(path)
    dropped = len(frame) - len(labelled)
    classes = looks_like_classes(y)
    return Table(
        name, labelled[features], y, ids, columns, target, numeric, categorical, classes, dropped
    )


def looks_like_classes(y):
    """Text, booleans or at most 20 distinct integers: classes; other numbers: values."""
    if y.dtype.kind not in "biuf":
        return True
    if type_of_target(y) not in ("binary", "multiclass"):
        return False
    return len(np.unique(y)) <= 20


def _read(path):
    if not os.path.isfile(path):
        raise DataError(f"--data {path}: no such file")
    try:
        import pandas as pd
    except ImportError:
        raise DataError("--data needs pandas: pip install 'skunlearn[data]'") from None
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise DataError(
                f"--data {path}: reading parquet needs pyarrow: pip install 'skunlearn[parquet]'"
            ) from None
        reader = pd.read_parquet
    elif lower.endswith((".csv", ".csv.gz", ".csv.zip", ".csv.bz2", ".csv.xz")):
        reader = pd.read_csv
    else:
        raise DataError(f"--data {path}: expected a .csv or .parquet file")
    try:
        return reader(path)
    except Exception as error:  # the readers' many error types: say which file and why
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"--data {path}: cannot read it: {reason}") from None


def _target_values(y):
    """Whole numbers read as floats (a column with gaps) become integers: 1, not 1.0."""
    if y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0):
        return y.astype(np.int64)
    return y


def _checked_ids(frame, id_column):
    if id_column is None:
        return None
    ids = frame[id_column]
    if ids.isna().any():
        raise DataError(f"--id {id_column}: {int(ids.isna().sum())} rows have no id")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise DataError(
            f"--id {id_column}: ids must be unique; {repeated.iloc[0]!r} appears more than once"
        )
    return ids.to_numpy()


def _check_categories(frame, categorical):
    """Refuse a text column that looks like an identifier: one-hot, it would be one column
    per row (and a copy of the identifier in the model)."""
    for name in categorical:
        distinct = frame[name].nunique()
        if distinct > MAX_CATEGORIES and distinct > len(frame) / 2:
            raise DataError(
                f"--data: column {name!r} holds {distinct} distinct values in {len(frame)} rows, "
                "too many to one-hot encode: an identifier? Pass it as --id, or drop it"
            )


def _is_numeric(series):
    return series.dtype.kind in "biuf"


def listing(names, limit=12):
    """``the columns are: a, b, ...``, shortened after ``limit`` names."""
    shown = ", ".join(names[:limit])
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return f"the columns are: {shown}{more}"
