"""One chunk of a chunked row store, and the operations that run where it lives.

A :class:`Shard` holds a contiguous run of training rows in fit order: ``X``
(float64, C-contiguous; in memory on a dask worker or memory-mapped from a file),
encoded targets ``y`` and sample weights ``w``, and a hash index of its rows
built on first lookup. It is never modified in place except to be erased:
removing rows builds a compacted new shard (:meth:`Shard.compacted`), so the
old one stays valid until the removal is committed.

The operations (:data:`OPS`) are plain functions ``op(shard, rows, *args)``
over the shard's rows (all of them, or all but the local positions ``skip``);
they return sums over those rows (a loss and gradient, a Hessian, Gram
statistics, ...) that the store combines over chunks in a fixed binary tree
(:func:`combine`), so the result depends only on the rows and their chunking,
never on which worker ran what or in which order it finished.
"""

import pickle

import numpy as np

from .._objective import LinearObjective
from .._solvers._gram import GramStatistics
from ._row_index import RowIndex, hash_rows
from ._sample_ids import blank

__all__ = ["OPS", "Shard", "block_flags", "combine", "run_op", "tree_pairs", "tree_reduce"]


class Shard:
    """Rows ``X`` (m, d), targets ``y`` and weights ``w`` of one chunk, owned by the shard.

    Parameters
    ----------
    X : ndarray of shape (m, n_features)
        float64, C-contiguous; taken over (a memory-mapped file's array for
        the on-disk store).
    y : ndarray of shape (m,) or (m, n_targets)
        Encoded targets; taken over.
    w : ndarray of shape (m,)
        Sample weights; taken over.
    ids : ndarray of shape (m,), default=None
        One identifier per row (``fit(..., sample_id=...)``); taken over.
    """

    def __init__(self, X, y, w, ids=None):
        self.X, self.y, self.w, self.ids = X, y, w, ids
        self.cache = {}
        self._index = None
        self._id_table = None

    @property
    def n(self):
        """Number of rows."""
        return self.X.shape[0]

    @property
    def index(self):
        """Hash index of the rows (built on first use)."""
        if self._index is None:
            self.build_index()
        return self._index

    def build_index(self):
        """Hash the rows now (at install: while they are in memory, not in a later pass)."""
        self._index = RowIndex(hash_rows(self.X))

    def rows(self, skip):
        """``(X, y, w)`` of all rows, or copies of all but the local positions ``skip``."""
        if skip is None or not len(skip):
            return self.X, self.y, self.w
        keep = np.ones(self.n, dtype=bool)
        keep[skip] = False
        return np.ascontiguousarray(self.X[keep]), self.y[keep], self.w[keep]

    def compacted(self, holes, new_X):
        """A new shard without the local rows ``holes``, its rows written into ``new_X(m, d)``."""
        keep = np.ones(self.n, dtype=bool)
        keep[holes] = False
        X = new_X(int(keep.sum()), self.X.shape[1])
        np.compress(keep, self.X, axis=0, out=X)
        return Shard(X, self.y[keep], self.w[keep], None if self.ids is None else self.ids[keep])

    def erase(self):
        """Overwrite every buffer the shard owns with zeros."""
        for buffer in (self.X, self.y, self.w):
            buffer[...] = 0
        if self.ids is not None:
            blank(self.ids)
        self._id_table = None
        if self._index is not None:
            self._index.keys[...] = 0
            self._index.positions[...] = 0
        for value in self.cache.values():
            _zero(value)
        self.cache.clear()
        self._index = None


def block_flags(shard):
    """``(X finite, y finite, w finite and >= 0, any w > 0)`` of one chunk."""
    y_finite = not np.issubdtype(shard.y.dtype, np.floating) or bool(np.isfinite(shard.y).all())
    w = shard.w
    return (
        bool(np.isfinite(shard.X).all()),
        y_finite,
        bool(np.isfinite(w).all() and (w >= 0).all()),
        bool((w > 0).any()),
    )


def _zero(value):
    if isinstance(value, np.ndarray):
        value[...] = 0
    elif isinstance(value, tuple | list):
        for part in value:
            _zero(part)


def _targets(y, spec):
    return y if spec is None else spec.kernel_targets(y)


def _weights(w, ops, y):
    """Stored weights ``w`` under ``ops``: scalings, or class weights by stored target ``y``."""
    for op, scalar in ops:
        if op == "class":
            w = w * np.asarray(scalar)[y]
        else:
            w = scalar * w if op == "mul" else w / scalar
    return w


def _objective(shard, skip, loss, layout, y_spec, w_ops):
    X, y, w = shard.rows(skip)
    n_outputs, fit_intercept = layout
    return LinearObjective(
        loss,
        X,
        _targets(y, y_spec),
        _weights(w, w_ops, y),
        n_outputs=n_outputs,
        fit_intercept=fit_intercept,
    )


def _value_grad(shard, skip, loss, layout, y_spec, w_ops, theta):
    return _objective(shard, skip, loss, layout, y_spec, w_ops)._loss_value_grad(theta)


def _loss_hessian(shard, skip, loss, layout, y_spec, w_ops, theta):
    return _objective(shard, skip, loss, layout, y_spec, w_ops).loss_hessian(theta)


def _hessp(shard, skip, loss, layout, y_spec, w_ops, theta, v):
    return _objective(shard, skip, loss, layout, y_spec, w_ops)._loss_hessp(theta, v)


def _gram(shard, skip, y_spec, w_ops, centered):
    X, y, w = shard.rows(skip)
    stats = GramStatistics.from_rows(X, _targets(y, y_spec), _weights(w, w_ops, y), centered)
    return stats.weight, stats.x_mean, stats.y_mean, stats.xx, stats.xy


def _column_moments(shard, skip, w_ops):
    X, y, w = shard.rows(skip)
    w = np.abs(_weights(w, w_ops, y))
    return np.einsum("i,ij,ij->j", w, X, X), float(np.sum(w))


def _column_sum(shard, skip, field, y_spec, w_ops):
    _, y, w = shard.rows(skip)
    values = _weights(w, w_ops, y) if field == "w" else _targets(y, y_spec)
    return float(np.sum(values))


def _class_totals(shard, skip, w_ops, n_classes):
    """Sum of the (transformed) weights of each class's rows."""
    _, y, w = shard.rows(skip)
    return np.bincount(y, _weights(w, w_ops, y), minlength=n_classes)


def _match(shard, skip, X_forget, hashes):
    """Stored rows equal to rows of ``X_forget``: ``(forget row j, local position, y, w)``."""
    index = shard.index
    lo = np.searchsorted(index.keys, hashes, side="left")
    hi = np.searchsorted(index.keys, hashes, side="right")
    rows = np.repeat(np.arange(len(hashes)), hi - lo)
    local = np.concatenate([index.positions[a:b] for a, b in zip(lo, hi, strict=True)] or [[]])
    local = local.astype(np.int64)
    equal = np.all(shard.X[local] == X_forget[rows], axis=1) if len(local) else local > 0
    rows, local = rows[equal], local[equal]
    order = np.lexsort((local, rows))
    rows, local = rows[order], local[order]
    return rows, local, shard.y[local], shard.w[local]


def _find_ids(shard, skip, requested):
    """Local position of each requested id in this chunk, -1 where it is not here."""
    if shard._id_table is None:
        shard._id_table = {value: i for i, value in enumerate(shard.ids.tolist())}
    return np.array([shard._id_table.get(value, -1) for value in requested], dtype=np.int64)


def _rows_at(shard, skip, local):
    return np.array(shard.X[local]), np.array(shard.y[local]), np.array(shard.w[local])


OPS = {
    "value_grad": _value_grad,
    "loss_hessian": _loss_hessian,
    "hessp": _hessp,
    "gram": _gram,
    "column_moments": _column_moments,
    "column_sum": _column_sum,
    "class_totals": _class_totals,
    "match": _match,
    "find_ids": _find_ids,
    "rows_at": _rows_at,
}

# Operations whose result depends only on the rows and the arguments (no parameters):
# cached on the shard while it lives, so an unlearning recomputes only the chunks it changed.
_CACHED = {"gram", "column_moments", "column_sum", "class_totals"}


def run_op(shard, name, skip, *args):
    """Run operation ``name`` of :data:`OPS` on the shard's rows (minus ``skip``)."""
    if name not in _CACHED or skip is not None:
        return OPS[name](shard, skip, *args)
    key = (name, pickle.dumps(args))
    if key not in shard.cache:
        shard.cache[key] = OPS[name](shard, None, *args)
    return shard.cache[key]


def combine(kind, a, b=None):
    """Combine two chunks' results: ``"sum"`` adds them, ``"gram"`` merges Gram statistics.

    A single result (``b`` None: the odd one out of a tree level) is returned as it is.

    Gram statistics are centred at each chunk's own weighted mean; two of
    them merge by Chan et al.'s pairwise update (exact in exact arithmetic,
    no cancellation between large uncentred sums): with weights ``Wa, Wb``
    and ``delta`` the difference of the means, the scatter is ``XXa + XXb +
    (Wa Wb / W) delta delta^T``.
    """
    if b is None:
        return a
    if kind == "gram":
        return _merge_gram(a, b)
    if isinstance(a, tuple):
        return tuple(combine(kind, p, q) for p, q in zip(a, b, strict=True))
    return a + b


def _merge_gram(a, b):
    wa, xa, ya, xxa, xya = a
    wb, xb, yb, xxb, xyb = b
    weight = wa + wb
    if wa == 0.0 or wb == 0.0:
        return (weight, *(b if wa == 0.0 else a)[1:])
    dx, dy = xb - xa, yb - ya
    f = wa * wb / weight
    x_mean = xa + dx * (wb / weight)
    y_mean = ya + dy * (wb / weight)
    xx = xxa + xxb + f * np.outer(dx, dx)
    return weight, x_mean, y_mean, xx, xya + xyb + f * np.outer(dx, dy)


def tree_pairs(n):
    """The fixed binary tree over ``n`` chunk results: per level, the pairs to combine.

    Level by level, results ``2i`` and ``2i + 1`` combine and an odd last one
    moves up unchanged; every backend reduces in this order.
    """
    levels = []
    while n > 1:
        levels.append([(i, i + 1) if i + 1 < n else (i,) for i in range(0, n, 2)])
        n = (n + 1) // 2
    return levels


def tree_reduce(results, kind):
    """Combine in-process results in the order of :func:`tree_pairs`."""
    results = list(results)
    for level in tree_pairs(len(results)):
        results = [combine(kind, *(results[i] for i in pair)) for pair in level]
    return results[0]
