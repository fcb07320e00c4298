"""The row-store contract: the rows an estimator or pipeline keeps so that it can unlearn.

A row store holds the live training rows ``X`` (in its own form: dense or
CSR), their encoded targets ``y`` and sample weights, finds rows by value and
removes them in place. Every store implements this interface; estimators
(:class:`~skunlearn.linear_model.UnlearnMixin`) and pipelines use only it, and
no caller writes into a store's arrays.

Public interface
----------------
``n``, ``X``, ``y``, ``sample_weight``
    The live rows (read-only views).
``take(positions)``
    Copies of ``(X, y, sample_weight)`` at positions.
``conform(X)``
    Rows in the store's form, by value (dense for a dense store, canonical
    CSR for a sparse one).
``find(X_forget, y_forget, format_label)``
    Positions of the rows to forget (one stored row per forget row), None
    for an empty forget set; raises ValueError naming the first row that is
    not stored, and when the forget set covers every row.
``remove(positions)``
    Remove rows in place: the last live rows move into the gaps, the freed
    tail is zeroed, the index forgets the rows' hashes.
``mapped(scale, shift)``
    A new store of the same rows mapped column-wise by ``x -> x * scale +
    shift`` (targets and weights copied, index built on demand).
``erase()``
    Zero every buffer (after the store was replaced).
``recode_targets(mapping)``
    Replace each integer target ``t`` by ``mapping[t]``.

Pickles hold only the live rows (the hash index is rebuilt on first use after
loading, so a pickle does not depend on which lookups ran). A subclass implements ``_hash(X)``,
``_rows_equal(positions, X_forget, rows)``, ``_move_rows(holes, movers,
n_keep)``, ``X``, ``take``, ``conform``, ``mapped``, ``erase`` and
``_live_state()``.
"""

import numpy as np

from ._row_index import RowIndex

__all__ = ["RowStore"]


class RowStore:
    """Base of the row stores: lookup by hash, in-place removal, pickling of live rows.

    Subclasses set ``_y``, ``_w`` and ``_n`` and call :meth:`_reset_index`.
    The hash index is built on first use, so a store made by :meth:`mapped`
    (a pipeline's final step, addressed by position) never pays for it.
    """

    @property
    def n(self):
        """Number of live rows."""
        return self._n

    @property
    def y(self):
        """Targets of the live rows (a view)."""
        return self._y[: self._n]

    @property
    def sample_weight(self):
        """Weights of the live rows (a view)."""
        return self._w[: self._n]

    def _reset_index(self):
        self._index_cache = None

    @property
    def _index(self):
        if self._index_cache is None:
            self._index_cache = RowIndex(self._hash(self.X))
        return self._index_cache

    def find(self, X_forget, y_forget=None, format_label=repr):
        """Positions of the stored rows to forget, shared by estimators and pipelines.

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Validated rows (any form :meth:`conform` accepts).
        y_forget : ndarray of shape (n_forget,) or (n_forget, n_targets), default=None
            Encoded targets, in the stored layout.
        format_label : callable, default=repr
            Turns a stored target into text for error messages.

        Returns
        -------
        positions : ndarray of shape (n_forget,), dtype int64, or None
            None for an empty forget set.

        Raises
        ------
        ValueError
            A row that is not stored (see :meth:`locate`), or a forget set that
            covers every stored row.
        """
        if X_forget.shape[0] == 0:
            return None
        positions = self.locate(X_forget, y_forget, format_label)
        if len(positions) >= self._n:
            raise ValueError(
                f"X_forget covers all {self._n} training rows; nothing would remain to train "
                "on. Create a new estimator instead."
            )
        return positions

    def locate(self, X_forget, y_forget=None, format_label=repr):
        """Positions of the stored rows matching each row of ``X_forget``.

        Each row of ``X_forget`` claims one stored row that equals it exactly
        (and whose target equals ``y_forget``'s, when given).

        Parameters
        ----------
        X_forget : ndarray or sparse matrix of shape (n_forget, n_features)
            float64 rows, converted to the store's form by :meth:`conform`.
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
        X_forget = self.conform(X_forget)
        hashes = self._hash(X_forget)
        index = self._index
        lo, hi = index.candidate_ranges(hashes)
        positions = np.full(len(hashes), -1, dtype=np.int64)
        _, first, counts = np.unique(hashes, return_index=True, return_counts=True)
        unique_hash = np.zeros(len(hashes), dtype=bool)
        unique_hash[first[counts == 1]] = True
        fast = unique_hash & (hi - lo == 1)
        fast_rows = np.flatnonzero(fast)
        fast_pos = index.positions[lo[fast_rows]]
        ok = fast_pos >= 0
        ok[ok] = self._rows_equal(fast_pos[ok], X_forget, fast_rows[ok])
        if y_forget is not None and ok.any():
            ok[ok] = self._targets_equal(self._y[fast_pos[ok]], y_forget[fast_rows[ok]])
        positions[fast_rows[ok]] = fast_pos[ok]
        claimed = set(fast_pos[ok].tolist())
        for j in np.flatnonzero(positions < 0):
            positions[j] = self._claim(j, X_forget, y_forget, lo[j], hi[j], claimed, format_label)
        return positions

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
        index = self._index_cache
        if index is not None:
            for position in positions:
                index.delete(position)
        holes = positions[positions < n_keep]
        movers = np.setdiff1d(np.arange(n_keep, self._n), positions, assume_unique=True)
        self._move_rows(holes, movers, n_keep)
        self._y[holes] = self._y[movers]
        self._w[holes] = self._w[movers]
        if index is not None:
            for source, target in zip(movers.tolist(), holes.tolist(), strict=True):
                index.move(source, target)
        self._y[n_keep : self._n] = 0
        self._w[n_keep : self._n] = 0.0
        self._n = n_keep
        if index is not None and index.n_tombstones > max(self._n, 1024):
            self._reset_index()

    def recode_targets(self, mapping):
        """Replace each stored target ``t`` by ``mapping[t]`` (integer targets)."""
        self._y[: self._n] = mapping[self._y[: self._n]]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(self._live_state())
        state["_y"] = self.y.copy()
        state["_w"] = self.sample_weight.copy()
        state["_index_cache"] = None  # rebuilt on demand: a pickle holds rows, not their history
        return state
