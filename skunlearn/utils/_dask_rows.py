"""Chunks of training rows held in the memory of dask workers, outside dask's own data.

Each chunk (a :class:`~skunlearn.utils._shards.Shard`) lives in a registry of
the worker process that built it, not among the worker's task results, so

- dask never spills it to disk (the spill buffer holds task results only) and
  never recomputes it: it has no task in the scheduler, hence no lineage back
  to the source it was built from, which still holds the rows a later
  ``unlearn`` forgets;
- every operation on it is a task pinned to its worker
  (``allow_other_workers=False``) that returns a small result (a loss and
  gradient, a Hessian, per-chunk Gram statistics), combined by tasks in a
  fixed binary tree and gathered; results are released once gathered, and
  those that hold stored rows (a lookup, a fetch) are zeroed on the worker
  first;
- a chunk whose worker is gone is gone: any operation on the store then fails
  loudly (:class:`RowsLostError`) instead of waiting or recomputing, and an
  ``unlearn`` in progress is rolled back with nothing applied.

The client holds only each chunk's worker address, key and size.
"""

import copy
import time
import uuid
from collections import namedtuple

import numpy as np

from ..exceptions import RowsLostError
from ._shards import Shard, _zero, block_flags, run_op, tree_pairs

__all__ = ["DaskBackend"]

# In each worker process: the chunks it holds, by key.
REGISTRY = {}

Ref = namedtuple("Ref", ["address", "key", "n"])


def _shard(key):
    try:
        return REGISTRY[key]
    except KeyError:
        raise RowsLostError(f"Chunk {key} of the training rows is not on this worker.") from None


def _install(key, X, y, w, ids):
    from distributed import get_worker

    shard = Shard(
        np.array(X, dtype=np.float64, order="C", copy=True),
        np.array(y, order="C", copy=True),
        np.array(w, dtype=np.float64, copy=True),
        ids,
    )
    shard.build_index()
    REGISTRY[key] = shard
    return get_worker().address, shard.n, block_flags(shard)


def _run(key, op, skip, *args):
    return run_op(_shard(key), op, skip, *args)


def _stage(key, new_key, local):
    REGISTRY[new_key] = _shard(key).compacted(local, lambda m, d: np.empty((m, d)))
    return REGISTRY[new_key].n


def _erase(keys):
    for key in keys:
        shard = REGISTRY.pop(key, None)
        if shard is not None:
            shard.erase()


def _recode(keys, mapping):
    for key in keys:
        if key in REGISTRY:
            REGISTRY[key].y[...] = mapping[REGISTRY[key].y]
            REGISTRY[key].cache.clear()


class DaskBackend:
    """Holds chunks on the workers of a ``distributed.Client``; operations are pinned tasks.

    Parameters
    ----------
    client : distributed.Client
    """

    where = "on a dask cluster"

    def __init__(self, client):
        self.client = client
        self.token = uuid.uuid4().hex
        self.y_dtype = np.float64

    def install(self, X, y, w, ids=None):
        """Chunks from the row blocks of dask arrays ``X``, ``y``, ``w`` (aligned).

        ``ids`` (a numpy array of one identifier per row, or None) are split
        along the blocks and sent with them.
        """
        import dask

        bounds = np.cumsum((0, *X.chunks[0]))
        blocks = zip(*(a.to_delayed().ravel() for a in (X, y, w)), strict=True)
        keys = [f"{self.token}-{c}-0" for c in range(len(bounds) - 1)]
        parts = [
            dask.delayed(_install, pure=False)(
                keys[c], *block, None if ids is None else ids[bounds[c] : bounds[c + 1]]
            )
            for c, block in enumerate(blocks)
        ]
        futures = self.client.compute(parts)
        try:
            results = self.client.gather(futures)
        except BaseException:
            self.client.run(_erase, keys)
            raise
        refs = [Ref(a, key, n) for key, (a, n, _) in zip(keys, results, strict=True)]
        self.y_dtype = y.dtype
        return refs, [flags for _, _, flags in results]

    def _submit(self, function, ref, *args):
        return self.client.submit(
            function, *args, workers=[ref.address], allow_other_workers=False, pure=False
        )

    def _result(self, future, refs):
        """The future's result; :class:`RowsLostError` as soon as a holder of ``refs`` is gone.

        Polls (no timeouts inside ``distributed``'s synchronisation), checking
        every half second that the workers holding ``refs`` are still there:
        a task pinned to a worker that is gone would otherwise wait forever.
        """
        holders = {ref.address for ref in refs}
        pause, checked = 1e-4, time.monotonic()
        while not future.done():
            time.sleep(pause)
            pause = min(2 * pause, 0.05)
            if time.monotonic() - checked < 0.5:
                continue
            checked = time.monotonic()
            gone = holders - set(self.client.scheduler_info()["workers"])
            if gone:
                future.cancel()
                raise RowsLostError(
                    f"The dask worker(s) {sorted(gone)} holding training rows of this model "
                    "are gone: the rows they held are lost (they are never recomputed from "
                    "the source). Nothing was changed; refit the model."
                )
        return future.result()

    @staticmethod
    def sizes(refs):
        """Rows of each chunk."""
        return [ref.n for ref in refs]

    def reduce(self, op, refs, skips, args, kind):
        """Pinned tasks per chunk, combined by tasks in the fixed tree, gathered."""
        from ._shards import combine

        level = [
            self._submit(_run, ref, ref.key, op, skip, *args)
            for ref, skip in zip(refs, skips, strict=True)
        ]
        for pairs in tree_pairs(len(level)):
            level = [
                self.client.submit(combine, kind, *(level[i] for i in pair), pure=False)
                if len(pair) == 2
                else level[pair[0]]
                for pair in pairs
            ]
        return self._result(level[0], refs)

    def _gathered_and_zeroed(self, ref, future):
        result = copy.deepcopy(self._result(future, [ref]))  # in-process workers share it
        self._result(self._submit(_zero, ref, future), [ref])
        return result

    def match(self, refs, X_forget, hashes):
        """Per chunk: the stored rows equal to rows of ``X_forget``."""
        futures = [
            self._submit(_run, ref, ref.key, "match", None, X_forget, hashes) for ref in refs
        ]
        return [self._gathered_and_zeroed(ref, f) for ref, f in zip(refs, futures, strict=True)]

    def find_ids(self, refs, requested):
        """Per chunk: the local position of each requested id, -1 where it is not."""
        futures = [self._submit(_run, ref, ref.key, "find_ids", None, requested) for ref in refs]
        return [self._result(f, [ref]) for ref, f in zip(refs, futures, strict=True)]

    def fetch(self, ref, local):
        """Copies of the rows at local positions of one chunk."""
        future = self._submit(_run, ref, ref.key, "rows_at", None, local)
        return self._gathered_and_zeroed(ref, future)

    def stage(self, ref, local):
        """A compacted copy of chunk ``ref`` without its rows ``local``, on the same worker."""
        key = f"{self.token}-{uuid.uuid4().hex}"
        n = self._result(self._submit(_stage, ref, ref.key, key, local), [ref])
        return Ref(ref.address, key, n)

    def _on_holders(self, function, refs, *args):
        live = set(self.client.scheduler_info()["workers"])
        holders = sorted({ref.address for ref in refs} & live)
        if holders:
            keys = [ref.key for ref in refs]
            self.client.run(function, keys, *args, workers=holders, on_error="ignore")

    def recode(self, refs, mapping):
        """Replace each stored target ``t`` by ``mapping[t]`` on every holder."""
        self._on_holders(_recode, refs, mapping)

    def erase(self, refs):
        """Zero and release the chunks on their workers (gone workers took theirs along)."""
        if self.client.status == "running":
            self._on_holders(_erase, refs)
