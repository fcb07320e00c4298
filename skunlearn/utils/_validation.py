"""Validation of the data an estimator is fitted on and told to forget.

:func:`validate_training_data` is ``fit``'s: scikit-learn's
:func:`~sklearn.utils.validation.validate_data` for rows in memory, chunk by
chunk for a dask array (never gathered). :func:`validate_sample_weight` checks
the weights of rows a model trains on, :func:`validate_forget_weight` the
weights given with the rows to forget (which only select among equal rows).
"""

import numpy as np
from sklearn.utils.validation import validate_data

from ._chunked_input import is_dask, validate_chunked_data

__all__ = ["validate_forget_weight", "validate_sample_weight", "validate_training_data"]


def validate_sample_weight(sample_weight, n_samples, *, all_zero=False):
    """Return non-negative, finite float64 weights of shape ``(n_samples,)``.

    A scalar is one weight for every row and is checked the same way.

    Raises
    ------
    ValueError
        Weights that are not 1-D of length ``n_samples`` (or a scalar),
        negative or not finite, or all zero unless ``all_zero`` (rows added to
        others).
    """
    if sample_weight is None:
        return np.ones(n_samples)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:  # one weight for every row: checked like an array of it
        weights = np.full(n_samples, float(weights))
    if weights.ndim > 1:
        raise ValueError(f"Sample weights must be 1D array or scalar; got shape {weights.shape}.")
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}.")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not all_zero and not np.any(weights > 0):
        raise ValueError("Sample weights are all zero: at least one row needs positive weight.")
    return weights


def validate_training_data(estimator, X, y, sample_weight, **kwargs):
    """``(X, y, sample_weight)`` of ``fit``, validated; dask input is not gathered.

    ``kwargs`` go to :func:`sklearn.utils.validation.validate_data`. A dask
    array stays lazy (its values are checked chunk by chunk when the row store
    is built, where they live: :mod:`skunlearn.utils._chunked_input`).
    """
    if is_dask(X):
        return validate_chunked_data(estimator, X, y, sample_weight, **kwargs)
    X, y = validate_data(estimator, X, y, **kwargs)
    return X, y, validate_sample_weight(sample_weight, X.shape[0])


def validate_forget_weight(sample_weight, n_samples):
    """The ``sample_weight`` given to ``unlearn`` as float64 ``(n_samples,)``, or None."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}.")
    if not np.all(np.isfinite(weights)):
        raise ValueError("sample_weight must be finite.")
    return weights
