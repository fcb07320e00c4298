"""Certified removal: the certificate, the noise that makes it, and the residual bounds.

Certified removal [1]_ trades exactness for a formal guarantee: the model
released after a deletion is ``(epsilon, delta)``-indistinguishable from
the model a retraining with fresh randomness would release. Two mechanisms
live in :mod:`skunlearn.unlearners`: loss perturbation with a gradient-residual
budget (:class:`~skunlearn.unlearners.CertifiedNewton`, Guo et al. [1]_) and
output noise with a deletion capacity
(:class:`~skunlearn.unlearners.DataFreeNewton`, Sekhari et al. [2]_). This
module holds what they share: the public :class:`Certificate`, the noise
draws, the perturbed objective ``J(theta) + b . theta``, the loss constants
and the data-dependent bound on a Newton step's gradient residual.

References
----------
.. [1] C. Guo, T. Goldstein, A. Hannun, L. van der Maaten, "Certified Data
   Removal from Machine Learning Models", ICML 2020.
.. [2] A. Sekhari, J. Acharya, G. Kamath, A. T. Suresh, "Remember What You
   Want to Forget: Algorithms for Machine Unlearning", NeurIPS 2021.
"""

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg

from ._kernels import linear_predictor
from ._objective import LinearObjective

__all__ = [
    "Certificate",
    "LossConstants",
    "PerturbedObjective",
    "loss_constants",
    "measured_residual",
    "newton_residual_bound",
    "sample_perturbation",
    "step_rounding_bound",
]


@dataclass(frozen=True)
class Certificate:
    """What a compliance officer needs to know about a certified model.

    Parameters
    ----------
    epsilon : float
        Privacy parameter of the guarantee (``inf``: no guarantee, no noise).
    delta : float
        Failure probability of the guarantee (0: pure ``epsilon``).
    budget : float
        What may be spent before a retraining: for
        :class:`~skunlearn.unlearners.CertifiedNewton` the gradient residual
        ``beta`` (Euclidean norm, in the units of the estimator's objective);
        for :class:`~skunlearn.unlearners.DataFreeNewton` the deletion
        capacity (total sample weight that may be deleted).
    spent : float
        How much of ``budget`` the current model has used: a certified upper
        bound on ``||grad L_b(theta; D)||`` of the current model on the current
        rows, or the sample weight deleted so far. It depends on the deleted
        rows: it is bookkeeping, not covered by the guarantee; do not publish it.
    deletions_since_retrain : int
        Rows deleted since the last (re)training.
    retrains : int
        Retrainings with fresh noise since ``fit``.
    method : str
        The mechanism and its removal step (e.g. ``"loss perturbation, one
        Newton step"``).

    Examples
    --------
    >>> from skunlearn.unlearners import Certificate
    >>> certificate = Certificate(epsilon=1.0, delta=0.0, budget=0.5, spent=0.125)
    >>> certificate.remaining
    0.375
    >>> sorted(certificate.to_dict())[:3]
    ['budget', 'deletions_since_retrain', 'delta']
    """

    epsilon: float
    delta: float
    budget: float
    spent: float
    deletions_since_retrain: int = 0
    retrains: int = 0
    method: str = ""

    @property
    def remaining(self):
        """``budget - spent``: what is left before a retraining (or refusal)."""
        return self.budget - self.spent

    def to_dict(self):
        """The certificate as a plain-Python dict.

        Returns
        -------
        certificate : dict
            The fields above and ``remaining``.
        """
        return {**asdict(self), "remaining": self.remaining}


@dataclass(frozen=True)
class LossConstants:
    """Global constants of a per-sample loss in its linear predictor ``z``.

    Attributes
    ----------
    gradient : float or None
        ``G >= ||dl/dz||_2`` for every ``z`` and target (None: unbounded).
    hessian_lipschitz : float
        ``gamma >= ||d2l/dz2 (z) - d2l/dz2 (z')||_2 / ||z - z'||_2``.
    """

    gradient: float | None
    hessian_lipschitz: float


# Logistic: |l'| <= 1, |l'''| <= 1 / (6 sqrt(3)) (at sigma = (3 -+ sqrt(3)) / 6; Guo et
# al. use the looser 1/4). Multinomial: ||p - e_y|| <= sqrt(2); the derivative of
# diag(p) - p p^T along delta is diag(dp) - dp p^T - p dp^T with ||dp|| <= ||delta|| / 2,
# so gamma <= 3 / 2. Squared: constant curvature.
_CONSTANTS = {
    "logistic": LossConstants(1.0, 1.0 / (6.0 * np.sqrt(3.0))),
    "multinomial": LossConstants(np.sqrt(2.0), 1.5),
    "squared": LossConstants(None, 0.0),
}


def loss_constants(loss, what):
    """The :class:`LossConstants` of a loss, or a ValueError naming ``what`` needs them."""
    try:
        return _CONSTANTS[loss.name]
    except KeyError:
        raise ValueError(
            f"{what} needs a loss with a Lipschitz second derivative (log_loss, multinomial "
            f"or squared); the {loss.name} loss has none."
        ) from None


class PerturbedObjective(LinearObjective):
    """``J(theta) + b . theta``: Guo et al.'s loss perturbation of a :class:`LinearObjective`.

    Same rows, weights and Hessian as ``objective``; the value and gradient
    carry the linear term, so every solver minimises the perturbed objective.
    """

    def __init__(self, objective, perturbation):
        super().__init__(
            objective.spec,
            objective.X,
            objective.y,
            objective.weights,
            n_outputs=objective.n_outputs,
            fit_intercept=objective.fit_intercept,
            l2=objective.l2,
            intercept_l2=objective.intercept_l2,
        )
        self.perturbation = np.asarray(perturbation, dtype=np.float64)

    def value_grad(self, theta):
        value, grad = super().value_grad(theta)
        return value + float(self.perturbation @ theta), grad + self.perturbation

    def hessian_value_grad(self, theta):
        H, value, grad, squares = super().hessian_value_grad(theta)
        return H, value + float(self.perturbation @ theta), grad + self.perturbation, squares


def free_basis(layout, loss):
    """Orthonormal basis of the directions the objective depends on, or None for all.

    The multinomial loss with intercepts ignores a common shift of the
    intercepts: a perturbation along it would make the objective unbounded,
    so the noise lives on its orthogonal complement.
    """
    if not (loss.intercept_gauge and layout.fit_intercept):
        return None
    gauge = layout.gauge_basis(True, False)
    return scipy.linalg.null_space(gauge.T)


def sample_perturbation(rng, n_params, epsilon, delta, scale, basis=None):
    """Draw Guo et al.'s perturbation ``b`` of a certified fit.

    With ``delta = 0``, ``b`` has the density ``p(b) ∝ exp(-epsilon ||b|| /
    scale)`` (Theorem 3 of [1]_: ``epsilon``-certified removal while the
    gradient residual stays below ``scale``): a uniform direction times a
    norm drawn from ``Gamma(k, scale / epsilon)`` (shape ``k``, the
    dimension). With ``delta > 0``, ``b ~ N(0, sigma^2 I)`` with ``sigma =
    c scale / epsilon`` and ``c = sqrt(2 log(1.5 / delta))`` (Theorem 3,
    Gaussian part: ``(epsilon, delta)``-certified removal). ``epsilon = inf``
    gives ``b = 0``.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_params : int
        Length of ``b``.
    epsilon : float
    delta : float
    scale : float
        The gradient-residual budget ``beta``.
    basis : ndarray of shape (n_params, k) or None, default=None
        Orthonormal basis of the subspace ``b`` lives in (None: all of it).

    Returns
    -------
    b : ndarray of shape (n_params,)

    References
    ----------
    .. [1] C. Guo, T. Goldstein, A. Hannun, L. van der Maaten, "Certified Data
       Removal from Machine Learning Models", ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> b = sample_perturbation(np.random.default_rng(0), 3, 1.0, 0.0, 0.5)
    >>> b.shape
    (3,)
    >>> sample_perturbation(np.random.default_rng(0), 3, np.inf, 0.0, 0.5)
    array([0., 0., 0.])
    """
    if np.isinf(epsilon):
        return np.zeros(n_params)
    k = n_params if basis is None else basis.shape[1]
    gaussian = rng.standard_normal(k)
    if delta > 0:
        draw = np.sqrt(2.0 * np.log(1.5 / delta)) * scale / epsilon * gaussian
    else:
        norm = rng.gamma(k, scale / epsilon)
        draw = norm * gaussian / np.linalg.norm(gaussian)
    return draw if basis is None else basis @ draw


def measured_residual(objective, theta):
    """``||grad J_b(theta)||_2`` plus the rounding error bound of its computation.

    One pass over the rows: an upper bound on the exact residual (the
    gradient's worst-case rounding, Higham's summation bound, plus one unit
    per component for adding ``b``).
    """
    from .diagnostics._rounding import gradient_rounding_bound  # diagnostics import unlearners

    grad = objective.value_grad(theta)[1]
    rounding = gradient_rounding_bound(objective, theta)
    perturbation = getattr(objective, "perturbation", np.zeros_like(grad))
    rounding = rounding + np.finfo(np.float64).eps * (np.abs(perturbation) + np.abs(grad))
    return float(np.linalg.norm(grad) + np.linalg.norm(rounding))


def weighted_spectral_norm(objective):
    """``||C^(1/2) X~||_2`` over the objective's rows (``X~ = [X, 1]`` with intercepts)."""
    gram = LinearObjective(
        "squared",
        objective.X,
        np.zeros((objective.X.shape[0], 1)),
        objective.weights,
        n_outputs=1,
        fit_intercept=objective.fit_intercept,
    ).loss_hessian(np.zeros(objective.n_features + objective.fit_intercept))
    top = scipy.linalg.eigvalsh(gram / 2.0, subset_by_index=[len(gram) - 1, len(gram) - 1])
    return float(np.sqrt(max(top[0], 0.0)))


def newton_residual_bound(objective, step, gamma, spectral=None, offset=None):
    """Bound on the gradient residual a Newton step leaves (Guo et al., Corollary 1).

    After ``theta + u`` with ``H u = -g`` (``g`` the gradient to cancel, ``H``
    the Hessian at ``theta``, or at an anchor ``theta_s = theta - offset``),
    the residual is ``r = int_0^1 (H(theta + t u) - H) u dt`` (the ridge and
    the perturbation cancel). With ``delta_i = x~_i^T U`` and ``a_i = x~_i^T
    (theta - theta_s)`` the changes of row ``i``'s linear predictor and
    ``gamma`` the Lipschitz constant of the loss's second derivative,
    ``||r|| <= gamma ||C^(1/2) X~||_2 (sum_i c_i (||a_i|| + ||delta_i|| / 2)^2
    ||delta_i||^2)^(1/2)``; with the Hessian at ``theta`` (``a = 0``) that is
    ``(gamma / 2) ||C^(1/2) X~||_2 (sum_i c_i ||delta_i||^4)^(1/2)``. Guo et
    al.'s Corollary 1, ``gamma ||X||_2 ||u|| ||X u||``, follows from it by
    ``||delta_i|| <= ||x_i|| ||u||`` with ``||x_i|| <= 1``; this form needs no
    bound on the rows. One ``O(n d)`` pass over the rows (and one Gram matrix
    for the spectral norm when not given).

    Parameters
    ----------
    objective : LinearObjective
        The objective of the step (its rows and row weights ``c``).
    step : ndarray of shape (n_params,)
        ``u``.
    gamma : float
        Lipschitz constant of the loss's second derivative in ``z``.
    spectral : float or None, default=None
        An upper bound on ``||C^(1/2) X~||_2``; None computes it (one Gram
        matrix). Removing rows can only lower it: the value of a superset of
        the rows, scaled by the growth of the row weights, bounds it.
    offset : ndarray of shape (n_params,) or None, default=None
        ``theta - theta_s`` when the step used the Hessian at ``theta_s``.

    Returns
    -------
    bound : float
    """
    if gamma == 0.0:
        return 0.0
    directions = [step] if offset is None else [step, offset]
    change, *stale = _predictor_norms(objective, directions)
    stale = stale[0] if stale else 0.0
    total = float(objective.weights @ ((stale + change / 2.0) * change) ** 2)
    if spectral is None:
        spectral = weighted_spectral_norm(objective)
    return gamma * spectral * np.sqrt(total)


def step_rounding_bound(hessian, step, n_rows, forget, theta):
    """Rounding of a Newton step's inputs: its Hessian and the removed rows' gradient.

    ``(n_rows + 2 p) u tr|H| ||u||`` bounds ``||(H_exact - H) u||`` plus the
    Cholesky solve's backward error (``p`` parameters, ``u = 2^-53``; the
    Hessian is a sum of ``n_rows`` terms), and the rounding bound of the
    gradient of ``forget`` at ``theta`` (:func:`measured_residual`'s) the rest.
    """
    from .diagnostics._rounding import gradient_rounding_bound  # diagnostics import unlearners

    unit = np.finfo(np.float64).eps / 2
    trace = float(np.trace(np.abs(hessian)))
    solve = (n_rows + 2 * len(hessian)) * unit * trace * float(np.linalg.norm(step))
    return solve + float(np.linalg.norm(gradient_rounding_bound(forget, theta)))


def _predictor_norms(objective, directions):
    """``||x~_i^T V||`` of every row for each parameter direction ``V``, in one pass."""
    parts = [objective.unpack(np.asarray(v, dtype=np.float64)) for v in directions]
    coef = np.vstack([coef for coef, _ in parts])
    intercept = np.concatenate([intercept for _, intercept in parts])
    Z = linear_predictor(objective.X, coef, intercept)
    K = objective.n_outputs
    return [np.linalg.norm(Z[:, k * K : (k + 1) * K], axis=1) for k in range(len(parts))]
