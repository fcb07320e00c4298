"""Descent-ascent: gradient descent on the retain set, ascent on the forget set."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._first_order import FirstOrderUnlearner

__all__ = ["DescentAscent"]


class DescentAscent(FirstOrderUnlearner):
    """Descent-ascent (DA), the method analysed in "Ascent Fails to Forget".

    The method of [1]_. With ``L_R = J_R / sum(c_R)`` the retain objective in per-sample-mean
    units (for :class:`~skunlearn.LogisticRegression`,
    ``L_R = mean_R loss + ||coef||^2 / (2 C |R|)``) and ``L_F = mean_F loss``,
    the simultaneous schedule iterates::

        w <- w - learning_rate * grad(L_R(w) - ascent_weight * L_F(w))

    and the alternating schedule (appendix D.3 of [1]_) makes each iteration
    two steps, a descent step on ``L_R`` and then an ascent step on
    ``-ascent_weight * L_F + (lam / 2) ||coef||^2`` (each step carries the
    ridge term; to first order this is the simultaneous method with the ridge
    doubled). ``ascent_weight=1`` is the paper's objective; NegGrad+ with
    parameter beta is ``ascent_weight = (1 - beta) / beta`` up to a rescaled
    step size.

    The DA objective is unbounded below whenever the ascent term dominates
    along some direction. When the weights become non-finite or their norm
    exceeds ``divergence_factor * (1 + ||w_0||)``, the loop stops, keeps the
    last finite iterate and warns with
    :class:`~skunlearn.exceptions.UnlearningDivergenceWarning`.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        Step size. "auto" is ``1 / L`` with ``L`` the largest eigenvalue of
        the Hessian of ``L_R`` at the starting weights.
    max_iter : int, default=100
        Number of iterations (the paper's methods run for a fixed budget).
    ascent_weight : float, default=1.0
        Weight gamma of the ascent term.
    schedule : {"simultaneous", "alternating"}, default="simultaneous"
        One combined step per iteration, or a descent step then an ascent step.
    divergence_factor : float, default=1e4
        Divergence threshold on the weight norm, relative to ``1 + ||w_0||``.

    See Also
    --------
    GradientAscent : Ascent on the forget set only.
    Finetune : Descent on the retain set only.
    Newton : Lands on the oracle.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.unlearners import DescentAscent
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = scale(X)
    >>> da = DescentAscent(learning_rate=0.1, max_iter=20, schedule="alternating")
    >>> clf = LogisticRegression(unlearner=da).fit(X, y).unlearn(X[:20])
    >>> len(clf.unlearn_history_["objective"])
    20
    """

    _parameter_constraints = {
        **FirstOrderUnlearner._parameter_constraints,
        "ascent_weight": [Interval(Real, 0, None, closed="left")],
        "schedule": [StrOptions({"simultaneous", "alternating"})],
    }

    def __init__(
        self,
        learning_rate="auto",
        max_iter=100,
        ascent_weight=1.0,
        schedule="simultaneous",
        divergence_factor=1e4,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.ascent_weight = ascent_weight
        self.schedule = schedule
        self.divergence_factor = divergence_factor

    def _prepare(self, problem):
        if self.schedule == "simultaneous":
            return problem.mean_forget_objective(scale=-self.ascent_weight)
        factor = 1.0 / problem.retain_total
        return problem.mean_forget_objective(scale=-self.ascent_weight, penalty_factor=factor)

    def _step(self, ascent, theta, retain_grad, learning_rate):
        if self.schedule == "simultaneous":
            return theta - learning_rate * (retain_grad + ascent.value_grad(theta)[1])
        half = theta - learning_rate * retain_grad
        return half - learning_rate * ascent.value_grad(half)[1]
