"""Lasso and ElasticNet: fit and unlearn equal tight scikit-learn refits."""

import numpy as np
import pytest
import scipy.sparse as sp
from family import (
    assert_sequential_deletions_compose,
    assert_unlearns_like_refit,
    correlated_rows,
    random_rows,
)
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression

from skunlearn.linear_model import ElasticNet, Lasso
from skunlearn.unlearners import DescentAscent, Finetune, GradientAscent


def datasets():
    X, y = load_diabetes(return_X_y=True)
    Z, z = make_regression(
        n_samples=200, n_features=30, n_informative=5, noise=5.0, random_state=0
    )
    return {"diabetes": (X, y / 100.0), "sparse_truth": (Z, z / 100.0)}


DATA = datasets()
CASES = [
    (Lasso, {"alpha": 0.01}),
    (Lasso, {"alpha": 0.05, "positive": True}),
    (Lasso, {"alpha": 0.02, "fit_intercept": False}),
    (ElasticNet, {"alpha": 0.01, "l1_ratio": 0.7}),
]
IDS = ["lasso", "lasso-positive", "lasso-no-intercept", "elastic-net"]


def reference(cls, params):
    return getattr(sk, cls.__name__)(tol=1e-14, max_iter=100_000, **params)


def sklearn_objective(model, X, y, alpha, l1_ratio=1.0):
    """scikit-learn's elastic-net objective, in numpy."""
    residual = y - model.predict(X)
    w = np.ravel(model.coef_)
    return 0.5 * np.mean(residual**2) + alpha * (
        l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w
    )


@pytest.mark.parametrize(("cls", "params"), CASES, ids=IDS)
@pytest.mark.parametrize("dataset", sorted(DATA))
def test_fit_matches_sklearn(cls, params, dataset):
    X, y = DATA[dataset]
    ours, ref = cls(**params).fit(X, y), reference(cls, params).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7, atol=1e-9)
    assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)  # the same support
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-9)
    args = (params["alpha"], params.get("l1_ratio", 1.0))
    assert sklearn_objective(ours, X, y, *args) <= sklearn_objective(ref, X, y, *args) + 1e-14
    assert ours.dual_gap_ <= 1e-9 and ours.sparse_coef_.shape == (1, X.shape[1])


@pytest.mark.parametrize(("cls", "params"), CASES, ids=IDS)
@pytest.mark.parametrize("dataset", sorted(DATA))
def test_unlearn_lands_on_the_refit(cls, params, dataset):
    X, y = DATA[dataset]
    forget = [random_rows(len(X), 15, seed=1), correlated_rows(X, 15, seed=2)]
    assert_unlearns_like_refit(cls(**params), reference(cls, params), X, y, forget)


@pytest.mark.parametrize(("cls", "params"), CASES[::3], ids=IDS[::3])
def test_sequential_deletions_compose(cls, params):
    X, y = DATA["sparse_truth"]
    first = random_rows(len(X), 10, seed=3)
    second = np.setdiff1d(correlated_rows(X, 12, seed=4), first)
    ours, ref = cls(**params), reference(cls, params)
    assert_sequential_deletions_compose(ours, ref, X, y, [first, second])


def test_multi_output_and_sparse_input():
    X, y = DATA["sparse_truth"]
    Y = np.column_stack([y, -0.5 * y + X[:, 0]])
    ours = ElasticNet(alpha=0.01).fit(sp.csr_matrix(X), Y).unlearn(sp.csr_matrix(X[:9]))
    ref = reference(ElasticNet, {"alpha": 0.01}).fit(X[9:], Y[9:])
    assert ours.coef_.shape == ref.coef_.shape == (2, 30)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize(
    "unlearner", [DescentAscent(max_iter=5), GradientAscent(max_iter=3), Finetune(max_iter=5),
                  DescentAscent(max_iter=5, schedule="alternating")],
)  # fmt: skip
def test_comparison_unlearners_take_proximal_steps(unlearner):
    X, y = DATA["diabetes"]
    model = Lasso(alpha=0.01, unlearner=unlearner).fit(X, y)
    before = model.coef_.copy()
    model.unlearn(X[:5])
    assert model.n_forgotten_ == 5 and not np.array_equal(model.coef_, before)
