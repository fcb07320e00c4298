"""Margins and KLoM (KL divergence of margins), as computed in [1]_ after [2]_.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
.. [2] K. Georgiev, R. Rinberg, S. M. Park, S. Garg, A. Ilyas, A. Madry,
   S. Neel, "Attribute-to-Delete: Machine Unlearning via Datamodel Matching",
   ICLR 2025.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.utils import check_random_state

__all__ = ["ensemble_margins", "klom", "margins", "subsample_ensembles"]


def margins(estimator, X, y):
    """Margin of each sample: ``z_y(x) - log sum_{k != y} exp(z_k(x))``.

    The log-odds of the true class: ``+-z`` for a binary model with score
    ``z`` (``+-2 z`` for skunlearn's exponential loss, whose probabilities are
    ``expit(2 z)``), and the formula above for a multinomial one.

    Parameters
    ----------
    estimator : classifier
        Fitted, with ``decision_function`` and ``classes_``.
    X : array-like of shape (n_samples, n_features)
        Samples.
    y : array-like of shape (n_samples,)
        Their labels (from ``classes_``).

    Returns
    -------
    margins : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skunlearn.diagnostics import margins
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> m = margins(clf, X, [0, 0, 1, 1])
    >>> bool(np.allclose(m, np.abs(clf.decision_function(X))))
    True
    """
    scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
    classes = estimator.classes_
    y = np.asarray(y)
    index = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
    if np.any(classes[index] != y):
        raise ValueError(f"Labels must be among the classes {classes.tolist()}.")
    if scores.ndim == 1:
        factor = 2.0 if getattr(estimator, "loss", None) == "exponential" else 1.0
        return factor * np.where(index == 1, scores, -scores)
    rows = np.arange(len(y))
    others = scores.copy()
    others[rows, index] = -np.inf
    return scores[rows, index] - logsumexp(others, axis=1)


def ensemble_margins(models, X, y):
    """Margins of every model of an ensemble.

    Parameters
    ----------
    models : list of classifiers
        Fitted models (see :func:`margins`).
    X : array-like of shape (n_samples, n_features)
        Samples.
    y : array-like of shape (n_samples,)
        Their labels.

    Returns
    -------
    margins : ndarray of shape (n_models, n_samples)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skunlearn.diagnostics import ensemble_margins
    >>> X, y = np.array([[-1.0], [1.0]]), np.array([0, 1])
    >>> models = [LogisticRegression(C=c).fit(X, y) for c in (0.5, 1.0, 2.0)]
    >>> ensemble_margins(models, X, y).shape
    (3, 2)
    """
    return np.stack([margins(model, X, y) for model in models])


def klom(margins_unlearned, margins_oracle, *, n_bins=20, clip=100.0, floor=1e-5):
    """KLoM: per-sample KL divergence between oracle and unlearned margin distributions.

    For each sample, both ensembles' margins are clipped to ``[-clip, clip]``
    and histogrammed in ``n_bins`` equal bins over their joint range; the
    result is ``KL(oracle || unlearned)`` with the unlearned bin probabilities
    floored at ``floor``, so that it saturates at ``log(1 / floor)``
    (``log(1e5) = 11.51``) [2]_. Report a high percentile (95th in [1]_)
    separately on forget, retain and validation samples. A sample with a NaN
    margin in either ensemble (a model whose predictions are undefined) gets
    NaN, never a score: NaN is not a perfect match.

    Parameters
    ----------
    margins_unlearned : array-like of shape (n_models, n_samples)
        Margins under the unlearned models.
    margins_oracle : array-like of shape (n_oracles, n_samples)
        Margins under the oracles.
    n_bins : int, default=20
        Number of histogram bins.
    clip : float, default=100.0
        Margins are clipped to ``[-clip, clip]``.
    floor : float, default=1e-5
        Floor of the unlearned bin probabilities.

    Returns
    -------
    klom : ndarray of shape (n_samples,)
        NaN for the samples with a NaN margin.

    See Also
    --------
    subsample_ensembles : Ensembles for deterministic (convex) fits.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.diagnostics import klom
    >>> same = klom([[0.0, 1.0]] * 4, [[0.0, 1.0]] * 4)
    >>> apart = klom([[5.0]] * 4, [[0.0]] * 4)
    >>> same.tolist(), bool(np.isclose(apart[0], np.log(1e5)))
    ([0.0, 0.0], True)
    >>> klom([[np.nan, 1.0]] * 4, [[0.0, 1.0]] * 4).tolist()
    [nan, 0.0]
    """
    U = np.clip(np.asarray(margins_unlearned, dtype=np.float64), -clip, clip)
    oracle = np.clip(np.asarray(margins_oracle, dtype=np.float64), -clip, clip)
    undefined = np.isnan(U).any(axis=0) | np.isnan(oracle).any(axis=0)
    U, oracle = np.where(undefined, 0.0, U), np.where(undefined, 0.0, oracle)
    lo = np.minimum(U.min(axis=0), oracle.min(axis=0))
    width = np.maximum(U.max(axis=0), oracle.max(axis=0)) - lo
    p = _bin_probabilities(oracle, lo, width, n_bins)
    q = np.maximum(_bin_probabilities(U, lo, width, n_bins), floor)
    ratio = np.where(p > 0, p / q, 1.0)
    return np.where(undefined, np.nan, np.sum(p * np.log(ratio), axis=1))


def _bin_probabilities(M, lo, width, n_bins):
    """Per-sample histogram (rows: samples) of the columns of ``M``."""
    scaled = (M - lo) / np.where(width > 0, width, 1.0)
    index = np.clip(np.floor(scaled * n_bins).astype(np.int64), 0, n_bins - 1)
    flat = index + n_bins * np.arange(M.shape[1])
    counts = np.bincount(flat.ravel(), minlength=n_bins * M.shape[1])
    return counts.reshape(M.shape[1], n_bins) / M.shape[0]


def subsample_ensembles(
    estimator, X, y, forget, *, unlearner, n_models=8, fraction=0.8, random_state=0
):
    """Unlearned and oracle ensembles over seeded subsamples of the retain rows.

    A deterministic convex fit gives identical models for every seed, which
    makes KLoM degenerate into a margin distance; randomising the training set
    makes it meaningful. Model ``i`` is trained on all forget rows plus a
    random ``fraction`` of the retain rows and then unlearns the forget rows;
    oracle ``i`` is trained on the same retain rows only. Trains on the
    retain rows it is given (the privacy remark of [1]_).

    Parameters
    ----------
    estimator : skunlearn estimator
        Unfitted template (cloned for every model).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training rows.
    y : array-like of shape (n_samples,)
        Their targets.
    forget : array-like of int or bool
        Indices (or mask) of the forget rows in ``X``.
    unlearner : str or BaseUnlearner
        Unlearner of the unlearned models.
    n_models : int, default=8
        Models per ensemble.
    fraction : float, default=0.8
        Fraction of the retain rows in each subsample.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsamples.

    Returns
    -------
    unlearned, oracles : list of estimators

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import ensemble_margins, klom, subsample_ensembles
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 2))
    >>> y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
    >>> unlearned, oracles = subsample_ensembles(
    ...     LogisticRegression(), X, y, np.arange(10), unlearner="newton", n_models=4)
    >>> values = klom(ensemble_margins(unlearned, X, y), ensemble_margins(oracles, X, y))
    >>> bool(values.max() < 1e-6)
    True
    """
    X = X if sp.issparse(X) else np.asarray(X)
    y = np.asarray(y)
    is_forget = np.zeros(X.shape[0], dtype=bool)
    is_forget[forget] = True
    subsets = retain_subsets(is_forget, n_models, fraction, random_state)
    oracles = [clone(estimator).fit(X[rows], y[rows]) for rows in subsets]
    return unlearned_ensemble(estimator, X, y, is_forget, subsets, unlearner), oracles


def retain_subsets(is_forget, n_models, fraction, random_state):
    """Seeded random subsets (sorted indices) of the rows where ``is_forget`` is False."""
    rng = check_random_state(random_state)
    retain = np.flatnonzero(~is_forget)
    size = max(1, round(fraction * len(retain)))
    return [np.sort(rng.choice(retain, size, replace=False)) for _ in range(n_models)]


def unlearned_ensemble(estimator, X, y, is_forget, subsets, unlearner):
    """For each retain subset: fit on it plus the forget rows, then unlearn those."""
    models = []
    for rows in subsets:
        rows = np.sort(np.r_[rows, np.flatnonzero(is_forget)])
        model = clone(estimator).set_params(unlearner=unlearner).fit(X[rows], y[rows])
        models.append(model.unlearn(X[is_forget], y[is_forget]))
    return models
