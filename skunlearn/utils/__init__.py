"""Utilities: stored training rows, row hashing, forget-set validation and unlearn tags."""

from ._row_index import RowIndex, hash_rows
from ._sparse_rows import SparseTrainingRows, canonical_csr, hash_csr_rows, training_rows
from ._tags import Tags, UnlearnTags, is_unlearner, with_unlearn_tags
from ._training_rows import TrainingRows

__all__ = [
    "RowIndex",
    "SparseTrainingRows",
    "Tags",
    "TrainingRows",
    "UnlearnTags",
    "canonical_csr",
    "hash_csr_rows",
    "hash_rows",
    "is_unlearner",
    "training_rows",
    "with_unlearn_tags",
]
