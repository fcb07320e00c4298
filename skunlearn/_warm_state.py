"""Warm state: what ``fit`` keeps so that the first unlearning step reads only the forgotten rows.

Two kinds of warm state exist, both immutable and in sample-weight units:

- :class:`~skunlearn._solvers.GramStatistics` (least squares): the centred Gram
  statistics of the rows, from which the Newton unlearner solves the retain
  problem exactly;
- :class:`LossState` (any other loss): the loss value, gradient and Hessian at
  the fitted parameters, which give the retain objective's value, gradient and
  Hessian at the same point once the forgotten rows' share is subtracted.

Both implement the same protocol, which :class:`~skunlearn.linear_model.UnlearnMixin`
uses when it builds an :class:`~skunlearn.unlearners.UnlearningProblem`:

``without(forget)``
    The state of the remaining rows, given the forgotten rows as a
    :class:`~skunlearn._objective.LinearObjective` with their sample weights
    (no scale, no penalty); None when it cannot be derived.
``valid_at(theta)``
    Whether the state describes the objective at parameters ``theta``.
``mapped(scale, shift, rows)``
    The state of the same rows (a row store) mapped column-wise by ``x -> x *
    scale + shift`` (a pipeline's upstream scaler changed), or None.
``retained_after_unlearn``
    Whether the estimator keeps the downdated state for the next ``unlearn``.
"""

from dataclasses import dataclass

import numpy as np

from ._solvers import GramStatistics

__all__ = ["GramStatistics", "LossState"]


@dataclass(frozen=True)
class LossState:
    """``sum_i s_i l_i`` with its gradient and Hessian at ``theta`` (sample-weight units).

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        Where the state was evaluated.
    value : float
    grad : ndarray of shape (n_params,)
    hessian : ndarray of shape (n_params, n_params)
        Loss Hessian (no penalty, no gauge term).
    """

    theta: np.ndarray
    value: float
    grad: np.ndarray
    hessian: np.ndarray

    # Evaluated at weights the forgotten rows shaped: a trace of them.
    retained_after_unlearn = False

    @classmethod
    def from_solver(cls, objective, result, weight_scale):
        """The state at a solver's result on ``objective`` (row weights ``weight_scale * s``).

        None when the solver evaluated no Hessian at its final point.
        """
        if result.hessian is None or result.grad is None:
            return None
        penalty, penalty_grad = objective.penalty(result.theta)
        grad = result.grad - penalty_grad
        value = result.value - penalty
        return cls(
            np.array(result.theta, copy=True),
            value / weight_scale,
            grad / weight_scale,
            result.hessian / weight_scale,
        )

    def valid_at(self, theta):
        """Whether ``theta`` is where the state was evaluated."""
        return np.array_equal(self.theta, theta)

    def mapped(self, scale, shift, rows):
        """None: the state lives in the old feature space and is recomputed on demand."""
        return None

    def without(self, forget):
        """The state of the remaining rows at the same ``theta``."""
        value, grad = forget.value_grad(self.theta)
        hessian = self.hessian - forget.loss_hessian(self.theta)
        return LossState(self.theta, self.value - value, self.grad - grad, hessian)
