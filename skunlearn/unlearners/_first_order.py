"""The gradient loop shared by descent-ascent, gradient ascent and finetuning."""

from numbers import Integral, Real

import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from sklearn.utils._param_validation import Interval, StrOptions

from .._solvers import History
from ._base import BaseUnlearner
from ._problem import UnlearningResult

__all__ = ["FirstOrderUnlearner", "auto_learning_rate"]

_DENSE_EIGEN_LIMIT = 2000


def auto_learning_rate(problem):
    """``1 / L`` with ``L`` the largest eigenvalue of the Hessian of ``L_R`` at ``theta0``.

    ``L_R = J_R / sum(c_R)`` is the retain objective in per-sample-mean units;
    one gradient step of this size on it cannot overshoot along the steepest
    curvature at the starting point.
    """
    objective = problem.mean_retain_objective()
    if objective.n_params <= _DENSE_EIGEN_LIMIT:
        hessian = objective.hessian(problem.theta0)
        top = scipy.linalg.eigvalsh(hessian, subset_by_index=[len(hessian) - 1] * 2)[0]
    else:
        operator = scipy.sparse.linalg.LinearOperator(
            (objective.n_params,) * 2, matvec=lambda v: objective.hessp(problem.theta0, v)
        )
        top = scipy.sparse.linalg.eigsh(operator, k=1, which="LA", tol=1e-3)[0][0]
    return 1.0 / float(top)


class FirstOrderUnlearner(BaseUnlearner):
    """Shared loop: fixed-size gradient steps, history, divergence detection.

    When the retain objective's penalty is not smooth (an L1 term, or
    ``coef >= 0``), every step is followed by the penalty's proximal map
    (:meth:`~skunlearn._penalties.Penalty.prox`: soft-thresholding, then the
    projection), so each method becomes its proximal-gradient variant and its
    iterates stay sparse (feasible); the history then records the composite
    objective and its minimum-norm subgradient.

    Subclasses implement ``_prepare(problem)``, returning what their steps
    need (kept local to the call: a strategy never stores problem data), and
    ``_step(prepared, theta, retain_grad, learning_rate)`` returning the next
    iterate; ``retain_grad`` is the gradient of ``L_R`` at ``theta``, computed
    once per iteration and also recorded in the history.
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "divergence_factor": [Interval(Real, 1, None, closed="neither")],
    }

    def _run(self, problem):
        prepared = self._prepare(problem)
        rate = self.learning_rate
        if rate == "auto":
            rate = auto_learning_rate(problem)
        retain = problem.mean_retain_objective()
        penalty, layout = problem.penalty.scaled(1.0 / problem.retain_total), problem.layout
        theta = np.array(problem.theta0, dtype=np.float64, copy=True)
        bound = self.divergence_factor * (1.0 + np.linalg.norm(theta))
        history = History()
        grad = retain.value_grad(theta)[1]
        diverged = ""
        for iteration in range(self.max_iter):
            candidate = self._step(prepared, theta, grad, rate)
            if not penalty.smooth:
                candidate = penalty.prox(candidate, rate, layout)
            norm = np.linalg.norm(candidate)
            new_value, new_grad = (
                (np.inf, None) if not np.isfinite(norm) else retain.value_grad(candidate)
            )
            if not np.isfinite(norm) or norm > bound or not np.isfinite(new_value):
                diverged = self._divergence_reason(iteration + 1, norm, bound)
                break
            residual = penalty.residual(candidate, new_grad, layout)
            new_value += penalty.nonsmooth_value(candidate, layout)
            grad_norm = np.max(np.abs(residual), initial=0.0)
            history.record(new_value, grad_norm, np.linalg.norm(candidate - theta))
            theta, grad = candidate, new_grad
        return UnlearningResult(
            theta,
            history.arrays(),
            len(history),
            converged=not diverged,
            diverged=bool(diverged),
            reason=diverged or "",
        )

    def _prepare(self, problem):
        """What the steps need besides the retain gradient (default: nothing)."""
        return None

    def _divergence_reason(self, iteration, norm, bound):
        what = (
            "the weights became non-finite"
            if not np.isfinite(norm)
            else f"the weight norm {norm:.3g} exceeded {bound:.3g}"
        )
        return (
            f"at iteration {iteration} {what}. Kept the last finite iterate. The "
            "descent-ascent objective is unbounded below here (Mavrothalassitis et al. 2025); "
            "'newton' lands on the oracle instead"
        )
