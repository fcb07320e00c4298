"""Row access shared by the dense and sparse kernels: dot products and scaled adds.

They are inlined into the chunk kernels (``inline="always"``), so each chunk is
one loop with no calls. Rows are addressed by index: a view ``X[i]`` per row
costs an atomic reference-count update, which also serialises the threads of
the parallel kernels.

numba's on-disk cache is keyed on the file of each kernel only: after editing
this module, delete ``skunlearn/_kernels/__pycache__`` (a fresh install or
upgrade rewrites every file and invalidates the cache by itself).
"""

import numpy as np
from numba import njit

from ._config import NJIT

INLINE = dict(NJIT, inline="always")


@njit(**INLINE)
def _dense_dot(X, i, coef, k):
    acc = 0.0
    for j in range(X.shape[1]):
        acc += X[i, j] * coef[k, j]
    return acc


@njit(**INLINE)
def _dense_add(r, X, i, grad_coef, k):
    """grad_coef[k] += r * X[i], with 0 (not nan) where X[i, j] == 0, r = inf."""
    if r == 0.0:
        return
    if np.isfinite(r):
        for j in range(X.shape[1]):
            grad_coef[k, j] += r * X[i, j]
    else:
        for j in range(X.shape[1]):
            if X[i, j] != 0.0:
                grad_coef[k, j] += r * X[i, j]


@njit(**INLINE)
def _sparse_dot(data, indices, lo, hi, coef, k):
    # Unsigned column indices: numba then skips the negative-index wraparound
    # on every gather and scatter (about 1.3x on the CSR kernels).
    acc = 0.0
    for p in range(lo, hi):
        acc += data[p] * coef[k, np.uint64(indices[p])]
    return acc


@njit(**INLINE)
def _sparse_add(r, data, indices, lo, hi, grad_coef, k):
    """grad_coef[k] += r * x_i over the stored entries of row i."""
    if r == 0.0:
        return
    if np.isfinite(r):
        for p in range(lo, hi):
            grad_coef[k, np.uint64(indices[p])] += r * data[p]
    else:  # explicitly stored zeros: as in _dense_add
        for p in range(lo, hi):
            if data[p] != 0.0:
                grad_coef[k, np.uint64(indices[p])] += r * data[p]
