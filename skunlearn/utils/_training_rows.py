"""The rows an estimator was fitted on, kept so that ``unlearn`` can find and drop them.

Rows are removed in place: the last live rows move into the gaps and the freed
tail is zeroed, so forgetting ``k`` rows costs ``O(k d)`` whatever ``n`` is, and
no copy of a forgotten row stays in memory or in a pickle.
"""

import numpy as np
import scipy.sparse as sp

from ._row_index import RowIndex, hash_rows

__all__ = ["TrainingRows"]


class TrainingRows:
    """Stored rows ``X``, encoded targets ``y`` and sample weights, with a row index.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training rows; copied as C-contiguous float64.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Encoded targets; copied.
    sample_weight : ndarray of shape (n_samples,)
        Row weights; copied.
    """

    def __init__(self, X, y, sample_weight):
        self._X = np.array(X, dtype=np.float64, order="C", copy=True)
        self._y = np.array(y, copy=True, order="C")
        self._w = np.array(sample_weight, dtype=np.float64, copy=True)
        self._n = self._X.shape[0]
        self._index = RowIndex(hash_rows(self._X))

    @property
    def n(self):
        """Number of live rows."""
        return self._n

    @property
    def X(self):
        """Live rows (a view)."""
        return self._X[: self._n]

    @property
    def y(self):
        """Targets of the live rows (a view)."""
        return self._y[: self._n]

    @property
    def sample_weight(self):
        """Weights of the live rows (a view)."""
        return self._w[: self._n]

    def take(self, positions):
        """Copies of ``(X, y, sample_weight)`` at the given positions."""
        return self._X[positions], self._y[positions], self._w[positions]

    def locate(self, X_forget, y_forget=None, format_label=repr):
        """Positions of the stored rows matching each row of ``X_forget``.

        Each row of ``X_forget`` claims one stored row that equals it exactly
        (and whose target equals ``y_forget``'s, when given).

        Parameters
        ----------
        X_forget : ndarray of shape (n_forget, n_features), dtype float64
        y_forget : ndarray of shape (n_forget,) or (n_forget, n_targets), default=None
            Encoded targets, in the stored layout.
        format_label : callable, default=repr
            Turns a stored target into text for error messages.

        Returns
        -------
        positions : ndarray of shape (n_forget,), dtype int64

        Raises
        ------
        ValueError
            Naming the first row of ``X_forget`` that is not in the training
            set, occurs more often than it was trained on, whose label does not
            match, or that matches rows with different labels while
            ``y_forget`` is None.
        """
        hashes = self._hash(X_forget)
        lo, hi = self._index.candidate_ranges(hashes)
        positions = np.full(len(hashes), -1, dtype=np.int64)
        _, first, counts = np.unique(hashes, return_index=True, return_counts=True)
        unique_hash = np.zeros(len(hashes), dtype=bool)
        unique_hash[first[counts == 1]] = True
        fast = unique_hash & (hi - lo == 1)
        fast_rows = np.flatnonzero(fast)
        fast_pos = self._index.positions[lo[fast_rows]]
        ok = fast_pos >= 0
        ok[ok] = self._rows_equal(fast_pos[ok], X_forget, fast_rows[ok])
        if y_forget is not None and ok.any():
            ok[ok] = self._targets_equal(self._y[fast_pos[ok]], y_forget[fast_rows[ok]])
        positions[fast_rows[ok]] = fast_pos[ok]
        claimed = set(fast_pos[ok].tolist())
        for j in np.flatnonzero(positions < 0):
            positions[j] = self._claim(j, X_forget, y_forget, lo[j], hi[j], claimed, format_label)
        return positions

    def conform(self, X):
        """``X`` in the stored form (a dense array here), by value."""
        return X.toarray() if sp.issparse(X) else X

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

    def _targets_equal(self, stored, given):
        stored = stored.reshape(len(stored), -1)
        return np.all(stored == given.reshape(len(given), -1), axis=1)

    def _claim(self, j, X_forget, y_forget, lo, hi, claimed, format_label):
        candidates = self._index.candidates(lo, hi)
        same_row = self._rows_equal(candidates, X_forget, np.full(len(candidates), j))
        equal = candidates[same_row].tolist()
        if not equal:
            raise ValueError(f"Row {j} of X_forget is not in the training set.")
        free = [p for p in equal if p not in claimed]
        if not free:
            raise ValueError(
                f"Row {j} of X_forget occurs more often in X_forget than in the training set "
                f"({len(equal)} stored cop{'y' if len(equal) == 1 else 'ies'})."
            )
        if y_forget is not None:
            labels = y_forget[j : j + 1]
            free = np.asarray(free)[self._targets_equal(self._y[free], labels)].tolist()
            same = np.asarray(equal)[self._targets_equal(self._y[equal], labels)].tolist()
            if not free and same:
                raise ValueError(
                    f"Row {j} of X_forget with label {format_label(y_forget[j])} occurs more "
                    f"often in X_forget than in the training set ({len(same)} stored)."
                )
            if not free:
                stored = sorted({format_label(self._y[p]) for p in equal})
                raise ValueError(
                    f"Row {j} of X_forget: label {format_label(y_forget[j])} does not match "
                    f"the stored label {', '.join(stored)} of that row."
                )
        elif len(np.unique(self._y[free].reshape(len(free), -1), axis=0)) > 1:
            raise ValueError(
                f"Row {j} of X_forget matches training rows with different labels; pass "
                "y_forget to say which one to forget."
            )
        claimed.add(free[0])
        return free[0]

    def remove(self, positions):
        """Remove rows in place; the freed tail of the buffers is zeroed."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        n_keep = self._n - len(positions)
        for position in positions:
            self._index.delete(position)
        holes = positions[positions < n_keep]
        movers = np.setdiff1d(np.arange(n_keep, self._n), positions, assume_unique=True)
        self._move_rows(holes, movers, n_keep)
        self._y[holes] = self._y[movers]
        self._w[holes] = self._w[movers]
        for source, target in zip(movers.tolist(), holes.tolist(), strict=True):
            self._index.move(source, target)
        self._y[n_keep : self._n] = 0
        self._w[n_keep : self._n] = 0.0
        self._n = n_keep
        if self._index.n_tombstones > max(self._n, 1024):
            self._index = RowIndex(self._hash(self.X))

    def recode_targets(self, mapping):
        """Replace each stored target ``t`` by ``mapping[t]`` (integer targets)."""
        self._y[: self._n] = mapping[self._y[: self._n]]

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_X"] = self.X.copy()
        state["_y"] = self.y.copy()
        state["_w"] = self.sample_weight.copy()
        state["_index"] = self._index.trimmed(self._n)
        return state
