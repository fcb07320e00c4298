"""Tests of skunlearn._kernels' loss and gradient against numpy references, finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# Each case names a kernel and its parameters (Tweedie power; Huber epsilon and scale).
from kernel_references import (
    CASES,
    KERNEL_CASES,
    assert_matches_reference,
    call_loss_grad,
    dense,
    flat_grad,
    kernel,
    make_problem,
    make_y,
    numeric_grad,
    reference,
)
from numpy.testing import assert_allclose, assert_array_equal

from skunlearn._kernels import hessian, hessp, linear_predictor, loss_grad
from skunlearn._kernels._config import PARALLEL_MIN_SIZE


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


@pytest.mark.parametrize("loss, K", CASES)
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_derivatives_match_finite_differences(loss, K, sparse, fit_intercept):
    """Gradient, Hessian and Hessian-vector products in (coef, intercept) (a scale held fixed).

    Piecewise losses (squared hinge, Huber) are differentiated away from
    their kinks: no row of this data sits within the finite-difference step
    of one.
    """
    X, y, w, coef, b = make_problem(loss, n=15, d=3, K=K, sparse=sparse, seed=2)
    theta = np.concatenate([coef.ravel(), b] if fit_intercept else [coef.ravel()])
    name, params = kernel(loss)
    args = (loss, X, y, w)
    tail = (K, 3, b, fit_intercept)
    value, grad = flat_grad(*args, theta, *tail)
    fd_grad = numeric_grad(lambda t: flat_grad(*args, t, *tail)[0], theta)
    assert_allclose(grad, fd_grad, rtol=1e-6, atol=1e-7 * (1 + abs(value)))
    H = hessian(name, X, y, w, coef, b, fit_intercept, **params)
    p = theta.size
    assert H.shape == (p + (name == "huber"),) * 2
    assert_array_equal(H, H.T)
    fd_H = numeric_grad(lambda t: flat_grad(*args, t, *tail)[1], theta)
    assert_allclose(H[:p, :p], fd_H, rtol=1e-6, atol=1e-6 * np.abs(H).max())
    v = np.random.default_rng(3).standard_normal(len(H))
    Hv = hessp(name, X, y, w, coef, b, fit_intercept, v, **params)
    assert_allclose(Hv, H @ v, rtol=1e-10, atol=1e-12 * np.abs(H).sum())


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
    name, params = kernel(loss)
    hessian(name, X, y, w, coef, b, True, **params)
    hessp(name, X, y, w, coef, b, True, np.ones(coef.size + K + (name == "huber")), **params)
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
    loss=st.sampled_from(sorted(KERNEL_CASES)),
    n=st.integers(1, 25),
    d=st.integers(1, 6),
    K=st.integers(1, 3),
    sparse=st.booleans(),
    parallel=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_property_matches_numpy(loss, n, d, K, sparse, parallel, seed, data):
    K = 1 if loss in ("logistic", "exponential", "huber") else K
    X, y, _, coef, b = make_problem(loss, n=n, d=d, K=K, seed=seed, sparse=sparse)
    weight = st.one_of(st.just(0.0), st.floats(-3.0, 3.0, allow_subnormal=False))
    w = data.draw(arrays(np.float64, n, elements=weight))
    assert_matches_reference(loss, X, y, w, coef, b, parallel=parallel, rtol=1e-11)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_huber_scale_matches_sklearn_and_finite_differences(sparse, fit_intercept):
    """The joint (coef, intercept, sigma) objective is scikit-learn's HuberRegressor's."""
    from sklearn.linear_model._huber import _huber_loss_and_gradient

    from skunlearn._losses import huber_loss
    from skunlearn._objective import LinearObjective

    X, y, w, coef, b = make_problem("huber", n=30, d=4, sparse=sparse, seed=8)
    w = np.abs(w)
    y = y[:, 0] * 2.0
    alpha, epsilon = 0.3, 1.35
    theta = np.concatenate([coef[0], b[:1] if fit_intercept else [], [0.9]])
    objective = LinearObjective(
        huber_loss(epsilon), X, y[:, None], w, n_outputs=1, fit_intercept=fit_intercept,
        l2=2 * alpha,
    )  # fmt: skip
    value, grad = objective.value_grad(theta)
    expected = _huber_loss_and_gradient(theta, X, y, epsilon, alpha, w)
    assert_allclose(value, expected[0], rtol=1e-12)
    assert_allclose(grad, expected[1], rtol=1e-11, atol=1e-12)
    H = objective.hessian(theta)
    fd_H = numeric_grad(lambda t: objective.value_grad(t)[1], theta)
    assert_allclose(H, fd_H, rtol=1e-6, atol=1e-6 * np.abs(H).max())
    v = np.random.default_rng(9).standard_normal(theta.size)
    assert_allclose(objective.hessp(theta, v), H @ v, rtol=1e-10, atol=1e-12)
    assert objective.value_grad(np.r_[theta[:-1], -1.0])[0] == np.inf  # sigma must stay > 0


def test_missing_loss_parameters_are_refused():
    X, y, w, coef, b = make_problem("poisson")
    with pytest.raises(ValueError, match="needs 1 parameter"):
        loss_grad("tweedie", X, y, w, coef, b, np.empty_like(coef), np.empty_like(b))


@pytest.mark.parametrize(
    "loss, spec",
    [
        ("logistic", "logistic"),
        ("multinomial", "multinomial"),
        ("squared_hinge", "squared_hinge"),
        ("poisson", "poisson"),
        ("gamma", "gamma"),
        ("tweedie1.5", (1.5, "log")),
        ("identity1.5", (1.5, "identity")),
        ("huber", 1.35),
    ],
)
def test_spec_derivative_matches_reference(loss, spec):
    """``Loss.derivative`` (the diagnostics' numpy copy) agrees with the kernels' reference."""
    from skunlearn._losses import get_loss, huber_loss, tweedie_loss

    K = 3 if loss == "multinomial" else 1
    X, y, w, coef, b = make_problem(loss, K=K, seed=10)
    spec = (
        huber_loss(spec) if loss == "huber"
        else tweedie_loss(*spec) if isinstance(spec, tuple) else get_loss(spec)
    )  # fmt: skip
    Z = dense(X) @ coef.T + b
    scale = KERNEL_CASES[loss][1][-1] if loss == "huber" else None
    assert_allclose(spec.derivative(Z, y, scale), reference(loss, X, y, w, coef, b)[1], rtol=1e-12)
