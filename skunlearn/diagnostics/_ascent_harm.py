"""Gradient alignment and the ascent harm test: Lemma 3 of [1]_ made operational.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from ..unlearners import DescentAscent, Newton
from ._da_stationary import da_end
from ._forget_split import ForgetSplit
from ._per_sample import _safe_norms

__all__ = ["AscentHarm", "GradientAlignment", "ascent_harm", "gradient_alignment"]


def _cosine(a, b):
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b) / float(norm) if norm > 0 else 0.0


@dataclass
class GradientAlignment:
    """Alignment of the forget and retain loss gradients at the current weights.

    Attributes
    ----------
    forget_retain : float
        ``cos(mean_F grad l, mean_R grad l)``. At the original model the two
        means are tied by stationarity (``|F| mean_F + |R| mean_R`` equals
        minus the ridge gradient), so this is close to -1 whenever the ridge
        is weak: the forget set's pull is what the retain set balances.
    pairwise : float
        Mean over all (forget, retain) pairs of ``cos(grad l_f, grad l_r)``
        (sample-weighted), computed from the two mean unit gradients: 0 when
        forget and retain gradients are unrelated, 1 when every forget
        gradient points like every retain gradient (the fully correlated
        constructions of [1]_), so that ascent on F is ascent on R.
    forget_norm, retain_norm : float
        Euclidean norms of the two mean gradients.
    """

    forget_retain: float
    pairwise: float
    forget_norm: float
    retain_norm: float

    def to_dict(self):
        """Plain-Python dict."""
        return asdict(self)


def gradient_alignment(estimator, X_forget, y_forget=None):
    """Cosines between forget and retain loss gradients: of the means, and pairwise.

    Reads the retain rows (the privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.

    Returns
    -------
    result : GradientAlignment

    See Also
    --------
    ascent_harm : The cosine between the descent-ascent step and the oracle.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.diagnostics import gradient_alignment
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2))
    >>> y = X @ [1.0, -1.0] + rng.normal(size=100)
    >>> result = gradient_alignment(Ridge(alpha=10.0).fit(X, y), X[:5], y[:5])
    >>> bool(-1.0 <= result.forget_retain <= 1.0)
    True
    """
    return _gradient_alignment(ForgetSplit(estimator, X_forget, y_forget))


@threadpool_limits.wrap(limits=1, user_api="blas")
def _gradient_alignment(split):
    moments = split.retain_moments
    weight_f = split.forget_sample_weight
    G_f = split.forget_gradients
    forget_mean = weight_f @ G_f / float(np.sum(weight_f))
    retain_mean = moments.first / moments.total
    forget_unit = (weight_f / _safe_norms(G_f)) @ G_f / float(np.sum(weight_f))
    return GradientAlignment(
        forget_retain=_cosine(forget_mean, retain_mean),
        pairwise=float(forget_unit @ moments.unit) / moments.total,
        forget_norm=float(np.linalg.norm(forget_mean)),
        retain_norm=float(np.linalg.norm(retain_mean)),
    )


@dataclass
class AscentHarm:
    """What descent-ascent does from the original model: its first step and where it ends.

    Distances are relative to the deletion effect ``||w_D - w_R||`` (``w_D``
    the current weights, ``w_R`` the oracle): 0 is the oracle, 1 is doing
    nothing. The oracle is *computed* (Newton on the retain rows), and the end
    of descent-ascent is *found* by following its path (see
    :func:`ascent_harm`), so both read the retain rows.

    Attributes
    ----------
    inner : float
        ``<-grad L_DA(w_D), w_R - w_D>``: negative means the first
        descent-ascent step moves away from the oracle.
    cosine : float
        Cosine of the same two vectors.
    learning_rate : float
        Step size of the first step (and of the DA run followed).
    step_distance : float
        Normalised distance to the oracle after that step.
    stationary_distance : float
        Normalised distance from the end of DA's path to the oracle: the local
        minimum of ``L_DA`` it settles in; inf when it diverges; the last point
        followed when the outcome is undetermined.
    stationary_found : bool
        Whether DA's path settles in a local minimum of ``L_DA``.
    opposite_side : bool
        The end point and the oracle lie on opposite sides of ``w_D``
        (``<w_DA - w_D, w_R - w_D> < 0``), the situation of Lemma 3 of [1]_.
    deletion_effect : float
        ``||w_D - w_R||``.
    oracle_residual : float
        Gradient of the retain objective at the computed oracle
        (per-sample-mean units, max-norm).
    oracle : ndarray of shape (n_params,)
        The computed oracle parameters ``w_R``.
    stationary_point : ndarray of shape (n_params,) or None
        The local minimum ``w_DA`` where DA settles, None otherwise.
    outcome : {"settles", "diverges", "undetermined"}
        "diverges": along DA's path ``L_DA`` keeps falling until the weights
        leave the divergence bound of
        :class:`~skunlearn.unlearners.DescentAscent` (``1e4 (1 + ||w_D||)``),
        where DA stops with a warning. "undetermined": neither within the
        step budget.
    distance_error : float
        First-order bound on the error of ``stationary_distance`` from the
        residual gradients of the end point and of the oracle (inf unless DA
        settles).
    step_stable : bool
        DA's fixed step can converge to the end point:
        ``learning_rate * lambda_max(hess L_DA(w_DA)) < 2``. When False, DA
        oscillates there or leaves, and the prediction is uncertain (False
        unless DA settles).
    path_confirmed : bool
        Whether the end is confirmed: continuations started at two points of
        DA's own path reached it, and DA's steps had covered most of the way
        (or left the divergence bound). When False, DA's fixed steps may
        still drift into a neighbouring minimum on the way: the verdict on
        harm usually stands, the distance is less certain.
    da_steps : int
        DA steps taken from ``w_D`` before the last continuation.
    flow_steps : int
        Damped Newton steps of the last continuation.
    """

    inner: float
    cosine: float
    learning_rate: float
    step_distance: float
    stationary_distance: float
    stationary_found: bool
    opposite_side: bool
    deletion_effect: float
    oracle_residual: float
    oracle: np.ndarray
    stationary_point: np.ndarray | None
    outcome: str
    distance_error: float
    step_stable: bool
    path_confirmed: bool
    da_steps: int
    flow_steps: int

    @property
    def moves_toward(self):
        """The first descent-ascent step moves toward the oracle (``inner > 0``)."""
        return self.inner > 0

    @property
    def diverges(self):
        """DA's path leaves its divergence bound (DA stops with a divergence warning)."""
        return self.outcome == "diverges"

    @property
    def harmful(self):
        """DA ends farther from the oracle than ``w_D``, or diverges."""
        return self.diverges or not self.stationary_distance <= 1.0

    @property
    def verdict(self):
        """One-line reading of the prediction."""
        first = "toward" if self.moves_toward else "away from"
        if not np.isfinite(self.deletion_effect):
            return "harmful: forgetting does not move the model, so any DA movement is harm"
        label = "harmful" if self.harmful else "no harm"
        if self.diverges:
            return (
                f"harmful: the first step moves {first} the oracle, then DA runs away (along "
                "its path L_DA keeps falling past DA's divergence bound)"
            )
        if self.outcome == "undetermined":
            return (
                f"{label} (undetermined): the first step moves {first} the oracle; DA's path "
                f"has not settled after {self.da_steps} DA and {self.flow_steps} Newton "
                f"steps, its last point is {self.stationary_distance:.3g}x the deletion effect "
                "away"
            )
        caveat = "" if self.step_stable else " (but DA's 1/L step is unstable there)"
        if not self.path_confirmed:
            caveat += f" (not confirmed along DA's path after {self.da_steps} DA steps)"
        return (
            f"{label}: the first step moves {first} the oracle and DA settles "
            f"{self.stationary_distance:.3g}x (+-{self.distance_error:.1g}) the deletion "
            f"effect away{caveat}"
        )

    def to_dict(self):
        """Plain-Python dict, with the derived verdict."""
        out = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(self).items()}
        derived = {"moves_toward": self.moves_toward, "diverges": self.diverges}
        return {**out, **derived, "harmful": self.harmful, "verdict": self.verdict}


def ascent_harm(estimator, X_forget, y_forget=None, *, ascent_weight=1.0, learning_rate="auto"):
    """Whether descent-ascent moves toward the oracle, and where it ends, without running it.

    With ``L_DA = L_R - ascent_weight * mean_F loss`` the descent-ascent
    objective in per-sample-mean units (see
    :class:`~skunlearn.unlearners.DescentAscent`, simultaneous schedule), the
    test

    1. computes the oracle ``w_R`` by Newton steps on the retain objective from
       the current weights ``w_D`` (to a gradient of 1e-12 per sample: this is
       the oracle itself, obtained without a refit, not an estimate of it);
    2. reports the sign and cosine of ``<-grad L_DA(w_D), w_R - w_D>``
       (negative: descent-ascent moves away from the oracle from its first
       step) and the distance to the oracle after one step of size
       ``learning_rate``;
    3. follows descent-ascent's path from ``w_D`` (the gradient flow of
       ``L_DA``, with damped Newton steps that start as DA steps and lengthen
       while a quadratic model of ``L_DA`` holds) to the local minimum it
       settles in, or until ``L_DA`` keeps falling past DA's divergence bound.
       ``L_DA`` can have several local minima; following the path from
       ``w_D`` finds the one DA reaches, not the one nearest the oracle.

    Lemma 3 of [1]_ proves that the end point can lie on the other side of
    ``w_D`` from the oracle, so that any amount of descent-ascent is worse than
    doing nothing. The test answers what DA with this step size does when run
    to convergence; it costs a few dozen passes over all rows, far fewer than
    DA itself. Its uncertainty is reported: ``distance_error`` (rounding of
    both end points) and ``step_stable`` (whether DA's fixed step can settle
    where its flow does).

    Reads the retain rows (the privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.
    ascent_weight : float, default=1.0
        Weight gamma of the ascent term (1 in [1]_).
    learning_rate : float or "auto", default="auto"
        DA's step size; "auto" is the default of
        :class:`~skunlearn.unlearners.DescentAscent`, ``1 / L`` with ``L`` the
        largest eigenvalue of the Hessian of ``L_R`` at ``w_D``.

    Returns
    -------
    result : AscentHarm

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import ascent_harm
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> harm = ascent_harm(LogisticRegression().fit(X, y), X[:15], y[:15], ascent_weight=0.05)
    >>> harm.outcome, bool(harm.deletion_effect > 0), bool(-1 <= harm.cosine <= 1)
    ('settles', True, True)
    """
    return _ascent_harm(ForgetSplit(estimator, X_forget, y_forget), ascent_weight, learning_rate)


@threadpool_limits.wrap(limits=1, user_api="blas")
def _ascent_harm(split, ascent_weight=1.0, learning_rate="auto"):
    p = split.problem
    oracle, residual, oracle_radius = _compute_oracle(split)
    retain = p.mean_retain_objective()
    forget = p.mean_forget_objective(scale=-ascent_weight)
    if learning_rate == "auto":
        mean_hessian = split.retain_hessian() / p.retain_total
        learning_rate = 1.0 / float(scipy.linalg.eigvalsh(mean_hessian)[-1])
    theta = split.theta
    direction = -(retain.value_grad(theta)[1] + forget.value_grad(theta)[1])
    toward = oracle - theta
    effect = float(np.linalg.norm(toward))
    if effect <= 1e-12 * (1.0 + float(np.linalg.norm(theta))):
        effect = np.nan  # forgetting does not move the model: nothing to compare against
    bound = DescentAscent().divergence_factor * (1.0 + np.linalg.norm(theta))
    end = da_end(retain, forget, theta, learning_rate, bound)
    return AscentHarm(
        inner=float(direction @ toward),
        cosine=_cosine(direction, toward),
        learning_rate=float(learning_rate),
        step_distance=float(np.linalg.norm(theta + learning_rate * direction - oracle)) / effect,
        **_end_fields(end, theta, oracle, effect, oracle_radius, learning_rate),
        deletion_effect=effect,
        oracle_residual=residual,
        oracle=oracle,
    )


def _end_fields(end, theta, oracle, effect, oracle_radius, learning_rate):
    """The :class:`AscentHarm` fields that describe the end of DA's path."""
    settles = end.outcome == "settles"
    low, high = end.curvature
    distance = np.inf if end.outcome == "diverges" else np.linalg.norm(end.theta - oracle) / effect
    radius = end.residual / low if settles and low > 0 else np.inf
    return {
        "stationary_distance": float(distance),
        "stationary_found": settles,
        "opposite_side": bool(settles and (end.theta - theta) @ (oracle - theta) < 0),
        "stationary_point": end.theta if settles else None,
        "outcome": end.outcome,
        "distance_error": float((radius + oracle_radius * (1.0 + distance)) / effect),
        "step_stable": bool(settles and learning_rate * high < 2.0),
        "path_confirmed": end.confirmed,
        "da_steps": end.da_steps,
        "flow_steps": end.n_steps,
    }


def _compute_oracle(split):
    """Newton on ``J_R`` from the current weights: the oracle, its residual and error radius.

    The residual is ``max|grad J_R|`` in per-sample-mean units; the radius is
    the first-order bound ``||grad J_R|| / lambda_min(hess J_R)``.
    """
    objective = split.problem.retain_objective()
    theta = Newton(tol=1e-12, max_iter=50).run(split.problem).theta
    grad = objective.value_grad(theta)[1]
    lowest = float(scipy.linalg.eigvalsh(split.retain_hessian())[0])
    radius = float(np.linalg.norm(grad)) / lowest if lowest > 0 else np.inf
    return theta, float(np.max(np.abs(grad))) / objective.total_weight, radius
