"""Per-sample losses of linear models: one spec per loss, the one place each is described.

A :class:`Loss` gathers what the layers above the kernels need to know about a
loss: the kernel that evaluates it (by name, see :mod:`skunlearn._kernels`),
how targets are laid out for the kernels, its derivative in the linear
predictor (for diagnostics), its inverse link (probabilities), whether it is
quadratic, whether its outputs share a gauge, and the self-concordance
constant that certified bounds need, or ``None`` where no bound can be
certified. :func:`get_loss` raises for an unknown name, so a new loss cannot
silently borrow another's derivative or constant.

Adding a loss: its math in :mod:`skunlearn._kernels._points` (a code and a
branch), its spec here, its tests in ``tests/test_kernels.py``.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, softmax

__all__ = ["LOSSES", "Loss", "get_loss"]


@dataclass(frozen=True)
class Loss:
    """What every layer above the kernels knows about one per-sample loss.

    Attributes
    ----------
    name : str
        Kernel name of the loss (:data:`skunlearn._kernels.LOSSES`).
    targets : {"real", "binary", "class"}
        Kernel target layout: float64 ``(n, K)`` real targets, float64 labels
        in {0, 1} of shape ``(n,)``, or int64 class indices of shape ``(n,)``.
    quadratic : bool
        Whether the loss is quadratic in the linear predictor (its Newton step
        is exact, its Hessian does not depend on the parameters).
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
    """

    name: str
    targets: str
    quadratic: bool = False
    intercept_gauge: bool = False
    self_concordance: float | None = None
    probability_factor: float | None = None

    def kernel_targets(self, encoded):
        """Encoded targets (class indices or real values) in the kernel layout."""
        if self.targets == "binary":
            return np.asarray(encoded, dtype=np.float64)
        if self.targets == "class":
            return np.asarray(encoded, dtype=np.int64)
        encoded = np.asarray(encoded, dtype=np.float64)
        return encoded.reshape(len(encoded), int(np.prod(encoded.shape[1:])))  # also 0 rows

    def derivative(self, Z, y):
        """Derivative ``dl_i / dz_i`` of each row's loss in its linear predictor.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Linear predictor.
        y : ndarray
            Targets in the kernel layout (:meth:`kernel_targets`).

        Returns
        -------
        R : ndarray of shape (n_samples, n_outputs)
        """
        if self.name == "squared":
            return 2.0 * (Z - y)
        if self.name == "multinomial":
            R = softmax(Z, axis=1)
            R[np.arange(len(y)), y] -= 1.0
            return R
        s = 2.0 * np.asarray(y, dtype=np.float64) - 1.0
        margin = s * Z[:, 0]
        if self.name == "logistic":
            return (-s * expit(-margin))[:, None]
        if self.name == "exponential":
            return (-s * np.exp(-margin))[:, None]
        raise NotImplementedError(f"No derivative for loss {self.name!r}.")

    def probabilities(self, scores):
        """Class probabilities from decision scores (binary: shape (n,); else (n, K))."""
        if scores.ndim == 2:
            return softmax(scores, axis=1)
        if self.probability_factor is None:
            raise ValueError(f"The {self.name} loss defines no probabilities.")
        positive = expit(self.probability_factor * scores)
        return np.column_stack([1.0 - positive, positive])


LOSSES = {
    loss.name: loss
    for loss in (
        Loss("squared", "real", quadratic=True, self_concordance=0.0),
        Loss("logistic", "binary", self_concordance=1.0, probability_factor=1.0),
        Loss("exponential", "binary", self_concordance=1.0, probability_factor=2.0),
        Loss("multinomial", "class", intercept_gauge=True, self_concordance=np.sqrt(2.0)),
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
