"""Penalised linear-model objectives over stored rows, with one weight per row.

The full, retain, forget and descent-ascent objectives are all
:class:`LinearObjective` with different row weights: zero removes a row, a
negative weight ascends on it. How an estimator's hyperparameters and sample
weights become those row weights and the penalty is decided in one place,
:func:`objective_scaling`, and carried by :class:`ObjectiveSpec`.
"""

from dataclasses import dataclass

import numpy as np

from . import _kernels
from ._losses import Loss, get_loss
from ._parameters import ParameterLayout

__all__ = ["LinearObjective", "ObjectiveSpec", "objective_scaling"]


def objective_scaling(convention, loss_multiplier, l2, total_weight):
    """Row-weight scale and ridge strength of an estimator's objective.

    An estimator states its objective in scikit-learn's form,
    ``loss_multiplier * sum_i s_i l_i + (l2 / 2) ||coef||^2`` with ``s`` the
    sample weights (``LogisticRegression``: ``(C, 1)``; ``Ridge``:
    ``(1, 2 alpha)``). The paper's convention [1]_ instead takes the weighted
    *mean* loss with a fixed ridge, ``sum_i s_i l_i / sum_i s_i + (l2 /
    (2 loss_multiplier)) ||coef||^2``: the same minimiser for the full data,
    but removing rows no longer weakens the penalty.

    Parameters
    ----------
    convention : {"sklearn", "paper"}
    loss_multiplier : float
        Positive multiplier of the summed loss in scikit-learn's form.
    l2 : float
        Ridge strength in scikit-learn's form.
    total_weight : float
        ``sum_i s_i`` over the rows the objective covers.

    Returns
    -------
    weight_scale : float
        ``c_i = weight_scale * s_i`` are the objective's row weights.
    l2 : float
        Its ridge strength.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427, eq. (1).

    Examples
    --------
    >>> objective_scaling("sklearn", 2.0, 1.0, 10.0)
    (2.0, 1.0)
    >>> objective_scaling("paper", 2.0, 1.0, 10.0)
    (0.1, 0.5)
    """
    if convention == "paper":
        return 1.0 / total_weight, l2 / loss_multiplier
    return float(loss_multiplier), float(l2)


class LinearObjective:
    """``J(theta) = sum_i weights[i] * loss_i(theta) + (l2 / 2) * ||coef||^2``.

    ``theta`` is laid out as in :mod:`skunlearn._parameters`. The intercept is
    not penalised unless ``intercept_penalty`` is positive: liblinear's
    objective penalises it as a feature of constant value ``s``
    (``intercept_scaling``), which adds ``(l2 / (2 s^2)) ||intercept||^2``
    (``intercept_penalty = 1 / s^2``). The scale of a scaled loss is never
    penalised. With ``l1 > 0`` the objective adds ``l1 ||coef||_1`` (the
    elastic net): not differentiable, so :meth:`value_grad` returns a
    subgradient (``l1 sign(coef)``, 0 at 0) for the first-order unlearners,
    and exact solutions come from coordinate descent
    (:func:`~skunlearn._solvers.elastic_net_cd`).

    For a loss with an intercept gauge (multinomial, with intercepts), the
    intercepts are defined only up to a common shift. :meth:`hessian` adds a
    positive term along that direction (along which the gradient is always
    zero), so Newton steps stay in the gauge where the intercepts sum to the
    value they started with.

    Parameters
    ----------
    loss : str or Loss
        Per-sample loss (:mod:`skunlearn._losses`).
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Rows (float64).
    y : ndarray
        Targets in the kernel layout of ``loss``.
    weights : ndarray of shape (n_samples,)
        Weight of each row's loss; zero skips a row.
    n_outputs : int
        Number of linear outputs K.
    fit_intercept : bool
        Whether theta carries intercepts.
    l2 : float, default=0.0
        Ridge strength on ``coef``.
    intercept_penalty : float, default=0.0
        The intercepts' ridge strength, relative to ``l2``.
    l1 : float, default=0.0
        Lasso strength on ``coef``.
    """

    def __init__(
        self,
        loss,
        X,
        y,
        weights,
        *,
        n_outputs,
        fit_intercept,
        l2=0.0,
        intercept_penalty=0.0,
        l1=0.0,
    ):
        self.spec = get_loss(loss)
        self.loss = self.spec.kernel_name
        self.X = X
        self.y = y
        self.weights = weights
        self.layout = ParameterLayout(n_outputs, X.shape[1], fit_intercept, self.spec.scale)
        self.l2 = float(l2)
        self.intercept_penalty = float(intercept_penalty)
        self.l1 = float(l1)

    n_outputs = property(lambda self: self.layout.n_outputs)
    n_features = property(lambda self: self.layout.n_features)
    fit_intercept = property(lambda self: self.layout.fit_intercept)
    n_coef = property(lambda self: self.layout.n_coef)
    n_params = property(lambda self: self.layout.n_params)

    @property
    def total_weight(self):
        """Sum of the row weights (the scale of per-sample-mean units)."""
        return float(np.sum(self.weights))

    def unpack(self, theta):
        """Views ``(coef, intercept)`` of a parameter vector."""
        return self.layout.unpack(theta)

    def with_rows(self, X, y, weights, l2=None):
        """The same loss and layout over other rows (and ridge strength)."""
        return LinearObjective(
            self.spec,
            X,
            y,
            weights,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=self.l2 if l2 is None else l2,
            intercept_penalty=self.intercept_penalty,
            l1=self.l1,
        )

    def params(self, theta):
        """The kernel parameters of the loss at ``theta`` (its scale for a scaled loss)."""
        return self.spec.kernel_params(self.layout.scale_of(theta))

    def penalty(self, theta):
        """Value and gradient (shape ``(n_params,)``; a subgradient with ``l1``) of the penalty."""
        grad = np.zeros(self.n_params)
        coef = theta[: self.n_coef]
        grad[: self.n_coef] = self.l2 * coef
        intercepts = self.layout.intercept_slice
        grad[intercepts] = self.l2 * self.intercept_penalty * theta[intercepts]
        value = 0.5 * float(theta @ grad)
        if self.l1:
            value += self.l1 * float(np.sum(np.abs(coef)))
            grad[: self.n_coef] += self.l1 * np.sign(coef)
        return value, grad

    def value_grad(self, theta):
        """Objective value and gradient at ``theta`` (one fused pass over X; two with a scale)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        grad = np.empty(self.n_params)
        grad_coef = grad[: self.n_coef].reshape(self.n_outputs, self.n_features)
        intercepts = self.layout.intercept_slice
        grad_intercept = grad[intercepts] if self.fit_intercept else np.empty(self.n_outputs)
        params = self.params(theta)
        value = _kernels.loss_grad(
            self.loss,
            self.X,
            self.y,
            self.weights,
            coef,
            intercept,
            grad_coef,
            grad_intercept,
            params=params,
        )
        if self.layout.scale:
            args = (self.loss, self.X, self.y, self.weights, coef, intercept, params)
            grad[-1] = _kernels.scale_rows(*args)[0].sum()
        if self.l2 or self.l1:
            penalty, penalty_grad = self.penalty(theta)
            value += penalty
            grad += penalty_grad
        return value, grad

    def loss_hessian(self, theta):
        """Hessian of the weighted loss alone (no penalty, no gauge term)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        return _kernels.hessian(
            self.loss,
            self.X,
            self.y,
            self.weights,
            coef,
            intercept,
            self.fit_intercept,
            params=self.params(theta),
        )

    def hessian(self, theta):
        """Hessian of the objective, with the gauge term."""
        return self.regularize(self.loss_hessian(theta))

    def regularize(self, loss_hessian):
        """Add the penalty (and gauge term) to a loss Hessian, returning a new array."""
        H = np.array(loss_hessian, dtype=np.float64, copy=True)
        diag = np.arange(self.n_coef)
        H[diag, diag] += self.l2
        diag = np.arange(self.n_params)[self.layout.intercept_slice]
        H[diag, diag] += self.l2 * self.intercept_penalty
        if self._has_gauge:
            u = self.layout.gauge_direction()
            H += max(np.trace(H) / self.n_params, 1.0) * np.outer(u, u)
        return H

    def hessp(self, theta, v):
        """Hessian-vector product of the objective (matrix-free)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        out = _kernels.hessp(
            self.loss,
            self.X,
            self.y,
            self.weights,
            coef,
            intercept,
            self.fit_intercept,
            v,
            params=self.params(theta),
        )
        out[: self.n_coef] += self.l2 * v[: self.n_coef]
        intercepts = self.layout.intercept_slice
        out[intercepts] += self.l2 * self.intercept_penalty * v[intercepts]
        if self._has_gauge:
            u = self.layout.gauge_direction()
            out += float(u @ v) * u
        return out

    def hessian_operator(self, theta):
        """``v -> hessp(theta, v)``, with the per-row curvature evaluated once.

        For losses with one curvature shared by every output (one output,
        or least squares) each product is then one fused pass over X (the
        squared-loss gradient with weights ``c / 2`` and zero targets) instead
        of two; the others (multinomial, several outputs of another loss, a
        scaled loss) use :meth:`hessp`.
        """
        shared = self.n_outputs == 1 or self.spec.quadratic
        if self.spec.targets == "class" or self.spec.scale or not shared:
            return lambda v: self.hessp(theta, v)
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        c = _kernels.curvature(
            self.loss, self.X, self.y, self.weights, coef, intercept, self.params(theta)
        )
        quadratic = LinearObjective(
            "squared",
            self.X,
            np.zeros((self.X.shape[0], self.n_outputs)),
            0.5 * c,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=self.l2,
            intercept_penalty=self.intercept_penalty,
        )
        return lambda v: quadratic.value_grad(v)[1]

    @property
    def _has_gauge(self):
        return self.spec.intercept_gauge and self.fit_intercept


@dataclass(frozen=True)
class ObjectiveSpec:
    """How an estimator turns any set of its rows into a :class:`LinearObjective`.

    Attributes
    ----------
    loss : Loss
        The per-sample loss.
    n_outputs : int
        Number of linear outputs ``K``.
    fit_intercept : bool
        Whether the intercepts are parameters.
    weight_scale : float
        Row weights are ``weight_scale * sample_weight``
        (:func:`objective_scaling`).
    l2 : float
        Ridge strength on the coefficients.
    target_map : ndarray of int or None
        Maps stored class indices to this objective's (forgotten classes map
        to -1); None keeps them.
    intercept_penalty : float
        The intercepts' ridge strength relative to ``l2`` (liblinear's
        ``1 / intercept_scaling^2``; 0: not penalised).
    l1 : float
        Lasso strength on the coefficients (the elastic net; 0: none).
    positive : bool
        Whether the coefficients are constrained to be non-negative.
    """

    loss: Loss
    n_outputs: int
    fit_intercept: bool
    weight_scale: float
    l2: float
    target_map: np.ndarray | None = None
    intercept_penalty: float = 0.0
    l1: float = 0.0
    positive: bool = False

    def layout(self, n_features):
        """The :class:`~skunlearn._parameters.ParameterLayout` over ``n_features``."""
        return ParameterLayout(self.n_outputs, n_features, self.fit_intercept, self.loss.scale)

    def kernel_targets(self, encoded):
        """Stored (encoded) targets in the kernel layout of this objective."""
        if self.target_map is not None:
            encoded = self.target_map[encoded]
        return self.loss.kernel_targets(encoded, self.n_outputs)

    def objective(self, X, encoded, sample_weight, *, scaled=True, l2=None):
        """The objective over rows ``X`` with stored targets and sample weights.

        ``scaled=False`` gives the plain ``sum_i s_i l_i`` (no weight scale, no
        penalty unless ``l2`` is given), in sample-weight units.
        """
        weights = self.weight_scale * sample_weight if scaled else sample_weight
        if l2 is None:
            l2 = self.l2 if scaled else 0.0
        return LinearObjective(
            self.loss,
            X,
            self.kernel_targets(encoded),
            weights,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=l2,
            intercept_penalty=self.intercept_penalty,
            l1=self.l1 if scaled else 0.0,
        )
