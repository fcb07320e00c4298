"""Stored training rows in CSR form: found by hash, removed in place, never densified.

A sparse row is held in canonical form: sorted column indices, no explicit
zeros (so ``-0.0`` never appears), no duplicates. Its hash mixes the
``(column, value bits)`` pairs of those entries; two rows are equal when their
canonical entries are. Removal gives the same row order as
:class:`~skunlearn.utils.TrainingRows` (the last live rows move into the gaps),
so a pipeline's dense raw rows and a sparse final step stay aligned. Rows have
different lengths, so the CSR buffers are compacted in place: the blocks of
rows between gaps shift by whole blocks (O(nnz) element moves, no second copy
of X), the moved rows are staged in a buffer of their own size, and the freed
tail of ``data`` and ``indices`` is zeroed.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit

from ._row_store import RowStore
from ._training_rows import TrainingRows

__all__ = ["SparseTrainingRows", "canonical_csr", "hash_csr_rows", "training_rows"]


@njit(cache=True)
def _hash_csr(bits, indices, indptr):
    n = indptr.shape[0] - 1
    out = np.empty(n, dtype=np.int64)
    negative_zero = np.int64(-9223372036854775808)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for p in range(indptr[i], indptr[i + 1]):
            b = bits[p]
            if b == negative_zero:
                b = 0
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
            same = indices[lo + p] == o_indices[o_lo + p] and data[lo + p] == o_data[o_lo + p]
            p += 1
        out[r] = same
    return out


@njit(cache=True)
def _shift_block(data, indices, lo, hi, shift):
    """Move entries ``lo:hi`` by ``shift``, in the order that is safe for overlap."""
    if shift < 0:
        for p in range(lo, hi):
            data[p + shift], indices[p + shift] = data[p], indices[p]
    elif shift > 0:
        for p in range(hi - 1, lo - 1, -1):
            data[p + shift], indices[p + shift] = data[p], indices[p]


@njit(cache=True)
def _block_layout(indptr, holes, m_indptr, n_keep):
    """Rows ``[starts[b], ends[b])`` between holes, and how far block b's entries move."""
    m = holes.shape[0]
    shifts = np.zeros(m + 1, dtype=np.int64)
    starts = np.zeros(m + 1, dtype=np.int64)
    ends = np.full(m + 1, n_keep, dtype=np.int64)
    for j in range(m):
        hole_length = indptr[holes[j] + 1] - indptr[holes[j]]
        shifts[j + 1] = shifts[j] + (m_indptr[j + 1] - m_indptr[j]) - hole_length
        ends[j] = holes[j]
        starts[j + 1] = holes[j] + 1
    return shifts, starts, ends


@njit(cache=True)
def _renumber(indptr, holes, shifts, n_keep, n_old):
    """Row pointers of the compacted rows; the stale tail points at the end."""
    m = holes.shape[0]
    block = 0
    for t in range(holes[0] if m > 0 else n_keep + 1, n_keep + 1):
        while block < m and holes[block] < t:
            block += 1
        indptr[t] += shifts[block]
    indptr[n_keep + 1 : n_old + 1] = indptr[n_keep]


@njit(cache=True)
def _compact(data, indices, indptr, holes, m_data, m_indices, m_indptr, n_keep, n_old):
    """Rows ``holes[j]`` become mover ``j`` (staged in ``m_*``); rows >= n_keep go.

    The blocks of rows between holes keep their order, so their destinations
    are ordered too: moving every leftward block from left to right, then
    every rightward block from right to left, never overwrites entries not
    yet moved. The movers then fill the gaps and the freed tail is zeroed.
    """
    shifts, starts, ends = _block_layout(indptr, holes, m_indptr, n_keep)
    for b in range(shifts.shape[0]):
        if shifts[b] < 0:
            _shift_block(data, indices, indptr[starts[b]], indptr[ends[b]], shifts[b])
    for b in range(shifts.shape[0] - 1, -1, -1):
        if shifts[b] > 0:
            _shift_block(data, indices, indptr[starts[b]], indptr[ends[b]], shifts[b])
    for j in range(holes.shape[0]):
        target = indptr[holes[j]] + shifts[j] - m_indptr[j]
        for p in range(m_indptr[j], m_indptr[j + 1]):
            data[target + p], indices[target + p] = m_data[p], m_indices[p]
    new_nnz = indptr[n_keep] + shifts[-1]
    data[new_nnz : indptr[n_old]] = 0.0
    indices[new_nnz : indptr[n_old]] = 0
    _renumber(indptr, holes, shifts, n_keep, n_old)


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
    gap) element moves in place plus O(k) index updates; the extra memory is
    the moved rows only. Pickles hold only the live rows.

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
    array([[3., 0.],
           [0., 2.]])
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
        nnz = self._indptr[self._n]
        # Set the buffers on an empty matrix: scipy's constructor copies any view
        # that holds less than half of its base array (its ``prune``).
        live = sp.csr_matrix((self._n, self._n_features))
        live.data, live.indices = self._data[:nnz], self._indices[:nnz]
        live.indptr = self._indptr[: self._n + 1]
        return live

    def take(self, positions):
        """Copies of ``(X (CSR), y, sample_weight)`` at the given positions."""
        return self.X[positions], self._y[positions], self._w[positions]

    def conform(self, X):
        """``X`` as a canonical CSR matrix, by value (dense input is converted)."""
        return canonical_csr(X)

    def mapped(self, scale, shift):
        """A new store of the live rows scaled by ``x -> x * scale`` (``shift`` must be 0).

        Raises
        ------
        ValueError
            For a nonzero shift, which would make every row dense.
        """
        if np.any(np.asarray(shift) != 0):
            raise ValueError(
                "A sparse final step cannot follow a step that shifts its inputs (centring "
                "would make every stored row dense); use a scaler without centring."
            )
        live = self.X
        scaled = live.multiply(np.asarray(scale)[None, :]).tocsr()
        return SparseTrainingRows(scaled, self.y, self.sample_weight)

    def erase(self):
        """Zero every buffer."""
        for buffer in (self._data, self._indices, self._indptr, self._y, self._w):
            buffer[...] = 0

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

    def _move_rows(self, holes, movers, n_keep):
        staged = self.X[movers]
        _compact(
            self._data,
            self._indices,
            self._indptr,
            holes,
            staged.data,
            staged.indices,
            staged.indptr,
            n_keep,
            self._n,
        )

    def _live_state(self):
        live = self.X
        return {
            "_data": live.data.copy(),
            "_indices": live.indices.copy(),
            "_indptr": live.indptr.copy(),
        }


def training_rows(X, y, sample_weight):
    """A row store for ``X``: :class:`SparseTrainingRows` for sparse input, else dense.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from skunlearn.utils import training_rows
    >>> type(training_rows(sp.eye(3, format="csr"), np.zeros(3), np.ones(3))).__name__
    'SparseTrainingRows'
    """
    cls = SparseTrainingRows if sp.issparse(X) else TrainingRows
    return cls(X, y, sample_weight)
