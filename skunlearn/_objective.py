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
from ._penalties import Penalty, ridge_diagonal

__all__ = ["LinearObjective", "ObjectiveSpec", "linear_objective", "objective_scaling"]


def linear_objective(loss, X, y, weights, **layout_and_penalty):
    """A :class:`LinearObjective` over rows ``X``, or the one the rows build over themselves.

    ``layout_and_penalty`` are the keyword arguments of :class:`LinearObjective`
    (``n_outputs``, ``fit_intercept``, ``l2``, ``intercept_l2``). Rows held
    elsewhere (chunks on a dask cluster or in files, see
    :mod:`skunlearn.utils._chunked_rows`) carry a ``linear_objective`` method
    that returns an objective with the same interface, computed where the rows
    live: the one place that decides between in-memory and chunked evaluation.
    """
    build = getattr(X, "linear_objective", None)
    if build is not None:
        return build(loss, y, weights, **layout_and_penalty)
    return LinearObjective(loss, X, y, weights, **layout_and_penalty)


def objective_scaling(convention, loss_multiplier, l2, total_weight):
    """Row-weight scale and ridge strength of an estimator's objective.

    An estimator states its objective in scikit-learn's form,
    ``loss_multiplier * sum_i s_i l_i + (l2 / 2) ||coef||^2`` with ``s`` the
    sample weights (``LogisticRegression``: ``(C, 1)``; ``Ridge``:
    ``(1, 2 alpha)``). The paper's convention [1]_ instead takes the weighted
    *mean* loss with a fixed ridge, ``sum_i s_i l_i / sum_i s_i + (l2 /
    (2 loss_multiplier)) ||coef||^2``: the same minimiser for the full data,
    but removing rows no longer weakens the penalty. An infinite
    ``loss_multiplier`` (``C=np.inf``) is the unpenalised objective: row
    weights ``s_i`` and no penalty. ``s_i`` includes class weights when an
    estimator has them (:meth:`ObjectiveSpec.sample_weights`).

    Parameters
    ----------
    convention : {"sklearn", "paper"}
    loss_multiplier : float
        Positive multiplier of the summed loss in scikit-learn's form.
    l2 : float or ndarray
        Penalty strength(s) in scikit-learn's form (an array scales each
        entry: per-output ridge strengths, or ``[l2, l1]``).
    total_weight : float
        ``sum_i s_i`` over the rows the objective covers.

    Returns
    -------
    weight_scale : float
        ``c_i = weight_scale * s_i`` are the objective's row weights.
    l2 : float or ndarray
        Its penalty strength(s).

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
    >>> objective_scaling("sklearn", float("inf"), 1.0, 10.0)
    (1.0, 0.0)
    """
    l2 = float(l2) if np.ndim(l2) == 0 else np.asarray(l2, dtype=np.float64)
    if convention == "paper":
        return 1.0 / total_weight, l2 / loss_multiplier
    if np.isinf(loss_multiplier):
        return 1.0, l2 * 0.0
    return float(loss_multiplier), l2


class LinearObjective:
    """``J(theta) = sum_i weights[i] * loss_i(theta) + (1 / 2) sum_j r_j theta_j^2``.

    ``theta`` is laid out as in :mod:`skunlearn._parameters`; ``r`` is the
    ridge diagonal ``l2_diagonal``: ``l2`` on the coefficients (per output
    when an array) and ``intercept_l2`` on the intercepts (zero but for
    liblinear's objective, see :mod:`skunlearn._penalties`); the scale of a
    scaled loss (the last parameter, :mod:`skunlearn._parameters`) is never
    penalised. The objective is smooth: an L1 term or a positivity constraint
    is handled by the solvers beside it (proximal Newton and the proximal
    first-order steps, coordinate descent for least squares).

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
    l2 : float or ndarray of shape (n_outputs,), default=0.0
        Ridge strength on ``coef``.
    intercept_l2 : float or ndarray of shape (n_outputs,), default=0.0
        Ridge strength on the intercepts.
    """

    def __init__(self, loss, X, y, weights, *, n_outputs, fit_intercept, l2=0.0, intercept_l2=0.0):
        self.spec = get_loss(loss)
        self.loss = self.spec.kernel_name
        self.X = X
        self.y = y
        self.weights = weights
        self.layout = ParameterLayout(n_outputs, X.shape[1], fit_intercept, self.spec.scale)
        self.l2 = float(l2) if np.ndim(l2) == 0 else np.asarray(l2, dtype=np.float64)
        self.intercept_l2 = intercept_l2
        self.l2_diagonal = ridge_diagonal(self.layout, self.l2, intercept_l2)

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
        return linear_objective(
            self.spec,
            X,
            y,
            weights,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=self.l2 if l2 is None else l2,
            intercept_l2=self.intercept_l2 if l2 is None else 0.0,
        )

    def params(self, theta):
        """The kernel parameters of the loss at ``theta`` (its scale for a scaled loss)."""
        return self.spec.kernel_params(self.layout.scale_of(theta))

    def value_grad(self, theta):
        """Objective value and gradient at ``theta`` (one fused pass over X; two with a scale)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        value, grad = self._loss_value_grad(theta)
        if np.any(self.l2_diagonal):
            value += 0.5 * float(theta @ (self.l2_diagonal * theta))
            grad += self.l2_diagonal * theta
        return value, grad

    def _loss_value_grad(self, theta):
        """Weighted loss and its gradient (no penalty): one fused pass over X (two with a
        scale)."""
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
            grad[-1] = self._scale_grad(coef, intercept, params)
        return value, grad

    def _scale_grad(self, coef, intercept, params):
        """The loss's derivative in its scale (a scaled loss): one more pass over X."""
        args = (self.loss, self.X, self.y, self.weights, coef, intercept, params)
        return _kernels.scale_rows(*args)[0].sum()

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

    def hessian_value_grad(self, theta):
        """Loss Hessian (as :meth:`loss_hessian`), objective value and gradient (as
        :meth:`value_grad`) and the column sums of ``weights * X**2``, at ``theta``.

        One fused pass over dense X for single-output losses
        (:func:`skunlearn._kernels.hessian_value_grad`).
        """
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        H, value, grad, squares = self._loss_hessian_value_grad(theta)
        if np.any(self.l2_diagonal):
            value += 0.5 * float(theta @ (self.l2_diagonal * theta))
            grad += self.l2_diagonal * theta
        return H, value, grad, squares

    def _loss_hessian_value_grad(self, theta):
        """The weighted loss alone: Hessian, value, gradient and column squares."""
        coef, intercept = self.unpack(theta)
        params = self.params(theta)
        H, value, grad_coef, grad_intercept, squares = _kernels.hessian_value_grad(
            self.loss,
            self.X,
            self.y,
            self.weights,
            coef,
            intercept,
            self.fit_intercept,
            params=params,
        )
        scale = self._scale_grad(coef, intercept, params) if self.layout.scale else None
        return H, value, self.layout.pack(grad_coef, grad_intercept, scale), squares

    def hessian(self, theta):
        """Hessian of the objective, with the gauge term."""
        return self.regularize(self.loss_hessian(theta))

    def regularize(self, loss_hessian):
        """Add the penalty (and gauge term) to a loss Hessian, returning a new array."""
        H = np.array(loss_hessian, dtype=np.float64, copy=True)
        H[np.diag_indices_from(H)] += self.l2_diagonal
        U = self._gauge
        if U.shape[1]:
            H += max(np.trace(H) / self.n_params, 1.0) * (U @ U.T)
        return H

    def hessp(self, theta, v):
        """Hessian-vector product of the objective (matrix-free)."""
        out = self._loss_hessp(theta, v)
        out += self.l2_diagonal * v
        U = self._gauge
        if U.shape[1]:
            out += U @ (U.T @ v)
        return out

    def _loss_hessp(self, theta, v):
        """Hessian-vector product of the weighted loss alone."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        return _kernels.hessp(
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
            intercept_l2=self.intercept_l2,
        )
        return lambda v: quadratic.value_grad(v)[1]

    @property
    def _gauge(self):
        """Orthonormal gauge directions, shape ``(n_params, m)`` (m = 0: none)."""
        if not self.spec.intercept_gauge:
            return np.zeros((self.n_params, 0))
        return self.layout.gauge_basis(True, False)


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
        Row weights are ``weight_scale * sample_weights(encoded, sample_weight)``
        (:func:`objective_scaling`).
    l2 : float or ndarray of shape (n_outputs,)
        Ridge strength on the coefficients.
    target_map : ndarray of int or None
        Maps stored class indices to this objective's (forgotten classes map
        to -1); None keeps them.
    l1 : float, default=0.0
        Lasso strength on the coefficients (:mod:`skunlearn._penalties`).
    intercept_scaling : float or None, default=None
        None: unpenalised intercepts; a float: liblinear's penalised intercept
        (:class:`~skunlearn._penalties.Penalty`).
    class_weight : ndarray of shape (n_stored_classes,) or None, default=None
        Weight of each stored class index (scikit-learn's ``class_weight``),
        multiplying the sample weights of its rows; None weighs all classes 1.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    """

    loss: Loss
    n_outputs: int
    fit_intercept: bool
    weight_scale: float
    l2: object
    target_map: np.ndarray | None = None
    l1: float = 0.0
    intercept_scaling: float | None = None
    class_weight: np.ndarray | None = None
    positive: bool = False

    @property
    def penalty(self):
        """The :class:`~skunlearn._penalties.Penalty` of the objective."""
        return Penalty(self.l2, self.l1, self.intercept_scaling, self.positive)

    def gram_value_grad(self, gram, theta):
        """The squared-loss objective and its gradient at ``theta``, from Gram statistics.

        ``gram`` is a :class:`~skunlearn._solvers.GramStatistics` (or
        :class:`~skunlearn._solvers.BucketedGram`) of the rows in sample-weight
        units; the value is ``weight_scale * sum_i s_i ||y_i - z_i||^2 + l2/2
        ||coef||^2``. ``O(d^2)``, no pass over the rows. Returns ``(value,
        gradient)`` with the gradient laid out as ``theta``, or None when the
        statistics carry no ``yy`` (the value is unknown).
        """
        if gram.yy is None:
            return None
        layout = self.layout(gram.xx.shape[0])
        coef, intercept = layout.unpack(theta)
        value, grad_coef, grad_intercept = gram.value_grad(coef, intercept)
        scale, l2 = self.weight_scale, np.reshape(self.l2, (-1, 1))  # per target or shared
        value = scale * value + 0.5 * float(np.sum(l2 * coef * coef))
        return value, layout.pack(scale * grad_coef + l2 * coef, scale * grad_intercept)

    def sample_weights(self, encoded, sample_weight):
        """Row weights in sample-weight units: ``sample_weight`` times the class weights.

        The one place class weights meet sample weights: the objective, the
        unlearning problem and the warm state all weigh rows through it.
        Weights held elsewhere (a chunked store's column) are weighed lazily,
        where they live, by their rows' own stored targets.
        """
        if self.class_weight is None:
            return sample_weight
        by_class = getattr(sample_weight, "by_class", None)
        if by_class is not None:
            return by_class(encoded, self.class_weight)
        return sample_weight * self.class_weight[np.asarray(encoded, dtype=np.int64)]

    def weighs_like(self, other):
        """Whether both specs weigh every stored row the same (same class weights)."""
        if self.class_weight is None or other.class_weight is None:
            return self.class_weight is other.class_weight
        return np.array_equal(self.class_weight, other.class_weight)

    def layout(self, n_features):
        """The :class:`~skunlearn._parameters.ParameterLayout` over ``n_features``."""
        return ParameterLayout(self.n_outputs, n_features, self.fit_intercept, self.loss.scale)

    def kernel_targets(self, encoded):
        """Stored (encoded) targets in the kernel layout of this objective.

        Targets held elsewhere (a chunked store's column) are mapped lazily,
        where they live.
        """
        mapped = getattr(encoded, "kernel_targets", None)
        if mapped is not None:
            return mapped(self)
        if self.target_map is not None:
            encoded = self.target_map[encoded]
        return self.loss.kernel_targets(encoded, self.n_outputs)

    def objective(self, X, encoded, sample_weight, *, scaled=True):
        """The smooth objective over rows ``X`` with stored targets and sample weights.

        ``scaled=False`` gives the plain ``sum_i s_i l_i`` (no weight scale, no
        penalty), in sample-weight units. The L1 part of the penalty, if any,
        is not included (:meth:`l1_weights`).
        """
        weights = self.sample_weights(encoded, sample_weight)
        penalty = self.penalty if scaled else Penalty(0.0)
        return linear_objective(
            self.loss,
            X,
            self.kernel_targets(encoded),
            self.weight_scale * weights if scaled else weights,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=penalty.l2,
            intercept_l2=penalty.intercept_l2,
        )

    def l1_weights(self, n_features):
        """Lasso strength of each parameter, shape ``(n_params,)``; None without an L1 term."""
        return self.penalty.l1_weights(self.layout(n_features)) if self.l1 else None
