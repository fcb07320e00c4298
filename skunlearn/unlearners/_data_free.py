"""Data-free certified removal (Sekhari et al. 2021): the Hessian at the optimum, no rows."""

from dataclasses import replace
from numbers import Real

import numpy as np
import scipy.linalg
from sklearn.base import clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.extmath import row_norms

from .._certificate import Certificate
from ..exceptions import CertificateExhaustedError
from ._certified import CertifiedState, CertifiedUnlearner

__all__ = ["DataFreeNewton"]


class DataFreeNewton(CertifiedUnlearner):
    r"""Certified removal from the forget rows alone (Sekhari et al. 2021, Algorithms 1-2).

    At ``fit`` the estimator keeps only the minimiser :math:`\hat\theta` of its
    objective ``J`` and the Hessian :math:`H = \nabla^2 J(\hat\theta)`, drops
    its training rows, and releases :math:`\hat\theta + \nu_0`. Each
    ``unlearn(X_forget, y_forget)`` adds the forget rows' loss Hessian and
    gradient at :math:`\hat\theta` to running sums over all rows deleted so
    far (``U``) and releases

    .. math::

        \bar\theta = \hat\theta + \Big(H - \sum_{U} c_i \nabla^2 \ell_i(\hat\theta)
        \Big)^{-1} \sum_{U} c_i \nabla \ell_i(\hat\theta), \qquad
        \tilde\theta = \bar\theta + \nu, \quad \nu \sim N(0, \sigma^2 I),

    one Newton step on the retain objective from :math:`\hat\theta` with fresh
    noise :math:`\nu`. It reads no training row.

    Calibration (Theorem 3 of [1]_, in the estimator's units): let
    :math:`\mu` be the smallest ridge strength (strong convexity of ``J``),
    ``R`` = ``row_norm_bound`` :math:`\ge \|\tilde x_i\|`, ``G`` and
    :math:`\gamma` the loss's gradient and Hessian-Lipschitz constants in the
    linear predictor, ``W`` the total row weight at ``fit`` and ``m`` the
    deletion capacity. Then ``J`` has an ``M``-Lipschitz Hessian with
    :math:`M = \gamma R^3 W`, the gradient the deletions cause is at most
    :math:`g = m s G R` (``s`` the objective's weight per unit of sample
    weight) and, for every deletion set of weight at most ``m``,
    :math:`\|\bar\theta - \theta^*_{D \setminus U}\| \le 2 M g^2 / \mu^3`
    (Sekhari et al.'s :math:`2 M m^2 L^2 / (\lambda^3 n^2)` with :math:`J = n
    \hat F`). The Gaussian mechanism on that sensitivity,
    :math:`\sigma = (2 M g^2 / \mu^3) \sqrt{2 \log(1.25 / \delta)} /
    \varepsilon`, makes :math:`\tilde\theta` :math:`(\varepsilon,
    \delta)`-indistinguishable from the same release after a retraining on
    :math:`D \setminus U` (:math:`\varepsilon \le 1`). For Ridge the Newton
    step is exact (:math:`\gamma = 0`, no noise).

    Assumptions (checked at ``fit``): the loss of :class:`CertifiedNewton`
    (logistic, multinomial or squared) with a smooth penalty; every
    parameter penalised when the loss is not quadratic (``fit_intercept=False``
    or ``solver="liblinear"``'s penalised intercept); ``convention="sklearn"``
    (the objective's scale does not change with deletions); no
    ``class_weight="balanced"``; every row's norm (with the intercept's 1) at
    most ``row_norm_bound`` when the loss is not quadratic (a ValueError
    names how many exceed it: scale the rows or raise the bound, which
    raises the noise as its cube).

    Once the deleted weight would exceed ``capacity``,
    :class:`~skunlearn.exceptions.CertificateExhaustedError` (no rows to
    retrain on: refit). The forget rows are not checked against the
    training set (there is none to check against): the caller vouches
    that they were trained on. ``ids`` are not available.

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy parameter in (0, 1].
    delta : float, default=1e-5
        Failure probability in (0, 1).
    capacity : float, default=1.0
        Deletion capacity ``m``: total sample weight (class weights
        included; rows of weight 1: their number) that may be deleted.
    row_norm_bound : float, default=1.0
        ``R``: the bound on ``||(x_i, 1)||`` (``||x_i||`` without intercept).
    random_state : int, RandomState instance or None, default=None
        Seeds the output noise.

    See Also
    --------
    CertifiedNewton : Loss perturbation with a residual budget, keeps the rows.

    References
    ----------
    .. [1] A. Sekhari, J. Acharya, G. Kamath, A. T. Suresh, "Remember What You
       Want to Forget: Algorithms for Machine Unlearning", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.unlearners import DataFreeNewton
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) / 3
    >>> X /= np.maximum(np.linalg.norm(X, axis=1), 1)[:, None]
    >>> y = (X[:, 0] > 0).astype(int)
    >>> unlearner = DataFreeNewton(capacity=5, random_state=0)
    >>> clf = LogisticRegression(fit_intercept=False, unlearner=unlearner).fit(X, y)
    >>> clf.unlearn(X[:2], y[:2]).certificate_.remaining
    3.0
    """

    _data_free = True

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, 1, closed="right")],
        "delta": [Interval(Real, 0, 1, closed="neither")],
        "capacity": [Interval(Real, 0, None, closed="neither")],
        "row_norm_bound": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, epsilon=1.0, delta=1e-5, capacity=1.0, *, row_norm_bound=1.0, random_state=None
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.capacity = capacity
        self.row_norm_bound = row_norm_bound
        self.random_state = random_state

    def certify(self, spec, rows, theta):
        """Keep the Hessian at ``theta`` and release ``theta`` plus noise.

        Parameters
        ----------
        spec : ObjectiveSpec
        rows : tuple
            ``(X, stored targets, sample weights)``: read here, never again.
        theta : ndarray of shape (n_params,)
            The minimiser of the estimator's objective.

        Returns
        -------
        theta : ndarray of shape (n_params,)
            The released parameters.
        state : CertifiedState

        Raises
        ------
        ValueError
            An assumption fails (the message names it).
        """
        self._validate_params()
        objective = spec.objective(*rows)
        constants = self._check_objective(spec, objective.n_params)
        sigma = self._sigma(objective, constants, spec.weight_scale)
        extra = {
            "spec": spec,
            "theta_hat": np.array(theta, dtype=np.float64),
            "hessian": objective.hessian(theta),
            "forget_grad": np.zeros(objective.n_params),
            "sigma": sigma,
        }
        certificate = Certificate(
            self.epsilon,
            self.delta,
            float(self.capacity),
            0.0,
            method="output perturbation with a stored Hessian (Sekhari et al. 2021)",
        )
        state = CertifiedState(
            clone(self), None, spec.weight_scale, self._entropy(), 0, certificate, extra
        )
        return self._release(state, extra["theta_hat"])

    def _check_rows(self, objective):
        norms = np.sqrt(row_norms(objective.X, squared=True) + objective.fit_intercept)
        # A few units of rounding in the norm itself are not a violation.
        over = int(np.count_nonzero(norms > self.row_norm_bound * (1 + 8 * np.finfo(float).eps)))
        if over:
            raise ValueError(
                f"{over} of {len(norms)} training rows have a norm above row_norm_bound="
                f"{self.row_norm_bound:g} (with the intercept's 1 when fit_intercept=True): "
                "DataFreeNewton's noise is calibrated for that bound. Scale the rows or "
                "raise row_norm_bound."
            )

    def _sigma(self, objective, constants, weight_scale):
        """The noise scale of Theorem 3 (Sekhari et al.) in the objective's units."""
        gamma = constants.hessian_lipschitz
        if gamma == 0.0:
            return 0.0
        mu = float(np.min(objective.l2_diagonal))
        if not mu > 0:
            raise ValueError(
                "DataFreeNewton needs every parameter penalised (strong convexity): use "
                "fit_intercept=False, or solver='liblinear' (penalised intercept)."
            )
        self._check_rows(objective)
        R = self.row_norm_bound
        lipschitz = gamma * R**3 * objective.total_weight
        gradient = self.capacity * weight_scale * constants.gradient * R
        sensitivity = 2.0 * lipschitz * gradient**2 / mu**3
        return sensitivity * np.sqrt(2.0 * np.log(1.25 / self.delta)) / self.epsilon

    def _release(self, state, theta):
        """``theta`` plus fresh Gaussian noise; the state with the draw counted."""
        noise = state.extra["sigma"] * state.rng().standard_normal(len(theta))
        return theta + noise, replace(state, perturbation=noise, draws=state.draws + 1)

    def remove(self, state, forget, weight):
        """One data-free removal: ``(released theta, new state)``.

        Parameters
        ----------
        state : CertifiedState
        forget : LinearObjective
            The forget rows' loss with their row weights (no penalty).
        weight : float
            Their total sample weight (times class weights): what the removal
            uses of the capacity.

        Returns
        -------
        theta : ndarray of shape (n_params,)
            The released parameters: the Newton step from the stored optimum
            plus fresh Gaussian noise.
        state : CertifiedState
            The state with the downdated Hessian, the forget rows' gradient
            added and the capacity used.

        Raises
        ------
        CertificateExhaustedError
            The deleted weight would exceed the capacity.
        """
        extra, certificate = state.extra, state.certificate
        if certificate.spent + weight > certificate.budget:
            raise CertificateExhaustedError(
                f"DataFreeNewton's deletion capacity is {certificate.budget:g} and "
                f"{certificate.spent:g} is used: deleting {weight:g} more would exceed it. "
                "It keeps no rows to retrain on: refit the estimator. It is unchanged."
            )
        theta_hat = extra["theta_hat"]
        hessian = extra["hessian"] - forget.loss_hessian(theta_hat)
        forget_grad = extra["forget_grad"] + forget.value_grad(theta_hat)[1]
        factor = scipy.linalg.cho_factor(hessian, check_finite=False)
        theta_bar = theta_hat + scipy.linalg.cho_solve(factor, forget_grad, check_finite=False)
        certificate = replace(
            certificate,
            spent=certificate.spent + weight,
            deletions_since_retrain=certificate.deletions_since_retrain + forget.X.shape[0],
        )
        extra = {**extra, "hessian": hessian, "forget_grad": forget_grad}
        return self._release(replace(state, certificate=certificate, extra=extra), theta_bar)
