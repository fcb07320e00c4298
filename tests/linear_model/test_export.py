"""``to_sklearn()``: scikit-learn's estimator with the same predictions and no training row."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk_linear
from sklearn.datasets import load_iris

from skunlearn import LogisticRegression, Ridge
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X * [1.0, 1.1, 0.9, 1.2] + 0.013, y  # values that occur nowhere else


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(),
        LogisticRegression(C=3.0, convention="paper"),
        LogisticRegression(fit_intercept=False),
        Ridge(alpha=0.7),
        Ridge(alpha=0.05, convention="paper", fit_intercept=False),
    ],
    ids=repr,
)
@pytest.mark.parametrize("binary", [True, False], ids=["binary", "multi"])
def test_estimators_export_the_same_model_without_rows(estimator, binary, iris):
    X, y = iris
    if binary:
        X, y = X[y < 2], y[y < 2]
    model = estimator.fit(X, y).unlearn(X[:5])
    exported = model.to_sklearn()
    assert type(exported).__module__.startswith("sklearn.linear_model")
    np.testing.assert_array_equal(exported.predict(X), model.predict(X))
    if hasattr(model, "predict_proba"):
        np.testing.assert_allclose(exported.predict_proba(X), model.predict_proba(X), rtol=1e-14)
    blob = pickle.dumps(exported)
    assert b"skunlearn" not in blob
    assert not any(value.tobytes() in blob for value in X[5:].ravel())
    refit = sk_linear.LogisticRegression if hasattr(model, "classes_") else sk_linear.Ridge
    assert isinstance(exported, refit)


def test_exported_hyperparameters_refit_the_same_model(iris):
    """In the paper's convention the exported C (or alpha) is scikit-learn's equivalent."""
    X, y = iris
    model = LogisticRegression(C=3.0, convention="paper").fit(X, y)
    exported = model.to_sklearn()
    refit = sk_linear.LogisticRegression(**exported.get_params()).set_params(tol=1e-12)
    np.testing.assert_allclose(refit.fit(X, y).coef_, model.coef_, atol=1e-6)
    ridge = Ridge(alpha=0.05, convention="paper").fit(X, y)
    refit = sk_linear.Ridge(**ridge.to_sklearn().get_params()).fit(X, y)
    np.testing.assert_allclose(refit.coef_, ridge.coef_, rtol=1e-9)


def test_sparse_model_and_pipeline(iris):
    X, y = iris
    model = LogisticRegression().fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(model.to_sklearn().predict_proba(X), model.predict_proba(X))
    pipe = make_pipeline(StandardScaler(), Ridge()).fit(X, y).unlearn(X[:3])
    exported = pipe.to_sklearn()
    np.testing.assert_array_equal(exported.predict(X), pipe.predict(X))
    assert b"skunlearn" not in pickle.dumps(exported)


def test_exponential_loss_has_no_counterpart(iris):
    X, y = iris
    model = LogisticRegression(loss="exponential").fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="no scikit-learn counterpart"):
        model.to_sklearn()


# scikit-learn 1.9's parameters (issue 14): each is exported so that scikit-learn's own
# estimator, refitted with the exported hyperparameters, lands on the same model.
LOGISTIC_PARAMETERS = [
    dict(l1_ratio=1.0, C=0.3),
    dict(l1_ratio=0.5, C=0.3, fit_intercept=False),
    dict(C=np.inf),
    dict(class_weight="balanced"),
    dict(class_weight={0: 2.0, 1: 0.5}),
    dict(solver="liblinear", intercept_scaling=2.0),
    dict(solver="liblinear", l1_ratio=1.0, C=0.5),
    dict(solver="newton-cg", C=0.5),
    dict(l1_ratio=1.0, C=30.0, convention="paper"),
]


@pytest.mark.parametrize("params", LOGISTIC_PARAMETERS, ids=repr)
def test_logistic_parameters_are_exported(params, iris):
    X, y = iris
    X, y = X[y > 0], y[y > 0] - 1  # binary (liblinear), not separable (C=inf)
    model = LogisticRegression(**params).fit(X, y).unlearn(X[:5])
    exported = model.to_sklearn()
    np.testing.assert_allclose(exported.predict_proba(X), model.predict_proba(X), rtol=1e-14)
    assert exported.solver == (params.get("solver") or exported.solver)
    assert exported.intercept_scaling == model.intercept_scaling
    assert exported.class_weight == params.get("class_weight")
    tight = {"tol": 1e-12, "max_iter": 100_000}
    refit = sk_linear.LogisticRegression(**{**exported.get_params(), **tight}).fit(X[5:], y[5:])
    np.testing.assert_allclose(refit.coef_, model.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(refit.intercept_, model.intercept_, rtol=1e-5, atol=1e-7)


def test_float32_model_exports_float32_parameters(iris):
    X, y = iris
    X = X.astype(np.float32)
    model = LogisticRegression().fit(X, y).unlearn(X[:5])
    exported = model.to_sklearn()
    assert exported.coef_.dtype == exported.intercept_.dtype == np.float32
    np.testing.assert_array_equal(exported.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "params",
    [dict(alpha=np.array([0.3, 5.0])), dict(positive=True), dict(solver="lsqr", tol=1e-12)],
    ids=repr,
)
def test_ridge_parameters_are_exported(params, iris):
    X, _ = iris
    Y = np.c_[X[:, 0] - 2.0 * X[:, 3], 0.5 * X[:, 1] - X[:, 2]]
    model = Ridge(**params).fit(X, Y).unlearn(X[:5])
    exported = model.to_sklearn()
    np.testing.assert_array_equal(exported.predict(X), model.predict(X))
    assert exported.solver_ == model.solver_ and exported.positive == model.positive
    refit = sk_linear.Ridge(**exported.get_params()).fit(X[5:], Y[5:])
    np.testing.assert_allclose(refit.coef_, model.coef_, rtol=1e-6, atol=1e-8)
