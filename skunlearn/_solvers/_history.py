"""What every solver returns: final parameters, convergence flags and a per-iteration record."""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "SolverResult", "final_history", "scaled_gradient_norm"]


@dataclass
class SolverResult:
    """Final parameters, iteration count, convergence flag and per-iteration history.

    ``hessian`` is the last *loss* Hessian evaluated (no penalty) when the
    solver evaluated one, with ``value`` and ``grad`` the objective's value and
    gradient at ``theta``.
    """

    theta: np.ndarray
    n_iter: int
    converged: bool
    history: dict = field(default_factory=dict)
    hessian: np.ndarray | None = None
    value: float | None = None
    grad: np.ndarray | None = None


class History:
    """Per-iteration record: objective, gradient norm (per-sample-mean units), step length."""

    KEYS = ("objective", "grad_norm", "step_length")

    def __init__(self):
        self._columns = {key: [] for key in self.KEYS}

    def record(self, value, grad_norm, step_length):
        """Append one iteration."""
        for key, entry in zip(self.KEYS, (value, grad_norm, step_length), strict=True):
            self._columns[key].append(float(entry))

    @property
    def last_grad_norm(self):
        """Gradient norm of the last recorded iteration."""
        return self._columns["grad_norm"][-1]

    def __len__(self):
        return len(self._columns["objective"])

    def arrays(self):
        """The record as a dict of float64 arrays (what ``unlearn_history_`` holds)."""
        return {key: np.asarray(val, dtype=np.float64) for key, val in self._columns.items()}


def scaled_gradient_norm(objective, grad):
    """``max|grad| / sum(weights)``: the gradient in per-sample-mean units."""
    return float(np.max(np.abs(grad), initial=0.0)) / max(abs(objective.total_weight), 1e-300)


def final_history(spec, rows, theta, value_grad=None):
    """History-free metadata of an exact unlearning: the objective and its gradient at ``theta``.

    One entry each, per-sample-mean units (as the iterative histories): a fit
    on the remaining rows has the same values, so they tell nothing about
    the deletion (no step lengths, no iteration count). With a non-smooth
    penalty, the composite objective and its minimum-norm subgradient.
    ``value_grad`` is the smooth objective's value and gradient at ``theta``.
    """
    objective = spec.objective(*rows)
    value, grad = objective.value_grad(theta) if value_grad is None else value_grad
    penalty = spec.penalty
    if not penalty.smooth:
        value = value + penalty.nonsmooth_value(theta, objective.layout)
        grad = penalty.residual(theta, grad, objective.layout)
    total = objective.total_weight
    return {
        "objective": np.array([value / total]),
        "grad_norm": np.array([float(np.max(np.abs(grad), initial=0.0)) / total]),
    }
