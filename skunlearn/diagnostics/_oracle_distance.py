"""Distance to the oracle, measured against a refit.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

import numpy as np
from sklearn.base import clone, is_classifier

from .._parameters import parameter_vector
from ._support import as_fitted_input, check_diagnosable

__all__ = ["fit_oracle", "oracle_distance"]


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

    The copy has the hyperparameters ``estimator`` was fitted with (not any
    set since) except ``tol`` (when it has one), tightened so that the
    oracle's own error stays far below the deletion effect. Reads the stored
    retain rows (the privacy remark of [1]_).

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
    check_diagnosable(estimator, "fit_oracle")
    X, y, weight = retain_rows(estimator, estimator._unlearning_problem(X_forget, y_forget))
    oracle = clone(estimator).set_params(**estimator._fitted_hyperparameters())
    if "tol" in oracle.get_params():
        oracle.set_params(tol=tol)
    return oracle.fit(as_fitted_input(estimator, X), y, sample_weight=weight)


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
