"""Hessian and Hessian-vector products of ``sum_i weights[i] * l_i``.

The parameter vector is laid out as documented in :mod:`skunlearn._parameters`.
Every (k, l) block of the Hessian is a weighted Gram matrix
``X.T @ diag(c_kl) @ X`` (plus its intercept row/column): numba kernels compute
the per-row curvature ``c_kl``, BLAS (dense, a weighted ``syrk``) or scipy (CSR)
the d x d products.

For dense X, a single output, non-negative weights and a loss without scale
whose curvature is non-negative (binary logistic, exponential and squared
hinge losses, single-target squared loss, Tweedie deviances of power in
[1, 2] with non-negative targets) the Hessian is built in one fused pass
(:func:`hessian_value_grad`): each thread takes blocks of rows that fit its
cache, computes their margins, curvatures, loss and gradient, scales them by
``sqrt(c)`` with a column of ``sqrt(c)`` for the intercept, and adds their
rank-k update with BLAS ``dsyrk`` called from the kernel (:mod:`._syrk`), so
the loss, its gradient and the column sums of ``weights * X**2`` come with
the Hessian at no extra pass.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit, prange
from scipy.linalg.blas import dsyrk

from .._parameters import ParameterLayout
from ._config import NJIT, NJIT_PARALLEL, PARALLEL_MIN_SIZE, n_threads
from ._loss_grad import _check_inputs, _row_bounds, linear_predictor, loss_grad
from ._points import (
    EXPONENTIAL,
    LOGISTIC,
    MULTINOMIAL,
    SCALED,
    SQUARED,
    SQUARED_HINGE,
    TWEEDIE,
    point,
    weighted_curvature,
)
from ._rows import _dense_add, _dense_dot
from ._scale import scale_rows
from ._syrk import _UPPER_NOTRANS, single_threaded_blas, syrk_rows

# Elements per syrk block of rows, so the scaled copy of X stays around 32 MB.
_GRAM_BLOCK = 1 << 22
# Bytes of one block of scaled rows in the fused build: it stays in the L2
# cache of the thread that prepares it and computes its rank-k update.
_FUSED_BLOCK_BYTES = 1 << 19


@njit(**NJIT)
def _scaled_block(code, params, X, y, w, coef, intercept, with_intercept, A, grad_coef, squares):
    """``A[i] = sqrt(c_i) [x_i, 1]``; returns the loss and intercept gradient of the rows,
    accumulating their coefficient gradient and column sums of ``w x^2``."""
    d = X.shape[1]
    loss, grad_b = 0.0, 0.0
    for i in range(X.shape[0]):
        z = intercept[0] + _dense_dot(X, i, coef, 0)
        root = np.sqrt(weighted_curvature(code, params, z, y[i], w[i]))
        if w[i] != 0.0:
            value, slope = point(code, params, z, y[i])
            loss += w[i] * value
            grad_b += w[i] * slope
            _dense_add(w[i] * slope, X, i, grad_coef, 0)
        for j in range(d):
            squares[j] += w[i] * X[i, j] * X[i, j]
            A[i, j] = root * X[i, j]
        if with_intercept:
            A[i, d] = root
    return loss, grad_b


@njit(**NJIT)
def _fused_chunk(
    code, params, X, y, w, coef, intercept, with_intercept, A, H, grad_coef, squares, flags
):
    """The rows of X in blocks of ``A.shape[0]``: ``H += A^T A`` per block (lower
    triangle); returns ``(loss, intercept gradient)``."""
    loss, grad_b = 0.0, 0.0
    for lo in range(0, X.shape[0], A.shape[0]):
        hi = min(X.shape[0], lo + A.shape[0])
        part, part_b = _scaled_block(
            code,
            params,
            X[lo:hi],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            with_intercept,
            A,
            grad_coef,
            squares,
        )
        loss += part
        grad_b += part_b
        syrk_rows(A, hi - lo, H, flags)
    return loss, grad_b


@njit(**NJIT_PARALLEL)
def _fused_parallel(
    code,
    params,
    X,
    y,
    w,
    coef,
    intercept,
    with_intercept,
    block,
    bounds,
    H,
    grad,
    squares,
    out,
    flags,
):
    for c in prange(bounds.shape[0] - 1):
        lo, hi = bounds[c], bounds[c + 1]
        A = np.empty((block, H.shape[1]))
        out[c, 0], out[c, 1] = _fused_chunk(
            code,
            params,
            X[lo:hi],
            y[lo:hi],
            w[lo:hi],
            coef,
            intercept,
            with_intercept,
            A,
            H[c],
            grad[c],
            squares[c],
            flags,
        )


def _nonnegative_curvature(code, params, y):
    """Whether every row's curvature is >= 0 under non-negative weights (so ``sqrt(c)``
    scales it): the Tweedie deviance only for powers in [1, 2] and targets >= 0."""
    if code == TWEEDIE:
        return 1.0 <= params[0] <= 2.0 and bool(np.all(y >= 0.0))
    return code in (SQUARED, LOGISTIC, EXPONENTIAL, SQUARED_HINGE)


def _fused_eligible(loss, code, params, X, y, coef, weights):
    """Whether the one-pass dense build applies: one output, non-negative weights and
    curvatures, and no scale (a scaled loss's Hessian has a row the pass does not build)."""
    return (
        not sp.issparse(X)
        and loss not in SCALED
        and coef.shape[0] == 1
        and _nonnegative_curvature(code, params, y)
        and bool(np.all(weights >= 0.0))
    )


def _fused_dense(code, params, X, y, weights, coef, intercept, fit_intercept):
    """``(H, value, grad_coef, grad_intercept, squares)`` of dense rows in one pass."""
    n, d = X.shape
    p = d + int(fit_intercept)
    chunks = max(1, min(n_threads(), n)) if X.size >= PARALLEL_MIN_SIZE else 1
    bounds = _row_bounds(X, chunks)
    H = np.zeros((chunks, p, p))
    grad, squares = np.zeros((chunks, 1, d)), np.zeros((chunks, d))
    out = np.zeros((chunks, 2))
    block = max(1, min(n, _FUSED_BLOCK_BYTES // (8 * p)))
    args = (code, params, X, y, weights, coef, intercept, fit_intercept)
    with single_threaded_blas():
        if chunks == 1:
            A = np.empty((block, p))
            out[0] = _fused_chunk(*args, A, H[0], grad[0], squares[0], _UPPER_NOTRANS)
        else:
            _fused_parallel(*args, block, bounds, H, grad, squares, out, _UPPER_NOTRANS)
    H = H.sum(axis=0)
    H = np.tril(H) + np.tril(H, -1).T
    value, grad_b = out.sum(axis=0)
    return H, float(value), grad.sum(axis=0), np.array([grad_b]), squares.sum(axis=0)


def column_squares(X, weights):
    """``sum_i weights[i] * X[i, j]**2`` for each column (dense or CSR X)."""
    if sp.issparse(X):
        return np.asarray(X.power(2).T @ weights).ravel()
    return np.einsum("i,ij,ij->j", weights, X, X)


def hessian_value_grad(loss, X, y, weights, coef, intercept, fit_intercept, params=()):
    """Hessian, value and gradient of ``sum_i weights[i] * l_i``; column sums of ``weights X^2``.

    One fused pass over dense X for a single output, non-negative weights
    and curvatures and no scale (:func:`_fused_eligible`); otherwise
    :func:`hessian`, :func:`loss_grad` and one more pass.

    Parameters
    ----------
    loss, X, y, weights, coef, intercept, fit_intercept, params
        As in :func:`hessian`.

    Returns
    -------
    H : ndarray of shape (p, p)
        As :func:`hessian` returns it.
    value : float
        As :func:`loss_grad` returns it.
    grad_coef : ndarray of shape (K, n_features)
    grad_intercept : ndarray of shape (K,)
        Gradient in the linear predictor's parameters (zeros for the intercept
        when it is not a parameter; a scaled loss's scale entry is
        :func:`._scale.scale_rows`'s first output, summed).
    squares : ndarray of shape (n_features,)
        ``sum_i weights[i] * X[i, j]**2``.
    """
    code, params, y_kernel = _check_inputs(loss, X, y, weights, coef, intercept, params)
    if _fused_eligible(loss, code, params, X, y_kernel, coef, weights):
        args = (code, params, X, y_kernel, weights, coef, intercept, fit_intercept)
        return _fused_dense(*args)
    H = hessian(loss, X, y, weights, coef, intercept, fit_intercept, params)
    grad_coef, grad_intercept = np.empty_like(coef), np.empty_like(intercept)
    value = loss_grad(
        loss, X, y, weights, coef, intercept, grad_coef, grad_intercept, params=params
    )
    return H, value, grad_coef, grad_intercept, column_squares(X, weights)


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
    if _fused_eligible(loss, code, params, X, y, coef, weights):
        return _fused_dense(code, params, X, y, weights, coef, intercept, fit_intercept)[0]
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
