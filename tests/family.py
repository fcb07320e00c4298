"""What the tests of the linear model family share: forget sets and the refit comparison.

Each estimator of the family is checked the same way against scikit-learn:
``fit`` equals a tight scikit-learn fit, and ``unlearn`` of a random and of
a correlated forget set lands within ``1e-6`` of the deletion effect of a
tight scikit-learn refit on the remaining rows; sequential deletions compose.
"""

import numpy as np
from sklearn.base import clone

from skunlearn._parameters import parameter_vector


def random_rows(n_rows, size, seed=0):
    """``size`` sorted positions drawn at random."""
    return np.sort(np.random.default_rng(seed).choice(n_rows, size, replace=False))


def correlated_rows(X, size, seed=0):
    """The ``size`` rows nearest (Euclidean) to a random row: a correlated forget set."""
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X)
    centre = X[np.random.default_rng(seed).integers(len(X))]
    return np.sort(np.argsort(np.linalg.norm(X - centre, axis=1))[:size])


def keep(n_rows, rows):
    """Positions not in ``rows``, in order."""
    return np.setdiff1d(np.arange(n_rows), rows)


def gap(model, reference, original):
    """``||w - w_ref|| / ||w_original - w_ref||`` over ``parameter_vector``."""
    target = parameter_vector(reference)
    effect = np.linalg.norm(parameter_vector(original) - target)
    assert effect > 0, "the forget set does not move the refit"
    return np.linalg.norm(parameter_vector(model) - target) / effect


def assert_unlearns_like_refit(ours, reference, X, y, forget_sets, tol=1e-6, fit=None):
    """``ours`` fitted and unlearned equals ``reference`` refit without each forget set.

    ``fit(estimator, X, y)`` fits (default ``estimator.fit(X, y)``). Returns
    the normalised gaps, one per forget set.
    """
    fit = fit or (lambda estimator, X, y: estimator.fit(X, y))
    original = fit(clone(reference), X, y)
    gaps = []
    for rows in forget_sets:
        model = fit(clone(ours), X, y).unlearn(X[rows], y[rows])
        rest = keep(X.shape[0], rows)
        refit = fit(clone(reference), X[rest], y[rest])
        gaps.append(gap(model, refit, original))
    assert max(gaps) <= tol, gaps
    return gaps


def assert_sequential_deletions_compose(ours, reference, X, y, batches, tol=1e-6):
    """Unlearning ``batches`` one after the other equals the refit without all of them."""
    model = clone(ours).fit(X, y)
    forgotten = np.array([], dtype=int)
    original = clone(reference).fit(X, y)
    for rows in batches:
        model.unlearn(X[rows], y[rows])
        forgotten = np.union1d(forgotten, rows)
        rest = keep(X.shape[0], forgotten)
        refit = clone(reference).fit(X[rest], y[rest])
        assert gap(model, refit, original) <= tol
    assert model.n_forgotten_ == len(forgotten)
