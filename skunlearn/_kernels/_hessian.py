"""Hessian and Hessian-vector products of ``sum_i weights[i] * l_i``.

The parameter vector is ``theta = concat(coef.ravel(), intercept)`` (or
``coef.ravel()`` without intercept). Every (k, l) block of the Hessian is a
weighted Gram matrix ``X.T @ diag(c_kl) @ X`` (plus its intercept row/column):
numba kernels compute the per-row curvature ``c_kl``, BLAS (dense, a weighted
``syrk``) or scipy (CSR) the d x d products.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.linalg.blas import dsyrk

from ._config import NJIT
from ._loss_grad import _check_inputs, linear_predictor

# Elements per syrk block of rows, so the scaled copy of X stays around 32 MB.
_GRAM_BLOCK = 1 << 22


@njit(**NJIT)
def _logistic_curvature(z, y, w, h):
    # sigmoid(m) (1 - sigmoid(m)) = e / (1 + e)^2 with e = exp(-|m|), |m| = |z|.
    for i in range(z.shape[0]):
        e = np.exp(-abs(z[i]))
        h[i] = w[i] * e / ((1.0 + e) * (1.0 + e)) if w[i] != 0.0 else 0.0


@njit(**NJIT)
def _exponential_curvature(z, y, w, h):
    for i in range(z.shape[0]):
        h[i] = w[i] * np.exp((1.0 - 2.0 * y[i]) * z[i]) if w[i] != 0.0 else 0.0


@njit(**NJIT)
def _softmax(Z, P):
    for i in range(Z.shape[0]):
        zmax = Z[i, 0]
        for k in range(1, Z.shape[1]):
            zmax = max(zmax, Z[i, k])
        total = 0.0
        for k in range(Z.shape[1]):
            P[i, k] = np.exp(Z[i, k] - zmax)
            total += P[i, k]
        for k in range(Z.shape[1]):
            P[i, k] /= total


_CURVATURE = {"logistic": _logistic_curvature, "exponential": _exponential_curvature}


def _scaled_rows(X, c, sign):
    """Rows of X with ``sign * c > 0``, scaled by ``sqrt(sign * c)``; or None."""
    mask = sign * c > 0.0
    if mask.all():
        return X * np.sqrt(sign * c)[:, None]
    if not mask.any():
        return None
    A = X[mask]
    A *= np.sqrt(sign * c[mask])[:, None]
    return A


def _gram(X, c):
    """``X.T @ diag(c) @ X`` as a dense symmetric ndarray (c may be negative)."""
    if sp.issparse(X):
        Xc = X.copy()
        Xc.data *= np.repeat(c, np.diff(X.indptr))
        G = (X.T @ Xc).toarray()
        return np.triu(G) + np.triu(G, 1).T
    n, d = X.shape
    G = np.zeros((d, d), order="F")
    step = max(1, _GRAM_BLOCK // max(d, 1))
    for lo in range(0, n, step):
        for sign in (1.0, -1.0):
            A = _scaled_rows(X[lo : lo + step], c[lo : lo + step], sign)
            if A is not None:  # A.T is F-contiguous (d, m): syrk gives A.T @ A
                G = dsyrk(sign, A.T, beta=1.0, c=G, overwrite_c=1)
    return np.triu(G) + np.triu(G, 1).T


def _curvature_blocks(loss, X, y, w, coef, intercept):
    """List of ((k, j), c) with k <= j: block (k, j) is ``X.T diag(c) X``."""
    K = coef.shape[0]
    if loss == "squared":
        c = 2.0 * w
        return [((k, k), c) for k in range(K)]
    Z = linear_predictor(X, coef, intercept)
    if loss == "multinomial":
        P = np.empty_like(Z)
        _softmax(Z, P)
        wP = w[:, None] * P
        return [((k, j), wP[:, k] * ((k == j) - P[:, j])) for k in range(K) for j in range(k, K)]
    h = np.empty(Z.shape[0])
    _CURVATURE[loss](Z[:, 0].copy(), y, w, h)
    return [((0, 0), h)]


def curvature(loss, X, y, weights, coef, intercept):
    """Per-row curvature ``c`` of a single-output or squared loss.

    The loss Hessian is then ``X.T diag(c) X`` (plus intercept terms) in
    every output's block, so a Hessian-vector product is the gradient of the
    squared loss with weights ``c / 2`` and zero targets: one fused pass.

    Parameters
    ----------
    loss : {"squared", "logistic", "exponential"}
    X, y, weights, coef, intercept
        As in :func:`hessian`.

    Returns
    -------
    c : ndarray of shape (n_samples,)
        Zero where ``weights`` is zero.
    """
    if loss == "multinomial":
        raise ValueError("The multinomial Hessian couples outputs: use hessp.")
    _check_inputs(loss, X, y, weights, coef, intercept)
    return _curvature_blocks(loss, X, y, weights, coef, intercept)[0][1]


def hessian(loss, X, y, weights, coef, intercept, fit_intercept):
    """Hessian of ``sum_i weights[i] * l_i`` (no penalty).

    Parameters
    ----------
    loss : {"squared", "logistic", "exponential", "multinomial"}
        Per-sample loss, as in :func:`loss_grad`.
    X : ndarray of shape (n_samples, n_features) or CSR matrix/array
        float64 input.
    y : ndarray of shape (n_samples, K) or (n_samples,)
        Targets, as in :func:`loss_grad`.
    weights : ndarray of shape (n_samples,)
        Row weights; may be zero or negative.
    coef : ndarray of shape (K, n_features)
        Coefficients.
    intercept : ndarray of shape (K,)
        Intercepts (zeros without intercept).
    fit_intercept : bool
        Whether the intercepts are parameters.

    Returns
    -------
    H : ndarray of shape (p, p)
        Symmetric, w.r.t. ``theta = concat(coef.ravel(), intercept)``,
        p = K * (d + 1); or ``coef.ravel()``, p = K * d, without intercept.
        Dense also for CSR X.
    """
    _check_inputs(loss, X, y, weights, coef, intercept)
    K, d = coef.shape
    p = K * (d + 1) if fit_intercept else K * d
    H = np.zeros((p, p))
    done = {}  # the squared loss shares one curvature vector across targets
    for (k, j), c in _curvature_blocks(loss, X, y, weights, coef, intercept):
        if id(c) not in done:
            col = np.asarray(X.T @ c) if fit_intercept else None
            done[id(c)] = (_gram(X, c), col, c.sum())
        G, col, total = done[id(c)]
        rk, rj = slice(k * d, (k + 1) * d), slice(j * d, (j + 1) * d)
        H[rk, rj] = G
        H[rj, rk] = G
        if fit_intercept:
            ik, ij = K * d + k, K * d + j
            H[rk, ij] = H[ij, rk] = col
            H[rj, ik] = H[ik, rj] = col
            H[ik, ij] = H[ij, ik] = total
    return H


def _directional_curvature(loss, X, y, w, coef, intercept, V, b):
    """Rows T (n, K) with ``T_i = H_i(z_i) @ (V @ x_i + b)``."""
    K = coef.shape[0]
    if loss == "squared":
        T = linear_predictor(X, V, b)
        T *= 2.0 * w[:, None]
        return T
    ZU = linear_predictor(X, np.vstack([coef, V]), np.concatenate([intercept, b]))
    Z, U = ZU[:, :K], ZU[:, K:]
    if loss == "multinomial":
        P = np.empty_like(Z)
        _softmax(Z, P)
        PU = P * U
        return w[:, None] * (PU - P * PU.sum(axis=1, keepdims=True))
    h = np.empty(Z.shape[0])
    _CURVATURE[loss](Z[:, 0].copy(), y, w, h)
    return h[:, None] * U


def hessp(loss, X, y, weights, coef, intercept, fit_intercept, v):
    """Hessian-vector product of ``sum_i weights[i] * l_i``, matrix-free.

    Two passes over X: ``X @ [coef; V].T``, then ``X.T @ T``.

    Parameters
    ----------
    loss, X, y, weights, coef, intercept, fit_intercept
        As in :func:`hessian`.
    v : ndarray of shape (p,)
        Direction in the ordering of ``theta``.

    Returns
    -------
    Hv : ndarray of shape (p,)
        ``hessian(...) @ v``.
    """
    _check_inputs(loss, X, y, weights, coef, intercept)
    K, d = coef.shape
    v = np.asarray(v, dtype=np.float64)
    V = v[: K * d].reshape(K, d)
    b = v[K * d :] if fit_intercept else np.zeros(K)
    T = _directional_curvature(loss, X, y, weights, coef, intercept, V, b)
    grad_coef = np.asarray(X.T @ T).T if sp.issparse(X) else T.T @ X
    parts = [grad_coef.ravel(), T.sum(axis=0)] if fit_intercept else [grad_coef.ravel()]
    return np.concatenate(parts)
