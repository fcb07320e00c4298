"""Distance to the oracle: a certified bound without retraining, and the measured distance.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
.. [2] F. Bach, "Self-concordant analysis for logistic regression",
   Electronic Journal of Statistics 4, 2010.
"""

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from threadpoolctl import threadpool_limits

from .._parameters import parameter_vector
from ._forget_split import check_lemma_conditions

__all__ = ["CertifiedBound", "certified_bound", "fit_oracle", "oracle_distance"]


@dataclass
class CertifiedBound:
    """A bound on ``||w - w_oracle||`` computed from the current weights alone.

    Attributes
    ----------
    residual : float
        ``||grad J_R(w)||_2``, the gradient of the objective over the stored
        rows (after ``unlearn``: the oracle's objective), in the estimator's
        own units.
    mu : float
        ``lambda_min`` of the Hessian of ``J_R`` at ``w``: the strong
        convexity used (at least the ridge strength along the coefficients).
    nu : float
        Self-concordance constant of the loss over the stored rows (0 for the
        squared loss), which corrects ``mu`` for the change of curvature
        between ``w`` and the oracle.
    bound : float
        Upper bound on ``||w - w_oracle||_2`` in the units of the
        coefficients; ``residual / mu`` to first order.
    """

    residual: float
    mu: float
    nu: float
    bound: float

    def to_dict(self):
        """Plain-Python dict."""
        return asdict(self)


@threadpool_limits.wrap(limits=1, user_api="blas")
def certified_bound(estimator):
    """Certified distance from the current weights to the oracle, without retraining.

    After ``unlearn`` the stored rows are the retain set, so the estimator's
    training objective is ``J_R``, the objective the oracle minimises. With
    ``g = grad J_R(w)``, ``mu = lambda_min(hess J_R(w))`` and ``nu`` the
    generalised self-concordance constant of the loss [2]_ (``|l'''| <= l''``
    per unit change of the linear predictor: ``nu = max_i ||(x_i, 1)||`` for
    the logistic and exponential losses, twice that for the multinomial one,
    0 for the squared loss), the curvature along the segment to the oracle
    stays above ``mu exp(-nu t)``, which gives::

        ||w - w_oracle|| <= -log(1 - nu ||g|| / mu) / nu   (= ||g|| / mu for nu -> 0)

    whenever ``nu ||g|| < mu``. Beyond that, the global ridge bound
    ``||g|| / l2`` is used when every parameter is penalised (no intercept),
    and the bound is infinite otherwise. For the multinomial loss with
    intercepts, the distance is to the oracle with the same intercept sum.

    Reads the stored (retain) rows: one gradient and one Hessian pass (the
    privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`,
        typically after ``unlearn``.

    Returns
    -------
    result : CertifiedBound

    Raises
    ------
    ValueError
        For a loss without self-concordance constant (not twice
        differentiable, or not convex), naming it.

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
    objective = estimator._training_objective()
    theta = estimator._theta()
    residual = float(np.linalg.norm(objective.value_grad(theta)[1]))
    mu = float(scipy.linalg.eigvalsh(objective.hessian(theta))[0])
    nu = _self_concordance(objective)
    ratio = nu * residual / mu if mu > 0 else np.inf
    if nu == 0.0 and mu > 0:
        bound = residual / mu
    elif ratio < 1.0:
        bound = -np.log1p(-ratio) / nu
    elif not objective.fit_intercept and objective.l2 > 0:
        bound = residual / objective.l2
    else:
        bound = np.inf
    return CertifiedBound(residual=residual, mu=mu, nu=nu, bound=float(bound))


def _self_concordance(objective):
    """``nu``: the loss's self-concordance constant times the largest ``||(x_i, 1)||``.

    Raises ValueError for a loss that has none (no certified bound exists).
    """
    check_lemma_conditions(objective.spec, "A certified bound")
    constant = objective.spec.self_concordance
    if constant == 0.0:
        return 0.0
    X = objective.X[objective.weights != 0]
    if sp.issparse(X):
        norms = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        norms = np.einsum("ij,ij->i", X, X)
    radius = float(np.sqrt(norms.max(initial=0.0) + (1.0 if objective.fit_intercept else 0.0)))
    return constant * radius


def oracle_distance(unlearned, oracle, original=None):
    """Distance between parameter vectors, normalised by the deletion effect.

    Parameters
    ----------
    unlearned : fitted linear estimator
        The model to assess (anything with ``coef_`` and ``intercept_``).
    oracle : fitted linear estimator
        The model trained on the retain rows only, to a tight tolerance.
    original : fitted linear estimator, default=None
        The model before unlearning.

    Returns
    -------
    distance : float
        ``||w_u - w_oracle||``; divided by ``||w_original - w_oracle||`` when
        ``original`` is given (0: exact, 1: did nothing, > 1: harmful).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.diagnostics import oracle_distance
    >>> X = np.arange(20.0).reshape(10, 2) ** 0.5
    >>> y = X @ [1.0, -2.0]
    >>> original = Ridge().fit(X, y)
    >>> oracle = Ridge().fit(X[3:], y[3:])
    >>> oracle_distance(original, oracle, original)
    1.0
    """
    distance = float(np.linalg.norm(parameter_vector(unlearned) - parameter_vector(oracle)))
    if original is None:
        return distance
    return distance / float(np.linalg.norm(parameter_vector(original) - parameter_vector(oracle)))


def fit_oracle(estimator, X_forget, y_forget=None, *, tol=1e-12):
    """The oracle: a fresh copy of ``estimator`` fitted on its rows minus ``X_forget``.

    The copy keeps every hyperparameter except ``tol`` (when it has one),
    tightened so that the oracle's own error stays far below the deletion
    effect. Reads the stored retain rows (the privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`
        (not changed).
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to leave out.
    y_forget : array-like, default=None
        Their targets.
    tol : float, default=1e-12
        Solver tolerance of the oracle.

    Returns
    -------
    oracle : estimator
        A new fitted estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import fit_oracle
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> fit_oracle(clf, X[:10], y[:10]).n_forgotten_
    0
    """
    X, y, weight = retain_rows(estimator, estimator._unlearning_problem(X_forget, y_forget))
    oracle = clone(estimator)
    if "tol" in oracle.get_params():
        oracle.set_params(tol=tol)
    return oracle.fit(X, y, sample_weight=weight)


def retain_rows(estimator, problem):
    """Copies ``(X, y, sample_weight)`` of the retain rows of a problem, targets decoded.

    Reads the retain rows.
    """
    rows = estimator._rows
    keep = np.ones(rows.n, dtype=bool)
    keep[problem.forget_positions] = False
    return rows.X[keep], decode_targets(estimator, rows.y[keep]), rows.sample_weight[keep]


def decode_targets(estimator, encoded):
    """Stored (encoded) targets back in the form ``fit`` accepted."""
    if is_classifier(estimator):
        return estimator.classes_[np.asarray(encoded).astype(np.int64)]
    return encoded.ravel() if np.ndim(estimator.coef_) == 1 else encoded
