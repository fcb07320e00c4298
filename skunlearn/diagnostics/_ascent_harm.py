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

from ..unlearners import Newton
from ._da_stationary import STATIONARY_STEPS, da_stationary_point
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
    return _gradient_alignment(ForgetSplit(estimator, X_forget, y_forget, "gradient_alignment"))


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
    """Prediction of what descent-ascent does, made from the original model alone.

    Distances are relative to the deletion effect ``||w_D - w_R||`` (``w_D``
    the current weights, ``w_R`` the oracle estimated by Newton steps on the
    retain objective): 0 is the oracle, 1 is doing nothing.

    Attributes
    ----------
    inner : float
        ``<-grad L_DA(w_D), w_R - w_D>``: negative means the first
        descent-ascent step moves away from the oracle.
    cosine : float
        Cosine of the same two vectors.
    learning_rate : float
        Step size of the predicted first step.
    step_distance : float
        Normalised distance to the oracle after that step.
    stationary_distance : float
        Normalised distance from the descent-ascent stationary point (the local
        minimum of ``L_DA`` reached by Newton steps from ``w_D``) to the
        oracle; inf when there is none (descent-ascent diverges).
    stationary_found : bool
        Whether a local minimum of ``L_DA`` was found within 25 Newton (or
        gradient) steps from ``w_D`` and inside the divergence bound of
        :class:`~skunlearn.unlearners.DescentAscent` (False: descent-ascent
        runs away).
    opposite_side : bool
        The stationary point and the oracle lie on opposite sides of ``w_D``
        (``<w_DA - w_D, w_R - w_D> < 0``), the situation of Lemma 3 of [1]_.
    deletion_effect : float
        ``||w_D - w_R||``.
    oracle_residual : float
        Gradient of the retain objective at the estimated oracle
        (per-sample-mean units, max-norm).
    oracle : ndarray of shape (n_params,)
        The estimated oracle parameters ``w_R``.
    stationary_point : ndarray of shape (n_params,) or None
        The descent-ascent stationary point ``w_DA``, None when there is none.
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

    @property
    def moves_toward(self):
        """The first descent-ascent step moves toward the oracle (``inner > 0``)."""
        return self.inner > 0

    @property
    def diverges(self):
        """No local minimum of ``L_DA`` was found from the original weights."""
        return not self.stationary_found

    @property
    def harmful(self):
        """DA is predicted to end farther from the oracle than ``w_D``, or to diverge."""
        return self.diverges or not self.stationary_distance <= 1.0

    @property
    def verdict(self):
        """One-line reading of the prediction."""
        first = "toward" if self.moves_toward else "away from"
        if not np.isfinite(self.deletion_effect):
            return "harmful: forgetting does not move the model, so any DA movement is harm"
        if self.diverges:
            return (
                f"harmful: the first step moves {first} the oracle, then DA runs away (no "
                f"stationary point within {STATIONARY_STEPS} Newton steps)"
            )
        if self.harmful:
            return (
                f"harmful: the first step moves {first} the oracle and DA settles "
                f"{self.stationary_distance:.3g}x the deletion effect away"
            )
        return (
            f"no harm: the first step moves {first} the oracle and DA settles "
            f"{self.stationary_distance:.3g}x the deletion effect away"
        )

    def to_dict(self):
        """Plain-Python dict, with the derived verdict."""
        out = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(self).items()}
        derived = {"moves_toward": self.moves_toward, "diverges": self.diverges}
        return {**out, **derived, "harmful": self.harmful, "verdict": self.verdict}


def ascent_harm(estimator, X_forget, y_forget=None, *, ascent_weight=1.0, learning_rate="auto"):
    """Predict, before running it, whether descent-ascent moves toward the oracle.

    With ``L_DA = L_R - ascent_weight * mean_F loss`` the descent-ascent
    objective in per-sample-mean units (see
    :class:`~skunlearn.unlearners.DescentAscent`), the test estimates the oracle
    ``w_R`` by Newton steps on the retain objective from the current weights
    ``w_D`` (no retraining), then reports the sign and cosine of
    ``<-grad L_DA(w_D), w_R - w_D>`` (negative: descent-ascent moves away from
    the oracle from its first step), the normalised distance to the oracle
    after one step of size ``learning_rate``, and where the stationary point of
    ``L_DA`` lies: Lemma 3 of [1]_ proves that it can lie on the other side of
    ``w_D`` from the oracle, so that any amount of descent-ascent is worse than
    doing nothing.

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
        Step size of the predicted first step; "auto" is the default of
        :class:`~skunlearn.unlearners.DescentAscent`, ``1 / L`` with ``L`` the
        largest eigenvalue of the Hessian of ``L_R``.

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
    >>> harm = ascent_harm(LogisticRegression().fit(X, y), X[:15], y[:15])
    >>> bool(harm.deletion_effect > 0), bool(-1 <= harm.cosine <= 1)
    (True, True)
    """
    split = ForgetSplit(estimator, X_forget, y_forget, "ascent_harm")
    return _ascent_harm(split, ascent_weight, learning_rate)


@threadpool_limits.wrap(limits=1, user_api="blas")
def _ascent_harm(split, ascent_weight=1.0, learning_rate="auto"):
    p = split.problem
    oracle, residual = _estimate_oracle(split)
    retain = p.mean_retain_objective()
    forget = p.mean_forget_objective(scale=-ascent_weight)
    mean_hessian = split.retain_hessian() / p.retain_total
    if learning_rate == "auto":
        learning_rate = 1.0 / float(scipy.linalg.eigvalsh(mean_hessian)[-1])
    theta = split.theta
    direction = -(retain.value_grad(theta)[1] + forget.value_grad(theta)[1])
    toward = oracle - theta
    effect = float(np.linalg.norm(toward))
    if effect <= 1e-12 * (1.0 + float(np.linalg.norm(theta))):
        effect = np.nan  # forgetting does not move the model: nothing to compare against
    stationary = da_stationary_point(retain, forget, theta, mean_hessian, learning_rate)
    if stationary is None:
        distance, opposite = np.inf, False
    else:
        distance = float(np.linalg.norm(stationary - oracle)) / effect
        opposite = bool((stationary - theta) @ toward < 0)
    return AscentHarm(
        inner=float(direction @ toward),
        cosine=_cosine(direction, toward),
        learning_rate=float(learning_rate),
        step_distance=float(np.linalg.norm(theta + learning_rate * direction - oracle)) / effect,
        stationary_distance=distance,
        stationary_found=stationary is not None,
        opposite_side=opposite,
        deletion_effect=effect,
        oracle_residual=residual,
        oracle=oracle,
        stationary_point=stationary,
    )


def _estimate_oracle(split):
    """Newton removal on ``J_R`` from the current weights (the ``newton`` unlearner)."""
    theta = Newton(tol=1e-12, max_iter=50).run(split.problem).theta
    objective = split.problem.retain_objective()
    grad = objective.value_grad(theta)[1]
    return theta, float(np.max(np.abs(grad))) / objective.total_weight
