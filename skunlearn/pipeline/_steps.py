"""Planning the unlearning of one pipeline step, aside: nothing changes until commit.

Steps are planned in order on every stored row as the *new* upstream steps
transform it (``Z``): an unlearnable transformer becomes the transformer fitted
on the remaining rows of ``Z``, and the final estimator re-expresses its stored
rows as ``Z`` (not by mapping its old rows, whose low-order bits carry the old
statistics). A step's plan is ``(new_step, change, prepared)``: the fitted step
it becomes (None when it is not a transformer), how its outputs for the
remaining rows move (``None``: unchanged; ``(scale, shift)``: per column ``t ->
t * scale + shift``, which carries the final estimator's parameters over), and
a :class:`~skunlearn.linear_model._base.PreparedUnlearn` whose ``commit`` makes
the change and cannot fail.
"""

import numpy as np
import scipy.sparse as sp
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


def plan_step(what, step, Z, keep, weights, change, positions, is_final):
    """Plan one step's unlearning: see the module docstring.

    Parameters
    ----------
    what : str
        The step in words, for error messages (``"step 'scaler'"``).
    step : estimator
        The fitted step.
    Z : array-like of shape (n_stored, n_features_step)
        Every stored row (forgotten ones included, in store order) as the new
        upstream steps transform it.
    keep : ndarray of int
        Positions of the remaining rows.
    weights : ndarray of shape (n_stored,) or None
        The rows' ``sample_weight`` for this step, if it was fitted with one.
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
        features = None if change is None else (_stored_form(Z), *change)
        return None, None, step._prepare_unlearn(positions, features)
    if isinstance(step, UnlearnTransformerMixin):
        kept = None if weights is None else weights[keep]
        new, out = step._refit_copy(_safe_indexing(Z, keep), kept, change)
        return new, out, PreparedUnlearn(lambda: adopt(step, new))
    if isinstance(step, ColumnTransformer):
        new, out = _plan_columns(what, step, Z, keep, change)
        return new, out, PreparedUnlearn(lambda: adopt(step, new))
    if _is_stateless(step):
        if change is not None:
            _refuse(what, step, "is stateless, but its input changed and its output cannot follow")
        return step, None, PreparedUnlearn(lambda: None)
    _refuse(what, step, "cannot unlearn rows: it was fitted on every row, forgotten ones included")


def _stored_form(Z):
    """Rows as a row store holds them: CSR stays CSR, anything else a float64 array."""
    if sp.issparse(Z):
        return Z
    return np.ascontiguousarray(np.asarray(Z, dtype=np.float64))


def _plan_columns(what, ct, Z, keep, change):
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
            keep,
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
