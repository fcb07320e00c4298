"""Damped Newton with a Cholesky factor of the Hessian, and the line search it shares.

Solvers stop on the gradient in per-sample-mean units, ``max|grad J| /
sum(weights)``, so one tolerance means the same thing for every data size.
"""

import numpy as np
import scipy.linalg

from .._kernels import single_threaded_blas
from ._history import History, SolverResult, scaled_gradient_norm

__all__ = ["line_search", "newton"]

_ARMIJO = 1e-4
_CHORD_CONTRACTION = 0.25


# Factorisations and solves run with BLAS on one thread: at these sizes threads
# gain nothing, and OpenBLAS threads left spinning slow the parallel kernels
# that run next on the same cores.


def _factor(H):
    with single_threaded_blas():
        try:
            return scipy.linalg.cho_factor(H, check_finite=False), True
        except scipy.linalg.LinAlgError:
            return H, False


def _solve(factor, g):
    matrix, is_cholesky = factor
    with single_threaded_blas():
        if is_cholesky:
            return scipy.linalg.cho_solve(matrix, g, check_finite=False)
        return scipy.linalg.lstsq(matrix, g, check_finite=False)[0]


def line_search(objective, theta, value, grad, step):
    """Backtracking Armijo search along ``-step``; accepts rounding-level ties."""
    slope = float(grad @ step)
    t = 1.0
    while True:
        candidate = theta - t * step
        new_value, new_grad = objective.value_grad(candidate)
        tie = abs(new_value - value) <= 1e-13 * max(abs(value), 1.0)
        if new_value <= value - _ARMIJO * t * slope or (tie and np.isfinite(new_value)):
            return t, candidate, new_value, new_grad
        if t < 1e-12:
            return 0.0, theta, value, grad
        t *= 0.5


def _bfgs_update(matrix, step, change):
    """BFGS update of a Hessian approximation so that it maps ``step`` to ``change``."""
    curvature = float(change @ step)
    if curvature <= 0.0:
        return matrix
    image = matrix @ step
    return matrix + np.outer(change, change) / curvature - np.outer(image, image) / (step @ image)


def _exact_final_step(objective, theta, value, grad, history):
    """One Newton step with the Hessian at ``theta``; kept if it lowers the gradient.

    A step to where the objective is infinite (outside a loss's domain, such
    as a negative scale) is never kept, whatever the gradient there.
    """
    loss_hessian = objective.loss_hessian(theta)
    candidate = theta - _solve(_factor(objective.regularize(loss_hessian)), grad)
    new_value, new_grad = objective.value_grad(candidate)
    if not np.isfinite(new_value) or np.linalg.norm(new_grad) >= np.linalg.norm(grad):
        return theta, value, grad, loss_hessian, 0
    step_length = np.linalg.norm(candidate - theta)
    history.record(new_value, scaled_gradient_norm(objective, new_grad), step_length)
    return candidate, new_value, new_grad, loss_hessian, 1


def newton(
    objective,
    theta0,
    *,
    tol,
    max_iter,
    hessian=None,
    reuse_hessian=False,
    value_grad0=None,
    finish_exact=False,
):
    """Damped Newton with a Cholesky factor of the Hessian.

    Parameters
    ----------
    objective : LinearObjective
        The objective to minimise.
    theta0 : ndarray of shape (n_params,)
        Starting point.
    tol : float
        Stop when ``max|grad| / sum(weights) <= tol``.
    max_iter : int
        Maximum number of Newton steps.
    hessian : ndarray of shape (n_params, n_params), default=None
        Hessian (penalty included) to use for the first step instead of
        evaluating it at ``theta0``.
    reuse_hessian : bool, default=False
        Keep the current Hessian for further steps while each step cuts the
        gradient by at least 4x, correcting it by a BFGS update from each
        step and gradient change (superlinear instead of linear convergence);
        evaluate it afresh otherwise.
    value_grad0 : tuple of (float, ndarray), default=None
        Objective value and gradient at ``theta0``, when known without a pass
        over the data.
    finish_exact : bool, default=False
        After the loop, take one more step with the Hessian evaluated at the
        final point (quadratic convergence: well below ``tol``), and return
        that Hessian; counted in ``max_iter``.

    Returns
    -------
    result : SolverResult
        ``history`` holds, per step, the objective, the gradient norm
        (per-sample-mean units) and the step length; ``hessian`` is the last
        *loss* Hessian evaluated (no penalty), or None if none was.
        ``converged`` is also True when the loop stopped above ``tol`` but at
        the gradient's rounding floor (:func:`rounding_floor`).
    """
    theta = np.array(theta0, dtype=np.float64, copy=True)
    value, grad = objective.value_grad(theta) if value_grad0 is None else value_grad0
    history = History()
    matrix, last_hessian = hessian, None
    n_iter, converged = 0, scaled_gradient_norm(objective, grad) <= tol
    while not converged and n_iter < max_iter:
        if matrix is None:
            last_hessian = objective.loss_hessian(theta)
            matrix = objective.regularize(last_hessian)
        step = _solve(_factor(matrix), grad)
        old_norm = np.linalg.norm(grad)
        t, theta_new, value, grad_new = line_search(objective, theta, value, grad, step)
        n_iter += 1
        step_length = float(np.linalg.norm(theta_new - theta))
        matrix = (
            _bfgs_update(matrix, theta_new - theta, grad_new - grad) if reuse_hessian else None
        )
        theta, grad = theta_new, grad_new
        history.record(value, scaled_gradient_norm(objective, grad), step_length)
        converged = history.last_grad_norm <= tol
        if t == 0.0 or step_length <= 4 * np.finfo(float).eps * np.linalg.norm(theta):
            break
        if t < 1.0 or np.linalg.norm(grad) > _CHORD_CONTRACTION * old_norm:
            matrix = None
    if finish_exact and 0 < n_iter < max_iter:
        theta, value, grad, last_hessian, extra = _exact_final_step(
            objective, theta, value, grad, history
        )
        n_iter += extra
    if not converged:
        converged = scaled_gradient_norm(objective, grad) <= rounding_floor(objective, theta)
    return SolverResult(theta, n_iter, converged, history.arrays(), last_hessian, value, grad)


def rounding_floor(objective, theta):
    """The smallest gradient (per-sample-mean units) that ``theta``'s own rounding allows.

    Representing ``theta`` in float64 moves it by up to ``eps |theta|``
    componentwise, which moves the gradient by up to ``|H| eps |theta|`` (``H``
    the Hessian without the gauge term, whose direction the gradient never
    has): a gradient below that is zero to working precision. Costs one Hessian
    evaluation; solvers call it only when they stopped short of ``tol``.
    """
    hessian = objective.loss_hessian(theta)
    hessian[np.diag_indices_from(hessian)] += objective.l2_diagonal
    spread = np.abs(hessian) @ np.abs(theta)
    eps = np.finfo(np.float64).eps
    return 4.0 * eps * float(np.max(spread, initial=0.0)) / max(objective.total_weight, 1e-300)
