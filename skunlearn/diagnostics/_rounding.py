"""How far a computed gradient can be from the exact one: its rounding error bound.

A gradient ``g = sum_i c_i r_i x~_i + l2 coef`` (``r_i = dl_i / dz_i``,
``x~_i = (x_i, 1)``) is a sum of many terms. Summed in floating point it
carries an error of up to ``gamma_m sum_i |c_i r_i x~_i|`` per component
(``gamma_m = m u / (1 - m u)``, ``u = 2^-53``, ``m`` the number of terms, the
worst case of any summation order; Higham, "Accuracy and Stability of
Numerical Algorithms", 2nd ed., section 4.2), plus a few units of rounding in
each term. A gradient below that floor is zero up to rounding.
"""

import numpy as np
import scipy.sparse as sp

from .._kernels import linear_predictor
from ._per_sample import _CHUNK, loss_derivative

__all__ = ["absolute_gradient", "gradient_rounding_bound"]

_UNIT = np.finfo(np.float64).eps / 2
# Rounding units per term: the loss derivative (exp, log1p), the product with
# the weight and the feature, and the final ridge addition.
_TERM_UNITS = 8


def absolute_gradient(objective, theta):
    """``sum_i |c_i r_i| |x~_i| + l2 |coef|`` per component: the scale of the gradient's terms.

    Parameters
    ----------
    objective : LinearObjective
        The objective whose gradient is bounded.
    theta : ndarray of shape (n_params,)
        Parameters.

    Returns
    -------
    scale : ndarray of shape (n_params,)
    """
    coef, intercept = objective.unpack(np.asarray(theta, dtype=np.float64))
    K = objective.n_outputs
    abs_coef, abs_intercept = np.zeros((K, objective.n_features)), np.zeros(K)
    for lo in range(0, objective.X.shape[0], _CHUNK):
        w = objective.weights[lo : lo + _CHUNK]
        live = np.flatnonzero(w)
        if len(live) == 0:
            continue
        X = objective.X[lo : lo + _CHUNK][live]
        Z = linear_predictor(X, coef, intercept)
        R = np.abs(loss_derivative(objective.spec, Z, objective.y[lo : lo + _CHUNK][live]))
        R *= np.abs(w[live])[:, None]
        abs_X = abs(X) if sp.issparse(X) else np.abs(X)
        abs_coef += np.asarray(abs_X.T @ R).T
        abs_intercept += R.sum(axis=0)
    parts = [abs_coef.ravel()] + ([abs_intercept] if objective.fit_intercept else [])
    return np.concatenate(parts) + objective.l2_diagonal * np.abs(theta)


def gradient_rounding_bound(objective, theta):
    """Worst-case rounding error of each component of ``objective``'s computed gradient.

    ``(m + 8) u * absolute_gradient`` with ``m`` the number of rows with a
    non-zero weight plus one (the ridge term) and ``u = 2^-53``.

    Parameters
    ----------
    objective : LinearObjective
        The objective whose gradient is bounded.
    theta : ndarray of shape (n_params,)
        Parameters.

    Returns
    -------
    bound : ndarray of shape (n_params,)
        In the objective's own units.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn._objective import LinearObjective
    >>> from skunlearn.diagnostics._rounding import gradient_rounding_bound
    >>> X = np.array([[1.0], [2.0]])
    >>> objective = LinearObjective(
    ...     "squared", X, np.zeros((2, 1)), np.ones(2), n_outputs=1, fit_intercept=False)
    >>> bound = gradient_rounding_bound(objective, np.array([1.0]))
    >>> bool(0 < bound[0] < 1e-13)
    True
    """
    terms = int(np.count_nonzero(objective.weights)) + 1
    return (terms + _TERM_UNITS) * _UNIT * absolute_gradient(objective, theta)
