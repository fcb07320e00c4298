"""The scale of a scaled loss (Huber's ``sigma``): its gradient entry and Hessian row.

A scaled loss (:data:`._points.SCALED`) depends on one more parameter than
the linear predictor, the scale ``sigma`` (the last entry of its kernel
``params``, and of ``theta``: see :mod:`skunlearn._parameters`). The fused
kernels give its value and the gradient in ``z`` at fixed ``sigma``; this
module gives the rest from the per-row derivatives of
:func:`._points.scale_point`, after one more pass for the linear predictor.
"""

import numpy as np
from numba import njit

from ._config import NJIT
from ._loss_grad import _check_inputs, linear_predictor
from ._points import scale_point

__all__ = ["scale_rows"]


@njit(**NJIT)
def _scale_rows(code, params, z, y, w, d, c_zs, c_ss):
    for i in range(z.shape[0]):
        d[i] = c_zs[i] = c_ss[i] = 0.0
        if w[i] != 0.0:
            a, b, c = scale_point(code, params, z[i], y[i])
            d[i], c_zs[i], c_ss[i] = w[i] * a, w[i] * b, w[i] * c


def scale_rows(loss, X, y, weights, coef, intercept, params):
    """Per-row ``w_i dl_i/dsigma``, ``w_i d2l_i/dz dsigma`` and ``w_i d2l_i/dsigma2``.

    Parameters
    ----------
    loss : str
        A scaled loss (``"huber"``).
    X, y, weights, coef, intercept, params
        As in :func:`._loss_grad.loss_grad`; one output (K = 1).

    Returns
    -------
    d, c_zs, c_ss : ndarray of shape (n_samples,)
        Zero where ``weights`` is zero.
    """
    code, params, y = _check_inputs(loss, X, y, weights, coef, intercept, params)
    z = np.ascontiguousarray(linear_predictor(X, coef, intercept)[:, 0])
    d, c_zs, c_ss = (np.empty(z.shape[0]) for _ in range(3))
    _scale_rows(code, params, z, y, weights, d, c_zs, c_ss)
    return d, c_zs, c_ss
