"""A hash index of stored rows: find a row in O(log n), forget it without a trace.

Rows are hashed from their float64 bit patterns (``-0.0`` folded onto ``0.0``
and every NaN onto one NaN, so that equal values hash equally: a missing value
equals a missing value). The index is a sorted array of hashes with the
row position of each, ties in row order. Removing rows drops their entries and
renumbers the others (:meth:`RowIndex.without`): the result equals an index
built afresh on the remaining rows, so its layout says nothing about which rows
were removed or where they sat.
"""

import numpy as np
from numba import njit

__all__ = ["RowIndex", "canonical_bits", "hash_rows"]


@njit(cache=True)
def canonical_bits(b):
    """Float64 bits with ``-0.0`` as ``0.0`` and every NaN as the one quiet NaN."""
    exponent = np.int64(0x7FF0000000000000)
    if b == np.int64(-9223372036854775808):
        return np.int64(0)
    if (b & exponent) == exponent and (b & np.int64(0x000FFFFFFFFFFFFF)) != 0:
        return np.int64(0x7FF8000000000000)
    return b


@njit(cache=True)
def _hash_row_bits(bits):
    n, d = bits.shape
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for j in range(d):
            b = canonical_bits(bits[i, j])
            h = (h ^ np.uint64(b)) * np.uint64(1099511628211)
            h ^= h >> np.uint64(31)
        out[i] = np.int64(h)
    return out


def hash_rows(X):
    """64-bit hashes of the rows of a dense float64 array.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), dtype float64

    Returns
    -------
    hashes : ndarray of shape (n_samples,), dtype int64

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import hash_rows
    >>> h = hash_rows(np.array([[1.0, -0.0], [1.0, 0.0], [2.0, 0.0], [np.nan, 0.0]]))
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    >>> bool(hash_rows(np.array([[-np.nan, 0.0]]))[0] == h[3])
    True
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    return _hash_row_bits(X.view(np.int64).reshape(X.shape))


class RowIndex:
    """Sorted row hashes with positions (ties in row order); lookup and removal.

    Parameters
    ----------
    hashes : ndarray of shape (n_rows,), dtype int64
        Hash of the row stored at each position.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils import RowIndex
    >>> index = RowIndex(np.array([7, 3, 7, 5]))
    >>> smaller = index.without(np.array([1]))
    >>> fresh = RowIndex(np.array([7, 7, 5]))
    >>> bool(np.array_equal(smaller.keys, fresh.keys))
    True
    >>> bool(np.array_equal(smaller.positions, fresh.positions))
    True
    """

    def __init__(self, hashes):
        order = np.argsort(hashes, kind="stable")
        self.keys = np.ascontiguousarray(hashes[order], dtype=np.int64)
        self.positions = order.astype(np.int64)

    def candidate_ranges(self, hashes):
        """Slot ranges ``[lo, hi)`` whose keys equal each hash."""
        lo = np.searchsorted(self.keys, hashes, side="left")
        hi = np.searchsorted(self.keys, hashes, side="right")
        return lo, hi

    def candidates(self, lo, hi):
        """Positions stored in slots ``[lo, hi)``."""
        return self.positions[lo:hi]

    def without(self, removed):
        """The index of the rows left once the rows at positions ``removed`` are gone.

        The remaining rows keep their order and are renumbered ``0, 1, ...``;
        the result equals ``RowIndex`` built on their hashes (keys sorted, ties
        in row order), in ``O(n)`` without hashing any row again.
        """
        gone = np.zeros(len(self.positions), dtype=bool)
        gone[removed] = True
        live = ~gone[self.positions]
        other = RowIndex.__new__(RowIndex)
        other.keys = self.keys[live]
        shift = np.cumsum(gone)
        kept = self.positions[live]
        other.positions = kept - shift[kept]
        return other
