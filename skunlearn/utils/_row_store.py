"""The row-store contract: the rows an estimator or pipeline keeps so that it can unlearn.

A row store holds the live training rows ``X`` (in its own form: dense or
CSR), their encoded targets ``y`` and sample weights, in the order they were
fitted; it finds rows by value and removes them in place. Every store
implements this interface; estimators
(:class:`~skunlearn.linear_model.UnlearnMixin`), pipelines and the scalers of
:mod:`skunlearn.preprocessing` use only it, and no caller writes into a store's
arrays.

Removal is *stable*: the remaining rows keep their fit order (the rows after a
gap shift up, ``O(n d)`` element moves), so the store after a removal equals
the store a fit on the remaining rows builds, and no row's position tells where
a removed row sat. Two stores of the same rows (a pipeline's raw rows and its
final step's rows) stay aligned through any removal.

Public interface
----------------
``n``, ``X``, ``y``, ``sample_weight``
    The live rows (read-only views).
``head(m)``
    ``(X, y, sample_weight)`` of the first ``m`` live rows (views).
``hashes``
    The 64-bit hash of each live row, in store order (computed on first use,
    then kept aligned through removals; never pickled).
``take(positions)``
    Copies of ``(X, y, sample_weight)`` at positions.
``conform(X)``
    Rows in the store's form, by value (dense for a dense store, canonical
    CSR for a sparse one).
``find(X_forget, y_forget, format_label, sample_weight, missing=, column_names=)``
    Positions of the rows to forget (one stored row per forget row), None
    for an empty forget set; raises ValueError naming the first row that is
    not stored (and how far the nearest stored row is, column by column,
    without quoting it), and when the forget set covers every row. With
    ``missing="ignore"`` rows that are not stored are skipped instead.
``set_ids(ids)`` / ``ids`` / ``find_ids(ids, missing)``
    One unique identifier per row (optional): rows found by id; the ids are
    removed with their rows.
``partition(positions)`` / ``unpartition(positions)``
    Move the rows at ``positions`` behind the others in place, both groups
    keeping their order (and back: the exact inverse). An unlearning computes
    on the partitioned store, whose first ``n - k`` rows are then exactly the
    remaining rows, and either commits with :meth:`drop_tail` or restores.
``drop_tail(positions)``
    After :meth:`partition`: zero the moved rows and forget them (the hash
    index drops their entries and renumbers the others).
``remove(positions)``
    ``partition`` then ``drop_tail``.
``append(X, y, sample_weight)``
    Add rows after the live ones (the buffers grow by an eighth beyond what
    they need); ``drop_tail(range(n_before, n))`` undoes it.
``erase()``
    Zero every buffer (after the store was replaced).
``recode_targets(mapping)``
    Replace each integer target ``t`` by ``mapping[t]``.

Pickles hold only the live rows, and no hashes or hash index (they are
computed on first use after loading; nor does it hold an id lookup table). A
subclass implements ``X``, ``_head_X(m)``, ``take``, ``conform``, ``erase``,
``_hash(X)``, ``_rows_equal(positions, X_forget, rows)``, ``_nearest(X_forget, j)``,
``_partition_X(holes)``, ``_unpartition_X(holes)``, ``_zero_tail_X(n_keep)``,
``_append_X(X)`` and ``_live_state()``.
"""

import numpy as np

from ._row_index import RowIndex
from ._row_lookup import RowLookup
from ._row_moves import stable_partition, stable_unpartition, with_room
from ._sample_ids import IdLookup, blank

__all__ = ["RowStore"]


class RowStore(RowLookup):
    """Base of the row stores: lookup by hash, stable in-place removal, pickling of live rows.

    Subclasses set ``_y``, ``_w`` and ``_n`` and call :meth:`_reset_index`.
    The row hashes and the hash index are computed on first use, so a store
    that is only addressed by position (a pipeline's final step) never pays
    for them.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import RowStore, training_rows
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    >>> rows = training_rows(X, np.array([0, 1, 0]), np.ones(3))
    >>> isinstance(rows, RowStore), rows.find(X[1:2]).tolist()
    (True, [1])
    >>> rows.remove([1])
    >>> rows.n, rows.X.tolist()
    (2, [[0.0, 1.0], [4.0, 5.0]])
    """

    _ids = None  # one identifier per row, when set_ids was called
    _id_lookup = None  # built on first use, never pickled

    @property
    def ids(self):
        """Identifiers of the live rows (a view), or None."""
        return None if self._ids is None else self._ids[: self._n]

    def set_ids(self, ids):
        """Attach one identifier per row (validated by ``sample_ids``), copied.

        Parameters
        ----------
        ids : ndarray of shape (n_rows,)
            One identifier per stored row.
        """
        self._ids = np.array(ids, dtype=object if ids.dtype.kind in "OSU" else ids.dtype)
        self._id_lookup = None

    def find_ids(self, ids, missing="raise"):
        """Find the positions of the rows with identifiers ``ids`` (see ``IdLookup``).

        Parameters
        ----------
        ids : array-like of shape (n_ids,)
            Identifiers of the rows to find.
        missing : {"raise", "ignore"}, default="raise"
            What an id that is not stored does: raise, or be skipped.

        Returns
        -------
        positions : ndarray of int64 or None
            None when no row is found.
        n_skipped : int
            The ids skipped with ``missing="ignore"``.

        Raises
        ------
        ValueError
            The store has no ids, an id that is not stored (with
            ``missing="raise"``), or ids that cover every row.
        """
        if self._ids is None:
            raise ValueError(
                "ids were given, but the model was fitted without sample_id: fit(X, y, "
                "sample_id=...) keeps one identifier per row."
            )
        if self._id_lookup is None:
            self._id_lookup = IdLookup(self.ids)
        positions, skipped = self._id_lookup.positions(ids, missing)
        return self._checked_cover(positions, "ids"), skipped

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

    def head(self, m):
        """Return ``(X, y, sample_weight)`` of the first ``m`` live rows, as views.

        Parameters
        ----------
        m : int
            Number of rows, at most :attr:`n`.

        Returns
        -------
        X : ndarray, CSR matrix or table of shape (m, n_features)
            The rows.
        y : ndarray of shape (m,) or (m, n_targets)
            Their targets.
        sample_weight : ndarray of shape (m,) or (m, n_steps)
            Their weights.
        """
        return self._head_X(m), self._y[:m], self._w[:m]

    _hashes_cache = None  # stores pickled before the hashes were kept

    def _reset_index(self):
        """Forget the hashes and the index (zeroed: they fingerprint the rows)."""
        if self._hashes_cache is not None:
            self._hashes_cache[...] = 0
        self._index_cache = None
        self._hashes_cache = None

    @property
    def hashes(self):
        """Hash of each live row, in store order (a read-only view; computed once)."""
        self.hash_rows()
        view = self._hashes_cache[: self._n]
        view.flags.writeable = False
        return view

    def hash_rows(self):
        """Compute the row hashes now (one pass over X) unless they are known."""
        if self._hashes_cache is None:
            self._hashes_cache = self._hash(self.X)

    @property
    def _index(self):
        if self._index_cache is None:
            self._index_cache = RowIndex(self.hashes)
        return self._index_cache

    def partition(self, positions):
        """Move the rows at ``positions`` behind the other live rows, both keeping their order.

        Parameters
        ----------
        positions : array-like of int
            Positions of the rows among the live ones.
        """
        holes = np.unique(np.asarray(positions, dtype=np.int64))
        self._partition_X(holes)
        for array in self._row_arrays():
            stable_partition(array, holes, self._n)

    def unpartition(self, positions):
        """Undo :meth:`partition` with the same positions: the store is as before.

        Parameters
        ----------
        positions : array-like of int
            Positions of the rows among the live ones.
        """
        holes = np.unique(np.asarray(positions, dtype=np.int64))
        self._unpartition_X(holes)
        for array in self._row_arrays():
            stable_unpartition(array, holes, self._n)

    def _row_arrays(self):
        """The per-row arrays besides ``X``: targets, weights, ids when set, hashes when
        computed."""
        arrays = [self._y, self._w] + ([] if self._ids is None else [self._ids])
        return arrays if self._hashes_cache is None else [*arrays, self._hashes_cache]

    def drop_tail(self, positions):
        """Zero and drop the rows :meth:`partition` moved (and their index entries).

        Parameters
        ----------
        positions : array-like of int
            Positions of the rows among the live ones. (as given to :meth:`partition`).
        """
        holes = np.unique(np.asarray(positions, dtype=np.int64))
        n_keep = self._n - len(holes)
        self._zero_tail_X(n_keep)
        for array in self._row_arrays():
            blank(array[n_keep : self._n])
        if self._index_cache is not None:
            self._index_cache = self._index_cache.without(holes)
        self._id_lookup = None
        self._n = n_keep

    def check_appendable(self):
        """Raise ``NotImplementedError`` when rows cannot be appended (``partial_fit``)."""

    def append(self, X, y, sample_weight, ids=None):
        """Append rows (any form :meth:`conform` accepts) after the live ones, in order.

        Parameters
        ----------
        X : array-like, CSR matrix or table of shape (m, n_features)
            The new rows.
        y : ndarray of shape (m,) or (m, n_targets)
            Their targets.
        sample_weight : ndarray of shape (m,) or (m, n_steps)
            Their weights.
        ids : array-like of shape (m,), default=None
            Their identifiers; required exactly when the store keeps ids.

        Raises
        ------
        ValueError
            ``ids`` given to a store without ids or missing for one with ids,
            or ids that are already stored (nothing is appended).
        """
        X = self.conform(X)
        n, m = self._n, X.shape[0]
        self._append_ids(ids, n, m)
        self._append_X(X)
        self._y = with_room(self._y, n, m)
        self._y[n : n + m] = y
        self._w = with_room(self._w, n, m)
        self._w[n : n + m] = sample_weight
        if self._hashes_cache is not None:
            added = self._hash(X)
            self._hashes_cache = with_room(self._hashes_cache, n, m)
            self._hashes_cache[n : n + m] = added
            if self._index_cache is not None:
                self._index_cache = self._index_cache.with_rows(added)
        self._n = n + m

    def _append_ids(self, ids, n, m):
        if (ids is None) != (self._ids is None):
            raise ValueError(
                "The model keeps one sample_id per row: pass sample_id for the new rows."
                if ids is None
                else "sample_id was given, but the model was fitted without sample_id."
            )
        if ids is None:
            return
        if set(self.ids.tolist()) & set(ids.tolist()):
            raise ValueError("sample_id of the new rows repeats ids already stored.")
        if ids.dtype != self._ids.dtype:
            self._ids = self._ids.astype(object)
        self._ids = with_room(self._ids, n, m)
        self._ids[n : n + m] = ids
        self._id_lookup = None

    def remove(self, positions):
        """Remove rows in place, the others keeping their order; the freed tail is zeroed.

        Parameters
        ----------
        positions : array-like of int
            Positions of the rows among the live ones.
        """
        self.partition(positions)
        self.drop_tail(positions)

    def recode_targets(self, mapping):
        """Replace each stored target ``t`` by ``mapping[t]`` (integer targets).

        Parameters
        ----------
        mapping : ndarray of int
            New code of each old code.
        """
        self._y[: self._n] = mapping[self._y[: self._n]]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(self._live_state())
        state["_y"] = self.y.copy()
        state["_w"] = self.sample_weight.copy()
        state["_index_cache"] = None  # rebuilt on demand: a pickle holds rows, not their history
        state["_hashes_cache"] = None
        state.pop("_id_lookup", None)
        if self._ids is not None:
            state["_ids"] = self.ids.copy()
        return state
