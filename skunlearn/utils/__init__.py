"""Utilities: row stores (stored training rows, found by hash and removed in place)."""

from ._row_index import RowIndex, hash_rows
from ._row_store import RowStore
from ._sparse_rows import SparseTrainingRows, canonical_csr, hash_csr_rows, training_rows
from ._training_rows import TrainingRows

__all__ = [
    "RowIndex",
    "RowStore",
    "SparseTrainingRows",
    "TrainingRows",
    "canonical_csr",
    "hash_csr_rows",
    "hash_rows",
    "training_rows",
]
