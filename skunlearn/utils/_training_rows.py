"""Dense training rows, kept so that ``unlearn`` can find and drop them.

Rows are removed in place and stably (see :mod:`skunlearn.utils._row_store`):
the rows after the first gap shift up, ``O(n d)`` element moves with no second
copy of ``X``, and the freed tail is zeroed, so no copy of a forgotten row stays
in memory or in a pickle, and the remaining rows keep their fit order.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit
from sklearn.utils import check_array

from ._near_miss import nearest_dense
from ._row_index import hash_rows
from ._row_store import RowStore
from ._sample_ids import blank

__all__ = ["TrainingRows"]


@njit(cache=True)
def _partition_rows(X, n, holes):
    """Rows ``holes`` (sorted) of ``X[:n]`` behind the others, both in order, in place."""
    k = holes.shape[0]
    staged = np.empty((k, X.shape[1]))
    for j in range(k):
        staged[j] = X[holes[j]]
    write, h = holes[0], 0
    for read in range(holes[0], n):
        if h < k and read == holes[h]:
            h += 1
        else:
            X[write] = X[read]
            write += 1
    for j in range(k):
        X[n - k + j] = staged[j]


@njit(cache=True)
def _unpartition_rows(X, n, holes):
    """The inverse of :func:`_partition_rows`."""
    k = holes.shape[0]
    staged = X[n - k : n].copy()
    read, h = n - k - 1, k - 1
    for write in range(n - 1, holes[0] - 1, -1):
        if h >= 0 and write == holes[h]:
            X[write] = staged[h]
            h -= 1
        else:
            X[write] = X[read]
            read -= 1


class TrainingRows(RowStore):
    """Stored dense rows ``X``, encoded targets ``y`` and sample weights, with a row index.

    Implements the :mod:`row-store contract <skunlearn.utils._row_store>`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training rows; copied as C-contiguous float64.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Encoded targets; copied.
    sample_weight : ndarray of shape (n_samples,)
        Row weights (one column per weighted pipeline step when 2-D); copied.
    copy : bool, default=True
        False takes ``X`` as it is when it is already a C-contiguous float64
        array that the caller hands over (no one else may write to it).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import TrainingRows
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    >>> rows = TrainingRows(X, np.arange(3), np.ones(3))
    >>> rows.remove(rows.find(np.array([[1.0, 0.0]])))
    >>> rows.X
    array([[0., 2.],
           [3., 0.]])
    """

    def __init__(self, X, y, sample_weight, copy=True):
        self._X = np.array(X, dtype=np.float64, order="C", copy=copy or None)
        self._y = np.array(y, copy=True, order="C")
        self._w = np.array(sample_weight, dtype=np.float64, copy=True)
        self._n = self._X.shape[0]
        self._reset_index()

    @property
    def X(self):
        """Live rows (a view)."""
        return self._X[: self._n]

    def _head_X(self, m):
        return self._X[:m]

    def take(self, positions):
        """Copies of ``(X, y, sample_weight)`` at the given positions."""
        return self._X[positions], self._y[positions], self._w[positions]

    def conform(self, X):
        """``X`` in the stored form (a dense float64 array here), by value.

        Raises
        ------
        ValueError
            Rows of another width than the stored ones.
        """
        X = check_array(
            X.toarray() if sp.issparse(X) else X,
            dtype=np.float64,
            ensure_all_finite=False,
            ensure_min_samples=0,
        )
        if X.shape[1] != self._X.shape[1]:
            raise ValueError(
                f"X_forget has {X.shape[1]} features; the training rows have {self._X.shape[1]}."
            )
        return X

    def erase(self):
        """Zero every buffer."""
        self._X[...] = 0.0
        for array in self._row_arrays():
            blank(array)

    @staticmethod
    def _hash(X):
        return hash_rows(X)

    def _rows_equal(self, positions, X_forget, rows):
        """Whether stored row ``positions[i]`` equals ``X_forget[rows[i]]`` (NaN equal to
        NaN), for each i."""
        stored, given = self._X[positions], X_forget[rows]
        return np.all((stored == given) | (np.isnan(stored) & np.isnan(given)), axis=1)

    def _nearest(self, X_forget, j):
        return nearest_dense(self.X, X_forget[j])

    def _partition_X(self, holes):
        if len(holes):
            _partition_rows(self._X, self._n, holes)

    def _unpartition_X(self, holes):
        if len(holes):
            _unpartition_rows(self._X, self._n, holes)

    def _zero_tail_X(self, n_keep):
        self._X[n_keep : self._n] = 0.0

    def _live_state(self):
        return {"_X": self.X.copy()}
