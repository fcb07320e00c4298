"""Moving rows inside preallocated buffers: stable partition (and its inverse), growth.

Shared by the row stores (:mod:`skunlearn.utils._row_store`): a removal moves
the forgotten rows behind the others, both keeping their order, in place
(``O(n d)`` element moves after the first hole, no second copy of X); an
append grows a buffer by an eighth beyond its need.
"""

import numpy as np
from numba import njit

__all__ = [
    "partition_rows",
    "stable_partition",
    "stable_unpartition",
    "unpartition_rows",
    "with_room",
]


def with_room(array, n, extra):
    """``array`` (its first ``n`` entries kept) with room for ``extra`` more; grows by an
    eighth beyond the need, so that repeated appends copy ``O(1)`` times per row."""
    need = n + extra
    if len(array) >= need:
        return array
    grown = np.zeros((need + need // 8, *array.shape[1:]), dtype=array.dtype)
    grown[:n] = array[:n]
    return grown


@njit(cache=True)
def partition_rows(X, n, holes):
    """Rows ``holes`` (sorted) of ``X[:n]`` behind the others, both in order, in place."""
    k = holes.shape[0]
    staged = np.empty((k, X.shape[1]), dtype=X.dtype)
    for j in range(k):
        staged[j] = X[holes[j]]
    write, h = holes[0], 0
    for read in range(holes[0], n):
        if h < k and read == holes[h]:
            h += 1
        else:
            X[write] = X[read]
            write += 1
    for j in range(k):
        X[n - k + j] = staged[j]


@njit(cache=True)
def unpartition_rows(X, n, holes):
    """The inverse of :func:`partition_rows`."""
    k = holes.shape[0]
    staged = X[n - k : n].copy()
    read, h = n - k - 1, k - 1
    for write in range(n - 1, holes[0] - 1, -1):
        if h >= 0 and write == holes[h]:
            X[write] = staged[h]
            h -= 1
        else:
            X[write] = X[read]
            read -= 1


def stable_partition(array, holes, n):
    """Rows ``holes`` (sorted) of ``array[:n]`` moved behind the others, both in order.

    For the per-row arrays (targets, weights, ids, hashes), 1-D or 2-D, in
    place: a numba kernel for numbers, ``O(n)`` extra memory for objects.
    """
    if not len(holes):
        return
    if array.dtype != object:
        partition_rows(array.reshape(len(array), -1), n, holes)
        return
    lo = holes[0]
    segment = array[lo:n]
    gone = np.zeros(n - lo, dtype=bool)
    gone[holes - lo] = True
    segment[...] = np.concatenate([segment[~gone], segment[gone]])


def stable_unpartition(array, holes, n):
    """The inverse of :func:`stable_partition`."""
    if not len(holes):
        return
    if array.dtype != object:
        unpartition_rows(array.reshape(len(array), -1), n, holes)
        return
    lo = holes[0]
    segment = array[lo:n]
    gone = np.zeros(n - lo, dtype=bool)
    gone[holes - lo] = True
    kept = segment[: n - lo - len(holes)].copy()
    moved = segment[n - lo - len(holes) :].copy()
    segment[~gone] = kept
    segment[gone] = moved
