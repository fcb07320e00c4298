"""Where descent-ascent goes from the original weights: its own steps, then Newton to the end.

Descent-ascent (DA) iterates ``w <- w - eta grad L_DA(w)`` on ``L_DA = L_R -
gamma mean_F loss``, which is unbounded below whenever the ascent term
dominates along some direction [1]_ and may have several local minima. Which
one DA reaches (if any) is decided by its path, and on real data by its first
few (large) steps: the gradient flow of ``L_DA`` from the same start can end
in another minimum. So the search takes DA's own steps from ``w_D``, then
follows the flow from there with damped Newton steps ``(H + I / dt) s =
grad`` (pseudo-transient continuation, Kelley and Keyes 1998 [2]_): with a
small ``dt`` (it starts at DA's step size) a step is a gradient step; ``dt``
grows while the quadratic model of ``L_DA`` predicts the decrease well, until
the steps are Newton steps in the basin, and shrinks when the model fails.
The end is accepted when continuations started after consecutive blocks of DA
steps (4, 8, 16, ... steps) agree and DA's iterate has covered most of its way
there; the search stops unconfirmed when DA's pace cannot get it there within
``DA_STEPS`` steps (a quadratic ``L_DA``, the squared loss, has one end: no DA
steps are needed). Divergence is declared only on evidence: DA's own steps, or
an accepted step of the flow, leave DA's divergence bound, or a point of the
flow from which DA's next step would leave it.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
.. [2] C. T. Kelley, D. E. Keyes, "Convergence analysis of pseudo-transient
   continuation", SIAM J. Numer. Anal. 35(2), 1998.
"""

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg

from ._rounding import gradient_rounding_bound

__all__ = ["DA_STEPS", "FLOW_STEPS", "FlowEnd", "da_end"]

# DA steps are taken in blocks of 4, 8, 16, ... up to DA_STEPS in all; after
# each block a continuation (at most FLOW_STEPS accepted damped Newton steps,
# each one Hessian of L_DA, a pass over the rows) runs to the end of the flow.
# Its end is accepted when the previous continuation reached the same point
# and DA's iterate is within _REMAINING of its way there: on long, flat
# valleys of L_DA, DA's fixed steps drift from the flow into another minimum.
DA_STEPS = 1020
_REMAINING = 0.25
_FIRST_BLOCK = 4
FLOW_STEPS = 200
_RETRIES = 60
# A continuation step is accepted when L_DA falls by at least _ACCEPT of the
# decrease its quadratic model predicts; dt grows 4x when it falls by _GROW.
_ACCEPT, _GROW = 0.25, 0.75
# A Newton step shorter than _NEGLIGIBLE (1 + ||w||) is below what the
# parameters resolve: the flow has stopped; below _NEAR (1 + ||w||) the
# gradient is compared with its rounding error. Two ends closer than _SAME
# (1 + ||w||) are the same point.
_NEGLIGIBLE = 1e-11
_NEAR = 1e-4
_SAME = 1e-6
_DT_MAX = 1e16


@dataclass
class FlowEnd:
    """The end of the followed flow.

    ``outcome`` is "settles" (a local minimum of ``L_DA`` inside the bound:
    ``theta`` is it), "diverges" (``theta`` is the first point that left, or
    from which DA's next step leaves, the bound) or "undetermined" (the step
    budget ran out; ``theta`` is the last point). ``residual`` is
    ``||grad L_DA(theta)||_2``, ``curvature`` the extreme eigenvalues of its
    Hessian there (NaN when not evaluated). ``da_steps`` and ``n_steps``
    count DA's own steps and the continuation's Newton steps; ``confirmed``
    says whether two continuations started at different points of DA's path
    agreed (or DA itself left the bound).
    """

    theta: np.ndarray
    outcome: str
    residual: float
    curvature: tuple
    n_steps: int
    da_steps: int = 0
    confirmed: bool = False


def da_end(retain, forget, theta0, learning_rate, bound):
    """Where DA with step ``learning_rate`` from ``theta0`` ends: its steps, then continuation.

    Parameters
    ----------
    retain, forget : LinearObjective
        The two parts of ``L_DA`` (``forget`` has negative weights).
    theta0 : ndarray of shape (n_params,)
        Starting point ``w_D``.
    learning_rate : float
        DA's step size.
    bound : float
        DA's divergence bound on ``||w||``.

    Returns
    -------
    end : FlowEnd
    """
    start = np.array(theta0, dtype=np.float64, copy=True)
    with np.errstate(over="ignore", invalid="ignore"):
        if retain.loss == "squared":  # L_DA is quadratic: one stationary point or none
            return replace(
                follow_da_flow(retain, forget, start, learning_rate, bound), confirmed=True
            )
        return _walk(retain, forget, start, learning_rate, bound)


def _walk(retain, forget, start, learning_rate, bound):
    """DA steps in growing blocks, each followed by a continuation, until an end is judged."""
    theta, previous, taken, block = start, None, 0, _FIRST_BLOCK
    while True:
        target = None if previous is None else previous.theta
        theta, steps, left = _da_steps(
            retain, forget, theta, learning_rate, bound, block, (start, target)
        )
        taken += steps
        if left:
            return FlowEnd(theta, "diverges", np.inf, (np.nan, np.nan), 0, taken, True)
        end = replace(follow_da_flow(retain, forget, theta, learning_rate, bound), da_steps=taken)
        confirmed = _judge(previous, end, start, theta, taken)
        if confirmed is not None:
            return replace(end, confirmed=confirmed)
        previous, block = end, min(2 * block, DA_STEPS - taken)


def _da_steps(retain, forget, theta, learning_rate, bound, n_steps, way):
    """Up to ``n_steps`` simultaneous DA steps: ``(theta, steps taken, left the bound)``.

    ``way = (start, target)``: the steps stop once the iterate is within
    ``_REMAINING`` of its way from ``start`` to ``target`` (when not None).
    """
    start, target = way
    for step in range(n_steps):
        theta = theta - learning_rate * _value_grad(retain, forget, theta)[1]
        norm = np.linalg.norm(theta)
        if not np.isfinite(norm) or norm > bound:
            return theta, step + 1, True
        if target is not None and _within(theta, start, target):
            return theta, step + 1, False
    return theta, n_steps, False


def _within(theta, start, target):
    return np.linalg.norm(theta - target) <= _REMAINING * np.linalg.norm(start - target)


def _judge(previous, end, start, theta, taken):
    """True: the end is confirmed; False: stop unconfirmed; None: take more DA steps.

    Confirmed: two consecutive continuations agree, and DA has covered most of
    its way there. Unconfirmed: the budget is spent, or at DA's pace so far the
    rest of the budget cannot bring it that close.
    """
    agree = previous is not None and _same_end(previous, end)
    if agree and (end.outcome == "diverges" or _within(theta, start, end.theta)):
        return True
    if taken >= DA_STEPS:
        return False
    if agree:
        pace = np.linalg.norm(theta - start) / taken
        needed = np.linalg.norm(theta - end.theta) - _REMAINING * np.linalg.norm(start - end.theta)
        if pace * (DA_STEPS - taken) < needed:
            return False
    return None


def _same_end(first, second):
    if first.outcome != second.outcome or first.outcome == "undetermined":
        return False
    scale = 1.0 + np.linalg.norm(second.theta)
    return (
        first.outcome == "diverges" or np.linalg.norm(first.theta - second.theta) <= _SAME * scale
    )


def follow_da_flow(retain, forget, theta0, learning_rate, bound, max_steps=FLOW_STEPS):
    """Follow the gradient flow of ``L_DA = retain + forget`` from ``theta0`` to its end.

    Parameters
    ----------
    retain, forget : LinearObjective
        The two parts of ``L_DA`` (``forget`` has negative weights).
    theta0 : ndarray of shape (n_params,)
        Starting point ``w_D``.
    learning_rate : float
        DA's step size: the first pseudo-time step, and the size of the DA step
        whose jump past ``bound`` counts as divergence.
    bound : float
        DA's divergence bound on ``||w||``.
    max_steps : int, default=FLOW_STEPS
        Budget of accepted steps.

    Returns
    -------
    end : FlowEnd
    """
    theta = np.array(theta0, dtype=np.float64, copy=True)
    with np.errstate(over="ignore", invalid="ignore"):
        value, grad = _value_grad(retain, forget, theta)
        dt = learning_rate
        for step in range(max_steps):
            hessian = retain.hessian(theta) + forget.hessian(theta)
            if _stopped(retain, forget, theta, grad, hessian):
                return _end(retain, theta, "settles", grad, hessian, step)
            if np.linalg.norm(theta - learning_rate * grad) > bound:
                return _end(retain, theta, "diverges", grad, None, step)
            taken = _damped_step(retain, forget, theta, value, grad, hessian, dt)
            if taken is None:
                return _end(retain, theta, "undetermined", grad, hessian, step)
            theta, value, grad, dt = taken
            if np.linalg.norm(theta) > bound:
                return _end(retain, theta, "diverges", grad, None, step + 1)
    return _end(retain, theta, "undetermined", grad, None, max_steps)


def _stopped(retain, forget, theta, grad, hessian):
    """At a minimum: Newton's step is negligible, or short and the gradient is rounding noise."""
    newton = _solve(hessian, grad, 0.0)
    if newton is None:
        return False
    length = np.linalg.norm(newton) / (1.0 + np.linalg.norm(theta))
    if length <= _NEGLIGIBLE:
        return True
    if length > _NEAR:  # far from a minimum: the rounding floor (a pass) is not worth it
        return False
    rounding = gradient_rounding_bound(retain, theta) + gradient_rounding_bound(forget, theta)
    return bool(np.all(np.abs(grad) <= rounding))


def _damped_step(retain, forget, theta, value, grad, hessian, dt):
    """One accepted step ``(theta, value, grad, next dt)``, or None if none is found."""
    for _ in range(_RETRIES):
        step = _solve(hessian, grad, 1.0 / dt)
        if step is None:
            dt *= 0.25
            continue
        candidate = theta - step
        new_value, new_grad = _value_grad(retain, forget, candidate)
        predicted = float(grad @ step) - 0.5 * float(step @ hessian @ step)
        actual = value - new_value
        finite = np.isfinite(new_value) and np.all(np.isfinite(new_grad))
        if finite and _accepted(actual, predicted, value, grad, new_grad):
            grow = actual >= _GROW * predicted
            return candidate, new_value, new_grad, min(dt * 4.0 if grow else dt, _DT_MAX)
        dt *= 0.25
    return None


def _accepted(actual, predicted, value, grad, new_grad):
    """The model's decrease is realised; below the value's rounding, the gradient falls."""
    if predicted <= 1e-13 * max(abs(value), 1e-300):
        return np.linalg.norm(new_grad) < np.linalg.norm(grad)
    return actual >= _ACCEPT * predicted


def _solve(hessian, grad, shift):
    """``(hessian + shift I)^{-1} grad``, or None when that matrix is not positive definite."""
    try:
        factor = scipy.linalg.cho_factor(hessian + shift * np.eye(len(grad)), check_finite=False)
    except (scipy.linalg.LinAlgError, ValueError):
        return None
    return scipy.linalg.cho_solve(factor, grad, check_finite=False)


def _value_grad(retain, forget, theta):
    value_r, grad_r = retain.value_grad(theta)
    value_f, grad_f = forget.value_grad(theta)
    return value_r + value_f, grad_r + grad_f


def _end(objective, theta, outcome, grad, hessian, n_steps):
    """The :class:`FlowEnd`; curvature off the multinomial gauge direction (no gradient there)."""
    curvature = (np.nan, np.nan)
    if hessian is not None and np.all(np.isfinite(hessian)):
        if objective._has_gauge:
            basis = scipy.linalg.null_space(objective.layout.gauge_direction()[None, :])
            hessian = basis.T @ hessian @ basis
        eigenvalues = scipy.linalg.eigvalsh(hessian)
        curvature = (float(eigenvalues[0]), float(eigenvalues[-1]))
    return FlowEnd(theta, outcome, float(np.linalg.norm(grad)), curvature, n_steps)
