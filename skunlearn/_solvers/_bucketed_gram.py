"""Gram statistics kept per hash bucket: an unlearning recomputes only the buckets it touched.

The rows are split into ``B = 2^b`` buckets by the top ``b`` bits of their
hash (:func:`bucket_bits` picks ``b`` from the number of rows and features).
Each bucket keeps the :class:`~skunlearn._solvers.GramStatistics` of its rows
in store order, computed by the code a full fit runs; the buckets are the
leaves of a fixed binary tree whose inner nodes merge their children by Chan
et al.'s pairwise formula (:meth:`GramStatistics.merge`), and the root is the
statistics of all rows. Nothing is ever subtracted, so:

- every node is a function of the rows in its buckets, in their order: after
  an unlearning the tree equals, bit for bit, the tree a fit on the remaining
  rows builds (bucket membership depends on a row's values only, and the
  removal keeps the order of the others);
- a forgotten row that dominated the sums (an outlier, a large weight, a
  large offset) leaves no cancellation error behind: its bucket is recomputed
  from the rows that remain.

Unlearning ``k`` rows recomputes the (at most ``k``) buckets that held them,
``O(n d^2 / B)`` each, and the ``O(log B)`` inner nodes above each; when the
number of buckets changes (the row count crossed a power of two) everything
is rebuilt, as a fit would. The tree holds ``2B`` nodes of ``d^2`` floats,
at most about half the size of X (buckets hold at least ``4 d`` rows). A
pickle keeps the root only; the tree is rebuilt from the rows at the next
unlearning.
"""

from dataclasses import dataclass, replace

import numpy as np

from ._gram import GramStatistics, _weighted_scatter

__all__ = ["BucketedGram", "bucket_bits"]

# Rows per bucket per feature, at least: the tree (2B nodes of d^2 floats) then
# takes at most about half the memory of X (n d floats).
ROWS_PER_FEATURE = 4


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


def bucket_of(hashes, bits):
    """Bucket of each row: the top ``bits`` bits of its (unsigned) hash."""
    if bits == 0:
        return np.zeros(len(hashes), dtype=np.intp)
    return (hashes.view(np.uint64) >> np.uint64(64 - bits)).astype(np.intp)


@dataclass(frozen=True)
class _Node:
    """Statistics of some rows, with each mean held as ``reference + offset``.

    The reference is a row of the node (its first bucket's first row), so
    the difference of two nodes' means, ``(ref_b - ref_a) + (offset_b -
    offset_a)``, is accurate to rounding of the difference itself even when
    the features sit far from zero (offsets of 1e9): a plain difference of
    the rounded means would carry an error of ``eps * |mean|``, and Chan's
    merge would turn it into an error of the scatter matrix.
    """

    weight: float
    x_ref: np.ndarray
    x_offset: np.ndarray
    y_ref: np.ndarray
    y_offset: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray

    @classmethod
    def from_rows(cls, X, Y, sample_weight, centered):
        """The statistics of the rows of ``X`` (a copy, overwritten) in their order."""
        d, t = X.shape[1], Y.shape[1]
        x_ref, y_ref = np.zeros(d), np.zeros(t)
        x_offset, y_offset = np.zeros(d), np.zeros(t)
        weight = float(np.sum(sample_weight))
        if centered and len(X):
            x_ref, y_ref = X[0].copy(), Y[0].copy()
            X -= x_ref
            Y = Y - y_ref
            if weight > 0:
                x_offset = sample_weight @ X / weight
                y_offset = sample_weight @ Y / weight
        xx, xy, yy = _weighted_scatter(X, Y, sample_weight, x_offset, y_offset)
        return cls(weight, x_ref, x_offset, y_ref, y_offset, xx, xy, yy)

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
        factor = self.weight * share
        return _Node(
            weight,
            self.x_ref,
            self.x_offset + share * dx,
            self.y_ref,
            self.y_offset + share * dy,
            self.xx + other.xx + factor * np.outer(dx, dx),
            self.xy + other.xy + factor * np.outer(dx, dy),
            self.yy + other.yy + factor * np.outer(dy, dy),
        )

    def statistics(self, centered):
        """As :class:`GramStatistics` (the means rounded to one float each)."""
        x_mean, y_mean = self.x_ref + self.x_offset, self.y_ref + self.y_offset
        return GramStatistics(self.weight, x_mean, y_mean, self.xx, self.xy, centered, self.yy)


def _leaves(X, Y, sample_weight, ids, buckets, centered):
    """``{bucket: _Node of its rows in store order}`` for the given (sorted) buckets."""
    wanted = np.zeros(int(ids.max(initial=0)) + 1 if len(ids) else 1, dtype=bool)
    wanted[buckets[buckets < len(wanted)]] = True
    positions = np.flatnonzero(wanted[ids])
    positions = positions[np.argsort(ids[positions], kind="stable")]
    sorted_ids = ids[positions]
    starts = np.searchsorted(sorted_ids, buckets)
    ends = np.searchsorted(sorted_ids, buckets, side="right")
    out = {}
    for bucket, lo, hi in zip(buckets.tolist(), starts.tolist(), ends.tolist(), strict=True):
        rows = positions[lo:hi]
        out[bucket] = _Node.from_rows(X[rows], Y[rows], sample_weight[rows], centered)
    return out


@dataclass(frozen=True)
class BucketedGram:
    """Gram statistics of rows as a tree of per-bucket statistics (see the module docstring).

    Exposes the root's ``weight``, ``x_mean``, ``y_mean``, ``xx``, ``xy``,
    ``yy`` and ``centered``, and :meth:`solve`, like
    :class:`~skunlearn._solvers.GramStatistics`.

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
        ids = bucket_of(hashes, bits)
        n_buckets = 1 << bits
        nodes = [None] * (2 * n_buckets)
        leaves = _leaves(X, Y, sample_weight, ids, np.arange(n_buckets), centered)
        for bucket, leaf in leaves.items():
            nodes[n_buckets + bucket] = leaf
        for i in range(n_buckets - 1, 0, -1):
            nodes[i] = nodes[2 * i].merge(nodes[2 * i + 1])
        counts = np.bincount(ids, minlength=n_buckets)
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
        ids = bucket_of(hashes, bits)
        counts = np.bincount(ids, minlength=n_buckets)
        changed = np.flatnonzero(counts != self.counts)
        nodes = list(self.nodes)
        for bucket, leaf in _leaves(X, Y, sample_weight, ids, changed, self.root.centered).items():
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

    def solve(self, alpha):
        """Ridge solution from the root (:meth:`GramStatistics.solve`)."""
        return self.root.solve(alpha)

    def value_grad(self, coef, intercept):
        """Least-squares loss and gradient from the root (:meth:`GramStatistics.value_grad`)."""
        return self.root.value_grad(coef, intercept)
