"""Base class of unlearning strategies and the one place aliases are resolved."""

from sklearn.base import BaseEstimator

from .._solvers import History

__all__ = ["BaseUnlearner"]


class BaseUnlearner(BaseEstimator):
    """Base class for unlearning strategies.

    A strategy is a small estimator-like object holding hyperparameters only.
    Its :meth:`run` validates them like scikit-learn parameters and maps an
    :class:`~skunlearn.unlearners.UnlearningProblem` to an
    :class:`~skunlearn.unlearners.UnlearningResult`, without touching the
    estimator: the estimator commits the result. ``_lands_on_oracle`` (a
    class attribute) says whether the strategy, at its default settings,
    reaches the oracle to the estimator's ``oracle_tolerance`` (see
    :class:`~skunlearn.utils.UnlearnTags`); approximate strategies leave it False.

    Examples
    --------
    A custom strategy implements ``_run(problem)``:

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

    _parameter_constraints: dict = {}
    _lands_on_oracle = False
    _data_free = False  # True: unlearns from the forget rows alone (no row store)

    def run(self, problem):
        """Validate the hyperparameters and compute the unlearned parameters.

        Parameters
        ----------
        problem : UnlearningProblem
            Stored rows, weights and state of the estimator being unlearned.

        Returns
        -------
        result : UnlearningResult
        """
        self._validate_params()
        return self._run(problem)

    def _run(self, problem):
        raise NotImplementedError


def empty_history():
    """A history with no iterations."""
    return History().arrays()
