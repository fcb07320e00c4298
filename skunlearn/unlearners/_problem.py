"""What an unlearner sees (an immutable problem) and what it returns (a result)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .._objective import ObjectiveSpec, linear_objective

__all__ = ["UnlearningProblem", "UnlearningResult"]


@dataclass
class UnlearningResult:
    """New parameters, convergence flags and a per-iteration history (no per-row data).

    ``unlearn`` reads the flags: it warns with
    :class:`~skunlearn.exceptions.UnlearningDivergenceWarning` when
    ``diverged``, and with
    :class:`~skunlearn.exceptions.UnlearningConvergenceWarning` when the
    unlearner stopped short of its tolerance (``converged`` False).

    Parameters
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
    fitted : dict, default={}
        Further attributes the estimator sets at commit (a certified
        unlearner's ``certificate_`` and its private noise state).
    value_grad : tuple of (float, ndarray) or None, default=None
        The retain objective ``J_R`` and its gradient at ``theta``, when the
        unlearner evaluated them (the finalization then needs no pass for them).

    Examples
    --------
    A custom unlearner returns one from ``_run``:

    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.unlearners import BaseUnlearner, UnlearningResult
    >>> class OneNewtonStep(BaseUnlearner):
    ...     # One Newton step on the retain objective: exact for a quadratic.
    ...     def _run(self, problem):
    ...         objective = problem.retain_objective()
    ...         _, grad = objective.value_grad(problem.theta0)
    ...         step = np.linalg.solve(objective.hessian(problem.theta0), grad)
    ...         return UnlearningResult(problem.theta0 - step, history={}, n_iter=1)
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2))
    >>> y = X @ [1.0, 2.0] + rng.normal(size=50)
    >>> model = Ridge(unlearner=OneNewtonStep()).fit(X, y).unlearn(X[:5])
    >>> oracle = Ridge().fit(X[5:], y[5:])
    >>> bool(np.allclose(model.coef_, oracle.coef_))
    True
    """

    theta: np.ndarray
    history: dict
    n_iter: int
    converged: bool = True
    diverged: bool = False
    reason: str = ""
    fitted: dict = field(default_factory=dict)
    value_grad: tuple | None = None

    @classmethod
    def from_solver(cls, result, retain_total, tol=None):
        """Wrap a solver's result on ``J_R``, its objective divided into mean units.

        Parameters
        ----------
        result : SolverResult
            The solver's result (:mod:`skunlearn._solvers`).
        retain_total : float
            ``sum_R c_i``, the scale of per-sample-mean units.
        tol : float, default=None
            The solver's tolerance, quoted in ``reason`` when it stopped short.

        Returns
        -------
        result : UnlearningResult
            Parameters, history in mean units, flags and reason.
        """
        history = dict(result.history)
        history["objective"] = history["objective"] / retain_total
        reason = ""
        if not result.converged:
            last = history["grad_norm"][-1] if len(history["grad_norm"]) else float("nan")
            reason = (
                f"after {result.n_iter} iterations the retain gradient is {last:.3g} "
                f"(per-sample-mean units), above tol={tol}"
            )
        value_grad = None if result.grad is None else (result.value, result.grad)
        return cls(
            result.theta,
            history,
            result.n_iter,
            result.converged,
            reason=reason,
            value_grad=value_grad,
        )


@dataclass(frozen=True)
class UnlearningProblem:
    """The data and state an unlearner may read; built once by ``unlearn``, never modified.

    The retain objective, the one the oracle minimises in the estimator's own
    convention, is ``J_R(theta) = sum_i c_i l_i + penalty(theta)`` over the
    remaining rows, with row weights ``c_i = weight_scale * sample_weight[i]``
    (see :func:`skunlearn._objective.objective_scaling`) and the penalty of
    ``spec`` (:class:`~skunlearn._penalties.Penalty`; its L2 part is in
    :meth:`retain_objective`, its L1 part, if any, in :meth:`l1_weights`).

    Parameters
    ----------
    spec : ObjectiveSpec
        Loss, outputs, intercept, ``weight_scale`` and penalty of the retain
        objective (after a class vanished: of the model without it).
    X : ndarray or CSR matrix of shape (n_stored, n_features)
        All stored rows, forgotten ones included (read-only).
    y : ndarray
        Their targets in the kernel layout of ``spec`` (for a forgotten class:
        index -1, never read because its row weight is 0).
    sample_weight : ndarray of shape (n_stored,)
        Stored sample weights times the class weights of the retain model
        (:meth:`~skunlearn._objective.ObjectiveSpec.sample_weights`).
    forget_positions : ndarray of shape (n_forget,), dtype int64
        Positions of the forgotten rows among the stored ones.
    X_forget : ndarray or CSR matrix of shape (n_forget, n_features)
        Copies of the forgotten rows.
    y_forget : ndarray or None
        Their targets in the kernel layout; None when the forget loss is not
        defined in the new parametrisation (a class vanished).
    forget_sample_weight : ndarray of shape (n_forget,)
        Their sample weights (times class weights, likewise).
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
    certified : CertifiedState or None, default=None
        The noise and certificate drawn at ``fit`` by a certified unlearner
        (:mod:`skunlearn.unlearners._certified`); None otherwise.

    Examples
    --------
    A custom unlearner reads one in ``_run``:

    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.unlearners import BaseUnlearner, UnlearningResult
    >>> class OneNewtonStep(BaseUnlearner):
    ...     # One Newton step on the retain objective: exact for a quadratic.
    ...     def _run(self, problem):
    ...         objective = problem.retain_objective()
    ...         _, grad = objective.value_grad(problem.theta0)
    ...         step = np.linalg.solve(objective.hessian(problem.theta0), grad)
    ...         return UnlearningResult(problem.theta0 - step, history={}, n_iter=1)
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 2))
    >>> y = X @ [1.0, 2.0] + rng.normal(size=50)
    >>> model = Ridge(unlearner=OneNewtonStep()).fit(X, y).unlearn(X[:5])
    >>> oracle = Ridge().fit(X[5:], y[5:])
    >>> bool(np.allclose(model.coef_, oracle.coef_))
    True
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
    certified: object = None

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
        """Ridge strength of ``J_R`` on the coefficients."""
        return self.spec.l2

    @property
    def penalty(self):
        """The :class:`~skunlearn._penalties.Penalty` of ``J_R``."""
        return self.spec.penalty

    def l1_weights(self, factor=1.0):
        """Return the L1 strength of each parameter of ``J_R`` times ``factor``.

        Parameters
        ----------
        factor : float, default=1.0
            Multiplier of the strengths.

        Returns
        -------
        weights : ndarray of shape (n_params,) or None
            None when the penalty has no L1 term (smooth).
        """
        weights = self.spec.l1_weights(self.X.shape[1])
        return None if weights is None else factor * weights

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

    def _objective(self, X, y, weights, penalty_factor):
        layout = self.layout
        penalty = self.penalty.scaled(penalty_factor)
        return linear_objective(
            self.loss,
            X,
            y,
            weights,
            n_outputs=layout.n_outputs,
            fit_intercept=layout.fit_intercept,
            l2=penalty.l2,
            intercept_l2=penalty.intercept_l2,
        )

    def retain_objective(self):
        """Build ``J_R``, the oracle's objective (its smooth part).

        Returns
        -------
        objective : LinearObjective
            Over the stored rows, forgotten ones weighted 0.
        """
        return self._objective(self.X, self.y, self.retain_weight, 1.0)

    def mean_retain_objective(self):
        """Build ``L_R = J_R / sum(c_R)``: retain loss mean plus its ridge term (smooth part).

        Returns
        -------
        objective : LinearObjective
            Over the stored rows, forgotten ones weighted 0.
        """
        total = self.retain_total
        return self._objective(self.X, self.y, self.retain_weight / total, 1.0 / total)

    def mean_forget_objective(self, scale=1.0, penalty_factor=0.0):
        """Build ``scale * mean_F loss`` plus ``penalty_factor`` times the penalty's ridge part.

        Parameters
        ----------
        scale : float, default=1.0
            Weight of the mean forget loss.
        penalty_factor : float, default=0.0
            Multiplier of the penalty's ridge (smooth) part.

        Returns
        -------
        objective : LinearObjective
            Over the forgotten rows.

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
        return self._objective(self.X_forget, self.y_forget, weights, penalty_factor)

    @property
    def ridge_alpha(self):
        """Least squares: the ridge of ``J_R / weight_scale``, ``l2 / (2 weight_scale)``."""
        return self.l2 / (2.0 * self.weight_scale)

    def initial_hessian(self):
        """Return the Hessian of ``J_R`` at ``theta0`` from the warm state, or None.

        Returns
        -------
        hessian : ndarray of shape (n_params, n_params) or None
            None when the warm state keeps no Hessian.
        """
        hessian = getattr(self.warm_state, "hessian", None)
        if hessian is None:
            return None
        return self.retain_objective().regularize(self.weight_scale * hessian)

    def initial_value_grad(self):
        """Return ``J_R`` and its gradient at ``theta0`` from the warm state, or None.

        Returns
        -------
        value_grad : tuple (float, ndarray of shape (n_params,)) or None
            None when the warm state keeps no gradient.
        """
        state = self.warm_state
        if getattr(state, "grad", None) is None:
            return None
        ridge = self.penalty.l2_diagonal(self.layout) * self.theta0
        grad = self.weight_scale * state.grad + ridge
        value = self.weight_scale * state.value + 0.5 * float(self.theta0 @ ridge)
        return value, grad
