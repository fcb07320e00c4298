"""Dense training rows, kept so that ``unlearn`` can find and drop them.

Rows are removed in place: the last live rows move into the gaps and the freed
tail is zeroed, so forgetting ``k`` rows costs ``O(k d)`` whatever ``n`` is, and
no copy of a forgotten row stays in memory or in a pickle.
"""

import numpy as np
import scipy.sparse as sp

from ._row_index import hash_rows
from ._row_store import RowStore

__all__ = ["TrainingRows"]


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

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import TrainingRows
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    >>> rows = TrainingRows(X, np.arange(3), np.ones(3))
    >>> rows.remove(rows.find(np.array([[1.0, 0.0]])))
    >>> rows.X
    array([[3., 0.],
           [0., 2.]])
    """

    def __init__(self, X, y, sample_weight):
        self._X = np.array(X, dtype=np.float64, order="C", copy=True)
        self._y = np.array(y, copy=True, order="C")
        self._w = np.array(sample_weight, dtype=np.float64, copy=True)
        self._n = self._X.shape[0]
        self._reset_index()

    @property
    def X(self):
        """Live rows (a view)."""
        return self._X[: self._n]

    def take(self, positions):
        """Copies of ``(X, y, sample_weight)`` at the given positions."""
        return self._X[positions], self._y[positions], self._w[positions]

    def conform(self, X):
        """``X`` in the stored form (a dense array here), by value."""
        return X.toarray() if sp.issparse(X) else X

    def mapped(self, scale, shift):
        """A new store of the live rows mapped by ``x -> x * scale + shift`` (one new X)."""
        other = TrainingRows.__new__(TrainingRows)
        other._X = self.X * scale + shift
        other._y, other._w = self.y.copy(), self.sample_weight.copy()
        other._n = self._n
        other._reset_index()
        return other

    def erase(self):
        """Zero every buffer."""
        for buffer in (self._X, self._y, self._w):
            buffer[...] = 0

    @staticmethod
    def _hash(X):
        return hash_rows(X)

    def _rows_equal(self, positions, X_forget, rows):
        """Whether stored row ``positions[i]`` equals ``X_forget[rows[i]]``, for each i."""
        return np.all(self._X[positions] == X_forget[rows], axis=1)

    def _move_rows(self, holes, movers, n_keep):
        """Move the rows at ``movers`` into ``holes`` and zero rows ``n_keep:n``."""
        self._X[holes] = self._X[movers]
        self._X[n_keep : self._n] = 0.0

    def _live_state(self):
        return {"_X": self.X.copy()}
