"""What the estimators solved by (ridge) least squares from Gram statistics share.

:class:`~skunlearn.linear_model.LinearRegression` and
:class:`~skunlearn.linear_model.RidgeClassifier` minimise ``sum_i s_i ||y_i -
z_i||^2 + alpha ||W||^2`` (``alpha = 0``, minimum-norm, for the first; {-1,
+1} one-vs-all targets for the second). ``fit`` keeps the centred Gram
statistics while the ``d x d`` matrix fits the budget
(:func:`~skunlearn._solvers.uses_gram`), and the ``newton`` unlearner solves
exactly from the statistics of the remaining rows (recomputed from them);
beyond, both fit and unlearning solve by conjugate gradients over the rows,
finalized from a rounded start as :class:`~skunlearn.Ridge` does. The
objective's spec (``_objective_spec``) and the fitted attributes
(``_set_model``) are the estimator's.
"""

from dataclasses import replace

import numpy as np

from .._solvers import (
    GramStatistics,
    SolverResult,
    coordinate_scales,
    elastic_net_cd,
    ridge_cg,
    ridge_statistics,
    round_to_grid,
)
from ..unlearners._base import empty_history
from ..utils import training_rows
from ._base import RetainModel, UnlearnMixin

__all__ = ["LeastSquaresModel"]


class LeastSquaresModel(UnlearnMixin):
    """The ``UnlearnMixin`` hooks of a least-squares model with Gram statistics.

    Subclasses implement ``_objective_spec(total_weight, ...)``,
    ``_packed_parameters()`` and ``_set_model``; ``_rcond()`` (None by
    default) is the minimum-norm cut-off used when the ridge is 0.
    """

    _oracle_tolerance = 1e-10  # a quadratic objective: exact downdating

    def _rcond(self):
        return None

    def _statistics(self, X, Y, sample_weight, centered):
        """Gram statistics of the rows (None on the conjugate-gradient path)."""
        stats = ridge_statistics(X, Y, sample_weight, centered)
        return stats if stats is None else replace(stats, rcond=self._rcond())

    def _fit_least_squares(self, X, encoded, sample_weight, ids=None):
        """Store the rows (and ids), finalize on them (statistics, solution); return the model."""
        self._rows = rows = training_rows(X, encoded, sample_weight, ids=ids)
        spec = self._objective_spec(float(np.sum(rows.sample_weight)))
        theta, self._warm_state, _ = self._finalize(rows.head(rows.n), spec, None)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return RetainModel(spec, theta)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The fitted state on ``rows``: Gram statistics and their solution, or canonical CG.

        ``rows`` holds the stored targets; with Gram statistics (the warm state
        just recomputed from the rows, or computed here) the solution is a
        direct solve, a function of the rows alone. On the CG path the
        coefficients (from ``theta``, or a CG solve from zeros at ``fit``) are
        rounded to the grid of :func:`~skunlearn._solvers.round_to_grid` and
        CG runs again from there, as :class:`~skunlearn.Ridge` does.
        """
        X, stored, w = rows
        Y = spec.kernel_targets(stored)
        gram = warm_state if isinstance(warm_state, GramStatistics) else None
        if gram is None:
            gram = self._statistics(X, Y, w, spec.fit_intercept)
        layout = spec.layout(X.shape[1])
        if spec.l1 or spec.positive:
            return self._coordinate_descent(gram, X, w, spec, theta)[:2] + (None,)
        if gram is not None:
            return layout.pack(*self._solve(gram, X, Y, w, spec)), gram, None
        coef = self._solve(None, X, Y, w, spec)[0] if theta is None else layout.unpack(theta)[0]
        coef0 = round_to_grid(coef.ravel(), coordinate_scales(X, w, coef.shape[0], 0))
        solution = self._solve(None, X, Y, w, spec, coef0=coef0.reshape(coef.shape))
        return layout.pack(*solution), None, None

    def _cd_options(self):
        """Tolerance and sweeps of the coordinate descent (an L1 penalty or ``positive``)."""
        return {"tol": 1e-12, "max_iter": 100_000}

    def _coordinate_descent(self, stats, X, w, spec, theta):
        """``(theta, stats, sweeps)``: coordinate descent from ``theta`` rounded to the grid.

        The coefficients (a coordinate-descent solve from zeros when ``theta``
        is None) are rounded to the grid of
        :func:`~skunlearn._solvers.round_to_grid`, and coordinate descent runs
        to its tolerance from there: a function of the rows, the same at
        ``fit`` and after an unlearning.
        """
        if stats is None:
            raise ValueError(
                f"{type(self).__name__} with an L1 penalty or positive=True needs the d x d "
                "Gram statistics: too many features."
            )
        layout = spec.layout(X.shape[1])
        l1, l2 = spec.l1 / (2.0 * spec.weight_scale), spec.l2 / (2.0 * spec.weight_scale)
        options = {**self._cd_options(), "positive": spec.positive}
        coef = None if theta is None else layout.unpack(theta)[0]
        if coef is None:
            coef = elastic_net_cd(stats, l1, l2, **options)[0]
        scale = coordinate_scales(X, w, coef.shape[0], 0)
        coef0 = round_to_grid(coef.ravel(), scale).reshape(coef.shape)
        coef, intercept, sweeps, _ = elastic_net_cd(stats, l1, l2, coef0, **options)
        return layout.pack(coef, intercept), stats, sweeps

    @staticmethod
    def _solve(gram, X, Y, sample_weight, spec, coef0=None):
        """Solution from the Gram statistics, or by conjugate gradients over the rows."""
        alpha = spec.l2 / (2.0 * spec.weight_scale)
        if gram is not None:
            return gram.solve(alpha)
        return ridge_cg(X, Y, sample_weight, alpha, spec.fit_intercept, coef0=coef0)

    def _model(self, total_weight, forgotten=None):
        spec = self._objective_spec(total_weight)
        theta = spec.layout(self.n_features_in_).pack(*self._packed_parameters())
        return RetainModel(spec, theta)

    def _refit(self, problem):
        weights = problem.retain_weight / problem.weight_scale
        gram = self._statistics(problem.X, problem.y, weights, problem.layout.fit_intercept)
        spec = problem.spec
        if spec.l1 or spec.positive:
            l1 = spec.l1 / (2.0 * spec.weight_scale)
            options = {**self._cd_options(), "positive": spec.positive}
            coef, intercept, sweeps, converged = elastic_net_cd(
                gram, l1, problem.ridge_alpha, **options
            )
            return SolverResult(problem.layout.pack(coef, intercept), sweeps, converged, {})
        solution = self._solve(gram, problem.X, problem.y, weights, spec)
        return SolverResult(problem.layout.pack(*solution), 1, True, empty_history())
