"""Planning the unlearning of one pipeline step, aside: nothing changes until commit.

A step's plan is ``(new_step, change, prepared)``: the fitted step it becomes
(None when it is not a transformer), how its outputs for the remaining rows
move (``None``: unchanged; ``(scale, shift)``: per column ``t -> t * scale +
shift``), and a :class:`~skunlearn.linear_model._base.PreparedUnlearn` whose
``commit`` makes the change and cannot fail.
"""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import _safe_indexing

from ..linear_model import UnlearnMixin
from ..linear_model._base import PreparedUnlearn
from ..preprocessing import UnlearnTransformerMixin

__all__ = ["StepNotUnlearnableError", "adopt", "may_unlearn", "plan_step"]

_ADVICE = (
    "Use an unlearnable step instead (skunlearn.preprocessing.StandardScaler, MinMaxScaler, "
    "MaxAbsScaler; skunlearn.LogisticRegression, Ridge), or pass refit_unsupported=True to "
    "refit this step and the ones after it on the remaining rows."
)


class StepNotUnlearnableError(TypeError):
    """A pipeline step cannot unlearn rows, and refitting it was not allowed.

    Examples
    --------
    >>> from skunlearn.pipeline import StepNotUnlearnableError
    >>> issubclass(StepNotUnlearnableError, TypeError)
    True
    """


def adopt(step, new):
    """Make ``step`` (the object the pipeline holds) the fitted ``new`` one, in place."""
    if new is not step:
        vars(step).clear()
        vars(step).update(vars(new))


def _is_stateless(step):
    return step.__sklearn_tags__().requires_fit is False


def may_unlearn(step):
    """Whether :func:`plan_step` may plan this non-final step without refitting it.

    True for skipped, stateless and unlearnable steps, and for column
    transformers (their parts are checked when planned).
    """
    if step is None or step == "passthrough":
        return True
    unlearnable = (UnlearnTransformerMixin, ColumnTransformer)
    return isinstance(step, unlearnable) or _is_stateless(step)


def _is_identity(part):
    """A ``"passthrough"`` part: the string, or the identity ``FunctionTransformer``
    that a fitted ``ColumnTransformer`` holds in its place."""
    if isinstance(part, FunctionTransformer):
        return part.func is None and part.inverse_func is None
    return part == "passthrough"


def _refuse(what, step, reason):
    origin = f"{type(step).__name__} from {type(step).__module__.split('.')[0]}"
    raise StepNotUnlearnableError(f"{what[0].upper()}{what[1:]} ({origin}) {reason}. {_ADVICE}")


def plan_step(what, step, Z, weights, change, positions, is_final):
    """Plan one step's unlearning: see the module docstring.

    Parameters
    ----------
    what : str
        The step in words, for error messages (``"step 'scaler'"``).
    step : estimator
        The fitted step.
    Z : array-like of shape (n_forget, n_features_step)
        The forgotten rows as this step saw them at fit (old upstream steps).
    weights : ndarray of shape (n_forget,) or None
        Their ``sample_weight`` for this step, if it was fitted with one.
    change : tuple of ndarray or None
        How the step's inputs for the remaining rows moved.
    positions : ndarray of int
        Positions of the forgotten rows in the row stores.
    is_final : bool
        Whether this is the pipeline's last step.

    Returns
    -------
    new_step, change, prepared
    """
    if is_final and isinstance(step, UnlearnMixin):
        scale, shift = (None, None) if change is None else change
        return None, None, step._prepare_unlearn(positions, scale, shift)
    if isinstance(step, UnlearnTransformerMixin):
        new, out = step._unlearned_copy(Z, weights, change)
        return new, out, PreparedUnlearn(lambda: adopt(step, new))
    if isinstance(step, ColumnTransformer):
        new, out = _plan_columns(what, step, Z, change)
        return new, out, PreparedUnlearn(lambda: adopt(step, new))
    if _is_stateless(step):
        if change is not None:
            _refuse(what, step, "is stateless, but its input changed and its output cannot follow")
        return step, None, PreparedUnlearn(lambda: None)
    _refuse(what, step, "cannot unlearn rows: it was fitted on every row, forgotten ones included")


def _plan_columns(what, ct, Z, change):
    """Plan a ColumnTransformer whose parts are unlearnable, passthrough or dropped."""
    if ct.sparse_output_:
        _refuse(what, ct, "produces sparse output")
    n_out = max((s.stop for s in ct.output_indices_.values()), default=0)
    out_scale, out_shift = np.ones(n_out), np.zeros(n_out)
    transformers = []
    for part, trans, columns in ct.transformers_:
        out = ct.output_indices_[part]
        inputs = ct._transformer_to_input_indices[part]
        sub_change = None if change is None else (change[0][inputs], change[1][inputs])
        if isinstance(trans, str) or _is_identity(trans) or out.stop == out.start:
            if _is_identity(trans) and sub_change is not None:
                out_scale[out], out_shift[out] = sub_change
            transformers.append((part, trans, columns))
            continue
        new, sub_out, _ = plan_step(
            f"part {part!r} of {what}",
            trans,
            _safe_indexing(Z, columns, axis=1),
            None,
            sub_change,
            None,
            False,
        )
        if sub_out is not None:
            out_scale[out], out_shift[out] = sub_out
        transformers.append((part, new, columns))
    new_ct = type(ct).__new__(type(ct))
    vars(new_ct).update(vars(ct))
    new_ct.transformers_ = transformers
    return new_ct, (out_scale, out_shift)
