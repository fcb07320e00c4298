"""``StandardScaler`` that keeps its rows and recomputes its mean and variance when unlearning."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from ..utils import TrainingRows
from ._base import UnlearnTransformerMixin, constant_mask

__all__ = ["StandardScaler"]


def _moments(X, weights):
    """Weighted count, column means and sums of squared deviations."""
    count = float(np.sum(weights))
    mean = weights @ X / count
    return count, mean, weights @ (X - mean) ** 2


class StandardScaler(
    UnlearnTransformerMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator
):
    """Standardise features by removing the mean and scaling to unit variance; can unlearn.

    Computes ``z = (x - mean_) / scale_`` exactly like
    :class:`sklearn.preprocessing.StandardScaler` (weighted mean and
    population variance, near-constant columns scaled by 1), and adds
    :meth:`unlearn`. The scaler keeps a copy of its training rows (as much
    memory as ``X``): ``unlearn`` finds the forgotten rows among them by
    identity, refuses rows it never saw, and recomputes the mean and variance
    from the remaining rows with the code ``fit`` runs, so the result equals,
    bit for bit, the scaler fitted on the remaining rows (however extreme the
    forgotten rows were). :meth:`partial_fit` merges batches like
    scikit-learn's (the pairwise formula of Chan, Golub and LeVeque). Dense
    input without missing values only.

    Parameters
    ----------
    copy : bool, default=True
        If False, ``transform`` scales float64 C-ordered input in place.
    with_mean : bool, default=True
        Centre the data before scaling.
    with_std : bool, default=True
        Scale the data to unit variance.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features,) or None
        Per-feature scale (``sqrt(var_)``, 1 for near-constant features);
        None when ``with_std=False``.
    mean_ : ndarray of shape (n_features,) or None
        Weighted mean; None when ``with_mean=False`` and ``with_std=False``.
    var_ : ndarray of shape (n_features,) or None
        Weighted population variance; None when ``with_std=False``.
    n_samples_seen_ : int or float
        Number of rows (sum of sample weights when weights were given).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same transformer, without ``unlearn``.
    skunlearn.pipeline.Pipeline : Unlearns every step of a pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.preprocessing import StandardScaler
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 11.0], [6.0, 5.0]])
    >>> scaler = StandardScaler().fit(X).unlearn(X[2:3])
    >>> refit = StandardScaler().fit(X[[0, 1, 3]])
    >>> bool(np.allclose(scaler.mean_, refit.mean_)), bool(np.allclose(scaler.var_, refit.var_))
    (True, True)
    """

    _parameter_constraints = {
        "copy": ["boolean"],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and variance of each feature, and keep the rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row.

        Returns
        -------
        self : StandardScaler
            The fitted scaler.
        """
        X = validate_data(self, X, dtype=np.float64, reset=True)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        self._fit_rows(X, weights)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Add a batch of rows to the mean and variance (the pairwise update).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            More training rows.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row.

        Returns
        -------
        self : StandardScaler
            The updated scaler.
        """
        if not hasattr(self, "_rows"):
            return self.fit(X, y, sample_weight)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        weights = np.ones(X.shape[0])
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        count, mean, m2 = _moments(X, weights)
        if sample_weight is None or not (self.with_mean or self.with_std):
            count = X.shape[0]  # rows, not weights, as scikit-learn counts them then
        rows = self._rows
        self._rows = TrainingRows(
            np.vstack([rows.X, X]),
            np.zeros(rows.n + X.shape[0], dtype=np.int8),
            np.concatenate([rows.sample_weight, weights]),
        )
        self._sample_weighted = self._sample_weighted or sample_weight is not None
        vars(self).update(self._moment_attributes(*self._merged(count, mean, m2)))
        return self

    def _statistics(self, X, sample_weight, params):
        weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        count, mean, m2 = _moments(X, weights)
        if sample_weight is None or not (params["with_mean"] or params["with_std"]):
            count = X.shape[0]  # rows, not weights, as scikit-learn counts them then
        return self._moment_attributes(count, mean, m2, params)

    def _merged(self, count, mean, m2):
        """Moments of the rows seen so far together with a batch (Chan et al.)."""
        seen = self.n_samples_seen_
        total = seen + count
        if self.mean_ is None:
            return total, None, None
        old_m2 = self.var_ * seen if self.var_ is not None else np.zeros_like(mean)
        delta = mean - self.mean_
        return (
            total,
            self.mean_ + delta * count / total,
            old_m2 + m2 + delta**2 * seen * count / total,
        )

    def _moment_attributes(self, count, mean, m2, params=None):
        params = self._fitted_params if params is None else params
        with_mean, with_std = params["with_mean"], params["with_std"]
        scale = var = None
        if with_std:
            var = np.maximum(m2, 0.0) / count
            scale = np.sqrt(var)
            scale[constant_mask(var, mean, count)] = 1.0
        return {
            "n_samples_seen_": count,
            "mean_": mean if with_mean or with_std else None,
            "var_": var,
            "scale_": scale,
        }

    def transform(self, X, copy=None):
        """Standardise ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to scale.
        copy : bool, default=None
            Copy ``X`` (default: the ``copy`` parameter).

        Returns
        -------
        X_tr : ndarray of shape (n_samples, n_features)
            Standardised data.
        """
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = validate_data(self, X, reset=False, dtype=np.float64, copy=copy, force_writeable=True)
        if self.with_mean:
            X -= self.mean_
        if self.with_std:
            X /= self.scale_
        return X

    def inverse_transform(self, X, copy=None):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Standardised data.
        copy : bool, default=None
            Copy ``X`` (default: the ``copy`` parameter).

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data in the original scale.
        """
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = check_array(X, dtype=np.float64, copy=copy, force_writeable=True)
        if self.with_std:
            X *= self.scale_
        if self.with_mean:
            X += self.mean_
        return X

    def _affine(self):
        ones = np.ones(self.n_features_in_)
        multiplier = 1.0 / self.scale_ if self.with_std else ones
        offset = -self.mean_ * multiplier if self.with_mean else 0.0 * ones
        return multiplier, offset
