"""Chunks of training rows in memory-mapped files: the on-disk store for data larger than RAM.

Each chunk's ``X`` is a file of raw float64 rows in a directory the store
owns (``$SKUNLEARN_ROWS_DIR`` or the system's temporary directory); targets,
weights and the per-chunk hash indices stay in memory (16 bytes a row plus
the index, against ``8 d`` bytes a row of ``X``). The operating system pages
the files in and out as the kernels stream through them. Removing rows writes
a compacted file for each chunk that held one (:meth:`DiskBackend.stage`);
committing overwrites the old file with zeros, flushes it and deletes it, so
the bytes of a forgotten row do not stay on the disk's live blocks (what the
file system or an SSD's controller remaps is beyond a program's reach; see the
README).
"""

import contextlib
import os
import tempfile
import uuid
import weakref

import numpy as np

from ._shards import Shard, run_op, tree_reduce

__all__ = ["CHUNK_BYTES", "DiskBackend"]

# Rows per chunk of a memory-mapped input: chunks of about 256 MiB of X.
CHUNK_BYTES = 256 * 2**20


class DiskBackend:
    """Holds :class:`~skunlearn.utils._shards.Shard` chunks whose ``X`` is a file; runs in-process.

    Parameters
    ----------
    directory : str, default=None
        Where the store's directory is created; ``$SKUNLEARN_ROWS_DIR`` or
        the system's temporary directory when None.
    """

    where = "in memory-mapped files"

    def __init__(self, directory=None):
        parent = directory or os.environ.get("SKUNLEARN_ROWS_DIR") or None
        self.directory = tempfile.mkdtemp(prefix="skunlearn-rows-", dir=parent)
        self.y_dtype = np.float64
        weakref.finalize(self, _remove_directory, self.directory)

    def _new_X(self, m, d):
        path = os.path.join(self.directory, f"{uuid.uuid4().hex}.f64")
        mapped = np.memmap(path, dtype=np.float64, mode="w+", shape=(max(m, 1), d))
        array = mapped[:m].view(np.ndarray)
        _FILES[id(array)] = (path, mapped)
        return array

    def install(self, blocks, ids=None):
        """Chunks from ``(X, y, w)`` blocks (arrays, or dask arrays computed one at a time).

        ``ids`` (one identifier per row, or None) are split along the blocks.
        """
        refs, start = [], 0
        try:
            for X, y, w in blocks:
                X, y, w = (np.asarray(a) for a in _computed(X, y, w))
                shard_X = self._new_X(*X.shape)
                shard_X[...] = X
                part = None if ids is None else np.array(ids[start : start + len(X)])
                shard = Shard(shard_X, np.array(y, copy=True), np.array(w, np.float64), part)
                shard.build_index()
                refs.append(shard)
                start += len(X)
        except BaseException:
            self.erase(refs)
            raise
        self.y_dtype = refs[0].y.dtype
        return refs

    @staticmethod
    def sizes(refs):
        """Rows of each chunk."""
        return [ref.n for ref in refs]

    @staticmethod
    def reduce(op, refs, skips, args, kind):
        """Run ``op`` on each chunk in turn and combine in the fixed tree."""
        results = [run_op(ref, op, skip, *args) for ref, skip in zip(refs, skips, strict=True)]
        return tree_reduce(results, kind)

    @staticmethod
    def match(refs, X_forget, hashes):
        """Per chunk: the stored rows equal to rows of ``X_forget``."""
        return [run_op(ref, "match", None, X_forget, hashes) for ref in refs]

    @staticmethod
    def find_ids(refs, requested):
        """Per chunk: the local position of each requested id, -1 where it is not."""
        return [run_op(ref, "find_ids", None, requested) for ref in refs]

    @staticmethod
    def fetch(ref, local):
        """Copies of the rows at local positions of one chunk."""
        return run_op(ref, "rows_at", None, local)

    def stage(self, ref, local):
        """A compacted copy of chunk ``ref`` without its rows ``local``, in a new file."""
        return ref.compacted(local, self._new_X)

    @staticmethod
    def recode(refs, mapping):
        """Replace each stored target ``t`` by ``mapping[t]``."""
        for ref in refs:
            ref.y[...] = mapping[ref.y]
            ref.cache.clear()

    @staticmethod
    def erase(refs):
        """Overwrite the chunks with zeros, flush their files to disk and delete them."""
        for ref in refs:
            path, mapped = _FILES.pop(id(ref.X), (None, None))
            ref.erase()
            if mapped is not None:
                mapped.flush()
                os.remove(path)


# The file behind each chunk's X (keyed by the array's id while the chunk lives).
_FILES = {}


def _computed(*arrays):
    """The arrays, dask ones computed together (blocks they share are computed once)."""
    if not any(hasattr(a, "__dask_graph__") for a in arrays):
        return arrays
    import dask

    return dask.compute(*arrays)


def _remove_directory(directory):
    with contextlib.suppress(OSError):
        os.rmdir(directory)


def array_blocks(X, y, w):
    """``(X, y, w)`` row blocks of about :data:`CHUNK_BYTES` of ``X`` each (views)."""
    n, d = X.shape
    step = max(1, CHUNK_BYTES // (8 * max(d, 1)))
    return [(X[lo : lo + step], y[lo : lo + step], w[lo : lo + step]) for lo in range(0, n, step)]
