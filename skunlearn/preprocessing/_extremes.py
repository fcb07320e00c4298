"""``MinMaxScaler`` and ``MaxAbsScaler`` that can unlearn: they keep their rows.

The extremes of the remaining rows are not a function of the old extremes and
the forgotten rows: forgetting the row that holds a column's maximum needs the
next largest value, and so on for every further deletion. These scalers keep
their training rows (as much memory as the data, the price of exactness) and
recompute the extremes from the remaining rows, ``O(n d)`` per unlearning;
rows are found by identity, never by a tolerance on values.
"""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils import TrainingRows
from ._base import UnlearnTransformerMixin

__all__ = ["MaxAbsScaler", "MinMaxScaler"]


def _nonzero_scale(values):
    """scikit-learn's rule: ranges below ``10 eps`` count as constant (scale 1)."""
    values = np.array(values, dtype=np.float64)
    values[values < 10 * np.finfo(np.float64).eps] = 1.0
    return values


class _ExtremesScaler(
    UnlearnTransformerMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Shared ``fit`` and ``partial_fit`` of the scalers computed from column extremes."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Keep the rows and compute the scaling from each column's extremes.

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
        X = validate_data(self, X, dtype=np.float64, reset=True)
        self._check_range(self.get_params())
        self._fit_rows(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add a batch of rows and update the scaling.

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
        if not hasattr(self, "_rows"):
            return self.fit(X, y)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._check_range(self.get_params())
        rows = self._rows
        n = rows.n + X.shape[0]
        self._rows = TrainingRows(np.vstack([rows.X, X]), np.zeros(n, np.int8), np.ones(n))
        self._fitted_params = self.get_params(deep=False)
        vars(self).update(self._statistics_of(self._rows.X))
        return self

    def _check_range(self, params):
        """Hook for parameter checks that the constraints cannot express."""

    def _statistics(self, X, sample_weight, params):
        return {
            "n_samples_seen_": X.shape[0],
            **self._scaling(X.min(axis=0), X.max(axis=0), params),
        }


class MinMaxScaler(_ExtremesScaler):
    """Scale each feature to a given range; can unlearn exactly.

    ``z = x * scale_ + min_`` exactly like :class:`sklearn.preprocessing.MinMaxScaler`.
    The scaler keeps a copy of its training rows (as much memory as ``X``):
    :meth:`unlearn` finds the forgotten rows among them by identity, refuses
    rows it never saw, and recomputes the extremes from the remaining rows,
    so the result equals the scaler refit on them. Dense input without
    missing values only.

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

    def _check_range(self, params):
        if params["feature_range"][0] >= params["feature_range"][1]:
            raise ValueError(
                "Minimum of desired feature range must be smaller than maximum. Got "
                f"{params['feature_range']}."
            )

    @staticmethod
    def _scaling(data_min, data_max, params):
        low, high = params["feature_range"]
        data_range = data_max - data_min
        scale = (high - low) / _nonzero_scale(data_range)
        return {
            "data_min_": data_min,
            "data_max_": data_max,
            "data_range_": data_range,
            "scale_": scale,
            "min_": low - data_min * scale,
        }

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


class MaxAbsScaler(_ExtremesScaler):
    """Scale each feature by its maximum absolute value; can unlearn exactly.

    ``z = x / scale_`` exactly like :class:`sklearn.preprocessing.MaxAbsScaler`
    (dense input only). The scaler keeps a copy of its training rows (as much
    memory as ``X``): :meth:`unlearn` finds the forgotten rows among them by
    identity and recomputes the maxima from the remaining rows, so the result
    equals the scaler refit on them.

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

    @staticmethod
    def _scaling(data_min, data_max, params):
        max_abs = np.maximum(np.abs(data_min), np.abs(data_max))
        return {"max_abs_": max_abs, "scale_": _nonzero_scale(max_abs)}

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
