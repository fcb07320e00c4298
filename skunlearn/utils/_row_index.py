"""A hash index of stored rows: find a row in O(log n), forget it without a trace.

Rows are hashed from their float64 bit patterns (``-0.0`` folded onto ``0.0`` so
that equal values hash equally). The index is a sorted array of hashes with the
row position of each; forgotten entries become tombstones whose key is copied
from the nearest live entry before them, so no hash of a forgotten row remains.
"""

import numpy as np
from numba import njit

__all__ = ["RowIndex", "hash_rows"]

_INT64_MIN = np.iinfo(np.int64).min


@njit(cache=True)
def _hash_row_bits(bits):
    n, d = bits.shape
    out = np.empty(n, dtype=np.int64)
    negative_zero = np.int64(-9223372036854775808)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for j in range(d):
            b = bits[i, j]
            if b == negative_zero:
                b = 0
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
    >>> h = hash_rows(np.array([[1.0, -0.0], [1.0, 0.0], [2.0, 0.0]]))
    >>> bool(h[0] == h[1]), bool(h[0] == h[2])
    (True, False)
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    return _hash_row_bits(X.view(np.int64).reshape(X.shape))


class RowIndex:
    """Sorted row hashes with positions; supports lookup, deletion and moves.

    Parameters
    ----------
    hashes : ndarray of shape (n_rows,), dtype int64
        Hash of the row stored at each position.
    """

    def __init__(self, hashes):
        order = np.argsort(hashes, kind="stable")
        self.keys = np.ascontiguousarray(hashes[order], dtype=np.int64)
        self.positions = order.astype(np.int64)
        self.slot_of = np.empty(len(hashes), dtype=np.int64)
        self.slot_of[order] = np.arange(len(hashes), dtype=np.int64)
        self.n_tombstones = 0

    def candidate_ranges(self, hashes):
        """Slot ranges ``[lo, hi)`` whose keys equal each hash."""
        lo = np.searchsorted(self.keys, hashes, side="left")
        hi = np.searchsorted(self.keys, hashes, side="right")
        return lo, hi

    def candidates(self, lo, hi):
        """Live positions stored in slots ``[lo, hi)``."""
        found = self.positions[lo:hi]
        return found[found >= 0]

    def delete(self, position):
        """Drop the entry of ``position``; keep no trace of its hash."""
        slot = self.slot_of[position]
        old = self.keys[slot]
        new = self.keys[slot - 1] if slot > 0 else _INT64_MIN
        self.positions[slot] = -1
        self.keys[slot] = new
        nxt = slot + 1
        while nxt < len(self.keys) and self.positions[nxt] < 0 and self.keys[nxt] == old:
            self.keys[nxt] = new
            nxt += 1
        self.n_tombstones += 1

    def move(self, source, target):
        """Record that the row at ``source`` now lives at ``target``."""
        slot = self.slot_of[source]
        self.positions[slot] = target
        self.slot_of[target] = slot

    def trimmed(self, n_rows):
        """A copy holding only what ``n_rows`` live rows need (for pickling)."""
        other = RowIndex.__new__(RowIndex)
        other.keys = self.keys.copy()
        other.positions = self.positions.copy()
        other.slot_of = self.slot_of[:n_rows].copy()
        other.n_tombstones = self.n_tombstones
        return other
