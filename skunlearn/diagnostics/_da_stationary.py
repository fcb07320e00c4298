"""The stationary point of the descent-ascent objective that descent-ascent heads for.

``L_DA = L_R - gamma mean_F loss`` is unbounded below whenever the ascent
term dominates along some direction [1]_; the search below follows
descent-ascent's own descent from the original weights and reports no
stationary point when the descent runs away.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

import numpy as np
import scipy.linalg

__all__ = ["STATIONARY_STEPS", "da_stationary_point"]

# The divergence bound of DescentAscent: ||w|| > _DIVERGENCE_FACTOR (1 + ||w_0||).
_DIVERGENCE_FACTOR = 1e4
# The Hessian of L_DA (a pass over the retain rows) is re-evaluated after a
# step that had to backtrack or that cut the gradient 4x (Newton's quadratic
# phase), and otherwise every _HESSIAN_REFRESH steps (a runaway descent needs
# no accuracy); where it is not positive definite, gradient steps are taken.
_HESSIAN_REFRESH = 5
# L_DA is in per-sample-mean units: a stationary point has a max-norm gradient
# below _STATIONARY_TOL (or below _ROUNDING_TOL when rounding stops Newton),
# and is searched for at most STATIONARY_STEPS steps from w_D.
_STATIONARY_TOL = 1e-11
_ROUNDING_TOL = 1e-6
STATIONARY_STEPS = 25


def da_stationary_point(retain, forget, theta0, hessian, learning_rate):
    """Local minimum of ``L_DA`` reached from ``theta0``, or None if the descent diverges.

    Newton steps while the Hessian of ``L_DA`` is positive definite, gradient
    steps of size ``learning_rate`` otherwise (as descent-ascent itself takes),
    each with Armijo backtracking. None when the iterates leave the divergence
    bound of :class:`~skunlearn.unlearners.DescentAscent` or no stationary
    point is reached within ``STATIONARY_STEPS`` steps.
    """
    theta = np.array(theta0, dtype=np.float64, copy=True)
    bound = _DIVERGENCE_FACTOR * (1.0 + np.linalg.norm(theta))
    with np.errstate(over="ignore", invalid="ignore"):
        return _descend(retain, forget, theta, hessian, learning_rate, bound)


def _descend(retain, forget, theta, hessian, learning_rate, bound):
    value, grad = _value_grad(retain, forget, theta)
    hessian = hessian + forget.hessian(theta)
    for iteration in range(STATIONARY_STEPS):
        step = None if hessian is None else _newton_direction(hessian, grad)
        newton_step = step is not None
        step = step if newton_step else learning_rate * grad
        t, candidate, new_value, new_grad = _line_search(
            retain, forget, theta, value, grad, step, bound
        )
        if t == 0.0:  # no decrease: a minimum up to rounding, or a numerical dead end
            near = float(np.max(np.abs(grad))) <= _ROUNDING_TOL
            return theta if newton_step and near else None
        if not np.isfinite(t):
            return None  # still descending beyond the divergence bound
        converging = np.linalg.norm(new_grad) < 0.25 * np.linalg.norm(grad)
        theta, value, grad = candidate, new_value, new_grad
        if float(np.max(np.abs(grad))) <= _STATIONARY_TOL:
            return theta
        if t < 1.0 or converging or iteration % _HESSIAN_REFRESH == _HESSIAN_REFRESH - 1:
            hessian = retain.hessian(theta) + forget.hessian(theta)
    return None


def _line_search(retain, forget, theta, value, grad, step, bound):
    """Armijo backtracking along ``-step``, then doubling while ``L_DA`` keeps falling.

    The doubling crosses the long, nearly linear descents of an ascent term in
    a few steps. Returns ``t = 0`` when no decrease is found and ``t = inf``
    when the descent goes on past ``bound``.
    """
    t, slope = 1.0, float(grad @ step)
    while True:
        candidate = theta - t * step
        new_value, new_grad = _value_grad(retain, forget, candidate)
        finite = np.isfinite(new_value) and np.all(np.isfinite(new_grad))
        if finite and new_value <= value - 1e-4 * t * slope:
            break
        t *= 0.5
        if t < 1e-12:
            return 0.0, theta, value, grad
    while t >= 1.0:
        further = theta - 2.0 * t * step
        if np.linalg.norm(further) > bound:
            still_falling = not _value_grad(retain, forget, further)[0] >= new_value
            return (np.inf if still_falling else t), candidate, new_value, new_grad
        further_value, further_grad = _value_grad(retain, forget, further)
        if further_value == -np.inf:
            return np.inf, candidate, new_value, new_grad  # the ascent term overflowed
        if not (further_value < new_value and np.all(np.isfinite(further_grad))):
            break
        t, candidate, new_value, new_grad = 2.0 * t, further, further_value, further_grad
    return t, candidate, new_value, new_grad


def _value_grad(retain, forget, theta):
    value_r, grad_r = retain.value_grad(theta)
    value_f, grad_f = forget.value_grad(theta)
    return value_r + value_f, grad_r + grad_f


def _newton_direction(hessian, grad):
    try:
        factor = scipy.linalg.cho_factor(hessian)
    except (scipy.linalg.LinAlgError, ValueError):
        return None
    return scipy.linalg.cho_solve(factor, grad)
