"""What an unlearner sees (an immutable problem) and what it returns (a result)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._objective import LinearObjective, ObjectiveSpec

__all__ = ["UnlearningProblem", "UnlearningResult"]


@dataclass
class UnlearningResult:
    """New parameters, convergence flags and a per-iteration history (no per-row data).

    ``unlearn`` reads the flags: it warns with
    :class:`~skunlearn.exceptions.UnlearningDivergenceWarning` when
    ``diverged``, and with
    :class:`~skunlearn.exceptions.UnlearningConvergenceWarning` when the
    unlearner stopped short of its tolerance (``converged`` False).

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        The unlearned parameters, laid out as in :mod:`skunlearn._parameters`.
    history : dict of ndarray
        ``"objective"`` (the retain objective in per-sample-mean units),
        ``"grad_norm"`` (max-norm of its gradient, same units) and
        ``"step_length"`` (Euclidean norm of each parameter update), one entry
        per iteration.
    n_iter : int
        Iterations run.
    converged : bool, default=True
        Whether the unlearner reached its own stopping criterion.
    diverged : bool, default=False
        Whether it stopped because the iterates diverged.
    reason : str, default=""
        Why it did not converge or diverged, in words (no row values): the
        warning ``unlearn`` raises quotes it.
    """

    theta: np.ndarray
    history: dict
    n_iter: int
    converged: bool = True
    diverged: bool = False
    reason: str = ""

    @classmethod
    def from_solver(cls, result, retain_total, tol=None):
        """Wrap a solver's result on ``J_R``, its objective divided into mean units."""
        history = dict(result.history)
        history["objective"] = history["objective"] / retain_total
        reason = ""
        if not result.converged:
            last = history["grad_norm"][-1] if len(history["grad_norm"]) else float("nan")
            reason = (
                f"after {result.n_iter} iterations the retain gradient is {last:.3g} "
                f"(per-sample-mean units), above tol={tol}"
            )
        return cls(result.theta, history, result.n_iter, result.converged, reason=reason)


@dataclass(frozen=True)
class UnlearningProblem:
    """The data and state an unlearner may read; built once by ``unlearn``, never modified.

    The retain objective, the one the oracle minimises in the estimator's own
    convention, is ``J_R(theta) = sum_i c_i l_i + (l2 / 2) ||coef||^2`` over the
    remaining rows, with row weights ``c_i = weight_scale * sample_weight[i]``
    (see :func:`skunlearn._objective.objective_scaling`).

    Attributes
    ----------
    spec : ObjectiveSpec
        Loss, outputs, intercept, ``weight_scale`` and ``l2`` of the retain
        objective (after a class vanished: of the model without it).
    X : ndarray or CSR matrix of shape (n_stored, n_features)
        All stored rows, forgotten ones included (read-only).
    y : ndarray
        Their targets in the kernel layout of ``spec`` (for a forgotten class:
        index -1, never read because its row weight is 0).
    sample_weight : ndarray of shape (n_stored,)
        Stored sample weights.
    forget_positions : ndarray of shape (n_forget,), dtype int64
        Positions of the forgotten rows among the stored ones.
    X_forget : ndarray or CSR matrix of shape (n_forget, n_features)
        Copies of the forgotten rows.
    y_forget : ndarray or None
        Their targets in the kernel layout; None when the forget loss is not
        defined in the new parametrisation (a class vanished).
    forget_sample_weight : ndarray of shape (n_forget,)
        Their sample weights.
    theta0 : ndarray of shape (n_params,)
        Current parameters, in the layout of ``spec`` (:mod:`skunlearn._parameters`).
    warm_state : GramStatistics, LossState or None
        The estimator's warm state (:mod:`skunlearn._warm_state`) already
        derived for the remaining rows, evaluated at ``theta0``; None when
        the estimator keeps none or it does not apply.
    refit : callable
        ``refit(problem)`` fits the estimator's own solver to the problem's
        ``J_R`` from scratch and returns a
        :class:`~skunlearn._solvers.SolverResult` (for
        :class:`~skunlearn.unlearners.Retrain`).
    vanished : tuple, default=()
        Class labels that the forget set removes from the model.
    """

    spec: ObjectiveSpec
    X: object
    y: np.ndarray
    sample_weight: np.ndarray
    forget_positions: np.ndarray
    X_forget: object
    y_forget: np.ndarray | None
    forget_sample_weight: np.ndarray
    theta0: np.ndarray
    warm_state: object
    refit: Callable
    vanished: tuple = ()

    @property
    def loss(self):
        """The per-sample :class:`~skunlearn._losses.Loss`."""
        return self.spec.loss

    @property
    def layout(self):
        """The :class:`~skunlearn._parameters.ParameterLayout` of ``theta0``."""
        return self.spec.layout(self.X.shape[1])

    @property
    def l2(self):
        """Ridge strength of ``J_R``."""
        return self.spec.l2

    @property
    def weight_scale(self):
        """``c_i / sample_weight[i]``."""
        return self.spec.weight_scale

    @cached_property
    def retain_weight(self):
        """``c_i`` on the remaining rows, zero on the forgotten ones; shape (n_stored,)."""
        weights = self.weight_scale * self.sample_weight
        weights[self.forget_positions] = 0.0
        return weights

    @cached_property
    def retain_total(self):
        """``sum_R c_i``: the scale of per-sample-mean units."""
        remaining = float(np.sum(self.sample_weight)) - float(np.sum(self.forget_sample_weight))
        return self.weight_scale * remaining

    @property
    def forget_weight(self):
        """``c_i`` of the forgotten rows, or None when the forget loss is undefined."""
        return None if self.y_forget is None else self.weight_scale * self.forget_sample_weight

    def _objective(self, X, y, weights, l2, l1=0.0):
        layout = self.layout
        return LinearObjective(
            self.loss,
            X,
            y,
            weights,
            n_outputs=layout.n_outputs,
            fit_intercept=layout.fit_intercept,
            l2=l2,
            intercept_penalty=self.spec.intercept_penalty,
            l1=l1,
        )

    def retain_objective(self):
        """``J_R``, the oracle's objective."""
        return self._objective(self.X, self.y, self.retain_weight, self.l2, self.spec.l1)

    def mean_retain_objective(self):
        """``L_R = J_R / sum(c_R)``: retain loss mean plus its ridge term."""
        total = self.retain_total
        weights = self.retain_weight / total
        return self._objective(self.X, self.y, weights, self.l2 / total, self.spec.l1 / total)

    def mean_forget_objective(self, scale=1.0, l2=0.0):
        """``scale * mean_F loss + (l2 / 2) ||coef||^2`` over the forgotten rows.

        Raises
        ------
        ValueError
            When a class vanishes: the forget loss is undefined.
        """
        if self.y_forget is None:
            raise ValueError(
                "The forget loss is undefined: forgetting these rows removes a class "
                f"({list(self.vanished)}) from the model, so there is nothing to ascend on. "
                "Use 'newton' (lands on the oracle), 'retrain' or 'finetune'."
            )
        weights = scale * self.forget_sample_weight / float(np.sum(self.forget_sample_weight))
        return self._objective(self.X_forget, self.y_forget, weights, l2)

    @property
    def ridge_alpha(self):
        """Least squares: the ridge of ``J_R / weight_scale``, ``l2 / (2 weight_scale)``."""
        return self.l2 / (2.0 * self.weight_scale)

    def initial_hessian(self):
        """Hessian of ``J_R`` at ``theta0`` from the warm state, or None."""
        hessian = getattr(self.warm_state, "hessian", None)
        if hessian is None:
            return None
        return self.retain_objective().regularize(self.weight_scale * hessian)

    def initial_value_grad(self):
        """``J_R`` and its gradient at ``theta0`` from the warm state, or None."""
        state = self.warm_state
        if getattr(state, "grad", None) is None:
            return None
        penalty, penalty_grad = self.retain_objective().penalty(self.theta0)
        return (
            self.weight_scale * state.value + penalty,
            self.weight_scale * state.grad + penalty_grad,
        )
