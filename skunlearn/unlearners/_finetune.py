"""Finetuning: gradient descent on the retain objective only."""

from ._first_order import FirstOrderUnlearner

__all__ = ["Finetune"]


class Finetune(FirstOrderUnlearner):
    """Gradient descent on the retain objective: ``w <- w - learning_rate * grad L_R(w)``.

    The convex-correct first-order baseline: it converges to the oracle, at a
    linear rate set by the conditioning of ``L_R``.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        Step size; "auto" is ``1 / L`` as in :class:`DescentAscent`.
    max_iter : int, default=100
        Number of iterations.
    divergence_factor : float, default=1e4
        Divergence threshold on the weight norm, relative to ``1 + ||w_0||``.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.unlearners import Finetune
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(50, 3)), rng.normal(size=50)
    >>> model = Ridge(unlearner=Finetune(max_iter=200)).fit(X, y).unlearn(X[:5])
    >>> bool(model.unlearn_history_["grad_norm"][-1] < 1e-6)
    True
    """

    def __init__(self, learning_rate="auto", max_iter=100, divergence_factor=1e4):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.divergence_factor = divergence_factor

    def _step(self, prepared, theta, retain_grad, learning_rate):
        return theta - learning_rate * retain_grad
