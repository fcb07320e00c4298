"""``MinMaxScaler`` and ``MaxAbsScaler`` that can unlearn: they keep each column sorted.

The extremes of the remaining rows are not a function of the old extremes and
the forgotten rows: forgetting the row that holds a column's maximum needs the
next largest value, and so on for every further deletion. Keeping only the top
few values per column fails once they are all forgotten, so these scalers keep
every column sorted (as much memory as the data, the price of exactness).
Forgetting ``k`` rows costs ``O(k log n + n)`` per column and drops the values;
``partial_fit`` merges a batch into the sorted columns.
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._base import UnlearnTransformerMixin, compose_output_map

__all__ = ["MaxAbsScaler", "MinMaxScaler"]

_MATCH_RTOL = 1e-10


def _nonzero_scale(values):
    """scikit-learn's rule: ranges below ``10 eps`` count as constant (scale 1)."""
    values = np.array(values, dtype=np.float64)
    values[values < 10 * np.finfo(np.float64).eps] = 1.0
    return values


def remove_sorted(columns, X_forget):
    """The sorted columns without one occurrence of each value in ``X_forget``.

    A value matches a stored one equal to it up to ``1e-10`` times the
    column's largest magnitude, so that values re-expressed by an upstream
    affine map (which rounds) are still found.

    Parameters
    ----------
    columns : ndarray of shape (n_samples, n_features)
        Each column sorted ascending.
    X_forget : ndarray of shape (n_forget, n_features)

    Returns
    -------
    columns : ndarray of shape (n_samples - n_forget, n_features)
    """
    n, d = columns.shape
    k = X_forget.shape[0]
    forget = np.sort(X_forget, axis=0)
    tol = _MATCH_RTOL * np.maximum(np.abs(columns[0]), np.abs(columns[-1]))
    steps = np.arange(k)
    keep = np.ones((d, n), dtype=bool)
    for j in range(d):
        start = np.searchsorted(columns[:, j], forget[:, j] - tol[j], side="left")
        found = steps + np.maximum.accumulate(start - steps)
        if found[-1] >= n or np.any(np.abs(columns[found, j] - forget[:, j]) > tol[j]):
            raise ValueError(
                f"Column {j} of X_forget holds a value the scaler was not fitted on "
                "(or more copies of it than it was fitted on)."
            )
        keep[j, found] = False
    return np.ascontiguousarray(columns.T[keep].reshape(d, n - k).T)


class _SortedColumnsScaler(
    UnlearnTransformerMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Shared ``fit`` and ``unlearn`` of the scalers that keep sorted columns."""

    def fit(self, X, y=None):
        """Keep each column sorted and compute the scaling from its extremes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        vars(self).pop("_sorted", None)
        return self.partial_fit(X, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add a batch of rows to the sorted columns and update the scaling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            More training rows.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated scaler.
        """
        first = not hasattr(self, "_sorted")
        X = validate_data(self, X, dtype=np.float64, reset=first)
        self._check_range()
        self._sorted = np.sort(X if first else np.vstack([self._sorted, X]), axis=0)
        self.n_samples_seen_ = self._sorted.shape[0]
        self._set_extremes()
        return self

    def _check_range(self):
        """Hook for parameter checks that the constraints cannot express."""

    def _unlearned_copy(self, X_forget, sample_weight=None, input_map=None):
        X_forget, _ = self._validate_forget(X_forget, sample_weight)
        if X_forget.shape[0] >= self.n_samples_seen_:
            raise ValueError("X_forget covers all the rows the scaler was fitted on.")
        columns = self._sorted
        if X_forget.shape[0]:
            columns = remove_sorted(columns, X_forget)
        if input_map is not None:
            columns = columns * input_map[0] + input_map[1]
        new = copy.copy(self)
        new._sorted = columns
        new.n_samples_seen_ = columns.shape[0]
        new._set_extremes()
        return new, compose_output_map(self._affine(), new._affine(), input_map)


class MinMaxScaler(_SortedColumnsScaler):
    """Scale each feature to a given range; can unlearn exactly.

    ``z = x * scale_ + min_`` exactly like :class:`sklearn.preprocessing.MinMaxScaler`.
    :meth:`unlearn` removes the forgotten values from the sorted columns it
    keeps and reads the new extremes, so the result equals the scaler refit
    on the remaining rows. Dense input without missing values only.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Desired range of the transformed data.
    copy : bool, default=True
        If False, ``transform`` scales float64 input in place.
    clip : bool, default=False
        Clip transformed values of held-out data to ``feature_range``.

    Attributes
    ----------
    min_ : ndarray of shape (n_features,)
        Per-feature offset.
    scale_ : ndarray of shape (n_features,)
        Per-feature relative scaling.
    data_min_ : ndarray of shape (n_features,)
        Per-feature minimum of the (remaining) training rows.
    data_max_ : ndarray of shape (n_features,)
        Per-feature maximum of the (remaining) training rows.
    data_range_ : ndarray of shape (n_features,)
        ``data_max_ - data_min_``.
    n_samples_seen_ : int
        Number of (remaining) training rows.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : The same transformer, without ``unlearn``.
    MaxAbsScaler : Scales by the largest absolute value; can unlearn.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.preprocessing import MinMaxScaler
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [9.0, 11.0], [6.0, 5.0]])
    >>> scaler = MinMaxScaler().fit(X).unlearn(X[2:3])
    >>> scaler.data_max_
    array([6., 5.])
    """

    _parameter_constraints = {"feature_range": [tuple], "copy": ["boolean"], "clip": ["boolean"]}

    def __init__(self, feature_range=(0, 1), *, copy=True, clip=False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def _check_range(self):
        if self.feature_range[0] >= self.feature_range[1]:
            raise ValueError(
                "Minimum of desired feature range must be smaller than maximum. Got "
                f"{self.feature_range}."
            )

    def _set_extremes(self):
        low, high = self.feature_range
        self.data_min_ = self._sorted[0].copy()
        self.data_max_ = self._sorted[-1].copy()
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (high - low) / _nonzero_scale(self.data_range_)
        self.min_ = low - self.data_min_ * self.scale_

    def _affine(self):
        return self.scale_, self.min_

    def transform(self, X):
        """Scale ``X`` to ``feature_range``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to scale.

        Returns
        -------
        X_tr : ndarray of shape (n_samples, n_features)
            Scaled data.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=np.float64, copy=self.copy, force_writeable=True
        )
        X *= self.scale_
        X += self.min_
        if self.clip:
            np.clip(X, self.feature_range[0], self.feature_range[1], out=X)
        return X

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Scaled data.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data in the original scale.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64, copy=self.copy, force_writeable=True)
        X -= self.min_
        X /= self.scale_
        return X


class MaxAbsScaler(_SortedColumnsScaler):
    """Scale each feature by its maximum absolute value; can unlearn exactly.

    ``z = x / scale_`` exactly like :class:`sklearn.preprocessing.MaxAbsScaler`
    (dense input only). :meth:`unlearn` removes the forgotten values from the
    sorted columns it keeps, so the result equals the scaler refit on the
    remaining rows.

    Parameters
    ----------
    copy : bool, default=True
        If False, ``transform`` scales float64 input in place.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features,)
        Per-feature scale (``max_abs_``, 1 for all-zero features).
    max_abs_ : ndarray of shape (n_features,)
        Per-feature maximum absolute value of the (remaining) training rows.
    n_samples_seen_ : int
        Number of (remaining) training rows.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.preprocessing.MaxAbsScaler : The same transformer, without ``unlearn``.
    MinMaxScaler : Scales each feature to a range; can unlearn.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.preprocessing import MaxAbsScaler
    >>> X = np.array([[-8.0, 1.0], [2.0, 3.0], [4.0, -6.0]])
    >>> MaxAbsScaler().fit(X).unlearn(X[:1]).max_abs_
    array([4., 6.])
    """

    _parameter_constraints = {"copy": ["boolean"]}

    def __init__(self, *, copy=True):
        self.copy = copy

    def _set_extremes(self):
        self.max_abs_ = np.maximum(np.abs(self._sorted[0]), np.abs(self._sorted[-1]))
        self.scale_ = _nonzero_scale(self.max_abs_)

    def _affine(self):
        return 1.0 / self.scale_, np.zeros(self.n_features_in_)

    def transform(self, X):
        """Scale ``X`` by the maximum absolute values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to scale.

        Returns
        -------
        X_tr : ndarray of shape (n_samples, n_features)
            Scaled data.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=np.float64, copy=self.copy, force_writeable=True
        )
        X /= self.scale_
        return X

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Scaled data.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data in the original scale.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64, copy=self.copy, force_writeable=True)
        X *= self.scale_
        return X
