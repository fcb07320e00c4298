"""Ridge regression that can unlearn rows exactly."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from .._solvers import (
    GramStatistics,
    SolverResult,
    coordinate_scales,
    ridge_cg,
    ridge_statistics,
    round_to_grid,
)
from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._sample_ids import sample_ids
from ._base import RetainModel, UnlearnMixin, validate_sample_weight

__all__ = ["Ridge"]


class Ridge(UnlearnMixin, RegressorMixin, BaseEstimator):
    """Ridge regression (linear least squares with L2 penalty) that can unlearn rows.

    Minimises ``||y - X w - b||^2 + alpha * ||w||^2`` (weighted by
    ``sample_weight``), exactly the objective of
    :class:`sklearn.linear_model.Ridge`; the intercept is not penalised.
    ``fit`` keeps the training rows and their centred Gram statistics;
    :meth:`unlearn` with the default ``"newton"`` unlearner removes the rows
    and recomputes the statistics from the remaining ones with the code
    ``fit`` runs, in ``O(n d^2 + d^3)``: the model, the statistics and the
    rows then equal, bit for bit, those of a fit on the remaining rows in
    their order (no trace of the forgotten rows, no loss of accuracy when they
    dominated the sums).

    Sparse ``X`` is kept as CSR and never densified. The path is chosen
    automatically: the Gram statistics are kept while the dense ``d x d``
    matrix fits the memory budget of ``skunlearn._solvers.dense_hessian_fits``
    (256 MiB) and, for sparse X, while ``d <= 1000`` (computed from the sparse
    product ``X.T @ W X``). Otherwise nothing of size ``d x d`` is kept:
    ``fit`` solves the normal equations by Jacobi-preconditioned conjugate
    gradients (one fused pass over X per iteration, the intercept centred
    implicitly as scikit-learn does for sparse input) and ``unlearn`` runs
    the same solver on the remaining rows from the current weights, which is
    Newton-CG on the quadratic retain objective.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength (non-negative).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (exact: a solve of the recomputed
        Gram statistics), ``"retrain"``,
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
        Weights.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Of the last ``unlearn``. For an unlearner that lands on the oracle
        (``"newton"``, ``"retrain"``) only ``"objective"`` (retain objective
        in per-sample-mean units) and ``"grad_norm"`` (its gradient,
        max-norm, same units) at the committed weights, one entry each: a fit
        on the remaining rows has the same values. For the others, per
        iteration: ``"objective"``, ``"grad_norm"``, ``"step_length"``.

    See Also
    --------
    sklearn.linear_model.Ridge : The same model, without ``unlearn``.
    LogisticRegression : L2-penalised logistic regression that can unlearn.

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

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
        "convention": [StrOptions({"sklearn", "paper"})],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, unlearner="newton", convention="sklearn"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.unlearner = unlearner
        self.convention = convention

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is stored as CSR (CSC, COO and other
            formats are converted) and never densified.
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
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=np.float64,
            order="C",
            multi_output=True,
            y_numeric=True,
            accept_sparse="csr",
        )
        weights = validate_sample_weight(sample_weight, X.shape[0])
        targets = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
        self._spec = {
            "alpha": float(self.alpha),
            "convention": self.convention,
            "fit_intercept": bool(self.fit_intercept),
            "y_ndim": np.ndim(y),
        }
        self._rows = rows = training_rows(X, targets, weights, ids=ids)
        spec = self._objective_spec(float(np.sum(rows.sample_weight)))
        theta, self._warm_state, _ = self._finalize(rows.head(rows.n), spec, None, None)
        self._set_model(RetainModel(spec, theta), theta)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, accept_sparse="csr")
        return X @ self.coef_.T + self.intercept_

    def _objective_spec(self, total_weight):
        """``sum_i s_i (y_i - z_i)^2 + alpha ||coef||^2`` (or its mean form) as a spec."""
        spec = self._spec
        weight_scale, l2 = objective_scaling(
            spec["convention"], 1.0, 2.0 * spec["alpha"], total_weight
        )
        return ObjectiveSpec(
            get_loss("squared"), self._rows.y.shape[1], spec["fit_intercept"], weight_scale, l2
        )

    @staticmethod
    def _solve(gram, X, Y, sample_weight, spec, coef0=None):
        """Ridge solution: from the Gram statistics, or by CG over the rows when None."""
        alpha = spec.l2 / (2.0 * spec.weight_scale)
        if gram is not None:
            return gram.solve(alpha)
        return ridge_cg(X, Y, sample_weight, alpha, spec.fit_intercept, coef0=coef0)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The fitted state on ``rows``: Gram statistics and their solution, or canonical CG.

        With Gram statistics (recomputed from the rows, or the warm state that
        was just recomputed from them) the solution is a direct solve, a
        function of the rows alone. On the CG path the coefficients (from
        ``theta``, or a CG solve from zeros at ``fit``) are rounded to the
        grid of :func:`~skunlearn._solvers.round_to_grid` and CG runs again
        from there. ``value_grad`` is not used.
        """
        X, Y, w = rows
        gram = warm_state if isinstance(warm_state, GramStatistics) else None
        if gram is None:
            gram = ridge_statistics(X, Y, w, spec.fit_intercept)
        layout = spec.layout(X.shape[1])
        if gram is not None:
            return layout.pack(*gram.solve(spec.l2 / (2.0 * spec.weight_scale))), gram, None
        coef = self._solve(None, X, Y, w, spec)[0] if theta is None else layout.unpack(theta)[0]
        scale = coordinate_scales(X, w, coef.shape[0], 0)
        coef0 = round_to_grid(coef.ravel(), scale).reshape(coef.shape)
        return layout.pack(*self._solve(None, X, Y, w, spec, coef0=coef0)), None, None

    def _set_parameters(self, coef, intercept):
        if self._spec["y_ndim"] == 1:
            self.coef_, self.intercept_ = coef[0], float(intercept[0])
        else:
            self.coef_, self.intercept_ = coef, intercept
        if not self._spec["fit_intercept"]:
            self.intercept_ = 0.0 if self._spec["y_ndim"] == 1 else np.zeros_like(intercept)

    def _encode_targets(self, y, n_rows):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim not in (1, 2) or len(y) != n_rows:
            raise ValueError(f"y_forget has shape {y.shape}; expected {n_rows} rows.")
        y = y.reshape(n_rows, 1 if y.ndim == 1 else y.shape[1])
        if y.shape[1] != self._rows.y.shape[1]:
            raise ValueError(
                f"y_forget has {y.shape[1]} target(s); the model was fitted on "
                f"{self._rows.y.shape[1]}."
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("y_forget contains NaN or infinity.")
        return y

    # Regression targets are private data: no error message quotes one.
    _format_target = None

    def _model(self, total_weight, forgotten=None):
        spec = self._objective_spec(total_weight)
        theta = spec.layout(self.n_features_in_).pack(self.coef_, self.intercept_)
        return RetainModel(spec, theta)

    def _set_model(self, model, theta):
        self._set_parameters(*model.spec.layout(self.n_features_in_).unpack(theta))

    def _refit(self, problem):
        weights = problem.retain_weight / problem.weight_scale
        gram = ridge_statistics(problem.X, problem.y, weights, problem.layout.fit_intercept)
        solution = self._solve(gram, problem.X, problem.y, weights, problem.spec)
        return SolverResult(problem.layout.pack(*solution), 1, True, empty_history())

    def _sklearn_export(self):
        """scikit-learn's ``Ridge`` with the same hyperparameters (in its convention);
        ``to_sklearn`` copies the fitted parameters."""
        alpha = self._spec["alpha"]
        if self._spec["convention"] == "paper":  # mean of squares + alpha ||w||^2
            alpha = alpha * float(np.sum(self._rows.sample_weight))
        return SklearnRidge(alpha=alpha, fit_intercept=self._spec["fit_intercept"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
