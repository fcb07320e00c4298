"""Per-sample losses of the linear predictor ``z``: the only place their math lives in numba.

A loss is identified in the kernels by an integer code (``CODES``), so that
every kernel takes plain arrays and scalars and loads from numba's on-disk
cache. Two kinds of rows exist:

- *scalar* losses, one output per row or one independent loss per output
  (``squared``, ``logistic``, ``exponential``): :func:`point` gives the value
  and the derivative in ``z``, :func:`weighted_curvature` the second
  derivative times the row weight;
- the *coupled* ``multinomial`` loss: :func:`multinomial_row` over all outputs.

Adding a scalar loss is a new code here and a branch in :func:`point` and
:func:`weighted_curvature` (plus its spec in :mod:`skunlearn._losses`); no new
kernel. After editing this module, delete ``skunlearn/_kernels/__pycache__``
(see :mod:`._rows`).
"""

import numpy as np
from numba import njit

from ._rows import INLINE

SQUARED, LOGISTIC, EXPONENTIAL, MULTINOMIAL = 0, 1, 2, 3

CODES = {"squared": SQUARED, "logistic": LOGISTIC, "exponential": EXPONENTIAL}
CODES["multinomial"] = MULTINOMIAL


@njit(**INLINE)
def point(code, z, y_i):
    """Value of the loss at ``z`` for target ``y_i``, and its derivative in ``z``.

    ``squared``: ``(z - y)^2`` (no 1/2). ``logistic``: ``log(1 + exp(-m))``
    with margin ``m = (2 y - 1) z``, one exp of a non-positive argument, finite
    for any finite margin. ``exponential``: ``exp(-m)``; inf for ``m < -709``
    is real divergence.
    """
    if code == LOGISTIC:
        s = 2.0 * y_i - 1.0
        m = s * z
        e = np.exp(-abs(m))
        if m >= 0.0:
            return np.log1p(e), -s * e / (1.0 + e)
        return np.log1p(e) - m, -s / (1.0 + e)
    if code == EXPONENTIAL:
        s = 2.0 * y_i - 1.0
        e = np.exp(-s * z)
        return e, -s * e
    r = z - y_i
    return r * r, 2.0 * r


@njit(**INLINE)
def weighted_curvature(code, z, y_i, w_i):
    """``w_i`` times the second derivative of the loss in ``z``; 0 when ``w_i`` is 0."""
    if w_i == 0.0:
        return 0.0
    if code == LOGISTIC:
        # sigmoid(m) (1 - sigmoid(m)) = e / (1 + e)^2 with e = exp(-|m|), |m| = |z|.
        e = np.exp(-abs(z))
        return w_i * e / ((1.0 + e) * (1.0 + e))
    if code == EXPONENTIAL:
        return w_i * np.exp((1.0 - 2.0 * y_i) * z)
    return 2.0 * w_i


@njit(**INLINE)
def independent_row(code, z, y, i, w_i):
    """Loss of row i summed over outputs; overwrites z with the weighted residual w_i dl/dz."""
    loss = 0.0
    for k in range(z.shape[0]):
        value, slope = point(code, z[k], y[i, k])
        loss += value
        z[k] = w_i * slope
    return loss


@njit(**INLINE)
def multinomial_row(z, y, i, w_i):
    """Loss of row i; overwrites z with the weighted residual w_i dl/dz."""
    zmax = z[0]
    for k in range(1, z.shape[0]):
        zmax = max(zmax, z[k])
    loss = zmax - z[y[i]]
    total = 0.0
    for k in range(z.shape[0]):
        z[k] = np.exp(z[k] - zmax)
        total += z[k]
    loss += np.log(total)
    for k in range(z.shape[0]):
        z[k] *= w_i / total
    z[y[i]] -= w_i
    return loss
