"""Per-row pieces shared by the dense and sparse loss/gradient kernels.

Each ``_<loss>_row(z, y_i, w_i)`` takes the linear predictor ``z`` (length K)
of one row, returns the unweighted loss ``l_i`` and overwrites ``z`` with the
weighted residual ``w_i * dl_i/dz``. The dense and sparse ``_*_chunk`` kernels
then accumulate ``residual * x_i`` with the helpers below.
"""

import numpy as np
from numba import njit

from ._config import NJIT


@njit(**NJIT)
def _squared_row(z, y_i, w_i):
    loss = 0.0
    for k in range(z.shape[0]):
        r = z[k] - y_i[k]
        loss += r * r
        z[k] = 2.0 * w_i * r
    return loss


@njit(**NJIT)
def _logistic_row(z, y_i, w_i):
    # log(1 + exp(-m)) and its derivative -s * sigmoid(-m), with one exp of a
    # non-positive argument: finite for any finite margin.
    s = 2.0 * y_i - 1.0
    m = s * z[0]
    e = np.exp(-abs(m))
    if m >= 0.0:
        z[0] = -w_i * s * e / (1.0 + e)
        return np.log1p(e)
    z[0] = -w_i * s / (1.0 + e)
    return -m + np.log1p(e)


@njit(**NJIT)
def _exponential_row(z, y_i, w_i):
    # exp(-m) overflows to inf for m < -709: real divergence, reported as inf.
    s = 2.0 * y_i - 1.0
    e = np.exp(-s * z[0])
    z[0] = -w_i * s * e
    return e


@njit(**NJIT)
def _multinomial_row(z, y_i, w_i):
    zmax = z[0]
    for k in range(1, z.shape[0]):
        zmax = max(zmax, z[k])
    total = 0.0
    for k in range(z.shape[0]):
        total += np.exp(z[k] - zmax)
    loss = zmax + np.log(total) - z[y_i]
    for k in range(z.shape[0]):
        z[k] = w_i * np.exp(z[k] - zmax) / total
    z[y_i] -= w_i
    return loss


@njit(**NJIT)
def _dense_z(x, coef, intercept, z):
    for k in range(coef.shape[0]):
        acc = intercept[k]
        for j in range(x.shape[0]):
            acc += x[j] * coef[k, j]
        z[k] = acc


@njit(**NJIT)
def _dense_axpy(r, x, grad_coef, grad_intercept):
    for k in range(r.shape[0]):
        rk = r[k]
        grad_intercept[k] += rk
        if rk == 0.0:
            continue
        if np.isfinite(rk):
            for j in range(x.shape[0]):
                grad_coef[k, j] += rk * x[j]
        else:  # overflowed residual: inf * 0 would turn zero features into nan
            for j in range(x.shape[0]):
                if x[j] != 0.0:
                    grad_coef[k, j] += rk * x[j]


@njit(**NJIT)
def _sparse_z(data, indices, lo, hi, coef, intercept, z):
    for k in range(coef.shape[0]):
        acc = intercept[k]
        for p in range(lo, hi):
            acc += data[p] * coef[k, indices[p]]
        z[k] = acc


@njit(**NJIT)
def _sparse_axpy(r, data, indices, lo, hi, grad_coef, grad_intercept):
    for k in range(r.shape[0]):
        rk = r[k]
        grad_intercept[k] += rk
        if rk == 0.0:
            continue
        finite = np.isfinite(rk)
        for p in range(lo, hi):
            if finite or data[p] != 0.0:
                grad_coef[k, indices[p]] += rk * data[p]
