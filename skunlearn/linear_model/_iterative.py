"""What the estimators fitted iteratively on a ``LinearObjective`` share.

Poisson, Gamma and Tweedie regression, Huber regression and the linear SVC
minimise a convex objective by Newton (Cholesky, generalized Hessian for the
piecewise-quadratic losses) or L-BFGS, keep a
:class:`~skunlearn._warm_state.LossState` for the first Newton unlearning
step, and refit the same way for the :class:`~skunlearn.unlearners.Retrain`
unlearner. :class:`IterativeLinearModel` implements that once; an estimator
supplies its objective (``_objective_spec``), its starting point
(``_start``) and its fitted attributes (``_set_model``).
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._solvers import canonical_newton_step, dense_hessian_fits, lbfgs, newton
from .._warm_state import LossState
from ..exceptions import warn_at_caller
from ..unlearners._base import empty_history
from ..utils import training_rows
from ._base import RetainModel, UnlearnMixin

__all__ = ["IterativeLinearModel", "canonical_finish", "solve"]


def solve(objective, theta0, *, solver, tol, max_iter):
    """Minimise ``objective`` from ``theta0``: a :class:`~skunlearn._solvers.SolverResult`.

    ``solver`` is "newton-cholesky" (damped Newton with a Cholesky factor, an
    exact final step, the Hessian returned for the warm state), "lbfgs"
    (L-BFGS-B polished by Newton-CG, ``50 * max_iter`` iterations) or "auto"
    (Newton while the dense Hessian fits the memory budget).
    """
    if solver == "auto":
        solver = "newton-cholesky" if dense_hessian_fits(objective.n_params) else "lbfgs"
    if solver == "lbfgs":
        return lbfgs(objective, theta0, tol=tol, max_iter=50 * max_iter)
    return newton(
        objective, theta0, tol=tol, max_iter=max_iter, reuse_hessian=True, finish_exact=True
    )


def canonical_finish(objective, weight_scale, theta, warm_state=None, value_grad=None):
    """The fitted state of a smooth objective: one polished, rounded Newton step from ``theta``.

    :func:`~skunlearn._solvers.canonical_newton_step`, the same at ``fit``
    and after an exact unlearning, so both store the same bits; its Hessian
    becomes the warm state (:class:`~skunlearn._warm_state.LossState`, with the
    objective's ``weight_scale``). Of ``warm_state`` (the state just derived
    for the rows) only the column sums of squares are used, for the rounding's
    scale (no pass over the rows for them). ``value_grad`` is the objective's
    value and gradient at ``theta`` when known. Returns ``(theta, state,
    (value, grad))``.
    """
    squares = getattr(warm_state, "squares", None)
    if squares is not None:
        squares = weight_scale * squares
    step = canonical_newton_step(objective, theta, value_grad, squares)
    return step[0], LossState.from_canonical(objective, step, weight_scale), step[3:5]


class IterativeLinearModel(UnlearnMixin):
    """The ``UnlearnMixin`` hooks of a model fitted by :func:`solve`.

    Subclasses implement ``_objective_spec(total_weight)`` (an
    :class:`~skunlearn._objective.ObjectiveSpec` over rows of that total
    sample weight, read from the hyperparameters frozen at ``fit`` in
    ``_spec``), ``_packed_parameters()`` (``(coef, intercept, scale)`` of
    the current model in the spec's layout) and ``_set_model``;
    ``_start(objective)`` gives the starting point (zeros by default).
    ``fit`` calls :meth:`_fit_rows`, and both ``fit`` and exact unlearning
    end with :meth:`_finalize`.
    """

    _solver = "auto"

    def _fit_rows(self, X, encoded, weights, theta0=None, ids=None):
        """Store the rows (and their ids), minimise the objective, finalize; return the model."""
        self._rows = rows = training_rows(X, encoded, weights, ids=ids, chunked=False)
        spec = self._objective_spec(float(np.sum(rows.sample_weight)))
        objective = spec.objective(rows.X, rows.y, rows.sample_weight)
        result = self._solve(objective, self._start(objective) if theta0 is None else theta0)
        if not result.converged:
            warn_at_caller(
                f"The solver did not reach tol={self._spec['tol']} in {result.n_iter} "
                "iterations; increase max_iter or tol.",
                ConvergenceWarning,
                depth=1,
            )
        value_grad = None if result.grad is None else (result.value, result.grad)
        theta, self._warm_state, _ = self._finalize(
            rows.head(rows.n), spec, result.theta, value_grad=value_grad
        )
        self.n_iter_ = max(result.n_iter, 1)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return RetainModel(spec, theta)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The fitted state on ``rows``: :func:`canonical_finish` from ``theta``."""
        objective = spec.objective(*rows)
        return canonical_finish(objective, spec.weight_scale, theta, warm_state, value_grad)

    def _freeze_spec(self, **extra):
        """Keep the hyperparameters ``fit`` used in ``_spec``: ``unlearn`` reads these."""
        self._spec = {**self.get_params(deep=False), **extra}

    def _solve(self, objective, theta0):
        settings = self._spec
        solver = settings.get("solver", self._solver)
        return solve(
            objective, theta0, solver=solver, tol=settings["tol"], max_iter=settings["max_iter"]
        )

    def _start(self, objective):
        """Where the solvers start: zeros."""
        return np.zeros(objective.n_params)

    def _model(self, total_weight, forgotten=None, remaining=None):
        spec = self._objective_spec(total_weight)
        theta = spec.layout(self.n_features_in_).pack(*self._packed_parameters())
        return RetainModel(spec, theta)

    def _refit(self, problem):
        objective = problem.retain_objective()
        return self._solve(objective, self._start(objective))
