"""Ridge for sparse or wide X: Gram statistics without densifying, or conjugate gradients.

:class:`~skunlearn.Ridge` picks its path in :func:`uses_gram`. The exact path
keeps the centred Gram statistics (a dense ``d x d`` matrix); for CSR input
they are computed from the sparse product ``X.T @ W X`` and the column means,
never from a dense copy of X. When the ``d x d`` matrix does not fit the
Hessian memory budget (:func:`~skunlearn._solvers.dense_hessian_fits`), or X is
sparse with more than :data:`SPARSE_GRAM_MAX_FEATURES` columns, Ridge keeps no
statistics and solves the normal equations by preconditioned conjugate
gradients (:func:`ridge_cg`), centring implicitly as scikit-learn does for
sparse input (the intercept is ``y_mean - coef @ x_mean``).
"""

import warnings

import numpy as np
import scipy.sparse as sp
from numba import njit
from sklearn.exceptions import ConvergenceWarning

from .. import _kernels
from ._budget import dense_hessian_fits
from ._gram import GramStatistics

__all__ = ["SPARSE_GRAM_MAX_FEATURES", "ridge_cg", "ridge_statistics", "uses_gram"]

# Above this many columns a sparse X is solved by CG: the dense d x d Gram
# matrix and its O(d^3) factorisation would cost more than CG passes over nnz.
SPARSE_GRAM_MAX_FEATURES = 1000
CG_RTOL = 1e-14


def uses_gram(X):
    """Whether Ridge keeps exact Gram statistics for ``X`` (else it uses CG).

    True when the dense ``d x d`` matrix fits the Hessian memory budget and X
    is dense or has at most :data:`SPARSE_GRAM_MAX_FEATURES` columns.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> uses_gram(np.zeros((5, 3))), uses_gram(sp.csr_matrix((5, 5000)))
    (True, False)
    """
    n_features = X.shape[1]
    if not dense_hessian_fits(n_features + 1):
        return False
    return not sp.issparse(X) or n_features <= SPARSE_GRAM_MAX_FEATURES


def ridge_statistics(X, Y, sample_weight, centered):
    """Gram statistics of the rows (dense or CSR X), or None on the CG path.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,)
    centered : bool
        Centre at the weighted means (a fitted intercept).

    Returns
    -------
    statistics : GramStatistics or None

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    >>> Y, w = np.ones((3, 1)), np.ones(3)
    >>> dense = ridge_statistics(X, Y, w, True)
    >>> sparse = ridge_statistics(sp.csr_matrix(X), Y, w, True)
    >>> bool(np.allclose(dense.xx, sparse.xx))
    True
    """
    if not uses_gram(X):
        return None
    return GramStatistics.from_rows(X, Y, sample_weight, centered)


def _means(X, Y, sample_weight, weight, centered):
    if not centered or weight <= 0:
        return np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    return np.asarray(X.T @ sample_weight) / weight, sample_weight @ Y / weight


@njit(cache=True)
def _csr_weighted_squares(data, indices, indptr, w, out):
    for i in range(indptr.shape[0] - 1):
        if w[i] != 0.0:
            for p in range(indptr[i], indptr[i + 1]):
                out[indices[p]] += w[i] * data[p] * data[p]


def _jacobi(X, sample_weight, weight, x_mean, alpha):
    """Diagonal of the centred, penalised normal matrix (kept positive)."""
    if sp.issparse(X):
        squares = np.zeros(X.shape[1])
        _csr_weighted_squares(X.data, X.indices, X.indptr, sample_weight, squares)
    else:
        squares = np.einsum("i,ij,ij->j", sample_weight, X, X)
    diag = squares - weight * x_mean**2 + alpha
    return np.maximum(diag, np.finfo(float).tiny + 1e-12 * max(float(diag.max()), 0.0))


class _NormalOperator:
    """``V -> (X - x_mean).T W (X - x_mean) V.T + alpha V`` with one fused pass over X."""

    def __init__(self, X, sample_weight, x_mean, alpha, n_targets):
        self.X, self.w, self.x_mean, self.alpha = X, sample_weight, x_mean, alpha
        self.zeros = np.zeros((X.shape[0], n_targets))
        self.no_intercept = np.zeros(n_targets)

    def __call__(self, V):
        grad, grad_b = np.empty_like(V), np.empty(V.shape[0])
        _kernels.loss_grad(
            "squared", self.X, self.zeros, self.w, V, self.no_intercept, grad, grad_b
        )
        return 0.5 * grad - np.outer(0.5 * grad_b, self.x_mean) + self.alpha * V

    def rhs(self, Y, y_mean):
        """``(X - x_mean).T W (Y - y_mean)``, transposed to (n_targets, n_features)."""
        grad, grad_b = np.empty((Y.shape[1], self.X.shape[1])), np.empty(Y.shape[1])
        zero = np.zeros_like(grad)
        _kernels.loss_grad("squared", self.X, Y, self.w, zero, y_mean, grad, grad_b)
        return -0.5 * grad


def _block_cg(apply, B, M, V, rtol, max_iter):
    """Jacobi-preconditioned CG on each row of ``A V = B`` in lockstep."""
    R = B - apply(V)
    Z = R / M
    P = Z.copy()
    rz = np.einsum("kj,kj->k", R, Z)
    target = rtol * np.linalg.norm(B, axis=1)
    for n_iter in range(max_iter):
        if np.all(np.linalg.norm(R, axis=1) <= target):
            return V, n_iter, True
        AP = apply(P)
        curvature = np.einsum("kj,kj->k", P, AP)
        step = np.divide(rz, curvature, out=np.zeros_like(rz), where=curvature > 0)
        V += step[:, None] * P
        R -= step[:, None] * AP
        Z = R / M
        rz_new = np.einsum("kj,kj->k", R, Z)
        beta = np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
        P = Z + beta[:, None] * P
        rz = rz_new
    return V, max_iter, bool(np.all(np.linalg.norm(R, axis=1) <= target))


def ridge_cg(X, Y, sample_weight, alpha, fit_intercept, coef0=None, rtol=CG_RTOL):
    """Ridge solution by conjugate gradients, without a ``d x d`` matrix or a copy of X.

    Minimises ``sum_i w_i ||y_i - coef x_i - intercept||^2 + alpha ||coef||^2``.
    With an intercept the problem is centred implicitly: the operator is
    ``X.T W X v - W x_mean (x_mean . v)``, the intercept ``y_mean - coef @
    x_mean``. Each iteration is one fused pass over X (dense or CSR) for all
    targets. From ``coef0`` (the current weights) this is Newton-CG on the
    quadratic retain objective: one Newton step, solved by CG.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,)
        Zero weights drop rows.
    alpha : float
    fit_intercept : bool
    coef0 : ndarray of shape (n_targets, n_features), default=None
        Starting point (zeros when None).
    rtol : float, default=1e-14
        Stop when every target's residual is below ``rtol`` times its
        right-hand side, in the Euclidean norm.

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(50, 3)), rng.normal(size=(50, 1))
    >>> coef, intercept = ridge_cg(X, Y, np.ones(50), 1.0, True)
    >>> Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    >>> exact = np.linalg.solve(Xc.T @ Xc + np.eye(3), Xc.T @ Yc).T
    >>> bool(np.allclose(coef, exact, rtol=1e-10))
    True
    """
    weight = float(np.sum(sample_weight))
    x_mean, y_mean = _means(X, Y, sample_weight, weight, fit_intercept)
    operator = _NormalOperator(X, sample_weight, x_mean, alpha, Y.shape[1])
    B = operator.rhs(Y, y_mean)
    M = _jacobi(X, sample_weight, weight, x_mean, alpha)
    V = np.zeros_like(B) if coef0 is None else np.array(coef0, dtype=np.float64, order="C")
    max_iter = max(1000, 2 * X.shape[1])
    coef, n_iter, converged = _block_cg(operator, B, M, V, rtol, max_iter)
    if not converged:
        warnings.warn(
            f"Conjugate gradients did not reach rtol={rtol} in {n_iter} iterations.",
            ConvergenceWarning,
            stacklevel=3,
        )
    intercept = y_mean - coef @ x_mean if fit_intercept else np.zeros(Y.shape[1])
    return np.ascontiguousarray(coef), intercept
