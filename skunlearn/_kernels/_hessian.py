"""Hessian and Hessian-vector products of ``sum_i weights[i] * l_i``.

The parameter vector is laid out as documented in :mod:`skunlearn._parameters`.
Every (k, l) block of the Hessian is a weighted Gram matrix
``X.T @ diag(c_kl) @ X`` (plus its intercept row/column): numba kernels compute
the per-row curvature ``c_kl``, BLAS (dense, a weighted ``syrk``) or scipy (CSR)
the d x d products.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.linalg.blas import dsyrk

from .._parameters import ParameterLayout
from ._config import NJIT
from ._loss_grad import _check_inputs, linear_predictor
from ._points import MULTINOMIAL, SCALED, SQUARED, weighted_curvature
from ._scale import scale_rows

# Elements per syrk block of rows, so the scaled copy of X stays around 32 MB.
_GRAM_BLOCK = 1 << 22


@njit(**NJIT)
def _curvature(code, params, z, y, w, h):
    for i in range(z.shape[0]):
        h[i] = weighted_curvature(code, params, z[i], y[i], w[i])


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


def _scalar_curvatures(code, params, Z, y, w, n_outputs):
    """Per-output curvature vectors ``c_k`` of a loss with independent outputs."""
    if code == SQUARED:  # constant curvature, shared by every output (no Z needed)
        return [2.0 * w] * n_outputs
    columns = [y] if y.ndim == 1 else [np.ascontiguousarray(y[:, k]) for k in range(n_outputs)]
    curvatures = []
    for k, target in enumerate(columns):
        h = np.empty(Z.shape[0])
        _curvature(code, params, np.ascontiguousarray(Z[:, k]), target, w, h)
        curvatures.append(h)
    return curvatures


def _curvature_blocks(code, params, X, y, w, coef, intercept):
    """List of ((k, j), c) with k <= j: block (k, j) is ``X.T diag(c) X``."""
    K = coef.shape[0]
    if code == SQUARED:
        curvatures = _scalar_curvatures(code, params, None, y, w, K)
        return [((k, k), c) for k, c in enumerate(curvatures)]
    Z = linear_predictor(X, coef, intercept)
    if code == MULTINOMIAL:
        P = np.empty_like(Z)
        _softmax(Z, P)
        wP = w[:, None] * P
        return [((k, j), wP[:, k] * ((k == j) - P[:, j])) for k in range(K) for j in range(k, K)]
    return [((k, k), c) for k, c in enumerate(_scalar_curvatures(code, params, Z, y, w, K))]


def curvature(loss, X, y, weights, coef, intercept, params=()):
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
    code, params, y = _check_inputs(loss, X, y, weights, coef, intercept, params)
    if code == MULTINOMIAL:
        raise ValueError("The multinomial Hessian couples outputs: use hessp.")
    return _curvature_blocks(code, params, X, y, weights, coef, intercept)[0][1]


def hessian(loss, X, y, weights, coef, intercept, fit_intercept, params=()):
    """Hessian of ``sum_i weights[i] * l_i`` (no penalty).

    Parameters
    ----------
    loss : str
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
    params : array-like of float, default=()
        Parameters of the loss, as in :func:`loss_grad`.

    Returns
    -------
    H : ndarray of shape (p, p)
        Symmetric, in the layout of :class:`skunlearn._parameters.ParameterLayout`:
        p = K * (d + 1), or K * d without intercept, plus 1 for the scale of a
        scaled loss. Dense also for CSR X.
    """
    code, params, y = _check_inputs(loss, X, y, weights, coef, intercept, params)
    layout = ParameterLayout(*coef.shape, fit_intercept, loss in SCALED)
    H = np.zeros((layout.n_params,) * 2)
    if layout.scale:
        _scale_hessian(H, layout, loss, X, y, weights, coef, intercept, params)
    done = {}  # outputs of a squared loss share one curvature vector
    for (k, j), c in _curvature_blocks(code, params, X, y, weights, coef, intercept):
        if id(c) not in done:
            col = np.asarray(X.T @ c) if fit_intercept else None
            done[id(c)] = (_gram(X, c), col, c.sum())
        G, col, total = done[id(c)]
        rk, rj = layout.coef_slice(k), layout.coef_slice(j)
        H[rk, rj] = G
        H[rj, rk] = G
        if fit_intercept:
            ik, ij = layout.intercept_index(k), layout.intercept_index(j)
            H[rk, ij] = H[ij, rk] = col
            H[rj, ik] = H[ik, rj] = col
            H[ik, ij] = H[ij, ik] = total
    return H


def _scale_hessian(H, layout, loss, X, y, w, coef, intercept, params):
    """Fill the scale's row and column of ``H`` (the last ones)."""
    _, c_zs, c_ss = scale_rows(loss, X, y, w, coef, intercept, params)
    H[layout.coef_slice(0), -1] = H[-1, layout.coef_slice(0)] = np.asarray(X.T @ c_zs).ravel()
    H[layout.intercept_slice, -1] = H[-1, layout.intercept_slice] = c_zs.sum()
    H[-1, -1] = c_ss.sum()


def _directional_curvature(code, params, X, y, w, coef, intercept, V, b):
    """Rows T (n, K) with ``T_i = H_i(z_i) @ (V @ x_i + b)``."""
    K = coef.shape[0]
    if code == SQUARED:
        T = linear_predictor(X, V, b)
        T *= 2.0 * w[:, None]
        return T
    ZU = linear_predictor(X, np.vstack([coef, V]), np.concatenate([intercept, b]))
    Z, U = ZU[:, :K], ZU[:, K:]
    if code == MULTINOMIAL:
        P = np.empty_like(Z)
        _softmax(Z, P)
        PU = P * U
        return w[:, None] * (PU - P * PU.sum(axis=1, keepdims=True))
    return np.column_stack(_scalar_curvatures(code, params, Z, y, w, K)) * U


def hessp(loss, X, y, weights, coef, intercept, fit_intercept, v, params=()):
    """Hessian-vector product of ``sum_i weights[i] * l_i``, matrix-free.

    Two passes over X: ``X @ [coef; V].T``, then ``X.T @ T``.

    Parameters
    ----------
    loss, X, y, weights, coef, intercept, fit_intercept
        As in :func:`hessian`.
    v : ndarray of shape (p,)
        Direction, in the layout of ``theta``.
    params : array-like of float, default=()
        Parameters of the loss, as in :func:`loss_grad`.

    Returns
    -------
    Hv : ndarray of shape (p,)
        ``hessian(...) @ v``.
    """
    code, params, y = _check_inputs(loss, X, y, weights, coef, intercept, params)
    layout = ParameterLayout(*coef.shape, fit_intercept, loss in SCALED)
    v = np.asarray(v, dtype=np.float64)
    V, b = layout.unpack(v)
    T = _directional_curvature(code, params, X, y, weights, coef, intercept, V, b)
    scale = None
    if layout.scale:  # T += c_zs * v_sigma; the scale's entry is c_zs @ u + sum(c_ss) v_sigma
        _, c_zs, c_ss = scale_rows(loss, X, y, weights, coef, intercept, params)
        u = linear_predictor(X, V, b)[:, 0]
        scale = c_zs @ u + c_ss.sum() * v[-1]
        T[:, 0] += c_zs * v[-1]
    grad_coef = np.asarray(X.T @ T).T if sp.issparse(X) else T.T @ X
    return layout.pack(grad_coef, T.sum(axis=0), scale)
