"""Utilities: stored training rows, row hashing and forget-set validation."""

from ._row_index import RowIndex, hash_rows
from ._training_rows import TrainingRows

__all__ = ["RowIndex", "TrainingRows", "hash_rows"]
