"""Transformers that can unlearn: they keep their rows and refit on the remaining ones.

Each is a drop-in replacement for the scikit-learn transformer of the same
name (same parameters, output, ``get_feature_names_out`` and ``set_output``)
with an extra ``unlearn(X_forget)`` and ``to_sklearn()``;
:class:`skunlearn.pipeline.Pipeline` uses them to unlearn a whole pipeline.
"""

from ._base import UnlearnTransformerMixin
from ._data import MaxAbsScaler, MinMaxScaler, StandardScaler
from ._encoders import OneHotEncoder, OrdinalEncoder

__all__ = [
    "MaxAbsScaler",
    "MinMaxScaler",
    "OneHotEncoder",
    "OrdinalEncoder",
    "StandardScaler",
    "UnlearnTransformerMixin",
]
