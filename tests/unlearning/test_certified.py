"""Certified removal (Guo et al. 2020): the bound, the noise, the budget, the limits.

References are computed here with numpy: the perturbed objective's gradient,
Guo et al.'s one-step bound, and the perturbed optimum (scikit-learn's Ridge
on shifted targets; a numpy Newton solve for the logistic loss).
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import expit, softmax
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer

from skunlearn import LogisticRegression, Ridge
from skunlearn import _kernels as skunlearn_kernels
from skunlearn._certificate import PerturbedObjective
from skunlearn.diagnostics import unlearning_report
from skunlearn.exceptions import CertificateExhaustedError
from skunlearn.linear_model import LinearRegression, LogisticRegressionCV
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler
from skunlearn.unlearners import CertifiedNewton

GAMMA_LOGISTIC = 1.0 / (6.0 * np.sqrt(3.0))


def theta_of(model):
    intercept = np.ravel(model.intercept_) if model.fit_intercept else []
    return np.concatenate([np.ravel(model.coef_), intercept])


def augmented(X, fit_intercept):
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    return np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X


def loss_gradient(model, X, y, theta):
    """Gradient of ``C sum_i l_i`` (logistic / multinomial; ``mean_i l_i`` in the paper
    convention) or ``sum_i (y_i - z_i)^2``."""
    Xt = augmented(X, model.fit_intercept)
    if isinstance(model, Ridge):
        return -2.0 * Xt.T @ (y - Xt @ theta)
    classes = model.classes_
    if len(classes) == 2:
        s = np.where(y == classes[1], 1.0, -1.0)
        scale = 1.0 / len(y) if model.convention == "paper" else model.C
        return scale * Xt.T @ (-s * expit(-s * (Xt @ theta)))
    K, d = len(classes), X.shape[1]
    W = theta[: K * d].reshape(K, d)
    Wt = np.hstack([W, theta[K * d :, None]]) if model.fit_intercept else W
    R = softmax(Xt @ Wt.T, axis=1)
    R[np.arange(len(y)), np.searchsorted(classes, y)] -= 1.0
    G = model.C * Xt.T @ R  # (d [+1], K)
    return np.concatenate([G[:d].T.ravel(), G[d] if model.fit_intercept else []])


def ridge_diagonal(model, n_params):
    """The penalty's diagonal: ``1`` (logistic, ``||W||^2 / 2``) or ``2 alpha`` on coef."""
    n_intercept = len(np.ravel(model.intercept_)) if model.fit_intercept else 0
    if isinstance(model, Ridge):
        strength = 2.0 * model.alpha
    else:
        strength = 1.0 / model.C if model.convention == "paper" else 1.0
    diagonal = np.full(n_params, strength)
    diagonal[n_params - n_intercept :] = 0.0
    return diagonal


def perturbed_gradient(model, X, y, theta):
    """``grad J_b(theta)`` over the rows ``(X, y)``, computed with numpy."""
    b = model._certified.perturbation
    return loss_gradient(model, X, y, theta) + ridge_diagonal(model, len(theta)) * theta + b


def logistic_data(n=400, d=5, seed=0, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    scores = X[:, :classes] + rng.normal(size=(n, classes))
    y = np.argmax(scores, axis=1) if classes > 2 else (scores[:, 0] > 0).astype(int)
    return X, y


CASES = {
    "binary": (LogisticRegression(C=1.0), lambda: logistic_data()),
    "binary-no-intercept": (LogisticRegression(C=0.5, fit_intercept=False), logistic_data),
    "multinomial": (LogisticRegression(C=1.0), lambda: logistic_data(classes=3)),
    "paper-convention": (LogisticRegression(C=10.0, convention="paper"), logistic_data),
    "ridge": (Ridge(alpha=2.0), lambda: (logistic_data()[0], logistic_data()[0] @ np.arange(5))),
}


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("removal", ["one_step", "stored_hessian", "iterate"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_spent_bounds_the_true_gradient_residual(case, removal, sparse):
    """After every removal, ``certificate_.spent >= ||grad L_b(theta; D')||`` (numpy)."""
    template, data = CASES[case]
    X, y = data()
    Xs = sp.csr_matrix(X) if sparse else X
    budget = 0.01 if case == "paper-convention" else 1.0  # mean-loss units
    unlearner = CertifiedNewton(epsilon=1.0, budget=budget, removal=removal, random_state=1)
    model = clone(template).set_params(unlearner=unlearner).fit(Xs, y)
    keep = np.ones(len(X), dtype=bool)
    order = np.random.default_rng(0).permutation(len(X))
    for batch in (order[:1], order[1:6], order[6:30]):
        model.unlearn(Xs[batch], y[batch])
        keep[batch] = False
        residual = np.linalg.norm(perturbed_gradient(model, X[keep], y[keep], theta_of(model)))
        spent = model.certificate_.spent
        assert residual <= spent
        if removal != "iterate" and case != "ridge":
            assert spent <= 1e3 * residual  # a bound, not a blanket
    assert model.n_forgotten_ == 30


def numpy_perturbed_optimum(model, X, y, theta):
    """Newton on the numpy perturbed gradient, Hessian by finite differences of it."""
    for _ in range(30):
        g = perturbed_gradient(model, X, y, theta)
        step = 1e-6
        H = np.column_stack(
            [
                (perturbed_gradient(model, X, y, theta + step * e) - g) / step
                for e in np.eye(len(theta))
            ]
        )
        theta = theta - np.linalg.solve((H + H.T) / 2, g)
    return theta


def test_distance_to_the_perturbed_refit_is_within_spent_over_strong_convexity():
    """Without intercept ``J_b`` is 1-strongly convex (``||W||^2 / 2``): the released
    model is within ``spent`` of the perturbed refit on the remaining rows."""
    X, y = logistic_data()
    unlearner = CertifiedNewton(epsilon=1.0, budget=50.0, random_state=3)
    model = LogisticRegression(fit_intercept=False, unlearner=unlearner).fit(X, y)
    model.unlearn(X[:20], y[:20])
    refit = numpy_perturbed_optimum(model, X[20:], y[20:], theta_of(model))
    assert np.linalg.norm(perturbed_gradient(model, X[20:], y[20:], refit)) < 1e-9
    distance = np.linalg.norm(theta_of(model) - refit)
    assert 0 < distance <= model.certificate_.spent


def test_ridge_removal_lands_on_sklearn_refit_of_the_perturbed_objective():
    """Ridge: ``J + b . theta`` is Ridge on targets shifted by ``-X~ (X~^T X~)^-1 b / 2``,
    so scikit-learn's refit on the remaining rows is the perturbed oracle."""
    X, y = CASES["ridge"][1]()
    model = Ridge(alpha=2.0, unlearner=CertifiedNewton(random_state=0)).fit(X, y)
    model.unlearn(X[:40], y[:40])
    Xr, yr = X[40:], y[40:]
    Xt = augmented(Xr, True)
    shifted = yr - Xt @ np.linalg.solve(Xt.T @ Xt, model._certified.perturbation) / 2.0
    oracle = sk.Ridge(alpha=2.0).fit(Xr, shifted)
    assert_allclose(theta_of(model), theta_of(oracle), rtol=0, atol=1e-9)
    assert np.linalg.norm(model._certified.perturbation) > 0.1  # the noise is there


def fitted_perturbations(epsilon, delta, seeds, budget=2.0):
    """``b`` recovered from each fit: ``b = -grad J(theta)`` at the perturbed optimum."""
    X, y = logistic_data(n=60, d=3, seed=5)
    draws = []
    for seed in seeds:
        unlearner = CertifiedNewton(epsilon, delta, budget, random_state=seed)
        model = LogisticRegression(unlearner=unlearner).fit(X, y)
        theta = theta_of(model)
        draws.append(-(loss_gradient(model, X, y, theta) + ridge_diagonal(model, 4) * theta))
    return np.array(draws)


def test_noise_norm_is_gamma_with_uniform_direction():
    """``p(b) ∝ exp(-epsilon ||b|| / budget)`` on R^4: ``||b|| ~ Gamma(4, budget/epsilon)``
    and ``(b_1 / ||b||)^2 ~ Beta(1/2, 3/2)`` (Kolmogorov-Smirnov, fixed seeds)."""
    b = fitted_perturbations(epsilon=0.5, delta=0.0, seeds=range(300))
    norms = np.linalg.norm(b, axis=1)
    assert stats.kstest(norms, stats.gamma(4, scale=2.0 / 0.5).cdf).pvalue > 0.01
    assert stats.kstest(norms, stats.gamma(4, scale=1.5 * 2.0 / 0.5).cdf).pvalue < 1e-3
    cosines = (b[:, 0] / norms) ** 2
    assert stats.kstest(cosines, stats.beta(0.5, 1.5).cdf).pvalue > 0.01


def test_gaussian_noise_scale_follows_delta():
    """``delta > 0``: ``b ~ N(0, sigma^2 I)``, ``sigma = sqrt(2 log(1.5 / delta)) beta / eps``."""
    b = fitted_perturbations(epsilon=2.0, delta=1e-3, seeds=range(200))
    sigma = np.sqrt(2 * np.log(1.5 / 1e-3)) * 2.0 / 2.0
    assert stats.kstest(b.ravel() / sigma, "norm").pvalue > 0.01
    assert stats.kstest(b.ravel() / (1.3 * sigma), "norm").pvalue < 1e-3


def guo_step_bound(model, X, y, forget, X_fit):
    """Guo et al.'s one-step removal and its Corollary 1 bound, in numpy (binary, intercept);
    ``||C^(1/2) X~||_2`` over the rows of the last (re)fit ``X_fit``, a superset."""
    keep = np.setdiff1d(np.arange(len(X)), forget)
    theta = theta_of(model)
    Xt = augmented(X[keep], True)
    p = expit(Xt @ theta)
    H = model.C * (Xt.T * (p * (1 - p))) @ Xt + np.diag(ridge_diagonal(model, len(theta)))
    removed = loss_gradient(model, X[forget], y[forget], theta)
    u = np.linalg.solve(H, removed)
    fourth = model.C * np.sum((Xt @ u) ** 4)
    spectral = np.sqrt(model.C) * np.linalg.norm(augmented(X_fit, True), 2)
    return 0.5 * GAMMA_LOGISTIC * spectral * np.sqrt(fourth)


def test_retrain_triggers_exactly_when_the_budget_would_be_exceeded():
    X, y = logistic_data(n=200, d=4, seed=2)
    retrain = LogisticRegression(unlearner=CertifiedNewton(budget=0.3, random_state=0))
    refuse = LogisticRegression(
        unlearner=CertifiedNewton(budget=0.3, on_exhausted="raise", random_state=0)
    )
    retrain.fit(X, y)
    refuse.fit(X, y)
    for k in range(len(X)):
        before = copy.deepcopy(refuse)
        expected = refuse.certificate_.spent + guo_step_bound(refuse, X[k:], y[k:], [0], X)
        if expected > 0.3:
            break
        retrain.unlearn(X[k : k + 1], y[k : k + 1])
        refuse.unlearn(X[k : k + 1], y[k : k + 1])
        assert_allclose(refuse.certificate_.spent, expected, rtol=1e-8)
        assert retrain.certificate_ == refuse.certificate_
    assert 2 <= k < 150
    with pytest.raises(CertificateExhaustedError, match="refit"):
        refuse.unlearn(X[k : k + 1], y[k : k + 1])
    assert_allclose(theta_of(refuse), theta_of(before), rtol=0, atol=0)
    assert refuse.certificate_ == before.certificate_
    assert refuse._rows.n == before._rows.n and refuse.n_forgotten_ == k
    retrain.unlearn(X[k : k + 1], y[k : k + 1])
    certificate = retrain.certificate_
    assert (certificate.retrains, certificate.deletions_since_retrain) == (1, 0)
    assert certificate.spent < 1e-6
    b_new = retrain._certified.perturbation
    assert not np.allclose(b_new, before._certified.perturbation)  # fresh noise
    assert (
        np.linalg.norm(perturbed_gradient(retrain, X[k + 1 :], y[k + 1 :], theta_of(retrain)))
        < 1e-6
    )


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("classes", [2, 3])
def test_infinite_epsilon_is_newton_removal(classes, sparse):
    """No noise: iterated Newton on the plain retain objective, the scikit-learn refit."""
    X, y = logistic_data(classes=classes)
    Xs = sp.csr_matrix(X) if sparse else X
    unlearner = CertifiedNewton(epsilon=np.inf, removal="iterate")
    model = LogisticRegression(unlearner=unlearner).fit(Xs, y).unlearn(Xs[:25], y[:25])
    oracle = sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000)
    oracle.fit(X[25:], y[25:])
    assert_allclose(model.coef_, oracle.coef_, rtol=0, atol=1e-8)
    assert_allclose(model.intercept_, oracle.intercept_, rtol=0, atol=1e-8)


def test_dense_and_sparse_agree():
    X, y = logistic_data()
    models = [
        LogisticRegression(unlearner=CertifiedNewton(random_state=4)).fit(Z, y).unlearn(Z[:5])
        for Z in (X, sp.csr_matrix(X))
    ]
    assert_allclose(theta_of(models[0]), theta_of(models[1]), rtol=0, atol=1e-10)
    assert_allclose(models[0].certificate_.spent, models[1].certificate_.spent, rtol=1e-8)


def test_a_class_vanishing_retrains_with_noise_of_the_new_layout():
    X, y = logistic_data(classes=3)
    model = LogisticRegression(unlearner=CertifiedNewton(random_state=0)).fit(X, y)
    gone = y == 2
    model.unlearn(X[gone], y[gone])
    assert model.classes_.tolist() == [0, 1]
    assert model.certificate_.retrains == 1
    residual = perturbed_gradient(model, X[~gone], y[~gone], theta_of(model))
    assert np.linalg.norm(residual) <= model.certificate_.spent


def test_switching_unlearner_after_fit_raises_and_says_refit():
    X, y = logistic_data()
    certified = LogisticRegression(unlearner="certified").fit(X, y)
    for other in ("newton", CertifiedNewton(epsilon=2.0)):
        before = theta_of(certified)
        with pytest.raises(ValueError, match="refit"):
            clone(certified, safe=False)  # cloning is fine
            copy.deepcopy(certified).set_params(unlearner=other).unlearn(X[:1])
        assert_allclose(theta_of(certified), before)
    plain = LogisticRegression().fit(X, y).set_params(unlearner="certified")
    with pytest.raises(ValueError, match="refit"):
        plain.unlearn(X[:1])
    refitted = plain.fit(X, y).unlearn(X[:1])
    assert refitted.certificate_.deletions_since_retrain == 1


@pytest.mark.parametrize(
    "model, data, message",
    [
        (LogisticRegression(C=np.inf), logistic_data, "L2 strength"),
        (LogisticRegression(l1_ratio=0.5, solver="saga"), logistic_data, "smooth"),
        (LogisticRegression(class_weight="balanced"), logistic_data, "balanced"),
        (LogisticRegression(loss="exponential"), logistic_data, "exponential"),
        (Ridge(positive=True), CASES["ridge"][1], "smooth"),
    ],
)
def test_refused_assumptions_name_the_problem(model, data, message):
    X, y = data()
    with pytest.raises(ValueError, match=message):
        clone(model).set_params(unlearner="certified").fit(X, y)


def test_certificate_is_reported_and_fresh_after_refit():
    X, y = logistic_data()
    model = LogisticRegression(unlearner=CertifiedNewton(random_state=0)).fit(X[:300], y[:300])
    report = unlearning_report(model, X[:5], y[:5], X[300:], y[300:])
    (row,) = report.rows
    assert row["certificate"]["deletions_since_retrain"] == 5
    assert row["certificate"]["remaining"] == pytest.approx(0.1 - row["certificate"]["spent"])
    assert "CertifiedNewton certificate: epsilon=1, delta=0" in str(report)
    assert model.certificate_.deletions_since_retrain == 0  # the report used a copy
    plain = LogisticRegression().fit(X, y)
    assert not hasattr(plain, "certificate_")
    assert "certified" not in [r["unlearner"] for r in unlearning_report(plain, X[:5], y[:5]).rows]
    model.set_params(unlearner="newton").fit(X, y)
    assert not hasattr(model, "certificate_") and not hasattr(model, "_certified")


def test_pipeline_with_a_refitted_scaler_is_refused_stateless_steps_work():
    X, y = logistic_data()
    scaled = make_pipeline(StandardScaler(), LogisticRegression(unlearner="certified")).fit(X, y)
    before = theta_of(scaled[-1])
    with pytest.raises(ValueError, match="covers the final estimator only"):
        scaled.unlearn(X[:2], y[:2])
    assert_allclose(theta_of(scaled[-1]), before, rtol=0, atol=0)
    final = LogisticRegression(unlearner=CertifiedNewton(random_state=0))
    stateless = make_pipeline(FunctionTransformer(np.tanh), final).fit(X, y)
    stateless.unlearn(X[:2], y[:2])
    keep = np.tanh(X[2:])
    residual = perturbed_gradient(stateless[-1], keep, y[2:], theta_of(stateless[-1]))
    assert np.linalg.norm(residual) <= stateless[-1].certificate_.spent


def test_command_line_reports_the_certificate(capsys):
    from skunlearn._cli import main

    assert main(["--epsilon", "2", "--ensemble", "0", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "Certified removal, CertifiedNewton(epsilon=2):" in out
    assert "CertifiedNewton certificate: epsilon=2, delta=0, spent" in out


def test_float32_input_gives_float64_coefficients_at_the_perturbed_optimum():
    X, y = logistic_data()
    model = LogisticRegression(unlearner=CertifiedNewton(random_state=0))
    model.fit(X.astype(np.float32), y).unlearn(X[:3].astype(np.float32), y[:3])
    assert model.coef_.dtype == np.float64
    X32 = X.astype(np.float32).astype(np.float64)
    residual = perturbed_gradient(model, X32[3:], y[3:], theta_of(model))
    assert np.linalg.norm(residual) <= model.certificate_.spent


def test_a_budget_below_the_rounding_floor_is_refused_with_the_floor():
    X, y = logistic_data()
    with pytest.raises(ValueError, match="rounding bound .* Take a budget above it"):
        LogisticRegression(unlearner=CertifiedNewton(budget=1e-14, removal="iterate")).fit(X, y)


def test_stored_hessian_removal_makes_no_hessian_pass_over_the_remaining_rows(monkeypatch):
    """Only the forget rows' Hessian is computed; the step matches the numpy step with the
    fit-time Hessian downdated at the anchor."""
    X, y = logistic_data()
    unlearner = CertifiedNewton(removal="stored_hessian", random_state=0)
    model = LogisticRegression(unlearner=unlearner).fit(X, y)
    anchor = theta_of(model)
    sizes = []
    original = skunlearn_kernels.hessian

    def recording(loss, X_rows, *args, **kwargs):
        sizes.append(X_rows.shape[0])
        return original(loss, X_rows, *args, **kwargs)

    monkeypatch.setattr(skunlearn_kernels, "hessian", recording)
    model.unlearn(X[:4], y[:4])
    assert sizes == [4]
    Xt = augmented(X[4:], True)
    p = expit(Xt @ anchor)
    H = (Xt.T * (p * (1 - p))) @ Xt + np.diag(ridge_diagonal(model, len(anchor)))
    step = np.linalg.solve(H, loss_gradient(model, X[:4], y[:4], anchor))
    assert_allclose(theta_of(model), anchor + step, rtol=1e-9, atol=1e-12)


def test_stored_hessian_spends_the_staleness_bound_of_each_step():
    """Each removal spends ``gamma ||C^(1/2) X~_fit||_2 (sum_i c_i (|a_i| + |delta_i| / 2)^2
    delta_i^2)^(1/2)`` (numpy), ``a`` the drift from the anchor, ``delta`` the step."""
    X, y = logistic_data(n=200, d=4, seed=2)
    unlearner = CertifiedNewton(budget=5.0, removal="stored_hessian", random_state=0)
    model = LogisticRegression(unlearner=unlearner).fit(X, y)
    anchor = theta_of(model)
    spectral = np.linalg.norm(augmented(X, True), 2)  # C = 1
    for k in range(12):
        theta, spent = theta_of(model), model.certificate_.spent
        Xt = augmented(X[k + 1 :], True)
        p = expit(Xt @ anchor)
        H = (Xt.T * (p * (1 - p))) @ Xt + np.diag(ridge_diagonal(model, len(anchor)))
        u = np.linalg.solve(H, loss_gradient(model, X[k : k + 1], y[k : k + 1], theta))
        a, delta = np.abs(Xt @ (theta - anchor)), np.abs(Xt @ u)
        bound = GAMMA_LOGISTIC * spectral * np.sqrt(np.sum((a + delta / 2) ** 2 * delta**2))
        model.unlearn(X[k : k + 1], y[k : k + 1])
        assert_allclose(theta_of(model), theta + u, rtol=1e-9, atol=1e-12)
        assert_allclose(model.certificate_.spent - spent, bound, rtol=1e-6)
    assert model.certificate_.retrains == 0
    residual = perturbed_gradient(model, X[12:], y[12:], theta_of(model))
    assert np.linalg.norm(residual) <= model.certificate_.spent


@pytest.mark.parametrize("removal", ["one_step", "stored_hessian", "iterate"])
def test_sample_and_class_weights_are_covered(removal):
    """Row weights ``s_i * class_weight[y_i]`` in the numpy residual: still bounded."""
    X, y = logistic_data()
    s = np.random.default_rng(4).uniform(0.2, 3.0, size=len(X))
    class_weight = {0: 0.5, 1: 2.0}
    unlearner = CertifiedNewton(budget=1.0, removal=removal, random_state=2)
    model = LogisticRegression(class_weight=class_weight, unlearner=unlearner)
    model.fit(X, y, sample_weight=s)
    model.unlearn(X[:10], y[:10], sample_weight=s[:10])
    Xt, keep = augmented(X[10:], True), slice(10, None)
    c = s[keep] * np.where(y[keep] == 1, 2.0, 0.5)
    sign = np.where(y[keep] == 1, 1.0, -1.0)
    theta = theta_of(model)
    grad = Xt.T @ (c * -sign * expit(-sign * (Xt @ theta)))
    grad += ridge_diagonal(model, len(theta)) * theta + model._certified.perturbation
    assert np.linalg.norm(grad) <= model.certificate_.spent
    assert model.certificate_.deletions_since_retrain == 10


def test_partial_fit_refuses_a_certified_fit():
    X, y = logistic_data()
    model = LogisticRegression(unlearner=CertifiedNewton(random_state=0)).fit(X[:300], y[:300])
    before = theta_of(model)
    assert not hasattr(model, "partial_fit")  # not offered with a certified unlearner
    model.set_params(unlearner="newton")  # offered again, but the fit is certified
    with pytest.raises(ValueError, match="partial_fit does not support a certified fit"):
        model.partial_fit(X[300:], y[300:])
    assert_allclose(theta_of(model), before, rtol=0, atol=0)
    assert model._rows.n == 300


def test_memory_mapped_input_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SKUNLEARN_ROWS_DIR", str(tmp_path))
    X, y = logistic_data()
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    with pytest.raises(ValueError, match="needs the training rows in memory"):
        LogisticRegression(unlearner="certified").fit(mapped, y)


def test_estimators_without_certified_fits_refuse_certified_unlearners():
    X, y = logistic_data()
    for model in (LinearRegression(), LogisticRegressionCV(Cs=2, cv=2)):
        model.set_params(unlearner="certified").fit(X, y)
        with pytest.raises(ValueError, match="supports LogisticRegression and Ridge"):
            model.unlearn(X[:1], y[:1])


def test_perturbed_objective_adds_the_linear_term_to_every_evaluation():
    X, y = logistic_data()
    model = LogisticRegression().fit(X, y)
    objective = model._training_objective()
    b = np.random.default_rng(0).normal(size=objective.n_params)
    perturbed = PerturbedObjective(objective, b)
    theta = theta_of(model)
    value, grad = objective.value_grad(theta)
    assert_allclose(perturbed.value_grad(theta)[1], grad + b, rtol=1e-12)
    H, fused_value, fused_grad, _ = perturbed.hessian_value_grad(theta)
    assert_allclose(fused_value, value + b @ theta, rtol=1e-12)
    assert_allclose(fused_grad, grad + b, rtol=1e-10, atol=1e-10)
    assert_allclose(H, objective.loss_hessian(theta), rtol=1e-12)


@pytest.mark.parametrize("removal", ["one_step", "iterate"])
def test_multi_target_ridge_with_per_target_alpha(removal):
    """``J_b = sum ||Y - X~ Theta||^2 + sum_k alpha_k ||w_k||^2 + b . theta`` (numpy)."""
    X, _ = logistic_data()
    Y = np.column_stack([X @ np.arange(5.0), X[:, 0] - X[:, 1]])
    alpha = np.array([0.5, 3.0])
    unlearner = CertifiedNewton(removal=removal, random_state=0)
    model = Ridge(alpha=alpha, unlearner=unlearner).fit(X, Y).unlearn(X[:7], Y[:7])
    Xt = augmented(X[7:], True)
    W = np.column_stack([model.coef_, model.intercept_])  # (K, d + 1)
    G = -2.0 * Xt.T @ (Y[7:] - Xt @ W.T)  # (d + 1, K)
    grad = np.concatenate([(G[:5].T + 2.0 * alpha[:, None] * model.coef_).ravel(), G[5]])
    residual = np.linalg.norm(grad + model._certified.perturbation)
    assert residual <= model.certificate_.spent
    assert np.linalg.norm(model._certified.perturbation) > 0.01
