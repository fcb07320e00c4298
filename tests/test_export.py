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
