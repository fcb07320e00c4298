"""Membership inference calibrated against the oracle.

An unlearned model is as private as the oracle when an attack does as well
against it as against the oracle, not when the attack is at chance: the oracle
itself may leak (its forget rows are often easier than random held-out rows).

References
----------
.. [1] J. Hayes, I. Shumailov, E. Triantafillou, A. Khalifa, N. Papernot,
   "Inexact Unlearning Needs More Careful Evaluations to Avoid a False Sense
   of Privacy", 2024 (U-LiRA).
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import roc_auc_score
from sklearn.utils import check_random_state

from ._klom import margins

__all__ = ["loss_threshold_auc", "sample_losses", "ulira_auc"]


def sample_losses(estimator, X, y):
    """Per-sample loss: cross-entropy ``log(1 + exp(-margin))`` or squared error.

    Parameters
    ----------
    estimator : fitted estimator
        A classifier (with ``decision_function``) or a regressor.
    X : array-like of shape (n_samples, n_features)
        Samples.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Their targets.

    Returns
    -------
    losses : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skunlearn.diagnostics import sample_losses
    >>> model = Ridge().fit([[0.0], [1.0]], [0.0, 1.0])
    >>> sample_losses(model, [[0.0]], [1.0]).shape
    (1,)
    """
    if is_classifier(estimator):
        return np.logaddexp(0.0, -margins(estimator, X, y))
    residual = np.asarray(estimator.predict(X)) - np.asarray(y)
    return np.sum(residual.reshape(len(residual), -1) ** 2, axis=1)


def loss_threshold_auc(estimator, X_forget, y_forget, X_heldout, y_heldout):
    """AUC of the loss-threshold membership attack: forget rows against held-out rows.

    Each row is scored by its negated loss (members tend to have lower loss);
    0.5 means the forget rows look like unseen rows. Compare with the same
    attack on the oracle, which never saw the forget rows: an unlearned model
    matching the oracle's AUC leaks no more than retraining does.

    Parameters
    ----------
    estimator : fitted estimator
        Classifier or regressor.
    X_forget, y_forget : array-like
        Forgotten rows and targets (the "members").
    X_heldout, y_heldout : array-like
        Rows never trained on.

    Returns
    -------
    auc : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skunlearn.diagnostics import loss_threshold_auc
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X[:100], y[:100])
    >>> bool(0.0 <= loss_threshold_auc(clf, X[:100], y[:100], X[100:], y[100:]) <= 1.0)
    True
    """
    scores = -np.r_[
        sample_losses(estimator, X_forget, y_forget),
        sample_losses(estimator, X_heldout, y_heldout),
    ]
    labels = np.r_[np.ones(len(y_forget)), np.zeros(len(y_heldout))]
    return float(roc_auc_score(labels, scores))


def ulira_auc(margins_unlearned, margins_oracle, *, random_state=0):
    """U-LiRA-style likelihood-ratio attack telling unlearned models from oracles.

    Each ensemble is split in half (seeded; ensembles of equal size are
    taken as paired, model ``i`` of both trained on the same rows, and split
    alike): the shadow halves give, for every
    sample, a Gaussian fit of its margin under unlearning and under retraining;
    every (target model, sample) pair of the other halves is scored by the log
    likelihood ratio of its margin. The AUC of telling unlearned targets from
    oracle targets is 0.5 when unlearning is indistinguishable from retraining [1]_.

    Parameters
    ----------
    margins_unlearned : array-like of shape (n_models, n_samples)
        Margins of the forget samples under unlearned models (at least 4).
    margins_oracle : array-like of shape (n_oracles, n_samples)
        Margins of the same samples under oracles (at least 4).
    random_state : int, RandomState instance or None, default=0
        Seed of the shadow/target split.

    Returns
    -------
    auc : float

    References
    ----------
    .. [1] J. Hayes, I. Shumailov, E. Triantafillou, A. Khalifa, N. Papernot,
       "Inexact Unlearning Needs More Careful Evaluations to Avoid a False Sense
       of Privacy", 2024 (U-LiRA).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.diagnostics import ulira_auc
    >>> rng = np.random.default_rng(0)
    >>> apart = ulira_auc(rng.normal(2, 1, (8, 50)), rng.normal(0, 1, (8, 50)))
    >>> bool(apart > 0.8)
    True
    """
    rng = check_random_state(random_state)
    U = np.asarray(margins_unlearned, dtype=np.float64)
    oracle = np.asarray(margins_oracle, dtype=np.float64)
    if min(len(U), len(oracle)) < 4:
        raise ValueError("ulira_auc needs at least 4 models in each ensemble.")
    order = rng.permutation(len(U))
    shadow_u, target_u = _halves(U, order)
    if len(oracle) != len(U):
        order = rng.permutation(len(oracle))
    shadow_o, target_o = _halves(oracle, order)

    def score(target):
        return _log_density(target, shadow_u) - _log_density(target, shadow_o)

    scores = np.r_[score(target_u).ravel(), score(target_o).ravel()]
    labels = np.r_[np.ones(target_u.size), np.zeros(target_o.size)]
    return float(roc_auc_score(labels, scores))


def _halves(M, order):
    half = len(M) // 2
    return M[order[:half]], M[order[half:]]


def _log_density(values, shadow):
    mean = shadow.mean(axis=0)
    std = np.maximum(shadow.std(axis=0), 1e-6 * (1.0 + np.abs(mean)))
    return -0.5 * ((values - mean) / std) ** 2 - np.log(std)
