"""Warnings and errors raised by skunlearn."""

__all__ = ["UnlearningDivergenceWarning"]


class UnlearningDivergenceWarning(RuntimeWarning):
    """Warning raised when an iterative unlearner diverges.

    Ascent-based unlearners minimise an objective that is unbounded below
    whenever the ascent term dominates along some direction [1]_. When the
    iterates become non-finite or their norm explodes, the unlearner stops,
    keeps the last finite iterate and emits this warning.

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
