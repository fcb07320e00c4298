"""Tests of skunlearn._kernels' Hessians (general build, fused one-pass build) against numpy."""

import numpy as np
import pytest
import scipy.sparse as sp
from kernel_references import (
    CASES,
    KERNEL_CASES,
    kernel,
    make_problem,
    reference,
    reference_loss_grad,
)
from numpy.testing import assert_allclose
from scipy.special import expit

# Each case names a kernel and its parameters (Tweedie power; Huber epsilon and scale).
from skunlearn._kernels import hessian, hessian_value_grad
from skunlearn._kernels._points import CODES


@pytest.mark.parametrize("loss, K", CASES)
def test_hessian_dense_equals_csr(loss, K):
    X, y, w, coef, b = make_problem(loss, n=30, d=4, K=K, seed=4)
    name, params = kernel(loss)
    H = hessian(name, X, y, w, coef, b, True, **params)
    H_csr = hessian(name, sp.csr_array(X), y, w, coef, b, True, **params)
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


@pytest.mark.parametrize("loss", ["squared", "logistic", "exponential"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_fused_hessian_value_grad(loss, fit_intercept, parallel, monkeypatch):
    """The one-pass dense build (non-negative weights, one output) against numpy: the
    Hessian, loss, gradient and column sums of w x^2, with blocks of 7 rows and, in
    parallel, one chunk per thread."""
    from skunlearn._kernels import _hessian

    X, y, w, coef, b = make_problem(loss, n=61, d=4, seed=8, fit_intercept=fit_intercept)
    w = np.abs(w)  # zero weights stay
    monkeypatch.setattr(_hessian, "_FUSED_BLOCK_BYTES", 8 * 7 * (4 + fit_intercept))
    monkeypatch.setattr(_hessian, "PARALLEL_MIN_SIZE", 1 if parallel else 10**9)
    assert _hessian._fused_eligible(loss, CODES[loss], np.empty(0), X, y, coef, w)
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

    X, y, w, coef, b = make_problem("logistic", n=50, d=4, seed=9)
    w = np.abs(w)
    dense_result = hessian_value_grad("logistic", X, y, w, coef, b, True)
    sparse_result = hessian_value_grad("logistic", sp.csr_matrix(X), y, w, coef, b, True)
    for a, c in zip(dense_result, sparse_result, strict=True):
        assert_allclose(a, c, rtol=1e-12, atol=1e-13)


# One-output cases of the family: (case, whether the fused pass takes it). It takes
# the losses whose curvature is >= 0 for non-negative weights; a negative curvature
# (Tweedie powers outside [1, 2], the identity link) or a scale (Huber) falls back.
FAMILY_FUSED = [
    ("squared_hinge", True),
    ("poisson", True),
    ("gamma", True),
    ("tweedie1.5", True),
    ("tweedie0", False),
    ("tweedie3", False),
    ("identity1.5", False),
    ("huber", False),
]


@pytest.mark.parametrize("loss, fused", FAMILY_FUSED)
@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_fused_hessian_value_grad_with_loss_parameters(loss, fused, parallel, monkeypatch):
    """The family's losses through hessian_value_grad, their parameters threaded: value,
    gradient and column squares against numpy; the Hessian against the general build
    (checked against finite differences above), whichever path the loss takes."""
    from skunlearn._kernels import _hessian

    X, y, w, coef, b = make_problem(loss, n=61, d=4, seed=11)
    w = np.abs(w)
    name, params = KERNEL_CASES[loss]
    monkeypatch.setattr(_hessian, "_FUSED_BLOCK_BYTES", 8 * 7 * 5)
    monkeypatch.setattr(_hessian, "PARALLEL_MIN_SIZE", 1 if parallel else 10**9)
    y_kernel = y[:, 0] if y.ndim == 2 else y
    eligible = _hessian._fused_eligible(name, CODES[name], np.array(params), X, y_kernel, coef, w)
    assert eligible == fused
    H, value, grad_coef, grad_intercept, squares = hessian_value_grad(
        name, X, y, w, coef, b, True, params=params
    )
    (expected_value, expected_coef, expected_intercept), _ = reference_loss_grad(
        loss, X, y, w, coef, b
    )
    assert_allclose(value, expected_value, rtol=1e-11)
    assert_allclose(grad_coef, expected_coef, rtol=1e-10, atol=1e-12)
    assert_allclose(grad_intercept, expected_intercept, rtol=1e-10, atol=1e-12)
    assert_allclose(squares, w @ X**2, rtol=1e-12)
    monkeypatch.setattr(_hessian, "_fused_eligible", lambda *args: False)
    general = hessian(name, X, y, w, coef, b, True, params=params)
    assert_allclose(H, general, rtol=1e-11, atol=1e-12 * np.abs(general).max())
