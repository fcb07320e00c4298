"""Unlearners: Newton lands on the oracle; first-order methods equal plain numpy updates."""

import numpy as np
import pytest
from conftest import normalised_distance, parameters
from numpy.testing import assert_allclose
from scipy.special import expit, softmax
from sklearn import linear_model as sk
from sklearn.base import clone

from skunlearn import LogisticRegression, Ridge
from skunlearn.exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning
from skunlearn.unlearners import (
    DescentAscent,
    Finetune,
    GradientAscent,
    Newton,
    Retrain,
    resolve_unlearner,
)


def sklearn_oracle(estimator, X, y):
    if isinstance(estimator, Ridge):
        return sk.Ridge(alpha=estimator.alpha).fit(X, y)
    return sk.LogisticRegression(
        C=estimator.C, solver="newton-cholesky", tol=1e-12, max_iter=1000
    ).fit(X, y)


def forget_sets(model, X, y, kind, size):
    """A random forget set, or the rows nearest the worst-fitted row (one cluster)."""
    if kind == "random":
        return np.random.default_rng(0).choice(len(X), size, replace=False)
    if isinstance(model, Ridge):
        misfit = np.abs(model.predict(X) - y)
    else:
        misfit = -model.predict_log_proba(X)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
    centre = X[np.argmax(misfit)]
    return np.argsort(np.linalg.norm(X - centre, axis=1))[:size]


@pytest.mark.parametrize("kind", ["random", "correlated"])
@pytest.mark.parametrize("size", [1, 25])
@pytest.mark.parametrize(
    "dataset, estimator, tol",
    [
        ("breast_cancer", LogisticRegression(C=1.0), 1e-6),
        ("wine", LogisticRegression(C=0.5), 1e-6),
        ("diabetes", Ridge(alpha=0.5), 1e-10),
    ],
)
def test_newton_lands_on_sklearn_oracle(request, dataset, estimator, tol, kind, size):
    X, y = request.getfixturevalue(dataset)
    original = clone(estimator).fit(X, y)
    forget = forget_sets(original, X, y, kind, size)
    keep = np.setdiff1d(np.arange(len(X)), forget)
    unlearned = clone(estimator).fit(X, y).unlearn(X[forget], y[forget])
    oracle = sklearn_oracle(estimator, X[keep], y[keep])
    assert normalised_distance(unlearned, oracle, original) <= tol
    assert unlearned.n_forgotten_ == size


@pytest.mark.parametrize(
    "dataset, estimator, tol",
    [("breast_cancer", LogisticRegression(), 1e-6), ("diabetes", Ridge(alpha=2.0), 1e-10)],
)
def test_sequential_unlearning_composes(request, dataset, estimator, tol):
    X, y = request.getfixturevalue(dataset)
    order = np.random.default_rng(3).permutation(len(X))
    first, second, third = order[:10], order[10:11], order[11:40]
    model = clone(estimator).fit(X, y)
    for part in (first, second, third):
        model.unlearn(X[part])
    keep = order[40:]
    original = clone(estimator).fit(X, y)
    oracle = sklearn_oracle(estimator, X[keep], y[keep])
    assert normalised_distance(model, oracle, original) <= tol
    assert model.n_forgotten_ == 40


def test_retrain_is_the_oracle(wine):
    X, y = wine
    model = LogisticRegression(unlearner=Retrain()).fit(X, y).unlearn(X[:30])
    original = LogisticRegression().fit(X, y)
    assert normalised_distance(model, sklearn_oracle(model, X[30:], y[30:]), original) <= 1e-6


def test_multinomial_class_removal_follows_the_oracle(iris):
    X, y = iris
    gone = np.flatnonzero(y == 2)
    model = LogisticRegression().fit(X, y).unlearn(X[gone])
    oracle = sklearn_oracle(model, X[y != 2], y[y != 2])
    assert list(model.classes_) == [0, 1] and model.coef_.shape == oracle.coef_.shape == (1, 4)
    assert_allclose(parameters(model), parameters(oracle), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="removes a class"):
        LogisticRegression(unlearner="descent_ascent").fit(X, y).unlearn(X[gone])


@pytest.mark.parametrize("unlearner", [Newton(tol=1e-12), "retrain"])
def test_exact_history_is_metadata_of_the_committed_weights(breast_cancer, unlearner):
    """An unlearner that lands on the oracle keeps no per-step record (its first step
    length is the deletion's effect): only the retain objective and its gradient norm at
    the committed weights, which a numpy evaluation on the remaining rows reproduces."""
    X, y = breast_cancer
    model = LogisticRegression(unlearner=unlearner).fit(X, y).unlearn(X[:40])
    history = model.unlearn_history_
    assert set(history) == {"objective", "grad_norm"}
    assert all(len(values) == 1 for values in history.values())
    X_r, y_r = X[40:], y[40:]
    z = X_r @ model.coef_.ravel() + model.intercept_[0]
    loss = np.logaddexp(0.0, -(2 * y_r - 1) * z)
    n = len(y_r)
    objective = loss.mean() + model.coef_.ravel() @ model.coef_.ravel() / (2 * n)
    assert history["objective"][0] == pytest.approx(objective, rel=1e-13)
    assert history["grad_norm"][0] <= 1e-12


def test_alias_is_not_written_back(breast_cancer):
    X, y = breast_cancer
    model = LogisticRegression(unlearner="finetune").fit(X, y).unlearn(X[:2])
    assert model.unlearner == "finetune"
    assert isinstance(resolve_unlearner("finetune"), Finetune)
    with pytest.raises(ValueError, match="unlearner"):
        resolve_unlearner("ascend")


# --- plain numpy references of the first-order updates --------------------------------


def numpy_gradient(kind, X, y, theta, n_outputs):
    """Mean-loss gradient for (logistic | multinomial | squared), theta = [coef, intercept]."""
    d = X.shape[1]
    W, b = theta[: n_outputs * d].reshape(n_outputs, d), theta[n_outputs * d :]
    Z = X @ W.T + b
    if kind == "logistic":
        signs = 2 * y - 1
        R = (-signs * expit(-signs * Z[:, 0]))[:, None]
    elif kind == "multinomial":
        R = softmax(Z, axis=1) - np.eye(n_outputs)[y]
    else:
        R = -2 * (y.reshape(len(y), -1) - Z)
    return np.concatenate([(R.T @ X).ravel(), R.sum(axis=0)]) / len(X)


def numpy_first_order(
    kind, method, X, y, forget, theta, ridge, rate, n_iter, n_outputs, gamma=1.0
):
    keep = np.setdiff1d(np.arange(len(X)), forget)
    penalty = np.r_[np.ones(n_outputs * X.shape[1]), np.zeros(n_outputs)]

    def grad_retain(t):
        return numpy_gradient(kind, X[keep], y[keep], t, n_outputs) + ridge * penalty * t

    def grad_forget(t):
        return numpy_gradient(kind, X[forget], y[forget], t, n_outputs)

    for _ in range(n_iter):
        if method == "simultaneous":
            theta = theta - rate * (grad_retain(theta) - gamma * grad_forget(theta))
        elif method == "alternating":
            half = theta - rate * grad_retain(theta)
            theta = half - rate * (-gamma * grad_forget(half) + ridge * penalty * half)
        elif method == "ascent":
            theta = theta + rate * grad_forget(theta)
        else:
            theta = theta - rate * grad_retain(theta)
    return theta


CASES = {
    "logistic": (lambda: LogisticRegression(C=0.5), "breast_cancer", 1, 0.05),
    "multinomial": (lambda: LogisticRegression(C=0.5), "wine", 3, 0.05),
    "squared": (lambda: Ridge(alpha=3.0), "diabetes", 1, 0.01),
}


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize(
    "method, unlearner",
    [
        ("simultaneous", DescentAscent(max_iter=50, ascent_weight=0.7)),
        ("alternating", DescentAscent(max_iter=50, ascent_weight=0.7, schedule="alternating")),
        ("ascent", GradientAscent(max_iter=50)),
        ("finetune", Finetune(max_iter=50)),
    ],
)
def test_first_order_equals_numpy_reference(request, kind, method, unlearner):
    make, dataset, n_outputs, rate = CASES[kind]
    X, y = request.getfixturevalue(dataset)
    model = make().fit(X, y)
    theta0 = parameters(model)
    forget = np.random.default_rng(1).choice(len(X), 20, replace=False)
    n_keep = len(X) - len(forget)
    ridge = 2 * model.alpha / n_keep if kind == "squared" else 1 / (model.C * n_keep)
    expected = numpy_first_order(
        kind, method, X, y, forget, theta0, ridge, rate, 50, n_outputs, gamma=0.7
    )
    model.set_params(unlearner=clone(unlearner).set_params(learning_rate=rate)).unlearn(X[forget])
    assert_allclose(parameters(model), expected, rtol=1e-10, atol=1e-10 * np.abs(expected).max())
    assert len(model.unlearn_history_["step_length"]) == 50


def test_auto_learning_rate_is_inverse_top_curvature(breast_cancer):
    X, y = breast_cancer
    forget = np.arange(15)
    keep = np.arange(15, len(X))
    model = LogisticRegression().fit(X, y)
    Xa = np.column_stack([X[keep], np.ones(len(keep))])
    p = expit(Xa @ parameters(model))
    H = Xa.T @ (Xa * (p * (1 - p))[:, None]) / len(keep)
    H[np.arange(X.shape[1]), np.arange(X.shape[1])] += 1 / len(keep)
    rate = 1 / np.linalg.eigvalsh(H)[-1]
    auto = (
        clone(model).fit(X, y).set_params(unlearner=DescentAscent(max_iter=5)).unlearn(X[forget])
    )
    fixed = model.set_params(unlearner=DescentAscent(rate, max_iter=5)).unlearn(X[forget])
    assert_allclose(parameters(auto), parameters(fixed), rtol=1e-6)


def test_divergence_is_detected_and_last_finite_iterate_kept():
    """Exponential loss: with the forget rows dominating an axis, L_DA is unbounded below."""
    X = np.repeat(np.eye(2), [30, 30], axis=0)
    y = np.ones(60, dtype=int)
    y[::2] = 0
    X[y == 0] *= -1
    forget = np.flatnonzero(X[:, 0] != 0)[:20]
    make = lambda: LogisticRegression(  # noqa: E731
        C=100.0, loss="exponential", convention="paper", fit_intercept=False
    ).fit(X, y)
    with pytest.warns(UnlearningDivergenceWarning, match="diverged"):
        model = make().set_params(unlearner=DescentAscent(2.0, 200)).unlearn(X[forget])
    steps = len(model.unlearn_history_["objective"])
    assert 0 < steps < 200 and np.all(np.isfinite(model.coef_))
    replay = make().set_params(unlearner=DescentAscent(2.0, steps)).unlearn(X[forget])
    assert_allclose(replay.coef_, model.coef_)


def test_hessian_free_path_lands_on_oracle(monkeypatch, wine):
    """Without memory for a dense Hessian: L-BFGS fit, Newton-CG unlearning."""
    import skunlearn._solvers

    monkeypatch.setattr(skunlearn._solvers._budget, "HESSIAN_MEMORY_BUDGET", 0)
    X, y = wine
    original = LogisticRegression().fit(X, y)
    assert original._warm_state is None
    model = LogisticRegression().fit(X, y).unlearn(X[:12])
    oracle = sklearn_oracle(model, X[12:], y[12:])
    assert normalised_distance(model, oracle, original) <= 1e-6


def test_newton_first_step_uses_the_downdated_hessian(breast_cancer):
    # One Newton step from the original weights with the retain Hessian (the stored
    # Hessian downdated by the forgotten rows) against a numpy Newton step; the same step
    # with the full-data Hessian (an influence-function step) lands much farther away.
    X, y = breast_cancer
    model = LogisticRegression(C=1.0, unlearner=Newton(max_iter=1)).fit(X, y)
    forget = np.argsort(X[:, 0])[-120:]  # one end of the data: a large, correlated set
    keep = np.setdiff1d(np.arange(len(X)), forget)
    theta0 = parameters(model)
    Xt = np.hstack([X, np.ones((len(X), 1))])
    p = expit(Xt @ theta0)
    ridge = np.diag(np.r_[np.ones(X.shape[1]), 0.0])
    grad = Xt[keep].T @ (p[keep] - y[keep]) + ridge @ theta0
    curvature = p * (1 - p)
    retain_hessian = (Xt[keep].T * curvature[keep]) @ Xt[keep] + ridge
    full_hessian = (Xt.T * curvature) @ Xt + ridge
    retain_step = theta0 - np.linalg.solve(retain_hessian, grad)
    full_step = theta0 - np.linalg.solve(full_hessian, grad)
    with pytest.warns(UnlearningConvergenceWarning, match="after 1 iterations"):
        model.unlearn(X[forget], y[forget])  # one step is not the oracle, and says so
    oracle = parameters(sklearn_oracle(model, X[keep], y[keep]))
    assert_allclose(parameters(model), retain_step, rtol=1e-7, atol=1e-9)
    assert np.linalg.norm(retain_step - oracle) < 0.2 * np.linalg.norm(full_step - oracle)
