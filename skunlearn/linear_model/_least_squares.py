"""What the estimators solved by (ridge) least squares from Gram statistics share.

:class:`~skunlearn.linear_model.LinearRegression` and
:class:`~skunlearn.linear_model.RidgeClassifier` minimise ``sum_i s_i ||y_i -
z_i||^2 + alpha ||W||^2`` (``alpha = 0``, minimum-norm, for the first; {-1,
+1} one-vs-all targets for the second). ``fit`` keeps the centred Gram
statistics while the ``d x d`` matrix fits the budget
(:func:`~skunlearn._solvers.uses_gram`), and the ``newton`` unlearner downdates
them exactly; beyond, both fit and unlearning solve by conjugate gradients
over the rows. The objective's spec (``_objective_spec``) and the fitted
attributes (``_set_model``) are the estimator's.
"""

from dataclasses import replace

import numpy as np

from .._solvers import SolverResult, ridge_cg, ridge_statistics
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

    def _fit_least_squares(self, X, encoded, sample_weight):
        """Store the rows and their statistics, solve; return the fitted model."""
        self._rows = rows = training_rows(X, encoded, sample_weight)
        spec = self._objective_spec(float(np.sum(sample_weight)))
        Y = spec.kernel_targets(rows.y)
        self._warm_state = self._statistics(rows.X, Y, sample_weight, spec.fit_intercept)
        solution = self._solve(self._warm_state, rows.X, Y, sample_weight, spec)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return RetainModel(spec, spec.layout(rows.X.shape[1]).pack(*solution))

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
        solution = self._solve(gram, problem.X, problem.y, weights, problem.spec)
        return SolverResult(problem.layout.pack(*solution), 1, True, empty_history())
