"""Newton removal: Newton steps on the retain objective from the current weights."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from .._solvers import dense_hessian_fits, newton, newton_cg
from ._base import BaseUnlearner, empty_history
from ._problem import UnlearningResult

__all__ = ["Newton"]


class Newton(BaseUnlearner):
    """Newton removal: lands on the oracle for convex models.

    From the current weights, take Newton steps on the retain objective
    ``J_R`` (the objective the oracle minimises) until its gradient, in
    per-sample-mean units, is below ``tol`` [1]_. The first step uses the
    stored Hessian downdated by the forgotten rows when the estimator keeps
    one; further steps reuse that factorisation (chord steps) while each cuts
    the gradient by at least 4x, and refresh it from the retain rows
    otherwise. When the dense Hessian would not fit in memory (see
    ``skunlearn._solvers.dense_hessian_fits``), the steps are Newton-CG on
    Hessian-vector products. For :class:`~skunlearn.Ridge` the retain objective is quadratic
    and this is exact downdating: the stored Gram statistics lose the
    forgotten rows and the system is solved again, in ``O(k d^2 + d^3)``.

    Parameters
    ----------
    tol : float, default=1e-12
        Stop when ``max|grad J_R| / sum(retain weights) <= tol``. Tight by
        default: a single-row deletion moves the optimum by about ``1 / n``,
        and the result must be close to the oracle relative to that move.
    max_iter : int, default=50
        Maximum number of Newton steps.

    See Also
    --------
    Retrain : Refit from scratch on the remaining rows.

    References
    ----------
    .. [1] C. Guo, T. Goldstein, A. Hannun, L. van der Maaten, "Certified Data
       Removal from Machine Learning Models", ICML 2020.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.unlearners import Newton
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = scale(X)
    >>> clf = LogisticRegression(unlearner=Newton(tol=1e-12)).fit(X, y)
    >>> clf.unlearn(X[:10]).n_forgotten_
    10
    >>> bool(clf.unlearn_history_["grad_norm"][-1] <= 1e-12)
    True
    """

    _lands_on_oracle = True

    _parameter_constraints = {
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, tol=1e-12, max_iter=50):
        self.tol = tol
        self.max_iter = max_iter

    def _run(self, problem):
        if problem.exact_solve is not None:
            return UnlearningResult(problem.exact_solve(), empty_history(), n_iter=1)
        objective = problem.retain_objective()
        if problem.retain_loss_hessian is None and not dense_hessian_fits(objective.n_params):
            result = newton_cg(objective, problem.theta0, tol=self.tol, max_iter=self.max_iter)
            return UnlearningResult.from_solver(result, problem.retain_total)
        result = newton(
            objective,
            problem.theta0,
            tol=self.tol,
            max_iter=self.max_iter,
            hessian=problem.initial_hessian(),
            reuse_hessian=True,
            value_grad0=problem.retain_value_grad0,
        )
        return UnlearningResult.from_solver(result, problem.retain_total)
