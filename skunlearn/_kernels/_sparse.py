"""Fused loss/gradient kernels for CSR X, over ``data, indices, indptr``.

Same structure as :mod:`._dense`: ``_<kind>_chunk`` processes the rows
described by a 0-based slice ``indptr[lo:hi + 1]`` (its values still index
the full ``data`` and ``indices``), and ``_<kind>_parallel`` runs one chunk per
``prange`` iteration into per-chunk accumulators.
"""

import numpy as np
from numba import njit, prange

from ._config import NJIT, NJIT_PARALLEL
from ._points import independent_row, multinomial_row, point
from ._rows import _sparse_add, _sparse_dot


@njit(**NJIT)
def _scalar_chunk(code, params, data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int):
    loss = 0.0
    grad_b = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            z = intercept[0] + _sparse_dot(data, indices, lo, hi, coef, 0)
            value, slope = point(code, params, z, y[i])
            loss += w[i] * value
            grad_b += w[i] * slope
            _sparse_add(w[i] * slope, data, indices, lo, hi, grad_coef, 0)
    grad_int[0] += grad_b
    return loss


@njit(**NJIT)
def _independent_chunk(
    code, params, data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int
):
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            for k in range(z.shape[0]):
                z[k] = intercept[k] + _sparse_dot(data, indices, lo, hi, coef, k)
            loss += w[i] * independent_row(code, params, z, y, i, w[i])
            for k in range(z.shape[0]):
                grad_int[k] += z[k]
                _sparse_add(z[k], data, indices, lo, hi, grad_coef, k)
    return loss


@njit(**NJIT)
def _multinomial_chunk(
    code, params, data, indices, indptr, y, w, coef, intercept, grad_coef, grad_int
):
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            lo, hi = indptr[i], indptr[i + 1]
            for k in range(z.shape[0]):
                z[k] = intercept[k] + _sparse_dot(data, indices, lo, hi, coef, k)
            loss += w[i] * multinomial_row(z, y, i, w[i])
            for k in range(z.shape[0]):
                grad_int[k] += z[k]
                _sparse_add(z[k], data, indices, lo, hi, grad_coef, k)
    return loss


# Parallel drivers: chunk c covers rows bounds[c]:bounds[c + 1] and writes
# acc_coef[c], acc_int[c] (zeroed by the caller) and losses[c].


@njit(**NJIT_PARALLEL)
def _scalar_parallel(
    code, params, data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _scalar_chunk(
            code, params, data, indices, indptr[lo : hi + 1], y[lo:hi], w[lo:hi], coef, intercept,
            acc_coef[c], acc_int[c],
        )  # fmt: skip


@njit(**NJIT_PARALLEL)
def _independent_parallel(
    code, params, data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _independent_chunk(
            code, params, data, indices, indptr[lo : hi + 1], y[lo:hi], w[lo:hi], coef, intercept,
            acc_coef[c], acc_int[c],
        )  # fmt: skip


@njit(**NJIT_PARALLEL)
def _multinomial_parallel(
    code, params, data, indices, indptr, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _multinomial_chunk(
            code, params, data, indices, indptr[lo : hi + 1], y[lo:hi], w[lo:hi], coef, intercept,
            acc_coef[c], acc_int[c],
        )  # fmt: skip


KERNELS = {
    "scalar": (_scalar_chunk, _scalar_parallel),
    "independent": (_independent_chunk, _independent_parallel),
    "multinomial": (_multinomial_chunk, _multinomial_parallel),
}
