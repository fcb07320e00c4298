"""Finding stored rows by value: the lookup half of the row-store contract.

:class:`RowLookup` is the base of :class:`~skunlearn.utils._row_store.RowStore`
that answers ``find`` and ``locate``: each forget row claims one stored row
equal to it (and with its target and weight, when given), found through the
store's hash index and confirmed by comparing values. The messages name the
forget row, never a stored value; a row forgotten before and a row never
trained on give the same error. :class:`NotStored`, :data:`ASK` and
:func:`mismatch_message` are shared with the chunked stores
(:mod:`~skunlearn.utils._chunked_rows`), which claim rows the same way.
"""

import numpy as np

from ._near_miss import describe_near_miss

__all__ = ["ASK", "NotStored", "RowLookup", "mismatch_message"]


class RowLookup:
    """Lookup by value over a row store's hash index (``_index``, ``_hash``, ``_rows_equal``,
    ``_nearest``, ``conform``, ``_y``, ``_w``, ``_n`` come from the store)."""

    def find(
        self,
        X_forget,
        y_forget=None,
        format_label=None,
        sample_weight=None,
        *,
        missing="raise",
        column_names=None,
    ):
        """Find the positions of the stored rows to forget (estimators and pipelines).

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Rows in any form :meth:`conform` accepts (which raises ValueError
            for rows of another width or other columns).
        y_forget : ndarray of shape (n_forget,) or (n_forget, n_targets), default=None
            Encoded targets, in the stored layout.
        format_label : callable, default=None
            Turns a target into text for error messages (class labels, which
            are public); None keeps targets out of every message.
        sample_weight : ndarray of shape (n_forget,), default=None
            The rows' sample weights at fit: they decide between equal rows
            with different weights.
        missing : {"raise", "ignore"}, default="raise"
            What a row that is not stored (or not that often, or not with that
            target or weight) does: raise, or be skipped (a retried deletion).
        column_names : sequence of str, default=None
            Column names for error messages (default: the store's own, else
            positions).

        Returns
        -------
        positions : ndarray of shape (n_found,), dtype int64, or None
            None for an empty forget set (or when every row was skipped).

        Raises
        ------
        ValueError
            A row that is not stored (see :meth:`locate`), or a forget set that
            covers every stored row.
        """
        X_forget = self.conform(X_forget)
        if X_forget.shape[0] == 0:
            return None
        names = self.column_names if column_names is None else column_names
        positions = self.locate(X_forget, y_forget, format_label, sample_weight, missing, names)
        return self._checked_cover(positions[positions >= 0], "X_forget")

    column_names = None  # a store that knows its columns' names overrides this

    def _checked_cover(self, positions, what):
        if len(positions) >= self._n:
            raise ValueError(
                f"{what} covers all {self._n} training rows; nothing would remain to train "
                "on. Create a new estimator instead."
            )
        return positions if len(positions) else None

    def locate(
        self,
        X_forget,
        y_forget=None,
        format_label=None,
        sample_weight=None,
        missing="raise",
        column_names=None,
    ):
        """Locate the stored row matching each row of ``X_forget``.

        Each row of ``X_forget`` claims one stored row that equals it exactly
        (and whose target equals ``y_forget``'s and weight ``sample_weight``'s,
        when given); among equal stored rows, the first one not yet claimed.
        A row that was forgotten before and a row never trained on give the
        same error: the store remembers nothing of the rows it removed. No
        message quotes a stored value.

        Parameters
        ----------
        X_forget : ndarray or sparse matrix of shape (n_forget, n_features)
            float64 rows, converted to the store's form by :meth:`conform`.
        y_forget : ndarray of shape (n_forget,) or (n_forget, n_targets), default=None
            Encoded targets, in the stored layout.
        format_label : callable, default=None
            Turns a class label into text for error messages; None keeps
            targets out of them.
        sample_weight : ndarray of shape (n_forget,), default=None
            Weights the stored rows must have (every column of a 2-D store).
        missing : {"raise", "ignore"}, default="raise"
            "ignore" gives position -1 to a row that is not stored, occurs
            more often than stored, or whose label or weight does not match.
        column_names : sequence of str, default=None
            Column names for the message about the nearest stored row.

        Returns
        -------
        positions : ndarray of shape (n_forget,), dtype int64

        Raises
        ------
        ValueError
            Naming the first row of ``X_forget`` that is not in the training
            set (and, by column, how far the nearest stored row is: a rounded
            or float32 copy shows as a tiny gap), occurs more often than it
            was trained on, whose label or weight does not match, or that
            matches rows with different labels (weights) while ``y_forget``
            (``sample_weight``) is None.
        """
        X_forget = self.conform(X_forget)
        hashes = self._hash(X_forget)
        index = self._index
        lo, hi = index.candidate_ranges(hashes)
        positions = np.full(len(hashes), -1, dtype=np.int64)
        _, first, counts = np.unique(hashes, return_index=True, return_counts=True)
        unique_hash = np.zeros(len(hashes), dtype=bool)
        unique_hash[first[counts == 1]] = True
        fast_rows = np.flatnonzero(unique_hash & (hi - lo == 1))
        fast_pos = index.positions[lo[fast_rows]]
        ok = self._rows_equal(fast_pos, X_forget, fast_rows)
        for given, stored in ((y_forget, self._y), (sample_weight, self._w)):
            if given is not None and ok.any():
                ok[ok] = self._targets_equal(stored[fast_pos[ok]], given[fast_rows[ok]])
        positions[fast_rows[ok]] = fast_pos[ok]
        claimed = set(fast_pos[ok].tolist())
        context = (X_forget, (y_forget, sample_weight), claimed, format_label, column_names)
        for j in np.flatnonzero(positions < 0):
            try:
                positions[j] = self._claim(j, lo[j], hi[j], *context)
            except NotStored:
                if missing == "raise":
                    raise
        return positions

    def _targets_equal(self, stored, given):
        """Row-wise equality of stored values (targets or weights) with given ones."""
        if stored.ndim == 2 and given.ndim == 1 and stored.shape[1] != 1:
            given = given[:, None]  # one weight for every weighted pipeline step
        stored = stored.reshape(len(stored), -1)
        given = np.broadcast_to(given.reshape(len(given), -1), stored.shape)
        return np.all(stored == given, axis=1)

    def _claim(self, j, lo, hi, X_forget, given, claimed, format_label, column_names):
        candidates = self._index.candidates(lo, hi)
        same_row = self._rows_equal(candidates, X_forget, np.full(len(candidates), j))
        matching = candidates[same_row]
        if not len(matching):
            gaps = self._nearest(X_forget, j) if self._n else None
            raise NotStored(
                f"Row {j} of X_forget is not in the training set"
                f"{describe_near_miss(gaps, column_names)}."
            )
        y_given, w_given = given
        for value, stored, what in ((y_given, self._y, "label"), (w_given, self._w, "weight")):
            if value is not None:
                matching = matching[self._targets_equal(stored[matching], value[j : j + 1])]
                if not len(matching):
                    raise NotStored(mismatch_message(j, what, value[j], format_label))
        free = [p for p in matching.tolist() if p not in claimed]
        if not free:
            raise NotStored(
                f"Row {j} of X_forget occurs more often in X_forget than in the training set "
                f"({len(matching)} stored cop{'y' if len(matching) == 1 else 'ies'})."
            )
        for value, stored, ask in ((y_given, self._y, ASK[0]), (w_given, self._w, ASK[1])):
            if value is None and len(np.unique(stored[free].reshape(len(free), -1), axis=0)) > 1:
                raise ValueError(f"Row {j} of X_forget matches training rows with {ask}")
        claimed.add(free[0])
        return free[0]


class NotStored(ValueError):
    """A forget row that is not stored (as often, with that target or weight)."""


ASK = (
    "different labels; pass y_forget to say which one to forget.",
    "different sample weights; pass sample_weight to say which one to forget.",
)


def mismatch_message(j, what, value, format_label):
    """A mismatch message that names a label only when labels may be shown."""
    if what == "weight":
        return f"Row {j} of X_forget: no stored copy of that row has the given sample_weight."
    if format_label is None:
        return f"Row {j} of X_forget: its target does not match the stored target of that row."
    return f"Row {j} of X_forget: no stored copy of that row has label {format_label(value)}."
