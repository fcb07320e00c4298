"""Property-based tests (hypothesis): unlearning composes, ignores order, counts duplicates.

On small random problems ``D`` (with duplicated rows) and disjoint forget sets ``A`` and
``B``: ``fit(D).unlearn(A).unlearn(B)`` equals ``fit(D).unlearn(A | B)`` with the rows of
``A | B`` in any order, and both equal a scikit-learn refit on ``D - (A | B)`` (as a
multiset: one forgotten copy of a duplicated row leaves the others). Forgetting every row
of a class of a multinomial model follows that refit too (the class leaves ``classes_``).
Rows that repeat with different labels (integer features, signed zeros) are told apart by
``y_forget``; given or not, labels that match change nothing. Weighted rows, with or
without intercept and in either convention, follow a scikit-learn refit (penalty rescaled
for "paper"). CSR input composes and follows the oracle the same way. Unlearning an
empty set leaves the pickled estimator unchanged. Examples are derandomised so the suite
is deterministic.
"""

import pickle

import numpy as np
import scipy.sparse
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk

from skunlearn import LogisticRegression, Ridge

KINDS = ["ridge", "binary", "multinomial"]
SETTINGS = settings(deadline=None, max_examples=20, derandomize=True)
TOLERANCES = {"ridge": {"rtol": 1e-9, "atol": 1e-10}, "logistic": {"rtol": 1e-6, "atol": 1e-7}}


@st.composite
def problems(draw):
    """A kind, data with duplicated rows, two disjoint forget sets and a shuffle."""
    kind = draw(st.sampled_from(KINDS))
    n_unique = draw(st.integers(8, 24))
    n_features = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X, y = make_data(kind, rng, n_unique, n_features)
    copies = draw(st.lists(st.integers(0, n_unique - 1), min_size=1, max_size=4))
    X, y = np.vstack([X, X[copies]]), np.concatenate([y, y[copies]])
    n = len(X)
    order = draw(st.permutations(range(n)))
    n_a = draw(st.integers(0, n - 3))
    n_b = draw(st.integers(0, n - 3 - n_a))
    A, B = np.array(order[:n_a], dtype=int), np.array(order[n_a : n_a + n_b], dtype=int)
    keep = np.array(order[n_a + n_b :], dtype=int)
    shuffle = np.array(draw(st.permutations(range(n_a + n_b))), dtype=int)
    unlearner = draw(st.sampled_from(["newton", "retrain"]))
    return kind, X, y, A, B, keep, shuffle, unlearner


def make_data(kind, rng, n_samples, n_features):
    X = rng.normal(size=(n_samples, n_features))
    if kind == "ridge":
        return X, X @ rng.normal(size=n_features) + rng.normal(size=n_samples)
    n_classes = 2 if kind == "binary" else 4
    return X, rng.permutation(np.arange(n_samples) % n_classes)


def make_model(kind, unlearner):
    if kind == "ridge":
        return Ridge(alpha=0.7, unlearner=unlearner)
    return LogisticRegression(C=2.0, unlearner=unlearner)


def sklearn_oracle(kind, X, y):
    if kind == "ridge":
        return sk.Ridge(alpha=0.7).fit(X, y)
    oracle = sk.LogisticRegression(C=2.0, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    return oracle.fit(X, y)


def assert_same_model(kind, model, reference):
    tolerance = TOLERANCES["ridge" if kind == "ridge" else "logistic"]
    if kind != "ridge":
        assert_array_equal(model.classes_, reference.classes_)
    assert_allclose(model.coef_, reference.coef_, **tolerance)
    assert_allclose(model.intercept_, reference.intercept_, **tolerance)


def has_two_classes(kind, y):
    return kind == "ridge" or len(np.unique(y)) >= 2


@settings(SETTINGS, max_examples=40)
@given(problems())
def test_unlearning_composes_and_lands_on_the_oracle(problem):
    kind, X, y, A, B, keep, shuffle, unlearner = problem
    assume(has_two_classes(kind, y[keep]))
    sequential = make_model(kind, unlearner).fit(X, y).unlearn(X[A]).unlearn(X[B])
    union = np.concatenate([A, B])
    at_once = make_model(kind, unlearner).fit(X, y).unlearn(X[union])
    shuffled = make_model(kind, unlearner).fit(X, y).unlearn(X[union[shuffle]])
    oracle = sklearn_oracle(kind, X[keep], y[keep])
    for model in (sequential, at_once, shuffled):
        assert_same_model(kind, model, oracle)
        assert model.n_forgotten_ == len(union)


@SETTINGS
@given(problems())
def test_labels_given_or_not_give_the_same_model(problem):
    kind, X, y, A, B, keep, _, unlearner = problem
    assume(has_two_classes(kind, y[keep]))
    union = np.concatenate([A, B])
    without = make_model(kind, unlearner).fit(X, y).unlearn(X[union])
    with_labels = make_model(kind, unlearner).fit(X, y).unlearn(X[union], y[union])
    assert_same_model(kind, with_labels, without)


@SETTINGS
@given(problems())
def test_unlearning_nothing_changes_nothing(problem):
    kind, X, y, A, _, keep, _, unlearner = problem
    assume(has_two_classes(kind, y[keep]))
    model = make_model(kind, unlearner).fit(X, y).unlearn(X[A])
    before = pickle.dumps(model)
    model.unlearn(X[:0])
    model.unlearn(X[:0], y[:0])
    assert pickle.dumps(model) == before


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.data())
def test_duplicates_are_counted(seed, n_copies, data):
    X, y = make_data("binary", np.random.default_rng(seed), 20, 3)
    copies = np.array([0, *range(20, 20 + n_copies - 1)])
    X, y = np.vstack([X, X[copies[1:] * 0]]), np.append(y, y[copies[1:] * 0])
    n_forget = data.draw(st.integers(1, n_copies), label="n_forget")
    model = LogisticRegression(C=2.0).fit(X, y).unlearn(X[[0] * n_forget])
    remaining = np.setdiff1d(np.arange(len(X)), copies[:n_forget])
    assert_same_model("binary", model, sklearn_oracle("binary", X[remaining], y[remaining]))


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from(["ridge", "binary", "multinomial"]), st.data())
def test_many_duplicates_with_labels_follow_the_oracle(seed, kind, data):
    """Integer features from a tiny range: most rows repeat, often with other labels."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-1, 2, size=(30, 2)).astype(float) * rng.choice([1.0, -0.0], size=(30, 2))
    y = make_data(kind, rng, 30, 2)[1]
    order = np.array(data.draw(st.permutations(range(30)), label="order"), dtype=int)
    n_forget = data.draw(st.integers(1, 26), label="n_forget")
    forget, keep = order[:n_forget], order[n_forget:]
    assume(has_two_classes(kind, y[keep]))
    X_forget = np.where(X[forget] == 0.0, 0.0, X[forget])
    model = make_model(kind, "newton").fit(X, y).unlearn(X_forget, y[forget])
    assert_same_model(kind, model, sklearn_oracle(kind, X[keep], y[keep]))


def rescaled_oracle(kind, convention, fit_intercept, X, y, weights):
    """scikit-learn refit whose penalty matches ``convention`` on rows of total weight W.

    "paper" uses weighted means with a fixed ridge: Ridge's ``alpha`` becomes ``alpha * W``
    and LogisticRegression's ``C`` becomes ``C / W``.
    """
    total = weights.sum() if convention == "paper" else 1.0
    if kind == "ridge":
        oracle = sk.Ridge(alpha=0.7 * total, fit_intercept=fit_intercept)
    else:
        oracle = sk.LogisticRegression(
            C=2.0 / total,
            fit_intercept=fit_intercept,
            solver="newton-cholesky",
            tol=1e-12,
            max_iter=1000,
        )
    return oracle.fit(X, y, sample_weight=weights)


@SETTINGS
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(KINDS),
    st.sampled_from(["sklearn", "paper"]),
    st.booleans(),
    st.data(),
)
def test_weighted_rows_and_conventions_follow_the_oracle(
    seed, kind, convention, fit_intercept, data
):
    rng = np.random.default_rng(seed)
    X, y = make_data(kind, rng, 24, 3)
    X += 1.0
    weights = rng.uniform(0.2, 3.0, size=24)
    order = np.array(data.draw(st.permutations(range(24)), label="order"), dtype=int)
    n_forget = data.draw(st.integers(1, 18), label="n_forget")
    forget, keep = order[:n_forget], order[n_forget:]
    assume(has_two_classes(kind, y[keep]))
    model = make_model(kind, "newton")
    model.set_params(convention=convention, fit_intercept=fit_intercept)
    model.fit(X, y, sample_weight=weights).unlearn(X[forget])
    oracle = rescaled_oracle(kind, convention, fit_intercept, X[keep], y[keep], weights[keep])
    assert_same_model(kind, model, oracle)


@SETTINGS
@given(problems())
def test_csr_input_follows_the_oracle(problem):
    """Fitted and forgotten as CSR (entries below 0.5 in size zeroed), with labels given."""
    kind, X, y, A, B, keep, shuffle, unlearner = problem
    assume(has_two_classes(kind, y[keep]))
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    union = np.concatenate([A, B])[shuffle]
    model = make_model(kind, unlearner).fit(scipy.sparse.csr_matrix(X), y)
    model.unlearn(scipy.sparse.csr_matrix(X[A]), y[A]).unlearn(X[B], y[B])
    assert_same_model(kind, model, sklearn_oracle(kind, X[keep], y[keep]))
    at_once = make_model(kind, unlearner).fit(scipy.sparse.csr_matrix(X), y)
    at_once.unlearn(scipy.sparse.csr_matrix(X[union]), y[union])
    assert_same_model(kind, at_once, model)
