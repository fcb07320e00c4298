"""No drift: 1,000 sequential single-row deletions with ``newton`` stay on the oracle.

Every 250 deletions the model is compared with a scikit-learn refit on the remaining rows
(``newton-cholesky`` at ``tol=1e-12`` for logistic regression, ``saga`` at ``tol=1e-12``
with an L1 penalty, ``Ridge`` for ridge; "balanced" class weights recomputed by
scikit-learn from the remaining rows), by the
normalised distance ``||w_u - w_oracle|| / ||w_original - w_oracle||``, for dense and
CSR row stores. Deletions interleaved with pickle round trips (live rows and a trimmed
index only) stay on it too.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse
from sklearn import linear_model as sk
from sklearn_reference import sklearn_logistic

from skunlearn import LogisticRegression, Ridge

N_SAMPLES, N_FEATURES, N_DELETIONS, CHECK_EVERY = 1200, 5, 1000, 250


# Model variants (scikit-learn 1.9's parameters): kind -> skunlearn and scikit-learn models.
VARIANTS = {
    "binary-l1": (dict(C=0.05, l1_ratio=1.0), dict(solver="saga", max_iter=200_000)),
    "binary-balanced": (dict(class_weight="balanced"), {}),
}


def make_model(kind):
    if kind == "ridge":
        return Ridge(alpha=1.0)
    return LogisticRegression(**{"C": 1.0, **VARIANTS.get(kind, ({}, {}))[0]})


def make_data(kind):
    """Features with offsets and unequal scales (centring matters), a linear signal."""
    kind = kind.split("-")[0]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES)) * [1.0, 2.0, 0.5, 3.0, 1.0]
    X += [3.0, -2.0, 0.0, 10.0, 1.0]
    signal = (X - X.mean(axis=0)) @ rng.normal(size=N_FEATURES)
    if kind == "ridge":
        return X, signal + rng.normal(size=N_SAMPLES)
    if kind == "binary":
        return X, (signal + rng.logistic(size=N_SAMPLES) > 0).astype(int)
    return X, np.digitize(signal + rng.logistic(size=N_SAMPLES), [-1.0, 1.0])


def sklearn_fit(kind, X, y):
    if kind == "ridge":
        return sk.Ridge(alpha=1.0).fit(X, y)
    ours, theirs = VARIANTS.get(kind, ({}, {}))
    params = {"C": 1.0, "solver": "newton-cholesky", "max_iter": 1000, **ours, **theirs}
    return sklearn_logistic(tol=1e-12, **params).fit(X, y)


def parameters(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


@pytest.mark.parametrize(
    ("kind", "tolerance", "csr"),
    [
        ("ridge", 1e-10, False),
        ("binary", 1e-6, False),
        ("multinomial", 1e-6, False),
        ("ridge", 1e-10, True),
        ("binary", 1e-6, True),
        ("binary-l1", 1e-6, False),
        ("binary-balanced", 1e-6, True),
    ],
)
def test_thousand_sequential_deletions_stay_on_the_oracle(kind, tolerance, csr):
    X, y = make_data(kind)
    model = make_model(kind)
    model.fit(scipy.sparse.csr_matrix(X) if csr else X, y)
    w_original = parameters(sklearn_fit(kind, X, y))
    order = np.random.default_rng(1).permutation(N_SAMPLES)[:N_DELETIONS]
    for done, row in enumerate(order, start=1):
        model.unlearn(X[row : row + 1])
        if done % CHECK_EVERY:
            continue
        keep = np.setdiff1d(np.arange(N_SAMPLES), order[:done])
        w_oracle = parameters(sklearn_fit(kind, X[keep], y[keep]))
        distance = np.linalg.norm(parameters(model) - w_oracle)
        assert distance <= tolerance * np.linalg.norm(w_original - w_oracle), done
    assert model.n_forgotten_ == N_DELETIONS


@pytest.mark.parametrize(("kind", "tolerance"), [("ridge", 1e-10), ("multinomial", 1e-6)])
def test_pickle_round_trips_between_deletions_stay_on_the_oracle(kind, tolerance):
    """A pickle holds only the live rows and a trimmed index; unlearning continues from it."""
    X, y = make_data(kind)
    model = Ridge(alpha=1.0) if kind == "ridge" else LogisticRegression(C=1.0)
    model.fit(X, y)
    order = np.random.default_rng(2).permutation(N_SAMPLES)[:600]
    for batch in np.array_split(order, 30):
        model = pickle.loads(pickle.dumps(model)).unlearn(X[batch])
    keep = np.setdiff1d(np.arange(N_SAMPLES), order)
    w_oracle = parameters(sklearn_fit(kind, X[keep], y[keep]))
    effect = np.linalg.norm(parameters(sklearn_fit(kind, X, y)) - w_oracle)
    assert np.linalg.norm(parameters(model) - w_oracle) <= tolerance * effect
