"""Proximal Newton for L1 and elastic-net penalised objectives, on a working set.

Minimises ``F(theta) = J(theta) + sum_j l1[j] |theta_j|`` with ``J`` a smooth
:class:`~skunlearn._objective.LinearObjective` (loss plus ridge). Each outer
step builds the quadratic model of ``J`` at ``theta`` restricted to a working
set (the non-zero parameters, those whose gradient violates the optimality
condition, and the unpenalised ones), solves the L1-penalised quadratic
subproblem by coordinate descent (finished by an exact solve on its support),
and backtracks along the step on ``F``
(Lee, Sun and Saunders, "Proximal Newton-type methods for minimizing composite
functions", SIAM J. Optim. 2014). From the current weights of a fitted model
(an unlearning warm start) the working set is the model's support plus the few
coordinates the deletion activates, and the steps converge quadratically.
"""

import numpy as np
import scipy.linalg
from numba import njit

from .._penalties import l1_residual
from ._budget import dense_hessian_fits
from ._history import History, SolverResult
from ._newton import rounding_floor

__all__ = ["prox_newton"]

_ARMIJO = 1e-4
_FORCING = 0.1
_ROUNDS, _SWEEPS = 20, 50


@njit(cache=True)
def _shrink(value, threshold):
    if value > threshold:
        return value - threshold
    if value < -threshold:
        return value + threshold
    return 0.0


@njit(cache=True)
def _model_residual(H_d, g, theta, l1, d):
    """Max-norm of the minimum-norm subgradient of the model at ``theta + d``."""
    worst = 0.0
    for j in range(g.shape[0]):
        slope = g[j] + H_d[j]
        z = theta[j] + d[j]
        if z > 0.0:
            r = abs(slope + l1[j])
        elif z < 0.0:
            r = abs(slope - l1[j])
        else:
            r = max(abs(slope) - l1[j], 0.0)
        worst = max(worst, r)
    return worst


@njit(cache=True)
def _coordinate_descent(H, g, theta, l1, d, tol, max_sweeps):
    """Minimise ``g.d + d.H d / 2 + sum_j l1_j |theta_j + d_j|`` by cyclic CD from ``d``.

    Updates ``d`` in place; stops when the model's own optimality residual is at
    most ``tol``; returns that residual.
    """
    n = g.shape[0]
    H_d = H @ d
    residual = _model_residual(H_d, g, theta, l1, d)
    for _ in range(max_sweeps):
        if residual <= tol:
            break
        for j in range(n):
            a = H[j, j]
            if a <= 0.0:
                continue
            b = g[j] + H_d[j] - a * d[j]
            delta = _shrink(theta[j] - b / a, l1[j] / a) - theta[j] - d[j]
            if delta != 0.0:
                d[j] += delta
                for i in range(n):
                    H_d[i] += delta * H[i, j]
        residual = _model_residual(H_d, g, theta, l1, d)
    return residual


def _support_step(H, g, theta, l1, d):
    """The subproblem's exact solution if the support and signs of ``theta + d`` are right.

    On the support ``S`` (non-zero or unpenalised) the model is a quadratic with
    fixed signs: ``H_SS x = -(g_S + l1_S sign_S)``, the other coordinates at
    zero. CD finds the support quickly but converges slowly on correlated
    coordinates (an intercept next to uncentred features); this solve finishes
    it. None when the system is singular or the signs change.
    """
    z = theta + d
    support = (z != 0.0) | (l1 == 0.0)
    sign = np.sign(z[support])
    try:
        x = scipy.linalg.solve(
            H[np.ix_(support, support)],
            -(g[support] + l1[support] * sign),
            assume_a="pos",
            check_finite=False,
        )
    except (scipy.linalg.LinAlgError, ValueError):
        return None
    step = -theta.copy()
    step[support] = x
    penalised = l1[support] > 0
    if np.any(np.sign(theta[support] + x)[penalised] != sign[penalised]):
        return None
    return step


def _subproblem(H, g, theta, l1, tol):
    """The proximal Newton step: CD rounds, each finished by :func:`_support_step`."""
    d = np.zeros_like(g)
    for _ in range(_ROUNDS):
        if _coordinate_descent(H, g, theta, l1, d, tol, _SWEEPS) <= tol:
            return d
        step = _support_step(H, g, theta, l1, d)
        if step is not None and _model_residual(H @ step, g, theta, l1, step) <= tol:
            return step
    return d


def _working_set(theta, grad, l1):
    """Non-zero and unpenalised parameters, and zeros whose gradient exceeds their L1 weight."""
    return np.flatnonzero((theta != 0.0) | (l1 == 0.0) | (np.abs(grad) > l1))


def working_hessian(objective, theta, working, hessian):
    """Hessian of ``J`` on the working set: from ``hessian``, the full matrix, or products."""
    if hessian is None and dense_hessian_fits(objective.n_params):
        hessian = objective.hessian(theta)
    if hessian is not None:
        return hessian[np.ix_(working, working)]
    columns = np.empty((len(working), len(working)))
    for k, j in enumerate(working):
        unit = np.zeros(objective.n_params)
        unit[j] = 1.0
        columns[:, k] = objective.hessp(theta, unit)[working]
    return columns


def _composite(objective, l1, theta):
    value, grad = objective.value_grad(theta)
    return value + float(l1 @ np.abs(theta)), grad


def _line_search(objective, l1, theta, value, grad, step):
    """Backtracking on ``F`` along ``step`` with the proximal Armijo condition."""
    decrease = float(grad @ step) + float(l1 @ (np.abs(theta + step) - np.abs(theta)))
    t = 1.0
    while t >= 1e-12:
        candidate = theta + t * step
        new_value, new_grad = _composite(objective, l1, candidate)
        tie = abs(new_value - value) <= 1e-13 * max(abs(value), 1.0)
        if new_value <= value + _ARMIJO * t * decrease or (tie and np.isfinite(new_value)):
            return t, candidate, new_value, new_grad
        t *= 0.5
    return 0.0, theta, value, grad


def prox_newton(objective, l1, theta0, *, tol, max_iter, hessian=None):
    """Proximal Newton on ``objective + sum_j l1[j] |theta_j|`` from ``theta0``.

    Parameters
    ----------
    objective : LinearObjective
        The smooth part ``J`` (loss and ridge).
    l1 : ndarray of shape (n_params,)
        L1 weight of each parameter (zero for unpenalised intercepts).
    theta0 : ndarray of shape (n_params,)
        Starting point.
    tol : float
        Stop when the minimum-norm subgradient of ``F``
        (:func:`~skunlearn._penalties.l1_residual`), in max-norm and divided
        by ``sum(weights)``, is at most ``tol``.
    max_iter : int
        Maximum number of proximal Newton steps.
    hessian : ndarray of shape (n_params, n_params), default=None
        Hessian of ``J`` at ``theta0`` (penalty and gauge included), when known.

    Returns
    -------
    result : SolverResult
        ``value`` is ``F``, ``grad`` the gradient of ``J``; ``history`` records
        ``F``, the subgradient residual (per-sample-mean units) and the step
        length. ``converged`` is also True at the residual's rounding floor.
    """
    scale = max(abs(objective.total_weight), 1e-300)
    theta = np.array(theta0, dtype=np.float64, copy=True)
    value, grad = _composite(objective, l1, theta)
    history = History()
    residual = np.max(np.abs(l1_residual(theta, grad, l1)), initial=0.0) / scale
    n_iter = 0
    while residual > tol and n_iter < max_iter:
        working = _working_set(theta, grad, l1)
        H = working_hessian(objective, theta, working, hessian if n_iter == 0 else None)
        step = np.zeros_like(theta)
        forcing = min(_FORCING, np.sqrt(residual)) * residual * scale
        step[working] = _subproblem(H, grad[working], theta[working], l1[working], forcing)
        t, theta_new, value, grad = _line_search(objective, l1, theta, value, grad, step)
        n_iter += 1
        step_length = float(np.linalg.norm(theta_new - theta))
        theta = theta_new
        residual = np.max(np.abs(l1_residual(theta, grad, l1)), initial=0.0) / scale
        history.record(value, residual, step_length)
        if t == 0.0:
            break
    converged = residual <= tol or (
        dense_hessian_fits(objective.n_params) and residual <= rounding_floor(objective, theta)
    )
    return SolverResult(theta, n_iter, bool(converged), history.arrays(), None, value, grad)
