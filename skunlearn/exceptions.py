"""Warnings and errors raised by skunlearn."""

import sys
import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = [
    "CertificateExhaustedError",
    "ForgetRequestWarning",
    "RowsLostError",
    "UnlearningConvergenceWarning",
    "UnlearningDivergenceWarning",
    "warn_at_caller",
]


class CertificateExhaustedError(ValueError):
    """Raised when a certified removal would exceed its budget or capacity.

    :class:`~skunlearn.unlearners.CertifiedNewton` with
    ``on_exhausted="raise"`` raises it instead of retraining;
    :class:`~skunlearn.unlearners.DataFreeNewton` raises it once its deletion
    capacity is used (it keeps no rows to retrain on). The estimator is
    unchanged.

    Examples
    --------
    >>> from skunlearn.exceptions import CertificateExhaustedError
    >>> issubclass(CertificateExhaustedError, ValueError)
    True
    """


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


class RowsLostError(RuntimeError):
    """Error raised when training rows a model keeps on a dask cluster are lost.

    A model fitted on a dask array keeps its rows in the memory of the
    workers that built them (see the README, "Data beyond one machine").
    Those rows are never recomputed from the source, which still holds any
    row forgotten since: when a worker holding them is gone, every operation
    that needs them (``unlearn``) raises this error with nothing changed,
    and the model must be refitted. Its fitted parameters stay usable.

    Examples
    --------
    >>> from skunlearn.exceptions import RowsLostError
    >>> issubclass(RowsLostError, RuntimeError)
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
        The warning's text.
    category : type of Warning
        Its class.
    depth : int, default=0
        Frames between the public method and this call.

    Examples
    --------
    >>> import warnings
    >>> from skunlearn.exceptions import UnlearningConvergenceWarning, warn_at_caller
    >>> def unlearn():
    ...     warn_at_caller("stopped short of the tolerance", UnlearningConvergenceWarning)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     unlearn()  # the warning points at this line, not inside unlearn
    >>> caught[0].filename.startswith("<doctest")
    True
    """
    level = 3 + depth
    frame = sys._getframe(level - 1)
    while frame is not None and _passed_through(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


_PASS_THROUGH = set()  # code objects of wrappers that warn_at_caller looks through
# scikit-learn's code that calls a public method for the user (a pipeline's fit calls its
# steps' fit, fit_transform calls fit): a warning that would point into it points at its
# caller instead. skunlearn's own such methods are marked with pass_through.
_PASS_THROUGH_MODULES = {"sklearn.base", "sklearn.pipeline", "sklearn.utils._set_output"}


def _passed_through(frame):
    return (
        frame.f_code in _PASS_THROUGH or frame.f_globals.get("__name__") in _PASS_THROUGH_MODULES
    )


def pass_through(function):
    """Make :func:`warn_at_caller` look through the frames of ``function``: a wrapper
    around public methods, or a public method that calls another for the user (a
    pipeline's ``fit``, ``partial_fit`` on an unfitted estimator)."""
    _PASS_THROUGH.add(function.__code__)
    return function
