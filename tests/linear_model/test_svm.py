"""LinearSVC: fit and unlearn equal tight scikit-learn (liblinear primal) refits."""

import numpy as np
import pytest
import scipy.sparse as sp
from family import (
    assert_sequential_deletions_compose,
    assert_unlearns_like_refit,
    correlated_rows,
    keep,
    random_rows,
)
from numpy.testing import assert_allclose
from sklearn import svm as sk
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.preprocessing import StandardScaler

from skunlearn.svm import LinearSVC
from skunlearn.unlearners import DescentAscent, Finetune, GradientAscent


def datasets():
    def standardised(X, y):
        return StandardScaler().fit_transform(X), y

    return {
        "iris": standardised(*load_iris(return_X_y=True)),
        "breast_cancer": standardised(*load_breast_cancer(return_X_y=True)),
        "generated": make_classification(
            n_samples=200, n_features=6, n_informative=4, n_classes=4, random_state=0
        ),
    }


DATA = datasets()
PARAMS = [{}, {"C": 10.0, "intercept_scaling": 3.0}, {"C": 0.1, "fit_intercept": False}]


def reference(**params):
    """liblinear's primal trust-region Newton at a tight tolerance (dual=False)."""
    return sk.LinearSVC(dual=False, tol=1e-12, max_iter=100_000, **params)


def objective_gradient(model, X, y, C, intercept_scaling):
    """Gradient of liblinear's objective, one-vs-rest, written out in numpy."""
    classes = model.classes_
    T = np.where(y[:, None] == classes[None, :], 1.0, -1.0)
    T = T[:, 1:] if len(classes) == 2 else T
    W = np.atleast_2d(model.coef_)
    b = np.ravel(model.intercept_) * np.ones(len(W))
    slack = np.maximum(1.0 - T * (X @ W.T + b), 0.0)
    residual = -2.0 * C * T * slack
    grads = [W + residual.T @ X]
    if model.fit_intercept:
        grads.append((b / intercept_scaling**2 + residual.sum(axis=0))[:, None])
    return np.hstack(grads)


@pytest.mark.parametrize("dataset", sorted(DATA))
@pytest.mark.parametrize("params", PARAMS)
def test_fit_matches_sklearn(dataset, params):
    X, y = DATA[dataset]
    ours = LinearSVC(**params).fit(X, y)
    ref = reference(**params).fit(X, y)
    # liblinear's primal stops with its gradient near 1e-7 even at tol=1e-12; ours at rounding
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6 * np.abs(ref.coef_).max())
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-6)
    assert np.array_equal(ours.predict(X), ref.predict(X))
    assert ours.coef_.shape == ref.coef_.shape and np.shape(ours.intercept_) == np.shape(
        ref.intercept_
    )
    C, scaling = params.get("C", 1.0), params.get("intercept_scaling", 1.0)
    grad = objective_gradient(ours, X, y, C, scaling)
    assert np.abs(grad).max() <= 1e-10 * C * len(y)


@pytest.mark.parametrize("dataset", sorted(DATA))
@pytest.mark.parametrize("params", PARAMS[:2])
def test_unlearn_lands_on_the_refit(dataset, params):
    X, y = DATA[dataset]
    forget = [random_rows(len(X), 12, seed=1), correlated_rows(X, 12, seed=2)]
    assert_unlearns_like_refit(LinearSVC(**params), reference(**params), X, y, forget)


def test_sequential_deletions_compose():
    X, y = DATA["generated"]
    first = random_rows(len(X), 6, seed=3)
    second = np.setdiff1d(correlated_rows(X, 8, seed=4), first)
    batches = [first, second, np.setdiff1d(random_rows(len(X), 5, 5), np.r_[first, second])]
    assert_sequential_deletions_compose(LinearSVC(), reference(), X, y, batches)


@pytest.mark.parametrize("vanishing", [[0], [0, 1]])
def test_forgetting_a_class_equals_the_refit_without_it(vanishing):
    X, y = DATA["generated"]
    rows = np.flatnonzero(np.isin(y, vanishing))
    model = LinearSVC().fit(X, y).unlearn(X[rows], y[rows])
    refit = reference().fit(X[keep(len(X), rows)], y[keep(len(X), rows)])
    assert np.array_equal(model.classes_, refit.classes_)
    assert model.coef_.shape == refit.coef_.shape
    assert_allclose(model.coef_, refit.coef_, rtol=1e-5, atol=1e-6)
    rest = keep(len(X), rows)
    assert np.abs(objective_gradient(model, X[rest], y[rest], 1.0, 1.0)).max() <= 1e-10 * len(y)


def test_a_class_left_with_zero_weight_rows_stays_as_in_our_refit():
    """The classes after unlearn are those a fit on the remaining rows keeps (every label of
    y, whatever its weight); the coefficients equal that fit's."""
    X, y = DATA["generated"]
    weights = np.ones(len(y))
    rows = np.flatnonzero(y == 3)
    weights[rows[:10]] = 0.0
    forget = rows[10:]
    model = LinearSVC().fit(X, y, sample_weight=weights)
    model.unlearn(X[forget], y[forget], sample_weight=weights[forget])
    rest = keep(len(X), forget)
    refit = LinearSVC().fit(X[rest], y[rest], sample_weight=weights[rest])
    assert np.array_equal(model.classes_, np.unique(y[rest]))
    assert np.array_equal(model.classes_, refit.classes_)
    assert_allclose(model.coef_, refit.coef_, rtol=1e-8, atol=1e-10)


def test_sparse_input_unlearns_like_dense():
    X, y = DATA["generated"]
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = LinearSVC().fit(X, y).unlearn(X[:7])
    sparse = LinearSVC().fit(sp.csr_matrix(X), y).unlearn(sp.csr_matrix(X[:7]))
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-12)


def test_binary_class_weight_is_a_row_weight():
    X, y = DATA["breast_cancer"]
    weights = {0: 3.0, 1: 0.5}
    ours = LinearSVC(class_weight=weights).fit(X, y)
    ref = reference(class_weight=weights).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"loss": "hinge"}, "loss='hinge'"),
        ({"penalty": "l1", "dual": False}, "penalty='l1'"),
        ({"multi_class": "crammer_singer"}, "crammer_singer"),
        ({"class_weight": "balanced"}, "class_weight='balanced'"),
    ],
)
def test_unsupported_settings_are_refused_by_name(params, match):
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match=match):
        LinearSVC(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize(
    "unlearner", [DescentAscent(max_iter=5), GradientAscent(max_iter=3), Finetune(max_iter=5),
                  DescentAscent(max_iter=5, schedule="alternating")],
)  # fmt: skip
def test_comparison_unlearners_run(unlearner):
    X, y = DATA["iris"]
    model = LinearSVC(unlearner=unlearner).fit(X, y)
    before = model.coef_.copy()
    model.unlearn(X[:5])
    assert model.n_forgotten_ == 5 and not np.array_equal(model.coef_, before)
