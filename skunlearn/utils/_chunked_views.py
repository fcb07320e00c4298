"""Lazy views over rows kept in chunks, and the objective computed where the chunks live.

``ChunkedRows.X``, ``y``, ``sample_weight`` and ``head(m)`` return these views
(:mod:`~skunlearn.utils._chunked_rows`): :class:`ChunkedMatrix` and
:class:`ChunkedColumn` support the few operations the estimators apply to their
rows (scalar scaling, zeroing rows, sums, target mapping); gathering a view
into memory raises. The objective (:class:`ChunkedObjective`), Gram statistics
and column moments over a view are computed chunk by chunk where the rows live
and combined in a fixed binary tree over the chunks, so results depend on the
rows and their chunking only.
"""

import numpy as np

from .._objective import LinearObjective

__all__ = ["ChunkedColumn", "ChunkedMatrix", "ChunkedObjective"]


class ChunkedColumn:
    """Lazy view of the targets or weights of chunked rows, with scalings and a target map.

    Supports what the estimators do with their stored targets and weights:
    ``np.sum``, multiplication and division by a scalar, zeroing rows
    (``view[positions] = 0``), dropping them (``view[mask]`` with a boolean
    mask, False at the dropped rows), class weights (:meth:`by_class`),
    :meth:`kernel_targets` and per-class sums (:meth:`class_totals`).
    Everything else (``np.asarray``, fancy indexing) raises: the values stay
    where they live.
    """

    def __init__(self, store, field, rows, ops=(), spec=None):
        self.store, self.field, self.rows, self.ops, self.spec = store, field, rows, ops, spec

    @property
    def shape(self):
        """``(n_rows,)`` (weights) or ``(n_rows, *target_shape)``."""
        n = self.store._count(self.rows)
        return (n,) if self.field == "w" else (n, *self.store._y_shape)

    @property
    def ndim(self):
        """Number of dimensions."""
        return len(self.shape)

    def __len__(self):
        return self.shape[0]

    def _with(self, op, scalar):
        if self.field != "w":
            raise TypeError("Only sample weights can be scaled.")
        return ChunkedColumn(self.store, "w", self.rows, (*self.ops, (op, float(scalar))))

    def __mul__(self, scalar):
        return self._with("mul", scalar)

    __rmul__ = __mul__

    def __truediv__(self, scalar):
        return self._with("div", scalar)

    def __setitem__(self, positions, value):
        if np.any(np.asarray(value) != 0):
            raise NotImplementedError("Chunked rows can only be zeroed (dropped) by position.")
        self.rows = self.store.excluding(self.rows, positions)

    def __getitem__(self, mask):
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(self),):
            raise NotImplementedError("Chunked rows are selected by a boolean mask of all rows.")
        rows = self.store.excluding(self.rows, np.flatnonzero(~mask))
        return ChunkedColumn(self.store, self.field, rows, self.ops, self.spec)

    def kernel_targets(self, spec):
        """The targets in the kernel layout of ``spec`` (mapped where they live)."""
        return ChunkedColumn(self.store, "y", self.rows, spec=spec)

    def by_class(self, encoded, class_weight):
        """These weights times ``class_weight[t]``, ``t`` each row's stored target
        (``encoded``: this store's stored targets; hook of ``ObjectiveSpec.sample_weights``)."""
        if not (isinstance(encoded, ChunkedColumn) and encoded.store is self.store):
            raise TypeError("Chunked weights are weighed by their own rows' stored targets.")
        if encoded.field != "y" or encoded.spec is not None:
            raise TypeError("Class weights index the stored targets, not mapped ones.")
        weights = tuple(float(v) for v in np.asarray(class_weight, dtype=np.float64))
        return ChunkedColumn(self.store, "w", self.rows, (*self.ops, ("class", weights)))

    def class_totals(self, weights, n_classes):
        """Sum of ``weights`` over the rows of each stored class, shape ``(n_classes,)``
        (hook of the classifiers' per-class totals; ``self``: stored targets)."""
        _check_same_rows(self, None, weights)
        return self.store.reduce("class_totals", weights.rows, (weights.ops, n_classes))

    def sum(self, axis=None, dtype=None, out=None):
        """Sum of the values (``np.sum`` calls it)."""
        if axis is not None or out is not None:
            raise NotImplementedError("Chunked columns sum over all rows only.")
        return self.store.reduce("column_sum", self.rows, (self.field, self.spec, self.ops))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"These rows live {self.store._backend.where}: they are not gathered.")


class ChunkedMatrix:
    """Lazy view of chunked rows ``X``: builds objectives and statistics over itself."""

    dtype = np.dtype(np.float64)
    ndim = 2

    def __init__(self, store, rows):
        self.store, self.rows = store, rows

    @property
    def shape(self):
        """``(n_rows, n_features)``."""
        return self.store._count(self.rows), self.store._d

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"These rows live {self.store._backend.where}: they are not gathered.")

    def linear_objective(self, loss, y, weights, **layout_and_penalty):
        """A :class:`ChunkedObjective` over these rows (hook of ``linear_objective``)."""
        return ChunkedObjective(loss, self, y, weights, **layout_and_penalty)

    def gram_statistics(self, Y, sample_weight, centered):
        """``(weight, x_mean, y_mean, xx, xy)`` of the rows, merged over chunks."""
        _check_same_rows(self, Y, sample_weight)
        args = (Y.spec, sample_weight.ops, centered)
        weight, x_mean, y_mean, xx, xy = self.store.reduce(
            "gram", sample_weight.rows, args, kind="gram"
        )
        return float(weight), x_mean, y_mean, (xx + xx.T) / 2, xy

    def column_moments(self, weights):
        """``(sum_i |w_i| x_ij^2 per column, sum_i |w_i|)`` over the rows."""
        _check_same_rows(self, None, weights)
        return self.store.reduce("column_moments", weights.rows, (weights.ops,))


def _check_same_rows(X, y, weights):
    for column in (y, weights):
        if column is not None and (
            not isinstance(column, ChunkedColumn) or column.store is not X.store
        ):
            raise TypeError("Chunked rows need their own targets and weights (lazy views).")


class ChunkedObjective(LinearObjective):
    """:class:`~skunlearn._objective.LinearObjective` over chunked rows, evaluated where they live.

    The weighted loss, its gradient, Hessian and Hessian-vector products are
    summed per chunk by the same numba kernels and combined in a fixed binary
    tree over the chunks; the penalty and the gauge term are added here by
    the base class. The rows are those of the weights view (a zeroed row is
    skipped, as a zero weight skips it in memory).
    """

    def __init__(self, loss, X, y, weights, **layout_and_penalty):
        _check_same_rows(X, y, weights)
        super().__init__(loss, X, y, weights, **layout_and_penalty)
        self._total = None

    @property
    def total_weight(self):
        """Sum of the row weights (computed once)."""
        if self._total is None:
            self._total = float(np.sum(self.weights))
        return self._total

    def _args(self, *extra):
        layout = (self.n_outputs, self.fit_intercept)
        # the loss's spec, not its kernel's name: it carries the kernel parameters
        return (self.spec, layout, self.y.spec, self.weights.ops, *extra)

    def _loss_value_grad(self, theta):
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        value, grad = self.X.store.reduce("value_grad", self.weights.rows, self._args(theta))
        return float(value), grad

    def loss_hessian(self, theta):
        """Hessian of the weighted loss alone, summed over chunks."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        return self.X.store.reduce("loss_hessian", self.weights.rows, self._args(theta))

    def _loss_hessian_value_grad(self, theta):
        """The loss alone's Hessian, value and gradient, and the column squares of the
        weighted rows: three reductions over the chunks (no fused pass across them)."""
        value, grad = self._loss_value_grad(theta)
        squares, _ = self.X.column_moments(self.weights)
        return self.loss_hessian(theta), value, grad, squares

    def _loss_hessp(self, theta, v):
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        v = np.ascontiguousarray(v, dtype=np.float64)
        return self.X.store.reduce("hessp", self.weights.rows, self._args(theta, v))

    def hessian_operator(self, theta):
        """``v -> hessp(theta, v)``: one map-reduce over the chunks per product."""
        return lambda v: self.hessp(theta, v)
