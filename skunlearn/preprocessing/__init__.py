"""Transformers that can unlearn: they keep their rows and recompute their statistics.

Each is a drop-in replacement for the scikit-learn transformer of the same
name (dense input) with an extra ``unlearn(X_forget)``;
:class:`skunlearn.pipeline.Pipeline` uses them to unlearn a whole pipeline.
"""

from ._base import UnlearnTransformerMixin
from ._data import StandardScaler
from ._extremes import MaxAbsScaler, MinMaxScaler

__all__ = ["MaxAbsScaler", "MinMaxScaler", "StandardScaler", "UnlearnTransformerMixin"]
