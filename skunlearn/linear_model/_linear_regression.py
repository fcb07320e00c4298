"""Ordinary least squares that can unlearn rows exactly."""

from numbers import Integral, Real

import numpy as np
import sklearn.linear_model
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._export import sklearn_counterpart
from ._labels import RealTargets
from ._least_squares import LeastSquaresModel
from ._regressor_outputs import LinearRegressorOutputsMixin

__all__ = ["LinearRegression"]


class LinearRegression(
    LeastSquaresModel, RealTargets, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    """Ordinary least squares that can unlearn rows exactly.

    Minimises ``sum_i s_i ||y_i - x_i W^T - b||^2``, the objective of
    :class:`sklearn.linear_model.LinearRegression`. ``fit`` keeps the centred
    Gram statistics of the rows and returns the minimum-norm solution
    (directions whose singular value is below ``tol`` times the largest are
    treated as zero, as scikit-learn's ``scipy.linalg.lstsq(cond=tol)``);
    :meth:`unlearn` with the default ``"newton"`` unlearner recomputes the
    statistics from the remaining rows (never downdated) and solves again
    (:func:`~skunlearn._solvers.ridge_solve`). The statistics square the condition
    number: singular values below about ``1e-8`` times the largest are not
    resolved (scikit-learn's ``lstsq`` on X resolves them to ``1e-16``); with
    the default ``tol`` the two agree. Sparse X is kept as CSR; above 1000
    columns (or the memory budget) fit and unlearning solve by conjugate
    gradients.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    copy_X : bool, default=True
        Accepted for compatibility: ``X`` is always copied (the rows are kept).
    tol : float, default=1e-6
        Relative cut-off on the singular values of the centred rows.
    n_jobs : int, default=None
        Accepted for compatibility.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (non-negative least
        squares on the Gram statistics, Lawson-Hanson on their Cholesky factor:
        the solve of :class:`~skunlearn.Ridge` with ``positive=True``, exact at
        ``fit`` and after every unlearning).
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (exact downdating), ``"retrain"``,
        ``"descent_ascent"``, ``"gradient_ascent"``, ``"finetune"``, or an
        instance from :mod:`skunlearn.unlearners`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 without ``fit_intercept``, as in scikit-learn).
    rank_ : int
        Rank of the centred, weighted rows (with the ``tol`` cut-off).
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Their singular values, largest first (from the Gram statistics).
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
    sklearn.linear_model.LinearRegression : The same model, without ``unlearn``.
    Ridge : With an L2 penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.linear_model import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=100)
    >>> model = LinearRegression().fit(X, y).unlearn(X[:10])
    >>> oracle = LinearRegression().fit(X[10:], y[10:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, rtol=1e-12))
    True
    """

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "positive": ["boolean"],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-6,
        n_jobs=None,
        positive=False,
        unlearner="newton",
    ):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
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
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True,
            accept_sparse="csr",
        )  # fmt: skip
        weights = validate_sample_weight(sample_weight, X.shape[0])
        self._spec = {"fit_intercept": self.fit_intercept, "tol": self.tol}
        self._spec["positive"] = self.positive
        targets = self._check_targets(y)
        model = self._fit_least_squares(X, targets, weights, ids)
        self._set_model(model, model.theta)
        return self

    # The minimum-norm solve of a rank-deficient system amplifies the rounding of the
    # statistics: the one-pass scatter keeps scikit-learn's lstsq to 1e-9 on collinear
    # columns, the merged buckets do not (2.5e-6 relative measured).
    _bucketed = False

    def _rcond(self):
        return self._spec["tol"]

    def _objective_spec(self, total_weight):
        n_targets = 1 if self._rows.y.ndim == 1 else self._rows.y.shape[1]
        spec = self._spec
        return ObjectiveSpec(
            get_loss("squared"), n_targets, spec["fit_intercept"], 1.0, 0.0,
            positive=spec["positive"],
        )  # fmt: skip

    def _packed_parameters(self):
        return self.coef_, self.intercept_

    def _set_model(self, model, theta):
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(theta)
        single = self._rows.y.ndim == 1
        self.coef_ = np.array(coef[0] if single else coef, copy=True)
        if not model.spec.fit_intercept:
            self.intercept_ = 0.0
        else:
            self.intercept_ = np.float64(intercept[0]) if single else np.array(intercept)

    @property
    def rank_(self):
        """Rank of the centred, weighted stored rows (``tol`` cut-off)."""
        return self._spectrum()[1]

    @property
    def singular_(self):
        """Singular values of the centred, weighted stored rows, largest first."""
        return self._spectrum()[0]

    def _spectrum(self):
        check_is_fitted(self)
        if self._warm_state is None:
            raise AttributeError("rank_ and singular_ need the Gram statistics (d too large).")
        singular, rank = self._warm_state.spectrum(self._spec["tol"])
        return singular[: min(self._rows.n, len(singular))], rank

    def _sklearn_export(self):
        """scikit-learn's ``LinearRegression`` with the rank and singular values."""
        model = sklearn_counterpart(self, sklearn.linear_model)
        if self._warm_state is not None:
            model.singular_, model.rank_ = self.singular_, self.rank_
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
