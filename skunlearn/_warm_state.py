"""Warm state: what ``fit`` keeps so that the first unlearning step reads only the forgotten rows.

Two kinds of warm state exist, both immutable and in sample-weight units:

- :class:`~skunlearn._solvers.GramStatistics` (least squares): the centred Gram
  statistics of the rows, from which the Newton unlearner solves the retain
  problem exactly; recomputed from the remaining rows at every unlearning;
- :class:`LossState` (any other loss): the loss value and gradient at the
  committed parameters and the Hessian at the canonical point they were
  finalized from (:mod:`skunlearn._solvers._canonical`), which give the retain
  objective's value and gradient and an approximate Hessian for the first
  Newton step once the forgotten rows' share is subtracted. The subtracted
  state serves that step only; the state kept after an unlearning is evaluated
  afresh on the remaining rows.

Both are functions of the stored rows (and, for :class:`LossState`, of the
canonical parameters), never of the deletion history.

Both implement the same protocol, which :class:`~skunlearn.linear_model.UnlearnMixin`
uses when it builds an :class:`~skunlearn.unlearners.UnlearningProblem`:

``without(forget, remaining)``
    The state of the remaining rows, given the forgotten rows as a
    :class:`~skunlearn._objective.LinearObjective` with their sample weights
    (no scale, no penalty) and the remaining rows as ``(X, y, sample_weight)``.
``valid_at(theta)``
    Whether the state describes the objective at parameters ``theta``.
``retained_after_unlearn``
    Whether ``without`` recomputes the state from the remaining rows, so that
    it is the state a fit on them keeps: then the estimator keeps it after an
    approximate unlearning, and carries it over when a pipeline re-expresses
    the rows (it is recomputed from the new ones).
"""

from dataclasses import dataclass

import numpy as np

from ._solvers import GramStatistics

__all__ = ["GramStatistics", "LossState"]


@dataclass(frozen=True)
class LossState:
    """``sum_i s_i l_i`` and its gradient at ``theta``, its Hessian at ``hessian_at``.

    In sample-weight units, without the penalty.

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        Where the value and gradient were evaluated (the committed parameters).
    value : float
    grad : ndarray of shape (n_params,)
    hessian : ndarray of shape (n_params, n_params)
        Loss Hessian (no penalty, no gauge term) at ``hessian_at``.
    hessian_at : ndarray of shape (n_params,)
        The canonical rounded point ``theta`` was finalized from, within
        ``2^-27`` relative of it.
    """

    theta: np.ndarray
    value: float
    grad: np.ndarray
    hessian: np.ndarray
    hessian_at: np.ndarray

    # The subtracted state is an approximation for one Newton step: the state
    # kept after an unlearning is evaluated afresh on the remaining rows.
    retained_after_unlearn = False

    @classmethod
    def from_canonical(cls, objective, step, weight_scale):
        """The state of a canonical Newton step's result on ``objective``.

        ``step`` is what :func:`~skunlearn._solvers.canonical_newton_step`
        returned; ``objective`` has row weights ``weight_scale * s``. None when
        the step evaluated no Hessian (the matrix-free path).
        """
        theta, theta_c, loss_hessian, value, grad = step
        if loss_hessian is None:
            return None
        penalty, penalty_grad = objective.penalty(theta)
        grad = grad - penalty_grad
        value = value - penalty
        return cls(
            np.array(theta, copy=True),
            value / weight_scale,
            grad / weight_scale,
            loss_hessian / weight_scale,
            np.array(theta_c, copy=True),
        )

    def valid_at(self, theta):
        """Whether ``theta`` is where the value and gradient were evaluated."""
        return np.array_equal(self.theta, theta)

    def without(self, forget, remaining=None):
        """The state of the remaining rows: the forgotten rows' share subtracted."""
        value, grad = forget.value_grad(self.theta)
        hessian = self.hessian - forget.loss_hessian(self.hessian_at)
        return LossState(
            self.theta, self.value - value, self.grad - grad, hessian, self.hessian_at
        )
