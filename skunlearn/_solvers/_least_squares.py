"""Least squares: the one solve behind every least-squares model's ``fit``, refit and unlearning.

``sum_i w_i ||y_i - coef x_i - intercept||^2 + sum_k alpha_k ||coef_k||^2``
(``alpha`` per target; ``+ 2 l1 ||coef||_1`` for the elastic net), solved by
the most accurate method that applies (Ridge, LinearRegression,
RidgeClassifier, RidgeCV, Lasso, ElasticNet and the ``newton`` unlearner all
call :func:`ridge_solve`):

- Cholesky on the centred Gram statistics (:class:`~skunlearn._solvers.GramStatistics`) while the
  system is well conditioned: its reciprocal condition number (LAPACK
  ``dpocon``) at least :data:`RCOND_MIN`;
- otherwise a rank-revealing solve on the rows: the SVD of the weighted,
  centred rows with singular values below ``max(n, d) eps s_max`` discarded
  (the minimum-norm solution when ``alpha = 0`` and the problem is
  rank-deficient, as :func:`numpy.linalg.pinv`), or LSQR on the implicitly
  centred rows when a sparse X is too large to densify (from zero, also the
  minimum-norm solution);
- conjugate gradients on the rows (:func:`ridge_cg`) without Gram statistics,
  or when an iterative method is asked for (``tol`` and ``max_iter`` honoured);
- with ``coef >= 0``, non-negative least squares (Lawson-Hanson,
  :func:`scipy.optimize.nnls`) on the Cholesky factor of the Gram system: the
  exact constrained optimum;
- with ``alpha = 0`` and a cut-off ``rcond`` (LinearRegression's ``tol``, the
  ``cond`` of :func:`scipy.linalg.lstsq`), the minimum-norm solution from the
  eigendecomposition of the Gram statistics, directions with singular value
  at or below ``rcond`` times the largest treated as zero;
- with an L1 term, warm-started coordinate descent on the Gram statistics
  (:func:`~skunlearn._solvers.elastic_net_cd`, ``positive`` honoured).

Rows held elsewhere (a chunked store's rows on dask workers or in files, see
:mod:`skunlearn.utils._chunked_rows`) are never gathered: they are solved from
their Gram statistics only, the rank-revealing solve then being the symmetric
eigendecomposition of the Gram matrix (eigenvalues below ``max(n, d) eps``
times the largest discarded, the rounding of an ``n``-row Gram sum), accurate
to the Gram matrix's precision (about half the digits of the SVD of the rows
when it is ill-conditioned).

Rows of zero weight (forgotten rows during ``unlearn``) take no part.
"""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg

from ._budget import HESSIAN_MEMORY_BUDGET
from ._coordinate_descent import elastic_net_cd
from ._gram import eigenvalue_cutoff
from ._ridge_cg import CG_RTOL, ridge_cg

__all__ = ["RCOND_MIN", "RidgeSolution", "ridge_solve"]

RCOND_MIN = 1e-8  # below it the Gram system would lose half the digits: solve on the rows


@dataclass(frozen=True)
class RidgeSolution:
    """Coefficients, intercepts and how they were computed.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)
    method : {"cholesky", "svd", "lsqr", "cg", "nnls", "lstsq", "cd"}
    n_iter : ndarray of shape (n_targets,) or int or None
        Iterations of an iterative method, per target (coordinate descent:
        its most sweeps over the targets).
    converged : bool
        False when an iterative method stopped at ``max_iter``.
    """

    coef: np.ndarray
    intercept: np.ndarray
    method: str
    n_iter: np.ndarray | None = None
    converged: bool = True


def ridge_solve(
    gram,
    X,
    Y,
    sample_weight,
    alpha,
    fit_intercept,
    *,
    method="auto",
    positive=False,
    l1=0.0,
    rcond=None,
    coef0=None,
    tol=CG_RTOL,
    max_iter=None,
):
    """Solve ridge least squares on rows ``(X, Y)``; see the module docstring.

    Parameters
    ----------
    gram : GramStatistics or None
        Statistics of the same rows and weights, when kept.
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets) or None
        None only with ``gram`` and an L1 term (coordinate descent reads the
        statistics alone).
    sample_weight : ndarray of shape (n_samples,)
    alpha : float or ndarray of shape (n_targets,)
    fit_intercept : bool
    method : {"auto", "svd", "iterative"}, default="auto"
        "auto": Cholesky with the rank-revealing fallback (CG without ``gram``);
        "svd": the rank-revealing solve; "iterative": conjugate gradients.
    positive : bool, default=False
        Constrain ``coef >= 0``.
    l1 : float, default=0.0
        L1 strength in the units of ``alpha`` (``l1 ||coef||_1`` added to half
        the objective above); positive: coordinate descent.
    rcond : float or None, default=None
        With ``alpha = 0``: the minimum-norm solution with this singular-value
        cut-off (None: Cholesky with the rank-revealing fallback, as for any
        ``alpha``).
    coef0 : ndarray of shape (n_targets, n_features), default=None
        Starting point of conjugate gradients or coordinate descent.
    tol, max_iter : float, int or None
        Relative residual and iteration cap of conjugate gradients; with
        ``l1``, the optimality tolerance and sweep cap of coordinate descent
        (:func:`~skunlearn._solvers.elastic_net_cd`).

    Returns
    -------
    solution : RidgeSolution

    Raises
    ------
    ValueError
        ``positive=True`` or an L1 term when the Gram statistics could not be
        kept.
    """
    n_targets = Y.shape[1] if gram is None else gram.xy.shape[1]
    alpha = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (n_targets,))
    if (positive or l1) and gram is None:
        what = "An L1 penalty" if l1 else "positive=True"
        raise ValueError(
            f"{what} needs the d x d Gram statistics, which do not fit the memory budget "
            "for this many features."
        )
    if l1:
        return _elastic_net(gram, alpha, l1, positive, coef0, tol, max_iter)
    if positive:
        return _nonnegative(gram, X, Y, sample_weight, alpha, fit_intercept)
    if method == "iterative" or (gram is None and method == "auto"):
        return _conjugate_gradients(
            X, Y, sample_weight, alpha, fit_intercept, coef0, tol, max_iter
        )
    if method == "auto" and rcond is not None and not np.any(alpha):
        return _minimum_norm(gram, rcond)
    if method == "auto":
        solution = _cholesky(gram, alpha)
        if solution is not None:
            return solution
    if _held_elsewhere(X):
        return _gram_eigen(gram, alpha, X.shape[0])
    return _rank_revealing(X, Y, sample_weight, alpha, fit_intercept)


def _held_elsewhere(X):
    """Whether ``X`` is a chunked store's rows (they reduce their own Gram statistics)."""
    return hasattr(X, "gram_statistics")


def _gram_root(A, n_rows):
    """``(V, s)``: eigenvectors and eigenvalues of the symmetric ``A`` (a Gram sum over
    ``n_rows`` rows) above its rounding, ``max(n_rows, d) eps s_max``."""
    s, V = scipy.linalg.eigh(A, check_finite=False)
    keep = s > max(n_rows, len(s)) * np.finfo(np.float64).eps * s.max(initial=0.0)
    return V[:, keep], s[keep]


def _gram_eigen(gram, alpha, n_rows):
    """The rank-revealing solve on the Gram statistics (rows that cannot be gathered)."""
    V, s = _gram_root(gram.xx, n_rows)
    coef = (V @ ((V.T @ gram.xy) / (s[:, None] + alpha[None, :]))).T
    return RidgeSolution(
        np.ascontiguousarray(coef), _intercept((gram.x_mean, gram.y_mean), coef), "svd"
    )


def _intercept(gram_or_means, coef):
    x_mean, y_mean = gram_or_means
    return y_mean - coef @ x_mean


def _cholesky(gram, alpha):
    """Cholesky solve of each distinct ``alpha``; None when ill-conditioned."""
    coef = np.empty((len(alpha), gram.xx.shape[0]))
    for value in np.unique(alpha):
        A = gram.xx.copy()
        A[np.diag_indices_from(A)] += value
        norm = float(np.abs(A).sum(axis=0).max(initial=0.0))
        try:
            factor = scipy.linalg.cho_factor(A, check_finite=False)
        except scipy.linalg.LinAlgError:
            return None
        rcond, info = scipy.linalg.lapack.dpocon(factor[0], norm, uplo="L" if factor[1] else "U")
        if info != 0 or not rcond >= RCOND_MIN:
            return None
        targets = alpha == value
        coef[targets] = scipy.linalg.cho_solve(factor, gram.xy[:, targets]).T
    return RidgeSolution(coef, _intercept((gram.x_mean, gram.y_mean), coef), "cholesky")


def _centred_rows(X, Y, sample_weight, fit_intercept):
    """The weighted rows with positive weight, centred: ``sqrt(w) (X - x_mean)`` (X densified)."""
    live = sample_weight > 0
    w = sample_weight[live]
    X, Y = X[live], Y[live]
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    x_mean = w @ X / w.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = w @ Y / w.sum() if fit_intercept else np.zeros(Y.shape[1])
    root = np.sqrt(w)[:, None]
    return root * (X - x_mean), root * (Y - y_mean), (x_mean, y_mean)


def _rank_revealing(X, Y, sample_weight, alpha, fit_intercept):
    """SVD of the centred rows (LSQR for a sparse X too large to densify)."""
    n_live = int(np.count_nonzero(sample_weight > 0))
    if sp.issparse(X) and 8 * n_live * X.shape[1] > HESSIAN_MEMORY_BUDGET:
        return _lsqr(X, Y, sample_weight, alpha, fit_intercept)
    Xc, Yc, means = _centred_rows(X, Y, sample_weight, fit_intercept)
    U, s, Vt = scipy.linalg.svd(Xc, full_matrices=False, lapack_driver="gesdd")
    keep = s > max(Xc.shape) * np.finfo(np.float64).eps * s.max(initial=0.0)
    s = s[keep, None]
    shrink = s / (s**2 + alpha[None, :])
    coef = (Vt[keep].T @ (shrink * (U[:, keep].T @ Yc))).T
    return RidgeSolution(np.ascontiguousarray(coef), _intercept(means, coef), "svd")


def _lsqr(X, Y, sample_weight, alpha, fit_intercept):
    """LSQR on ``sqrt(w) (X - x_mean)``, implicitly centred, per target."""
    weight = float(sample_weight.sum())
    x_mean = np.asarray(X.T @ sample_weight).ravel() / weight if fit_intercept else None
    y_mean = sample_weight @ Y / weight if fit_intercept else np.zeros(Y.shape[1])
    root = np.sqrt(sample_weight)
    Xw = sp.diags(root) @ X

    def matvec(v):
        out = Xw @ v
        return out - root * (x_mean @ v) if fit_intercept else out

    def rmatvec(u):
        out = Xw.T @ u
        return out - x_mean * (root @ u) if fit_intercept else out

    operator = scipy.sparse.linalg.LinearOperator(X.shape, matvec, rmatvec)
    coef = np.empty((Y.shape[1], X.shape[1]))
    n_iter = np.empty(Y.shape[1], dtype=np.int32)
    for k in range(Y.shape[1]):
        rhs = root * (Y[:, k] - y_mean[k])
        result = scipy.sparse.linalg.lsqr(
            operator, rhs, damp=np.sqrt(alpha[k]), atol=1e-15, btol=1e-15, iter_lim=10 * X.shape[1]
        )
        coef[k], n_iter[k] = result[0], result[2]
    zero = np.zeros(X.shape[1])
    intercept = _intercept((zero if x_mean is None else x_mean, y_mean), coef)
    return RidgeSolution(coef, intercept, "lsqr", n_iter)


def _conjugate_gradients(X, Y, sample_weight, alpha, fit_intercept, coef0, tol, max_iter):
    """:func:`ridge_cg`, all targets in lockstep when they share ``alpha``."""
    groups = (
        [np.arange(len(alpha))] if np.all(alpha == alpha[0]) else np.arange(len(alpha))[:, None]
    )
    coef = np.empty((Y.shape[1], X.shape[1]))
    intercept = np.empty(Y.shape[1])
    n_iter = np.empty(Y.shape[1], dtype=np.int32)
    converged = True
    for targets in groups:
        start = None if coef0 is None else coef0[targets]
        coef[targets], intercept[targets], n_iter[targets], done = ridge_cg(
            X, Y[:, targets], sample_weight, alpha[targets[0]], fit_intercept, start, tol, max_iter
        )
        converged &= bool(done)
    return RidgeSolution(coef, intercept, "cg", n_iter, converged)


def _nonnegative(gram, X, Y, sample_weight, alpha, fit_intercept):
    """Non-negative least squares on the Cholesky factor (on the rows if singular)."""
    coef = np.empty((len(alpha), gram.xx.shape[0]))
    for k, value in enumerate(alpha):
        A = gram.xx.copy()
        A[np.diag_indices_from(A)] += value
        try:
            lower = scipy.linalg.cholesky(A, lower=True, check_finite=False)
        except scipy.linalg.LinAlgError:
            if _held_elsewhere(X):  # a square root of the Gram system: V^T A V = diag(s)
                V, s = _gram_root(A, X.shape[0])
                rows, rhs = np.sqrt(s)[:, None] * V.T, (V.T @ gram.xy[:, k]) / np.sqrt(s)
            else:
                Xc, Yc, _ = _centred_rows(X, Y, sample_weight, fit_intercept)
                rows, rhs = Xc, Yc[:, k]
            coef[k] = scipy.optimize.nnls(rows, rhs, maxiter=50 * rows.shape[1])[0]
            continue
        rhs = scipy.linalg.solve_triangular(lower, gram.xy[:, k], lower=True)
        coef[k] = scipy.optimize.nnls(lower.T, rhs, maxiter=50 * len(rhs))[0]
    return RidgeSolution(coef, _intercept((gram.x_mean, gram.y_mean), coef), "nnls")


def _minimum_norm(gram, rcond):
    """``pinv(xx) @ xy`` with the ``rcond`` cut-off: the minimum-norm least-squares solution."""
    eigenvalues, vectors = scipy.linalg.eigh(gram.xx)
    live = eigenvalues > eigenvalue_cutoff(eigenvalues, rcond)
    basis = vectors[:, live]
    coef = np.ascontiguousarray((basis @ ((basis.T @ gram.xy) / eigenvalues[live, None])).T)
    return RidgeSolution(coef, _intercept((gram.x_mean, gram.y_mean), coef), "lstsq")


def _elastic_net(gram, alpha, l1, positive, coef0, tol, max_iter):
    """Coordinate descent on the Gram statistics (one ridge strength for every target)."""
    if not np.all(alpha == alpha[0]):
        raise ValueError("An L1 penalty takes one ridge strength for every target.")
    options = {"positive": positive}
    if tol is not None:
        options["tol"] = tol
    if max_iter is not None:
        options["max_iter"] = max_iter
    coef, intercept, n_iter, converged = elastic_net_cd(gram, l1, alpha[0], coef0, **options)
    return RidgeSolution(coef, intercept, "cd", n_iter, converged)
