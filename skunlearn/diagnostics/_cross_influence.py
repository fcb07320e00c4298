"""Cross-influence between the forget and retain sets: the proxy proposed in [1]_.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from ._forget_split import ForgetSplit

__all__ = ["CrossInfluence", "cross_influence"]


@dataclass
class CrossInfluence:
    """Summary of the cross-influence matrix ``M = G_R H^{-1} G_F^T``.

    Attributes
    ----------
    spectral_norm : float
        Largest singular value of ``M``.
    per_pair : float
        ``spectral_norm / sqrt(S_R S_F)`` with ``S_R``, ``S_F`` the sums of
        the sample weights of the retain and forget rows (``|R|`` and ``|F|``
        with unit weights): the typical size of ``grad l_r^T Hbar^{-1} grad
        l_f``, comparable across set sizes (equal values ``m`` give ``|m|``).
        Sample weights act as multiplicities: a row of weight 2 counts as two
        copies of the row.
    singular_values : ndarray of shape (n_components,)
        Leading singular values.
    top_energy_share : float
        ``sigma_1^2 / ||M||_F^2``: 1 when the dependence is one-dimensional.
    forget_share : float
        Participation ratio of the top right singular vector divided by
        ``|F|``: the fraction of forget rows that carry the leading
        dependence direction (1: all equally, ``1/|F|``: a single row).
    per_forget_influence : ndarray of shape (n_forget,)
        For each forget row ``f``, the sample-weighted root-mean-square over
        the retain rows of ``grad l_r^T Hbar^{-1} grad l_f``:
        ``sqrt(sum_r s_r (grad l_r^T Hbar^{-1} grad l_f)^2 / S_R)``, which is
        ``||M[:, f]|| / sqrt(s_f S_R)`` (the RMS of ``M``'s column with unit
        weights; the value a copy of the row would get if weights were
        multiplicities). 0 for a row of weight 0.
    """

    spectral_norm: float
    per_pair: float
    singular_values: np.ndarray
    top_energy_share: float
    forget_share: float
    per_forget_influence: np.ndarray

    def to_dict(self):
        """Plain-Python dict (arrays become lists)."""
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(self).items()}


def cross_influence(estimator, X_forget, y_forget=None, *, n_components=5):
    """Spectral summary of the forget/retain cross-influence matrix, matrix-free.

    The matrix has entries ``M_rf = sqrt(s_r s_f) grad l_r(w)^T Hbar^{-1}
    grad l_f(w)`` for retain rows ``r`` and forget rows ``f`` (``s`` the
    sample weights), with ``Hbar`` the Hessian of the training objective in
    per-sample-mean units, so that the value does not depend on the estimator's
    convention; ``M_rf / n`` is the first-order change of ``l_r`` when ``f``
    is removed (unit weights). With integer sample weights, ``M`` has the
    singular values of the unweighted matrix of the data with each row
    repeated ``s`` times, and the summaries normalise by weight totals to
    match (see :class:`CrossInfluence`). Its spectral norm measures how
    strongly moving on the forget set moves the retain set [1]_. ``M`` is
    never formed: with ``G_R^T diag(s_R) G_R = L L^T`` (a ``p x p`` matrix
    from one pass over the retain rows), ``M`` has the singular values and
    right singular vectors of the ``p x |F|`` matrix ``L^T Hbar^{-1} G_F^T
    diag(sqrt(s_F))``.

    Reads the retain rows (the privacy remark of [1]_: checking F against R
    re-reads sensitive retain data).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.
    n_components : int, default=5
        Number of leading singular values returned.

    Returns
    -------
    result : CrossInfluence

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import cross_influence
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> result = cross_influence(clf, X[:10], y[:10])
    >>> bool(result.spectral_norm > 0), result.per_forget_influence.shape
    (True, (10,))
    """
    return _cross_influence(ForgetSplit(estimator, X_forget, y_forget), n_components)


@threadpool_limits.wrap(limits=1, user_api="blas")
def _cross_influence(split, n_components=5):
    """:func:`cross_influence` on a prepared :class:`ForgetSplit`."""
    moments = split.retain_moments
    retain_total, second = moments.total, moments.second
    weight_f = split.forget_sample_weight
    factor = scipy.linalg.cho_factor(split.mean_training_hessian())
    B = scipy.linalg.cho_solve(factor, (split.forget_gradients * np.sqrt(weight_f)[:, None]).T)
    eigval, eigvec = scipy.linalg.eigh(second)
    C = (eigvec * np.sqrt(np.clip(eigval, 0.0, None))).T @ B
    _, sigma, vt = scipy.linalg.svd(C, full_matrices=False)
    column = np.linalg.norm(C, axis=0)
    safe = np.where(weight_f > 0, weight_f, 1.0)
    per_forget = np.where(weight_f > 0, column / np.sqrt(safe * retain_total), 0.0)
    energy = float(np.sum(sigma**2))
    top = vt[0] if len(sigma) else np.zeros(len(weight_f))
    participation = 1.0 / max(float(np.sum(top**4)), 1e-300)
    return CrossInfluence(
        spectral_norm=float(sigma[0]) if len(sigma) else 0.0,
        per_pair=float(sigma[0]) / np.sqrt(retain_total * np.sum(weight_f)) if len(sigma) else 0.0,
        singular_values=sigma[:n_components],
        top_energy_share=float(sigma[0] ** 2) / energy if energy > 0 else 0.0,
        forget_share=participation / len(weight_f),
        per_forget_influence=per_forget,
    )
