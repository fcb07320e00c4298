"""Coordinate descent for the elastic net on Gram statistics, warm-started.

Minimises, for each target column ``k`` separately,

    (1/2) w^T xx w - w^T xy_k + l1 ||w||_1 + (l2 / 2) ||w||^2

(``xx``, ``xy``: the centred Gram statistics of
:class:`~skunlearn._solvers.GramStatistics`, in sample-weight units), which
is ``W`` times scikit-learn's ``ElasticNet`` objective ``(1 / (2 W)) sum_i
s_i r_i^2 + alpha rho ||w||_1 + (alpha (1 - rho) / 2) ||w||^2`` with ``W =
sum_i s_i``, ``l1 = W alpha rho`` and ``l2 = W alpha (1 - rho)``. Each sweep
updates every coordinate by soft-thresholding while keeping the gradient
``g = xx w - xy`` current (``O(d^2)`` a sweep, no pass over the rows), so
unlearning starts from the current coefficients on the remaining rows'
statistics and converges in a few sweeps.
"""

import numpy as np
from numba import njit

from .._kernels._config import NJIT

__all__ = ["elastic_net_cd", "kkt_violation"]

_CHUNK = 10  # sweeps between optimality checks


@njit(**NJIT)
def _sweeps(xx, xy, w, l1, l2, positive, tol, max_sweeps):
    """Cyclic sweeps until no coordinate moves by more than ``tol``; returns the sweeps run."""
    d = xx.shape[0]
    g = xx @ w - xy
    for sweep in range(max_sweeps):
        largest = 0.0
        for j in range(d):
            curvature = xx[j, j] + l2
            if curvature <= 0.0:
                continue
            z = xx[j, j] * w[j] - g[j]
            new = max(abs(z) - l1, 0.0) * np.sign(z) / curvature
            if positive and new < 0.0:
                new = 0.0
            delta = new - w[j]
            if delta != 0.0:
                for i in range(d):
                    g[i] += xx[i, j] * delta
                w[j] = new
                largest = max(largest, abs(delta))
        if largest <= tol:
            return sweep + 1
    return max_sweeps


def kkt_violation(xx, xy, w, l1, l2, positive=False):
    """Largest violation of the optimality conditions, per coordinate (one column).

    ``|g_j + l2 w_j + l1 sign(w_j)|`` where ``w_j != 0``, ``max(|g_j| - l1, 0)``
    where it is 0 (``max(-g_j - l1, 0)`` with ``positive``), ``g = xx w - xy``.
    """
    g = xx @ w - xy + l2 * w
    active = w != 0
    violation = np.where(active, np.abs(g + l1 * np.sign(w)), np.maximum(np.abs(g) - l1, 0.0))
    if positive:
        violation = np.where(active, violation, np.maximum(-g - l1, 0.0))
    return float(np.max(violation, initial=0.0))


def elastic_net_cd(stats, l1, l2, coef0=None, *, tol=1e-12, max_iter=10_000, positive=False):
    """Elastic-net coefficients from Gram statistics by warm-started coordinate descent.

    Parameters
    ----------
    stats : GramStatistics
        Statistics of the rows (centred when there is an intercept).
    l1, l2 : float
        Penalties in the statistics' units (see the module docstring).
    coef0 : ndarray of shape (n_targets, n_features), default=None
        Starting coefficients (zeros when None).
    tol : float, default=1e-12
        Stop when the optimality violation (:func:`kkt_violation`) is below
        ``tol`` times ``max(|xy|)`` for every target, checked after sweeps
        that move no coordinate by more than ``tol`` times the largest.
    max_iter : int, default=10000
        Maximum number of sweeps per target.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)
    n_iter : int
        Most sweeps over the targets.
    converged : bool

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn._solvers import GramStatistics
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> y = np.array([[1.0], [0.1], [1.1], [2.0]])
    >>> stats = GramStatistics.from_rows(X, y, np.ones(4), centered=True)
    >>> coef = elastic_net_cd(stats, l1=0.5, l2=0.0)[0]
    >>> bool(kkt_violation(stats.xx, stats.xy[:, 0], coef[0], 0.5, 0.0) < 1e-12)
    True
    """
    d, K = stats.xy.shape
    coef = np.zeros((K, d)) if coef0 is None else np.array(coef0, dtype=np.float64).reshape(K, d)
    xx = np.ascontiguousarray(stats.xx)
    n_iter, converged = 0, True
    for k in range(K):
        xy = np.ascontiguousarray(stats.xy[:, k])
        target = tol * max(float(np.max(np.abs(xy), initial=0.0)), 1e-300)
        sweeps = 0
        while sweeps < max_iter:
            step = tol * max(float(np.max(np.abs(coef[k]), initial=0.0)), 1e-300)
            chunk = min(_CHUNK, max_iter - sweeps)
            sweeps += _sweeps(xx, xy, coef[k], l1, l2, positive, step, chunk)
            if kkt_violation(xx, xy, coef[k], l1, l2, positive) <= target:
                break
        else:
            converged = False
        n_iter = max(n_iter, sweeps)
    intercept = stats.y_mean - coef @ stats.x_mean
    return coef, intercept, n_iter, converged
