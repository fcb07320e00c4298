"""Raw rows as given: DataFrames of mixed dtypes, object and text arrays, documents.

A pipeline (or a transformer of :mod:`skunlearn.preprocessing`) keeps the rows
it was fitted on in the form it got them, so that refitting a step on the
remaining rows sees exactly what a refit by the user would: the same column
names, dtypes (numbers, strings, categoricals, booleans, dates) and missing
values. :class:`TableRows` stores them column by column (numpy columns as
they are, extension columns as objects plus their dtype) and implements the
:mod:`row-store contract <skunlearn.utils._row_store>`: stable in-place
removal, the freed tail blanked (objects dropped, numbers zeroed), pickles of
the live rows only.

Matching is by value, column by column, with Python's equality (``3 == 3.0``;
``"3" != 3``) and every missing value (``NaN``, ``None``, ``pandas.NA``,
``NaT``) equal to every other. A row hashes as the combination of one hash per
column: numbers by their float64 bits, other values through
:func:`pandas.factorize` (one Python hash per distinct value). pandas is
needed for this store only.
"""

import numbers

import numpy as np
import scipy.sparse as sp

from ._near_miss import NearMiss, nearest_row
from ._row_index import hash_rows
from ._row_store import RowStore, stable_partition, stable_unpartition
from ._sample_ids import blank
from ._sparse_rows import SparseTrainingRows
from ._training_rows import TrainingRows

__all__ = ["TableRows", "appended_rows", "input_rows"]

_MISSING = np.int64(0x7FF8000000000000)  # the hash of any missing value: a canonical NaN
_NUMERIC = "biuf"


def _pandas():
    try:
        import pandas
    except ImportError as error:  # pragma: no cover - pandas is a test dependency
        raise ImportError("Keeping non-numeric training rows needs pandas.") from error
    return pandas


def _missing(values):
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "mM":
        return np.isnat(values)
    if values.dtype.kind in _NUMERIC:
        return np.zeros(len(values), dtype=bool)
    return np.asarray(_pandas().isna(values), dtype=bool)


def _values_equal(a, b):
    numeric = a.dtype.kind in _NUMERIC and b.dtype.kind in _NUMERIC
    if numeric or a.dtype == b.dtype != object:
        return np.asarray(a == b, dtype=bool)
    return np.fromiter((x == y for x, y in zip(a.tolist(), b.tolist(), strict=True)), bool, len(a))


def _equal(a, b):
    """Element-wise equality, every missing value equal to every other."""
    missing_a, missing_b = _missing(a), _missing(b)
    equal = missing_a & missing_b
    both = ~missing_a & ~missing_b
    if both.any():
        equal[both] = _values_equal(a[both], b[both])
    return equal


def _number_bits(values):
    bits = (np.asarray(values, dtype=np.float64) + 0.0).view(np.int64)  # -0.0 + 0.0 is 0.0
    return np.where(np.isnan(values.astype(np.float64)), _MISSING, bits)


def _value_hash(value):
    if isinstance(value, (numbers.Real, np.bool_)):
        return _number_bits(np.array([float(value)]))[0]
    return np.int64(hash(value) & 0x7FFFFFFFFFFFFFFF)


def _column_hash(values):
    """One int64 per value: equal values (missing ones included) hash equally."""
    if values.dtype.kind in _NUMERIC:
        return _number_bits(values)
    if values.dtype.kind in "mM":
        return np.where(np.isnat(values), _MISSING, values.view(np.int64))
    try:
        codes, uniques = _pandas().factorize(np.asarray(values, dtype=object))
    except TypeError as error:
        raise ValueError(
            f"The rows hold values that cannot be compared by value ({error}), so rows "
            "cannot be found to forget."
        ) from None
    table = np.array([_value_hash(value) for value in uniques], dtype=np.int64)
    return np.where(codes < 0, _MISSING, table[np.maximum(codes, 0)] if len(table) else 0)


def _gaps(stored, given):
    """Per stored value: ``|stored - given|`` (numbers), ``inf`` (one missing), ``nan``."""
    n = len(stored)
    differ = ~_equal(stored, np.repeat(given, n))
    stored_missing, given_missing = _missing(stored), bool(_missing(given)[0])
    gaps = np.full(n, np.nan)
    if stored.dtype.kind in _NUMERIC and given.dtype.kind in _NUMERIC and not given_missing:
        gaps = np.abs(stored.astype(np.float64) - float(given[0]))
    gaps[stored_missing != given_missing] = np.inf
    scale = abs(float(given[0])) if given.dtype.kind in _NUMERIC else np.nan
    return differ, gaps, scale


class TableRows(RowStore):
    """Stored raw rows (a DataFrame, a 2-D array of any dtype, or 1-D documents), by column.

    Implements the :mod:`row-store contract <skunlearn.utils._row_store>`;
    ``X`` rebuilds the live rows in the form they were given (a DataFrame
    with the same columns and dtypes and a fresh ``RangeIndex``, an array of
    the same dtype, or a 1-D array of documents).

    Parameters
    ----------
    X : DataFrame, ndarray of shape (n_samples, n_features) or (n_samples,)
        Training rows; copied.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Encoded targets; copied.
    sample_weight : ndarray of shape (n_samples,) or (n_samples, n_steps)
        Row weights; copied.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skunlearn.utils import TableRows
    >>> X = pd.DataFrame({"city": ["Lyon", None, "Oslo"], "income": [3.0, np.nan, 5.0]})
    >>> rows = TableRows(X, np.zeros(3), np.ones(3))
    >>> rows.remove(rows.find(pd.DataFrame({"city": [np.nan], "income": [np.nan]})))
    >>> rows.X
       city  income
    0  Lyon     3.0
    1  Oslo     5.0
    """

    def __init__(self, X, y, sample_weight):
        if hasattr(X, "columns"):
            self._layout, self._names = "frame", list(X.columns)
            self._dtypes = list(X.dtypes)
            self._columns = [_frame_column(X.iloc[:, j]) for j in range(X.shape[1])]
        else:
            X = np.asarray(X)
            self._layout = "array" if X.ndim == 2 else "vector"
            self._names, self._dtypes = None, X.dtype
            self._columns = [np.array(c) for c in (X.T if X.ndim == 2 else [X])]
        self._y = np.array(y, copy=True, order="C")
        self._w = np.array(sample_weight, dtype=np.float64, copy=True)
        self._n = len(self._y)
        self._reset_index()

    @property
    def column_names(self):
        """Column names of a DataFrame (None for arrays)."""
        return None if self._names is None else [str(name) for name in self._names]

    @property
    def X(self):
        """The live rows, rebuilt in their original form (a copy)."""
        return self._head_X(self._n)

    def _head_X(self, m):
        return self._rebuild([column[:m] for column in self._columns])

    def take(self, positions):
        """Copies of ``(X, y, sample_weight)`` at the given positions, X in its original form."""
        X = self._rebuild([column[positions] for column in self._columns])
        return X, self._y[positions], self._w[positions]

    def _rebuild(self, columns):
        if self._layout == "vector":
            return columns[0].copy()
        if self._layout == "array":
            return np.stack(columns, axis=1) if columns else np.empty((0, 0), self._dtypes)
        pd = _pandas()
        data = {
            j: c.copy() if isinstance(t, np.dtype) else pd.array(c, dtype=t)
            for j, (c, t) in enumerate(zip(columns, self._dtypes, strict=True))
        }
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(columns[0]) if columns else 0))
        frame.columns = self._names
        return frame

    def conform(self, X):
        """``X`` as columns comparable with the stored ones; ValueError if it does not
        have the stored columns (names for a DataFrame, their number otherwise)."""
        if isinstance(X, _Columns):
            return X
        if self._layout == "frame" and hasattr(X, "columns"):
            if list(X.columns) != self._names:
                raise ValueError("X_forget's columns differ from the ones seen at fit.")
            return _Columns([_frame_column(X.iloc[:, j]) for j in range(X.shape[1])], len(X))
        X = np.asarray(X, dtype=object if _is_text(X) else None)
        if self._layout == "vector":
            if X.ndim != 1:
                raise ValueError(f"X_forget must be 1-D (one document per row); got {X.ndim}-D.")
            return _Columns([X], len(X))
        width = len(self._columns)
        if X.ndim != 2 or X.shape[1] != width:
            raise ValueError(f"X_forget has shape {X.shape}; the rows have {width} columns.")
        return _Columns(list(X.T), len(X))

    def erase(self):
        """Blank every buffer."""
        for array in self._columns + self._row_arrays():
            blank(array)

    def _hash(self, X):
        columns = self.conform(X).columns
        matrix = np.stack([_column_hash(c) for c in columns], axis=1)
        return hash_rows(matrix.view(np.float64))

    def _rows_equal(self, positions, X_forget, rows):
        equal = np.ones(len(positions), dtype=bool)
        for stored, given in zip(self._columns, X_forget.columns, strict=True):
            equal &= _equal(stored[positions], given[rows])
        return equal

    def _nearest(self, X_forget, j):
        pairs = zip(self._columns, X_forget.columns, strict=True)
        parts = [_gaps(stored[: self._n], given[j : j + 1]) for stored, given in pairs]
        differ = np.stack([p[0] for p in parts], axis=1)
        gaps = np.stack([p[1] for p in parts], axis=1)
        scales = np.array([p[2] for p in parts])
        row = nearest_row(differ, gaps, scales)
        columns = np.flatnonzero(differ[row])
        return NearMiss(len(parts), columns, gaps[row, columns], scales[columns])

    def _partition_X(self, holes):
        for column in self._columns:
            stable_partition(column, holes, self._n)

    def _unpartition_X(self, holes):
        for column in self._columns:
            stable_unpartition(column, holes, self._n)

    def _zero_tail_X(self, n_keep):
        for column in self._columns:
            blank(column[n_keep : self._n])

    def _live_state(self):
        return {"_columns": [column[: self._n].copy() for column in self._columns]}


class _Columns:
    """Rows conformed to a :class:`TableRows`: their columns, and their shape."""

    def __init__(self, columns, n_rows):
        self.columns = columns
        self.shape = (n_rows, len(columns))


def _frame_column(series):
    """A DataFrame column as a numpy array: numpy dtypes kept, extension dtypes as objects."""
    if isinstance(series.dtype, np.dtype):
        return series.to_numpy(copy=True)
    return series.to_numpy(dtype=object, copy=True)


def _is_text(X):
    return not hasattr(X, "dtype") and np.asarray(X).dtype.kind in "US"


def input_rows(X, y, sample_weight):
    """A row store for input as a transformer or pipeline got it, able to rebuild it.

    Sparse input: :class:`~skunlearn.utils.SparseTrainingRows` (CSR float64);
    a float64 array: :class:`~skunlearn.utils.TrainingRows`; anything else
    (DataFrames, arrays of other dtypes, lists, documents): :class:`TableRows`,
    which gives the rows back with their names and dtypes. Lists of text are
    kept as object arrays, as scikit-learn's encoders read them.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils._table_rows import input_rows
    >>> type(input_rows(["a b", "c"], np.zeros(2), np.ones(2))).__name__
    'TableRows'
    >>> type(input_rows(np.eye(2), np.zeros(2), np.ones(2))).__name__
    'TrainingRows'
    """
    if sp.issparse(X):
        return SparseTrainingRows(X, y, sample_weight)
    if not hasattr(X, "columns"):
        X = np.asarray(X, dtype=object if _is_text(X) else None)
        if X.dtype == np.float64 and X.ndim == 2:
            return TrainingRows(X, y, sample_weight)
    return TableRows(X, y, sample_weight)


def appended_rows(store, X, y, sample_weight):
    """A new store of ``store``'s live rows followed by the rows ``X`` (``partial_fit``)."""
    stored = store.X
    if sp.issparse(stored):
        X = sp.vstack([stored, sp.csr_matrix(X)], format="csr")
    elif hasattr(stored, "columns"):
        X = _pandas().concat([stored, X], ignore_index=True)
    else:
        X = np.concatenate([stored, np.asarray(X)])
    y = np.concatenate([store.y, y])
    return input_rows(X, y, np.concatenate([store.sample_weight, sample_weight]))
