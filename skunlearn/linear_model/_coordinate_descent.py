"""The elastic net and the Lasso, solved and unlearned by coordinate descent on Gram statistics."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import sklearn.linear_model
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec
from .._solvers import (
    BucketedGram,
    GramStatistics,
)
from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._base import RetainModel
from ._export import sklearn_counterpart
from ._labels import RealTargets
from ._least_squares import LeastSquaresModel
from ._regressor_outputs import LinearRegressorOutputsMixin

__all__ = ["ElasticNet", "Lasso"]

_PARAMETERS = """
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : bool or array-like, default=False
        Accepted for compatibility: the Gram statistics are always kept.
    max_iter : int, default=1000
        Maximum number of coordinate-descent sweeps.
    copy_X : bool, default=True
        Accepted for compatibility: ``X`` is always copied (the rows are kept).
    tol : float, default=1e-10
        Stop when every coordinate's optimality condition holds to ``tol``
        times the largest ``|X^T y|`` (centred, weighted). Tighter than
        scikit-learn's 1e-4 duality gap by design: unlearning lands on the
        optimum of the remaining rows, so the model must be that optimum.
    warm_start : bool, default=False
        Start ``fit`` from the current ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility.
    selection : {"cyclic", "random"}, default="cyclic"
        Accepted for compatibility: the sweeps are cyclic (the optimum is the same).
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (coordinate descent on the remaining
        rows' statistics from the current coefficients: lands on the oracle),
        ``"retrain"``, ``"descent_ascent"``, ``"gradient_ascent"``,
        ``"finetune"`` (these three take subgradient steps), or an instance
        from :mod:`skunlearn.unlearners`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a CSR matrix.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 without ``fit_intercept``).
    n_iter_ : int
        Coordinate-descent sweeps of the last ``fit`` (the most over targets).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the solution, in the objective's units.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        The objective and its optimality residual after the last ``unlearn``.
"""


def _dual_gap(stats, coef, yy, l1, l2, positive):
    """scikit-learn's elastic-net duality gap (``enet_coordinate_descent_gram``), per target.

    ``yy`` holds each target's centred, weighted sum of squares; ``l1`` and
    ``l2`` are in the statistics' units; the gap is divided by the total
    weight (the objective's units).
    """
    gaps = []
    for k, w in enumerate(np.atleast_2d(coef)):
        xy = stats.xy[:, k]
        correlation = xy - stats.xx @ w - l2 * w  # X^T R - l2 w
        residual_sq = yy[k] - 2.0 * w @ xy + w @ stats.xx @ w
        dual_norm = float(np.max(correlation if positive else np.abs(correlation), initial=0.0))
        const = l1 / dual_norm if dual_norm > l1 else 1.0
        gap = 0.5 * residual_sq * (1.0 + const**2) if dual_norm > l1 else residual_sq
        gap += l1 * np.abs(w).sum() - const * (yy[k] - w @ xy) + 0.5 * l2 * (1 + const**2) * w @ w
        gaps.append(gap / stats.weight)
    return np.asarray(gaps)


class ElasticNet(
    LeastSquaresModel, RealTargets, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    __doc__ = (
        """Linear regression with combined L1 and L2 priors, that can unlearn rows.

    Minimises ``(1 / (2 sum_i s_i)) sum_i s_i (y_i - x_i w - b)^2 + alpha rho
    ||w||_1 + (alpha (1 - rho) / 2) ||w||^2`` (``rho = l1_ratio``), the
    objective of :class:`sklearn.linear_model.ElasticNet` (one target at a
    time for several). ``fit`` keeps the centred Gram statistics and solves by
    coordinate descent on them (``O(d^2)`` a sweep); :meth:`unlearn` with the
    default ``"newton"`` unlearner recomputes them on the remaining rows and
    runs coordinate descent from the current coefficients, which converges
    in a few sweeps when few rows go (the support rarely changes). Both end
    with the same finalization (coefficients rounded to a grid, then
    coordinate descent to ``tol``), so they store the same bits. Where the
    optimum is not unique (collinear columns with ``l1_ratio = 1``) the
    objective and predictions are, the coefficients may differ from
    scikit-learn's.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (non-negative).
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in [0, 1].
"""
        + _PARAMETERS
        + """
    See Also
    --------
    sklearn.linear_model.ElasticNet : The same model, without ``unlearn``.
    Lasso : ``l1_ratio = 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from skunlearn.linear_model import ElasticNet
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = ElasticNet(alpha=0.01).fit(X, y).unlearn(X[:20])
    >>> oracle = ElasticNet(alpha=0.01).fit(X[20:], y[20:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, rtol=1e-9))
    True
    """
    )

    _oracle_tolerance = 1e-6  # coordinate descent: iterative, to its optimality tolerance

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute=False,
        max_iter=1000,
        copy_X=True,
        tol=1e-10,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        unlearner="newton",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

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
            When the ``d x d`` Gram statistics do not fit the memory budget.
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        previous = getattr(self, "coef_", None) if self.warm_start else None
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True,
            accept_sparse="csr",
        )  # fmt: skip
        weights = validate_sample_weight(sample_weight, X.shape[0])
        self._spec = {**self.get_params(deep=False), "l1_ratio": self._l1_ratio()}
        self._rows = rows = self._store(X, self._check_targets(y), weights, ids)
        spec = self._objective_spec(float(np.sum(rows.sample_weight)))
        start = None
        if previous is not None and np.size(previous) == X.shape[1] * spec.n_outputs:
            start = spec.layout(X.shape[1]).pack(previous, np.zeros(spec.n_outputs))
        theta, self._warm_state, self.n_iter_ = self._finalize_counting(rows, spec, start)
        self._set_model(RetainModel(spec, theta), theta)
        return self

    def _l1_ratio(self):
        return self.l1_ratio

    def _store(self, X, targets, weights, ids):
        rows = training_rows(X, targets, weights, ids=ids, chunked=False)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return rows

    def _objective_spec(self, total_weight):
        spec = self._spec
        n_targets = 1 if self._rows.y.ndim == 1 else self._rows.y.shape[1]
        alpha, ratio = spec["alpha"], spec["l1_ratio"]
        return ObjectiveSpec(
            get_loss("squared"), n_targets, spec["fit_intercept"], 0.5 / total_weight,
            alpha * (1.0 - ratio), l1=alpha * ratio, positive=spec["positive"],
        )  # fmt: skip

    def _finalize_counting(self, rows, spec, theta):
        """:meth:`_finalize`, and the sweeps of its last coordinate descent."""
        X, stored, w = rows.head(rows.n)
        stats = self._stored_statistics(X, spec.kernel_targets(stored), w, spec.fit_intercept)
        return self._coordinate_descent(stats, X, w, spec, theta)

    def _cd_options(self):
        return {"tol": self._spec["tol"], "max_iter": self._spec["max_iter"]}

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
        self.dual_gap_ = self._gap(model.spec, coef)
        if single:
            self.dual_gap_ = float(self.dual_gap_[0])

    def _gap(self, spec, coef):
        X, stored, w = self._rows.head(self._rows.n)
        Y = spec.kernel_targets(stored)
        warm = self._warm_state
        stats = warm if isinstance(warm, GramStatistics | BucketedGram) else None
        if stats is None:
            stats = GramStatistics.from_rows(X, Y, w, spec.fit_intercept)
        yy = w @ (Y - stats.y_mean) ** 2
        l1, l2 = spec.l1 / (2.0 * spec.weight_scale), spec.l2 / (2.0 * spec.weight_scale)
        return _dual_gap(stats, coef, yy, l1, l2, spec.positive)

    @property
    def sparse_coef_(self):
        """``coef_`` as a CSR matrix."""
        check_is_fitted(self)
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def _sklearn_export(self):
        """scikit-learn's class of the same name and hyperparameters."""
        return sklearn_counterpart(self, sklearn.linear_model, ("n_iter_", "dual_gap_"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags


class Lasso(ElasticNet):
    __doc__ = (
        """Linear regression with an L1 prior (the Lasso), that can unlearn rows.

    Minimises ``(1 / (2 sum_i s_i)) sum_i s_i (y_i - x_i w - b)^2 + alpha
    ||w||_1``, the objective of :class:`sklearn.linear_model.Lasso`: the
    :class:`ElasticNet` with ``l1_ratio = 1``, solved and unlearned by
    coordinate descent on the Gram statistics.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (non-negative).
"""
        + _PARAMETERS
        + """
    See Also
    --------
    sklearn.linear_model.Lasso : The same model, without ``unlearn``.
    ElasticNet : L1 and L2 priors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from skunlearn.linear_model import Lasso
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = Lasso(alpha=0.1).fit(X, y).unlearn(X[:20])
    >>> oracle = Lasso(alpha=0.1).fit(X[20:], y[20:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, rtol=1e-9, atol=1e-9))
    True
    """
    )

    _parameter_constraints = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute=False,
        copy_X=True,
        max_iter=1000,
        tol=1e-10,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        unlearner="newton",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.unlearner = unlearner

    def _l1_ratio(self):
        return 1.0
