"""fit equals scikit-learn's estimators fitted to a tight tolerance; API integration."""

import pickle

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skunlearn import LogisticRegression, Ridge


def sklearn_logistic(X, y, C=1.0, sample_weight=None, fit_intercept=True):
    reference = sk.LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, fit_intercept=fit_intercept
    )
    return reference.fit(X, y, sample_weight=sample_weight)


def assert_relative(actual, desired, rtol):
    actual, desired = np.ravel(actual), np.ravel(desired)
    assert np.linalg.norm(actual - desired) <= rtol * np.linalg.norm(desired)


@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
def test_binary_logistic_matches_sklearn(breast_cancer, C):
    X, y = breast_cancer
    ours, ref = LogisticRegression(C=C).fit(X, y), sklearn_logistic(X, y, C)
    assert_relative(ours.coef_, ref.coef_, 1e-6)
    assert_relative(ours.intercept_, ref.intercept_, 1e-6)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape


@pytest.mark.parametrize("dataset", ["iris", "wine"])
def test_multinomial_logistic_matches_sklearn(request, dataset):
    X, y = request.getfixturevalue(dataset)
    ours, ref = LogisticRegression(C=0.7).fit(X, y), sklearn_logistic(X, y, 0.7)
    assert ours.coef_.shape == ref.coef_.shape
    assert_relative(ours.coef_, ref.coef_, 1e-6)
    assert_allclose(
        ours.intercept_ - ours.intercept_.mean(), ref.intercept_ - ref.intercept_.mean(), atol=1e-7
    )
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_synthetic_logistic_matches_sklearn(n_classes, fit_intercept):
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=n_classes, random_state=1
    )
    weights = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    ours = LogisticRegression(C=2.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=weights)
    ref = sklearn_logistic(X, y, 2.0, weights, fit_intercept)
    assert_relative(ours.coef_, ref.coef_, 1e-6)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


def test_lbfgs_and_newton_agree(wine):
    X, y = wine
    newton = LogisticRegression(solver="newton-cholesky").fit(X, y)
    lbfgs = LogisticRegression(solver="lbfgs").fit(X, y)
    assert_relative(lbfgs.coef_, newton.coef_, 1e-8)


def test_string_labels_and_predict(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = LogisticRegression().fit(X, labels)
    assert list(clf.classes_) == list(labels[np.sort(np.unique(y, return_index=True)[1])])
    assert_allclose(clf.score(X, labels), sklearn_logistic(X, labels).score(X, labels))


def test_paper_convention_is_sklearn_with_rescaled_C(breast_cancer):
    """mean_i l_i + ||w||^2 / (2 C) has the minimiser of (C / n) sum_i l_i + ||w||^2 / 2."""
    X, y = breast_cancer
    ours = LogisticRegression(C=3.0, convention="paper").fit(X, y)
    ref = sklearn_logistic(X, y, C=3.0 / len(y))
    assert_relative(ours.coef_, ref.coef_, 1e-6)


def test_exponential_loss_minimises_its_objective(breast_cancer):
    X, y = breast_cancer
    lam = 0.05
    clf = LogisticRegression(
        C=1 / lam, loss="exponential", convention="paper", fit_intercept=False
    )
    clf.fit(X, y)
    signs = 2 * y - 1

    def objective(w):
        losses = np.exp(-signs * (X @ w))
        return losses.mean() + lam / 2 * w @ w, -(signs * losses) @ X / len(y) + lam * w

    ref = scipy.optimize.minimize(
        objective, np.zeros(X.shape[1]), jac=True, method="BFGS", options={"gtol": 1e-12}
    )
    assert_relative(clf.coef_, ref.x, 1e-6)
    assert_allclose(clf.predict_proba(X)[:, 1], 1 / (1 + np.exp(-2 * X @ clf.coef_[0])))


def test_ridge_matches_sklearn(diabetes):
    X, y = diabetes
    for alpha in [1e-3, 1.0, 100.0]:
        ours, ref = Ridge(alpha=alpha).fit(X, y), sk.Ridge(alpha=alpha).fit(X, y)
        assert_relative(ours.coef_, ref.coef_, 1e-10)
        assert abs(ours.intercept_ - ref.intercept_) <= 1e-10 * abs(ref.intercept_)
        assert np.shape(ours.coef_) == np.shape(ref.coef_)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_multioutput_ridge_matches_sklearn(fit_intercept):
    X, Y = make_regression(n_samples=120, n_features=6, n_targets=3, random_state=0)
    X = X * [1, 10, 100, 0.1, 1, 3] + 50
    weights = np.random.default_rng(1).uniform(0, 2, size=len(X))
    ours = Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, Y, sample_weight=weights)
    ref = sk.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, Y, sample_weight=weights)
    assert ours.coef_.shape == ref.coef_.shape == (3, 6)
    assert_relative(ours.coef_, ref.coef_, 1e-10)
    reference = ref.predict(X)
    assert_allclose(ours.predict(X), reference, atol=1e-10 * np.abs(reference).max())


def test_ridge_paper_convention(diabetes):
    """mean squared error + alpha ||w||^2 equals sklearn's Ridge with alpha * n."""
    X, y = diabetes
    ours = Ridge(alpha=0.01, convention="paper").fit(X, y)
    assert_relative(ours.coef_, sk.Ridge(alpha=0.01 * len(y)).fit(X, y).coef_, 1e-10)


def test_clone_pickle_pipeline_gridsearch(breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegression(C=0.3, unlearner="finetune").fit(X, y)
    assert clone(clf).get_params() == clf.get_params()
    restored = pickle.loads(pickle.dumps(clf))
    assert_allclose(restored.predict_proba(X), clf.predict_proba(X))
    restored.set_params(unlearner="newton").unlearn(X[:3])
    assert_relative(restored.coef_, sklearn_logistic(X[3:], y[3:], 0.3).coef_, 1e-6)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    assert pipe.score(X, y) > 0.95
    grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0]}
    search = GridSearchCV(LogisticRegression(), grid, cv=3, scoring="neg_log_loss").fit(X, y)
    reference = sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000)
    expected = GridSearchCV(reference, grid, cv=3, scoring="neg_log_loss").fit(X, y)
    assert search.best_params_ == expected.best_params_
    assert_allclose(
        search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"], rtol=1e-6
    )


def test_pandas_feature_names(diabetes):
    pd = pytest.importorskip("pandas")
    X, y = diabetes
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = Ridge().fit(frame, y)
    assert list(model.feature_names_in_) == list(frame.columns)
    model.unlearn(frame.iloc[:5])
    assert model.n_forgotten_ == 5
    with pytest.raises(ValueError, match="feature names"):
        model.unlearn(frame.iloc[5:7].rename(columns={"f0": "other"}))
