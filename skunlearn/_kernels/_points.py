"""Per-sample losses of the linear predictor ``z``: the only place their math lives in numba.

A loss is identified in the kernels by an integer code (``CODES``) and a
small float64 array of parameters (``params``: the Tweedie power, Huber's
epsilon and scale; empty for the others), so that every kernel takes plain
arrays and scalars and loads from numba's on-disk cache. Two kinds of rows
exist:

- *scalar* losses, one output per row or one independent loss per output
  (``squared``, ``logistic``, ``exponential``, ``tweedie``,
  ``tweedie_identity``, ``squared_hinge``, ``huber``): :func:`point` gives
  the value and the derivative in ``z``, :func:`weighted_curvature` the
  second derivative (a generalized one where the loss is only once
  differentiable) times the row weight;
- the *coupled* ``multinomial`` loss: :func:`multinomial_row` over all outputs.

A loss with a *scale* (``huber``: the concomitant scale ``sigma`` of
scikit-learn's ``HuberRegressor``, the last entry of ``params``) also has
:func:`scale_point`, its derivatives in ``sigma``.

Adding a scalar loss is a new code here and a branch in :func:`point` and
:func:`weighted_curvature` (plus its spec in :mod:`skunlearn._losses`); no new
kernel. After editing this module, delete ``skunlearn/_kernels/__pycache__``
(see :mod:`._rows`).
"""

import numpy as np
from numba import njit

from ._rows import INLINE

SQUARED, LOGISTIC, EXPONENTIAL, MULTINOMIAL = 0, 1, 2, 3
TWEEDIE, TWEEDIE_IDENTITY, SQUARED_HINGE, HUBER = 4, 5, 6, 7

CODES = {"squared": SQUARED, "logistic": LOGISTIC, "exponential": EXPONENTIAL}
CODES["multinomial"] = MULTINOMIAL
CODES.update(tweedie=TWEEDIE, tweedie_identity=TWEEDIE_IDENTITY)
CODES.update(squared_hinge=SQUARED_HINGE, huber=HUBER)
# Number of entries of ``params`` each loss reads (the others read none).
N_PARAMS = {"tweedie": 1, "tweedie_identity": 1, "huber": 2}
# Losses whose last parameter is a model parameter (a scale), not a constant.
SCALED = {"huber"}


@njit(**INLINE)
def _tweedie(p, z, y):
    """Half Tweedie deviance, log link, constants dropped (scikit-learn's ``HalfTweedieLoss``)."""
    if p == 0.0:
        e = np.exp(z)
        return 0.5 * (e - y) * (e - y), e * (e - y)
    if p == 1.0:
        e = np.exp(z)
        return e - y * z, e - y
    if p == 2.0:
        e = np.exp(-z)
        return z + y * e, 1.0 - y * e
    e1 = np.exp((1.0 - p) * z)
    e2 = np.exp((2.0 - p) * z)
    return e2 / (2.0 - p) - y * e1 / (1.0 - p), e2 - y * e1


@njit(**INLINE)
def _tweedie_curvature(p, z, y):
    if p == 0.0:
        e = np.exp(z)
        return e * (2.0 * e - y)
    if p == 1.0:
        return np.exp(z)
    if p == 2.0:
        return y * np.exp(-z)
    return (2.0 - p) * np.exp((2.0 - p) * z) - (1.0 - p) * y * np.exp((1.0 - p) * z)


@njit(**INLINE)
def _tweedie_identity(p, z, y):
    """Half Tweedie deviance, identity link (``HalfTweedieLossIdentity``); inf at z <= 0, p > 0."""
    if p == 0.0:
        return 0.5 * (z - y) * (z - y), z - y
    if not z > 0.0:
        return np.inf, 0.0
    if p == 1.0:
        value = z if y == 0.0 else y * np.log(y / z) + z - y
        return value, 1.0 - y / z
    if p == 2.0:
        return np.log(z / y) + y / z - 1.0, (z - y) / (z * z)
    t = z ** (1.0 - p)
    value = z * t / (2.0 - p) - y * t / (1.0 - p)
    if y > 0.0:
        value += y ** (2.0 - p) / ((1.0 - p) * (2.0 - p))
    return value, t * (1.0 - y / z)


@njit(**INLINE)
def _tweedie_identity_curvature(p, z, y):
    if p == 0.0:
        return 1.0
    if not z > 0.0:
        return 0.0
    if p == 1.0:
        return y / (z * z)
    if p == 2.0:
        return (2.0 * y / z - 1.0) / (z * z)
    return z ** (-p) * ((1.0 - p) + p * y / z)


@njit(**INLINE)
def _huber(eps, sigma, z, y):
    """``sigma + sigma H(r / sigma)``, r = y - z, per row of scikit-learn's ``HuberRegressor``."""
    if not sigma > 0.0:
        return np.inf, 0.0
    r = y - z
    if abs(r) > eps * sigma:
        return sigma + 2.0 * eps * abs(r) - eps * eps * sigma, -2.0 * eps * np.sign(r)
    return sigma + r * r / sigma, -2.0 * r / sigma


@njit(**INLINE)
def point(code, params, z, y_i):
    """Value of the loss at ``z`` for target ``y_i``, and its derivative in ``z``.

    ``squared``: ``(z - y)^2`` (no 1/2). ``logistic``: ``log(1 + exp(-m))``
    with margin ``m = (2 y - 1) z``, one exp of a non-positive argument, finite
    for any finite margin. ``exponential``: ``exp(-m)``; inf for ``m < -709``
    is real divergence. ``squared_hinge``: ``max(0, 1 - m)^2``. ``tweedie``
    and ``tweedie_identity`` (power ``params[0]``): scikit-learn's half
    deviances. ``huber`` (epsilon, scale ``params[:2]``): see :func:`_huber`.
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
    if code == TWEEDIE:
        return _tweedie(params[0], z, y_i)
    if code == TWEEDIE_IDENTITY:
        return _tweedie_identity(params[0], z, y_i)
    if code == SQUARED_HINGE:
        s = 2.0 * y_i - 1.0
        r = 1.0 - s * z
        return (r * r, -2.0 * s * r) if r > 0.0 else (0.0, 0.0)
    if code == HUBER:
        return _huber(params[0], params[1], z, y_i)
    r = z - y_i
    return r * r, 2.0 * r


@njit(**INLINE)
def weighted_curvature(code, params, z, y_i, w_i):
    """``w_i`` times the second derivative of the loss in ``z``; 0 when ``w_i`` is 0.

    For the once-differentiable ``squared_hinge`` and ``huber`` it is the
    generalized second derivative: that of the active quadratic piece (0 on
    a kink's flat or linear side).
    """
    if w_i == 0.0:
        return 0.0
    if code == LOGISTIC:
        # sigmoid(m) (1 - sigmoid(m)) = e / (1 + e)^2 with e = exp(-|m|), |m| = |z|.
        e = np.exp(-abs(z))
        return w_i * e / ((1.0 + e) * (1.0 + e))
    if code == EXPONENTIAL:
        return w_i * np.exp((1.0 - 2.0 * y_i) * z)
    if code == TWEEDIE:
        return w_i * _tweedie_curvature(params[0], z, y_i)
    if code == TWEEDIE_IDENTITY:
        return w_i * _tweedie_identity_curvature(params[0], z, y_i)
    if code == SQUARED_HINGE:
        return 2.0 * w_i if (2.0 * y_i - 1.0) * z < 1.0 else 0.0
    if code == HUBER:
        inlier = params[1] > 0.0 and abs(y_i - z) <= params[0] * params[1]
        return 2.0 * w_i / params[1] if inlier else 0.0
    return 2.0 * w_i


@njit(**INLINE)
def scale_point(code, params, z, y_i):
    """Derivatives of a scaled loss (``huber``) in its scale ``sigma = params[-1]``.

    Returns ``(dl/dsigma, d2l/dz dsigma, d2l/dsigma2)`` (generalized on the
    kink, like :func:`weighted_curvature`); zeros for a loss without scale.
    """
    if code != HUBER or not params[1] > 0.0:
        return 0.0, 0.0, 0.0
    eps, sigma = params[0], params[1]
    r = y_i - z
    if abs(r) > eps * sigma:
        return 1.0 - eps * eps, 0.0, 0.0
    q = r / sigma
    return 1.0 - q * q, 2.0 * q / sigma, 2.0 * q * q / sigma


@njit(**INLINE)
def independent_row(code, params, z, y, i, w_i):
    """Loss of row i summed over outputs; overwrites z with the weighted residual w_i dl/dz."""
    loss = 0.0
    for k in range(z.shape[0]):
        value, slope = point(code, params, z[k], y[i, k])
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
