"""Generalized linear models (Poisson, Gamma, Tweedie regression) that can unlearn rows."""

from numbers import Integral, Real

import numpy as np
import sklearn.linear_model
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import d2_tweedie_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._losses import tweedie_loss
from .._objective import ObjectiveSpec
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._export import sklearn_counterpart
from ._iterative import IterativeLinearModel
from ._labels import RealTargets
from ._regressor_outputs import LinearRegressorOutputsMixin

__all__ = ["GammaRegressor", "PoissonRegressor", "TweedieRegressor"]

_CONSTRAINTS = {
    "alpha": [Interval(Real, 0.0, None, closed="left")],
    "fit_intercept": ["boolean"],
    "solver": [StrOptions({"lbfgs", "newton-cholesky"})],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0.0, None, closed="neither")],
    "warm_start": ["boolean"],
    "verbose": ["verbose"],
    "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
}

_DOC_HEADER = """
    Parameters
    ----------
"""
_DOC_ALPHA = """    alpha : float, default=1.0
        L2 strength, the ``alpha`` of the objective above (non-negative).
"""
_DOC_PARAMETERS = """    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    solver : {"lbfgs", "newton-cholesky"}, default="lbfgs"
        "lbfgs": L-BFGS-B polished by Newton-CG; "newton-cholesky": damped
        Newton with a Cholesky factor, which also keeps the Hessian for the
        first unlearning step. Both reach the same optimum to ``tol``.
    max_iter : int, default=100
        Maximum number of Newton iterations (L-BFGS gets 50 times as many).
    tol : float, default=1e-10
        Stop when the objective's gradient is below ``tol`` in max-norm.
        Tighter than scikit-learn's 1e-4 by design: unlearning lands on the
        optimum of the remaining rows, so the model must be that optimum.
    warm_start : bool, default=False
        Start ``fit`` from the current ``coef_`` and ``intercept_``.
    verbose : int, default=0
        Accepted for compatibility; nothing is printed.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (lands on the oracle),
        ``"retrain"``, ``"descent_ascent"``, ``"gradient_ascent"``,
        ``"finetune"``, or an instance from :mod:`skunlearn.unlearners`.
"""

_DOC_ATTRIBUTES = """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients of the linear predictor.
    intercept_ : float
        Intercept of the linear predictor (0.0 without ``fit_intercept``).
    n_iter_ : int
        Solver iterations of the last ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn``: ``"objective"``,
        ``"grad_norm"``, ``"step_length"``.
"""


class _GeneralizedLinearRegressor(
    IterativeLinearModel, RealTargets, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    """Regression by a penalised GLM: ``mean_s(half deviance) + (alpha / 2) ||coef||^2``.

    The objective of scikit-learn's ``_GeneralizedLinearRegressor``:
    ``sum_i s_i l_i / sum_i s_i + (alpha / 2) ||coef||^2`` with ``l_i`` the
    half deviance of the loss (:func:`skunlearn._losses.tweedie_loss`). It is
    a mean over rows, so removing rows does not change the penalty's
    strength relative to the data (no ``convention`` parameter).
    """

    _parameter_constraints = dict(_CONSTRAINTS)

    def __init__(
        self,
        *,
        alpha=1.0,
        fit_intercept=True,
        solver="lbfgs",
        max_iter=100,
        tol=1e-10,
        warm_start=False,
        verbose=0,
        unlearner="newton",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (sparse input is kept as CSR, never densified).
        y : array-like of shape (n_samples,)
            Targets, in the valid range of the loss.
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
            Targets outside the valid range of the loss.
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        previous = getattr(self, "coef_", None) if self.warm_start else None
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", accept_sparse="csr", y_numeric=True
        )
        self._freeze_spec(loss=self._loss())
        y = self._check_targets(y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        theta0 = None
        if previous is not None and previous.shape == (X.shape[1],):
            theta0 = np.r_[previous, [self.intercept_] if self.fit_intercept else []]
        model = self._fit_rows(X, y, weights, theta0, ids)
        self._set_model(model, model.theta)
        return self

    def _loss(self):
        raise NotImplementedError

    def _target_range(self):
        power = self._spec["loss"].params[0]
        if power <= 0:
            return None
        return (0.0, power < 2)

    def _objective_spec(self, total_weight):
        settings = self._spec
        return ObjectiveSpec(
            settings["loss"], 1, settings["fit_intercept"], 1.0 / total_weight, settings["alpha"]
        )

    def _start(self, objective):
        """scikit-learn's starting point: zero coefficients, the link of the mean target."""
        theta = np.zeros(objective.n_params)
        if objective.fit_intercept:
            mean = np.average(objective.y[:, 0], weights=objective.weights)
            log = objective.spec.kernel_name == "tweedie"
            start = np.log(mean) if log and mean > 0 else mean
            theta[-1] = start if np.isfinite(start) else 0.0
        return theta

    def _packed_parameters(self):
        return self.coef_, self.intercept_, None

    def _set_model(self, model, theta):
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(theta)
        self.coef_ = np.array(coef[0], copy=True)
        self.intercept_ = np.float64(intercept[0]) if model.spec.fit_intercept else 0.0

    def predict(self, X):
        """Predicted mean ``h(X @ coef_ + intercept_)``, ``h`` the inverse link.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        raw = self._linear_predictor(X)
        return np.exp(raw) if self._spec["loss"].kernel_name == "tweedie" else raw

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of the deviance explained (scikit-learn's GLM score).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``1 - D(y, y_pred) / D(y, mean(y))`` with ``D`` the Tweedie deviance.
        """
        y_pred = self.predict(X)
        y = self._check_targets(y)
        power = self._spec["loss"].params[0]
        return float(d2_tweedie_score(y, y_pred, sample_weight=sample_weight, power=power))

    def _sklearn_export(self):
        """scikit-learn's GLM of the same name and hyperparameters (and its loss)."""
        model = sklearn_counterpart(self, sklearn.linear_model, ("n_iter_",))
        model._base_loss = model._get_loss()
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = self._loss().params[0] > 0
        return tags


class PoissonRegressor(_GeneralizedLinearRegressor):
    __doc__ = (
        """Poisson regression (log link, L2 penalty) that can unlearn rows.

    Minimises ``sum_i s_i l_i / sum_i s_i + (alpha / 2) ||coef||^2`` with
    ``l_i = exp(z_i) - y_i z_i`` the half Poisson deviance (constants dropped)
    of the linear predictor ``z_i = x_i @ coef + intercept``: the objective of
    :class:`sklearn.linear_model.PoissonRegressor`. ``fit`` keeps the
    training rows so that :meth:`unlearn` moves the model to the one fitted
    without the forgotten rows (Newton removal with the deviance Hessian).
"""
        + _DOC_HEADER
        + _DOC_ALPHA
        + _DOC_PARAMETERS
        + _DOC_ATTRIBUTES
        + """
    See Also
    --------
    sklearn.linear_model.PoissonRegressor : The same model, without ``unlearn``.
    GammaRegressor, TweedieRegressor : The other deviances.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.linear_model import PoissonRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1]))
    >>> model = PoissonRegressor(alpha=0.1).fit(X, y).unlearn(X[:10])
    >>> oracle = PoissonRegressor(alpha=0.1).fit(X[10:], y[10:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, atol=1e-10))
    True
    """
    )

    def _loss(self):
        return tweedie_loss(1.0)


class GammaRegressor(_GeneralizedLinearRegressor):
    __doc__ = (
        """Gamma regression (log link, L2 penalty) that can unlearn rows.

    Minimises ``sum_i s_i l_i / sum_i s_i + (alpha / 2) ||coef||^2`` with
    ``l_i = z_i + y_i exp(-z_i)`` the half Gamma deviance (constants dropped):
    the objective of :class:`sklearn.linear_model.GammaRegressor`. Targets
    must be positive.
"""
        + _DOC_HEADER
        + _DOC_ALPHA
        + _DOC_PARAMETERS
        + _DOC_ATTRIBUTES
        + """
    See Also
    --------
    sklearn.linear_model.GammaRegressor : The same model, without ``unlearn``.
    PoissonRegressor, TweedieRegressor : The other deviances.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.linear_model import GammaRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = rng.gamma(2.0, np.exp(X @ [0.3, -0.2, 0.1]) / 2.0)
    >>> model = GammaRegressor(alpha=0.1).fit(X, y).unlearn(X[:10])
    >>> oracle = GammaRegressor(alpha=0.1).fit(X[10:], y[10:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, atol=1e-10))
    True
    """
    )

    def _loss(self):
        return tweedie_loss(2.0)


class TweedieRegressor(_GeneralizedLinearRegressor):
    __doc__ = (
        """Tweedie regression (log or identity link, L2 penalty) that can unlearn rows.

    Minimises ``sum_i s_i l_i / sum_i s_i + (alpha / 2) ||coef||^2`` with
    ``l_i`` scikit-learn's half Tweedie deviance of power ``power``: the
    objective of :class:`sklearn.linear_model.TweedieRegressor`. With the
    log link and ``1 <= power <= 2`` (Poisson to Gamma, compound
    Poisson-Gamma between) the objective is convex; other powers and the
    identity link with ``power > 0`` can be non-convex, and unlearning then
    lands on the stationary point nearest the current model (the refit's
    when both start from the same basin). The identity link with ``power >
    0`` needs positive predictions on every row.
"""
        + _DOC_HEADER
        + """    power : float, default=0.0
        Tweedie power: 0 normal, 1 Poisson, (1, 2) compound Poisson-Gamma,
        2 Gamma, 3 inverse Gaussian.
"""
        + _DOC_ALPHA
        + """    link : {"auto", "identity", "log"}, default="auto"
        "auto": identity for ``power <= 0``, log otherwise.
"""
        + _DOC_PARAMETERS
        + _DOC_ATTRIBUTES
        + """
    See Also
    --------
    sklearn.linear_model.TweedieRegressor : The same model, without ``unlearn``.
    PoissonRegressor, GammaRegressor : The named cases.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.linear_model import TweedieRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = rng.gamma(2.0, np.exp(X @ [0.3, -0.2, 0.1]) / 2.0)
    >>> model = TweedieRegressor(power=1.5, alpha=0.1).fit(X, y).unlearn(X[:10])
    >>> oracle = TweedieRegressor(power=1.5, alpha=0.1).fit(X[10:], y[10:])
    >>> bool(np.allclose(model.coef_, oracle.coef_, atol=1e-10))
    True
    """
    )

    _parameter_constraints = {
        **_CONSTRAINTS,
        "power": [Interval(Real, None, None, closed="neither")],
        "link": [StrOptions({"auto", "identity", "log"})],
    }

    def __init__(
        self,
        *,
        power=0.0,
        alpha=1.0,
        fit_intercept=True,
        link="auto",
        solver="lbfgs",
        max_iter=100,
        tol=1e-10,
        warm_start=False,
        verbose=0,
        unlearner="newton",
    ):
        super().__init__(
            alpha=alpha,
            fit_intercept=fit_intercept,
            solver=solver,
            max_iter=max_iter,
            tol=tol,
            warm_start=warm_start,
            verbose=verbose,
            unlearner=unlearner,
        )
        self.power = power
        self.link = link

    def _loss(self):
        link = self.link
        if link == "auto":
            link = "identity" if self.power <= 0 else "log"
        return tweedie_loss(self.power, link)
