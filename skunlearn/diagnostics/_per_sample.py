"""Per-sample loss gradients of skunlearn's linear models, in the parameter layout.

The gradient of row ``i``'s loss with respect to ``theta = concat(coef.ravel(),
intercept)`` is ``r_ik * x_i`` for output ``k`` (and ``r_ik`` for its
intercept), with ``r_i = dl_i / dz_i`` the derivative of the loss with respect
to the linear predictor. Large row sets (dense or CSR) are processed in
chunks, so only ``p x p`` summaries are ever held for them.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from .._kernels import linear_predictor
from .._losses import get_loss
from ._support import check_diagnosable

__all__ = ["loss_derivative", "per_sample_gradients"]

_CHUNK = 8192


def loss_derivative(loss, Z, y):
    """Derivative ``dl_i / dz_i`` of each row's loss with respect to its linear predictor.

    Parameters
    ----------
    loss : {"squared", "logistic", "exponential", "multinomial"}
        Kernel loss (see :mod:`skunlearn._losses`).
    Z : ndarray of shape (n_samples, n_outputs)
        Linear predictor.
    y : ndarray
        Targets in the kernel layout: ``(n, K)`` floats for "squared", labels
        in {0, 1} for the binary losses, int64 class indices for "multinomial".

    Returns
    -------
    R : ndarray of shape (n_samples, n_outputs)

    Raises
    ------
    ValueError
        For a loss that has no spec.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.diagnostics import loss_derivative
    >>> loss_derivative("logistic", np.zeros((2, 1)), np.array([0.0, 1.0])).ravel()
    array([ 0.5, -0.5])
    """
    return get_loss(loss).derivative(Z, y)


def _gradients(objective, X, y, theta):
    """Rows ``grad l_i(theta)`` for the loss and layout of a ``LinearObjective``."""
    coef, intercept = objective.unpack(np.asarray(theta, dtype=np.float64))
    R = objective.spec.derivative(linear_predictor(X, coef, intercept), y)
    n, K = R.shape
    G = (R[:, :, None] * dense_rows(X)[:, None, :]).reshape(n, K * X.shape[1])
    return np.hstack([G, R]) if objective.fit_intercept else G


@dataclass
class GradientMoments:
    """Weighted sums over rows of per-sample gradients ``g_i`` (weights ``w_i``).

    ``total = sum w_i``, ``first = sum w_i g_i``, ``second = sum w_i g_i g_i^T``
    and ``unit = sum w_i g_i / ||g_i||`` (rows with a zero gradient add nothing).
    """

    total: float
    first: np.ndarray
    second: np.ndarray
    unit: np.ndarray


def gradient_moments(objective, X, y, weights, theta):
    """:class:`GradientMoments` of the rows with non-zero weight, without holding them all.

    Rows are processed in chunks, with BLAS limited to one thread (it competes
    with numba's threads).
    """
    p = objective.n_params
    first, second, unit = np.zeros(p), np.zeros((p, p)), np.zeros(p)
    with threadpool_limits(limits=1, user_api="blas"):
        for lo in range(0, X.shape[0], _CHUNK):
            w = weights[lo : lo + _CHUNK]
            live = np.flatnonzero(w)
            if len(live) == 0:
                continue
            G = _gradients(objective, X[lo : lo + _CHUNK][live], y[lo : lo + _CHUNK][live], theta)
            first += w[live] @ G
            second += (G * w[live, None]).T @ G
            unit += (w[live] / _safe_norms(G)) @ G
    return GradientMoments(float(np.sum(weights)), first, second, unit)


def _safe_norms(G):
    norms = np.linalg.norm(G, axis=1)
    return np.where(norms > 0, norms, 1.0)


def per_sample_gradients(estimator, X, y):
    """Gradient of each row's loss at a fitted estimator's current weights.

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X : array-like of shape (n_samples, n_features)
        Rows.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Their targets (class labels for a classifier).

    Returns
    -------
    G : ndarray of shape (n_samples, n_params)
        Unweighted loss gradients, columns in the layout
        ``concat(coef.ravel(), intercept)`` of the parameter vector (no penalty).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.diagnostics import per_sample_gradients
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = Ridge(alpha=1.0).fit(X, [0.0, 1.0, 3.0])
    >>> G = per_sample_gradients(model, X, [0.0, 1.0, 3.0])
    >>> G.shape
    (3, 2)
    >>> bool(np.allclose(G.sum(axis=0)[:1], -2 * model.alpha * model.coef_))
    True
    """
    check_diagnosable(estimator, "per_sample_gradients")
    objective = estimator._training_objective()
    X = estimator._rows.conform(
        validate_data(estimator, X, reset=False, dtype=np.float64, order="C", accept_sparse="csr")
    )
    encoded = estimator._encode_targets(y, X.shape[0])
    return _gradients(objective, X, objective.spec.kernel_targets(encoded), estimator._theta())


def dense_rows(X):
    """A dense float64 array of the rows of ``X`` (dense or CSR)."""
    return X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
