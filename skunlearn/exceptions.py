"""Warnings and errors raised by skunlearn."""

import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "ForgetRequestWarning",
    "UnlearningConvergenceWarning",
    "UnlearningDivergenceWarning",
    "warn_at_caller",
]


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


class UnlearningConvergenceWarning(ConvergenceWarning):
    """Warning raised when an unlearner stops before reaching its tolerance.

    ``unlearn`` commits the parameters the unlearner reached (they are
    returned, as scikit-learn's solvers do after ``max_iter``), but they are
    not the oracle to the requested accuracy: raise the unlearner's
    ``max_iter`` or check its ``tol``. The warning points at the line that
    called ``unlearn``.

    Examples
    --------
    >>> from sklearn.exceptions import ConvergenceWarning
    >>> from skunlearn.exceptions import UnlearningConvergenceWarning
    >>> issubclass(UnlearningConvergenceWarning, ConvergenceWarning)
    True
    """


class ForgetRequestWarning(UserWarning):
    """Warning raised when ``unlearn(..., missing="ignore")`` skips rows or ids.

    Deletion requests are retried: forgetting the same customer twice, or an
    id that was never trained on, is then a no-op for that row, reported by
    this warning (which counts the skipped entries and quotes none of them)
    rather than an error. The warning points at the line that called
    ``unlearn``.

    Examples
    --------
    >>> from skunlearn.exceptions import ForgetRequestWarning
    >>> issubclass(ForgetRequestWarning, UserWarning)
    True
    """


def warn_at_caller(message, category, depth=0):
    """Warn at the line that called the public method which calls this.

    Public methods call it, with ``depth`` the number of frames between them
    and this call, after the inner code returned its flags: the fixed
    ``stacklevel`` then points at the user's line however deep the work ran
    (a ``Pipeline`` adds frames).

    Parameters
    ----------
    message : str
    category : type of Warning
    depth : int, default=0
        Frames between the public method and this call.
    """
    warnings.warn(message, category, stacklevel=3 + depth)
