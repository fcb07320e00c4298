"""Utilities: stored training rows, row hashing and forget-set validation."""

from ._row_index import RowIndex, hash_rows
from ._sparse_rows import SparseTrainingRows, canonical_csr, hash_csr_rows, training_rows
from ._training_rows import TrainingRows

__all__ = [
    "RowIndex",
    "SparseTrainingRows",
    "TrainingRows",
    "canonical_csr",
    "hash_csr_rows",
    "hash_rows",
    "training_rows",
]
