"""Penalties of linear models: L2, L1, elastic-net, positivity; the one place each is described.

A :class:`Penalty` is ``(l2 / 2) ||coef||^2 + l1 ||coef||_1`` on the coefficients
(``l2`` may differ per output: Ridge's per-target ``alpha``), optionally with the
constraint ``coef >= 0`` (Ridge's ``positive=True``, the indicator of the
non-negative orthant as a penalty) and, with
``intercept_scaling`` set, the same terms on the intercepts seen as the weight of
a constant feature of that value (liblinear's objective, see
:class:`~skunlearn.LogisticRegression`). It knows where each term falls in the
parameter vector (:mod:`skunlearn._parameters`): the smooth part enters
:class:`~skunlearn._objective.LinearObjective` as a per-parameter ridge
diagonal, the non-smooth part is what proximal methods handle, through
:meth:`Penalty.prox` (its proximal map) and :meth:`Penalty.residual` (the
minimum-norm subgradient of the composite objective, zero exactly at its
minimiser).

Methods and diagnostics that assume a smooth objective ask :attr:`Penalty.smooth`
and refuse a non-smooth one by name.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["Penalty", "l1_residual", "ridge_diagonal", "soft_threshold"]


@dataclass(frozen=True)
class Penalty:
    """``(l2 / 2) ||coef||^2 + l1 ||coef||_1`` (plus intercept terms with ``intercept_scaling``).

    Attributes
    ----------
    l2 : float or ndarray of shape (n_outputs,)
        Ridge strength on the coefficients (per output when an array).
    l1 : float, default=0.0
        Lasso strength on the coefficients.
    intercept_scaling : float or None, default=None
        None: the intercepts are not penalised. A float ``s``: each intercept
        ``b`` is ``s`` times the weight of a constant feature of value ``s``,
        penalised like the coefficients: ``l2 b^2 / (2 s^2) + l1 |b| / s``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Examples
    --------
    >>> from skunlearn._parameters import ParameterLayout
    >>> layout = ParameterLayout(n_outputs=1, n_features=2, fit_intercept=True)
    >>> penalty = Penalty(l2=0.5, l1=0.5, intercept_scaling=2.0)
    >>> penalty.l2_diagonal(layout), penalty.l1_weights(layout)
    (array([0.5  , 0.5  , 0.125]), array([0.5 , 0.5 , 0.25]))
    """

    l2: object
    l1: float = 0.0
    intercept_scaling: float | None = None
    positive: bool = False

    @property
    def smooth(self):
        """Whether the penalty is differentiable and unconstrained (no L1 term, no bound)."""
        return not self.l1 and not self.positive

    @property
    def intercept_l2(self):
        """Ridge strength on the intercepts (0 unless ``intercept_scaling`` is set)."""
        if self.intercept_scaling is None:
            return 0.0
        return self.l2 / self.intercept_scaling**2

    def l2_diagonal(self, layout):
        """Ridge strength of each parameter, shape ``(n_params,)``."""
        return ridge_diagonal(layout, self.l2, self.intercept_l2)

    def l1_weights(self, layout):
        """Lasso strength of each parameter, shape ``(n_params,)``."""
        weights = np.zeros(layout.n_params)
        weights[: layout.n_coef] = float(self.l1)
        if self.intercept_scaling is not None:
            weights[layout.intercept_slice] = float(self.l1) / self.intercept_scaling
        return weights

    def scaled(self, factor):
        """The penalty multiplied by ``factor`` (a constraint stays as it is)."""
        return Penalty(self.l2 * factor, self.l1 * factor, self.intercept_scaling, self.positive)

    def _bounded(self, layout):
        bounded = np.zeros(layout.n_params, dtype=bool)
        bounded[: layout.n_coef] = self.positive
        return bounded

    def nonsmooth_value(self, theta, layout):
        """The L1 part at ``theta`` (the positivity constraint adds 0 at feasible points)."""
        return float(self.l1_weights(layout) @ np.abs(theta)) if self.l1 else 0.0

    def require_smooth(self, what):
        """Raise ValueError naming ``what`` when the penalty is not smooth.

        The one refusal of the methods that assume a twice-differentiable,
        unconstrained objective (Newton-step estimates, inverse-Hessian
        influence, the self-concordant distance bound).
        """
        if self.smooth:
            return
        if self.l1:
            term, detail = "L1 penalty", "an L1 term (l1_ratio > 0, a Lasso or an elastic net)"
        else:
            term, detail = "positivity constraint", "a positivity constraint (positive=True)"
        raise ValueError(
            f"{what} does not apply: the {term} is not differentiable, so the lemmas of "
            "'Ascent Fails to Forget' it rests on (curvature, strong convexity) and its "
            f"Newton-step and inverse-Hessian formulas do not hold: {what} assumes a smooth "
            "(twice-differentiable, unconstrained) training objective, and this model's "
            f"penalty has {detail}. Use a smooth penalty (l1_ratio=0, positive=False)."
        )

    def prox(self, theta, step, layout):
        """Proximal map of ``step`` times the non-smooth part: shrink, then project.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        step : float
        layout : ParameterLayout

        Returns
        -------
        theta : ndarray of shape (n_params,)
            A new array.
        """
        shrunk = soft_threshold(theta, step * self.l1_weights(layout))
        return np.where(self._bounded(layout), np.maximum(shrunk, 0.0), shrunk)

    def residual(self, theta, smooth_grad, layout):
        """Minimum-norm subgradient (projected at the bound) of the smooth part plus penalty.

        ``smooth_grad`` is the gradient of the smooth part (loss and ridge) at
        ``theta``; the result is zero exactly at a minimiser.
        """
        residual = l1_residual(theta, smooth_grad, self.l1_weights(layout))
        at_bound = self._bounded(layout) & (theta <= 0.0)
        return np.where(at_bound, np.minimum(residual, 0.0), residual)


def ridge_diagonal(layout, l2, intercept_l2=0.0):
    """Per-parameter ridge strengths from per-output (or scalar) ones, shape ``(n_params,)``.

    A loss's scale (the last parameter of a scaled layout) is never penalised.
    """
    diagonal = np.zeros(layout.n_params)
    outputs = (layout.n_outputs,)
    diagonal[: layout.n_coef] = np.repeat(np.broadcast_to(l2, outputs), layout.n_features)
    if layout.fit_intercept:
        diagonal[layout.intercept_slice] = np.broadcast_to(intercept_l2, outputs)
    return diagonal


def soft_threshold(theta, thresholds):
    """Proximal map of ``sum_j thresholds[j] |theta_j|``: ``sign(t) max(|t| - thr, 0)``.

    Examples
    --------
    >>> soft_threshold(np.array([-2.0, 0.5, 3.0]), np.array([1.0, 1.0, 0.0]))
    array([-1.,  0.,  3.])
    """
    return np.sign(theta) * np.maximum(np.abs(theta) - thresholds, 0.0)


def l1_residual(theta, smooth_grad, weights):
    """Minimum-norm subgradient of ``f(theta) + sum_j weights[j] |theta_j|``.

    ``smooth_grad`` is the gradient of the smooth part ``f`` at ``theta``.
    Where ``theta_j != 0`` the entry is ``g_j + w_j sign(theta_j)``; where
    ``theta_j == 0`` it is ``g_j`` shrunk towards zero by ``w_j``. It is zero
    exactly at a minimiser (the optimality condition of the composite
    objective), so its max-norm is the stopping criterion of proximal methods.

    Examples
    --------
    >>> l1_residual(np.array([0.0, 0.0, 1.0]), np.array([0.5, -2.0, -1.0]), np.ones(3))
    array([ 0., -1.,  0.])
    """
    at_zero = soft_threshold(smooth_grad, weights)
    return np.where(theta != 0.0, smooth_grad + weights * np.sign(theta), at_zero)
