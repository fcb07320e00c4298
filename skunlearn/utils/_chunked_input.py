"""Training data that must not be gathered: dask arrays and memory-mapped arrays.

:func:`validate_chunked_data` validates such input without loading it (shapes
and dtypes now, values chunk by chunk where they are stored), and
:func:`chunked_rows` builds the store: a dask array goes to the workers of the
active ``distributed.Client`` (:mod:`~skunlearn.utils._dask_rows`), or, with no
client, into memory-mapped files (:mod:`~skunlearn.utils._disk_rows`), as does a
memory-mapped array (``numpy.memmap``, ``numpy.load(..., mmap_mode="r")``).
"""

import mmap
import sys

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ._chunked_rows import ChunkedRows
from ._class_counts import class_counts
from ._disk_rows import DiskBackend, array_blocks
from ._shards import block_flags

__all__ = [
    "chunked_rows",
    "encode_classes",
    "is_chunked_input",
    "is_dask",
    "validate_chunked_data",
]


def is_dask(X):
    """Whether ``X`` is a dask collection (checked without importing dask)."""
    return hasattr(X, "__dask_graph__")


def is_memory_mapped(X):
    """Whether ``X`` is an ndarray backed by a memory-mapped file."""
    while isinstance(X, np.ndarray):
        if isinstance(X, np.memmap):
            return True
        X = X.base
    return isinstance(X, mmap.mmap)


def is_chunked_input(X):
    """Whether ``X`` is kept in a chunked store rather than in memory."""
    return is_dask(X) or is_memory_mapped(X)


def validate_chunked_data(estimator, X, y, sample_weight, *, y_numeric=False, **ignored):
    """Dask ``(X, y, sample_weight)`` checked without computing X; sets ``n_features_in_``.

    ``X`` is a dask array or DataFrame (whose string column names become
    ``feature_names_in_``); ``y`` and ``sample_weight`` dask or numpy.

    Shapes and dtypes are checked here; the values (finite X and y, weights
    finite and non-negative, not all zero) when the store is built
    (:func:`chunked_rows`), where each chunk lives.
    """
    import dask.array as da

    names = _feature_names(X)
    X, y, sample_weight = (_as_array(a) for a in (X, y, sample_weight))
    X = da.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.number) or min(X.shape) < 1:
        raise ValueError(f"X must be a non-empty 2-D numeric array; got shape {X.shape}.")
    if any(np.isnan(size) for size in X.chunks[0]):
        X = X.compute_chunk_sizes()
    X = X.astype(np.float32 if X.dtype == np.float32 else np.float64).rechunk({1: -1})
    rows = X.chunks[0]
    y = _aligned(da, y, rows, "y")
    if y.ndim == 2 and y.shape[1] == 1 and not y_numeric:
        y = y[:, 0]
    if y_numeric:
        y = y.astype(np.float64)
    if sample_weight is None or np.ndim(sample_weight) == 0:
        value = 1.0 if sample_weight is None else float(sample_weight)
        sample_weight = da.full(X.shape[0], value, chunks=(rows,))
    sample_weight = _aligned(da, sample_weight, rows, "sample_weight").astype(np.float64)
    if sample_weight.ndim != 1:
        raise ValueError(f"sample_weight.shape == {sample_weight.shape}, expected {X.shape[:1]}.")
    estimator.n_features_in_ = X.shape[1]
    if names is not None:
        estimator.feature_names_in_ = names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return X, y, sample_weight


def _as_array(data):
    """A dask DataFrame or Series as a dask array with known chunk sizes."""
    return data.to_dask_array(lengths=True) if hasattr(data, "to_dask_array") else data


def _feature_names(X):
    """Column names of a dask DataFrame when they are all strings (scikit-learn's rule)."""
    columns = getattr(X, "columns", None)
    if columns is None or not all(isinstance(name, str) for name in columns):
        return None
    return np.asarray(list(columns), dtype=object)


def _aligned(da, array, rows, name):
    array = da.asarray(array)
    if array.ndim not in (1, 2) or array.shape[0] != sum(rows):
        raise ValueError(f"{name} has shape {array.shape}; expected {sum(rows)} rows.")
    return array.rechunk((rows, *((-1,) if array.ndim == 2 else ())))


def encode_classes(y, weights):
    """Classes, encoded targets (lazy) and class counts of dask labels, reduced on the cluster.

    Returns ``(classes, encoded, counts)`` as ``np.unique(y, return_inverse=True)``
    and the per-class row counts (all rows, rows of positive weight).
    """
    import dask
    import dask.array as da

    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    classes = np.unique(da.unique(y).compute())
    check_classification_targets(classes)
    encoded = y.map_blocks(_encode, classes, dtype=np.int64)
    parts = [
        dask.delayed(class_counts)(e, w, len(classes))
        for e, w in zip(encoded.to_delayed().ravel(), weights.to_delayed().ravel(), strict=True)
    ]
    return classes, encoded, sum(dask.compute(*parts))


def _encode(labels, classes):
    return np.searchsorted(classes, labels).astype(np.int64)


def chunked_rows(X, y, sample_weight, ids=None):
    """A :class:`~skunlearn.utils._chunked_rows.ChunkedRows` store of the rows (never gathered).

    ``ids`` (one identifier per row, or None) are kept with the rows, in their chunks.

    Raises
    ------
    ValueError
        Non-finite X (or real y), negative or non-finite weights, all weights zero.
    """
    client = _distributed_client() if is_dask(X) else None
    if client is not None:
        from ._dask_rows import DaskBackend

        backend = DaskBackend(client)
        refs, flags = backend.install(X, y, sample_weight, ids)
    else:
        backend = DiskBackend()
        blocks = _dask_blocks(X, y, sample_weight) if is_dask(X) else None
        refs = backend.install(blocks or array_blocks(X, y, sample_weight), ids)
        flags = [block_flags(ref) for ref in refs]
    store = ChunkedRows(
        backend, refs, backend.sizes(refs), X.shape[1], y.shape[1:], has_ids=ids is not None
    )
    message = _bad_values(np.array(flags, dtype=bool).reshape(-1, 4))
    if message:
        store.erase()
        raise ValueError(message)
    return store


def _bad_values(flags):
    if not flags[:, 0].all():
        return "Input X contains NaN or infinity."
    if not flags[:, 1].all():
        return "Input y contains NaN or infinity."
    if not flags[:, 2].all():
        return "sample_weight must be finite and non-negative."
    if not flags[:, 3].any():
        return "Sample weights are all zero: at least one row needs positive weight."
    return ""


def _dask_blocks(X, y, w):
    return [tuple(array.blocks[i] for array in (X, y, w)) for i in range(X.numblocks[0])]


def _distributed_client():
    """The active ``distributed.Client``, or None."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.default_client()
    except ValueError:
        return None
