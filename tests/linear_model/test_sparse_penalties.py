"""L1 and elastic-net logistic regression: fit and unlearning land on scikit-learn's tight refit.

References are scikit-learn's saga and liblinear solvers run to tol=1e-12 and the
objective written out in numpy; the penalty's proximal map and optimality residual are
checked against their one-dimensional closed forms.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, log_expit, log_softmax
from sklearn.datasets import load_iris, make_classification
from sklearn_reference import sklearn_logistic

from skunlearn import LogisticRegression, Ridge
from skunlearn._parameters import ParameterLayout
from skunlearn._penalties import Penalty, l1_residual, soft_threshold
from skunlearn.diagnostics import ascent_harm, certified_bound, cross_influence
from skunlearn.unlearners import DescentAscent, Finetune, GradientAscent

FORGET = np.arange(15)


def sklearn_saga(X, y, C, l1_ratio, fit_intercept=True):
    model = sklearn_logistic(
        C=C,
        l1_ratio=l1_ratio,
        solver="saga",
        tol=1e-12,
        max_iter=200_000,
        fit_intercept=fit_intercept,
    )
    return model.fit(X, y)


def objective(model, X, y, C, l1_ratio):
    """``C sum loss + (1 - r)/2 ||W||^2 + r ||W||_1`` of a fitted model, in numpy."""
    Z = X @ np.atleast_2d(model.coef_).T + model.intercept_
    classes = np.unique(y)
    if len(classes) == 2:
        sign = np.where(y == classes[1], 1.0, -1.0)
        loss = -log_expit(sign * Z[:, 0]).sum()
    else:
        loss = -log_softmax(Z, axis=1)[np.arange(len(y)), np.searchsorted(classes, y)].sum()
    W = np.ravel(model.coef_)
    return C * loss + 0.5 * (1 - l1_ratio) * W @ W + l1_ratio * np.abs(W).sum()


@pytest.fixture(scope="module")
def binary():
    return make_classification(200, 12, n_informative=4, random_state=0)


def test_soft_threshold_is_the_proximal_map_and_residual_vanishes_at_the_minimiser():
    # min_t (t - a)^2 / 2 + lam |t| has the closed form soft(a, lam).
    a, lam = np.array([-3.0, -0.4, 0.0, 0.7, 2.5]), np.full(5, 1.0)
    grid = np.linspace(-5, 5, 200_001)
    brute = [grid[np.argmin(0.5 * (grid - ai) ** 2 + lam[0] * np.abs(grid))] for ai in a]
    assert_allclose(soft_threshold(a, lam), brute, atol=1e-4)
    theta = soft_threshold(a, lam)
    assert_allclose(l1_residual(theta, theta - a, lam), 0.0, atol=1e-15)
    off = theta + 0.1
    assert np.all(np.abs(l1_residual(off, off - a, lam)) > 0)


def test_penalty_places_its_terms_in_the_parameter_vector():
    layout = ParameterLayout(n_outputs=2, n_features=3, fit_intercept=True)
    penalty = Penalty(l2=np.array([1.0, 2.0]), l1=0.5)
    assert_allclose(penalty.l2_diagonal(layout), [1, 1, 1, 2, 2, 2, 0, 0])
    assert_allclose(penalty.l1_weights(layout), [0.5] * 6 + [0, 0])
    assert not penalty.smooth and Penalty(1.0).smooth and not Penalty(1.0, positive=True).smooth
    projected = Penalty(0.0, positive=True).prox(
        np.array([-1.0, 2.0, -3, 0, 1, 1, -5, -5]), 1.0, layout
    )
    assert_allclose(projected, [0, 2, 0, 0, 1, 1, -5, -5])  # intercepts stay free


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_binary_fit_matches_sklearn_saga(binary, l1_ratio, fit_intercept):
    X, y = binary
    C = 0.1
    ours = LogisticRegression(C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept).fit(X, y)
    ref = sklearn_saga(X, y, C, l1_ratio, fit_intercept)
    assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
    assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)  # the same support
    assert objective(ours, X, y, C, l1_ratio) <= objective(ref, X, y, C, l1_ratio) + 1e-10


def test_multinomial_fit_matches_sklearn_saga():
    X, y = load_iris(return_X_y=True)
    X = X - X.mean(axis=0)
    ours = LogisticRegression(C=0.5, l1_ratio=0.7).fit(X, y)
    ref = sklearn_saga(X, y, 0.5, 0.7)
    assert objective(ours, X, y, 0.5, 0.7) <= objective(ref, X, y, 0.5, 0.7) + 1e-9
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
@pytest.mark.parametrize("unlearner", ["newton", "retrain", Finetune(max_iter=3000)])
def test_unlearning_lands_on_the_sklearn_refit(binary, l1_ratio, unlearner):
    X, y = binary
    C = 0.2
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, unlearner=unlearner).fit(X, y)
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(len(y)), FORGET)
    ref = sklearn_saga(X[keep], y[keep], C, l1_ratio)
    before = sklearn_saga(X, y, C, l1_ratio)
    effect = np.abs(before.coef_ - ref.coef_).max()
    assert np.abs(model.coef_ - ref.coef_).max() <= 1e-6 * effect  # unique optimum (n > d)
    assert objective(model, X[keep], y[keep], C, l1_ratio) <= (
        objective(ref, X[keep], y[keep], C, l1_ratio) + 1e-10
    )
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    assert model.unlearn_history_["grad_norm"][-1] <= 1e-9


def test_unlearning_a_whole_class_of_a_sparse_multinomial_model():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(C=0.5, l1_ratio=1.0).fit(X, y)
    forget = np.flatnonzero(y == 2)
    model.unlearn(X[forget])
    keep = y != 2
    ref = sklearn_saga(X[keep], y[keep], 0.5, 1.0)
    assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-7)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
@pytest.mark.parametrize("scaling", [1.0, 10.0])
def test_liblinear_objective_penalises_the_intercept_as_sklearn(binary, l1_ratio, scaling):
    X, y = binary
    params = dict(C=0.3, l1_ratio=l1_ratio, solver="liblinear", intercept_scaling=scaling)
    ours = LogisticRegression(**params).fit(X, y)
    ref = sklearn_logistic(**params, tol=1e-12, max_iter=100_000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=2e-6)
    assert_allclose(ours.intercept_, ref.intercept_, atol=2e-6)
    unpenalised = LogisticRegression(C=0.3, l1_ratio=l1_ratio).fit(X, y)
    assert abs(unpenalised.intercept_[0] - ours.intercept_[0]) > 1e-4  # a different objective
    ours.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(len(y)), FORGET)
    oracle = LogisticRegression(**params, tol=1e-13).fit(X[keep], y[keep])
    assert_allclose(ours.coef_, oracle.coef_, atol=1e-9)
    assert_allclose(ours.intercept_, oracle.intercept_, atol=1e-9)


def mean_logistic_gradient(X, y, coef, intercept):
    """Gradient of ``mean_i log(1 + exp(-s_i z_i))`` in (coef, intercept), numpy."""
    sign = 2.0 * y - 1.0
    slope = -sign * expit(-sign * (X @ coef + intercept))
    return X.T @ slope / len(y), slope.mean()


@pytest.mark.parametrize("ascent", [1.0, 0.0])
def test_one_proximal_descent_ascent_step_is_the_closed_form(binary, ascent):
    X, y = binary
    C, rate = 0.05, 0.5
    da = DescentAscent(learning_rate=rate, max_iter=1, ascent_weight=ascent)
    model = LogisticRegression(C=C, l1_ratio=1.0, unlearner=da).fit(X, y)
    coef, intercept = model.coef_.ravel().copy(), model.intercept_[0]
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(len(y)), FORGET)
    g_r, b_r = mean_logistic_gradient(X[keep], y[keep], coef, intercept)
    g_f, b_f = mean_logistic_gradient(X[FORGET], y[FORGET], coef, intercept)
    threshold = rate / (C * len(keep))  # the L1 weight of L_R = J_R / (C |R|)
    expected = soft_threshold(coef - rate * (g_r - ascent * g_f), np.full(len(coef), threshold))
    assert_allclose(model.coef_.ravel(), expected, atol=1e-12)
    assert_allclose(model.intercept_[0], intercept - rate * (b_r - ascent * b_f), atol=1e-12)
    assert np.count_nonzero(model.coef_) < X.shape[1]


def test_proximal_gradient_ascent_steps_stay_finite_and_record_the_composite_objective(binary):
    X, y = binary
    model = LogisticRegression(C=0.05, l1_ratio=1.0, unlearner=GradientAscent(max_iter=5))
    model.fit(X, y).unlearn(X[FORGET])
    history = model.unlearn_history_
    keep = np.setdiff1d(np.arange(len(y)), FORGET)
    mean = objective(model, X[keep], y[keep], 0.05, 1.0) / (0.05 * len(keep))
    assert_allclose(history["objective"][-1], mean, rtol=1e-12)


@pytest.mark.parametrize("diagnostic", [ascent_harm, cross_influence])
def test_smoothness_diagnostics_refuse_an_l1_model_by_name(binary, diagnostic):
    X, y = binary
    model = LogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y)
    with pytest.raises(ValueError, match=f"{diagnostic.__name__} assumes a smooth"):
        diagnostic(model, X[FORGET], y[FORGET])
    with pytest.raises(ValueError, match="certified bound assumes a smooth.*L1 term"):
        certified_bound(model)


def test_smoothness_diagnostics_refuse_a_positive_ridge():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    model = Ridge(positive=True).fit(X, X @ [1.0, -1.0, 2.0, 0.5])
    with pytest.raises(ValueError, match="ascent_harm assumes a smooth.*positivity constraint"):
        ascent_harm(model, X[:5], (X @ [1.0, -1.0, 2.0, 0.5])[:5])
