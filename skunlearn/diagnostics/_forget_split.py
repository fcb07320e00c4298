"""The forget/retain split of a fitted estimator, with the pieces diagnostics share.

Every quantity is computed at most once per split and only when a diagnostic
asks for it; nothing is written back to the estimator.
"""

from functools import cached_property

import numpy as np

from .._objective import LinearObjective
from ._per_sample import _gradients, gradient_moments
from ._support import check_diagnosable

__all__ = ["ForgetSplit", "check_lemma_conditions"]


def check_lemma_conditions(loss, what):
    """Refuse, naming the reason, an objective the paper's lemmas and the bounds do not cover.

    They need a twice differentiable, convex loss (with the penalty: a
    strongly convex objective whose curvature the Hessian describes). The
    squared hinge and Huber losses are once differentiable (their Hessians
    are generalized ones), some Tweedie deviances are not convex (their
    spec's ``self_concordance`` is None). The penalty's part (an L1 term, a
    positivity constraint) is :meth:`~skunlearn._penalties.Penalty.require_smooth`.

    Raises
    ------
    ValueError
        For such an objective, naming why and ``what`` was asked for.
    """
    if loss.self_concordance is not None:
        return
    if not loss.smooth:
        why = "is not twice differentiable (its Hessian is a generalized one)"
    else:
        why = f"with parameters {loss.params} is not convex in the linear predictor"
    raise ValueError(
        f"{what} does not apply: the {loss.name} loss {why}, so the lemmas it rests on "
        "(curvature, strong convexity) do not hold."
    )


class ForgetSplit:
    """Retain and forget rows of a fitted estimator as ``unlearn`` would split them.

    Reads the retain rows (they stay inside the estimator; only ``p``-sized
    summaries of them are computed).

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.
    what : str, default="This diagnostic"
        The diagnostic's name, for the errors an unsupported estimator or a
        non-smooth model gets.

    Raises
    ------
    TypeError
        ``estimator`` is not a fitted skunlearn linear model (see
        :func:`~skunlearn.diagnostics._support.check_diagnosable`).
    ValueError
        An empty forget set, a vanishing class, or a model whose penalty is
        not smooth (:meth:`~skunlearn._penalties.Penalty.require_smooth`).
    """

    def __init__(self, estimator, X_forget, y_forget=None, what="This diagnostic"):
        check_diagnosable(estimator, what)
        problem = estimator._unlearning_problem(X_forget, y_forget)
        if problem is None:
            raise ValueError("X_forget is empty: there is nothing to diagnose.")
        problem.penalty.require_smooth(what)
        if problem.forget_weight is None:
            raise ValueError(
                "Forgetting these rows removes a class from the model; the forget loss, and "
                "with it every dependence diagnostic, is undefined."
            )
        check_lemma_conditions(problem.loss, "This dependence diagnostic")
        self.problem = problem
        self.training = estimator._training_objective()
        self.theta = np.asarray(problem.theta0, dtype=np.float64)

    def _unscaled(self, X, y, weights):
        layout = self.problem.layout
        return LinearObjective(
            self.problem.loss,
            X,
            y,
            weights,
            n_outputs=layout.n_outputs,
            fit_intercept=layout.fit_intercept,
        )

    @cached_property
    def retain_sample_weight(self):
        """Sample weights of the stored rows, zero at the forgotten ones."""
        return self.problem.retain_weight / self.problem.weight_scale

    @cached_property
    def forget_sample_weight(self):
        """Sample weights of the forgotten rows."""
        return self.problem.forget_weight / self.problem.weight_scale

    @cached_property
    def forget_gradients(self):
        """Loss gradients of the forgotten rows, shape ``(n_forget, n_params)``."""
        p = self.problem
        return _gradients(self.training, p.X_forget, p.y_forget, self.theta)

    @cached_property
    def retain_moments(self):
        """:class:`GradientMoments` of the retain rows (one pass over them)."""
        p = self.problem
        return gradient_moments(self.training, p.X, p.y, self.retain_sample_weight, self.theta)

    @cached_property
    def retain_loss_hessian(self):
        """Hessian of ``sum_R s_i l_i`` at theta (evaluated afresh: a stored Hessian
        may come from the solver's previous iterate)."""
        p = self.problem
        return self._unscaled(p.X, p.y, self.retain_sample_weight).loss_hessian(self.theta)

    @cached_property
    def forget_loss_hessian(self):
        """Hessian of ``sum_F s_i l_i`` at theta."""
        p = self.problem
        return self._unscaled(p.X_forget, p.y_forget, self.forget_sample_weight).loss_hessian(
            self.theta
        )

    def mean_training_hessian(self):
        """Hessian of the training objective in per-sample-mean units."""
        total = float(np.sum(self.problem.sample_weight))
        scale = self.training.total_weight / total
        loss = scale * (self.retain_loss_hessian + self.forget_loss_hessian)
        return self.training.regularize(loss) / self.training.total_weight

    def retain_hessian(self):
        """Hessian of ``J_R`` (the oracle's objective) at theta."""
        p = self.problem
        return p.retain_objective().regularize(p.weight_scale * self.retain_loss_hessian)
