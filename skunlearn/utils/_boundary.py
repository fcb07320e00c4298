"""Warnings at the public boundary: a planned ``unlearn`` carries them to the public method.

The unlearner's result says whether it converged or diverged
(:class:`~skunlearn.unlearners.UnlearningResult`); nothing deep inside warns.
The planning step turns those flags into ``(message, category)`` pairs kept
with its commit, and the public ``unlearn`` (of an estimator or of a
pipeline, whatever the depth in between) emits them with one fixed
``stacklevel``, so they point at the user's line. They are emitted before the
commit: turned into errors, they leave the estimator unchanged.
"""

import warnings

from ..exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning

__all__ = ["PlannedCommit", "result_warnings", "warn_at_caller"]


class PlannedCommit:
    """A planned ``unlearn``: calling it commits (and cannot fail).

    Parameters
    ----------
    apply : callable
        Makes the change.
    warnings : list of (str, type), default=()
        ``(message, category)`` pairs for the public method to emit with
        :func:`warn_at_caller` before it commits.
    """

    def __init__(self, apply, warnings=()):
        self._apply = apply
        self.warnings = list(warnings)

    def __call__(self):
        self._apply()


def result_warnings(unlearner, result):
    """``(message, category)`` pairs for a result flagged diverged or not converged."""
    name = type(unlearner).__name__
    if result.diverged:
        text = f"{name} diverged after {result.n_iter} iterations. Kept the last finite iterate."
        return [(result.message or text, UnlearningDivergenceWarning)]
    if not result.converged:
        tol = getattr(unlearner, "tol", None)
        target = "its tolerance" if tol is None else f"tol={tol:g}"
        grad_norm = result.history.get("grad_norm", [])
        last = f" (last gradient norm {grad_norm[-1]:.3g})" if len(grad_norm) else ""
        text = (
            f"{name} stopped after {result.n_iter} iterations short of {target}{last}: the "
            "model may be farther from the oracle (the refit without the rows) than promised. "
            "Increase max_iter; if the gradient stalls near rounding level, rescale the "
            "features (float64 cannot resolve a smaller gradient)."
        )
        return [(result.message or text, UnlearningConvergenceWarning)]
    return []


def warn_at_caller(commits):
    """Emit the warnings of planned commits at the line that called ``unlearn``.

    Call it directly from the public ``unlearn`` method: the fixed
    ``stacklevel`` skips this function and that method, so the warning points
    at the user's line whatever the depth at which the result was computed.
    """
    for commit in commits:
        for message, category in getattr(commit, "warnings", ()):
            warnings.warn(message, category, stacklevel=3)
