"""How a refitted step's output columns relate to its old ones: the map that carries a model.

When forgetting rows changes a pipeline step, the final estimator's stored
rows are re-expressed in the refitted prefix's output, and its parameters are
carried into that feature space by a :class:`ColumnMap`: each new column
either comes from an old one (``t_new ~ t_old * scale + shift``, exactly so
for an affine step such as a scaler) or is new. Kept columns keep their
coefficients (rescaled), vanished ones (a category, a term, an infrequent
group no remaining row has) are dropped, new ones (a category that stopped
being infrequent) start at 0 — the same idea as a vanishing class. The map
is only the unlearner's starting point: Newton then lands on the refit's
oracle whatever it is; a good map saves iterations.

Columns are matched by *provenance names*: each step's
``get_feature_names_out`` fed with its input's names, from the raw columns
on, so a column keeps its name through one-to-one steps (``"num__income"``
stays ``"num__income"`` through a scaler) and categories and terms are named
by value (``"city_Oslo"``). Affine steps (the scalers) compose their exact
maps; column transformers and nested pipelines map part by part; a step
without feature names is taken as column-wise when it keeps the width.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline as SklearnPipeline
from sklearn.preprocessing import FunctionTransformer

__all__ = ["ColumnMap", "input_names", "step_map"]


@dataclass(frozen=True)
class ColumnMap:
    """New column ``j`` is old column ``source[j]`` times ``scale[j]`` plus ``shift[j]``.

    Attributes
    ----------
    source : ndarray of shape (n_new,), dtype int64
        The old column each new column comes from, -1 for a new column.
    scale, shift : ndarray of shape (n_new,)
        The per-column affine map (1 and 0 when only the column is known).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.pipeline._column_map import ColumnMap
    >>> moved = ColumnMap.by_names(["a", "b", "c"], ["c", "a", "d"])
    >>> moved.source
    array([ 2,  0, -1])
    >>> coef, intercept = moved.carry(np.array([[1.0, 2.0, 3.0]]), np.array([0.5]))
    >>> coef, intercept
    (array([[3., 1., 0.]]), array([0.5]))
    """

    source: np.ndarray
    scale: np.ndarray
    shift: np.ndarray

    @classmethod
    def columns(cls, source):
        """Known columns only: scale 1, shift 0."""
        source = np.asarray(source, dtype=np.int64)
        return cls(source, np.ones(len(source)), np.zeros(len(source)))

    @classmethod
    def identity(cls, n_columns):
        """Nothing moved."""
        return cls.columns(np.arange(n_columns))

    @classmethod
    def by_names(cls, old_names, new_names):
        """Columns matched by name."""
        where = {name: j for j, name in enumerate(old_names)}
        return cls.columns([where.get(name, -1) for name in new_names])

    @property
    def n_columns(self):
        """Number of new columns."""
        return len(self.source)

    def plain(self):
        """The same columns, the affine part dropped (a non-affine one-to-one step)."""
        return ColumnMap.columns(self.source)

    def then_affine(self, old, new):
        """Through a one-to-one affine step ``t = z * M + A`` per column, fitted before
        (``old = (M, A)``) and after (``new = (M', A')``), with this map on its input.

        With ``z' = a z + b``: ``t' = t (a M' / M) + (b M' + A' - a A M' / M)``.
        Columns whose maps are not finite (a column missing on every row)
        keep a plain match.
        """
        (mult, offset), (new_mult, new_offset) = old, new
        kept = self.source >= 0
        old_mult, old_offset = np.ones(self.n_columns), np.zeros(self.n_columns)
        old_mult[kept], old_offset[kept] = mult[self.source[kept]], offset[self.source[kept]]
        with np.errstate(all="ignore"):
            scale = self.scale * new_mult / old_mult
            shift = self.shift * new_mult + new_offset - old_offset * scale
        bad = ~(np.isfinite(scale) & np.isfinite(shift) & (scale != 0))
        scale[bad], shift[bad] = 1.0, 0.0
        return ColumnMap(self.source, np.where(kept, scale, 1.0), np.where(kept, shift, 0.0))

    def restricted(self, old_columns, new_columns):
        """The map between sub-blocks: new columns ``new_columns`` from old ``old_columns``."""
        position = {int(c): k for k, c in enumerate(old_columns)}
        picked = self.source[np.asarray(new_columns, dtype=np.int64)]
        source = np.array([position.get(int(c), -1) for c in picked], dtype=np.int64)
        kept = source >= 0
        scale = np.where(kept, self.scale[new_columns], 1.0)
        return ColumnMap(source, scale, np.where(kept, self.shift[new_columns], 0.0))

    def carry(self, coef, intercept):
        """A linear model's ``(coef, intercept)`` in the new columns: same outputs on kept ones.

        ``coef`` is ``(n_outputs, n_old)`` or ``(n_old,)``; ``intercept`` an
        array or a float; the results keep those forms.
        """
        flat = np.ndim(coef) == 1
        old = np.atleast_2d(np.asarray(coef, dtype=np.float64))
        kept = (self.source >= 0) & (self.source < old.shape[1])
        new = np.zeros((old.shape[0], self.n_columns))
        new[:, kept] = old[:, self.source[kept]] / self.scale[kept]
        moved = np.asarray(intercept, dtype=np.float64) - new[:, kept] @ self.shift[kept]
        moved = float(moved[0]) if np.ndim(intercept) == 0 else moved.reshape(np.shape(intercept))
        return (new[0] if flat else new), moved


def input_names(step, n_columns):
    """The provenance names of a pipeline's raw columns."""
    names = getattr(step, "feature_names_in_", None)
    return [f"x{j}" for j in range(n_columns)] if names is None else [str(n) for n in names]


def _names_out(step, names_in):
    for args in ((names_in,), ()):
        try:
            return [str(name) for name in step.get_feature_names_out(*args)]
        except (AttributeError, ValueError, TypeError):
            continue
    return None


def _is_identity(step):
    """``"passthrough"``, or the identity ``FunctionTransformer`` fitted in its place."""
    if isinstance(step, FunctionTransformer):
        return step.func is None and step.inverse_func is None
    return step is None or (isinstance(step, str) and step == "passthrough")


def step_map(old, new, in_map, old_in, new_in, n_out):
    """``(map, old names out, new names out)`` of a step refitted as ``new``.

    Parameters
    ----------
    old, new : transformer
        The fitted step before and after.
    in_map : ColumnMap
        How its input columns moved.
    old_in, new_in : list of str
        Provenance names of its input columns, before and after.
    n_out : int
        Number of columns ``new`` outputs.
    """
    if _is_identity(new):
        return in_map, old_in, new_in
    if isinstance(new, SklearnPipeline):
        return _pipeline_map(old, new, in_map, old_in, new_in, n_out)
    old_out, new_out = _names_out(old, old_in), _names_out(new, new_in)
    if isinstance(new, ColumnTransformer):
        return _columns_map(old, new, in_map, old_in, new_in), old_out, new_out
    if hasattr(new, "_affine") and hasattr(old, "_affine"):
        return in_map.then_affine(old._affine(), new._affine()), old_out, new_out
    if old_out is not None and new_out is not None:
        return ColumnMap.by_names(old_out, new_out), old_out, new_out
    if n_out is None or n_out == len(new_in):  # no names: column-wise if it keeps the width
        return in_map.plain(), old_in, new_in
    fresh = [f"{type(new).__name__}{j}" for j in range(n_out)]
    return ColumnMap.columns(np.full(n_out, -1)), [], fresh


def _pipeline_map(old, new, in_map, old_in, new_in, n_out):
    steps = [(o, n) for (_, o), (_, n) in zip(old.steps, new.steps, strict=True)]
    for k, (o, n) in enumerate(steps):
        width = n_out if k == len(steps) - 1 else None
        in_map, old_in, new_in = step_map(o, n, in_map, old_in, new_in, width)
    return in_map, old_in, new_in


def _columns_map(old, new, in_map, old_in, new_in):
    """Part by part: each part maps its own input block to its own output block."""
    n_out = max((s.stop for s in new.output_indices_.values()), default=0)
    source, scale, shift = np.full(n_out, -1), np.ones(n_out), np.zeros(n_out)
    old_parts = dict(old.named_transformers_)
    for name, out in new.output_indices_.items():
        old_out = old.output_indices_.get(name)
        if out.stop == out.start or old_out is None or name not in old_parts:
            continue
        old_cols = old._transformer_to_input_indices[name]
        new_cols = new._transformer_to_input_indices[name]
        part_map = _part_map(
            old_parts[name],
            new.named_transformers_[name],
            in_map.restricted(old_cols, new_cols),
            ([old_in[c] for c in old_cols], [new_in[c] for c in new_cols]),
            out.stop - out.start,
        )
        kept = part_map.source >= 0
        source[out] = np.where(kept, part_map.source + old_out.start, -1)
        scale[out], shift[out] = part_map.scale, part_map.shift
    return ColumnMap(source.astype(np.int64), scale, shift)


def _part_map(old, new, in_map, names_in, n_out):
    if isinstance(new, str):  # "drop" has no output; "passthrough" is the identity
        return in_map
    return step_map(old, new, in_map, *names_in, n_out)[0]
