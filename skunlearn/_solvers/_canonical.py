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
import scipy.sparse.linalg
from threadpoolctl import threadpool_limits

from .._kernels import column_squares, single_threaded_blas
from .._penalties import l1_residual
from ._budget import dense_hessian_fits
from ._newton import _factor, _solve
from ._prox_newton import prox_newton, working_hessian

__all__ = [
    "GRID_BITS",
    "canonical_newton_step",
    "canonical_prox_newton_step",
    "coordinate_scales",
    "round_to_grid",
]

GRID_BITS = 26
_CG_RTOL = 1e-12
_FLAT_RTOL = 1e-12  # a Jacobi-scaled curvature below this: a direction the objective is flat along
_TIE_RTOL = 1e-7  # a zero coordinate whose |gradient| is this close to its L1 weight: a tie


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
    gauge : slice or list of slices, default=None
        Groups of coordinates each defined up to a common shift (multinomial
        intercepts; without a coefficient penalty, also each feature's
        coefficients across classes): each group is centred before rounding
        (so that runs that differ only along the gauge round alike) and after
        (so that the rounded point keeps its zero sums).

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
    groups = [gauge] if isinstance(gauge, slice) else (gauge or [])
    for group in groups:  # two runs may differ along the gauge; the rounding must not see it
        theta[group] -= np.mean(theta[group])
    scale = np.ones_like(theta) if scale is None else np.asarray(scale, dtype=np.float64)
    top = float(np.max(np.abs(theta * scale), initial=0.0))
    if top == 0.0 or not np.isfinite(top):
        return np.array(theta, copy=True)
    grid = np.ldexp(1.0, int(np.frexp(top)[1]) - 1 - GRID_BITS) / scale
    grid = np.ldexp(1.0, np.frexp(grid)[1] - 1)
    theta_c = np.round(theta / grid) * grid
    for group in groups:
        theta_c[group] -= np.mean(theta_c[group])
    return theta_c


def coordinate_scales(X, weights, n_outputs, n_intercepts, squares=None):
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
    squares : ndarray of shape (n_features,), default=None
        ``sum_i weights[i] * X[i, j]**2`` when known (then X is not read).

    Returns
    -------
    scale : ndarray of shape (K * n_features + n_intercepts,)

    Examples
    --------
    >>> import numpy as np
    >>> coordinate_scales(np.array([[3.0, 0.0], [-3.0, 0.0]]), np.ones(2), 1, 1)
    array([3., 1., 1.])
    """
    squares, total = _weighted_squares(X, weights, squares)
    rms = np.sqrt(squares / total) if total > 0 else np.zeros(X.shape[1])
    rms[~(rms > 0) | ~np.isfinite(rms)] = 1.0
    return np.concatenate([np.tile(rms, n_outputs), np.ones(n_intercepts)])


def _weighted_squares(X, weights, squares=None):
    """``(sum_i |w_i| x_ij^2 per column, sum_i |w_i|)``, the squares unless given; chunked
    rows reduce both where they live."""
    moments = getattr(X, "column_moments", None)
    if moments is not None:
        return moments(weights)
    weights = np.abs(weights)
    return column_squares(X, weights) if squares is None else squares, float(np.sum(weights))


def canonical_newton_step(objective, theta, value_grad=None, squares=None):
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
    thread).

    The Hessian evaluation also gives the objective's gradient at the
    rounded point (:meth:`LinearObjective.hessian_value_grad`: one fused pass
    over dense X), so the step costs one Hessian evaluation (rarely two) and
    no other pass when ``value_grad`` and ``squares`` are given; the value
    and gradient at the canonical solution are the second-order expansion
    from ``theta_c`` (exact to ``O(|step|^3)``, a step of ``2^-27`` relative:
    rounding level). On the matrix-free path they are evaluated (one pass).

    Parameters
    ----------
    objective : LinearObjective
        The objective over the stored rows, in their order.
    theta : ndarray of shape (n_params,)
        A converged solution (any solver, any starting point).
    value_grad : tuple of (float, ndarray), default=None
        The objective and its gradient at ``theta``, when known.
    squares : ndarray of shape (n_features,), default=None
        The column sums of ``objective.weights * X**2`` (for the rounding's
        :func:`coordinate_scales`), when known; only the powers of two of the
        scales matter, so sums within rounding of the exact ones give the
        same grid unless one lies at a power of two.

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
    squares : ndarray of shape (n_features,) or None
        The column sums of ``objective.weights * X**2`` from the Hessian
        evaluation at ``theta_c`` (None on the matrix-free path).

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
    gauge, scale = _gauge_groups(objective), _scales(objective, squares)
    grad = objective.value_grad(theta)[1] if value_grad is None else value_grad[1]
    first = round_to_grid(theta, scale, gauge)
    point = _NewtonPoint(objective, first)
    theta_c = round_to_grid(_off(theta - point.solve(grad), point.flat), scale, gauge)
    if not np.array_equal(theta_c, first):
        point = _NewtonPoint(objective, theta_c)
    final = theta_c - point.solve(point.grad)
    value, grad = point.expansion(final)
    return final, theta_c, point.loss_hessian, value, grad, point.squares


def canonical_prox_newton_step(objective, l1, theta, *, tol, max_iter, value_grad=None):
    """:func:`canonical_newton_step` for ``objective + sum_j l1[j] |theta_j|`` (L1, elastic-net).

    The composite objective is smooth on the *support* (the non-zero and the
    unpenalised coordinates) for fixed signs, so the Newton steps are taken
    there, the other coordinates held at zero: the polish on ``theta``'s
    support with the Hessian at its rounded point, then the rounding (which
    also sets coordinates below half a grid step to zero, so two runs agree
    on the support), then one Newton step on the rounded point's support with
    the Hessian there. When that step flips a sign or leaves the optimality
    condition violated by more than ``tol`` (a zero coordinate whose gradient
    exceeds its L1 weight: the rounded support was wrong), proximal Newton
    from the rounded point (:func:`~skunlearn._solvers.prox_newton`, ``tol``
    and ``max_iter``) finishes instead. Either way the result is a
    deterministic function of the rounded point and the rows, as in
    :func:`canonical_newton_step`.

    Parameters
    ----------
    objective : LinearObjective
        The smooth part (loss and ridge) over the stored rows, in their order.
    l1 : ndarray of shape (n_params,)
        L1 weight of each parameter.
    theta : ndarray of shape (n_params,)
        A converged solution.
    tol : float
        The fit's tolerance on the minimum-norm subgradient per unit row weight.
    max_iter : int
        Proximal Newton steps allowed to the fallback.
    value_grad : tuple of (float, ndarray), default=None
        The smooth objective and its gradient at ``theta``, when known.

    Returns
    -------
    theta, theta_c, loss_hessian, value, grad, squares
        As :func:`canonical_newton_step` (``value`` and ``grad`` of the smooth
        part; ``squares`` None: the support steps do not compute them).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn._objective import LinearObjective
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = (X[:, 0] > 0).astype(float)
    >>> J = LinearObjective("logistic", X, y, np.ones(60), n_outputs=1, fit_intercept=True)
    >>> l1 = np.array([5.0, 5.0, 5.0, 0.0])
    >>> near = canonical_prox_newton_step(J, l1, np.array([1.0, 0.1, 0.0, 0.0]),
    ...                                   tol=1e-12, max_iter=50)[0]
    >>> a = canonical_prox_newton_step(J, l1, near * (1 + 1e-12), tol=1e-12, max_iter=50)[0]
    >>> b = canonical_prox_newton_step(J, l1, near * (1 - 1e-12), tol=1e-12, max_iter=50)[0]
    >>> bool(np.array_equal(a, b)), int(np.count_nonzero(a[:3]))
    (True, 1)
    """
    gauge, scale = _gauge_groups(objective, l1), _scales(objective)
    grad = objective.value_grad(theta)[1] if value_grad is None else value_grad[1]
    first = round_to_grid(theta, scale, gauge)
    polished = _support_step(objective, l1, theta, grad, first, min_norm=True)[0]
    theta_c = round_to_grid(theta if polished is None else polished, scale, gauge)
    final, loss_hessian = _support_step(objective, l1, theta_c, objective.value_grad(theta_c)[1])
    value, grad = (np.nan, None) if final is None else objective.value_grad(final)
    total = max(abs(objective.total_weight), 1e-300)
    if final is None or np.max(np.abs(l1_residual(final, grad, l1)), initial=0.0) > tol * total:
        result = prox_newton(objective, l1, theta_c, tol=tol, max_iter=max_iter)
        final, (value, grad) = result.theta, objective.value_grad(result.theta)
    return final, theta_c, loss_hessian, value, grad, None


def _support_step(objective, l1, theta, grad, at=None, min_norm=False):
    """One Newton step of the composite objective on ``theta``'s support, signs fixed.

    The Hessian is evaluated at ``at`` (default: ``theta``); with ``min_norm``
    the step's end moves to the minimum-norm point of its flat set (see
    :func:`_off`), which may leave zero the coordinates whose gradient ties
    their L1 weight (on the boundary of the flat set) in the direction that
    keeps the tie. Returns ``(step's end or None when a sign flips, the loss
    Hessian at ``at`` or None)``.
    """
    at = theta if at is None else at
    tied = min_norm & (theta == 0.0) & (l1 > 0.0) & (np.abs(grad) >= (1 - _TIE_RTOL) * l1)
    support = np.flatnonzero((theta != 0.0) | (l1 == 0.0) | tied)
    if len(support) == 0:
        return np.zeros_like(theta), None
    if dense_hessian_fits(objective.n_params):
        loss_hessian = objective.loss_hessian(at)
        H = objective.regularize(loss_hessian)[np.ix_(support, support)]
    else:
        loss_hessian, H = None, working_hessian(objective, at, support, None)
    sign = np.where(tied, -np.sign(grad), np.sign(theta))[support]
    rhs = grad[support] + l1[support] * sign
    factor, flat = _flat_factor(H, objective.l2_diagonal[support] == 0.0)
    step_end = theta[support] - _solve(factor, rhs)
    tied = tied[support]
    step_end[tied & (sign * step_end < 0.0)] = 0.0
    end = np.zeros_like(theta)
    end[support] = _off(step_end, flat, sign * (l1[support] > 0)) if min_norm else step_end
    penalised = (l1[support] > 0) & ~tied
    if np.any(np.sign(end[support])[penalised] != sign[penalised]):
        return None, loss_hessian
    return end, loss_hessian


def _gauge_groups(objective, l1=None):
    """Coordinate groups defined up to a common shift (see :func:`round_to_grid`), or None.

    Multinomial intercepts; without any penalty on the coefficients (``C=inf``),
    each feature's coefficients across the classes too.
    """
    layout = objective.layout
    if not objective.spec.intercept_gauge:
        return None
    groups = [slice(layout.n_coef, None)] if layout.fit_intercept else []
    coef_penalty = objective.l2_diagonal[: layout.n_coef]
    if l1 is not None:
        coef_penalty = coef_penalty + l1[: layout.n_coef]
    if not np.any(coef_penalty):
        groups += [slice(j, layout.n_coef, layout.n_features) for j in range(layout.n_features)]
    return groups or None


def _scales(objective, squares=None):
    layout = objective.layout
    return coordinate_scales(
        objective.X, objective.weights, layout.n_outputs, layout.n_params - layout.n_coef, squares
    )


class _NewtonPoint:
    """The objective's Hessian (factored), value and gradient at one point."""

    def __init__(self, objective, theta):
        self.objective, self.theta = objective, theta
        self.loss_hessian = self.squares = self.flat = None
        if not dense_hessian_fits(objective.n_params):
            operator = objective.hessian_operator(theta)
            self.value, self.grad = objective.value_grad(theta)
            self.factor = operator
            return
        evaluation = objective.hessian_value_grad(theta)
        self.loss_hessian, self.value, self.grad, self.squares = evaluation
        self.H = objective.regularize(self.loss_hessian)
        self.factor, self.flat = _flat_factor(self.H, objective.l2_diagonal == 0.0)

    def solve(self, g):
        """``H^-1 g``: Cholesky (least squares when H is not positive definite), or
        conjugate gradients on the matrix-free path."""
        if self.loss_hessian is None:
            return _cg_solve(self.factor, g)
        return _solve(self.factor, g)

    def expansion(self, theta):
        """Value and gradient at ``theta`` (near this point): second-order expansion, or a
        pass on the matrix-free path."""
        if self.loss_hessian is None:
            return self.objective.value_grad(theta)
        step = theta - self.theta
        change = self.H @ step
        return self.value + float(self.grad @ step + 0.5 * step @ change), self.grad + change


def _flat_factor(H, free):
    """``(factor, flat)``: the factor of ``H`` and an orthonormal basis of its flat directions.

    The optima of a convex objective whose Hessian ``H`` is singular (collinear
    columns, such as one-hot columns beside an intercept, or duplicated ones)
    differ along its null space, so the path of a solve would show there.
    ``flat`` spans the null space of the Jacobi-scaled ``H`` on the coordinates
    ``free`` of ridge curvature (elsewhere a penalty curves every direction);
    None when the Cholesky pivots show no near-singularity (the common case:
    no eigendecomposition). ``factor`` is that of ``H`` plus its mean diagonal
    along ``flat``: positive definite, the same step off ``flat``.
    """
    factor = _factor(H)
    d = np.sqrt(np.maximum(np.diag(H), np.finfo(np.float64).tiny))
    matrix, is_cholesky = factor
    if not free.any() or (
        is_cholesky and np.min(np.abs(np.diag(matrix[0])) / d) ** 2 > _FLAT_RTOL
    ):
        return factor, None
    d = d[free]
    with single_threaded_blas():  # numba's threads own the cores (DEVELOPING, numba)
        values, vectors = scipy.linalg.eigh(H[np.ix_(free, free)] / np.outer(d, d))
        null = values <= _FLAT_RTOL * max(values[-1], 0.0)
        if not null.any():
            return factor, None
        flat = np.zeros((len(H), int(null.sum())))
        flat[free] = scipy.linalg.qr(vectors[:, null] / d[:, None], mode="economic")[0]
    return _factor(H + np.mean(np.diag(H)) * (flat @ flat.T)), flat


def _off(theta, flat, sign=None):
    """``theta`` without its component along ``flat`` (the minimum-norm point of its flat
    set), or as far towards it as the signs of the coordinates where ``sign`` is non-zero
    allow (one flat direction; with more, ``theta`` unchanged when a sign would flip)."""
    if flat is None:
        return theta
    shift = flat @ (flat.T @ theta)
    if sign is None or np.all(sign * (theta - shift) >= 0.0):
        return theta - shift
    if flat.shape[1] > 1:
        return theta
    v, a = flat[:, 0], float(flat[:, 0] @ theta)  # theta - t v keeps its signs for t in [lo, hi]
    rate, room = sign * v, sign * theta
    lo = np.max((room / rate)[rate < 0], initial=-np.inf)
    hi = np.min((room / rate)[rate > 0], initial=np.inf)
    return theta - float(np.clip(a, lo, hi)) * v


@threadpool_limits.wrap(limits=1, user_api="blas")
def _cg_solve(matvec, grad):
    n = grad.shape[0]
    operator = scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec)
    return scipy.sparse.linalg.cg(operator, grad, rtol=_CG_RTOL, maxiter=10 * n)[0]
