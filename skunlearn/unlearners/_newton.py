"""Newton removal: Newton steps on the retain objective from the current weights."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from .._solvers import (
    GramStatistics,
    dense_hessian_fits,
    elastic_net_cd,
    newton,
    newton_cg,
    ridge_cg,
)
from ._base import BaseUnlearner, empty_history
from ._problem import UnlearningResult

__all__ = ["Newton"]


class Newton(BaseUnlearner):
    """Newton removal: lands on the oracle for convex models.

    From the current weights, take Newton steps on the retain objective
    ``J_R`` (the objective the oracle minimises) until its gradient, in
    per-sample-mean units, is below ``tol`` [1]_. Which steps depends on the
    problem:

    - least squares with Gram statistics (:class:`~skunlearn.Ridge` on
      moderate ``d``): the retain objective is quadratic, so one exact Newton
      step is the solution: the warm state's Gram statistics, recomputed
      from the remaining rows (``O(n d^2)``, no history in them), are solved
      again in ``O(d^3)``;
    - least squares without them (sparse or very wide X): that one Newton
      step solved by conjugate gradients on the rows, from the current
      weights;
    - the elastic net (:class:`~skunlearn.linear_model.Lasso`): coordinate
      descent on the remaining rows' Gram statistics from the current
      coefficients, to the optimality conditions at ``tol``;
    - otherwise damped Newton with a Cholesky factor: the first step uses the
      fit's Hessian downdated by the forgotten rows when the warm state holds
      one; further steps reuse that factorisation (chord steps with BFGS
      corrections) while each cuts the gradient by at least 4x, and refresh
      it from the retain rows otherwise. When the dense Hessian would not fit
      in memory (:func:`~skunlearn._solvers.dense_hessian_fits`), the steps
      are Newton-CG on Hessian-vector products.

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
        if problem.loss.quadratic:
            return self._least_squares(problem)
        objective = problem.retain_objective()
        if problem.warm_state is None and not dense_hessian_fits(objective.n_params):
            result = newton_cg(objective, problem.theta0, tol=self.tol, max_iter=self.max_iter)
            return UnlearningResult.from_solver(result, problem.retain_total, self.tol)
        result = newton(
            objective,
            problem.theta0,
            tol=self.tol,
            max_iter=self.max_iter,
            hessian=problem.initial_hessian(),
            reuse_hessian=True,
            value_grad0=problem.initial_value_grad(),
        )
        return UnlearningResult.from_solver(result, problem.retain_total, self.tol)

    def _least_squares(self, problem):
        """The one exact Newton step of a quadratic ``J_R`` (elastic net: coordinate descent)."""
        layout, state = problem.layout, problem.warm_state
        if problem.spec.l1 or problem.spec.positive:
            return self._elastic_net(problem)
        if isinstance(state, GramStatistics):
            theta = layout.pack(*state.solve(problem.ridge_alpha))
            return UnlearningResult(theta, empty_history(), n_iter=1)
        coef0 = layout.unpack(problem.theta0)[0]
        weights = problem.retain_weight / problem.weight_scale
        coef, intercept = ridge_cg(
            problem.X, problem.y, weights, problem.ridge_alpha, layout.fit_intercept, coef0=coef0
        )
        return UnlearningResult(layout.pack(coef, intercept), empty_history(), n_iter=1)

    def _elastic_net(self, problem):
        """Coordinate descent on the remaining rows' statistics, from the current coefficients."""
        layout, state = problem.layout, problem.warm_state
        if not isinstance(state, GramStatistics):
            weights = problem.retain_weight / problem.weight_scale
            state = GramStatistics.from_rows(problem.X, problem.y, weights, layout.fit_intercept)
        l1 = problem.spec.l1 / (2.0 * problem.weight_scale)
        coef, intercept, n_iter, converged = elastic_net_cd(
            state, l1, problem.ridge_alpha, layout.unpack(problem.theta0)[0],
            tol=self.tol, max_iter=1000 * self.max_iter, positive=problem.spec.positive,
        )  # fmt: skip
        reason = "" if converged else f"coordinate descent stopped after {n_iter} sweeps"
        return UnlearningResult(
            layout.pack(coef, intercept), empty_history(), n_iter, converged, reason=reason
        )
