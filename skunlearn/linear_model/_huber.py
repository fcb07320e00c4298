"""Huber regression, with its scale estimated jointly, that can unlearn rows."""

from numbers import Integral, Real

import numpy as np
import scipy.optimize
import sklearn.linear_model
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._losses import huber_loss
from .._objective import ObjectiveSpec, objective_scaling
from .._solvers import History, SolverResult, scaled_gradient_norm
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._export import paper_scaled, sklearn_counterpart
from ._iterative import IterativeLinearModel
from ._labels import RealTargets
from ._regressor_outputs import LinearRegressorOutputsMixin

__all__ = ["HuberRegressor"]

_SCALE_FLOOR = 10 * np.finfo(np.float64).eps


def _bounded_lbfgs(objective, theta0, settings):
    """L-BFGS-B with the scale kept at or above ``10 eps`` (scikit-learn's bound)."""
    total = max(objective.total_weight, 1e-300)
    theta0 = np.array(theta0, dtype=np.float64)
    theta0[-1] = max(theta0[-1], _SCALE_FLOOR)
    bounds = [(None, None)] * (len(theta0) - 1) + [(_SCALE_FLOOR, None)]
    history = History()

    def fun(theta):
        value, grad = objective.value_grad(theta)
        return value / total, grad / total

    opt = scipy.optimize.minimize(
        fun, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 50 * settings["max_iter"], "gtol": settings["tol"], "ftol": 0.0},
    )  # fmt: skip
    value, grad = objective.value_grad(opt.x)
    at_bound = opt.x[-1] <= _SCALE_FLOOR and grad[-1] > 0
    projected = np.where(np.arange(len(grad)) == len(grad) - 1, 0.0 if at_bound else grad, grad)
    history.record(value, scaled_gradient_norm(objective, projected), 0.0)
    converged = scaled_gradient_norm(objective, projected) <= settings["tol"]
    return SolverResult(opt.x, int(opt.nit), converged, history.arrays(), None, value, grad)


class HuberRegressor(
    IterativeLinearModel, RealTargets, LinearRegressorOutputsMixin, RegressorMixin, BaseEstimator
):
    """L2-regularised linear regression robust to outliers, that can unlearn rows.

    Minimises, jointly over the coefficients ``w``, the intercept ``c`` and
    the scale ``sigma > 0``::

        sum_i s_i (sigma + sigma H(r_i / sigma)) + alpha ||w||^2,   r_i = y_i - x_i w - c

    with ``H(u) = u^2`` for ``|u| <= epsilon`` and ``2 epsilon |u| -
    epsilon^2`` beyond: the objective of
    :class:`sklearn.linear_model.HuberRegressor` (Owen 2006). It is jointly
    convex in ``(w, c, sigma)`` but only once differentiable. skunlearn
    keeps ``sigma`` as the last entry of the parameter vector
    (:mod:`skunlearn._parameters`) and minimises by Newton's method with the
    generalized Hessian (that of the active quadratic pieces, rows with
    ``|r_i| <= epsilon sigma``), with a line search that keeps ``sigma``
    positive; :meth:`unlearn` runs the same steps on the remaining rows from
    the current ``(w, c, sigma)``. Where the set of inliers settles, the
    steps converge like Newton's; no certified bound applies (the loss is
    not twice differentiable).

    Parameters
    ----------
    epsilon : float, default=1.35
        Threshold between the quadratic and the linear part, at least 1.
    max_iter : int, default=100
        Maximum number of Newton iterations.
    alpha : float, default=0.0001
        Strength of the penalty ``alpha ||w||^2`` (non-negative).
    warm_start : bool, default=False
        Start ``fit`` from the current ``coef_``, ``intercept_`` and ``scale_``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    tol : float, default=1e-10
        Stop when the objective's gradient, divided by the total sample
        weight, is below ``tol`` in max-norm. Tighter than scikit-learn's
        1e-5 by design: unlearning lands on the optimum of the remaining rows.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (lands on the oracle),
        ``"retrain"``, ``"descent_ascent"``, ``"gradient_ascent"``,
        ``"finetune"``, or an instance from :mod:`skunlearn.unlearners`.
    convention : {"sklearn", "paper"}, default="sklearn"
        "sklearn" sums the loss over rows; "paper" takes its weighted mean
        with the same ``alpha ||w||^2``, so that removing rows does not
        strengthen the penalty relative to the data ([1]_).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients.
    intercept_ : float
        Intercept (0.0 without ``fit_intercept``).
    scale_ : float
        The scale ``sigma`` by which residuals are divided.
    outliers_ : ndarray of shape (n_samples,)
        Whether each stored row is an outlier, ``|r_i| > epsilon sigma``
        (after ``unlearn``: each remaining row, in the stored order).
    n_iter_ : int
        Newton iterations of the last ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn``: ``"objective"``,
        ``"grad_norm"``, ``"step_length"``.

    See Also
    --------
    sklearn.linear_model.HuberRegressor : The same model, without ``unlearn``.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.linear_model import HuberRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = X @ [2.0, -1.0] + rng.standard_t(2, size=200)
    >>> model = HuberRegressor().fit(X, y).unlearn(X[:10])
    >>> oracle = HuberRegressor().fit(X[10:], y[10:])
    >>> bool(np.allclose([*model.coef_, model.scale_], [*oracle.coef_, oracle.scale_]))
    True
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 1.0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
        "convention": [StrOptions({"sklearn", "paper"})],
    }

    def __init__(
        self,
        *,
        epsilon=1.35,
        max_iter=100,
        alpha=0.0001,
        warm_start=False,
        fit_intercept=True,
        tol=1e-10,
        unlearner="newton",
        convention="sklearn",
    ):
        self.epsilon = epsilon
        self.max_iter = max_iter
        self.alpha = alpha
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.unlearner = unlearner
        self.convention = convention

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (sparse input is kept as CSR, never densified).
        y : array-like of shape (n_samples,)
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
        previous = getattr(self, "coef_", None) if self.warm_start else None
        X, y = validate_data(
            self, X, y, dtype=np.float64, order="C", accept_sparse="csr", y_numeric=True
        )
        self._freeze_spec()
        y = self._check_targets(y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        theta0 = None
        if previous is not None and previous.shape == (X.shape[1],):
            intercept = [self.intercept_] if self.fit_intercept else []
            theta0 = np.r_[previous, intercept, self.scale_]
        model = self._fit_rows(X, y, weights, theta0, ids)
        self._set_model(model, model.theta)
        return self

    def _objective_spec(self, total_weight):
        settings = self._spec
        weight_scale, l2 = objective_scaling(
            settings["convention"], 1.0, 2.0 * settings["alpha"], total_weight
        )
        loss = huber_loss(settings["epsilon"])
        return ObjectiveSpec(loss, 1, settings["fit_intercept"], weight_scale, l2)

    def _start(self, objective):
        """Zero coefficients, the mean target as intercept, the targets' spread as scale.

        Every row is then an inlier, so that the first Newton steps see
        curvature in every direction. (scikit-learn's L-BFGS starts from a
        scale of 1, where most rows can be outliers: Newton would see none.)
        """
        theta = np.zeros(objective.n_params)
        y, weights = objective.y[:, 0], objective.weights
        centre = np.average(y, weights=weights) if objective.fit_intercept else 0.0
        spread = np.sqrt(np.average((y - centre) ** 2, weights=weights))
        theta[objective.layout.intercept_slice] = centre
        theta[-1] = spread if spread > 0 else 1.0
        return theta

    def _solve(self, objective, theta0):
        """Newton; where it stalls (the optimum's scale at its bound 0, a perfect fit), L-BFGS-B.

        scikit-learn's L-BFGS-B keeps the scale above ``10 eps``; so does
        the fallback, which stops at the projected gradient's ``tol``.
        """
        result = super()._solve(objective, theta0)
        if result.converged:
            return result
        return _bounded_lbfgs(objective, result.theta, self._spec)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The canonical Newton step, unless the optimum's scale sits at its bound.

        There (a perfect fit) the generalized Hessian is singular and a
        Newton step would leave the domain: the solution is kept as solved.
        """
        if theta[-1] > 2 * _SCALE_FLOOR:
            final = super()._finalize(rows, spec, theta, warm_state, value_grad)
            if final[0][-1] > 0 and np.all(np.isfinite(final[0])):
                return final
        return np.asarray(theta, dtype=np.float64), None, None

    def _packed_parameters(self):
        return self.coef_, self.intercept_, self.scale_

    def _set_model(self, model, theta):
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(theta)
        self.coef_ = np.array(coef[0], copy=True)
        self.intercept_ = np.float64(intercept[0]) if model.spec.fit_intercept else 0.0
        self.scale_ = np.float64(theta[-1])
        rows = self._rows
        residual = np.abs(rows.y - (rows.X @ self.coef_ + self.intercept_))
        self.outliers_ = residual > self.scale_ * self._spec["epsilon"]

    def _sklearn_export(self):
        """scikit-learn's ``HuberRegressor`` (alpha in its convention) with scale and outliers."""
        attributes = ("scale_", "outliers_", "n_iter_")
        alpha = paper_scaled(self, "alpha")
        return sklearn_counterpart(self, sklearn.linear_model, attributes, alpha=alpha)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
