"""What the estimators solved by (ridge) least squares from Gram statistics share.

:class:`~skunlearn.linear_model.LinearRegression` and
:class:`~skunlearn.linear_model.RidgeClassifier` minimise ``sum_i s_i ||y_i -
z_i||^2 + alpha ||W||^2`` (``alpha = 0``, minimum-norm, for the first; {-1,
+1} one-vs-all targets for the second). ``fit`` keeps the centred Gram
statistics while the ``d x d`` matrix fits the budget
(:func:`~skunlearn._solvers.uses_gram`), per hash bucket for dense rows
(:class:`~skunlearn._solvers.BucketedGram`, as :class:`~skunlearn.Ridge`; not
for LinearRegression, see its ``_bucketed``), and
the ``newton`` unlearner solves exactly from the statistics of the remaining
rows (recomputed from them: only the buckets that lost rows);
beyond, both fit and unlearning solve by conjugate gradients over the rows,
finalized from a rounded start as :class:`~skunlearn.Ridge` does. The
objective's spec (``_objective_spec``) and the fitted attributes
(``_set_model``) are the estimator's.
"""

import numpy as np

from .._solvers import (
    BucketedGram,
    GramStatistics,
    SolverResult,
    coordinate_scales,
    ridge_solve,
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
    # Statistics per hash bucket (BucketedGram) for dense rows; False: one pass over all rows.
    _bucketed = True

    def _rcond(self):
        return None

    def _statistics(self, X, Y, sample_weight, centered):
        """Gram statistics of the rows (None on the conjugate-gradient path)."""
        return ridge_statistics(X, Y, sample_weight, centered)

    def _stored_statistics(self, X, Y, sample_weight, centered):
        """Gram statistics of the first stored rows: per hash bucket for dense rows
        (:class:`~skunlearn._solvers.BucketedGram`, as :class:`~skunlearn.Ridge`), so that
        an unlearning recomputes only the buckets that lost rows."""
        bucketed = self._bucketed and isinstance(X, np.ndarray)
        hashes = self._rows.hashes[: X.shape[0]] if bucketed else None
        return ridge_statistics(X, Y, sample_weight, centered, hashes)

    def _downdated_warm_state(self, model, tail, remaining):
        """Bucketed statistics of the remaining rows: the buckets that lost rows recomputed
        (none when the targets change layout, a class removed: recomputed at finalize)."""
        warm = self._warm_state
        if not isinstance(warm, BucketedGram):
            return super()._downdated_warm_state(model, tail, remaining)
        if model.spec.target_map is not None or not model.spec.weighs_like(self._model(1.0).spec):
            return None
        X, stored, w = remaining
        Y = model.spec.kernel_targets(stored)
        return warm.updated(X, Y, w, self._rows.hashes[: X.shape[0]])

    def _in_feature_space(self, features):
        """The shadow of :meth:`UnlearnMixin._in_feature_space`; its rows are new, so the
        bucket tree is rebuilt from them at the unlearning."""
        shadow = super()._in_feature_space(features)
        if isinstance(shadow._warm_state, BucketedGram):
            shadow._warm_state = shadow._warm_state.without_tree()
        return shadow

    def _fit_least_squares(self, X, encoded, sample_weight, ids=None):
        """Store the rows (and ids), finalize on them (statistics, solution); return the model."""
        self._rows = rows = training_rows(X, encoded, sample_weight, ids=ids, chunked=False)
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
        gram = warm_state if isinstance(warm_state, GramStatistics | BucketedGram) else None
        if gram is None:
            gram = self._stored_statistics(X, Y, w, spec.fit_intercept)
        layout = spec.layout(X.shape[1])
        if spec.l1:
            return self._coordinate_descent(gram, X, w, spec, theta)[:2] + (None,)
        if gram is not None or spec.positive:
            solution = self._solve(gram, X, Y, w, spec)
            return layout.pack(solution.coef, solution.intercept), gram, None
        coef = self._solve(None, X, Y, w, spec).coef if theta is None else layout.unpack(theta)[0]
        coef0 = round_to_grid(coef.ravel(), coordinate_scales(X, w, coef.shape[0], 0))
        solution = self._solve(None, X, Y, w, spec, coef0=coef0.reshape(coef.shape))
        return layout.pack(solution.coef, solution.intercept), None, None

    def _cd_options(self):
        """Tolerance and sweeps of the coordinate descent (an L1 penalty)."""
        return {"tol": 1e-12, "max_iter": 100_000}

    def _coordinate_descent(self, stats, X, w, spec, theta):
        """``(theta, stats, sweeps)``: coordinate descent from ``theta`` rounded to the grid.

        The coefficients (a coordinate-descent solve from zeros when ``theta``
        is None) are rounded to the grid of
        :func:`~skunlearn._solvers.round_to_grid`, and coordinate descent runs
        to its tolerance from there: a function of the rows, the same at
        ``fit`` and after an unlearning.
        """
        layout = spec.layout(X.shape[1])
        coef = None if theta is None else layout.unpack(theta)[0]
        if coef is None:
            coef = self._solve(stats, X, None, w, spec).coef
        scale = coordinate_scales(X, w, coef.shape[0], 0)
        coef0 = round_to_grid(coef.ravel(), scale).reshape(coef.shape)
        solution = self._solve(stats, X, None, w, spec, coef0=coef0)
        return layout.pack(solution.coef, solution.intercept), stats, solution.n_iter

    def _solve(self, gram, X, Y, sample_weight, spec, coef0=None):
        """:func:`~skunlearn._solvers.ridge_solve` of the spec's penalty on these rows.

        From the Gram statistics when kept (by coordinate descent with an L1
        term, with the options of :meth:`_cd_options`), else by conjugate
        gradients over the rows.
        """
        scale = 2.0 * spec.weight_scale
        options = self._cd_options() if spec.l1 else {}
        return ridge_solve(
            gram, X, Y, sample_weight, spec.l2 / scale, spec.fit_intercept,
            positive=spec.positive, l1=spec.l1 / scale, rcond=self._rcond(), coef0=coef0,
            **options,
        )  # fmt: skip

    def _model(self, total_weight, forgotten=None, remaining=None):
        spec = self._objective_spec(total_weight)
        theta = spec.layout(self.n_features_in_).pack(*self._packed_parameters())
        return RetainModel(spec, theta)

    def _refit(self, problem):
        weights = problem.retain_weight / problem.weight_scale
        gram = self._statistics(problem.X, problem.y, weights, problem.layout.fit_intercept)
        solution = self._solve(gram, problem.X, problem.y, weights, problem.spec)
        theta = problem.layout.pack(solution.coef, solution.intercept)
        sweeps = solution.n_iter if solution.method == "cd" else 1
        return SolverResult(theta, sweeps, solution.converged, empty_history())
