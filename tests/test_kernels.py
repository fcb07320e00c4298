"""Tests of skunlearn._kernels against a plain numpy reference and finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, logsumexp, softmax

from skunlearn._kernels import LOSSES, hessian, hessp, linear_predictor, loss_grad
from skunlearn._kernels._config import PARALLEL_MIN_SIZE
from skunlearn._kernels._points import CODES

CASES = [  # (loss, K)
    ("squared", 1),
    ("squared", 3),
    ("logistic", 1),
    ("exponential", 1),
    ("multinomial", 1),
    ("multinomial", 3),
]


def make_y(loss, rng, n, K):
    if loss == "squared":
        return rng.standard_normal((n, K))
    if loss == "multinomial":
        return rng.integers(0, K, n).astype(np.int64)
    return (rng.random(n) < 0.5).astype(np.float64)


def make_problem(loss, n=40, d=5, K=1, seed=0, sparse=False, fit_intercept=True, density=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * (rng.random((n, d)) < density)
    w = rng.uniform(-1.0, 2.0, n)
    w[rng.random(n) < 0.2] = 0.0
    coef = rng.standard_normal((K, d)) / np.sqrt(d)
    b = rng.standard_normal(K) if fit_intercept else np.zeros(K)
    return (sp.csr_matrix(X) if sparse else X), make_y(loss, rng, n, K), w, coef, b


def dense(X):
    return X.toarray() if sp.issparse(X) else X


def reference(loss, X, y, w, coef, b):
    """Per-row losses l (n,) and derivatives G = dl/dz (n, K), plainly in numpy."""
    Z = dense(X) @ coef.T + b
    if loss == "squared":
        return ((y - Z) ** 2).sum(axis=1), 2.0 * (Z - y)
    if loss == "multinomial":
        rows = np.arange(len(y))
        G = softmax(Z, axis=1)
        G[rows, y] -= 1.0
        return logsumexp(Z, axis=1) - Z[rows, y], G
    s = 2.0 * y - 1.0
    m = s * Z[:, 0]
    if loss == "logistic":
        return np.logaddexp(0.0, -m), (-s * expit(-m))[:, None]
    return np.exp(-m), (-s * np.exp(-m))[:, None]


def reference_loss_grad(loss, X, y, w, coef, b):
    """Value, gradients and the same sums of absolute values (error scales)."""
    per_row, G = reference(loss, X, y, w, coef, b)
    Xd = dense(X)
    wG = w[:, None] * G
    value = (w * per_row).sum(), wG.T @ Xd, wG.sum(axis=0)
    scale = np.abs(w * per_row).sum(), np.abs(wG).T @ np.abs(Xd), np.abs(wG).sum(axis=0)
    return value, scale


def call_loss_grad(loss, X, y, w, coef, b, parallel=None):
    gc, gi = np.full(coef.shape, np.nan), np.full(coef.shape[0], np.nan)
    value = loss_grad(loss, X, y, w, coef, b, gc, gi, parallel=parallel)
    assert isinstance(value, float)
    return value, gc, gi


def assert_matches_reference(loss, X, y, w, coef, b, parallel=None, rtol=1e-12):
    got = call_loss_grad(loss, X, y, w, coef, b, parallel)
    expected, scale = reference_loss_grad(loss, X, y, w, coef, b)
    for g, e, s in zip(got, expected, scale, strict=True):
        assert np.all(np.abs(np.asarray(g) - e) <= rtol * s + 1e-300)


@pytest.mark.parametrize("loss, K", CASES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_loss_grad_matches_numpy(loss, K, sparse, parallel, fit_intercept):
    problem = make_problem(loss, K=K, sparse=sparse, fit_intercept=fit_intercept)
    assert_matches_reference(loss, *problem, parallel=parallel)


@pytest.mark.parametrize(
    "loss, K, parallel",
    [("logistic", 1, False), ("multinomial", 3, False), ("multinomial", 3, True)],
)
def test_csr_variants(loss, K, parallel):
    """int64 indices and csr_array give the same result as dense X.

    A scalar (K = 1) and a vector (K = 3) kernel: each index dtype is a
    separate compilation, so the other losses are left to the int32 tests.
    """
    X, y, w, coef, b = make_problem(loss, K=K, seed=1)
    X64 = sp.csr_array(X)
    X64.indices = X64.indices.astype(np.int64)
    X64.indptr = X64.indptr.astype(np.int64)
    got = call_loss_grad(loss, X64, y, w, coef, b, parallel)
    expected = call_loss_grad(loss, X, y, w, coef, b, parallel)
    for g, e in zip(got, expected, strict=True):
        assert_allclose(g, e, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("parallel", [False, True])
def test_empty_rows_and_all_zero_weights(sparse, parallel):
    X, y, w, coef, b = make_problem("multinomial", n=7, K=3, sparse=sparse)
    assert call_loss_grad("multinomial", X[:0], y[:0], w[:0], coef, b, parallel)[0] == 0.0
    value, gc, gi = call_loss_grad("multinomial", X, y, 0.0 * w, coef, b, parallel)
    assert value == 0.0 and not gc.any() and not gi.any()


def numeric_grad(f, theta, eps=1e-6):
    out = []
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = eps
        out.append((f(theta + e) - f(theta - e)) / (2.0 * eps))
    return np.array(out)


def split(theta, K, d, b, fit_intercept):
    coef = theta[: K * d].reshape(K, d)
    return coef, (theta[K * d :] if fit_intercept else b)


def flat_grad(loss, X, y, w, theta, K, d, b, fit_intercept):
    coef, intercept = split(theta, K, d, b, fit_intercept)
    value, gc, gi = call_loss_grad(loss, X, y, w, coef, intercept)
    return value, np.concatenate([gc.ravel(), gi] if fit_intercept else [gc.ravel()])


@pytest.mark.parametrize("loss, K", CASES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_derivatives_match_finite_differences(loss, K, sparse, fit_intercept):
    X, y, w, coef, b = make_problem(loss, n=15, d=3, K=K, sparse=sparse, seed=2)
    theta = np.concatenate([coef.ravel(), b] if fit_intercept else [coef.ravel()])
    args = (loss, X, y, w)
    tail = (K, 3, b, fit_intercept)
    value, grad = flat_grad(*args, theta, *tail)
    fd_grad = numeric_grad(lambda t: flat_grad(*args, t, *tail)[0], theta)
    assert_allclose(grad, fd_grad, rtol=1e-6, atol=1e-7 * (1 + abs(value)))
    H = hessian(*args, coef, b, fit_intercept)
    assert H.shape == (theta.size, theta.size)
    assert_array_equal(H, H.T)
    fd_H = numeric_grad(lambda t: flat_grad(*args, t, *tail)[1], theta)
    assert_allclose(H, fd_H, rtol=1e-6, atol=1e-6 * np.abs(H).max())
    v = np.random.default_rng(3).standard_normal(theta.size)
    Hv = hessp(*args, coef, b, fit_intercept, v)
    assert_allclose(Hv, H @ v, rtol=1e-10, atol=1e-12 * np.abs(H).sum())


@pytest.mark.parametrize("loss, K", CASES)
def test_hessian_dense_equals_csr(loss, K):
    X, y, w, coef, b = make_problem(loss, n=30, d=4, K=K, seed=4)
    H = hessian(loss, X, y, w, coef, b, True)
    H_csr = hessian(loss, sp.csr_array(X), y, w, coef, b, True)
    assert isinstance(H_csr, np.ndarray)
    assert_allclose(H_csr, H, rtol=1e-12, atol=1e-13 * np.abs(H).max())


def test_blocked_weighted_syrk(monkeypatch):
    """The dense Gram product in row blocks, with mixed-sign weights."""
    from skunlearn._kernels import _hessian

    X, y, w, coef, b = make_problem("logistic", n=37, d=4, seed=6)
    H = hessian("logistic", X, y, w, coef, b, True)
    monkeypatch.setattr(_hessian, "_GRAM_BLOCK", 20)  # blocks of 5 rows
    assert_allclose(hessian("logistic", X, y, w, coef, b, True), H, rtol=1e-13, atol=1e-14)
    c = np.random.default_rng(7).standard_normal(37)
    assert_allclose(_hessian._gram(X, c), X.T @ (c[:, None] * X), rtol=1e-12, atol=1e-13)


def extreme_problem(loss, scale, K=1, n=30, d=4, seed=5, sparse=False):
    """Rows whose margins (and top-two class gaps) are at least ~scale / 2."""
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal((K, d))
    X = rng.standard_normal((20 * n, d))
    Z = np.sort(X @ coef.T, axis=1)
    gap = np.abs(Z[:, 0]) if K == 1 else Z[:, -1] - Z[:, -2]
    X = np.ascontiguousarray(X[gap > 0.5][:n])
    w = rng.uniform(0.5, 2.0, n)
    y = make_y(loss, rng, n, K)
    return (sp.csr_matrix(X) if sparse else X), y, w, coef * scale, np.zeros(K)


@pytest.mark.parametrize("scale", [2e3, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_logistic_extreme_margins(scale, sparse):
    X, y, w, coef, b = extreme_problem("logistic", scale, sparse=sparse)
    value, gc, gi = call_loss_grad("logistic", X, y, w, coef, b)
    assert np.isfinite(value) and np.isfinite(gc).all() and np.isfinite(gi).all()
    s = 2.0 * y - 1.0
    m = s * (dense(X) @ coef[0])
    wrong = m < 0  # loss ~ -m and dl/dz ~ -s there; ~ 0 elsewhere
    assert_allclose(value, (w * np.where(wrong, -m, 0.0)).sum(), rtol=1e-12)
    r = np.where(wrong, -s * w, 0.0)
    assert_allclose(gc[0], r @ dense(X), rtol=1e-12, atol=1e-12)
    assert_allclose(gi[0], r.sum(), rtol=1e-12)


@pytest.mark.parametrize("scale", [2e3, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_multinomial_extreme_margins(scale, sparse):
    X, y, w, coef, b = extreme_problem("multinomial", scale, K=3, sparse=sparse)
    value, gc, gi = call_loss_grad("multinomial", X, y, w, coef, b)
    assert np.isfinite(value) and np.isfinite(gc).all() and np.isfinite(gi).all()
    Z = dense(X) @ coef.T
    rows = np.arange(len(y))
    assert_allclose(value, (w * (Z.max(axis=1) - Z[rows, y])).sum(), rtol=1e-12)
    R = np.zeros_like(Z)  # softmax -> one-hot of the argmax
    R[rows, Z.argmax(axis=1)] += w
    R[rows, y] -= w
    assert_allclose(gc, R.T @ dense(X), rtol=1e-12, atol=1e-12)
    H = hessian("multinomial", X, y, w, coef, b, True)
    assert np.isfinite(H).all()


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("parallel", [False, True])
def test_exponential_overflow_is_inf_not_nan(sparse, parallel):
    X, y, w, coef, b = extreme_problem("exponential", 2e3)
    X[:, 0] = 0.0  # zero features must not turn inf * 0 into nan
    m = (2.0 * y - 1.0) * (X @ coef[0])
    # One overflowing row (several could legitimately give inf - inf = nan in
    # the gradient) among rows with large positive margins, exp(-m) ~ 0.
    rows = np.r_[np.argmin(m), np.flatnonzero(m > 750)]
    assert m.min() < -709 and len(rows) > 3
    X, y, w = X[rows], y[rows], w[rows]
    X = sp.csr_matrix(X) if sparse else X
    value, gc, gi = call_loss_grad("exponential", X, y, w, coef, b, parallel)
    assert value == np.inf
    assert gc[0, 0] == 0.0 and np.isinf(gc[0, 1:]).all() and np.isinf(gi).all()
    value = call_loss_grad("exponential", X[1:], y[1:], w[1:], coef, b, parallel)[0]
    assert 0.0 <= value < 1e-300


@pytest.mark.parametrize("loss, K", CASES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_chunks", [None, 5])
def test_parallel_equals_serial_on_several_chunks(loss, K, sparse, n_chunks, monkeypatch):
    from skunlearn._kernels import _loss_grad

    if n_chunks is not None:  # more chunks than threads; also makes "auto" choose parallel
        monkeypatch.setattr(_loss_grad, "n_threads", lambda: n_chunks)
    n, d = 12_000, 20
    density = 1.0 if not sparse else 0.99
    X, y, w, coef, b = make_problem(loss, n=n, d=d, K=K, sparse=sparse, density=density)
    assert (X.nnz if sparse else X.size) >= PARALLEL_MIN_SIZE
    assert len(_loss_grad._row_bounds(X, n_chunks or 2)) == (n_chunks or 2) + 1
    serial = call_loss_grad(loss, X, y, w, coef, b, parallel=False)
    parallel = call_loss_grad(loss, X, y, w, coef, b, parallel=None)  # auto: parallel
    for s, p in zip(serial, parallel, strict=True):
        assert_allclose(p, s, rtol=1e-12, atol=1e-12 * np.abs(s).max())
    assert_matches_reference(loss, X, y, w, coef, b, parallel=True)


@pytest.mark.parametrize("loss, K", CASES)
@pytest.mark.parametrize("sparse", [False, True])
def test_inputs_not_modified(loss, K, sparse):
    X, y, w, coef, b = make_problem(loss, K=K, sparse=sparse)
    before = [a.copy() for a in (dense(X), y, w, coef, b)]
    for parallel in (False, True):
        call_loss_grad(loss, X, y, w, coef, b, parallel)
    hessian(loss, X, y, w, coef, b, True)
    hessp(loss, X, y, w, coef, b, True, np.ones(coef.size + K))
    linear_predictor(X, coef, b)
    for old, new in zip(before, (dense(X), y, w, coef, b), strict=True):
        assert_array_equal(old, new)


@pytest.mark.parametrize("sparse", [False, True])
def test_linear_predictor(sparse):
    X, _, _, coef, b = make_problem("squared", K=3, sparse=sparse)
    Z = linear_predictor(X, coef, b)
    assert Z.shape == (40, 3) and Z.flags.c_contiguous
    assert_allclose(Z, dense(X) @ coef.T + b, rtol=1e-13, atol=1e-14)


def test_rejects_bad_input():
    X, y, w, coef, b = make_problem("logistic")
    gc, gi = np.empty_like(coef), np.empty_like(b)
    with pytest.raises(ValueError, match="loss must be"):
        loss_grad("hinge", X, y, w, coef, b, gc, gi)
    with pytest.raises(ValueError, match="C-contiguous"):
        loss_grad("logistic", np.asfortranarray(X), y, w, coef, b, gc, gi)
    with pytest.raises(ValueError, match="does not fit"):
        loss_grad("multinomial", X, y, w, coef, b, gc, gi)
    with pytest.raises(ValueError, match="grad_coef"):
        loss_grad("logistic", X, y, w, coef, b, gc[:, :-1], gi)


@settings(deadline=None, max_examples=25)
@given(
    loss=st.sampled_from(LOSSES),
    n=st.integers(1, 25),
    d=st.integers(1, 6),
    K=st.integers(1, 3),
    sparse=st.booleans(),
    parallel=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_property_matches_numpy(loss, n, d, K, sparse, parallel, seed, data):
    K = 1 if loss in ("logistic", "exponential") else K
    X, y, _, coef, b = make_problem(loss, n=n, d=d, K=K, seed=seed, sparse=sparse)
    weight = st.one_of(st.just(0.0), st.floats(-3.0, 3.0, allow_subnormal=False))
    w = data.draw(arrays(np.float64, n, elements=weight))
    assert_matches_reference(loss, X, y, w, coef, b, parallel=parallel, rtol=1e-11)


@pytest.mark.parametrize("loss", ["squared", "logistic", "exponential"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_fused_hessian_value_grad(loss, fit_intercept, parallel, monkeypatch):
    """The one-pass dense build (non-negative weights, one output) against numpy: the
    Hessian, loss, gradient and column sums of w x^2, with blocks of 7 rows and, in
    parallel, one chunk per thread."""
    from skunlearn._kernels import _hessian, hessian_value_grad

    X, y, w, coef, b = make_problem(loss, n=61, d=4, seed=8, fit_intercept=fit_intercept)
    w = np.abs(w)  # zero weights stay
    monkeypatch.setattr(_hessian, "_FUSED_BLOCK_BYTES", 8 * 7 * (4 + fit_intercept))
    monkeypatch.setattr(_hessian, "PARALLEL_MIN_SIZE", 1 if parallel else 10**9)
    assert _hessian._fused_eligible(CODES[loss], X, coef, w)
    H, value, grad_coef, grad_intercept, squares = hessian_value_grad(
        loss, X, y, w, coef, b, fit_intercept
    )
    losses, G = reference(loss, X, y, w, coef, b)
    z = (X @ coef.T + b)[:, 0]
    if loss == "squared":
        c = 2.0 * w
    elif loss == "logistic":
        c = w * expit(z) * expit(-z)
    else:
        c = w * np.exp(-(2.0 * y - 1.0) * z)
    A = np.c_[X, np.ones(len(X))] if fit_intercept else X
    assert_allclose(H, A.T @ (c[:, None] * A), rtol=1e-12, atol=1e-13 * np.abs(H).max())
    assert_allclose(value, w @ losses, rtol=1e-12)
    assert_allclose(grad_coef, (w[:, None] * G).T @ X, rtol=1e-11, atol=1e-12)
    assert_allclose(grad_intercept, (w[:, None] * G).sum(axis=0), rtol=1e-11, atol=1e-12)
    assert_allclose(squares, w @ X**2, rtol=1e-12)


def test_fused_hessian_equals_the_general_build():
    """Sparse input and negative weights take the general path; the numbers agree."""
    from skunlearn._kernels import hessian_value_grad

    X, y, w, coef, b = make_problem("logistic", n=50, d=4, seed=9)
    w = np.abs(w)
    dense_result = hessian_value_grad("logistic", X, y, w, coef, b, True)
    sparse_result = hessian_value_grad("logistic", sp.csr_matrix(X), y, w, coef, b, True)
    for a, c in zip(dense_result, sparse_result, strict=True):
        assert_allclose(a, c, rtol=1e-12, atol=1e-13)
