"""Newton removal: Newton steps on the retain objective from the current weights."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from .._solvers import (
    BucketedGram,
    GramStatistics,
    dense_hessian_fits,
    newton,
    newton_cg,
    prox_newton,
    ridge_solve,
    ridge_statistics,
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
      from the remaining rows (the hash buckets that held forgotten rows,
      ``O(n d^2 / B)`` each; no history in them), are solved again by
      :func:`~skunlearn._solvers.ridge_solve` (``O(d^3)``);
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
      are Newton-CG on Hessian-vector products;
    - with an L1 term in the penalty (``l1_ratio > 0``): proximal Newton steps
      (:func:`~skunlearn._solvers.prox_newton`) on the model's support plus
      the coordinates the deletion activates, until the minimum-norm
      subgradient is below ``tol``: the oracle of the sparse model.

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
        l1 = problem.l1_weights()
        if l1 is not None:
            result = prox_newton(
                objective,
                l1,
                problem.theta0,
                tol=self.tol,
                max_iter=self.max_iter,
                hessian=problem.initial_hessian(),
            )
            return UnlearningResult.from_solver(result, problem.retain_total, self.tol)
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
        """The one exact Newton step of a quadratic ``J_R``.

        Constrained when bounded; with an L1 term (the elastic net),
        coordinate descent on the remaining rows' statistics from ``theta0``.
        """
        layout, state, penalty = problem.layout, problem.warm_state, problem.penalty
        weights = problem.retain_weight / problem.weight_scale
        gram = state if isinstance(state, GramStatistics | BucketedGram) else None
        if gram is None and not penalty.smooth:
            gram = ridge_statistics(problem.X, problem.y, weights, layout.fit_intercept)
        l1 = problem.spec.l1 / (2.0 * problem.weight_scale)
        sweeps = {"tol": self.tol, "max_iter": 1000 * self.max_iter} if l1 else {}
        solution = ridge_solve(
            gram,
            problem.X,
            problem.y,
            weights,
            problem.ridge_alpha,
            layout.fit_intercept,
            positive=penalty.positive,
            l1=l1,
            coef0=layout.unpack(problem.theta0)[0],
            **sweeps,
        )
        theta = layout.pack(solution.coef, solution.intercept)
        n_iter, reason = 1, ""
        if solution.method == "cd":
            n_iter = solution.n_iter
            if not solution.converged:
                reason = f"coordinate descent stopped after {n_iter} sweeps"
        elif not solution.converged:
            reason = "conjugate gradients stopped at their iteration cap"
        return UnlearningResult(
            theta, empty_history(), n_iter=n_iter, converged=solution.converged, reason=reason
        )
