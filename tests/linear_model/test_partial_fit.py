"""``partial_fit``: rows arriving between deletions land on the fit on all the rows.

Properties: after any sequence of ``partial_fit`` and ``unlearn`` the pickled state
equals, bit for bit, a fit on the rows that remain in their order (the stored rows
first, each batch appended); the parameters equal a tight scikit-learn refit on those
rows; the kept Hessian is used (one Hessian over the rows per call); bad input leaves
the estimator unchanged.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from fingerprints import assert_same_state, model_state, state_differences_from
from numpy.testing import assert_allclose
from sklearn import linear_model as sk

import skunlearn._kernels as kernels
from skunlearn import LogisticRegression, Ridge

N = 240


def make_data(kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 4)) * [1.0, 3.0, 0.5, 2.0] + [2.0, -1.0, 0.0, 5.0]
    signal = (X - X.mean(axis=0)) @ [1.0, -0.5, 2.0, 0.3]
    if kind == "regression":
        return X, signal + rng.normal(size=N)
    if kind == "multitarget":
        return X, np.c_[signal, -signal] + rng.normal(size=(N, 2))
    if kind == "binary":
        return X, (signal + rng.logistic(size=N) > 0).astype(int)
    return X, np.digitize(signal + rng.logistic(size=N), [-1.0, 1.0])


CASES = {
    "ridge": (lambda: Ridge(alpha=1.0), "regression"),
    "ridge-no-intercept": (lambda: Ridge(alpha=0.3, fit_intercept=False), "regression"),
    "ridge-multitarget": (lambda: Ridge(alpha=2.0), "multitarget"),
    "logistic": (lambda: LogisticRegression(), "binary"),
    "logistic-multinomial": (lambda: LogisticRegression(C=0.5), "multinomial"),
    "logistic-exponential": (lambda: LogisticRegression(loss="exponential"), "binary"),
    # scikit-learn 1.9's parameters (the parity line): each keeps its exact fit
    "ridge-positive": (lambda: Ridge(positive=True), "multitarget"),
    "ridge-per-target-alpha": (lambda: Ridge(alpha=[1.0, 4.0]), "multitarget"),
    "ridge-svd": (lambda: Ridge(solver="svd"), "regression"),
    "logistic-l1": (lambda: LogisticRegression(l1_ratio=1.0, C=0.5), "binary"),
    "logistic-elastic-net": (lambda: LogisticRegression(l1_ratio=0.5), "multinomial"),
    "logistic-balanced": (lambda: LogisticRegression(class_weight="balanced"), "multinomial"),
    "logistic-liblinear": (lambda: LogisticRegression(solver="liblinear"), "binary"),
}


def sequence(case, sparse=False, weights=None):
    """Fit on 120 rows, add 60, forget 7, add the last 60: the model and the kept rows."""
    make, kind = CASES[case]
    X, y = make_data(kind)
    form = sp.csr_matrix if sparse else np.asarray
    w = np.ones(N) if weights is None else weights
    model = make().fit(form(X[:120]), y[:120], sample_weight=w[:120])
    model.partial_fit(form(X[120:180]), y[120:180], sample_weight=w[120:180])
    forget = [3, 50, 121, 130, 150, 170, 179]
    model.unlearn(X[forget], sample_weight=w[forget])
    model.partial_fit(X[180:], y[180:], sample_weight=w[180:])
    return model, np.setdiff1d(np.arange(N), forget), X, y, w


@pytest.mark.parametrize("case", list(CASES))
def test_state_is_the_fit_on_all_rows(case):
    model, keep, X, y, _ = sequence(case)
    assert_same_state(model, CASES[case][0]().fit(X[keep], y[keep]))


@pytest.mark.parametrize("case", ["ridge", "logistic", "logistic-multinomial"])
def test_state_is_the_fit_on_all_rows_csr_and_weights(case):
    weights = np.random.default_rng(3).uniform(0.2, 3.0, N)
    model, keep, X, y, w = sequence(case, sparse=True, weights=weights)
    refit = CASES[case][0]().fit(sp.csr_matrix(X[keep]), y[keep], sample_weight=w[keep])
    assert_same_state(model, refit)


REFIT_CASES = ["ridge", "ridge-multitarget", "logistic", "logistic-multinomial"]


@pytest.mark.parametrize("case", REFIT_CASES)
def test_parameters_equal_a_scikit_learn_refit(case):
    """Normalised distance to a tight scikit-learn refit on the kept rows, relative to
    what the last added batch moved: at rounding level for Ridge, below the oracle
    tolerance for logistic regression."""
    model, keep, X, y, _ = sequence(case)
    if case.startswith("ridge"):
        make = lambda: sk.Ridge(alpha=model.alpha, solver="cholesky")  # noqa: E731
        tolerance = 1e-10
    else:
        make = lambda: sk.LogisticRegression(  # noqa: E731
            C=model.C, solver="newton-cholesky", tol=1e-14, max_iter=1000
        )
        tolerance = 1e-6
    oracle, before = make().fit(X[keep], y[keep]), make().fit(X[keep[:-60]], y[keep[:-60]])

    def params(m):
        return np.concatenate([np.ravel(m.coef_), np.ravel(m.intercept_)])

    effect = np.linalg.norm(params(before) - params(oracle))
    assert np.linalg.norm(params(model) - params(oracle)) / effect <= tolerance


def test_first_call_is_fit():
    X, y = make_data("binary")
    model = LogisticRegression().partial_fit(X, y, classes=[0, 1])
    assert_same_state(model, LogisticRegression().fit(X, y))


def test_uses_the_kept_hessian(monkeypatch):
    """Besides the new rows' Hessian, one Hessian over all the rows (the canonical step)."""
    X, y = make_data("binary")
    model = LogisticRegression().fit(X[:200], y[:200])
    seen = []
    for name in ("hessian", "hessian_value_grad"):
        function = getattr(kernels, name)

        def counted(loss, X_rows, *args, function=function, **kwargs):
            seen.append(X_rows.shape[0])
            return function(loss, X_rows, *args, **kwargs)

        monkeypatch.setattr(kernels, name, counted)
    model.partial_fit(X[200:], y[200:])
    assert sorted(seen) == [40, 240]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X, y, w: (X, np.where(y == 1, 7, y), w), "Label 7 of row"),
        (lambda X, y, w: (X[:, :3], y, w), "features"),
        (lambda X, y, w: (np.where(X > 1, np.nan, X), y, w), "NaN"),
        (lambda X, y, w: (X, y, -w), "non-negative"),
        (lambda X, y, w: (X, y[:-1], w), "labels for"),
    ],
)
def test_bad_input_leaves_the_estimator_unchanged(change, message):
    X, y = make_data("binary")
    model = LogisticRegression().fit(X[:200], y[:200])
    before = model_state(model)
    X_new, y_new, w_new = change(X[200:], y[200:], np.ones(40))
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X_new, y_new, sample_weight=w_new)
    assert state_differences_from(model, before) == []
    model.unlearn(X[:5])  # still usable, and its rows are the fitted ones
    assert_same_state(model, LogisticRegression().fit(X[5:200], y[5:200]))


def test_classes_other_than_the_fitted_ones_are_refused():
    X, y = make_data("binary")
    model = LogisticRegression().fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="differ from the classes"):
        model.partial_fit(X[200:], y[200:], classes=[0, 1, 2])
    assert model._rows.n == 200


def test_a_failure_inside_rolls_the_rows_back(monkeypatch):
    X, y = make_data("regression")
    model = Ridge().fit(X[:200], y[:200])
    pickled = pickle.dumps(model)

    def failing(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(Ridge, "_finalize", failing)
    with pytest.raises(RuntimeError, match="injected"):
        model.partial_fit(X[200:], y[200:])
    monkeypatch.undo()
    assert_same_state(model, pickle.loads(pickled))
    assert_allclose(model.predict(X), pickle.loads(pickled).predict(X), rtol=0, atol=0)


def test_sample_ids_follow_the_new_rows():
    """Ids given at fit are kept for the added rows too: deletion by id reaches them, the
    state is the fit on all rows with all ids; repeated or missing ids are refused."""
    X, y = make_data("regression")
    ids = np.array([f"row{i}" for i in range(N)])
    model = Ridge().fit(X[:200], y[:200], sample_id=ids[:200])
    with pytest.raises(ValueError, match="pass sample_id"):
        model.partial_fit(X[200:], y[200:])
    with pytest.raises(ValueError, match="repeats ids"):
        model.partial_fit(X[200:], y[200:], sample_id=ids[160:200])
    model.partial_fit(X[200:], y[200:], sample_id=ids[200:])
    model.unlearn(ids=ids[[5, 210]])
    keep = np.setdiff1d(np.arange(N), [5, 210])
    assert_same_state(model, Ridge().fit(X[keep], y[keep], sample_id=ids[keep]))
