"""Centred Gram statistics of least squares, computed from rows (never downdated)."""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk

__all__ = ["GramStatistics", "eigenvalue_cutoff"]


_BLOCK_BYTES = 32 * 2**20


def _weighted_scatter(X, Y, sample_weight, x_mean, y_mean):
    """``(Xc^T W Xc, Xc^T W Yc, Yc^T W Yc)`` with ``Xc = X - x_mean``, in row blocks of 32 MiB.

    One pass over ``X`` with no full-size temporary; the symmetric part uses
    BLAS ``syrk`` (half the flops of a general product).
    """
    n, d = X.shape
    xx = np.zeros((d, d), order="F")
    xy = np.zeros((d, Y.shape[1]))
    yy = np.zeros((Y.shape[1], Y.shape[1]))
    unit = bool(np.all(sample_weight == 1.0))
    root = np.sqrt(sample_weight)
    step = max(1, _BLOCK_BYTES // (8 * max(d, 1)))
    buffer = np.empty((min(step, n), d))
    for lo in range(0, n, step):
        block = buffer[: min(step, n - lo)]
        np.subtract(X[lo : lo + step], x_mean, out=block)
        targets = Y[lo : lo + step] - y_mean
        if not unit:
            block *= root[lo : lo + step, None]
            targets *= root[lo : lo + step, None]
        xx = dsyrk(1.0, block.T, beta=1.0, c=xx, overwrite_c=1)
        xy += block.T @ targets
        yy += targets.T @ targets
    return np.triu(xx) + np.triu(xx, 1).T, xy, yy


@dataclass(frozen=True)
class GramStatistics:
    """Weighted sufficient statistics of ``(X, Y)`` for (ridge) least squares.

    ``xx``, ``xy`` and ``yy`` are the scatter matrices of the rows centred at
    their weighted means (or uncentred, with zero means, when ``centered`` is
    False). They are always computed from rows (:meth:`from_rows`), never
    updated by subtraction: after an unlearning they are recomputed from the
    remaining rows by the code ``fit`` runs, so they equal, bit for bit, the
    statistics of a fit on those rows in that order. Subtracting a forgotten
    row's share instead would leave history in the low-order bits (a
    fingerprint of the row) and cancel catastrophically when that row
    dominated the sums (an outlier, a large weight).

    Attributes
    ----------
    weight : float
        Sum of the row weights.
    x_mean : ndarray of shape (n_features,)
    y_mean : ndarray of shape (n_targets,)
    xx : ndarray of shape (n_features, n_features)
    xy : ndarray of shape (n_features, n_targets)
    centered : bool
    yy : ndarray of shape (n_targets, n_targets) or None
        None when not computed (the objective's value is then unknown).
    """

    weight: float
    x_mean: np.ndarray
    y_mean: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    centered: bool
    yy: np.ndarray | None = None

    # Warm-state protocol (skunlearn._warm_state): recomputed from the remaining
    # rows, so it describes them exactly and is kept for the next unlearn.
    retained_after_unlearn = True

    @classmethod
    def from_rows(cls, X, Y, sample_weight, centered):
        """Statistics of the rows of ``X`` (dense or CSR) and ``Y`` with the given weights.

        Dense X: one blocked pass with BLAS ``syrk`` on the centred rows.
        CSR X: the sparse product ``X.T @ W X`` minus the mean's outer product
        (no dense copy of X). Chunked rows (a dask cluster, files) reduce
        per-chunk statistics where they live (their ``gram_statistics``).
        """
        reduce = getattr(X, "gram_statistics", None)
        if reduce is not None:
            return cls(*reduce(Y, sample_weight, centered), centered)
        weight = float(np.sum(sample_weight))
        if centered and weight > 0:
            x_mean = np.asarray(X.T @ sample_weight).ravel() / weight
            y_mean = sample_weight @ Y / weight
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        if sp.issparse(X):
            Xw = X.copy()
            Xw.data *= np.repeat(sample_weight, np.diff(X.indptr))
            xx = np.asarray((X.T @ Xw).toarray()) - weight * np.outer(x_mean, x_mean)
            Yc = Y - y_mean
            xy = np.asarray(Xw.T @ Yc)
            yy = Yc.T @ (sample_weight[:, None] * Yc)
            return cls(weight, x_mean, y_mean, (xx + xx.T) / 2, xy, centered, yy)
        xx, xy, yy = _weighted_scatter(X, Y, sample_weight, x_mean, y_mean)
        return cls(weight, x_mean, y_mean, xx, xy, centered, yy)

    def valid_at(self, theta):
        """Always: least-squares statistics do not depend on the parameters."""
        return True

    def without(self, forget, remaining=None):
        """Statistics of the remaining rows, recomputed from them.

        Parameters
        ----------
        forget : LinearObjective
            The forgotten rows (nothing is subtracted: only its loss, which
            lays out the stored targets, is used).
        remaining : tuple of (X, y, sample_weight)
            The remaining rows, in their stored order, with stored targets.
        """
        X, y, sample_weight = remaining
        if not hasattr(y, "kernel_targets"):  # chunked least-squares targets are real values
            y = forget.spec.kernel_targets(y, forget.n_outputs)  # stored targets: kernel layout
        return self.from_rows(X, y, sample_weight, self.centered)

    def spectrum(self, rcond=None):
        """Singular values of the (centred, weighted) rows, largest first, and their rank.

        From the eigenvalues of ``xx``: accurate to about ``sqrt(eps)`` times
        the largest singular value. The rank counts those above ``rcond``
        times the largest (:func:`eigenvalue_cutoff`).
        """
        eigenvalues = scipy.linalg.eigvalsh(self.xx)
        singular = np.sqrt(np.clip(eigenvalues, 0.0, None))[::-1]
        return singular, int(np.count_nonzero(eigenvalues > eigenvalue_cutoff(eigenvalues, rcond)))

    def value_grad(self, coef, intercept):
        """``sum_i s_i ||y_i - coef x_i - intercept||^2`` and its gradient, from the statistics.

        Returns ``(value, grad_coef (n_targets, n_features), grad_intercept
        (n_targets,))``, in sample-weight units, without a penalty; the value
        needs ``yy``. ``O(d^2)``: no pass over the rows.
        """
        offset = intercept - self.y_mean + coef @ self.x_mean
        coef_xx = coef @ self.xx
        value = (
            np.trace(self.yy)
            - 2.0 * np.sum(coef * self.xy.T)
            + np.sum(coef_xx * coef)
            + self.weight * float(offset @ offset)
        )
        grad_coef = 2.0 * (coef_xx - self.xy.T + self.weight * np.outer(offset, self.x_mean))
        return float(value), grad_coef, 2.0 * self.weight * offset


def eigenvalue_cutoff(eigenvalues, rcond):
    """Eigenvalues of a Gram matrix at or below this are zero.

    ``rcond`` squared times the largest (singular values below ``rcond`` times
    the largest), and never below the rounding of the eigenvalues (``10 d
    eps`` times it); ``rcond=None`` is that floor alone.
    """
    rcond = 0.0 if rcond is None else rcond
    floor = 10.0 * len(eigenvalues) * np.finfo(np.float64).eps
    return max(rcond**2, floor) * max(eigenvalues.max(initial=0.0), 0.0)
