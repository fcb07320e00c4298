"""certified_bound: never below the true distance to a tight refit, finite, and tight.

The true distance is to a scikit-learn refit on the remaining rows (Newton,
``tol=1e-12``), to a closed form, or to an exact rational solution.
"""

import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.linear_model import Ridge as SklearnRidge

from skunlearn import LogisticRegression, Ridge
from skunlearn.diagnostics import certified_bound
from skunlearn.unlearners import DescentAscent, Finetune


def _data(kind, rng, n=150, d=3):
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, d)
    if kind == "multinomial":
        return X, np.argmax(X @ rng.normal(size=(d, 3)) + rng.gumbel(size=(n, 3)), axis=1)
    if kind == "ridge":
        return X, X @ rng.normal(size=d) + rng.normal(size=n)
    return X, (X @ rng.normal(size=d) + rng.logistic(size=n) > 0).astype(int)


def _centred(coef, intercept, fit_intercept):
    """Parameters as one vector; several intercepts are centred (the multinomial gauge)."""
    intercept = np.ravel(intercept)
    if len(intercept) > 1:
        intercept = intercept - intercept.mean()
    return np.r_[np.ravel(coef), intercept] if fit_intercept else np.ravel(coef)


def _sklearn_oracle(model, X, y):
    """Parameters of a tight scikit-learn refit with the same objective."""
    n = len(X)
    if isinstance(model, Ridge):
        alpha = model.alpha if model.convention == "sklearn" else model.alpha * n
        reference = SklearnRidge(alpha=alpha, fit_intercept=model.fit_intercept, solver="cholesky")
    else:
        C = model.C if model.convention == "sklearn" else model.C / n
        reference = SklearnLogisticRegression(
            C=C,
            fit_intercept=model.fit_intercept,
            solver="newton-cholesky",
            tol=1e-12,
            max_iter=1000,
        )
    reference.fit(X, y)
    return _centred(reference.coef_, reference.intercept_, model.fit_intercept)


def _random_configuration(seed):
    rng = np.random.default_rng(seed)
    kind = ("binary", "multinomial", "ridge")[seed % 3]
    intercept = bool(seed // 3 % 2)
    convention = ("sklearn", "paper")[seed // 6 % 2]
    strength = float(10 ** rng.uniform(-1, 1))
    if seed % 4 < 2:
        unlearner = DescentAscent(max_iter=int(rng.choice([3, 10, 30])))
    else:
        unlearner = Finetune(max_iter=int(rng.choice([1, 3, 10])))
    common = {"fit_intercept": intercept, "convention": convention, "unlearner": unlearner}
    if kind == "ridge":
        model = Ridge(alpha=1 / strength, **common)
    else:
        model = LogisticRegression(C=strength * (10 if convention == "paper" else 1), **common)
    X, y = _data(kind, rng)
    forget = rng.choice(len(X), 10, replace=False)
    return model, X, y, forget


@pytest.mark.parametrize("seed", range(36))
def test_never_below_the_true_distance_and_finite_after_early_stopped_runs(seed):
    model, X, y, forget = _random_configuration(seed)
    keep = np.setdiff1d(np.arange(len(X)), forget)
    model.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # descent-ascent may diverge: the bound must still hold
        model.unlearn(X[forget], y[forget])
    theta = _centred(model.coef_, model.intercept_, model.fit_intercept)
    true = np.linalg.norm(theta - _sklearn_oracle(model, X[keep], y[keep]))
    bound = certified_bound(model)
    assert true > 1e-6  # the run stopped early: there is a distance to bound
    assert np.isfinite(bound.bound)  # every configuration here is in the stated domain
    assert bound.bound >= true * (1 - 1e-7)


def _one_dimensional(C, n_retain, n_forget, steps):
    """Every retain row has margin w (x = 1 labelled 1, x = -1 labelled 0); the forget rows
    (x = 1 labelled 0) pull w down. Finetuning moves w up, where the curvature falls like
    exp(-w): the worst case of the self-concordant bound, so it is nearly tight."""
    half = n_retain // 2
    X = np.r_[np.ones(half), -np.ones(n_retain - half), np.ones(n_forget)][:, None]
    y = np.r_[np.ones(half, int), np.zeros(n_retain - half + n_forget, int)]
    model = LogisticRegression(C=C, fit_intercept=False, unlearner=Finetune(max_iter=steps))
    model.fit(X, y).unlearn(X[n_retain:], y[n_retain:])
    oracle = brentq(lambda w: C * n_retain * expit(-w) - w, 0.0, 100.0, xtol=1e-15)
    return model, abs(model.coef_[0, 0] - oracle)


@pytest.mark.parametrize(
    ("C", "n_retain", "n_forget", "steps", "factor"),
    [(1.0, 50, 10, 1, 1.1), (1.0, 50, 10, 3, 1.03), (1.0, 100, 30, 1, 1.25)],
)
def test_the_local_bound_is_nearly_tight_in_its_worst_case(C, n_retain, n_forget, steps, factor):
    model, true = _one_dimensional(C, n_retain, n_forget, steps)
    bound = certified_bound(model)
    assert bound.method == "local"
    assert true <= bound.bound <= factor * true
    assert bound.nu == pytest.approx(1.0)  # max ||x_i||, no intercept


def test_the_multinomial_coefficient_shift_is_counted_exactly():
    rng = np.random.default_rng(0)
    X, y = _data("multinomial", rng)
    model = LogisticRegression(C=0.5).fit(X, y)
    oracle = _sklearn_oracle(model, X, y)
    shift = np.array([0.3, -0.2, 0.1])  # added to every class: the loss does not change
    model.coef_ = model.coef_ + shift
    true = np.linalg.norm(_centred(model.coef_, model.intercept_, True) - oracle)
    bound = certified_bound(model)
    assert true == pytest.approx(np.sqrt(3) * np.linalg.norm(shift), rel=1e-6)
    assert true <= bound.bound <= 1.01 * true


def test_the_multinomial_bound_is_tight_after_finetuning():
    # Before the shift was split off, mu was the ridge strength (20x loose here).
    rng = np.random.default_rng(1)
    X, y = _data("multinomial", rng)
    model = LogisticRegression(C=0.5, unlearner=Finetune(max_iter=80)).fit(X, y)
    model.unlearn(X[:20], y[:20])
    true = np.linalg.norm(
        _centred(model.coef_, model.intercept_, True) - _sklearn_oracle(model, X[20:], y[20:])
    )
    bound = certified_bound(model)
    assert true <= bound.bound <= 3 * true


def test_the_intercept_bound_is_nearly_tight_when_the_ridge_dominates():
    # All rows x = 1: J depends on coef + intercept through the loss, so the best
    # intercept for coef u is s* - u, f(u) = const + u^2 / 2 and the oracle is (0, s*).
    # With u = 2 and b = s* - 3, the coefficient bound |u| / l2 = 2 and the intercept
    # bound |b - b(u)| + R |u| = 1 + 2 = |b - b*| are exact.
    X = np.ones((40, 1))
    y = np.r_[np.ones(30, int), np.zeros(10, int)]
    model = LogisticRegression(C=0.01).fit(X, y)
    s_star = model.coef_[0, 0] + model.intercept_[0]
    assert model.coef_[0, 0] == pytest.approx(0.0, abs=1e-9)
    model.coef_ = np.array([[2.0]])
    model.intercept_ = np.array([s_star - 3.0])
    bound = certified_bound(model)
    assert bound.method.startswith("intercept")
    true = np.hypot(2.0, 3.0)
    assert true <= bound.bound <= true * (1 + 1e-6)


def test_the_multinomial_intercept_bound_holds_far_from_the_oracle():
    rng = np.random.default_rng(2)
    X, y = _data("multinomial", rng)
    model = LogisticRegression(C=1.0, unlearner=DescentAscent(max_iter=30)).fit(X, y)
    model.unlearn(X[:30], y[:30])
    bound = certified_bound(model)
    true = np.linalg.norm(
        _centred(model.coef_, model.intercept_, True) - _sklearn_oracle(model, X[30:], y[30:])
    )
    assert bound.method.startswith("intercept")  # the local argument does not apply here
    assert true <= bound.bound < np.inf


def test_a_gradient_that_rounds_to_zero_still_gets_a_positive_valid_bound():
    # Ridge on one row x = 1, y = 1, alpha = 9: the exact oracle is 1/10, not a float.
    model = Ridge(alpha=9.0, fit_intercept=False).fit(np.ones((1, 1)), [1.0])
    gradient = model._training_objective().value_grad(model._theta())[1]
    exact = abs(Fraction(float(model.coef_[0])) - Fraction(1, 10))
    bound = certified_bound(model)
    assert np.all(gradient == 0.0) and exact > 0  # the computed gradient is exactly zero
    assert bound.bound >= float(exact) > 0


def test_one_class_left_has_no_oracle_and_no_bound():
    X = np.ones((20, 1))
    y = np.r_[np.ones(19, int), 0]
    model = LogisticRegression(C=1.0).fit(X, y)
    model.intercept_ = model.intercept_ + 50.0  # far: only the global argument could apply
    model._rows.sample_weight[-1] = 0.0  # the only negative row no longer counts
    assert certified_bound(model).bound == np.inf


def test_the_certified_region_step_equals_its_formula():
    # numpy: the local bound, then radius r / lambda_min(I + C sum_i p_i (1 - p_i)
    # exp(-||x_i|| rho) x_i x_i^T) on the ball of the previous radius rho, while it shrinks.
    rng = np.random.default_rng(0)
    X, y = _data("binary", rng)
    model = LogisticRegression(C=1.0, fit_intercept=False, unlearner=Finetune(max_iter=1))
    model.fit(X, y).unlearn(X[:10], y[:10])
    X_r, y_r, w = X[10:], y[10:], model.coef_.ravel()
    p = expit(X_r @ w)
    radius = np.linalg.norm(X_r.T @ (p - y_r) + w)
    curvature, norms = p * (1 - p), np.linalg.norm(X_r, axis=1)

    def lowest(decay):
        return np.linalg.eigvalsh((X_r.T * (curvature * decay)) @ X_r + np.eye(3))[0]

    nu = norms.max()
    bound = -np.log1p(-nu * radius / lowest(1.0)) / nu
    for _ in range(4):
        shrunk = radius / lowest(np.exp(-norms * bound))
        if not shrunk < 0.95 * bound:
            break
        bound = shrunk
    result = certified_bound(model)
    assert result.method == "local + region"
    assert result.bound == pytest.approx(bound, rel=1e-7)
