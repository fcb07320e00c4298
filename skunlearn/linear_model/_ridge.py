"""Ridge regression that can unlearn rows exactly."""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from .._solvers import (
    BucketedGram,
    GramStatistics,
    SolverResult,
    coordinate_scales,
    ridge_solve,
    ridge_statistics,
    round_to_grid,
    uses_gram,
)
from ..exceptions import warn_at_caller
from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_training_data
from ._base import RetainModel, UnlearnMixin
from ._certified import certify_fit, model_spec
from ._export import ridge_export
from ._partial_fit import PartialFitMixin
from ._regressor_outputs import LinearRegressorOutputsMixin
from ._ridge_options import ITERATIVE, check_alpha, check_solver, rows_for_solver, solver_name

__all__ = ["Ridge"]


class Ridge(
    PartialFitMixin, UnlearnMixin, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    """Ridge regression (linear least squares with L2 penalty) that can unlearn rows.

    Minimises ``||y - X w - b||^2 + alpha * ||w||^2`` (weighted by
    ``sample_weight``), exactly the objective of
    :class:`sklearn.linear_model.Ridge`; the intercept is not penalised.
    ``fit`` keeps the training rows and their centred Gram statistics;
    :meth:`unlearn` with the default ``"newton"`` unlearner removes the rows
    and recomputes the statistics from the remaining ones with the code
    ``fit`` runs (for dense X, only the hash buckets that held forgotten rows,
    :class:`~skunlearn._solvers.BucketedGram`: ``O(k n d^2 / B + d^3)`` for
    ``k`` rows in ``B`` buckets): the model, the statistics and the rows then
    equal, bit for bit, those of a fit on the remaining rows in their order
    (no trace of the forgotten rows, no loss of accuracy when they dominated
    the sums). :meth:`partial_fit` appends rows the same way.

    Every solve, in ``fit`` and in ``unlearn``, takes the most accurate method
    that applies (:func:`skunlearn._solvers.ridge_solve`): Cholesky on the
    Gram statistics while they are well conditioned, else a rank-revealing
    SVD of the rows (minimum-norm, like scikit-learn's "svd" solver, when
    ``alpha`` is 0 or tiny and the problem is rank-deficient, e.g. more
    features than rows), and non-negative least squares for
    ``positive=True``. The Gram statistics are kept while the dense ``d x d``
    matrix fits the memory budget of ``skunlearn._solvers.dense_hessian_fits``
    (256 MiB) and, for sparse X, while ``d <= 1000`` (computed from the
    sparse product ``X.T @ W X``; X is never densified except for the
    rank-revealing fallback of a small problem). Otherwise ``fit`` solves the
    normal equations by Jacobi-preconditioned conjugate gradients (the
    intercept centred implicitly, as scikit-learn does for sparse input) and
    ``unlearn`` runs the same solver from the current weights; on that path
    both end with the canonical finalisation (conjugate gradients from the
    solution rounded to a grid, :mod:`skunlearn._solvers._canonical`). The
    iterative solver names ("sparse_cg", "lsqr", "sag", "saga") run conjugate
    gradients with ``tol`` and ``max_iter`` (``n_iter_``, and a
    ConvergenceWarning when capped, as scikit-learn); once they converge the
    stored solution is that of the direct solve (or the canonical one), so
    that an exact ``unlearn`` and a fit on the remaining rows store the same
    bits.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Ridge strength (non-negative), per target when an array.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    copy_X : bool, default=True
        Accepted for compatibility: the rows are always copied (``unlearn``
        needs them).
    max_iter : int, default=None
        Iteration cap of the iterative solvers ("sparse_cg", "lsqr", "sag",
        "saga"); None: ``max(1000, 2 n_features)``. A capped fit keeps the
        capped solution (ConvergenceWarning).
    tol : float, default=1e-4
        Relative residual at which the iterative solvers stop. The direct
        solvers (the default) are exact to rounding.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", \
"lbfgs"}, default="auto"
        "auto" and "cholesky": Cholesky with the rank-revealing fallback (CG
        without Gram statistics); "svd": the rank-revealing solve;
        "sparse_cg", "lsqr", "sag", "saga" (the same optimum in
        scikit-learn): conjugate gradients on the rows, with ``tol`` and
        ``max_iter``; "lbfgs" (only with ``positive=True``, as in
        scikit-learn): the non-negative solve. The combinations scikit-learn
        refuses raise as there.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (solver "auto" or
        "lbfgs"); fit and unlearn solve the constrained problem exactly.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; every solver here is deterministic.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (exact: a solve of the Gram
        statistics recomputed from the remaining rows), ``"retrain"``,
        ``"descent_ascent"``, ``"gradient_ascent"``, ``"finetune"``, or an
        instance from :mod:`skunlearn.unlearners`.
    convention : {"sklearn", "paper"}, default="sklearn"
        ``"sklearn"`` minimises the sum of squares plus ``alpha ||w||^2``;
        ``"paper"`` minimises the weighted *mean* of squares plus
        ``alpha ||w||^2``, the fixed-lambda convention of [1]_ (there
        ``lambda = 2 alpha``), which does not change strength as rows are
        removed.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights, of the dtype of ``X`` (float32 stays float32).
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept: a numpy scalar for 1-D ``y``, an array for 2-D ``y``, the
        float 0.0 when ``fit_intercept=False`` (scikit-learn's types).
    n_iter_ : ndarray of shape (n_targets,) or None
        Iterations of the iterative solvers "lsqr", "sag" and "saga"; None
        for the others (as scikit-learn); 0 after ``unlearn`` and
        ``partial_fit`` (the last count depended on the forgotten rows).
    solver_ : str
        The solver used: ``solver``, or for "auto" "cholesky" (dense),
        "sparse_cg" (without Gram statistics or sparse input) or "lbfgs"
        (``positive=True``); "svd" when the rank-revealing fallback ran.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Of the last ``unlearn``. For an unlearner that lands on the oracle
        (``"newton"``, ``"retrain"``) only ``"objective"`` (retain objective
        in per-sample-mean units) and ``"grad_norm"`` (its gradient, or with
        ``positive=True`` its projection, max-norm, same units) at the
        committed weights, one entry each: a fit on the remaining rows has
        the same values. For the others, per iteration: ``"objective"``,
        ``"grad_norm"``, ``"step_length"``.

    See Also
    --------
    sklearn.linear_model.Ridge : The same model, without ``unlearn``.
    LogisticRegression : Penalised logistic regression that can unlearn.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=100)
    >>> model = Ridge(alpha=0.5).fit(X, y)
    >>> model.unlearn(X[:10]).n_forgotten_
    10
    >>> oracle = Ridge(alpha=0.5).fit(X[10:], y[10:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, rtol=1e-12))
    True
    """

    _oracle_tolerance = 1e-10  # a quadratic objective: one exact solve

    _predict_dtype = (np.float64, np.float32)  # float32 X and coef_ stay float32
    _certifiable = True  # fit draws a certified unlearner's noise (certify_fit)

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [
            StrOptions({"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"})
        ],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
        "convention": [StrOptions({"sklearn", "paper"})],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        solver="auto",
        positive=False,
        random_state=None,
        unlearner="newton",
        convention="sklearn",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.unlearner = unlearner
        self.convention = convention

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. float32 is kept as the dtype of ``coef_``; sparse
            input is stored as CSR (other formats are converted). A dask array
            (or a memory-mapped array) is never gathered: its rows stay on the
            workers of the active ``distributed.Client`` (or go to files), see
            :mod:`skunlearn.utils._chunked_input`, and are solved from their
            Gram statistics; the iterative solvers read a memory-mapped array
            into memory and refuse a dask array.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each row.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), kept with the rows for ``unlearn(ids=...)``.

        Returns
        -------
        self : Ridge
            The fitted estimator.

        Raises
        ------
        ValueError
            A solver/``positive``/input combination scikit-learn refuses, an
            ``alpha`` array whose length is not the number of targets, or a
            dask array with a solver that needs the rows in memory.
        TypeError
            ``solver="svd"`` with sparse input.
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        X, y, weights = validate_training_data(
            self,
            X,
            y,
            sample_weight,
            dtype=(np.float64, np.float32),
            order="C",
            multi_output=True,
            y_numeric=True,
            accept_sparse="csr",
        )
        solver = check_solver(self.solver, self.positive, self.fit_intercept, X)
        X = rows_for_solver(X, solver)
        targets = y.astype(np.float64, copy=False).reshape(X.shape[0], -1)
        self._spec = {
            # The hyperparameters of this fit (the oracle's, whatever is set later).
            **copy.deepcopy(self.get_params(deep=False)),
            "alpha": check_alpha(self.alpha, targets.shape[1]),
            "fit_intercept": bool(self.fit_intercept),
            "positive": bool(self.positive),
            "y_ndim": np.ndim(y),
            "dtype": X.dtype,
        }
        del self._spec["unlearner"]
        self._rows = rows = training_rows(X, targets, weights, ids=ids)
        spec = self._objective_spec(float(np.sum(rows.sample_weight)))
        theta, n_iter, converged = None, None, True
        if solver in ITERATIVE:
            theta, n_iter, converged = self._iterative_solution(solver, rows, spec)
        if converged:
            theta, self._warm_state, _, fitted = self._finalize(rows.head(rows.n), spec, theta)
        else:  # a capped solve is kept where it stopped
            self._warm_state = self._statistics(rows.head(rows.n), rows, spec.fit_intercept)
            fitted = {"solver_": solver}
        vars(self).update(fitted)
        self._set_model(RetainModel(spec, theta), theta)
        self.n_iter_ = n_iter if self.solver_ in ("lsqr", "sag", "saga") else None
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        certify_fit(self)
        return self

    def _iterative_solution(self, solver, rows, spec):
        """Conjugate gradients with ``tol`` and ``max_iter``: ``(theta, n_iter, converged)``.

        Warns (at the caller of ``fit``) when capped short of ``tol``.
        """
        X, Y, w = rows.head(rows.n)
        solution = self._solve(
            None, X, Y, w, spec, "iterative", tol=self.tol, max_iter=self.max_iter
        )
        if not solution.converged:
            warn_at_caller(
                f"The {solver} solver did not converge: tol={self.tol} not reached in "
                f"{solution.n_iter.max()} iterations; increase max_iter or tol.",
                ConvergenceWarning,
                depth=1,
            )
        theta = spec.layout(X.shape[1]).pack(solution.coef, solution.intercept)
        return theta, solution.n_iter, solution.converged

    def _objective_spec(self, total_weight):
        """``sum_i s_i (y_i - z_i)^2 + alpha ||coef||^2`` (or its mean form) as a spec."""
        spec = self._spec
        weight_scale, l2 = objective_scaling(
            spec["convention"], 1.0, 2.0 * np.asarray(spec["alpha"]), total_weight
        )
        return ObjectiveSpec(
            get_loss("squared"),
            self._rows.y.shape[1],
            spec["fit_intercept"],
            weight_scale,
            l2,
            positive=spec["positive"],
        )

    @staticmethod
    def _solve(gram, X, Y, sample_weight, spec, method="auto", **options):
        """:func:`~skunlearn._solvers.ridge_solve` for an objective spec (``options``:
        ``coef0``, ``tol``, ``max_iter`` of conjugate gradients)."""
        alpha = spec.l2 / (2.0 * spec.weight_scale)
        return ridge_solve(
            gram,
            X,
            Y,
            sample_weight,
            alpha,
            spec.fit_intercept,
            method=method,
            positive=spec.positive,
            **options,
        )

    @staticmethod
    def _statistics(rows, store, centered):
        """Gram statistics of ``rows`` (per hash bucket for dense rows in memory; chunked
        rows reduce their own), or None (CG path)."""
        X = rows[0]
        bucketed = isinstance(X, np.ndarray) and uses_gram(X)
        return ridge_statistics(*rows, centered, store.hashes[: X.shape[0]] if bucketed else None)

    def _downdated_warm_state(self, model, tail, remaining):
        """The bucketed statistics of the remaining rows: the buckets that lost rows recomputed."""
        warm = self._warm_state
        if not isinstance(warm, BucketedGram):
            return super()._downdated_warm_state(model, tail, remaining)
        return warm.updated(*remaining, self._rows.hashes[: remaining[0].shape[0]])

    def _grown_warm_state(self, model, n_before, rows):
        """The bucketed statistics once rows are appended: the buckets that gained rows
        recomputed."""
        warm = self._warm_state
        if not isinstance(warm, BucketedGram):
            return super()._grown_warm_state(model, n_before, rows)
        return warm.updated(*rows, self._rows.hashes[: rows[0].shape[0]])

    def _in_feature_space(self, features):
        """The shadow of :meth:`UnlearnMixin._in_feature_space`; its rows are new, so the
        bucket tree is rebuilt from them at the unlearning."""
        shadow = super()._in_feature_space(features)
        if isinstance(shadow._warm_state, BucketedGram):
            shadow._warm_state = shadow._warm_state.without_tree()
        return shadow

    def _set_parameters(self, coef, intercept):
        dtype = self._spec["dtype"]
        coef = np.asarray(coef, dtype=dtype)
        intercept = np.asarray(intercept, dtype=dtype)
        self.coef_ = coef[0] if coef.shape[0] == 1 else coef
        self.intercept_ = intercept[0] if self._spec["y_ndim"] == 1 else intercept
        if not self._spec["fit_intercept"]:
            self.intercept_ = 0.0

    def _encode_targets(self, y, n_rows, what="y_forget"):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim not in (1, 2) or len(y) != n_rows:
            raise ValueError(f"{what} has shape {y.shape}; expected {n_rows} rows.")
        y = y.reshape(n_rows, 1 if y.ndim == 1 else y.shape[1])
        if y.shape[1] != self._rows.y.shape[1]:
            raise ValueError(
                f"{what} has {y.shape[1]} target(s); the model was fitted on "
                f"{self._rows.y.shape[1]}."
            )
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{what} contains NaN or infinity.")
        return y

    def _encode_new_targets(self, y, n_rows):
        return self._encode_targets(y, n_rows, "y")

    # Regression targets are private data: no error message quotes one.
    _format_target = None

    def _model(self, total_weight, forgotten=None, remaining=None):
        spec = self._objective_spec(total_weight)
        n_targets = self._rows.y.shape[1]
        intercept = np.broadcast_to(np.asarray(self.intercept_, dtype=np.float64), (n_targets,))
        theta = spec.layout(self.n_features_in_).pack(self.coef_, intercept)
        return RetainModel(spec, theta)

    def _set_model(self, model, theta):
        """Commit new parameters: ``n_iter_`` of the iterative solvers becomes 0 (the last
        count depended on the rows of that solve, forgotten ones included)."""
        self._set_parameters(*model.spec.layout(self.n_features_in_).unpack(theta))
        if getattr(self, "n_iter_", None) is not None:
            self.n_iter_ = np.zeros_like(self.n_iter_)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The fitted state on ``rows``: a direct solve of their Gram statistics, or canonical CG.

        With Gram statistics (recomputed from the rows, or the warm state just
        recomputed from them) the solution is the direct solve of
        :func:`~skunlearn._solvers.ridge_solve` (Cholesky with its
        rank-revealing fallback; the SVD for ``solver="svd"``; non-negative
        least squares for ``positive=True``): a function of the rows alone.
        Without them, conjugate gradients polish ``theta`` (or solve from zeros
        at ``fit``), the coefficients are rounded to the grid of
        :func:`~skunlearn._solvers.round_to_grid`, and conjugate gradients run
        again from there. ``value_grad`` is not used. Returns ``(theta, Gram
        statistics or None, the objective's value and gradient at theta from
        the statistics (no pass over the rows) or None, {"solver_": ...})``.
        """
        X, Y, w = rows
        gram = warm_state if isinstance(warm_state, GramStatistics | BucketedGram) else None
        if gram is None:
            gram = self._statistics(rows, self._rows, spec.fit_intercept)
        layout = spec.layout(X.shape[1])
        direct = "svd" if self._spec["solver"] == "svd" else "auto"
        if gram is not None or direct == "svd" or spec.positive:
            solution = self._solve(gram, X, Y, w, spec, direct)
        else:
            start = None if theta is None else layout.unpack(theta)[0]
            coef = self._solve(None, X, Y, w, spec, "iterative", coef0=start).coef
            scale = coordinate_scales(X, w, coef.shape[0], 0)
            coef0 = round_to_grid(coef.ravel(), scale).reshape(coef.shape)
            solution = self._solve(None, X, Y, w, spec, "iterative", coef0=coef0)
        theta = layout.pack(solution.coef, solution.intercept)
        value_grad = None if gram is None else spec.gram_value_grad(gram, theta)
        solver = solver_name(self._spec["solver"], self._spec["positive"], solution.method)
        return theta, gram, value_grad, {"solver_": solver}

    def _refit(self, problem):
        weights = problem.retain_weight / problem.weight_scale
        gram = ridge_statistics(problem.X, problem.y, weights, problem.layout.fit_intercept)
        solution = self._solve(gram, problem.X, problem.y, weights, problem.spec)
        return SolverResult(
            problem.layout.pack(solution.coef, solution.intercept), 1, True, empty_history()
        )

    def _sklearn_export(self):
        """scikit-learn's ``Ridge`` with the same hyperparameters (in its convention);
        ``to_sklearn`` copies the fitted parameters."""
        return ridge_export(self, model_spec(self))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = self.solver != "svd"
        return tags
