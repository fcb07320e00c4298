"""Retraining from scratch on the remaining rows: the oracle, for reference."""

from ._base import BaseUnlearner
from ._problem import UnlearningResult

__all__ = ["Retrain"]


class Retrain(BaseUnlearner):
    """Refit from scratch on the remaining rows with the estimator's own solver.

    This is the oracle that every other unlearner is measured against. It
    costs a full fit.

    See Also
    --------
    Newton : Reaches the same model from the current weights, much faster.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> X = np.arange(20.0).reshape(10, 2) ** 0.5
    >>> y = X @ [1.0, -2.0]
    >>> model = Ridge(unlearner="retrain").fit(X, y).unlearn(X[:3])
    >>> model.n_forgotten_
    3
    """

    _lands_on_oracle = True

    def _run(self, problem):
        return UnlearningResult.from_solver(problem.refit(problem), problem.retain_total)
