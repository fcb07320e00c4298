"""An unlearning computed aside, and how it is committed, rolled back and warned about.

Preparing an unlearning may rearrange a row store in place (the forgotten rows
are moved behind the others, so that the remaining rows are exactly the rows a
refit would see); everything else is computed aside. The public ``unlearn``
(of an estimator or a pipeline) then emits the warnings, rolling every
preparation back if that raises (a warning turned into an error), and commits
under :func:`ctrl_c_deferred`.
"""

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning, warn_at_caller
from ..unlearners import UnlearningResult

__all__ = [
    "PreparedUnlearn",
    "check_result",
    "ctrl_c_deferred",
    "result_warnings",
    "rolled_back_on_error",
]


@dataclass
class PreparedUnlearn:
    """An unlearning computed aside: ``commit()`` applies it and cannot fail.

    ``warnings`` lists ``(message, category)`` pairs that the public method
    emits (pointing at its caller) before it commits; ``rollback`` undoes what
    the preparation changed in place (None: nothing).
    """

    commit: object
    warnings: list = field(default_factory=list)
    rollback: object = None

    def emit_warnings(self):
        """Warn at the line that called the public method; call it from that method."""
        for message, category in self.warnings:
            warn_at_caller(message, category, depth=1)

    def undo(self):
        """Restore what the preparation changed in place."""
        if self.rollback is not None:
            self.rollback()


@contextmanager
def rolled_back_on_error(plans):
    """Undo every prepared plan (last first) when the block raises, then re-raise."""
    try:
        yield
    except BaseException:
        for plan in reversed(plans):
            plan.undo()
        raise


@contextmanager
def ctrl_c_deferred():
    """Hold a Ctrl-C (SIGINT) that arrives in the block until the block has finished.

    The in-place commit of ``unlearn`` then never stops halfway; the interrupt is
    delivered to the previous handler right after. Only the main thread receives
    signals, so elsewhere (or with a handler not installed from Python) this does nothing.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(*received[0])


def check_result(result, theta0):
    """Refuse an unlearner's result that cannot be committed, before anything changes."""
    if not isinstance(result, UnlearningResult):
        raise TypeError(f"The unlearner returned {type(result).__name__}, not UnlearningResult.")
    theta = np.asarray(result.theta)
    if theta.shape != theta0.shape or not np.all(np.isfinite(theta)):
        raise ValueError(
            f"The unlearner returned parameters of shape {theta.shape}; expected "
            f"{theta0.shape}, all finite. The estimator is unchanged."
        )
    if not all(np.all(np.isfinite(values)) for values in result.history.values()):
        raise FloatingPointError(
            "The unlearner's history holds NaN or infinity: its result cannot be trusted. "
            "The estimator is unchanged."
        )


def result_warnings(unlearner, result):
    """The warnings a result's flags call for."""
    name = type(unlearner).__name__
    if result.diverged:
        return [(f"{name} diverged: {result.reason}.", UnlearningDivergenceWarning)]
    if not result.converged:
        detail = f": {result.reason}" if result.reason else ""
        return [
            (
                f"{name} stopped before reaching its tolerance{detail}. The committed model is "
                "not the oracle to that accuracy; increase the unlearner's max_iter.",
                UnlearningConvergenceWarning,
            )
        ]
    return []
