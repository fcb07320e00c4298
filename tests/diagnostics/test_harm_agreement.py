"""ascent_harm against what DescentAscent actually does, run to convergence or divergence.

A small, fast version of ``benchmarks/bench_harm_agreement.py``: problems whose
descent-ascent run settles or diverges within 3,000 iterations, both harmful and
not harmful. The truth is measured here, by the library's ``DescentAscent``
with its default ``1/L`` step against a tight refit oracle.
"""

import copy
import warnings

import numpy as np
import pytest
from scipy.special import expit, lambertw
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skunlearn import LogisticRegression, Ridge
from skunlearn._parameters import parameter_vector
from skunlearn.diagnostics import ascent_harm, fit_oracle
from skunlearn.exceptions import UnlearningDivergenceWarning
from skunlearn.unlearners import DescentAscent

LAM = 0.01


def _paper_model(X, y, weight):
    model = LogisticRegression(
        C=1 / LAM, convention="paper", loss="exponential", fit_intercept=False
    )
    return model.fit(X, y, sample_weight=weight)


def _block(r_j, alpha, n_retain=1000, n_forget=100):
    """Paper-notes 2b: retain e_1 (label 1), forget -e_1 (label 0), inert zero rows."""
    X = np.array([[1.0], [-1.0], [0.0], [0.0]])
    weight = [r_j, alpha * r_j, n_retain - r_j, n_forget - alpha * r_j]
    return _paper_model(X, [1, 0, 0, 1], weight), X[[1, 3]], np.array([0, 1])


def _cross(eps, alpha, r_ij=50, n_retain=1000, n_forget=100):
    """Paper-notes 2c: retain (1, eps), forget (eps, 1), labels 1, inert zero rows."""
    X = np.array([[1.0, eps], [eps, 1.0], [0.0, 0.0], [0.0, 0.0]])
    weight = [r_ij, alpha * r_ij, n_retain - r_ij, n_forget - alpha * r_ij]
    return _paper_model(X, [1, 1, 0, 1], weight), X[[1, 3]], np.array([1, 1])


def _random(kind, seed, correlated):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(150, 3)) @ (np.eye(3) + 0.5 * rng.normal(size=(3, 3)))
    if correlated:
        forget = np.argsort(np.linalg.norm(X - X[0], axis=1))[:15]
    else:
        forget = rng.choice(150, 15, replace=False)
    if kind == "ridge":
        y = X @ [1.0, -1.0, 0.5] + rng.normal(size=150)
        model = Ridge(alpha=3.0).fit(X, y)
    else:
        y = (X @ [1.0, -1.0, 0.5] + rng.logistic(size=150) > 0).astype(int)
        model = LogisticRegression(C=1.0).fit(X, y)
    return model, X[forget], y[forget]


# (name, problem factory, ascent weight)
CASES = [
    ("2b R_j=100 alpha=0.02 gamma=0.5", lambda: _block(100, 0.02), 0.5),
    ("2b R_j=200 alpha=0.005 gamma=0.5", lambda: _block(200, 0.005), 0.5),
    ("2c eps=0.8 alpha=0.005", lambda: _cross(0.8, 0.005), 1.0),
    ("2c eps=0.5 alpha=0.03", lambda: _cross(0.5, 0.03), 1.0),
    ("2c eps=0.5 alpha=0.05", lambda: _cross(0.5, 0.05), 1.0),
    ("logistic correlated gamma=0.3", lambda: _random("logistic", 0, True), 0.3),
    ("logistic random gamma=0.01", lambda: _random("logistic", 1, False), 0.01),
    ("ridge random gamma=0.01", lambda: _random("ridge", 2, False), 0.01),
    ("ridge correlated gamma=1", lambda: _random("ridge", 3, True), 1.0),
]
IDS = [case[0] for case in CASES]


def _run_descent_ascent(model, X_f, y_f, gamma, max_iter=3000):
    """``(status, distance)`` of DescentAscent with its default step, against a refit oracle."""
    oracle = parameter_vector(fit_oracle(model, X_f, y_f))
    effect = np.linalg.norm(parameter_vector(model) - oracle)
    run = copy.deepcopy(model)
    run.set_params(unlearner=DescentAscent(ascent_weight=gamma, max_iter=max_iter))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnlearningDivergenceWarning)
        run.unlearn(X_f, y_f)
    theta = parameter_vector(run)
    distance = np.linalg.norm(theta - oracle) / effect
    if any(issubclass(w.category, UnlearningDivergenceWarning) for w in caught):
        return "diverges", distance
    settled = run.unlearn_history_["step_length"][-1] <= 1e-9 * (1 + np.linalg.norm(theta))
    return ("settles" if settled else "still moving"), distance


@pytest.fixture(scope="module")
def measured():
    out = {}
    for name, factory, gamma in CASES:
        model, X_f, y_f = factory()
        out[name] = (model, X_f, y_f, gamma, *_run_descent_ascent(model, X_f, y_f, gamma))
    return out


def test_the_cases_cover_both_outcomes_and_both_ends(measured):
    statuses = [entry[4] for entry in measured.values()]
    harmful = [entry[4] == "diverges" or entry[5] > 1 for entry in measured.values()]
    assert set(statuses) == {"settles", "diverges"}  # every run finished within its budget
    assert 3 <= sum(harmful) <= len(harmful) - 3


@pytest.mark.parametrize("name", IDS)
def test_harm_agrees_with_the_measured_descent_ascent(measured, name):
    model, X_f, y_f, gamma, status, distance = measured[name]
    harm = ascent_harm(model, X_f, y_f, ascent_weight=gamma)
    assert harm.harmful == (status == "diverges" or distance > 1)
    assert harm.outcome == status  # no false "runs away", no missed divergence
    if status == "settles":
        assert harm.stationary_distance == pytest.approx(distance, rel=1e-6)
        assert harm.distance_error < 1e-6 and harm.step_stable and harm.path_confirmed


@pytest.mark.parametrize(("r_j", "alpha", "gamma"), [(100, 0.02, 0.5), (200, 0.02, 0.5)])
def test_stalled_gradient_is_a_minimum_with_the_ascent_weight_in_its_closed_form(
    r_j, alpha, gamma
):
    # Stationarity of L_DA on the block: lam w = (R_j / |R| - gamma F_j / |F|) exp(-w).
    model, X_f, y_f = _block(r_j, alpha)
    harm = ascent_harm(model, X_f, y_f, ascent_weight=gamma)
    closed = lambertw((r_j / 1000 - gamma * alpha * r_j / 100) / LAM).real
    assert harm.outcome == "settles"
    assert harm.stationary_point[0] == pytest.approx(closed, rel=1e-9)


def test_auto_step_is_one_over_the_top_curvature_of_the_retain_mean_objective():
    model, X_f, y_f = _random("logistic", 0, True)
    X = model._rows.X
    retain = ~(X[:, None, :] == X_f[None]).all(axis=2).any(axis=1)
    assert retain.sum() == len(X) - len(X_f)
    Xt = np.hstack([X[retain], np.ones((retain.sum(), 1))])  # numpy Hessian of L_R
    p = expit(Xt @ np.r_[model.coef_.ravel(), model.intercept_])
    ridge = np.diag([1.0, 1.0, 1.0, 0.0]) / model.C
    H = (Xt.T * (p * (1 - p))) @ Xt / retain.sum() + ridge / retain.sum()
    harm = ascent_harm(model, X_f, y_f)
    assert harm.learning_rate == pytest.approx(1 / np.linalg.eigvalsh(H)[-1], rel=1e-10)


def test_ends_in_the_minimum_descent_ascent_reaches_on_breast_cancer():
    # L_DA has many local minima here; the gradient flow from w_D and Newton steps from
    # w_D end in other ones (1,206x and 2,441x the deletion effect) than DA's own 1/L
    # steps (1,183x).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    forget = np.random.default_rng(0).choice(len(X), 28, replace=False)
    model = LogisticRegression(C=1.0).fit(X, y)
    status, distance = _run_descent_ascent(model, X[forget], y[forget], 1.0, max_iter=5000)
    harm = ascent_harm(model, X[forget], y[forget])
    assert status == "settles"
    assert harm.stationary_distance == pytest.approx(distance, rel=1e-6)
