"""Fused loss/gradient kernels for CSR X, over ``data, indices, indptr``.

Same structure as :mod:`._dense`: ``_<loss>_chunk`` processes the rows
described by a 0-based slice ``indptr[lo:hi + 1]`` (its values still index
the full ``data`` and ``indices``), and ``_<loss>_parallel`` runs one chunk per
``prange`` iteration into per-chunk accumulators.
"""

import numpy as np
from numba import njit, prange

from ._config import NJIT, NJIT_PARALLEL
from ._rows import (
    _exponential_row,
    _logistic_row,
    _multinomial_row,
    _sparse_axpy,
    _sparse_z,
    _squared_row,
)


@njit(**NJIT)
def _squared_chunk(data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int):
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            _sparse_z(data, indices, lo, hi, coef, intercept, z)
            loss += w[i] * _squared_row(z, y[i], w[i])
            _sparse_axpy(z, data, indices, lo, hi, grad_coef, grad_int)
    return loss


@njit(**NJIT)
def _logistic_chunk(data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int):
    z = np.empty(1)
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            _sparse_z(data, indices, lo, hi, coef, intercept, z)
            loss += w[i] * _logistic_row(z, y[i], w[i])
            _sparse_axpy(z, data, indices, lo, hi, grad_coef, grad_int)
    return loss


@njit(**NJIT)
def _exponential_chunk(data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int):
    z = np.empty(1)
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            _sparse_z(data, indices, lo, hi, coef, intercept, z)
            loss += w[i] * _exponential_row(z, y[i], w[i])
            _sparse_axpy(z, data, indices, lo, hi, grad_coef, grad_int)
    return loss


@njit(**NJIT)
def _multinomial_chunk(data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int):
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            _sparse_z(data, indices, lo, hi, coef, intercept, z)
            loss += w[i] * _multinomial_row(z, y[i], w[i])
            _sparse_axpy(z, data, indices, lo, hi, grad_coef, grad_int)
    return loss


# Parallel drivers: chunk c covers rows bounds[c]:bounds[c + 1] and writes
# acc_coef[c], acc_int[c] (zeroed by the caller) and losses[c].


@njit(**NJIT_PARALLEL)
def _squared_parallel(
    data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _squared_chunk(
            data,
            indices,
            indptr[lo : hi + 1],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            acc_coef[c],
            acc_int[c],
        )


@njit(**NJIT_PARALLEL)
def _logistic_parallel(
    data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _logistic_chunk(
            data,
            indices,
            indptr[lo : hi + 1],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            acc_coef[c],
            acc_int[c],
        )


@njit(**NJIT_PARALLEL)
def _exponential_parallel(
    data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _exponential_chunk(
            data,
            indices,
            indptr[lo : hi + 1],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            acc_coef[c],
            acc_int[c],
        )


@njit(**NJIT_PARALLEL)
def _multinomial_parallel(
    data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _multinomial_chunk(
            data,
            indices,
            indptr[lo : hi + 1],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            acc_coef[c],
            acc_int[c],
        )


KERNELS = {
    "squared": (_squared_chunk, _squared_parallel),
    "logistic": (_logistic_chunk, _logistic_parallel),
    "exponential": (_exponential_chunk, _exponential_parallel),
    "multinomial": (_multinomial_chunk, _multinomial_parallel),
}
