"""A global bound on the distance to the oracle for losses with an unpenalised intercept.

With ``J(u, b) = sum_i c_i l_i + (l2 / 2) ||u||^2`` (coefficients ``u``,
intercepts ``b``), ``f(u) = min_b J(u, b)`` is ``l2``-strongly convex (the
partial minimum of a convex function keeps the strong convexity in ``u``), so
``||u - u*|| <= ||grad f(u)|| / l2`` with ``grad f(u) = grad_u J(u, b(u))`` at
the best intercepts ``b(u)`` for ``u``. The intercept error then follows from
how ``b(.)`` moves (binary losses) or from the level set of ``J`` (multinomial
loss). Every quantity carries its rounding error.
"""

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
from scipy.special import logsumexp, softmax

from .._kernels import linear_predictor
from ._rounding import _UNIT, gradient_rounding_bound

__all__ = ["intercept_bound", "row_norms"]

_NEWTON_STEPS = 50


def row_norms(objective, intercept):
    """``||x_i||`` (with the intercept's 1 when asked) of every stored row."""
    X = objective.X
    if sp.issparse(X):
        squares = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        squares = np.einsum("ij,ij->i", X, X)
    return np.sqrt(squares + (1.0 if intercept else 0.0))


def intercept_bound(objective, theta):
    """Bound on ``||theta - theta*||`` (multinomial: intercepts compared centred); inf if none.

    Needs ``l2 > 0`` and every class present among the rows with non-zero
    weight (otherwise the best intercepts do not exist).
    """
    if objective.n_outputs == 1:
        return _binary_bound(objective, theta)
    return _multinomial_bound(objective, theta)


def _binary_bound(objective, theta):
    """``||grad_u J(u, b(u))|| <= ||grad_u J(u, b')|| + R |dJ/db(u, b')|`` because
    ``||d2J/du db|| <= R d2J/db2`` (``R = max_i ||x_i||``), and ``b(.)`` is
    ``R``-Lipschitz (``db/du`` is a curvature-weighted mean of the rows), so
    ``|b - b*| <= |b - b(u)| + R ||u - u*||``."""
    found = _best_binary_intercept(objective, theta[:-1], float(theta[-1]))
    if found is None:
        return np.inf
    b_best, width, grad, rounding = found
    R = float(row_norms(objective, False)[objective.weights != 0].max(initial=0.0))
    slope = abs(grad[-1]) + rounding[-1]
    coef_error = np.linalg.norm(grad[:-1]) + np.linalg.norm(rounding[:-1]) + R * slope
    coef_bound = float(coef_error) / objective.l2
    intercept_error = abs(theta[-1] - b_best) + width + R * coef_bound
    return float(np.hypot(coef_bound, intercept_error))


def _best_binary_intercept(objective, coef, start):
    """``(b', width, grad, rounding)``: the best intercept for ``coef`` is in ``b' +- width``.

    ``dJ/db`` increases with ``b``; its sign counts only beyond its rounding
    error. A bracket with certified signs is grown from ``start``, Brent's
    method finds the root, and ``width`` is doubled until the signs at
    ``b' +- width`` are certified. None when no bracket is found (no root:
    one class only, or the derivative drowns in rounding).
    """

    def slope(b):
        point = np.r_[coef, b]
        return objective.value_grad(point)[1], gradient_rounding_bound(objective, point)

    def sign(b):
        grad, rounding = slope(b)
        return np.sign(grad[-1]) if abs(grad[-1]) > rounding[-1] else 0.0

    lo, hi, step = start, start, 1.0
    while not (sign(lo) < 0 < sign(hi)):
        lo, hi, step = start - step, start + step, 2.0 * step
        if step > 2.0**64:
            return None
    b_best = scipy.optimize.brentq(lambda b: slope(b)[0][-1], lo, hi, xtol=1e-15)
    width = 4 * _UNIT * (1.0 + abs(b_best))
    while not (sign(b_best - width) < 0 < sign(b_best + width)):
        width *= 2.0
        if width > hi - lo:
            return None
    return (b_best, width, *slope(b_best))


def _multinomial_bound(objective, theta):
    """Coefficients by partial minimisation; intercepts from the level set ``J <= J(theta)``.

    For a row of class ``k`` and any class ``j``, ``l_i >= z_ij - z_ik``, so
    at the oracle ``b*_j - b*_k <= J(theta) / W_k + R ||u*_j - u*_k||`` with
    ``W_k`` the weight of class ``k``: a box for the centred oracle intercepts.
    """
    K, n_coef = objective.n_outputs, objective.n_coef
    live = objective.weights != 0
    class_weight = np.bincount(objective.y[live], objective.weights[live], minlength=K)
    if np.any(class_weight <= 0):
        return np.inf
    coef_bound = _multinomial_coef_bound(objective, theta, live)
    value = objective.value_grad(theta)[0]
    value += (np.count_nonzero(live) + K) * _UNIT * abs(value)
    coef = theta[:n_coef].reshape(K, -1)
    R = float(row_norms(objective, False)[live].max(initial=0.0))
    spread = np.linalg.norm(coef[:, None, :] - coef[None, :, :], axis=2)
    gap = value / class_weight[None, :] + R * (spread + np.sqrt(2.0) * coef_bound)
    np.fill_diagonal(gap, 0.0)  # gap[j, k] bounds b*_j - b*_k
    high, low = gap.sum(axis=1) / K, -gap.sum(axis=0) / K
    centred = theta[n_coef:] - theta[n_coef:].mean()
    intercept_error = np.maximum(np.abs(centred - low), np.abs(centred - high))
    return float(np.hypot(coef_bound, np.linalg.norm(intercept_error)))


def _multinomial_coef_bound(objective, theta, live):
    """``||u - u*|| <= (||grad_u J(u, b')|| + L |b(u) - b'|) / l2`` with ``b'`` from Newton
    steps, ``|b(u) - b'|`` from self-concordance in the intercepts (constant
    ``sqrt(2)``) and ``L = sum_i c_i ||x_i|| >= ||d2J/du db||``."""
    b_best = _best_multinomial_intercepts(objective, theta, live)
    point = np.r_[theta[: objective.n_coef], b_best]
    grad = objective.value_grad(point)[1]
    rounding = gradient_rounding_bound(objective, point)
    n_coef = objective.n_coef
    slope = np.linalg.norm(grad[n_coef:]) + np.linalg.norm(rounding[n_coef:])
    curvature = _intercept_curvature(objective, point, live)
    if not slope * np.sqrt(2.0) < curvature:
        return np.inf
    offset = -np.log1p(-np.sqrt(2.0) * slope / curvature) / np.sqrt(2.0)
    coupling = float(objective.weights[live] @ row_norms(objective, False)[live])
    coef_error = np.linalg.norm(grad[:n_coef]) + np.linalg.norm(rounding[:n_coef])
    return float(coef_error + coupling * offset) / objective.l2


class _InterceptProblem:
    """``J(u, b)`` as a function of the intercepts ``b`` alone, for fixed coefficients ``u``."""

    def __init__(self, objective, coef, live):
        K = objective.n_outputs
        self.Z = linear_predictor(objective.X[live], coef.reshape(K, -1), np.zeros(K))
        self.c = objective.weights[live]
        self.labels = objective.y[live]
        self.target = np.bincount(self.labels, self.c, minlength=K)

    def value(self, b):
        Z = self.Z + b
        return float(self.c @ (logsumexp(Z, axis=1) - Z[np.arange(len(Z)), self.labels]))

    def derivatives(self, b):
        """Gradient and Hessian with respect to ``b``."""
        P = softmax(self.Z + b, axis=1)
        mass = self.c @ P
        return mass - self.target, np.diag(mass) - (P * self.c[:, None]).T @ P


def _best_multinomial_intercepts(objective, theta, live):
    """Damped Newton steps on the intercepts for fixed coefficients (their sum kept)."""
    K, n_coef = objective.n_outputs, objective.n_coef
    problem = _InterceptProblem(objective, theta[:n_coef], live)
    gauge = np.full((K, K), 1.0 / K)
    b = np.array(theta[n_coef:], dtype=np.float64)
    value = problem.value(b)
    for _ in range(_NEWTON_STEPS):
        grad, hessian = problem.derivatives(b)
        scale = max(float(np.trace(hessian)), 1e-300)
        step = np.linalg.lstsq(hessian + scale * gauge, grad, rcond=None)[0]
        t, decrease = 1.0, float(grad @ step)
        while t > 1e-12 and not problem.value(b - t * step) <= value - 1e-4 * t * decrease:
            t *= 0.5
        if t <= 1e-12:
            break
        b = b - t * step
        value = problem.value(b)
        if np.linalg.norm(t * step) <= 1e-15 * (1.0 + np.linalg.norm(b)):
            break
    return b


def _intercept_curvature(objective, point, live):
    """``lambda_min`` of ``d2J/db2`` off the gauge direction, less its rounding error."""
    K, n_coef = objective.n_outputs, objective.n_coef
    problem = _InterceptProblem(objective, point[:n_coef], live)
    hessian = problem.derivatives(point[n_coef:])[1]
    basis = scipy.linalg.null_space(np.ones((1, K)))
    error = (np.count_nonzero(live) + 2 * K) * _UNIT * float(np.trace(hessian))
    return float(scipy.linalg.eigvalsh(basis.T @ hessian @ basis)[0]) - error
