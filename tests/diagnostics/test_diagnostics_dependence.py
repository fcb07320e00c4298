"""Dependence diagnostics against independent computations on small data."""

import copy

import numpy as np
import pytest
from scipy.special import expit, lambertw, logsumexp, softmax
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from skunlearn import LogisticRegression, Ridge
from skunlearn.diagnostics import (
    ascent_harm,
    cross_influence,
    feature_similarity,
    gradient_alignment,
    mmd_test,
    per_sample_gradients,
)
from skunlearn.unlearners import DescentAscent

LAM = 0.01


def _binary(n=120, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ np.linspace(1.0, -0.5, d) + rng.logistic(size=n) > 0).astype(int)
    return X, y


def _models():
    X, y = _binary()
    rng = np.random.default_rng(1)
    X3 = rng.normal(size=(90, 3))
    y3 = np.argmax(X3 @ rng.normal(size=(3, 3)) + rng.gumbel(size=(90, 3)), axis=1)
    Xr = rng.normal(size=(80, 3))
    yr = Xr @ [1.0, -2.0, 0.5] + rng.normal(size=80)
    return [
        (LogisticRegression(C=0.7).fit(X, y), X, y),
        (LogisticRegression(C=2.0, fit_intercept=False, convention="paper").fit(X, y), X, y),
        (LogisticRegression(loss="exponential", C=5.0).fit(X, y), X, y),
        (LogisticRegression(C=0.5).fit(X3, y3), X3, y3),
        (Ridge(alpha=0.3).fit(Xr, yr), Xr, yr),
    ]


MODELS = _models()
IDS = ["logistic", "logistic-paper", "exponential", "multinomial", "ridge"]


def _reference(model, X, y):
    """Per-row loss gradients and Hessians from the formulas, with numpy alone.

    Returns ``G`` (n, p) and the per-row loss Hessians ``H`` (n, p, p), in the
    layout ``theta = concat(coef.ravel(), intercept)``.
    """
    coef = np.atleast_2d(model.coef_)
    K, d = coef.shape
    intercept = np.ravel(model.intercept_) if model.fit_intercept else np.zeros(K)
    Z = X @ coef.T + intercept
    n = len(X)
    # J[i] maps theta to row i's K linear outputs.
    J = np.zeros((n, K, K * d + (K if model.fit_intercept else 0)))
    for k in range(K):
        J[:, k, k * d : (k + 1) * d] = X
        if model.fit_intercept:
            J[:, k, K * d + k] = 1.0
    if isinstance(model, Ridge):
        R, A = 2 * (Z - y[:, None]), np.full((n, 1, 1), 2.0)
    elif K > 1:
        P = softmax(Z, axis=1)
        R = P - np.eye(K)[np.searchsorted(model.classes_, y)]
        A = np.einsum("ik,kl->ikl", P, np.eye(K)) - P[:, :, None] * P[:, None, :]
    elif model.loss == "exponential":
        s = 2.0 * (y == model.classes_[1]) - 1
        R, A = (-s * np.exp(-s * Z[:, 0]))[:, None], np.exp(-s * Z[:, 0])[:, None, None]
    else:
        p = expit(Z[:, 0])
        R, A = (p - (y == model.classes_[1]))[:, None], (p * (1 - p))[:, None, None]
    return np.einsum("ikp,ik->ip", J, R), np.einsum("ikp,ikl,ilq->ipq", J, A, J)


def _mean_hessian(model, X, y, weights):
    """Hessian of the training objective in per-sample-mean units (numpy).

    Penalties: logistic ``||W||^2 / 2`` against ``C sum s l`` (sklearn) or
    ``||W||^2 / (2 C)`` against the weighted mean loss (paper); ridge
    ``alpha ||w||^2`` against ``sum s (y - z)^2`` or the weighted mean.
    """
    H = _reference(model, X, y)[1]
    total = np.sum(weights)
    if isinstance(model, Ridge):
        penalty = 2 * model.alpha / (1.0 if model.convention == "paper" else total)
    else:
        penalty = 1 / model.C / (1.0 if model.convention == "paper" else total)
    mean = np.einsum("i,ipq->pq", weights, H) / total
    n_coef = np.size(model.coef_)
    mean[np.arange(n_coef), np.arange(n_coef)] += penalty
    return mean


def _losses(model, X, y, theta):
    """Per-row losses at parameters ``theta`` (numpy), for finite differences."""
    K = np.atleast_2d(model.coef_).shape[0]
    d = X.shape[1]
    coef = theta[: K * d].reshape(K, d)
    Z = X @ coef.T + (theta[K * d :] if model.fit_intercept else 0.0)
    if isinstance(model, Ridge):
        return (y - Z[:, 0]) ** 2
    if K > 1:
        labels = np.searchsorted(model.classes_, y)
        return logsumexp(Z, axis=1) - Z[np.arange(len(y)), labels]
    margin = (2.0 * (y == model.classes_[1]) - 1) * Z[:, 0]
    return np.exp(-margin) if model.loss == "exponential" else np.logaddexp(0.0, -margin)


def _theta(model):
    coef = np.ravel(model.coef_)
    return np.r_[coef, np.ravel(model.intercept_)] if model.fit_intercept else coef


@pytest.mark.parametrize(("model", "X", "y"), MODELS, ids=IDS)
def test_the_numpy_reference_matches_finite_differences(model, X, y):
    G, H = _reference(model, X, y)
    theta = _theta(model)
    step = 1e-6
    for j in range(len(theta)):
        e = np.zeros(len(theta))
        e[j] = step
        central = (_losses(model, X, y, theta + e) - _losses(model, X, y, theta - e)) / (2 * step)
        np.testing.assert_allclose(G[:, j], central, rtol=1e-6, atol=1e-8)
        G_plus = _reference_at(model, X, y, theta + e)
        G_minus = _reference_at(model, X, y, theta - e)
        np.testing.assert_allclose(
            H[:, :, j], (G_plus - G_minus) / (2 * step), rtol=1e-5, atol=1e-7
        )


def _reference_at(model, X, y, theta):
    shifted = copy.deepcopy(model)
    K = np.atleast_2d(model.coef_).shape[0]
    d = X.shape[1]
    shifted.coef_ = theta[: K * d].reshape(np.shape(model.coef_))
    if model.fit_intercept:
        shifted.intercept_ = theta[K * d :].reshape(np.shape(model.intercept_))
    return _reference(shifted, X, y)[0]


@pytest.mark.parametrize(("model", "X", "y"), MODELS, ids=IDS)
def test_per_sample_gradients_match_the_formulas(model, X, y):
    np.testing.assert_allclose(
        per_sample_gradients(model, X, y), _reference(model, X, y)[0], rtol=1e-10, atol=1e-12
    )


def _weighted_models():
    """Models fitted with integer sample weights, and the same rows repeated."""
    rng = np.random.default_rng(4)
    X, y = _binary(40, 3, seed=5)
    X3 = rng.normal(size=(45, 3))
    y3 = np.argmax(X3 @ rng.normal(size=(3, 3)) + rng.gumbel(size=(45, 3)), axis=1)
    Xr = rng.normal(size=(40, 3))
    yr = Xr @ [1.0, -2.0, 0.5] + rng.normal(size=40)
    out = []
    for template, A, b in [
        (LogisticRegression(C=0.7), X, y),
        (LogisticRegression(C=0.5), X3, y3),
        (Ridge(alpha=0.3, convention="paper"), Xr, yr),
    ]:
        weights = rng.integers(1, 4, size=len(A)).astype(float)
        out.append((copy.deepcopy(template).fit(A, b, sample_weight=weights), A, b, weights))
    return out


WEIGHTED = _weighted_models()
WEIGHTED_IDS = ["logistic", "multinomial", "ridge-paper"]
UNWEIGHTED = [(model, X, y, np.ones(len(X))) for model, X, y in MODELS]


@pytest.mark.parametrize(
    ("model", "X", "y", "weights"), UNWEIGHTED + WEIGHTED, ids=IDS + WEIGHTED_IDS
)
def test_cross_influence_matches_the_explicit_matrix(model, X, y, weights):
    forget = np.arange(0, len(X), 7)
    retain = np.setdiff1d(np.arange(len(X)), forget)
    G = _reference(model, X, y)[0]
    H = _mean_hessian(model, X, y, weights)
    inverse = np.linalg.pinv(H, rcond=1e-10)  # the multinomial gauge is a null direction
    s_r, s_f = np.sqrt(weights[retain]), np.sqrt(weights[forget])
    M = (s_r[:, None] * G[retain]) @ inverse @ (s_f[:, None] * G[forget]).T
    U, sigma, Vt = np.linalg.svd(M)
    result = cross_influence(model, X[forget], y[forget], n_components=3)
    np.testing.assert_allclose(result.singular_values, sigma[:3], rtol=1e-8)
    assert result.spectral_norm == pytest.approx(sigma[0], rel=1e-8)
    total_r, total_f = weights[retain].sum(), weights[forget].sum()
    assert result.per_pair == pytest.approx(sigma[0] / np.sqrt(total_r * total_f), rel=1e-8)
    assert result.top_energy_share == pytest.approx(sigma[0] ** 2 / np.sum(sigma**2), rel=1e-8)
    inner = G[retain] @ inverse @ G[forget].T  # unweighted entries
    rms = np.sqrt(weights[retain] @ inner**2 / total_r)
    np.testing.assert_allclose(result.per_forget_influence, rms, rtol=1e-8)
    np.testing.assert_allclose(
        result.per_forget_influence, np.linalg.norm(M, axis=0) / np.sqrt(total_r * s_f**2)
    )
    participation = 1.0 / np.sum(Vt[0] ** 4) / len(forget)
    assert result.forget_share == pytest.approx(participation, rel=1e-6)


@pytest.mark.parametrize(("model", "X", "y", "weights"), WEIGHTED, ids=WEIGHTED_IDS)
def test_cross_influence_weights_act_as_multiplicities(model, X, y, weights):
    repeat = np.repeat(np.arange(len(X)), weights.astype(int))
    twin = copy.deepcopy(model).fit(X[repeat], y[repeat])
    forget = np.arange(0, len(X), 7)
    weighted = cross_influence(model, X[forget], y[forget])
    copies = np.flatnonzero(np.isin(repeat, forget))
    repeated = cross_influence(twin, X[repeat][copies], y[repeat][copies])
    assert weighted.spectral_norm == pytest.approx(repeated.spectral_norm, rel=1e-6)
    assert weighted.per_pair == pytest.approx(repeated.per_pair, rel=1e-6)
    by_row = dict(zip(repeat[copies], repeated.per_forget_influence, strict=True))
    expected = [by_row[row] for row in forget]
    np.testing.assert_allclose(weighted.per_forget_influence, expected, rtol=1e-6)


def test_gradient_alignment_matches_mean_gradients():
    model, X, y = MODELS[0]
    forget = np.arange(10)
    G = _reference(model, X, y)[0]
    g_f, g_r = G[forget].mean(axis=0), G[10:].mean(axis=0)
    cosine = g_f @ g_r / np.linalg.norm(g_f) / np.linalg.norm(g_r)
    result = gradient_alignment(model, X[forget], y[forget])
    assert result.forget_retain == pytest.approx(cosine, rel=1e-9)
    unit = G / np.linalg.norm(G, axis=1, keepdims=True)
    assert result.pairwise == pytest.approx(np.mean(unit[forget] @ unit[10:].T), rel=1e-9)
    assert result.forget_norm == pytest.approx(np.linalg.norm(g_f), rel=1e-9)


def _blocks(sizes, n_retain=1000, n_forget=100, repeat=False):
    """Block-orthogonal rows of paper-notes 2b: ``(|R_j|, |F_j|)`` per block.

    Retain rows of block j are ``x = e_j`` with label 1 and forget rows ``x =
    -e_j`` with label 0, so ``y_i x_ij = 1`` for both (fully correlated). The
    remaining ``|R| - sum |R_j|`` retain and ``|F| - sum |F_j|`` forget samples
    are all-zero rows (constant loss, zero gradient): they only enter Lemma 3
    through the counts |R|, |F| and |D|, which they make the paper's. Returns
    distinct rows with their multiplicities as sample weights, or with
    ``repeat=True`` every row repeated that many times.
    """
    d = len(sizes)
    eye = np.eye(d)
    X = [row for j in range(d) for row in (eye[j], -eye[j])] + [np.zeros(d)] * 2
    y = [1, 0] * d + [0, 1]
    counts = [c for pair in sizes for c in pair]
    counts += [n_retain - sum(r for r, _ in sizes), n_forget - sum(f for _, f in sizes)]
    forget = np.array([False, True] * d + [False, True])
    X, y, counts = np.array(X), np.array(y), np.array(counts, dtype=float)
    if repeat:
        index = np.repeat(np.arange(len(X)), counts.astype(int))
        return X[index], y[index], forget[index], None
    return X, y, forget, counts


def _paper_model(X, y, sample_weight=None):
    return LogisticRegression(
        C=1 / LAM, convention="paper", loss="exponential", fit_intercept=False
    ).fit(X, y, sample_weight=sample_weight)


def _lemma3(r_j, f_j, n_retain=1000, n_forget=100):
    """Closed forms of paper-notes 2b: (w_D, w_R, argument of w_DA)."""
    alpha, n_all = f_j / r_j, n_retain + n_forget
    w_d = lambertw((1 + alpha) * r_j / (LAM * n_all)).real
    w_r = lambertw(r_j / (LAM * n_retain)).real
    return w_d, w_r, (1 - alpha * n_retain / n_forget) * r_j / (LAM * n_retain)


def test_block_construction_reproduces_the_quoted_numbers():
    # paper-notes 2b: |R_j| = 50, alpha = 0.05 gives w_R = 1.3267, w_D = 1.3003, w_DA = 0.9586
    w_d, w_r, x = _lemma3(50, 2.5)
    assert (round(w_r, 4), round(w_d, 4), round(lambertw(x).real, 4)) == (1.3267, 1.3003, 0.9586)
    # |F_j| = 2.5 rows: multiplicities as sample weights (block row, forget row, inert rows)
    X = np.array([[1.0], [-1.0], [0.0], [0.0]])
    model = _paper_model(X, [1, 0, 0, 1], [50.0, 2.5, 950.0, 97.5])
    harm = ascent_harm(model, X[[1, 3]], [0, 1])
    assert model.coef_[0, 0] == pytest.approx(w_d, rel=1e-9)
    assert harm.oracle[0] == pytest.approx(w_r, rel=1e-9)
    assert harm.stationary_point[0] == pytest.approx(lambertw(x).real, rel=1e-8)


def test_harm_inside_the_lemma3_window():
    sizes = [(50, 1), (50, 2), (50, 3), (50, 4)]  # alpha = 0.02 ... 0.08
    lower, upper = 100**2 / (1000 * 1200), 100 / 1000
    assert all(lower <= f / r <= upper for r, f in sizes)
    X, y, forget, _ = _blocks(sizes, repeat=True)
    model = _paper_model(X, y)
    harm = ascent_harm(model, X[forget], y[forget])
    closed = [_lemma3(r, f) for r, f in sizes]
    np.testing.assert_allclose(model.coef_.ravel(), [c[0] for c in closed], rtol=1e-9)
    np.testing.assert_allclose(harm.oracle, [c[1] for c in closed], rtol=1e-9)
    w_da = [lambertw(c[2]).real for c in closed]
    np.testing.assert_allclose(harm.stationary_point, w_da, rtol=1e-8)
    assert harm.inner < 0 and harm.cosine < 0 and harm.step_distance > 1
    assert harm.opposite_side and harm.harmful and harm.stationary_distance > 1


def test_no_harm_below_the_window_and_divergence_above():
    below = [(200, 1), (200, 1)]  # alpha = 0.005 < |F|^2 / (|R| (|F| + |D|)) = 0.0083
    X, y, forget, weight = _blocks(below)
    harm = ascent_harm(_paper_model(X, y, weight), X[forget], y[forget])
    w_d, w_r, x = _lemma3(200, 1)
    np.testing.assert_allclose(harm.stationary_point, lambertw(x).real, rtol=1e-8)
    assert w_d < harm.stationary_point[0] < w_r
    assert harm.inner > 0 and not harm.harmful and harm.stationary_distance < 1
    above = [(50, 10)]  # alpha = 0.2 > |F| / |R|: the DA argument is below -1/e
    assert _lemma3(50, 10)[2] < -1 / np.e
    X, y, forget, weight = _blocks(above)
    harm = ascent_harm(_paper_model(X, y, weight), X[forget], y[forget])
    assert harm.diverges and harm.harmful and harm.stationary_point is None


def _cross_dimensional(eps, alpha, r_ij=50, n_retain=1000, n_forget=100):
    """Paper-notes 2c with multiplicities as sample weights (|F_ij| = alpha |R_ij| may be
    fractional): retain x = (1, eps), forget x = (eps, 1), labels 1; inert zero rows."""
    X = np.array([[1.0, eps], [eps, 1.0], [0.0, 0.0], [0.0, 0.0]])
    y = np.array([1, 1, 0, 1])
    f_ij = alpha * r_ij
    weights = np.array([r_ij, f_ij, n_retain - r_ij, n_forget - f_ij])
    return _paper_model(X, y, weights), X[[1, 3]], y[[1, 3]]


@pytest.mark.parametrize(
    ("eps", "alphas"), [(0.5, (0.01, 0.02, 0.03)), (0.8, (0.01, 0.03, 0.05)), (0.95, (0.02, 0.08))]
)
def test_cross_dimensional_harm_window(eps, alphas):
    for alpha in alphas:
        model, X_f, y_f = _cross_dimensional(eps, alpha)
        harm = ascent_harm(model, X_f, y_f)
        u_r = lambertw((1 + eps**2) * 50 / (LAM * 1000)).real
        u, v = harm.oracle[0] + eps * harm.oracle[1], eps * harm.oracle[0] + harm.oracle[1]
        assert (u, v) == pytest.approx((u_r, 2 * eps / (1 + eps**2) * u_r), rel=1e-9)
        assert harm.harmful and harm.stationary_distance > 1, alpha


@pytest.mark.parametrize(
    ("eps", "alpha", "diverges"),
    [
        (0.8, 0.005, False),
        (0.95, 0.005, False),
        (0.5, 0.05, True),
        (0.8, 0.08, True),
    ],
)
def test_cross_dimensional_outside_the_window(eps, alpha, diverges):
    harm = ascent_harm(*_cross_dimensional(eps, alpha))
    assert harm.diverges == diverges
    assert harm.harmful == diverges


@pytest.mark.parametrize("case", ["random", "block-below", "block-inside", "block-inside-2"])
def test_harm_sign_matches_the_first_descent_ascent_step(case):
    if case == "random":
        X, y = _binary(200, 4)
        forget = np.zeros(len(X), dtype=bool)
        forget[:15] = True
        model = LogisticRegression(C=1.0).fit(X, y)
        oracle = SklearnLogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12)
        oracle.fit(X[~forget], y[~forget])
        w_oracle = np.r_[oracle.coef_.ravel(), oracle.intercept_]
    else:
        sizes = {
            "block-below": [(200, 1)],
            "block-inside": [(50, 1)],
            "block-inside-2": [(50, 4), (50, 2)],
        }[case]
        X, y, forget, weight = _blocks(sizes)
        model = LogisticRegression(C=1 / LAM, convention="paper", fit_intercept=False)
        model.fit(X, y, sample_weight=weight)
        oracle = SklearnLogisticRegression(
            C=1 / (LAM * np.sum(weight[~forget])),
            fit_intercept=False,
            solver="newton-cholesky",
            tol=1e-12,
        ).fit(X[~forget], y[~forget], sample_weight=weight[~forget])
        w_oracle = oracle.coef_.ravel()
    rate = 0.01 * ascent_harm(model, X[forget], y[forget]).learning_rate
    harm = ascent_harm(model, X[forget], y[forget], learning_rate=rate)
    stepped = (
        copy.deepcopy(model)
        .set_params(unlearner=DescentAscent(learning_rate=rate, max_iter=1))
        .unlearn(X[forget], y[forget])
    )
    before = np.linalg.norm(model._theta() - w_oracle)
    after = np.linalg.norm(stepped._theta() - w_oracle)
    assert harm.moves_toward == (after < before)
    assert harm.step_distance == pytest.approx(after / before, rel=1e-7)
    assert harm.deletion_effect == pytest.approx(before, rel=1e-7)


def test_ascent_harm_leaves_the_estimator_unchanged():
    model, X, y = MODELS[0]
    theta, n_rows = model._theta().copy(), model._rows.n
    ascent_harm(model, X[:10], y[:10])
    cross_influence(model, X[:10], y[:10])
    np.testing.assert_array_equal(model._theta(), theta)
    assert model._rows.n == n_rows and model.n_forgotten_ == 0


def test_feature_similarity_matches_brute_force():
    rng = np.random.default_rng(3)
    X_f, X_r = rng.normal(size=(7, 4)), rng.normal(size=(5000, 4))
    unit = lambda A: A / np.linalg.norm(A, axis=1, keepdims=True)  # noqa: E731
    nearest = np.abs(unit(X_f) @ unit(X_r).T).max(axis=1)
    result = feature_similarity(X_f, X_r)
    np.testing.assert_allclose(result.nearest_cosine, nearest, rtol=1e-12)
    means = unit(np.vstack([X_f.mean(axis=0), X_r.mean(axis=0)]))
    assert result.mean_cosine == pytest.approx(means[0] @ means[1])


def test_mmd_p_values_are_calibrated_under_the_null():
    rng = np.random.default_rng(0)
    p = np.array(
        [
            mmd_test(
                rng.normal(size=(15, 3)),
                rng.normal(size=(25, 3)),
                n_permutations=99,
                random_state=seed,
            ).p_value
            for seed in range(200)
        ]
    )
    # Under the null the permutation p-value is uniform on {1/100, ..., 1}: P(p <= a) = a.
    for level in (0.05, 0.2, 0.5):
        band = 3 * np.sqrt(level * (1 - level) / len(p))
        assert abs(np.mean(p <= level) - level) <= band


def test_mmd_detects_a_shifted_forget_set_and_matches_the_formula():
    rng = np.random.default_rng(1)
    X_f, X_r = rng.normal(size=(20, 2)) + 1.0, rng.normal(size=(30, 2))
    result = mmd_test(X_f, X_r, n_permutations=200)
    assert result.p_value < 0.01
    pooled = np.vstack([X_f, X_r])
    sq = ((pooled[:, None] - pooled[None]) ** 2).sum(-1)
    K = np.exp(-sq / (2 * result.bandwidth**2))
    mmd2 = K[:20, :20].mean() + K[20:, 20:].mean() - 2 * K[:20, 20:].mean()
    assert result.statistic == pytest.approx(mmd2, rel=1e-10)
    assert result.bandwidth == pytest.approx(np.sqrt(np.median(sq[np.triu_indices(50, 1)]) / 2))
