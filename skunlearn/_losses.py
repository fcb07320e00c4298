"""Per-sample losses of linear models: one spec per loss, the one place each is described.

A :class:`Loss` gathers what the layers above the kernels need to know about a
loss: the kernel that evaluates it (by name, see :mod:`skunlearn._kernels`)
and its parameters, how targets are laid out for the kernels, its derivative
in the linear predictor (for diagnostics), its inverse link (probabilities),
whether it is least squares, whether its outputs share a gauge, whether it
carries a scale parameter, whether it is smooth, and the self-concordance
constant that certified bounds need, or ``None`` where no bound can be
certified. :func:`get_loss` raises for an unknown name, so a new loss cannot
silently borrow another's derivative or constant. Parametrised families have
constructors: :func:`tweedie_loss` (scikit-learn's half Tweedie deviances, of
which ``"poisson"`` and ``"gamma"`` are the named cases) and
:func:`huber_loss`.

Adding a loss: its math in :mod:`skunlearn._kernels._points` (a code and a
branch), its spec here, its tests in ``tests/kernels/test_kernels.py``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, softmax

__all__ = ["LOSSES", "Loss", "get_loss", "huber_loss", "tweedie_loss"]


@dataclass(frozen=True)
class Loss:
    """What every layer above the kernels knows about one per-sample loss.

    Attributes
    ----------
    name : str
        Name of the loss.
    targets : {"real", "binary", "sign", "class"}
        Kernel target layout (:meth:`kernel_targets`): float64 ``(n, K)`` real
        targets; float64 labels in {0, 1} (shape ``(n,)`` for one output,
        one-vs-all ``(n, K)`` for several); float64 one-vs-all targets in
        {-1, +1} of shape ``(n, K)``; or int64 class indices of shape ``(n,)``.
    quadratic : bool
        Whether the loss is the squared error ``(z - y)^2`` of least squares:
        its Newton step is exact and solved from Gram statistics.
    intercept_gauge : bool
        Whether adding one constant to every output's intercept leaves the loss
        unchanged (the multinomial loss): the intercepts are then defined up
        to that shift (see :mod:`skunlearn._parameters`).
    self_concordance : float or None
        ``a`` such that ``|l'''(z)[u, u, u]| <= a ||u||_inf l''(z)[u, u]`` in the
        linear predictor (generalised self-concordance, Bach 2010): 1 for the
        logistic and exponential losses, ``sqrt(2)`` for the multinomial one
        off the coefficient-shift direction (Tran-Dinh, Kyrillidis, Cevher
        2015), 0 for a quadratic loss. None: no such constant, so no
        certified bound.
    probability_factor : float or None
        For binary losses, ``P(y = 1) = expit(probability_factor * z)``; None
        when the loss defines no probabilities or they are a softmax.
    kernel : str or None
        Kernel of the loss (:data:`skunlearn._kernels.LOSSES`); None: ``name``.
    params : tuple of float
        Constant parameters of the kernel (the Tweedie power, Huber's epsilon).
    scale : bool
        Whether the loss has a scale parameter ``sigma`` estimated with the
        weights (Huber): the last entry of ``theta``
        (:mod:`skunlearn._parameters`) and of the kernel parameters.
    smooth : bool
        Whether the loss is twice continuously differentiable in ``z``. The
        squared hinge and Huber losses are not: their Hessians are
        generalized ones (that of the active quadratic piece).
    """

    name: str
    targets: str
    quadratic: bool = False
    intercept_gauge: bool = False
    self_concordance: float | None = None
    probability_factor: float | None = None
    kernel: str | None = None
    params: tuple = ()
    scale: bool = False
    smooth: bool = True

    @property
    def kernel_name(self):
        """Name of the kernel that evaluates the loss."""
        return self.name if self.kernel is None else self.kernel

    def kernel_params(self, scale=None):
        """The kernel's parameter array: ``params``, then the scale for a scaled loss."""
        values = self.params + ((float(scale),) if self.scale else ())
        return np.array(values, dtype=np.float64)

    def kernel_targets(self, encoded, n_outputs=1):
        """Encoded targets (class indices or real values) in the kernel layout.

        ``n_outputs`` is the number of one-vs-all outputs of the ``"binary"``
        and ``"sign"`` layouts (a class index of -1, a forgotten class, is
        then negative for every output).
        """
        if self.targets == "class":
            return np.asarray(encoded, dtype=np.int64)
        if self.targets in ("binary", "sign"):
            encoded = np.asarray(encoded).ravel()
            if n_outputs == 1:
                positive = (encoded == 1)[:, None]
            else:
                positive = encoded[:, None] == np.arange(n_outputs)
            targets = positive.astype(np.float64)
            if self.targets == "sign":
                return 2.0 * targets - 1.0
            return targets[:, 0] if n_outputs == 1 else targets
        encoded = np.asarray(encoded, dtype=np.float64)
        return encoded.reshape(len(encoded), int(np.prod(encoded.shape[1:])))  # also 0 rows

    def derivative(self, Z, y, scale=None):
        """Derivative ``dl_i / dz_i`` of each row's loss in its linear predictor.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Linear predictor.
        y : ndarray
            Targets in the kernel layout (:meth:`kernel_targets`).
        scale : float, default=None
            The scale of a scaled loss.

        Returns
        -------
        R : ndarray of shape (n_samples, n_outputs)
        """
        kernel = self.kernel_name
        if kernel == "multinomial":
            R = softmax(Z, axis=1)
            R[np.arange(len(y)), y] -= 1.0
            return R
        y = np.asarray(y, dtype=np.float64).reshape(len(Z), -1)
        if kernel in _REAL_DERIVATIVES:
            return _REAL_DERIVATIVES[kernel](Z, y, *self.kernel_params(scale))
        s = 2.0 * y - 1.0
        margin = s * Z
        if kernel == "logistic":
            return -s * expit(-margin)
        if kernel == "exponential":
            return -s * np.exp(-margin)
        if kernel == "squared_hinge":
            return -2.0 * s * np.maximum(1.0 - margin, 0.0)
        raise NotImplementedError(f"No derivative for loss {self.name!r}.")

    def probabilities(self, scores):
        """Class probabilities from decision scores (binary: shape (n,); else (n, K))."""
        if scores.ndim == 2:
            return softmax(scores, axis=1)
        if self.probability_factor is None:
            raise ValueError(f"The {self.name} loss defines no probabilities.")
        positive = expit(self.probability_factor * scores)
        return np.column_stack([1.0 - positive, positive])


def _tweedie_derivative(Z, y, p):
    if p == 0.0:
        return np.exp(Z) * (np.exp(Z) - y)
    if p == 1.0:
        return np.exp(Z) - y
    if p == 2.0:
        return 1.0 - y * np.exp(-Z)
    return np.exp((2.0 - p) * Z) - y * np.exp((1.0 - p) * Z)


def _tweedie_identity_derivative(Z, y, p):
    if p == 0.0:
        return Z - y
    with np.errstate(divide="ignore", invalid="ignore"):
        return Z ** (-p) * (Z - y)


def _huber_derivative(Z, y, epsilon, sigma):
    r = y - Z
    return np.where(np.abs(r) > epsilon * sigma, -2.0 * epsilon * np.sign(r), -2.0 * r / sigma)


_REAL_DERIVATIVES = {
    "squared": lambda Z, y: 2.0 * (Z - y),
    "tweedie": _tweedie_derivative,
    "tweedie_identity": _tweedie_identity_derivative,
    "huber": _huber_derivative,
}


def tweedie_loss(power, link="log"):
    """scikit-learn's half Tweedie deviance with power ``power`` as a :class:`Loss`.

    The log link is ``HalfTweedieLoss`` (constant terms dropped; ``power=1``
    is ``HalfPoissonLoss`` and ``power=2`` ``HalfGammaLoss``), the identity
    link ``HalfTweedieLossIdentity``, whose ``power=0`` case is half the
    squared error. With the log link and ``1 <= power <= 2`` the loss is
    convex in the linear predictor, with self-concordance constant
    ``max(2 - p, p - 1)``: its second derivative is ``(2-p) e^((2-p) z) +
    (p-1) y e^((1-p) z)``, a sum of non-negative terms, and its third
    derivative ``(2-p)^2 e^((2-p) z) - (p-1)^2 y e^((1-p) z)``. Elsewhere it
    can be non-convex and no bound is certified (None).

    Parameters
    ----------
    power : float
        Tweedie power ``p``.
    link : {"log", "identity"}, default="log"
        Link function.

    Returns
    -------
    loss : Loss

    Examples
    --------
    >>> tweedie_loss(1.5).self_concordance
    0.5
    >>> tweedie_loss(1.0) == get_loss("poisson")
    True
    """
    power = float(power)
    if link == "identity":  # power 0: half the squared error (not least squares' (z - y)^2)
        return Loss(
            "tweedie_identity",
            "real",
            self_concordance=0.0 if power == 0.0 else None,
            kernel="tweedie_identity",
            params=(power,),
        )
    named = {1.0: "poisson", 2.0: "gamma"}
    convex = 1.0 <= power <= 2.0
    return Loss(
        named.get(power, "tweedie"),
        "real",
        self_concordance=max(2.0 - power, power - 1.0) if convex else None,
        kernel="tweedie",
        params=(power,),
    )


def huber_loss(epsilon):
    """scikit-learn's ``HuberRegressor`` loss with threshold ``epsilon``, as a :class:`Loss`.

    Per row, ``sigma + sigma H(r / sigma)`` with ``r = y - z`` and ``H(u) =
    u^2`` for ``|u| <= epsilon``, ``2 epsilon |u| - epsilon^2`` beyond: a
    jointly convex function of ``(z, sigma)`` (``sigma`` plus the perspective
    of ``H``), once differentiable. The scale ``sigma`` is a parameter
    (``scale``); no bound is certified (None).

    Parameters
    ----------
    epsilon : float
        Threshold, at least 1.

    Returns
    -------
    loss : Loss

    Examples
    --------
    >>> huber_loss(1.35).kernel_params(scale=2.0)
    array([1.35, 2.  ])
    """
    return Loss("huber", "real", params=(float(epsilon),), scale=True, smooth=False)


LOSSES = {
    loss.name: loss
    for loss in (
        Loss("squared", "real", quadratic=True, self_concordance=0.0),
        Loss("logistic", "binary", self_concordance=1.0, probability_factor=1.0),
        Loss("exponential", "binary", self_concordance=1.0, probability_factor=2.0),
        Loss("multinomial", "class", intercept_gauge=True, self_concordance=np.sqrt(2.0)),
        Loss("squared_ovr", "sign", quadratic=True, self_concordance=0.0, kernel="squared"),
        Loss("squared_hinge", "binary", smooth=False),
        tweedie_loss(1.0),
        tweedie_loss(2.0),
    )
}


def get_loss(loss):
    """The :class:`Loss` of a name (or the spec itself).

    Raises
    ------
    ValueError
        For a name no spec describes.

    Examples
    --------
    >>> get_loss("logistic").probability_factor
    1.0
    """
    if isinstance(loss, Loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(f"Unknown loss {loss!r}; known losses: {sorted(LOSSES)}.") from None
