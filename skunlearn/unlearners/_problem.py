"""What an unlearner sees: the stored rows split by weights into retain and forget."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .._objective import LinearObjective

__all__ = ["UnlearningProblem", "UnlearningResult"]


@dataclass
class UnlearningResult:
    """New parameters and a per-iteration history (no per-row data).

    ``history`` maps ``"objective"`` (the retain objective in per-sample-mean
    units), ``"grad_norm"`` (max-norm of its gradient, same units) and
    ``"step_length"`` (Euclidean norm of each parameter update) to arrays.
    ``converged`` False (the unlearner stopped short of its tolerance) or
    ``diverged`` True make ``unlearn`` warn at its caller's line, with
    ``message`` (why it stopped) when given.
    """

    theta: np.ndarray
    history: dict
    n_iter: int
    converged: bool = True
    diverged: bool = False
    message: str = ""

    @classmethod
    def from_solver(cls, result, retain_total):
        """Wrap a solver's result on ``J_R``, its objective divided into mean units."""
        history = dict(result.history)
        history["objective"] = history["objective"] / retain_total
        return cls(result.theta, history, result.n_iter, result.converged)


@dataclass
class UnlearningProblem:
    """The data and state an unlearner may read; it must not modify any of it.

    The retain objective (the oracle's, in the estimator's own convention) is
    ``J_R = sum_i c_i l_i + (l2 / 2) ||coef||^2`` with ``c_i = weight_scale *
    sample_weight[i]`` on the remaining rows; :attr:`retain_weight` is ``c``
    with zeros at the forgotten rows, built on first use (an exact unlearner
    never pays for it). ``forget_weight`` holds ``c`` for the copies
    ``X_forget`` of the forgotten rows; it is None when the forget loss is not
    defined in the new parametrisation (a class vanished). When the estimator
    kept state from ``fit``, ``retain_loss_hessian`` is the loss Hessian of
    ``J_R`` at ``theta0`` and ``retain_value_grad0`` its value and gradient,
    both obtained from the forgotten rows alone.
    """

    loss: str
    X: object
    y: np.ndarray
    sample_weight: np.ndarray
    weight_scale: float
    retain_total: float
    forget_positions: np.ndarray
    X_forget: object
    y_forget: np.ndarray | None
    forget_weight: np.ndarray | None
    n_outputs: int
    fit_intercept: bool
    l2: float
    theta0: np.ndarray
    refit: Callable
    retain_loss_hessian: np.ndarray | None = None
    retain_value_grad0: tuple | None = None
    exact_solve: Callable | None = None
    notes: dict = field(default_factory=dict)

    @cached_property
    def retain_weight(self):
        """``c_i`` on the remaining rows, zero on the forgotten ones."""
        weights = self.weight_scale * self.sample_weight
        weights[self.forget_positions] = 0.0
        return weights

    def _objective(self, X, y, weights, l2):
        return LinearObjective(
            self.loss,
            X,
            y,
            weights,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=l2,
        )

    def retain_objective(self):
        """``J_R``, the oracle's objective."""
        return self._objective(self.X, self.y, self.retain_weight, self.l2)

    def mean_retain_objective(self):
        """``L_R = J_R / sum(c_R)``: retain loss mean plus its ridge term."""
        total = self.retain_total
        return self._objective(self.X, self.y, self.retain_weight / total, self.l2 / total)

    def mean_forget_objective(self, scale=1.0, l2=0.0):
        """``scale * mean_F loss + (l2 / 2) ||coef||^2`` over the forgotten rows."""
        if self.forget_weight is None:
            raise ValueError(
                "The forget loss is undefined: forgetting these rows removes a class "
                f"({self.notes.get('vanished', '')}) from the model, so there is nothing to "
                "ascend on. Use 'newton' (lands on the oracle), 'retrain' or 'finetune'."
            )
        weights = scale * self.forget_weight / float(np.sum(self.forget_weight))
        return self._objective(self.X_forget, self.y_forget, weights, l2)

    def initial_hessian(self):
        """Hessian of ``J_R`` at ``theta0`` from stored state, or None."""
        if self.retain_loss_hessian is None:
            return None
        return self.retain_objective().regularize(self.retain_loss_hessian)
