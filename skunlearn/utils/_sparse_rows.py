"""Stored training rows in CSR form: found by hash, removed in place, never densified.

A sparse row is held in canonical form: sorted column indices, no explicit
zeros (so ``-0.0`` never appears), no duplicates. Its hash mixes the
``(column, value bits)`` pairs of those entries; two rows are equal when their
canonical entries are. Removal is stable like
:class:`~skunlearn.utils.TrainingRows`' (the remaining rows keep their order),
so a pipeline's dense raw rows and a sparse final step stay aligned. The CSR
buffers are compacted in place: the entries after the first gap shift up
(O(nnz) element moves, no second copy of X), the removed rows are staged in a
buffer of their own size, and the freed tail of ``data`` and ``indices`` is
zeroed.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit
from sklearn.utils import check_array

from ._chunked_input import is_chunked_input
from ._near_miss import nearest_sparse
from ._row_index import canonical_bits
from ._row_moves import with_room
from ._row_store import RowStore
from ._sample_ids import blank
from ._training_rows import TrainingRows

__all__ = ["SparseTrainingRows", "canonical_csr", "hash_csr_rows", "training_rows"]


@njit(cache=True)
def _hash_csr(bits, indices, indptr):
    n = indptr.shape[0] - 1
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for p in range(indptr[i], indptr[i + 1]):
            b = canonical_bits(bits[p])
            for part in (np.int64(indices[p]), b):
                h = (h ^ np.uint64(part)) * np.uint64(1099511628211)
                h ^= h >> np.uint64(31)
        out[i] = np.int64(h)
    return out


@njit(cache=True)
def _csr_rows_equal(data, indices, indptr, rows, o_data, o_indices, o_indptr, o_rows):
    out = np.zeros(rows.shape[0], dtype=np.bool_)
    for r in range(rows.shape[0]):
        lo, hi = indptr[rows[r]], indptr[rows[r] + 1]
        o_lo, o_hi = o_indptr[o_rows[r]], o_indptr[o_rows[r] + 1]
        same = hi - lo == o_hi - o_lo
        p = 0
        while same and p < hi - lo:
            a, b = data[lo + p], o_data[o_lo + p]
            same = indices[lo + p] == o_indices[o_lo + p] and (a == b or (a != a and b != b))
            p += 1
        out[r] = same
    return out


@njit(cache=True)
def _partition_csr(data, indices, indptr, n, holes):
    """Entries of rows ``holes`` (sorted) behind the others', both in row order, in place.

    ``indptr`` still describes the old layout; the caller renumbers it.
    """
    k = holes.shape[0]
    size = 0
    for j in range(k):
        size += indptr[holes[j] + 1] - indptr[holes[j]]
    staged_data = np.empty(size, dtype=data.dtype)
    staged_indices = np.empty(size, dtype=indices.dtype)
    s = 0
    for j in range(k):
        for p in range(indptr[holes[j]], indptr[holes[j] + 1]):
            staged_data[s], staged_indices[s] = data[p], indices[p]
            s += 1
    write, h = indptr[holes[0]], 0
    for row in range(holes[0], n):
        if h < k and row == holes[h]:
            h += 1
            continue
        for p in range(indptr[row], indptr[row + 1]):
            data[write], indices[write] = data[p], indices[p]
            write += 1
    for p in range(size):
        data[write + p], indices[write + p] = staged_data[p], staged_indices[p]


@njit(cache=True)
def _unpartition_csr(data, indices, indptr, old_indptr, n, holes):
    """The inverse of :func:`_partition_csr`: ``indptr`` is the partitioned layout,
    ``old_indptr`` the one to restore (the caller then copies it into ``indptr``)."""
    k = holes.shape[0]
    n_keep = n - k
    staged_data = data[indptr[n_keep] : indptr[n]].copy()
    staged_indices = indices[indptr[n_keep] : indptr[n]].copy()
    current, h = n_keep - 1, k - 1
    for row in range(n - 1, holes[0] - 1, -1):
        target = old_indptr[row]
        if h >= 0 and row == holes[h]:
            source = indptr[n_keep + h] - indptr[n_keep]
            for p in range(old_indptr[row + 1] - target - 1, -1, -1):
                data[target + p] = staged_data[source + p]
                indices[target + p] = staged_indices[source + p]
            h -= 1
        else:
            source = indptr[current]
            for p in range(old_indptr[row + 1] - target - 1, -1, -1):
                data[target + p], indices[target + p] = data[source + p], indices[source + p]
            current -= 1


def hash_csr_rows(X):
    """64-bit hashes of the rows of a canonical CSR matrix.

    Parameters
    ----------
    X : CSR matrix or array of shape (n_samples, n_features), float64
        In canonical form (see :func:`canonical_csr`); equal rows then hash
        equally.

    Returns
    -------
    hashes : ndarray of shape (n_samples,), dtype int64

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from skunlearn.utils import canonical_csr, hash_csr_rows
    >>> X = canonical_csr(sp.csr_matrix([[1.0, 0.0], [1.0, -0.0], [0.0, 1.0]]))
    >>> h = hash_csr_rows(X)
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    """
    return _hash_csr(X.data.view(np.int64), X.indices, X.indptr)


def canonical_csr(X, copy=False):
    """``X`` as a float64 CSR matrix in canonical form, equal to it by value.

    Sorted indices, duplicates summed, explicit zeros (``0.0`` and ``-0.0``)
    dropped. The input is never modified: it is copied when ``copy`` is True
    or when it is not canonical already.

    Parameters
    ----------
    X : sparse matrix or array, or ndarray of shape (n_samples, n_features)
    copy : bool, default=False
        Always return new buffers.

    Returns
    -------
    X : scipy.sparse.csr_matrix

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import canonical_csr
    >>> canonical_csr(np.array([[0.0, -0.0, 2.0]])).nnz
    1
    """
    X = sp.csr_matrix(X, dtype=np.float64)
    canonical = X.has_canonical_format and np.all(X.data != 0.0)
    if copy or not canonical:
        X = X.copy()
        X.sum_duplicates()
        X.eliminate_zeros()
    # re-wrapping lets scipy pick the index dtype the views of the store will get
    return sp.csr_matrix((X.data, X.indices, X.indptr), shape=X.shape, copy=False)


class SparseTrainingRows(RowStore):
    """Stored CSR rows ``X``, encoded targets and sample weights, with a row index.

    Implements the :mod:`row-store contract <skunlearn.utils._row_store>`;
    ``X`` is a CSR view of the live rows. Removing ``k`` rows costs O(nnz after the first
    gap) element moves in place plus O(n) index updates; the extra memory is
    the removed rows only. Pickles hold only the live rows.

    Parameters
    ----------
    X : sparse matrix or array of shape (n_samples, n_features)
        Training rows; copied into canonical CSR form (see
        :func:`canonical_csr`).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Encoded targets; copied.
    sample_weight : ndarray of shape (n_samples,)
        Row weights; copied.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from skunlearn.utils import SparseTrainingRows
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    >>> rows = SparseTrainingRows(X, np.arange(3), np.ones(3))
    >>> rows.remove(rows.find(sp.csr_matrix([[1.0, 0.0]])))
    >>> rows.X.toarray()
    array([[0., 2.],
           [3., 0.]])
    """

    def __init__(self, X, y, sample_weight):
        X = canonical_csr(X, copy=True)
        self._data, self._indices = np.array(X.data), np.array(X.indices)
        self._indptr = np.array(X.indptr)
        self._n_features = X.shape[1]
        self._y = np.array(y, copy=True, order="C")
        self._w = np.array(sample_weight, dtype=np.float64, copy=True)
        self._n = X.shape[0]
        self._reset_index()

    @property
    def X(self):
        """Live rows: a CSR matrix over views of the store's buffers."""
        return self._head_X(self._n)

    def _head_X(self, m):
        nnz = self._indptr[m]
        # Set the buffers on an empty matrix: scipy's constructor copies any view
        # that holds less than half of its base array (its ``prune``).
        live = sp.csr_matrix((m, self._n_features))
        live.data, live.indices = self._data[:nnz], self._indices[:nnz]
        live.indptr = self._indptr[: m + 1]
        return live

    def take(self, positions):
        """Copy ``(X (CSR), y, sample_weight)`` at the given positions.

        Parameters
        ----------
        positions : array-like of int
            Positions of the rows among the live ones.

        Returns
        -------
        X : CSR matrix of shape (n_rows, n_features)
            The rows.
        y : ndarray
            Their targets.
        sample_weight : ndarray
            Their weights.
        """
        return self.X[positions], self._y[positions], self._w[positions]

    def conform(self, X):
        """Convert ``X`` to a canonical CSR matrix, by value (dense input is converted).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_rows, n_features)
            Rows to compare with the stored ones.

        Returns
        -------
        X : CSR matrix
            The same values in the stored form.

        Raises
        ------
        ValueError
            Rows of another width than the stored ones.
        """
        X = check_array(
            X, accept_sparse="csr", dtype=np.float64, ensure_all_finite=False, ensure_min_samples=0
        )
        if X.shape[1] != self._n_features:
            raise ValueError(
                f"X_forget has {X.shape[1]} features; the training rows have {self._n_features}."
            )
        return canonical_csr(X)

    def erase(self):
        """Zero every buffer."""
        for buffer in (self._data, self._indices, self._indptr):
            buffer[...] = 0
        for array in self._row_arrays():
            blank(array)

    @staticmethod
    def _hash(X):
        return hash_csr_rows(X)

    def _rows_equal(self, positions, X_forget, rows):
        return _csr_rows_equal(
            self._data,
            self._indices,
            self._indptr,
            np.asarray(positions, dtype=np.int64),
            X_forget.data,
            X_forget.indices,
            X_forget.indptr,
            np.asarray(rows, dtype=np.int64),
        )

    def _nearest(self, X_forget, j):
        return nearest_sparse(self.X, X_forget[j])

    def _lengths_after(self, holes, lengths):
        gone = np.zeros(len(lengths), dtype=bool)
        gone[holes] = True
        return np.concatenate([lengths[~gone], lengths[gone]])

    def _partition_X(self, holes):
        if not len(holes):
            return
        n, indptr = self._n, self._indptr
        _partition_csr(self._data, self._indices, indptr, n, holes)
        lengths = self._lengths_after(holes, np.diff(indptr[: n + 1]))
        indptr[1 : n + 1] = indptr[0] + np.cumsum(lengths)

    def _unpartition_X(self, holes):
        if not len(holes):
            return
        n, indptr = self._n, self._indptr
        current = np.diff(indptr[: n + 1])
        gone = np.zeros(n, dtype=bool)
        gone[holes] = True
        lengths = np.empty_like(current)
        lengths[~gone], lengths[gone] = current[: n - len(holes)], current[n - len(holes) :]
        old = indptr[: n + 1].copy()
        old[1:] = indptr[0] + np.cumsum(lengths)
        _unpartition_csr(self._data, self._indices, indptr, old, n, holes)
        indptr[: n + 1] = old

    def _zero_tail_X(self, n_keep):
        lo, hi = self._indptr[n_keep], self._indptr[self._n]
        self._data[lo:hi] = 0.0
        self._indices[lo:hi] = 0
        self._indptr[n_keep + 1 : self._n + 1] = lo

    def _append_X(self, X):
        n, nnz = self._n, self._indptr[self._n]
        self._data = with_room(self._data, nnz, X.nnz)
        self._indices = with_room(self._indices, nnz, X.nnz)
        self._indptr = with_room(self._indptr, n + 1, X.shape[0])
        self._data[nnz : nnz + X.nnz] = X.data
        self._indices[nnz : nnz + X.nnz] = X.indices
        self._indptr[n + 1 : n + 1 + X.shape[0]] = nnz + X.indptr[1:]

    def _live_state(self):
        live = self.X
        return {
            "_data": live.data.copy(),
            "_indices": live.indices.copy(),
            "_indptr": live.indptr.copy(),
        }


def training_rows(X, y, sample_weight, copy=True, ids=None, chunked=True):
    """A row store for ``X``: sparse, dense, or chunked (dask or memory-mapped input).

    A dask array goes to the workers of the active ``distributed.Client`` (or,
    with none, into memory-mapped files), a memory-mapped array into files:
    see :mod:`skunlearn.utils._chunked_input`.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated float64 rows.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Encoded targets.
    sample_weight : ndarray of shape (n_samples,)
        Sample weights.
    copy : bool, default=True
        False lets a dense store take over ``X`` when it is already a
        C-contiguous float64 array nobody else writes to.
    ids : ndarray of shape (n_samples,), default=None
        One identifier per row, kept with the rows.
    chunked : bool, default=True
        False reads a memory-mapped ``X`` into memory instead (the estimators
        whose code needs their rows there: the linear model family).

    Returns
    -------
    rows : TrainingRows or SparseTrainingRows
        The store.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from skunlearn.utils import training_rows
    >>> type(training_rows(sp.eye(3, format="csr"), np.zeros(3), np.ones(3))).__name__
    'SparseTrainingRows'
    """
    if chunked and is_chunked_input(X):  # a dask array or a memory-mapped file: never gathered
        from ._chunked_input import chunked_rows

        return chunked_rows(X, y, sample_weight, ids)
    rows = SparseTrainingRows(X, y, sample_weight) if sp.issparse(X) else None
    rows = TrainingRows(X, y, sample_weight, copy=copy) if rows is None else rows
    if ids is not None:
        rows.set_ids(ids)
    return rows
