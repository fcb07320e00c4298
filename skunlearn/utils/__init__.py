"""Utilities: row stores (training rows found by hash, removed in place) and unlearn tags."""

from ._locking import unlearn_lock
from ._row_index import RowIndex, hash_rows
from ._row_store import RowStore
from ._sparse_rows import SparseTrainingRows, canonical_csr, hash_csr_rows, training_rows
from ._table_rows import TableRows, input_rows
from ._tags import Tags, UnlearnTags, is_unlearner, with_unlearn_tags
from ._training_rows import TrainingRows

__all__ = [
    "RowIndex",
    "RowStore",
    "SparseTrainingRows",
    "TableRows",
    "Tags",
    "TrainingRows",
    "UnlearnTags",
    "canonical_csr",
    "hash_csr_rows",
    "hash_rows",
    "input_rows",
    "is_unlearner",
    "training_rows",
    "unlearn_lock",
    "with_unlearn_tags",
]
