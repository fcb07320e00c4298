"""Canonical finalization: a solution whose bits depend on the rows, not on the solver's path.

Two iterative solves of the same problem (a fit on the remaining rows, and a fit
on more rows followed by an unlearning) stop at points that agree to the
solver's noise but not bit for bit, and those low-order bits carry the path:
replaying a fit and an unlearning for each candidate row would single out the
forgotten one. Both therefore end the same way:

1. :func:`round_to_grid` rounds ``theta`` to one exponent-aligned grid,
   ``2^-26 * 2^floor(log2 max|u|)`` in the scaled coordinates ``u = theta *
   scale`` (``scale``: each coefficient's feature root-mean-square, from
   :func:`coordinate_scales`, so that the rounding moves every coordinate's
   effect on the predictions by the same relative amount even when features
   differ in scale by orders of magnitude), so that two runs within solver
   noise of the same optimum land on the same point ``theta_c`` unless a
   coordinate lies within that noise of a grid boundary (see below);
2. from ``theta_c`` one more step of the same solver runs on the stored rows
   (one exact Newton step; for Ridge without Gram statistics, conjugate
   gradients), which restores full precision (Newton converges
   quadratically: ``theta_c`` is within ``2^-27`` relative of the optimum, so
   the step lands at rounding level).

Before rounding, :func:`canonical_newton_step` polishes ``theta`` with one
chord step, so that the two runs agree to rounding level rather than to the
solvers' tolerance where the rounding decides.

Everything after the rounding is a deterministic function of ``theta_c`` and the
stored rows in their order. Two histories give different bits only when the
rounding differs, which needs a coordinate within the solvers' disagreement
(about ``1e-15`` relative after the polish) of a grid boundary: a probability
of about ``2 * noise / grid`` per coordinate (see the README for the measured
rate). Bit-for-bit equality also assumes the same BLAS and numba thread counts
for both computations.
"""

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg
from threadpoolctl import threadpool_limits

from ._budget import dense_hessian_fits

__all__ = ["GRID_BITS", "canonical_newton_step", "coordinate_scales", "round_to_grid"]

GRID_BITS = 26
_CG_RTOL = 1e-12


def round_to_grid(theta, scale=None, gauge=None):
    """``theta`` rounded to one exponent-aligned grid in scaled coordinates.

    With ``u = theta * scale`` (``scale``: a positive size per coordinate,
    such as its feature's root-mean-square, so that ``u`` measures each
    coordinate's effect on the predictions), coordinate ``j`` is rounded to
    the largest power of two below ``2^(floor(log2 max|u|) - GRID_BITS) /
    scale[j]``: one grid for ``u``, exact in ``theta``. Without ``scale``
    this is the grid ``2^(floor(log2 max|theta|) - 26)`` for every coordinate.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
    scale : ndarray of shape (n_params,), default=None
        Positive; all ones when None.
    gauge : slice, default=None
        Coordinates (multinomial intercepts) defined up to a common shift:
        centred before rounding (so that runs that differ only along the gauge
        round alike) and after (so that the rounded point keeps their zero sum).

    Returns
    -------
    theta_c : ndarray of shape (n_params,)
        A new array; all zeros when ``theta`` is.

    Examples
    --------
    >>> import numpy as np
    >>> a = round_to_grid(np.array([1.0, 0.1 + 1e-12]))
    >>> b = round_to_grid(np.array([1.0, 0.1 - 1e-12]))
    >>> bool(np.array_equal(a, b)), float(abs(a[1] - 0.1)) < 2.0**-26
    (True, True)
    >>> fine = round_to_grid(np.array([1.0, 3e-7]), scale=np.array([1.0, 1e6]))
    >>> float(abs(fine[1] - 3e-7)) < 1e-14
    True
    """
    theta = np.array(theta, dtype=np.float64)
    if gauge is not None:  # two runs may differ along the gauge; the rounding must not see it
        theta[gauge] -= np.mean(theta[gauge])
    scale = np.ones_like(theta) if scale is None else np.asarray(scale, dtype=np.float64)
    top = float(np.max(np.abs(theta * scale), initial=0.0))
    if top == 0.0 or not np.isfinite(top):
        return np.array(theta, copy=True)
    grid = np.ldexp(1.0, int(np.frexp(top)[1]) - 1 - GRID_BITS) / scale
    grid = np.ldexp(1.0, np.frexp(grid)[1] - 1)
    theta_c = np.round(theta / grid) * grid
    if gauge is not None:
        theta_c[gauge] -= np.mean(theta_c[gauge])
    return theta_c


def coordinate_scales(X, weights, n_outputs, n_intercepts):
    """Weighted root-mean-square of each column of ``X`` per coefficient, 1 per intercept.

    The scale of :func:`round_to_grid` for a linear model: a coefficient moves
    the predictions by its size times its feature's typical magnitude.
    Columns that are zero (or weights that are) get 1.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    weights : ndarray of shape (n_samples,)
        Non-negative row weights.
    n_outputs : int
        Coefficient rows ``K`` (the scales of a column repeat for each).
    n_intercepts : int
        Intercepts at the end of ``theta`` (0 or ``K``).

    Returns
    -------
    scale : ndarray of shape (K * n_features + n_intercepts,)

    Examples
    --------
    >>> import numpy as np
    >>> coordinate_scales(np.array([[3.0, 0.0], [-3.0, 0.0]]), np.ones(2), 1, 1)
    array([3., 1., 1.])
    """
    weights = np.abs(weights)
    total = float(np.sum(weights))
    if sp.issparse(X):
        squares = np.asarray(X.power(2).T @ weights).ravel()
    else:
        squares = np.einsum("i,ij,ij->j", weights, X, X)
    rms = np.sqrt(squares / total) if total > 0 else np.zeros(X.shape[1])
    rms[~(rms > 0) | ~np.isfinite(rms)] = 1.0
    return np.concatenate([np.tile(rms, n_outputs), np.ones(n_intercepts)])


def canonical_newton_step(objective, theta, value_grad=None):
    """Polish ``theta``, round it to the grid, then take one Newton step from there.

    ``theta`` (any converged solution) is first polished by one Newton step
    with the Hessian at its own rounded point (a chord step: its Hessian is
    within ``2^-27`` relative of the one at ``theta``), which brings two
    solutions that agree to the solvers' tolerance together to rounding
    level; the polished point is then rounded to ``theta_c``, and the
    canonical solution is one Newton step from ``theta_c`` with the Hessian at
    ``theta_c`` (the same evaluation, unless the polish moved the rounding).
    Cholesky while the Hessian fits :func:`dense_hessian_fits`, else
    conjugate gradients on Hessian-vector products to ``1e-12`` (BLAS on one
    thread). Costs one Hessian evaluation (rarely two) and three gradient
    passes (two when ``value_grad`` is given).

    Parameters
    ----------
    objective : LinearObjective
        The objective over the stored rows, in their order.
    theta : ndarray of shape (n_params,)
        A converged solution (any solver, any starting point).
    value_grad : tuple of (float, ndarray), default=None
        The objective and its gradient at ``theta``, when known.

    Returns
    -------
    theta : ndarray of shape (n_params,)
        The canonical solution.
    theta_c : ndarray of shape (n_params,)
        The rounded point.
    loss_hessian : ndarray of shape (n_params, n_params) or None
        The loss Hessian (no penalty) at ``theta_c``; None on the matrix-free path.
    value, grad : float, ndarray of shape (n_params,)
        The objective and its gradient at the canonical ``theta``.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn._objective import LinearObjective
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2))
    >>> y = (X[:, 0] > 0).astype(float)
    >>> J = LinearObjective("logistic", X, y, np.ones(50), n_outputs=1,
    ...                     fit_intercept=True, l2=1.0)
    >>> near = canonical_newton_step(J, np.array([2.0, 0.1, -0.1]))[0]
    >>> a = canonical_newton_step(J, near + 1e-11)[0]
    >>> b = canonical_newton_step(J, near - 1e-11)[0]
    >>> bool(np.array_equal(a, b))
    True
    """
    gauge = slice(objective.n_coef, None) if objective._has_gauge else None
    layout = objective.layout
    scale = coordinate_scales(
        objective.X, objective.weights, layout.n_outputs, layout.n_params - layout.n_coef
    )
    grad = objective.value_grad(theta)[1] if value_grad is None else value_grad[1]
    first = round_to_grid(theta, scale, gauge)
    solve, loss_hessian = _newton_solver(objective, first)
    theta_c = round_to_grid(theta - solve(grad), scale, gauge)
    if not np.array_equal(theta_c, first):
        solve, loss_hessian = _newton_solver(objective, theta_c)
    final = theta_c - solve(objective.value_grad(theta_c)[1])
    value, grad = objective.value_grad(final)
    return final, theta_c, loss_hessian, value, grad


def _newton_solver(objective, theta):
    """``(g -> H^-1 g, loss Hessian or None)`` with the objective's Hessian at ``theta``."""
    if not dense_hessian_fits(objective.n_params):
        operator = objective.hessian_operator(theta)
        return (lambda g: _cg_solve(operator, g)), None
    loss_hessian = objective.loss_hessian(theta)
    H = objective.regularize(loss_hessian)
    try:
        factor = scipy.linalg.cho_factor(H, check_finite=False)
        return (lambda g: scipy.linalg.cho_solve(factor, g, check_finite=False)), loss_hessian
    except scipy.linalg.LinAlgError:
        return (lambda g: scipy.linalg.lstsq(H, g, check_finite=False)[0]), loss_hessian


@threadpool_limits.wrap(limits=1, user_api="blas")
def _cg_solve(matvec, grad):
    n = grad.shape[0]
    operator = scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec)
    return scipy.sparse.linalg.cg(operator, grad, rtol=_CG_RTOL, maxiter=10 * n)[0]
