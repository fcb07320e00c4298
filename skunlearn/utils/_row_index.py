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
from numba import njit, prange

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


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SIGN = np.uint64(0x8000000000000000)
_EXPONENT = np.uint64(0x7FF0000000000000)
_MANTISSA = np.uint64(0x000FFFFFFFFFFFFF)
_QUIET_NAN = np.uint64(0x7FF8000000000000)
# Below this many values a parallel launch costs more than it saves.
_PARALLEL_MIN_SIZE = 1 << 18


@njit(cache=True, inline="always")
def _finish(h):
    """splitmix64's finaliser: every input bit moves every output bit."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@njit(cache=True, inline="always")
def _hash_row(bits, i, keys):
    """Sum over columns of a mixed ``(value bits ^ key of the column)``, then finished.

    The terms are independent (no chain from one column to the next), so the
    loop vectorises and runs at memory speed; the column keys make the hash
    depend on where each value sits. Values are taken as :func:`canonical_bits`
    gives them (``-0.0`` as ``0.0``, every NaN as the quiet NaN).
    """
    acc = np.uint64(bits.shape[1])
    for j in range(bits.shape[1]):
        b = np.uint64(bits[i, j])
        nan = (b & _EXPONENT) == _EXPONENT and (b & _MANTISSA) != np.uint64(0)
        b = _QUIET_NAN if nan else (np.uint64(0) if b == _SIGN else b)
        t = (b ^ keys[j]) * _GOLDEN
        acc += t ^ (t >> np.uint64(32))
    return np.int64(_finish(acc))


@njit(cache=True, error_model="numpy")
def _hash_serial(bits, keys, out):
    for i in range(bits.shape[0]):
        out[i] = _hash_row(bits, i, keys)


@njit(cache=True, error_model="numpy", parallel=True)
def _hash_parallel(bits, keys, out):
    for i in prange(bits.shape[0]):
        out[i] = _hash_row(bits, i, keys)


def _column_keys(d):
    """One pseudo-random 64-bit key per column (a fixed function of its index)."""
    keys = np.arange(1, d + 1, dtype=np.uint64) * _GOLDEN
    keys ^= keys >> np.uint64(31)
    return keys * np.uint64(0xBF58476D1CE4E5B9)


@njit(cache=True)
def _without(keys, positions, removed):
    """Entries of rows not in ``removed`` (distinct positions), renumbered, in key order."""
    n = positions.shape[0]
    gone = np.zeros(n, dtype=np.bool_)
    for r in removed:
        gone[r] = True
    shift = np.empty(n, dtype=np.int64)  # removed rows at or before each position
    count = 0
    for p in range(n):
        count += gone[p]
        shift[p] = count
    out_keys = np.empty(n - removed.shape[0], dtype=np.int64)
    out_positions = np.empty(n - removed.shape[0], dtype=np.int64)
    j = 0
    for slot in range(n):
        p = positions[slot]
        if not gone[p]:
            out_keys[j], out_positions[j] = keys[slot], p - shift[p]
            j += 1
    return out_keys, out_positions


def hash_rows(X):
    """64-bit hashes of the rows of a dense float64 array.

    One pass over ``X`` at memory speed (parallel for large arrays); equal
    rows hash equally (``-0.0`` and ``0.0`` too).

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
    bits = X.view(np.int64).reshape(X.shape)
    out = np.empty(X.shape[0], dtype=np.int64)
    kernel = _hash_parallel if X.size >= _PARALLEL_MIN_SIZE else _hash_serial
    kernel(bits, _column_keys(X.shape[1]), out)
    return out


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
        """Find the slot ranges ``[lo, hi)`` whose keys equal each hash.

        Parameters
        ----------
        hashes : ndarray of shape (n_rows,), dtype uint64
            Row hashes.

        Returns
        -------
        lo, hi : ndarray of shape (n_rows,)
            Bounds of each hash's slots.
        """
        lo = np.searchsorted(self.keys, hashes, side="left")
        hi = np.searchsorted(self.keys, hashes, side="right")
        return lo, hi

    def candidates(self, lo, hi):
        """Return the positions stored in slots ``[lo, hi)``.

        Parameters
        ----------
        lo, hi : int
            Slot bounds, from :meth:`candidate_ranges`.

        Returns
        -------
        positions : ndarray of int64
            Row positions.
        """
        return self.positions[lo:hi]

    def without(self, removed):
        """The index of the rows left once the rows at positions ``removed`` are gone.

        The remaining rows keep their order and are renumbered ``0, 1, ...``;
        the result equals ``RowIndex`` built on their hashes (keys sorted, ties
        in row order), in ``O(n)`` without hashing any row again.

        Parameters
        ----------
        removed : ndarray of int
            Positions of the removed rows.

        Returns
        -------
        index : RowIndex
            The index of the remaining rows.
        """
        other = RowIndex.__new__(RowIndex)
        removed = np.asarray(removed, dtype=np.int64)
        other.keys, other.positions = _without(self.keys, self.positions, removed)
        return other

    def with_rows(self, hashes):
        """The index once rows with ``hashes`` are appended (positions ``n, n + 1, ...``).

        Equals ``RowIndex`` built on all the hashes: the new keys are merged in
        after the equal old ones (ties in row order), ``O(n + m log m)``.

        Parameters
        ----------
        hashes : ndarray of shape (m,), dtype uint64
            Hashes of the appended rows, in row order.

        Returns
        -------
        RowIndex
            A new index over the ``n + m`` rows (this one is unchanged).
        """
        added = RowIndex(hashes)
        slots = np.searchsorted(self.keys, added.keys, side="right")
        other = RowIndex.__new__(RowIndex)
        other.keys = np.insert(self.keys, slots, added.keys)
        other.positions = np.insert(self.positions, slots, added.positions + len(self.keys))
        return other
