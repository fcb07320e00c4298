"""Training rows held in chunks elsewhere: on dask workers or in files, never in the caller.

:class:`ChunkedRows` implements the :mod:`row-store contract
<skunlearn.utils._row_store>` over a list of :class:`~skunlearn.utils._shards.Shard`
chunks that a backend holds (:mod:`~skunlearn.utils._dask_rows`: the memory of
dask workers; :mod:`~skunlearn.utils._disk_rows`: memory-mapped files). The
client keeps only the chunk sizes and handles.

- Lookup: each chunk keeps a hash index of its rows; a forget set is matched
  in every chunk where it lives and the matches are claimed on the client in
  fit order, with the in-memory stores' rules and messages.
- Removal stays stable (the remaining rows keep their fit order, within and
  across chunks) and rewrites only the chunks that held forgotten rows:
  :meth:`ChunkedRows.partition` stages a compacted copy of each such chunk
  beside the old one, the unlearning computes on the staged chunks (they are
  exactly the rows a refit sees), and :meth:`ChunkedRows.drop_tail` swaps them
  in and erases the old chunks (zeroed before release); a failure before the
  swap erases the staged copies and leaves the store as it was.
- ``X``, ``y``, ``sample_weight`` and ``head(m)`` are lazy views
  (:mod:`~skunlearn.utils._chunked_views`): the objective, Gram statistics and
  column moments over a view are computed chunk by chunk where the rows live.

Pickling refuses: the pickle would have to hold the rows (or a handle that a
second copy of the model could unlearn through, corrupting the first).
"""

import weakref

import numpy as np
import scipy.sparse as sp

from ._chunked_views import ChunkedColumn, ChunkedMatrix
from ._row_index import hash_rows
from ._row_lookup import ASK, NotStored, mismatch_message
from ._row_store import RowStore
from ._sample_ids import _as_vector, _unknown

__all__ = ["ChunkedRows"]


class ChunkedRows(RowStore):
    """A row store whose rows live in chunks that a backend holds (workers, files).

    Parameters
    ----------
    backend : object
        Holds the chunks and runs operations on them (``run``, ``reduce``,
        ``stage``, ``erase``, ``recode``; see :mod:`~skunlearn.utils._dask_rows`).
    refs : list
        The backend's handle of each chunk, in fit order.
    sizes : sequence of int
        Rows per chunk.
    n_features : int
    y_shape : tuple
        Shape of one row's target (``()`` or ``(n_targets,)``).
    has_ids : bool, default=False
        Whether the chunks hold one identifier per row (``find_ids``).
    """

    def __init__(self, backend, refs, sizes, n_features, y_shape, has_ids=False):
        self._backend, self._refs = backend, list(refs)
        self._has_ids = has_ids
        self._sizes = np.asarray(sizes, dtype=np.int64)
        self._n, self._d, self._y_shape = int(self._sizes.sum()), n_features, tuple(y_shape)
        self._staged = None
        self._finalizer = weakref.finalize(self, backend.erase, self._refs)

    def __getstate__(self):
        raise TypeError(
            f"This model's training rows live {self._backend.where}; pickling it would copy "
            "them into the pickle. Keep the fitted parameters instead (coef_, intercept_), "
            "or refit from the source after loading."
        )

    # -- views ---------------------------------------------------------------------
    def _rows(self, kept):
        """``(refs, skips)`` of all stored rows, or of the rows kept by a partition."""
        refs = list(self._refs)
        if kept and self._staged is not None:
            for c, (ref, _) in self._staged["chunks"].items():
                refs[c] = ref
        return tuple(refs), (None,) * len(refs)

    def _views(self, kept):
        rows = self._rows(kept)
        return (
            ChunkedMatrix(self, rows),
            ChunkedColumn(self, "y", rows),
            ChunkedColumn(self, "w", rows),
        )

    @property
    def X(self):
        """All stored rows (a lazy view)."""
        return self._views(False)[0]

    @property
    def y(self):
        """Targets of all stored rows (a lazy view)."""
        return self._views(False)[1]

    @property
    def sample_weight(self):
        """Weights of all stored rows (a lazy view)."""
        return self._views(False)[2]

    def head(self, m):
        """Views of the first ``m`` rows: all of them, or those a partition keeps."""
        n_keep = self._n - (0 if self._staged is None else len(self._staged["holes"]))
        if m not in (self._n, n_keep):
            raise NotImplementedError("A chunked store gives the rows a partition keeps only.")
        return self._views(m != self._n)

    def _count(self, rows):
        refs, skips = rows
        sizes = self._backend.sizes(refs)
        return int(
            sum(s - (0 if k is None else len(k)) for s, k in zip(sizes, skips, strict=True))
        )

    def reduce(self, op, rows, args, kind="sum"):
        """Run ``op`` on every chunk of ``rows`` where it lives; combine in a fixed tree."""
        refs, skips = rows
        return self._backend.reduce(op, refs, skips, args, kind)

    def excluding(self, rows, positions):
        """``rows`` without the stored rows at ``positions``."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        if self._staged is not None and np.array_equal(positions, self._tail()):
            return self._rows(True)
        current = self._rows(False)[0]
        unchanged = all(a is b for a, b in zip(rows[0], current, strict=True))
        if self._staged is not None or not unchanged or any(k is not None for k in rows[1]):
            raise NotImplementedError("Only the partitioned tail can be dropped from a view.")
        chunk, local = self._locate(positions)
        skips = tuple(
            local[chunk == c] if np.any(chunk == c) else None for c in range(len(rows[0]))
        )
        return rows[0], skips

    # -- positions -----------------------------------------------------------------
    def _offsets(self):
        return np.concatenate([[0], np.cumsum(self._sizes)])

    def _tail(self):
        return np.arange(self._n - len(self._staged["holes"]), self._n)

    def _locate(self, positions):
        """Chunk and local position of stored rows (``positions`` before any partition)."""
        chunk = np.searchsorted(self._offsets(), positions, side="right") - 1
        return chunk, positions - self._offsets()[chunk]

    def _locate_logical(self, positions):
        """Chunk and local position in the *old* chunks; after a partition, of the tail."""
        if self._staged is None:
            return self._locate(positions)
        tail = positions - (self._n - len(self._staged["holes"]))
        if np.any(tail < 0):
            raise NotImplementedError("After a partition only the tail can be taken.")
        holes = self._staged["holes"]
        return self._locate(holes[tail])

    # -- row-store contract --------------------------------------------------------
    def take(self, positions):
        """Copies of ``(X, y, sample_weight)`` at positions (fetched from their chunks)."""
        positions = np.asarray(positions, dtype=np.int64)
        chunk, local = self._locate_logical(positions)
        X = np.empty((len(positions), self._d))
        y = np.empty((len(positions), *self._y_shape), dtype=self._backend.y_dtype)
        w = np.empty(len(positions))
        for c in np.unique(chunk):
            at = chunk == c
            X[at], y[at], w[at] = self._backend.fetch(self._refs[c], local[at])
        return X, y, w

    def conform(self, X):
        """``X`` as dense float64 rows (the store's form)."""
        X = X.toarray() if sp.issparse(X) else X
        return np.ascontiguousarray(X, dtype=np.float64)

    def locate(
        self,
        X_forget,
        y_forget=None,
        format_label=None,
        sample_weight=None,
        missing="raise",
        column_names=None,
    ):
        """Positions of the stored rows matching each row of ``X_forget`` (see ``RowStore``).

        Every chunk matches the rows against its own hash index where it
        lives; the matches are claimed here in fit order. A row that is not
        stored gets position -1 with ``missing="ignore"``. The message for a
        row that is not stored does not describe the nearest stored row (that
        would take a pass over every chunk).
        """
        X_forget = self.conform(X_forget)
        found = self._backend.match(self._refs, X_forget, hash_rows(X_forget))
        offsets = self._offsets()
        rows = np.concatenate([f[0] for f in found])
        stored = np.concatenate([f[1] + offsets[c] for c, f in enumerate(found)])
        ys = np.concatenate([f[2] for f in found])
        ws = np.concatenate([f[3] for f in found])
        order = np.lexsort((stored, rows))
        rows, stored, ys, ws = rows[order], stored[order], ys[order], ws[order]
        lo = np.searchsorted(rows, np.arange(len(X_forget)), side="left")
        hi = np.searchsorted(rows, np.arange(len(X_forget)), side="right")
        claimed, positions = set(), np.full(len(X_forget), -1, dtype=np.int64)
        for j in range(len(X_forget)):
            given = (y_forget, sample_weight)
            candidates = (stored[lo[j] : hi[j]], ys[lo[j] : hi[j]], ws[lo[j] : hi[j]])
            try:
                positions[j] = self._claim_chunked(j, given, candidates, claimed, format_label)
            except NotStored:
                if missing == "raise":
                    raise
        return positions

    def hash_rows(self):
        """Nothing to compute: each chunk hashes its rows when it is written (its own index)."""

    def set_ids(self, ids):
        """Ids are given when the chunks are built (``chunked_rows(..., ids)``)."""
        raise NotImplementedError("A chunked store takes its ids when its chunks are built.")

    def check_appendable(self):
        """Rows are not appended to chunks: ``partial_fit`` is refused by name."""
        raise NotImplementedError(
            f"partial_fit cannot add rows to training rows that live {self._backend.where}: "
            "fit again on all the rows (a dask array or memory-mapped file holding them)."
        )

    def find_ids(self, ids, missing="raise"):
        """Positions of the rows with identifiers ``ids`` (looked up in every chunk).

        Returns ``(positions, n_skipped)`` like :meth:`RowStore.find_ids`,
        with the same messages (ids named by position in the request).
        """
        if not self._has_ids:
            raise ValueError(
                "ids were given, but the model was fitted without sample_id: fit(X, y, "
                "sample_id=...) keeps one identifier per row."
            )
        requested = _as_vector(ids, len(ids)).tolist()
        for k, value in enumerate(requested):
            try:
                hash(value)
            except TypeError:
                raise ValueError(f"ids[{k}] is not hashable.") from None
        where = np.full(len(requested), -1, dtype=np.int64)
        for c, local in enumerate(self._backend.find_ids(self._refs, requested)):
            where[local >= 0] = self._offsets()[c] + local[local >= 0]
        found, skipped, claimed = [], 0, {}
        for k, position in enumerate(where.tolist()):
            if position < 0 or position in claimed:
                if missing == "raise":
                    raise ValueError(_unknown(k, claimed.get(position)))
                skipped += 1
                continue
            claimed[position] = k
            found.append(position)
        return self._checked_cover(np.asarray(found, dtype=np.int64), "ids"), skipped

    def _claim_chunked(self, j, given, candidates, claimed, format_label):
        matching, ys, ws = candidates
        if not len(matching):
            raise NotStored(f"Row {j} of X_forget is not in the training set.")
        keep = np.ones(len(matching), dtype=bool)
        for value, stored, what in ((given[0], ys, "label"), (given[1], ws, "weight")):
            if value is not None:
                keep &= self._targets_equal(stored, np.repeat(value[j : j + 1], len(stored), 0))
                if not keep.any():
                    raise NotStored(mismatch_message(j, what, value[j], format_label))
        free = [k for k in np.flatnonzero(keep) if int(matching[k]) not in claimed]
        if not free:
            raise NotStored(
                f"Row {j} of X_forget occurs more often in X_forget than in the training set "
                f"({int(keep.sum())} stored cop{'y' if keep.sum() == 1 else 'ies'})."
            )
        for value, stored, ask in ((given[0], ys, ASK[0]), (given[1], ws, ASK[1])):
            if value is None and len(np.unique(stored[free].reshape(len(free), -1), axis=0)) > 1:
                raise ValueError(f"Row {j} of X_forget matches training rows with {ask}")
        claimed.add(int(matching[free[0]]))
        return int(matching[free[0]])

    def partition(self, positions):
        """Stage a compacted copy of every chunk that holds a row at ``positions``."""
        holes = np.unique(np.asarray(positions, dtype=np.int64))
        chunk, local = self._locate(holes)
        staged = {}
        try:
            for c in np.unique(chunk):
                ref = self._refs[c]
                staged[int(c)] = (self._backend.stage(ref, local[chunk == c]), ref)
        except BaseException:
            self._backend.erase([ref for ref, _ in staged.values()])
            raise
        self._staged = {"holes": holes, "chunks": staged}

    def unpartition(self, positions):
        """Drop the staged chunks: the store is as before :meth:`partition`."""
        staged, self._staged = self._staged, None
        self._backend.erase([ref for ref, _ in staged["chunks"].values()])

    def drop_tail(self, positions):
        """Swap the staged chunks in and erase the old ones (zeroed, then released)."""
        staged, self._staged = self._staged, None
        old = []
        for c, (ref, previous) in staged["chunks"].items():
            self._refs[c] = ref
            old.append(previous)
        self._sizes = np.asarray(self._backend.sizes(self._refs), dtype=np.int64)
        self._n = int(self._sizes.sum())
        self._backend.erase(old)

    def recode_targets(self, mapping):
        """Replace each stored target ``t`` by ``mapping[t]`` in every chunk."""
        self._backend.recode(self._refs, np.asarray(mapping))

    def erase(self):
        """Zero and release every chunk."""
        self._backend.erase(self._refs)
