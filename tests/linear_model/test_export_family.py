"""``to_sklearn()`` for the linear model family: scikit-learn's class, the same predictions."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris

import skunlearn as su


def regression():
    X, y = load_diabetes(return_X_y=True)
    return X * 1.01 + 0.0013, y  # values that occur nowhere else


def classification():
    X, y = load_iris(return_X_y=True)
    return X * [1.0, 1.1, 0.9, 1.2] + 0.013, y


CASES = [
    (su.PoissonRegressor(alpha=0.01), regression),
    (su.TweedieRegressor(power=1.5, alpha=0.01), regression),
    (su.HuberRegressor(convention="paper"), regression),
    (su.LinearRegression(), regression),
    (su.RidgeCV(), regression),
    (su.Lasso(alpha=0.1), regression),
    (su.ElasticNet(alpha=0.1), regression),
    (su.LinearSVC(C=0.3, convention="paper"), classification),
    (su.RidgeClassifier(alpha=0.3, convention="paper"), classification),
    (su.LogisticRegressionCV(Cs=3), classification),
]


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize(("estimator", "data"), CASES, ids=[repr(c[0]) for c in CASES])
def test_export_predicts_the_same_and_refits_the_same(estimator, data):
    X, y = data()
    model = clone(estimator).fit(X, y).unlearn(X[:5])
    exported = model.to_sklearn()
    assert type(exported).__module__.startswith("sklearn.")
    assert type(exported).__name__ == type(model).__name__
    np.testing.assert_allclose(exported.predict(X), model.predict(X), rtol=1e-12)
    blob = pickle.dumps(exported)
    assert b"skunlearn" not in blob
    assert not any(value.tobytes() in blob for value in X[:5].ravel())
    refit = clone(exported)  # its hyperparameters, in scikit-learn's convention
    if "tol" in refit.get_params():
        refit.set_params(tol=1e-12)
    # rtol: scikit-learn's own solvers (HuberRegressor's L-BFGS-B stops near 1e-5 relative)
    np.testing.assert_allclose(refit.fit(X[5:], y[5:]).predict(X), model.predict(X), rtol=1e-4)
