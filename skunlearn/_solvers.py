"""Solvers for :class:`~skunlearn._objective.LinearObjective`: Newton and L-BFGS.

Both stop on the gradient in per-sample-mean units, ``max|grad J| / sum(weights)``,
so one tolerance means the same thing for every data size.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse.linalg
from threadpoolctl import threadpool_limits

__all__ = [
    "HESSIAN_MEMORY_BUDGET",
    "History",
    "SolverResult",
    "dense_hessian_fits",
    "lbfgs",
    "newton",
    "newton_cg",
    "scaled_gradient_norm",
]

_ARMIJO = 1e-4
_CHORD_CONTRACTION = 0.25
HESSIAN_MEMORY_BUDGET = 256 * 2**20


def dense_hessian_fits(n_params):
    """Whether a dense ``n_params x n_params`` Hessian fits the memory budget (256 MiB).

    Above it, fitting uses L-BFGS and Newton unlearning uses Newton-CG
    (Hessian-vector products only).
    """
    return 8 * n_params**2 <= HESSIAN_MEMORY_BUDGET


@dataclass
class SolverResult:
    """Final parameters, iteration count, convergence flag and per-iteration history."""

    theta: np.ndarray
    n_iter: int
    converged: bool
    history: dict = field(default_factory=dict)
    hessian: np.ndarray | None = None
    value: float | None = None
    grad: np.ndarray | None = None


class History:
    """Per-iteration record: objective, gradient norm (per-sample-mean units), step length."""

    KEYS = ("objective", "grad_norm", "step_length")

    def __init__(self):
        self._columns = {key: [] for key in self.KEYS}

    def record(self, value, grad_norm, step_length):
        """Append one iteration."""
        for key, entry in zip(self.KEYS, (value, grad_norm, step_length), strict=True):
            self._columns[key].append(float(entry))

    @property
    def last_grad_norm(self):
        """Gradient norm of the last recorded iteration."""
        return self._columns["grad_norm"][-1]

    def __len__(self):
        return len(self._columns["objective"])

    def arrays(self):
        """The record as a dict of float64 arrays (what ``unlearn_history_`` holds)."""
        return {key: np.asarray(val, dtype=np.float64) for key, val in self._columns.items()}


def scaled_gradient_norm(objective, grad):
    """``max|grad| / sum(weights)``: the gradient in per-sample-mean units."""
    return float(np.max(np.abs(grad), initial=0.0)) / max(abs(objective.total_weight), 1e-300)


def _factor(H):
    try:
        return scipy.linalg.cho_factor(H, check_finite=False), True
    except scipy.linalg.LinAlgError:
        return H, False


def _solve(factor, g):
    matrix, is_cholesky = factor
    if is_cholesky:
        return scipy.linalg.cho_solve(matrix, g, check_finite=False)
    return scipy.linalg.lstsq(matrix, g, check_finite=False)[0]


def _line_search(objective, theta, value, grad, step):
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
    """One Newton step with the Hessian at ``theta``; kept if it lowers the gradient."""
    loss_hessian = objective.loss_hessian(theta)
    candidate = theta - _solve(_factor(objective.regularize(loss_hessian)), grad)
    new_value, new_grad = objective.value_grad(candidate)
    if np.linalg.norm(new_grad) >= np.linalg.norm(grad):
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
        that Hessian.

    Returns
    -------
    result : SolverResult
        ``history`` holds, per step, the objective, the gradient norm
        (per-sample-mean units) and the step length; ``hessian`` is the last
        *loss* Hessian evaluated (no penalty), or None if none was.
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
        t, theta_new, value, grad_new = _line_search(objective, theta, value, grad, step)
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
    if finish_exact and n_iter:
        theta, value, grad, last_hessian, extra = _exact_final_step(
            objective, theta, value, grad, history
        )
        n_iter += extra
    return SolverResult(theta, n_iter, converged, history.arrays(), last_hessian, value, grad)


@threadpool_limits.wrap(limits=1, user_api="blas")
def newton_cg(objective, theta0, *, tol, max_iter):
    """Inexact Newton: CG on Hessian-vector products, Armijo line search.

    Needs no Hessian matrix, only ``objective.hessp``: for models whose
    Hessian does not fit in memory. The CG forcing term is the square root of
    the gradient in per-sample-mean units, so a start near the optimum (an
    unlearning warm start) gets an accurate first step whatever the data size.
    BLAS runs on one thread inside: CG's small vector operations between the
    kernels' passes otherwise stall on a spinning thread pool (0.4-1.8 s
    instead of 0.4 s for one unlearning of a 1e5 x 1e4 CSR model).

    Returns
    -------
    result : SolverResult
    """
    theta = np.array(theta0, dtype=np.float64, copy=True)
    value, grad = objective.value_grad(theta)
    history = History()
    n_iter, converged = 0, scaled_gradient_norm(objective, grad) <= tol
    while not converged and n_iter < max_iter:
        operator = scipy.sparse.linalg.LinearOperator(
            (objective.n_params,) * 2, matvec=objective.hessian_operator(theta)
        )
        forcing = min(0.5, np.sqrt(scaled_gradient_norm(objective, grad)))
        step = scipy.sparse.linalg.cg(operator, grad, rtol=forcing, maxiter=200)[0]
        t, theta_new, value, grad = _line_search(objective, theta, value, grad, step)
        n_iter += 1
        step_length = np.linalg.norm(theta_new - theta)
        history.record(value, scaled_gradient_norm(objective, grad), step_length)
        theta = theta_new
        converged = history.last_grad_norm <= tol
        if t == 0.0:
            break
    return SolverResult(theta, n_iter, converged, history.arrays(), None, value, grad)


@threadpool_limits.wrap(limits=1, user_api="blas")
def lbfgs(objective, theta0, *, tol, max_iter):
    """L-BFGS-B (scipy) on ``J / sum(weights)``, polished by Newton-CG.

    L-BFGS-B's line search works on function values, which stop resolving
    progress once the gradient is near the square root of machine precision;
    a few Newton-CG steps (which converge quadratically there) take the
    gradient down to ``tol``. BLAS runs on one thread (L-BFGS-B's vector
    updates stalled on a spinning pool between the parallel kernels' passes:
    6 of 8.5 s of a 1e5 x 1e4 CSR fit), and the history reuses the gradient
    the line search already evaluated at each accepted point.

    Returns
    -------
    result : SolverResult
    """
    scale = max(abs(objective.total_weight), 1e-300)
    history = History()
    previous = [np.asarray(theta0, dtype=np.float64)]
    last = {}

    def fun(theta):
        value, grad = objective.value_grad(theta)
        last.update(theta=np.array(theta, copy=True), value=value, grad=grad)
        return value / scale, grad / scale

    def record(intermediate_result):
        theta = intermediate_result.x
        if np.array_equal(last.get("theta"), theta):
            value, grad = last["value"], last["grad"]
        else:
            value, grad = objective.value_grad(theta)
        step_length = np.linalg.norm(theta - previous[0])
        history.record(value, scaled_gradient_norm(objective, grad), step_length)
        previous[0] = np.array(theta, copy=True)

    opt = scipy.optimize.minimize(
        fun,
        np.asarray(theta0, dtype=np.float64),
        jac=True,
        method="L-BFGS-B",
        callback=record,
        options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15, "maxcor": 30},
    )
    polish = newton_cg(objective, np.asarray(opt.x, dtype=np.float64), tol=tol, max_iter=20)
    history = {
        key: np.concatenate([values, polish.history[key]])
        for key, values in history.arrays().items()
    }
    n_iter = int(opt.nit) + polish.n_iter
    return SolverResult(
        polish.theta, n_iter, polish.converged, history, None, polish.value, polish.grad
    )
