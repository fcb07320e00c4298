"""Leave-one-out errors of ridge regression for many penalties, from Gram statistics."""

import numpy as np
import scipy.linalg

__all__ = ["ridge_loo_errors"]


def ridge_loo_errors(stats, X, Y, sample_weight, alphas):
    """``sqrt(s_i) (y_i - y_hat_{-i})`` for every row, target and penalty (closed form).

    The leave-one-out residual of ridge regression is the residual over
    ``1 - h_i``, ``h_i`` the leverage of row ``i`` (Rifkin and Lippert 2007):
    with the centred Gram statistics ``xx = V diag(L) V^T`` decomposed once,
    ``h_i = s_i sum_j ((x_i - x_mean) v_j)^2 / (L_j + alpha) + s_i / sum(s)``
    (the last term for the intercept). These are the errors of scikit-learn's
    ``_RidgeGCV`` (rescaled by ``sqrt(s_i)`` as it does), whatever its
    ``gcv_mode``.

    Parameters
    ----------
    stats : GramStatistics
        Statistics of the rows (centred when there is an intercept).
    X : ndarray or CSR matrix of shape (n_rows, n_features)
        The rows.
    Y : ndarray of shape (n_rows, n_targets)
        Their targets.
    sample_weight : ndarray of shape (n_rows,)
        Their weights.
    alphas : sequence of float
        Positive penalties.

    Returns
    -------
    errors : ndarray of shape (n_alphas, n_rows, n_targets)
        Zero for rows of zero weight (whose leave-one-out fit is the full one).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn._solvers import GramStatistics
    >>> X, y = np.array([[0.0], [1.0], [2.0], [4.0]]), np.array([[0.0], [1.0], [1.0], [3.0]])
    >>> stats = GramStatistics.from_rows(X, y, np.ones(4), centered=True)
    >>> loo = ridge_loo_errors(stats, X, y, np.ones(4), [1e-12])[0, :, 0]
    >>> fit = np.polyfit(np.delete(X[:, 0], 3), np.delete(y[:, 0], 3), 1)
    >>> bool(np.isclose(loo[3], y[3, 0] - np.polyval(fit, 4.0)))
    True
    """
    eigenvalues, V = scipy.linalg.eigh(stats.xx)
    P = np.asarray(X @ V) - stats.x_mean @ V
    residual_basis = V.T @ stats.xy
    centred = Y - stats.y_mean
    intercept = sample_weight / stats.weight if stats.centered else 0.0
    root = np.sqrt(sample_weight)[:, None]
    errors = np.empty((len(alphas), *Y.shape))
    for k, alpha in enumerate(alphas):
        inverse = 1.0 / (eigenvalues + alpha)
        residual = centred - P @ (inverse[:, None] * residual_basis)
        leverage = sample_weight * ((P * P) @ inverse) + intercept
        errors[k] = root * residual / (1.0 - leverage)[:, None]
    return errors
