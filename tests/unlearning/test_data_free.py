"""Data-free certified removal (Sekhari et al. 2021): no rows kept, the bound, the capacity."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import expit
from sklearn import linear_model as sk
from sklearn.preprocessing import FunctionTransformer

from skunlearn import LogisticRegression, Ridge
from skunlearn.exceptions import CertificateExhaustedError
from skunlearn.pipeline import make_pipeline
from skunlearn.unlearners import DataFreeNewton

GAMMA_LOGISTIC = 1.0 / (6.0 * np.sqrt(3.0))


class RaisingStore:
    """A row store that fails on any access."""

    def __getattr__(self, name):
        raise AssertionError(f"the training rows were read ({name})")


def unit_rows(n=500, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) / 2
    X /= np.maximum(np.linalg.norm(X, axis=1), 1.0)[:, None]
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y


def numpy_removal(X, y, theta_hat, C, forget):
    """Sekhari et al.'s Newton step from ``theta_hat`` (binary logistic, no intercept)."""
    keep = np.setdiff1d(np.arange(len(X)), forget)
    s = 2.0 * y - 1.0
    p = expit(X[keep] @ theta_hat)
    H = C * (X[keep].T * (p * (1 - p))) @ X[keep] + np.eye(X.shape[1])
    grad_forget = C * X[forget].T @ (-s[forget] * expit(-s[forget] * (X[forget] @ theta_hat)))
    return theta_hat + np.linalg.solve(H, grad_forget)


def sensitivity(C, n, capacity, R=1.0):
    """``2 M g^2 / mu^3`` with ``M = gamma R^3 C n``, ``g = m C R``, ``mu = 1``."""
    return 2.0 * GAMMA_LOGISTIC * R**3 * C * n * (capacity * C * R) ** 2


def fitted(unlearner, X, y, C=1.0):
    return LogisticRegression(C=C, fit_intercept=False, unlearner=unlearner).fit(X, y)


@pytest.mark.parametrize("sparse", [False, True])
def test_never_reads_training_rows_and_keeps_none(sparse):
    X, y = unit_rows()
    Xs = sp.csr_matrix(X) if sparse else X
    model = fitted(DataFreeNewton(capacity=20, random_state=0), Xs, y)
    assert model._rows is None
    assert X[7].tobytes() not in pickle.dumps(model)
    model._rows = RaisingStore()
    model.unlearn(Xs[:5], y[:5]).unlearn(Xs[5:6], y[5:6])
    assert model.n_forgotten_ == 6
    assert model.certificate_.remaining == 14
    assert model.predict(Xs[:3]).shape == (3,)
    exported = model.to_sklearn()
    assert_allclose(exported.decision_function(X), model.decision_function(Xs), rtol=1e-12)


def test_noiseless_step_is_within_the_certified_sensitivity_of_the_refit():
    """``||theta_bar - theta*_R|| <= 2 M g^2 / mu^3`` against a tight scikit-learn refit,
    and ``theta_bar`` is Sekhari et al.'s Newton step (numpy)."""
    X, y = unit_rows()
    C, capacity, forget = 0.05, 10, np.arange(10)
    model = fitted(DataFreeNewton(epsilon=1.0, capacity=capacity, random_state=0), X, y, C)
    theta_hat = model._certified.extra["theta_hat"]
    model.unlearn(X[forget], y[forget])
    released = np.ravel(model.coef_)
    theta_bar = released - model._certified.perturbation
    assert_allclose(theta_bar, numpy_removal(X, y, theta_hat, C, forget), rtol=1e-9)
    oracle = sk.LogisticRegression(
        C=C, fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X[10:], y[10:])
    distance = np.linalg.norm(theta_bar - np.ravel(oracle.coef_))
    assert 0 < distance <= sensitivity(C, len(X), capacity)


def test_output_noise_is_gaussian_with_the_calibrated_sigma():
    """Released minus the noiseless step, over fits with fixed seeds: ``N(0, sigma^2)``,
    ``sigma = 2 M g^2 / mu^3 sqrt(2 log(1.25 / delta)) / epsilon``."""
    X, y = unit_rows(n=200)
    C, capacity, delta, epsilon = 0.02, 2, 1e-4, 0.5
    sigma = sensitivity(C, 200, capacity) * np.sqrt(2 * np.log(1.25 / delta)) / epsilon
    noise = []
    for seed in range(120):
        unlearner = DataFreeNewton(epsilon, delta, capacity, random_state=seed)
        model = fitted(unlearner, X, y, C)
        theta_hat = model._certified.extra["theta_hat"]
        noise.append(np.ravel(model.unlearn(X[:1], y[:1]).coef_))
        noise[-1] = noise[-1] - numpy_removal(X, y, theta_hat, C, [0])
    noise = np.ravel(noise)
    assert stats.kstest(noise / sigma, "norm").pvalue > 0.01
    assert stats.kstest(noise / (1.5 * sigma), "norm").pvalue < 1e-3


def test_ridge_data_free_removal_is_exact():
    """Quadratic loss: the Newton step with the downdated Hessian is the refit (no noise)."""
    X, _ = unit_rows()
    y = X @ [1.0, -2.0, 0.5] + 0.1
    model = Ridge(alpha=0.3, unlearner=DataFreeNewton(capacity=100)).fit(X, y)
    model._rows = RaisingStore()
    model.unlearn(X[:30], y[:30]).unlearn(X[30:40], y[30:40])
    oracle = sk.Ridge(alpha=0.3).fit(X[40:], y[40:])
    assert_allclose(model.to_sklearn().predict(X), oracle.predict(X), rtol=0, atol=1e-9)
    assert_allclose(model.coef_, oracle.coef_, rtol=0, atol=1e-10)
    assert_allclose(model.intercept_, oracle.intercept_, rtol=0, atol=1e-10)


def test_capacity_exhausted_raises_and_leaves_the_model_unchanged():
    X, y = unit_rows()
    model = fitted(DataFreeNewton(capacity=3, random_state=0), X, y)
    model.unlearn(X[:2], y[:2])
    before = copy.deepcopy(model)
    with pytest.raises(CertificateExhaustedError, match="capacity is 3"):
        model.unlearn(X[2:4], y[2:4])
    assert_allclose(model.coef_, before.coef_, rtol=0, atol=0)
    assert model.certificate_ == before.certificate_ and model.n_forgotten_ == 2
    assert model.unlearn(X[2:3], y[2:3]).certificate_.remaining == 0


@pytest.mark.parametrize(
    "model, message",
    [
        (LogisticRegression(), "every parameter penalised"),
        (LogisticRegression(fit_intercept=False, convention="paper"), "convention='sklearn'"),
    ],
)
def test_assumptions_are_checked_at_fit(model, message):
    X, y = unit_rows()
    with pytest.raises(ValueError, match=message):
        model.set_params(unlearner=DataFreeNewton()).fit(X, y)


def test_rows_above_the_norm_bound_are_counted_in_the_refusal():
    X, y = unit_rows()
    X[[3, 8, 9]] = 2.0
    with pytest.raises(ValueError, match="3 of 500 training rows"):
        fitted(DataFreeNewton(), X, y)


def test_penalised_intercept_is_supported():
    X, y = unit_rows()
    X = X / np.sqrt(2)  # ||(x, 1)|| <= sqrt(1.5)
    unlearner = DataFreeNewton(capacity=5, row_norm_bound=1.5, random_state=0)
    model = LogisticRegression(solver="liblinear", unlearner=unlearner).fit(X, y)
    assert model.unlearn(X[:2], y[:2]).certificate_.remaining == 3


def test_requests_without_rows_are_refused():
    X, y = unit_rows()
    model = fitted(DataFreeNewton(capacity=5), X, y)
    with pytest.raises(ValueError, match="unlearn\\(X_forget, y_forget\\)"):
        model.unlearn(X[:1])
    with pytest.raises(ValueError, match="keeps no training rows or ids"):
        model.unlearn(ids=[0])


def test_multinomial_step_is_within_the_certified_sensitivity_of_the_refit():
    """Multinomial (no intercept): ``G = sqrt(2)``, ``gamma = 3/2`` in the same bound."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 3)) / 2
    X /= np.maximum(np.linalg.norm(X, axis=1), 1.0)[:, None] * (1 + 1e-9)
    y = np.argmax(X + 0.3 * rng.normal(size=X.shape), axis=1)
    C, capacity = 0.05, 6
    unlearner = DataFreeNewton(capacity=capacity, random_state=0)
    model = LogisticRegression(C=C, fit_intercept=False, unlearner=unlearner).fit(X, y)
    model._rows = RaisingStore()
    model.unlearn(X[:6], y[:6])
    theta_bar = np.ravel(model.coef_) - model._certified.perturbation
    oracle = sk.LogisticRegression(
        C=C, fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X[6:], y[6:])
    bound = 2.0 * 1.5 * C * 600 * (capacity * C * np.sqrt(2.0)) ** 2
    distance = np.linalg.norm(theta_bar - np.ravel(oracle.coef_))
    assert 0 < distance <= bound
    assert model.certificate_.remaining == 0


def test_a_data_free_final_step_refuses_pipeline_unlearning():
    X, y = unit_rows()
    final = LogisticRegression(fit_intercept=False, unlearner=DataFreeNewton(capacity=5))
    pipeline = make_pipeline(FunctionTransformer(np.tanh), final).fit(X, y)
    before = np.array(pipeline[-1].coef_)
    with pytest.raises(ValueError, match="cannot unlearn as a pipeline step"):
        pipeline.unlearn(X[:1], y[:1])
    assert_allclose(pipeline[-1].coef_, before, rtol=0, atol=0)
    pipeline[-1].unlearn(np.tanh(X[:1]), y[:1])
    assert pipeline[-1].certificate_.remaining == 4
