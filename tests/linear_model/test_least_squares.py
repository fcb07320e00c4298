"""LinearRegression and RidgeClassifier: exact fits and unlearning, as scikit-learn refits."""

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
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, load_iris, make_classification, make_regression

from skunlearn.linear_model import LinearRegression, RidgeClassifier
from skunlearn.unlearners import DescentAscent, Finetune, GradientAscent


def regression_data():
    X, y = load_diabetes(return_X_y=True)
    Z, Y = make_regression(n_samples=120, n_features=6, n_targets=2, noise=3.0, random_state=0)
    Z = Z * [1, 10, 100, 0.1, 1, 3] + 50  # badly scaled, off-centre columns
    collinear = np.column_stack([Z, Z[:, 0] + Z[:, 1], 2.0 * Z[:, 2]])  # rank 6 of 8
    return {"diabetes": (X, y), "multi_output": (Z, Y), "collinear": (collinear, Y[:, 0])}


def classification_data():
    return {
        "iris": load_iris(return_X_y=True),
        "generated": make_classification(
            n_samples=200, n_features=6, n_informative=4, n_classes=4, random_state=0
        ),
        "binary": make_classification(n_samples=150, n_features=5, random_state=1),
    }


REGRESSION = regression_data()
CLASSIFICATION = classification_data()


@pytest.mark.parametrize("dataset", sorted(REGRESSION))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_matches_sklearn(dataset, fit_intercept):
    X, y = REGRESSION[dataset]
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    scale = np.abs(ref.coef_).max()
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-10 * scale)  # minimum norm
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-9)
    assert ours.rank_ == ref.rank_
    assert_allclose(ours.singular_, ref.singular_, rtol=1e-7, atol=1e-7 * ref.singular_[0])


@pytest.mark.parametrize("dataset", sorted(REGRESSION))
def test_linear_regression_unlearns_exactly(dataset):
    X, y = REGRESSION[dataset]
    forget = [random_rows(len(X), 12, seed=1), correlated_rows(X, 12, seed=2)]
    # Collinear, badly scaled columns: the Gram statistics square a condition number of ~1e5.
    tol = 1e-6 if dataset == "collinear" else 1e-8
    assert_unlearns_like_refit(LinearRegression(), sk.LinearRegression(), X, y, forget, tol=tol)


def test_linear_regression_sequential_deletions_compose():
    X, y = REGRESSION["multi_output"]
    first = random_rows(len(X), 6, seed=3)
    second = np.setdiff1d(correlated_rows(X, 8, seed=4), first)
    batches = [first, second, np.setdiff1d(random_rows(len(X), 5, 5), np.r_[first, second])]
    ref = sk.LinearRegression()
    assert_sequential_deletions_compose(LinearRegression(), ref, X, y, batches, tol=1e-8)


def test_linear_regression_sparse_equals_dense():
    X, y = REGRESSION["diabetes"]
    X = np.where(np.abs(X) < 0.02, 0.0, X)
    dense = LinearRegression().fit(X, y).unlearn(X[:9])
    sparse = LinearRegression().fit(sp.csr_matrix(X), y).unlearn(sp.csr_matrix(X[:9]))
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10)


@pytest.mark.parametrize("dataset", ["diabetes", "multi_output"])
def test_non_negative_least_squares_matches_sklearn_and_unlearns(dataset):
    X, y = REGRESSION[dataset]
    ours = LinearRegression(positive=True).fit(X, y)
    ref = sk.LinearRegression(positive=True).fit(X, y)
    assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0) and np.all(ours.coef_ >= 0)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10 * np.abs(ref.coef_).max())
    forget = [random_rows(len(X), 12, seed=1), correlated_rows(X, 12, seed=2)]
    ref = sk.LinearRegression(positive=True)
    assert_unlearns_like_refit(LinearRegression(positive=True), ref, X, y, forget, tol=1e-8)


@pytest.mark.parametrize("dataset", sorted(CLASSIFICATION))
@pytest.mark.parametrize(
    "params", [{}, {"alpha": 10.0, "fit_intercept": False}, {"class_weight": {0: 2.0, 1: 0.5}}]
)
def test_ridge_classifier_matches_sklearn(dataset, params):
    X, y = CLASSIFICATION[dataset]
    ours = RidgeClassifier(**params).fit(X, y)
    ref = sk.RidgeClassifier(**params).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-10, atol=1e-12 * np.abs(ref.coef_).max())
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-10, atol=1e-12)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-10)
    assert np.array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("dataset", sorted(CLASSIFICATION))
def test_ridge_classifier_unlearns_exactly(dataset):
    X, y = CLASSIFICATION[dataset]
    forget = [random_rows(len(X), 12, seed=1), correlated_rows(X, 12, seed=2)]
    ref = sk.RidgeClassifier()
    assert_unlearns_like_refit(RidgeClassifier(), ref, X, y, forget, tol=1e-8)


def test_ridge_classifier_sequential_deletions_compose():
    X, y = CLASSIFICATION["generated"]
    first = random_rows(len(X), 6, seed=3)
    second = np.setdiff1d(correlated_rows(X, 8, seed=4), first)
    batches = [first, second]
    ref = sk.RidgeClassifier()
    assert_sequential_deletions_compose(RidgeClassifier(), ref, X, y, batches, tol=1e-8)


def test_ridge_classifier_forgets_classes_down_to_binary():
    X, y = CLASSIFICATION["generated"]
    model = RidgeClassifier().fit(X, y)
    gone = np.array([], dtype=int)
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        model.unlearn(X[rows], y[rows])
        gone = np.union1d(gone, rows)
        rest = keep(len(X), gone)
        refit = sk.RidgeClassifier().fit(X[rest], y[rest])
        assert np.array_equal(model.classes_, refit.classes_)
        assert model.coef_.shape == refit.coef_.shape
        assert_allclose(model.coef_, refit.coef_, rtol=1e-9, atol=1e-12)
        assert_allclose(model.intercept_, refit.intercept_, rtol=1e-9, atol=1e-12)
    rows = random_rows(len(X), 5, seed=9)
    rows = rows[np.isin(rows, keep(len(X), gone))]
    model.unlearn(X[rows])  # the statistics are rebuilt after the class went
    rest = keep(len(X), np.union1d(gone, rows))
    assert_allclose(model.coef_, sk.RidgeClassifier().fit(X[rest], y[rest]).coef_, rtol=1e-9)


def test_a_class_left_with_zero_weight_rows_stays_as_in_the_refit():
    """scikit-learn's classes_ are the labels of y whatever their weights: a class whose
    positive-weight rows are forgotten but whose zero-weight rows remain stays."""
    X, y = CLASSIFICATION["generated"]
    weights = np.ones(len(y))
    label = y.max()
    rows = np.flatnonzero(y == label)
    weights[rows[: len(rows) // 2]] = 0.0
    forget = rows[len(rows) // 2 :]
    model = RidgeClassifier().fit(X, y, sample_weight=weights)
    model.unlearn(X[forget], y[forget], sample_weight=weights[forget])
    rest = keep(len(X), forget)
    refit = sk.RidgeClassifier().fit(X[rest], y[rest], sample_weight=weights[rest])
    assert label in refit.classes_
    assert np.array_equal(model.classes_, refit.classes_)
    assert_allclose(model.coef_, refit.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(model.intercept_, refit.intercept_, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (RidgeClassifier(positive=True), "positive=True"),
        (RidgeClassifier(class_weight="balanced"), "class_weight='balanced'"),
    ],
)
def test_unsupported_settings_are_refused_by_name(estimator, match):
    X, y = CLASSIFICATION["iris"]
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize("cls", [LinearRegression, RidgeClassifier])
@pytest.mark.parametrize(
    "unlearner", [DescentAscent(max_iter=5), GradientAscent(max_iter=3), Finetune(max_iter=5),
                  DescentAscent(max_iter=5, schedule="alternating")],
)  # fmt: skip
def test_comparison_unlearners_run(cls, unlearner):
    X, y = CLASSIFICATION["iris"]
    model = cls(unlearner=unlearner).fit(X, y)
    before = model.coef_.copy()
    model.unlearn(X[:5])
    assert model.n_forgotten_ == 5 and not np.array_equal(model.coef_, before)


@pytest.mark.parametrize("name", ["RidgeClassifier", "RidgeCV", "Lasso"])
def test_bucketed_statistics_equal_a_fit_on_the_remaining_rows_bit_for_bit(name):
    """The family's least-squares models keep Ridge's per-bucket Gram statistics: after an
    unlearning (only the buckets that lost rows recomputed) the statistics and the model
    equal, bit for bit, those of a fit on the remaining rows in their order."""
    from skunlearn import linear_model
    from skunlearn._solvers import BucketedGram

    X, y = make_regression(n_samples=400, n_features=5, noise=2.0, random_state=3)
    if name == "RidgeClassifier":
        y = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    make = getattr(linear_model, name)
    forget = random_rows(len(X), 9, seed=4)
    model = make().fit(X, y).unlearn(X[forget], y[forget])
    refit = make().fit(X[keep(len(X), forget)], y[keep(len(X), forget)])
    ours, theirs = model._warm_state, refit._warm_state
    assert isinstance(ours, BucketedGram) and isinstance(theirs, BucketedGram)
    for field in ("xx", "xy", "x_mean", "y_mean"):
        np.testing.assert_array_equal(getattr(ours, field), getattr(theirs, field))
    np.testing.assert_array_equal(model.coef_, refit.coef_)
    np.testing.assert_array_equal(model.intercept_, refit.intercept_)
    kept = model._rows.X
    assert_allclose(ours.xx, np.cov(kept.T, bias=True) * len(kept), rtol=1e-10)  # numpy
