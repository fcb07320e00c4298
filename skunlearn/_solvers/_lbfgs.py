"""L-BFGS-B (scipy) for fitting, polished by Newton-CG."""

import numpy as np
import scipy.optimize
from threadpoolctl import threadpool_limits

from ._history import History, SolverResult, scaled_gradient_norm
from ._newton_cg import newton_cg

__all__ = ["lbfgs"]


@threadpool_limits.wrap(limits=1, user_api="blas")
def lbfgs(objective, theta0, *, tol, max_iter):
    """L-BFGS-B (scipy) on ``J / sum(weights)``, polished by Newton-CG.

    L-BFGS-B's line search works on function values, which stop resolving
    progress once the gradient is near the square root of machine precision;
    a few Newton-CG steps (which converge quadratically there) take the
    gradient down to ``tol``; they count in ``max_iter`` (up to 20 of it is kept
    for them). BLAS runs on one thread (L-BFGS-B's vector
    updates stalled on a spinning pool between the parallel kernels' passes:
    6 of 8.5 s of a 1e5 x 1e4 CSR fit), and the history reuses the gradient
    the line search already evaluated at each accepted point.

    Returns
    -------
    result : SolverResult
    """
    if max_iter == 0:
        value, grad = objective.value_grad(theta0)
        return SolverResult(
            np.array(theta0, dtype=np.float64), 0, False, History().arrays(), None, value, grad
        )
    scale = max(abs(objective.total_weight), 1e-300)
    reserve = min(20, max_iter // 2)
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
        options={"maxiter": max_iter - reserve, "gtol": tol, "ftol": 1e-15, "maxcor": 30},
    )
    budget = max_iter - int(opt.nit)
    polish = newton_cg(objective, np.asarray(opt.x, dtype=np.float64), tol=tol, max_iter=budget)
    history = {
        key: np.concatenate([values, polish.history[key]])
        for key, values in history.arrays().items()
    }
    n_iter = int(opt.nit) + polish.n_iter
    return SolverResult(
        polish.theta, n_iter, polish.converged, history, None, polish.value, polish.grad
    )
