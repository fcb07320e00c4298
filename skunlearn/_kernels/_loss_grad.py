"""Python-level dispatch of the fused loss/gradient kernels."""

import numpy as np
import scipy.sparse as sp

from . import _dense, _sparse
from ._config import PARALLEL_MIN_SIZE, n_threads
from ._points import CODES, MULTINOMIAL, N_PARAMS

LOSSES = tuple(CODES)


def row_kind(code, n_outputs):
    """Which chunk kernel serves a loss: "multinomial", "scalar" (K = 1) or "independent"."""
    if code == MULTINOMIAL:
        return "multinomial"
    return "scalar" if n_outputs == 1 else "independent"


def kernel_params(loss, params):
    """``params`` as the float64 array the kernels read; ValueError if too short."""
    params = np.ascontiguousarray(params, dtype=np.float64).reshape(-1)
    if params.shape[0] < N_PARAMS.get(loss, 0):
        raise ValueError(f"loss={loss!r} needs {N_PARAMS[loss]} parameter(s), got {params}.")
    return params


def _check_inputs(loss, X, y, weights, coef, intercept, params=()):
    """Cheap O(1) checks that keep wrong shapes and dtypes out of the kernels.

    Returns the loss code, its parameters (float64 array) and ``y`` in the
    layout of its chunk kernel.
    """
    if loss not in CODES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")
    params = kernel_params(loss, params)
    if sp.issparse(X):
        if X.format != "csr" or X.dtype != np.float64:
            raise ValueError("sparse X must be CSR with float64 data.")
    elif not (
        isinstance(X, np.ndarray)
        and X.dtype == np.float64
        and X.ndim == 2
        and X.flags.c_contiguous
    ):
        raise ValueError("dense X must be a C-contiguous float64 array of shape (n, d).")
    n, d = X.shape
    K = coef.shape[0]
    if coef.shape != (K, d) or intercept.shape != (K,) or weights.shape != (n,):
        raise ValueError("coef, intercept and weights must have shapes (K, d), (K,) and (n,).")
    code = CODES[loss]
    if loss == "multinomial":
        ok = y.shape == (n,) and y.dtype == np.int64 and K >= 1
    else:  # one independent loss per output: (n, K), or (n,) for K = 1
        ok = y.dtype == np.float64 and (y.shape == (n, K) or (y.shape == (n,) and K == 1))
        y = np.ascontiguousarray(y[:, 0]) if ok and y.ndim == 2 and K == 1 else y
    if not ok:
        raise ValueError(f"y of dtype {y.dtype} and shape {y.shape} does not fit loss={loss!r}.")
    return code, params, y


def _row_bounds(X, n_chunks):
    """Row boundaries of ``n_chunks`` chunks with about equal work (nnz for CSR)."""
    n = X.shape[0]
    if sp.issparse(X):
        targets = np.arange(n_chunks + 1, dtype=np.int64) * X.nnz // n_chunks
        bounds = np.searchsorted(X.indptr, targets).astype(np.int64)
        bounds[0], bounds[-1] = 0, n
        return bounds
    return np.arange(n_chunks + 1, dtype=np.int64) * n // n_chunks


def _use_parallel(parallel, size):
    if parallel is None:
        return size >= PARALLEL_MIN_SIZE and n_threads() > 1
    return bool(parallel)


def loss_grad(
    loss, X, y, weights, coef, intercept, grad_coef, grad_intercept, parallel=None, params=()
):
    """Weighted loss and its gradient in one fused pass over the rows of X.

    Parameters
    ----------
    loss : str
        Per-sample loss ``l_i`` of the linear predictor
        ``z_i = coef @ x_i + intercept`` (one of :data:`LOSSES`):
        ``sum_k (y_ik - z_ik)**2`` (no 1/2), ``log(1 + exp(-m))`` or
        ``exp(-m)`` with margin ``m = (2 y_i - 1) z_i0``,
        ``logsumexp(z_i) - z_{i, y_i}``, and the others of :mod:`._points`.
        A loss other than "multinomial" with K outputs is summed over them.
    X : ndarray of shape (n_samples, n_features) or CSR matrix/array
        float64; a dense X must be C-contiguous. Never modified or densified.
    y : ndarray of shape (n_samples, n_targets) or (n_samples,)
        int64 class indices in [0, K) for "multinomial" (not range-checked);
        otherwise float64 targets of shape (n, K), or (n,) when K = 1 (labels
        in {0, 1} for the binary losses).
    weights : ndarray of shape (n_samples,)
        float64 row weights; may be zero (the row is skipped) or negative.
    coef : ndarray of shape (K, n_features)
        float64, C-contiguous. K = 1 for the binary losses.
    intercept : ndarray of shape (K,)
        float64; zeros for a model without intercept.
    grad_coef : ndarray of shape (K, n_features)
        Output, overwritten with the gradient w.r.t. ``coef``.
    grad_intercept : ndarray of shape (K,)
        Output, overwritten with the gradient w.r.t. ``intercept``.
    parallel : bool or None, default=None
        Run the ``prange`` variant. None: when n * d (or nnz) >= 2e5 and numba
        has more than one thread.
    params : array-like of float, default=()
        Parameters of the loss (:data:`._points.N_PARAMS`): the Tweedie
        power, Huber's epsilon and scale.

    Returns
    -------
    value : float
        ``sum_i weights[i] * l_i``. Finite for any finite margin for the
        logistic and multinomial losses; the exponential loss returns inf when
        ``exp(-m)`` overflows.
    """
    code, params, y = _check_inputs(loss, X, y, weights, coef, intercept, params)
    for out, shape in ((grad_coef, coef.shape), (grad_intercept, intercept.shape)):
        if out.shape != shape or out.dtype != np.float64:
            raise ValueError("grad_coef and grad_intercept must be float64 like coef, intercept.")
    sparse = sp.issparse(X)
    serial, parallel_kernel = (_sparse if sparse else _dense).KERNELS[row_kind(code, len(coef))]
    if sparse:
        arrays = (code, params, X.data, X.indices, X.indptr, y, weights, coef, intercept)
        size = X.nnz
    else:
        arrays = (code, params, X, y, weights, coef, intercept)
        size = X.size
    if not _use_parallel(parallel, size):
        grad_coef.fill(0.0)
        grad_intercept.fill(0.0)
        return float(serial(*arrays, grad_coef, grad_intercept))
    bounds = _row_bounds(X, max(1, min(n_threads(), X.shape[0])))
    n_chunks = bounds.shape[0] - 1
    acc_coef = np.zeros((n_chunks,) + coef.shape)
    acc_intercept = np.zeros((n_chunks, coef.shape[0]))
    losses = np.zeros(n_chunks)
    parallel_kernel(*arrays, bounds, acc_coef, acc_intercept, losses)
    np.sum(acc_coef, axis=0, out=grad_coef)
    np.sum(acc_intercept, axis=0, out=grad_intercept)
    return float(losses.sum())


def linear_predictor(X, coef, intercept):
    """Linear predictor ``Z = X @ coef.T + intercept``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or CSR matrix/array
        float64 input; a sparse X is not densified.
    coef : ndarray of shape (K, n_features)
        Coefficients, one row per target or class.
    intercept : ndarray of shape (K,)
        Intercepts.

    Returns
    -------
    Z : ndarray of shape (n_samples, K)
        C-contiguous float64.
    """
    Z = np.ascontiguousarray(X @ np.asarray(coef).T, dtype=np.float64)
    Z += intercept
    return Z
