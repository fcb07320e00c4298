"""Scalers that can unlearn: ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``.

Each is scikit-learn's scaler of the same name (missing values passed
through, sparse input where scikit-learn's takes it) keeping its training
rows: :meth:`~skunlearn.preprocessing.UnlearnTransformerMixin.unlearn`
recomputes the statistics from the remaining rows with scikit-learn's code.
The extremes of the remaining rows are not a function of the old extremes and
the forgotten rows (forgetting the row that holds a maximum needs the next
largest value), and a mean and variance downdated by subtraction keep the
forgotten rows in their low-order bits: keeping the rows is the price of
exactness, ``O(n d)`` per unlearning. ``_affine()`` gives each scaler's map
``x -> x * multiplier + offset`` per column, which carries a downstream
model's parameters into the new feature space in a pipeline.
"""

import numpy as np
from sklearn import preprocessing as sk_preprocessing

from ._base import UnlearnTransformerMixin

__all__ = ["MaxAbsScaler", "MinMaxScaler", "StandardScaler"]

_FIT_DOC = """Compute the statistics and keep the rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (NaN is ignored by the statistics and kept by
            ``transform``).
        y : None
            Ignored.
        %s
        Returns
        -------
        self : object
            The fitted scaler.
        """
_PARTIAL_FIT_DOC = """Merge a batch into the statistics as scikit-learn's ``partial_fit``; keep it.

        :meth:`unlearn` recomputes the statistics from the remaining rows of
        every batch.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            More training rows.
        y : None
            Ignored.
        %s
        Returns
        -------
        self : object
            The updated scaler.
        """
_WEIGHT_DOC = """sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row.
"""


class StandardScaler(UnlearnTransformerMixin, sk_preprocessing.StandardScaler):
    """Standardise features by removing the mean and scaling to unit variance; can unlearn.

    :class:`sklearn.preprocessing.StandardScaler` (weighted mean and
    population variance, NaN ignored by the statistics and passed through,
    sparse input with ``with_mean=False``) that keeps a copy of its training
    rows (as much memory as ``X``): :meth:`unlearn` finds the forgotten rows
    among them by value and recomputes the mean and variance from the
    remaining rows with scikit-learn's code, so the result equals, bit for
    bit, the scaler fitted on the remaining rows (however extreme the
    forgotten rows were). :meth:`partial_fit` merges batches like
    scikit-learn's.

    Parameters
    ----------
    copy : bool, default=True
        If False, ``transform`` scales float input in place.
    with_mean : bool, default=True
        Centre the data before scaling (not for sparse input).
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
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Rows (sum of sample weights when weights were given) per feature,
        NaN excluded (an array when ``X`` held NaN).
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
    >>> X = np.array([[0.0, 1.0], [2.0, np.nan], [4.0, 11.0], [6.0, 5.0]])
    >>> scaler = StandardScaler().fit(X).unlearn(X[2:3])
    >>> scaler.mean_
    array([2.66666667, 3.        ])
    """

    def fit(self, X, y=None, sample_weight=None):
        self._fit_rows(X, sample_weight)
        return self

    fit.__doc__ = _FIT_DOC % _WEIGHT_DOC

    def partial_fit(self, X, y=None, sample_weight=None):
        if not hasattr(self, "_rows"):
            return self.fit(X, y, sample_weight)
        return self._partial_fit_rows(X, sample_weight)

    partial_fit.__doc__ = _PARTIAL_FIT_DOC % _WEIGHT_DOC

    def _affine(self):
        ones = np.ones(self.n_features_in_)
        multiplier = 1.0 / self.scale_ if self.with_std else ones
        offset = -self.mean_ * multiplier if self.with_mean else 0.0 * ones
        return multiplier, offset


class MinMaxScaler(UnlearnTransformerMixin, sk_preprocessing.MinMaxScaler):
    """Scale each feature to a given range; can unlearn exactly.

    :class:`sklearn.preprocessing.MinMaxScaler` (``z = x * scale_ + min_``,
    NaN ignored by the extremes and passed through) that keeps a copy of its
    training rows: :meth:`unlearn` finds the forgotten rows among them by
    value and recomputes the extremes from the remaining rows, so the result
    equals the scaler refit on them.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Desired range of the transformed data.
    copy : bool, default=True
        If False, ``transform`` scales float input in place.
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

    def fit(self, X, y=None):
        self._fit_rows(X)
        return self

    fit.__doc__ = _FIT_DOC % ""

    def partial_fit(self, X, y=None):
        if not hasattr(self, "_rows"):
            return self.fit(X, y)
        return self._partial_fit_rows(X)

    partial_fit.__doc__ = _PARTIAL_FIT_DOC % ""

    def _affine(self):
        return self.scale_, self.min_


class MaxAbsScaler(UnlearnTransformerMixin, sk_preprocessing.MaxAbsScaler):
    """Scale each feature by its maximum absolute value; can unlearn exactly.

    :class:`sklearn.preprocessing.MaxAbsScaler` (``z = x / scale_``, dense
    or sparse input, NaN passed through) that keeps a copy of its training
    rows (sparse ones as CSR): :meth:`unlearn` finds the forgotten rows among
    them by value and recomputes the maxima from the remaining rows, so the
    result equals the scaler refit on them.

    Parameters
    ----------
    copy : bool, default=True
        If False, ``transform`` scales float input in place.

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
    >>> import scipy.sparse as sp
    >>> from skunlearn.preprocessing import MaxAbsScaler
    >>> X = sp.csr_matrix([[-8.0, 1.0], [2.0, 0.0], [4.0, -6.0]])
    >>> MaxAbsScaler().fit(X).unlearn(X[:1]).max_abs_
    array([4., 6.])
    """

    def fit(self, X, y=None):
        self._fit_rows(X)
        return self

    fit.__doc__ = _FIT_DOC % ""

    def partial_fit(self, X, y=None):
        if not hasattr(self, "_rows"):
            return self.fit(X, y)
        return self._partial_fit_rows(X)

    partial_fit.__doc__ = _PARTIAL_FIT_DOC % ""

    def _affine(self):
        return 1.0 / self.scale_, np.zeros(self.n_features_in_)
