"""Warnings and errors raised by skunlearn."""

from sklearn.exceptions import ConvergenceWarning

__all__ = ["UnlearningConvergenceWarning", "UnlearningDivergenceWarning"]


class UnlearningDivergenceWarning(RuntimeWarning):
    """Warning raised when an iterative unlearner diverges.

    Ascent-based unlearners minimise an objective that is unbounded below
    whenever the ascent term dominates along some direction [1]_. When the
    iterates become non-finite or their norm explodes, the unlearner stops,
    keeps the last finite iterate and flags its result as diverged;
    ``unlearn`` then emits this warning at the line that called it.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import warnings
    >>> from skunlearn.exceptions import UnlearningDivergenceWarning
    >>> issubclass(UnlearningDivergenceWarning, RuntimeWarning)
    True
    """


class UnlearningConvergenceWarning(ConvergenceWarning):
    """Warning raised when an unlearner stops short of its tolerance.

    An unlearner that lands on the oracle (such as
    :class:`~skunlearn.unlearners.Newton`) iterates until the gradient of the
    retain objective is below its ``tol``; when it runs out of iterations (or
    stalls) first, its result is flagged as not converged, the model is
    committed as it is, and ``unlearn`` emits this warning at the line that
    called it. The model may then be farther from the oracle than the
    tolerance promises: raise ``max_iter``, or check the data's scaling.

    Examples
    --------
    >>> from sklearn.exceptions import ConvergenceWarning
    >>> from skunlearn.exceptions import UnlearningConvergenceWarning
    >>> issubclass(UnlearningConvergenceWarning, ConvergenceWarning)
    True
    """
