"""Fused loss/gradient kernels for dense C-contiguous X.

One pass over the rows: for each row with nonzero weight, compute z = x_i @
coef.T + intercept, the loss and the weighted residual, and accumulate
``residual * x_i`` into the gradient. There is one kernel per kind of row (see
:mod:`._points`), each taking the loss code and its parameters: ``_scalar_chunk`` (one output),
``_independent_chunk`` (several outputs with independent losses) and
``_multinomial_chunk``. A chunk processes a 0-based slice of rows into given
accumulators; it is the serial kernel (called once on all rows) and the body of
the matching ``_*_parallel`` driver (called per chunk in ``prange`` with
per-chunk accumulators, reduced by the caller).
"""

import numpy as np
from numba import njit, prange

from ._config import NJIT, NJIT_PARALLEL
from ._points import independent_row, multinomial_row, point
from ._rows import _dense_add, _dense_dot

# Rows per step of the scalar kernel: the margins of a block are computed
# first, then their losses, then their gradient terms, so that the latency of
# each row's exp/log overlaps the loads of the others (1.5x on one thread).
_ROWS = 8


@njit(**NJIT)
def _scalar_chunk(code, params, X, y, w, coef, intercept, grad_coef, grad_intercept):
    """K = 1, ``y`` of shape (n,): rows in blocks of ``_ROWS`` (same sums, same order)."""
    loss = 0.0
    grad_b = 0.0
    z = np.empty(_ROWS)
    r = np.empty(_ROWS)
    for lo in range(0, X.shape[0], _ROWS):
        m = min(_ROWS, X.shape[0] - lo)
        for k in range(m):
            z[k] = intercept[0] + _dense_dot(X, lo + k, coef, 0)
        for k in range(m):
            r[k] = 0.0
            if w[lo + k] != 0.0:
                value, slope = point(code, params, z[k], y[lo + k])
                loss += w[lo + k] * value
                r[k] = w[lo + k] * slope
                grad_b += r[k]
        for k in range(m):
            _dense_add(r[k], X, lo + k, grad_coef, 0)
    grad_intercept[0] += grad_b
    return loss


@njit(**NJIT)
def _independent_chunk(code, params, X, y, w, coef, intercept, grad_coef, grad_intercept):
    """K outputs, ``y`` of shape (n, K), the loss summed over outputs."""
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(X.shape[0]):
        if w[i] != 0.0:
            for k in range(z.shape[0]):
                z[k] = intercept[k] + _dense_dot(X, i, coef, k)
            loss += w[i] * independent_row(code, params, z, y, i, w[i])
            for k in range(z.shape[0]):
                grad_intercept[k] += z[k]
                _dense_add(z[k], X, i, grad_coef, k)
    return loss


@njit(**NJIT)
def _multinomial_chunk(code, params, X, y, w, coef, intercept, grad_coef, grad_intercept):
    """K classes, ``y`` int64 class indices of shape (n,); ``code`` is unused."""
    z = np.empty(coef.shape[0])
    loss = 0.0
    for i in range(X.shape[0]):
        if w[i] != 0.0:
            for k in range(z.shape[0]):
                z[k] = intercept[k] + _dense_dot(X, i, coef, k)
            loss += w[i] * multinomial_row(z, y, i, w[i])
            for k in range(z.shape[0]):
                grad_intercept[k] += z[k]
                _dense_add(z[k], X, i, grad_coef, k)
    return loss


# Parallel drivers: chunk c covers rows bounds[c]:bounds[c + 1] and writes
# acc_coef[c], acc_int[c] (zeroed by the caller) and losses[c].


@njit(**NJIT_PARALLEL)
def _scalar_parallel(code, params, X, y, w, coef, intercept, bounds, acc_coef, acc_int, losses):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _scalar_chunk(
            code, params, X[lo:hi], y[lo:hi], w[lo:hi], coef, intercept, acc_coef[c], acc_int[c]
        )


@njit(**NJIT_PARALLEL)
def _independent_parallel(
    code, params, X, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _independent_chunk(
            code, params, X[lo:hi], y[lo:hi], w[lo:hi], coef, intercept, acc_coef[c], acc_int[c]
        )


@njit(**NJIT_PARALLEL)
def _multinomial_parallel(
    code, params, X, y, w, coef, intercept, bounds, acc_coef, acc_int, losses
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        losses[c] = _multinomial_chunk(
            code, params, X[lo:hi], y[lo:hi], w[lo:hi], coef, intercept, acc_coef[c], acc_int[c]
        )


KERNELS = {
    "scalar": (_scalar_chunk, _scalar_parallel),
    "independent": (_independent_chunk, _independent_parallel),
    "multinomial": (_multinomial_chunk, _multinomial_parallel),
}
