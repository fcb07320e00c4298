"""Gram statistics kept per hash bucket: an unlearning recomputes only the buckets it touched.

The rows are split into ``B = 2^b`` buckets by the top ``b`` bits of their
hash (:func:`bucket_bits` picks ``b`` from the number of rows and features).
Each bucket keeps the weight, means and centred scatter matrices of its rows
in store order (one kernel: centring, then BLAS ``dsyrk`` on the centred
rows); the buckets are the leaves of a fixed binary tree whose inner nodes
merge their children by Chan et al.'s pairwise formula, and the root, as a
:class:`~skunlearn._solvers.GramStatistics`, is the statistics of all rows.
Nothing is ever subtracted, so:

- every node is a function of the rows in its buckets, in their order: after
  an unlearning the tree equals, bit for bit, the tree a fit on the remaining
  rows builds (bucket membership depends on a row's values only, and the
  removal keeps the order of the others);
- a forgotten row that dominated the sums (an outlier, a large weight, a
  large offset) leaves no cancellation error behind: its bucket is recomputed
  from the rows that remain. Each node holds its means as one of its rows
  plus an offset, so that the difference of two nodes' means, which the
  merge multiplies into the scatter, is exact to its own rounding even for
  features near 1e9.

Unlearning ``k`` rows recomputes the (at most ``k``) buckets that held them,
``O(n d^2 / B)`` each, and the ``O(log B)`` inner nodes above each; when the
number of buckets changes (the row count crossed a power of two) everything
is rebuilt, as a fit would. The tree holds ``2B`` nodes of ``d^2`` floats,
at most about half the size of X (buckets hold at least ``4 d`` rows; the
arrays of the fit's buckets are shared, each later bucket has its own). A
pickle keeps the root only; the tree is rebuilt from the rows at the next
unlearning.
"""

from dataclasses import dataclass, replace

import numpy as np
from numba import njit, prange

from .._kernels import single_threaded_blas
from .._kernels._config import PARALLEL_MIN_SIZE
from .._kernels._syrk import _UPPER_NOTRANS, syrk_rows
from ._gram import GramStatistics

__all__ = ["BucketedGram", "bucket_bits"]

# Rows per bucket per feature, at least: the tree (2B nodes of d^2 floats) then
# takes at most about half the memory of X (n d floats).
ROWS_PER_FEATURE = 4

# The kernels below run without fastmath: their sums must be in a fixed order
# (a function of the rows only, whatever the buffers' alignment).
_KERNEL = dict(cache=True, error_model="numpy")


def bucket_bits(n_rows, n_features):
    """``b`` such that ``2^b`` buckets hold at least ``4 n_features`` rows each (at least 0).

    A function of the row count that changes only at powers of two.

    Examples
    --------
    >>> bucket_bits(1_000_000, 100), bucket_bits(100, 100)
    (11, 0)
    """
    ratio = int(n_rows) // (ROWS_PER_FEATURE * max(int(n_features), 1))
    return max(ratio.bit_length() - 1, 0)


@njit(inline="always", error_model="numpy")
def _bucket(h, bits):
    """The top ``bits`` bits of a hash, as an unsigned number."""
    if bits == 0:
        return 0
    return np.int64(np.uint64(h) >> np.uint64(64 - bits))


@njit(**_KERNEL)
def _bucket_counts(hashes, bits):
    counts = np.zeros(1 << bits, dtype=np.int64)
    for i in range(hashes.shape[0]):
        counts[_bucket(hashes[i], bits)] += 1
    return counts


@njit(**_KERNEL)
def _bucket_rows(hashes, bits, cursor, rows):
    """Row positions of the buckets whose ``cursor`` is not -1, bucket by bucket, in order."""
    for i in range(hashes.shape[0]):
        b = _bucket(hashes[i], bits)
        if cursor[b] >= 0:
            rows[cursor[b]] = i
            cursor[b] += 1


@njit(inline="always", error_model="numpy")
def _centre(source, rows, w, ref, offset, out, weight):
    """``out[i] = (source[rows[i]] - ref - offset) * sqrt(w)``, the offset the weighted
    mean of ``source[rows] - ref`` (zero when ``weight`` is). Returns a value to ignore
    (the loads that fetch a row ahead, which the rows' scatter over X needs)."""
    m, d = rows.shape[0], out.shape[1]
    ahead = 0.0
    for i in range(m):
        if i + 4 < m:
            ahead += source[rows[i + 4], d - 1]
        r = rows[i]  # held in a local: the inner loops then vectorise
        for j in range(d):
            out[i, j] = source[r, j] - ref[j]
    if weight > 0.0:
        for i in range(m):
            weight_i = w[rows[i]]
            for j in range(d):
                offset[j] += weight_i * out[i, j]
        for j in range(d):
            offset[j] /= weight
    for i in range(m):
        root = np.sqrt(w[rows[i]])
        for j in range(d):
            out[i, j] = (out[i, j] - offset[j]) * root
    return ahead


@njit(**_KERNEL)
def _centred_rows(X, Y, w, rows, centered, A, T):
    """Rows ``rows`` of X and Y centred at their weighted mean, times sqrt(w), into A and T.

    The mean is held as ``reference + offset`` with the first row as the
    reference (zero when not ``centered``). Returns ``(weight, x_ref,
    x_offset, y_ref, y_offset, xy, yy)`` with the scatter matrices ``A^T T``
    and ``T^T T`` (lower triangle); ``A^T A`` is left to BLAS.
    """
    m, d, t = rows.shape[0], X.shape[1], Y.shape[1]
    x_ref, x_offset = np.zeros(d), np.zeros(d)
    y_ref, y_offset = np.zeros(t), np.zeros(t)
    weight = 0.0
    for i in range(m):
        weight += w[rows[i]]
    if centered and m > 0:
        x_ref[:] = X[rows[0]]
        y_ref[:] = Y[rows[0]]
    _centre(X, rows, w, x_ref, x_offset, A, weight if centered else 0.0)
    _centre(Y, rows, w, y_ref, y_offset, T, weight if centered else 0.0)
    xy, yy = np.zeros((d, t)), np.zeros((t, t))
    for i in range(m):
        for k in range(t):
            target = T[i, k]
            for j in range(d):
                xy[j, k] += A[i, j] * target
            for j in range(k + 1):
                yy[k, j] += target * T[i, j]
    return weight, x_ref, x_offset, y_ref, y_offset, xy, yy


@njit(inline="always", error_model="numpy")
def _leaf(b, X, Y, w, rows, starts, centered, flags, weights, refs, offsets, xx, xy, yy):
    """Statistics of bucket ``b`` (rows ``rows[starts[b]:starts[b + 1]]``): centring,
    ``A^T A`` by BLAS ``dsyrk`` (lower triangle) while the rows are in this thread's
    cache, ``A^T T`` and ``T^T T``."""
    d = X.shape[1]
    bucket = rows[starts[b] : starts[b + 1]]
    m = bucket.shape[0]
    A, T = np.empty((max(m, 1), d)), np.empty((max(m, 1), Y.shape[1]))
    moments = _centred_rows(X, Y, w, bucket, centered, A, T)
    weights[b] = moments[0]
    refs[b, :d], offsets[b, :d] = moments[1], moments[2]
    refs[b, d:], offsets[b, d:] = moments[3], moments[4]
    xy[b], yy[b] = moments[5], moments[6]
    if m > 0:
        syrk_rows(A, m, xx[b], flags)


@njit(**_KERNEL)
def _leaves_serial(X, Y, w, rows, starts, centered, flags, weights, refs, offsets, xx, xy, yy):
    for b in range(starts.shape[0] - 1):
        _leaf(b, X, Y, w, rows, starts, centered, flags, weights, refs, offsets, xx, xy, yy)


@njit(**_KERNEL, parallel=True)
def _leaves_parallel(X, Y, w, rows, starts, centered, flags, weights, refs, offsets, xx, xy, yy):
    """One bucket per thread at a time (each bucket's sums in its own fixed order)."""
    for b in prange(starts.shape[0] - 1):
        _leaf(b, X, Y, w, rows, starts, centered, flags, weights, refs, offsets, xx, xy, yy)


@njit(inline="always", error_model="numpy")
def _merged_scatter(a, b, factor, da, db, lower):
    """``a + b + factor * outer(da, db)`` (the lower triangle only when ``lower``)."""
    out = np.zeros_like(a)
    for i in range(a.shape[0]):
        for j in range(i + 1 if lower else a.shape[1]):
            out[i, j] = a[i, j] + b[i, j] + factor * da[i] * db[j]
    return out


@njit(**_KERNEL)
def _merged_scatters(factor, dx, dy, xx_a, xx_b, xy_a, xy_b, yy_a, yy_b):
    """The three scatter matrices of Chan's merge in one call."""
    return (
        _merged_scatter(xx_a, xx_b, factor, dx, dx, True),
        _merged_scatter(xy_a, xy_b, factor, dx, dy, False),
        _merged_scatter(yy_a, yy_b, factor, dy, dy, True),
    )


@dataclass(frozen=True)
class _Node:
    """Statistics of some rows, with each mean held as ``reference + offset``.

    The reference is a row of the node (its first bucket's first row), so
    the difference of two nodes' means, ``(ref_b - ref_a) + (offset_b -
    offset_a)``, is accurate to rounding of the difference itself even when
    the features sit far from zero (offsets of 1e9): a plain difference of
    the rounded means would carry an error of ``eps * |mean|``, and Chan's
    merge would turn it into an error of the scatter matrix. Square scatter
    matrices hold their lower triangle only.
    """

    weight: float
    x_ref: np.ndarray
    x_offset: np.ndarray
    y_ref: np.ndarray
    y_offset: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray

    def merge(self, other):
        """The statistics of the rows of ``self`` followed by those of ``other``.

        Chan, Golub and LeVeque's pairwise update (weighted): the scatter
        matrices add, plus ``w_a w_b / w`` times the outer product of the
        difference of the means. Only sums of positive semi-definite terms, so
        it is as accurate as its parts whatever their offsets.

        References
        ----------
        T. F. Chan, G. H. Golub, R. J. LeVeque, "Updating formulae and a
        pairwise algorithm for computing sample variances", Stanford report
        STAN-CS-79-773, 1979.
        """
        if other.weight == 0.0:
            return self
        if self.weight == 0.0:
            return other
        weight = self.weight + other.weight
        share = other.weight / weight
        dx = (other.x_ref - self.x_ref) + (other.x_offset - self.x_offset)
        dy = (other.y_ref - self.y_ref) + (other.y_offset - self.y_offset)
        scatters = _merged_scatters(
            self.weight * share, dx, dy, self.xx, other.xx, self.xy, other.xy, self.yy, other.yy
        )
        return _Node(
            weight,
            self.x_ref,
            self.x_offset + share * dx,
            self.y_ref,
            self.y_offset + share * dy,
            *scatters,
        )

    def statistics(self, centered):
        """As :class:`GramStatistics`: full symmetric matrices, each mean rounded to one float."""
        x_mean, y_mean = self.x_ref + self.x_offset, self.y_ref + self.y_offset
        xx, yy = (np.tril(m) + np.tril(m, -1).T for m in (self.xx, self.yy))
        return GramStatistics(self.weight, x_mean, y_mean, xx, self.xy, centered, yy)


def _leaves(X, Y, sample_weight, hashes, bits, buckets, counts, centered):
    """``{bucket: _Node of its rows in store order}`` for the given (sorted) buckets.

    A partial set of buckets (an update) gets copies, so that the arrays of
    the buckets it replaced are freed.
    """
    sizes = counts[buckets]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    cursor = np.full(1 << bits, -1, dtype=np.int64)
    cursor[buckets] = starts[:-1]
    rows = np.empty(int(starts[-1]), dtype=np.int64)
    _bucket_rows(hashes, bits, cursor, rows)
    k, d, t = len(buckets), X.shape[1], Y.shape[1]
    weights, refs, offsets = np.zeros(k), np.zeros((k, d + t)), np.zeros((k, d + t))
    xx, xy, yy = np.zeros((k, d, d)), np.zeros((k, d, t)), np.zeros((k, t, t))
    kernel = _leaves_parallel if rows.size * d >= PARALLEL_MIN_SIZE else _leaves_serial
    with single_threaded_blas():
        kernel(
            X, Y, sample_weight, rows, starts, centered, _UPPER_NOTRANS,
            weights, refs, offsets, xx, xy, yy,
        )  # fmt: skip
    own = (lambda a: a.copy()) if k < len(counts) else (lambda a: a)
    return {
        bucket: _Node(
            float(weights[b]),
            own(refs[b, :d]),
            own(offsets[b, :d]),
            own(refs[b, d:]),
            own(offsets[b, d:]),
            own(xx[b]),
            own(xy[b]),
            own(yy[b]),
        )  # fmt: skip
        for b, bucket in enumerate(buckets.tolist())
    }


@dataclass(frozen=True)
class BucketedGram:
    """Gram statistics of rows as a tree of per-bucket statistics (see the module docstring).

    Exposes the root's ``weight``, ``x_mean``, ``y_mean``, ``xx``, ``xy``,
    ``yy`` and ``centered``, like :class:`~skunlearn._solvers.GramStatistics`,
    so that :func:`~skunlearn._solvers.ridge_solve` takes either.

    Attributes
    ----------
    bits : int
        ``log2`` of the number of buckets ``B``.
    counts : ndarray of shape (B,)
        Rows per bucket.
    nodes : tuple of _Node or None
        The tree in heap order: ``nodes[1]`` is the root, ``nodes[i]`` merges
        ``nodes[2 i]`` and ``nodes[2 i + 1]``, the buckets are
        ``nodes[B:2 B]`` (``nodes[0]`` is None). None when the tree is not
        known (after unpickling, or when the rows were replaced): the next
        :meth:`updated` rebuilds it.
    root : GramStatistics
        Statistics of all rows.
    """

    bits: int
    counts: np.ndarray
    nodes: tuple | None
    root: GramStatistics

    # Warm state (skunlearn._warm_state) of Ridge, which derives it for the
    # remaining rows with :meth:`updated` (it needs their hashes): recomputed
    # from them, so it describes them exactly and is kept for the next unlearn.
    retained_after_unlearn = True

    @classmethod
    def from_rows(cls, X, Y, sample_weight, hashes, centered):
        """The tree of dense rows ``X`` with targets ``Y``, weights and row hashes."""
        bits = bucket_bits(*X.shape)
        n_buckets = 1 << bits
        counts = _bucket_counts(hashes, bits)
        nodes = [None] * (2 * n_buckets)
        leaves = _leaves(X, Y, sample_weight, hashes, bits, np.arange(n_buckets), counts, centered)
        for bucket, leaf in leaves.items():
            nodes[n_buckets + bucket] = leaf
        for i in range(n_buckets - 1, 0, -1):
            nodes[i] = nodes[2 * i].merge(nodes[2 * i + 1])
        return cls(bits, counts, tuple(nodes), nodes[1].statistics(centered))

    def updated(self, X, Y, sample_weight, hashes):
        """The tree of rows that differ from this tree's rows by removals (or appends) only.

        Buckets whose row count changed are recomputed from their rows, then
        the inner nodes above them; the others are kept (their rows and order
        did not change). Everything is rebuilt when the number of buckets
        changes or the tree is not known.
        """
        bits = bucket_bits(*X.shape)
        if self.nodes is None or bits != self.bits:
            return BucketedGram.from_rows(X, Y, sample_weight, hashes, self.root.centered)
        n_buckets = 1 << bits
        counts = _bucket_counts(hashes, bits)
        changed = np.flatnonzero(counts != self.counts)
        nodes = list(self.nodes)
        leaves = _leaves(X, Y, sample_weight, hashes, bits, changed, counts, self.centered)
        for bucket, leaf in leaves.items():
            nodes[n_buckets + bucket] = leaf
        level = np.unique((changed + n_buckets) // 2)
        while len(level) and level[-1] > 0:
            for i in level.tolist():
                nodes[i] = nodes[2 * i].merge(nodes[2 * i + 1])
            level = np.unique(level // 2)
        return BucketedGram(bits, counts, tuple(nodes), nodes[1].statistics(self.centered))

    def without_tree(self):
        """The same statistics with the tree forgotten: the next update rebuilds it."""
        return replace(self, nodes=None)

    def __getstate__(self):
        return {**vars(self), "nodes": None}

    def valid_at(self, theta):
        """Always: least-squares statistics do not depend on the parameters."""
        return True

    weight = property(lambda self: self.root.weight)
    x_mean = property(lambda self: self.root.x_mean)
    y_mean = property(lambda self: self.root.y_mean)
    xx = property(lambda self: self.root.xx)
    xy = property(lambda self: self.root.xy)
    yy = property(lambda self: self.root.yy)
    centered = property(lambda self: self.root.centered)

    def value_grad(self, coef, intercept):
        """Least-squares loss and gradient from the root (:meth:`GramStatistics.value_grad`)."""
        return self.root.value_grad(coef, intercept)

    def spectrum(self, rcond=None):
        """Singular values and rank from the root (:meth:`GramStatistics.spectrum`)."""
        return self.root.spectrum(rcond)
