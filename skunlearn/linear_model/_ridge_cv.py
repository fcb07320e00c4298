"""Ridge regression with the penalty chosen by leave-one-out, that can unlearn rows exactly."""

from dataclasses import replace

import numpy as np
import sklearn.linear_model
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec
from .._solvers import ridge_loo_errors
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._export import sklearn_counterpart
from ._labels import RealTargets
from ._least_squares import LeastSquaresModel
from ._regressor_outputs import LinearRegressorOutputsMixin

__all__ = ["RidgeCV"]


def select_alpha(stats, X, Y, sample_weight, alphas, live):
    """scikit-learn's leave-one-out choice: ``(alpha, best score, squared errors)``.

    The score of a penalty is minus the mean over the ``live`` rows (and
    targets) of the squared leave-one-out errors (rescaled by the sample
    weights, as ``_RidgeGCV`` does); the first penalty with the highest
    score wins. The squared errors, ``(n_live, n_targets, n_alphas)``, are
    what ``cv_results_`` stores.
    """
    errors = ridge_loo_errors(stats, X[live], Y[live], sample_weight[live], alphas)
    squared = np.moveaxis(errors**2, 0, -1)
    scores = -squared.reshape(-1, len(alphas)).mean(axis=0)
    best = int(np.argmax(scores))
    return float(alphas[best]), float(scores[best]), squared


class RidgeCV(
    LeastSquaresModel, RealTargets, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    """Ridge regression with leave-one-out choice of ``alpha``, that can unlearn rows exactly.

    For each candidate ``alpha`` the leave-one-out errors come in closed
    form from the centred Gram statistics (scikit-learn's efficient
    leave-one-out, ``_RidgeGCV``, which :class:`sklearn.linear_model.RidgeCV`
    uses with ``cv=None``); the penalty with the lowest mean squared error
    (the first of ties) is kept and the model is the
    :class:`~skunlearn.Ridge` fit with it. :meth:`unlearn` downdates the
    statistics exactly, recomputes every candidate's leave-one-out errors on
    the remaining rows and re-selects ``alpha`` as a refit on them would (one
    pass over the remaining rows: each error depends on all of them), then
    solves exactly with the selected penalty.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties (positive).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    scoring : None, default=None
        Mean squared leave-one-out error. Other scorers raise ``ValueError``.
    cv : None, default=None
        Efficient leave-one-out. K-fold (an int or splitter) raises
        ``ValueError``: its folds shift when rows are removed.
    gcv_mode : {None, "auto", "svd", "eigen"}, default=None
        Accepted for compatibility: every mode gives these errors.
    store_cv_results : bool, default=False
        Keep the squared leave-one-out errors in ``cv_results_``.
    alpha_per_target : bool, default=False
        One penalty per target: raises ``ValueError`` when True.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (exact), ``"retrain"``,
        ``"descent_ascent"``, ``"gradient_ascent"``, ``"finetune"``, or an
        instance from :mod:`skunlearn.unlearners`. The penalty is re-selected
        before any of them runs.

    Attributes
    ----------
    alpha_ : float
        Selected penalty.
    best_score_ : float
        Its score (minus the mean squared leave-one-out error).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        Squared leave-one-out errors of the stored rows, in their stored order
        (``store_cv_results``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 without ``fit_intercept``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn`` (empty for exact downdating).

    See Also
    --------
    sklearn.linear_model.RidgeCV : The same model, without ``unlearn``.

    References
    ----------
    .. [1] R. Rifkin and R. Lippert, "Notes on Regularized Least Squares",
       MIT-CSAIL-TR-2007-025, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from skunlearn.linear_model import RidgeCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = RidgeCV(alphas=[1e-3, 1e-2, 1e-1, 1.0]).fit(X, y).unlearn(X[:40])
    >>> oracle = RidgeCV(alphas=[1e-3, 1e-2, 1e-1, 1.0]).fit(X[40:], y[40:])
    >>> model.alpha_ == oracle.alpha_, bool(np.allclose(model.coef_, oracle.coef_))
    (True, True)
    """

    _parameter_constraints = {
        "alphas": ["array-like"],
        "fit_intercept": ["boolean"],
        "scoring": [None, StrOptions({"neg_mean_squared_error"}), callable],
        "cv": [None, "cv_object"],
        "gcv_mode": [None, StrOptions({"auto", "svd", "eigen"})],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        alphas=(0.1, 1.0, 10.0),
        *,
        fit_intercept=True,
        scoring=None,
        cv=None,
        gcv_mode=None,
        store_cv_results=False,
        alpha_per_target=False,
        unlearner="newton",
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Choose ``alpha`` by leave-one-out, fit, and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each row.

        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), kept with the rows for ``unlearn(ids=...)``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            Non-positive ``alphas``, a scorer, ``cv``, ``alpha_per_target``,
            or more features than the Gram statistics' memory budget.
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        alphas = self._checked_alphas()
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True,
            accept_sparse="csr",
        )  # fmt: skip
        weights = validate_sample_weight(sample_weight, X.shape[0])
        targets = self._check_targets(y)
        self._spec = {
            "fit_intercept": self.fit_intercept,
            "alphas": alphas,
            "alpha": float(alphas[0]),  # until the selection
            "store": self.store_cv_results,
        }
        model = self._fit_least_squares(X, targets, weights, ids)
        stats = self._warm_state
        if stats is None:
            raise ValueError("RidgeCV needs the d x d Gram statistics: too many features.")
        live = np.ones(X.shape[0], dtype=bool)
        selected = self._selection(stats, self._rows.X, model, self._rows.sample_weight, live)
        rows = self._rows
        theta = self._finalize(rows.head(rows.n), selected.spec, None, stats)[0]
        self._set_model(selected, theta)
        return self

    def _checked_alphas(self):
        for name, value in [("scoring", self.scoring), ("cv", self.cv)]:
            if value is not None:
                raise ValueError(
                    f"{name}={value!r} is not supported by skunlearn's RidgeCV: only the "
                    "efficient leave-one-out with the mean squared error (None)."
                )
        if self.alpha_per_target:
            raise ValueError("alpha_per_target=True is not supported by skunlearn's RidgeCV.")
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=np.float64))
        if alphas.ndim != 1 or not np.all(alphas > 0):
            raise ValueError(f"alphas must be positive, got {self.alphas!r}.")
        return alphas

    def _objective_spec(self, total_weight, alpha=None):
        alpha = self._spec["alpha"] if alpha is None else alpha
        n_targets = 1 if self._rows.y.ndim == 1 else self._rows.y.shape[1]
        return ObjectiveSpec(
            get_loss("squared"), n_targets, self._spec["fit_intercept"], 1.0, 2.0 * alpha
        )

    def _selection(self, stats, X, model, sample_weight, live):
        """``model`` with the penalty selected on the ``live`` rows; context holds the choice."""
        Y = model.spec.kernel_targets(self._rows.y)
        alpha, score, squared = select_alpha(
            stats, X, Y, sample_weight, self._spec["alphas"], live
        )
        spec = replace(model.spec, l2=2.0 * alpha)
        return replace(model, spec=spec, context=(alpha, score, squared))

    def _select_model(self, problem, model):
        live = np.ones(problem.X.shape[0], dtype=bool)
        live[problem.forget_positions] = False
        weights = problem.retain_weight / problem.weight_scale
        stats = problem.warm_state
        if stats is None:  # a diagnostic's problem carries none: the remaining rows' own
            stats = self._statistics(problem.X, problem.y, weights, problem.layout.fit_intercept)
        model = self._selection(stats, problem.X, model, weights, live)
        return replace(problem, spec=model.spec), model

    def _packed_parameters(self):
        return self.coef_, self.intercept_

    def _set_model(self, model, theta):
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(np.asarray(theta))
        single = self._rows.y.ndim == 1
        self.coef_ = np.array(coef[0] if single else coef, copy=True)
        if not model.spec.fit_intercept:
            self.intercept_ = 0.0
        else:
            self.intercept_ = np.float64(intercept[0]) if single else np.array(intercept)
        if model.context is not None:
            self._commit_selection(*model.context)

    def _commit_selection(self, alpha, score, squared):
        self._spec["alpha"] = alpha
        self.alpha_, self.best_score_ = alpha, score
        if self._spec["store"]:
            self.cv_results_ = squared[:, 0, :] if self._rows.y.ndim == 1 else squared

    def _sklearn_export(self):
        """scikit-learn's ``RidgeCV`` with the selected penalty and its score."""
        attributes = ("alpha_", "best_score_", "cv_results_")
        return sklearn_counterpart(self, sklearn.linear_model, attributes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
