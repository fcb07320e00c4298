"""Gradient ascent on the forget set alone."""

from ._first_order import FirstOrderUnlearner

__all__ = ["GradientAscent"]


class GradientAscent(FirstOrderUnlearner):
    """Gradient ascent (GA): ``w <- w + learning_rate * grad(mean_F loss)(w)``.

    The retain set is not used by the update (only by the recorded history).
    Ascent on the forget loss alone is unbounded for separable forget rows:
    divergence is detected as in :class:`DescentAscent`.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        Step size; "auto" as in :class:`DescentAscent`.
    max_iter : int, default=100
        Number of iterations.
    divergence_factor : float, default=1e4
        Divergence threshold on the weight norm, relative to ``1 + ||w_0||``.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.unlearners import GradientAscent
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression(unlearner=GradientAscent(0.5, max_iter=5)).fit(X, y)
    >>> clf.unlearn(X[:4]).unlearn_history_["step_length"].shape
    (5,)
    """

    def __init__(self, learning_rate="auto", max_iter=100, divergence_factor=1e4):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.divergence_factor = divergence_factor

    def _prepare(self, problem):
        return problem.mean_forget_objective()

    def _step(self, forget, theta, retain_grad, learning_rate):
        return theta + learning_rate * forget.value_grad(theta)[1]
