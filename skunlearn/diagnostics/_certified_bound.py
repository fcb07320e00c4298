"""A certified bound on the distance to the oracle, from the current weights alone.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
.. [2] F. Bach, "Self-concordant analysis for logistic regression",
   Electronic Journal of Statistics 4, 2010.
.. [3] Q. Tran-Dinh, Y.-H. Li, V. Cevher, "Composite convex minimization
   involving self-concordant-like cost functions", 2015 (the multinomial
   constant).
"""

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from ._forget_split import check_lemma_conditions
from ._intercept_bound import intercept_bound, row_norms
from ._rounding import _UNIT, gradient_rounding_bound
from ._support import check_diagnosable

__all__ = ["CertifiedBound", "certified_bound"]

# The certified-region refinement is repeated while it shrinks the bound by
# at least _REFINE_GAIN, at most _REFINE_STEPS times (one Hessian pass each).
_REFINE_STEPS, _REFINE_GAIN = 4, 0.95


@dataclass
class CertifiedBound:
    """A bound on ``||w - w_oracle||`` computed from the current weights alone.

    Parameters
    ----------
    residual : float
        ``||grad J_R(w)||_2`` as computed, over the stored rows (after
        ``unlearn``: the oracle's objective), in the estimator's own units.
        For the multinomial loss, its part off the coefficient-shift and
        intercept-gauge directions (see :func:`certified_bound`).
    mu : float
        ``lambda_min`` of the Hessian of ``J_R`` at ``w`` (on the same
        directions), less its rounding error.
    nu : float
        Self-concordance constant of the loss over the stored rows (0 for the
        squared loss).
    bound : float
        Upper bound on ``||w - w_oracle||_2`` in the units of the parameters;
        inf outside the domain stated in :func:`certified_bound`.
    rounding : float
        Bound on the rounding error of the computed gradient (Euclidean), added
        to ``residual`` in every argument.
    method : str
        Which argument gave the bound: "quadratic" (squared loss, exact
        curvature), "local" (self-concordance around ``w``), "ridge" (global
        strong convexity, no intercept), "intercept" (global, by minimising
        the intercept out), each possibly followed by "+ region" (the
        curvature on the ball the bound certifies); "none" when infinite.

    Examples
    --------
    Returned by :func:`certified_bound`; after an exact unlearning the bound is
    at rounding level:

    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> from skunlearn.diagnostics import certified_bound
    >>> result = certified_bound(clf.unlearn(X[:10]))
    >>> result.method, bool(result.bound < 1e-6)
    ('local', True)
    """

    residual: float
    mu: float
    nu: float
    bound: float
    rounding: float = 0.0
    method: str = "none"

    def to_dict(self):
        """Plain-Python dict of the fields, for JSON.

        Returns
        -------
        fields : dict
            Field name to value.
        """
        return asdict(self)


@threadpool_limits.wrap(limits=1, user_api="blas")
def certified_bound(estimator):
    """Certified distance from the current weights to the oracle, without retraining.

    After ``unlearn`` the stored rows are the retain set, so the estimator's
    training objective is ``J_R``, the objective the oracle minimises. Let
    ``r = ||grad J_R(w)|| + e`` with ``e`` a worst-case bound on the rounding
    error of the computed gradient (so ``r > 0`` even when the gradient rounds
    to zero), ``mu = lambda_min(hess J_R(w))`` less its rounding error, and
    ``nu`` the generalised self-concordance constant of the loss [2]_
    (``|l'''| <= nu l''`` per unit parameter change: ``max_i ||(x_i, 1)||`` for
    the logistic and exponential losses, ``sqrt(2)`` times that for the
    multinomial one [3]_, 0 for the squared loss). The bound is the smallest
    of the arguments that apply:

    - squared loss: ``r / mu`` (the curvature is constant);
    - local: the curvature along the segment to the oracle stays above
      ``mu exp(-nu t)``, so ``||w - w_oracle|| <= -log(1 - nu r / mu) / nu``
      when ``nu r < mu``;
    - no intercept: ``r / l2`` (``J_R`` is ``l2``-strongly convex);
    - binary loss with an intercept, both classes present: with ``b(u)`` the
      best intercept for coefficients ``u`` (found by a bracketed root
      search), ``f(u) = J_R(u, b(u))`` is ``l2``-strongly convex and
      ``b(.)`` is ``R``-Lipschitz (``R = max_i ||x_i||``: ``db/du`` is a
      curvature-weighted mean of the rows), which bounds the coefficient and
      the intercept errors;
    - then, on the ball of that radius around ``w``, each row's curvature
      is at least ``exp(-nu_i radius)`` times its value at ``w``
      (``nu_i = ||(x_i, 1)||``), a larger strong-convexity constant that
      shrinks the radius (repeated while it helps).

    For the multinomial loss the objective splits exactly into a part along
    the coefficient shift shared by all classes (curvature ``l2``, minimum at
    zero: that part of the distance is known exactly) and the rest, where the
    arguments above run on the Hessian restricted to it; with intercepts the
    distance is to the oracle with the same intercept sum. Domain: the bound
    is finite for the squared loss, for every loss without an intercept when
    ``l2 > 0``, for binary losses with an intercept when ``l2 > 0`` and both
    classes are present, and otherwise (multinomial with intercepts) when
    ``nu r < mu``; it is inf outside.

    Reads the stored (retain) rows: a few gradient and Hessian passes (the
    privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`,
        typically after ``unlearn``.

    Returns
    -------
    result : CertifiedBound

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
    .. [2] F. Bach, "Self-concordant analysis for logistic regression",
       Electronic Journal of Statistics 4, 2010.
    .. [3] Q. Tran-Dinh, Y.-H. Li, V. Cevher, "Composite convex minimization
       involving self-concordant-like cost functions", 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import certified_bound
    >>> from skunlearn.unlearners import Finetune
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression(unlearner=Finetune(max_iter=3)).fit(X, y).unlearn(X[:20])
    >>> oracle = LogisticRegression(tol=1e-14).fit(X[20:], y[20:])
    >>> distance = np.linalg.norm(clf._theta() - oracle._theta())
    >>> bound = certified_bound(clf).bound
    >>> bool(distance <= bound <= 10 * distance)
    True
    """
    check_diagnosable(estimator, "certified_bound")
    estimator._model(1.0).spec.penalty.require_smooth("A certified bound")
    objective = estimator._training_objective()
    check_lemma_conditions(objective.spec, "A certified bound")
    theta = np.asarray(estimator._theta(), dtype=np.float64)
    split = _Split(objective)
    grad = split.reduce(objective.value_grad(theta)[1])
    rounding = float(np.linalg.norm(gradient_rounding_bound(objective, theta)))
    radius = float(np.linalg.norm(grad)) + rounding
    mu = split.lowest(objective.hessian(theta), objective)
    nu = _self_concordance(objective)
    exact = split.exact_part(theta)
    bound, method = _first_bound(objective, radius, mu, nu)
    total = np.hypot(exact, bound)
    if not np.isfinite(bound) and nu > 0 and objective.fit_intercept and objective.l2 > 0:
        total = intercept_bound(objective, theta)  # bounds the whole distance
        bound, method = total, "intercept"
    if np.isfinite(bound) and nu > 0:
        refined, method = _refine(objective, theta, split, radius, bound, method)
        total = min(total, np.hypot(exact, refined))
    return CertifiedBound(float(np.linalg.norm(grad)), mu, nu, float(total), rounding, method)


def _first_bound(objective, radius, mu, nu):
    """The smallest applicable argument: quadratic, local or ridge (inf if none applies)."""
    if nu == 0.0:
        return (radius / mu, "quadratic") if mu > 0 else (np.inf, "none")
    candidates = [(np.inf, "none")]
    if mu > 0 and nu * radius < mu:
        candidates.append((float(-np.log1p(-nu * radius / mu) / nu), "local"))
    weakest = float(np.min(objective.l2_diagonal, initial=np.inf))
    if weakest > 0:  # every parameter penalised (no intercept, or liblinear's)
        candidates.append((radius / weakest, "ridge"))
    return min(candidates)


class _Split:
    """Directions the bound works on: all of them, or (multinomial) the complement of the
    coefficient shift shared by all classes and of the intercept gauge."""

    def __init__(self, objective):
        K, d = objective.n_outputs, objective.n_features
        self.shift = None
        if objective.loss == "multinomial":
            shift = np.zeros((objective.n_params, d))
            for k in range(K):
                shift[k * d : (k + 1) * d] = np.eye(d) / np.sqrt(K)
            fixed = [shift]
            if objective.fit_intercept:
                fixed.append(objective.layout.gauge_direction()[:, None])
            self.shift = shift
            self.basis = scipy.linalg.null_space(np.hstack(fixed).T)
        else:
            self.basis = None

    def reduce(self, vector):
        return vector if self.basis is None else self.basis.T @ vector

    def lowest(self, hessian, objective):
        """``lambda_min`` on the working directions, less the Hessian's rounding error."""
        reduced = hessian if self.basis is None else self.basis.T @ hessian @ self.basis
        rows = int(np.count_nonzero(objective.weights))
        error = (rows + 2 * len(hessian)) * _UNIT * float(np.trace(np.abs(hessian)))
        return float(scipy.linalg.eigvalsh(reduced)[0]) - error

    def exact_part(self, theta):
        """Distance to the oracle along the coefficient shift (its oracle value is zero)."""
        return 0.0 if self.shift is None else float(np.linalg.norm(self.shift.T @ theta))


def _self_concordance(objective):
    """The loss's self-concordance constant (its spec) times the largest live row norm."""
    constant = objective.spec.self_concordance
    if constant == 0.0:
        return 0.0
    live = objective.weights != 0
    radius = float(row_norms(objective, objective.fit_intercept)[live].max(initial=0.0))
    return constant * radius


def _refine(objective, theta, split, radius, bound, method):
    """Shrink a certified radius with the curvature every row keeps on the ball it defines."""
    rates = row_norms(objective, objective.fit_intercept)
    if objective.loss == "multinomial":
        rates = np.sqrt(2.0) * rates
    refined = False
    for _ in range(_REFINE_STEPS):
        weights = objective.weights * np.exp(-rates * bound)
        shrunk = objective.with_rows(objective.X, objective.y, weights)
        mu = split.lowest(shrunk.hessian(theta), shrunk)
        if not (mu > 0 and radius / mu < _REFINE_GAIN * bound):
            break
        bound, refined = radius / mu, True
    return bound, method + (" + region" if refined else "")
