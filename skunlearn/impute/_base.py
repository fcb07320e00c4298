"""``SimpleImputer`` that can unlearn: the fill values of the remaining rows, exactly.

A median or a most frequent value is not a function of the old one and the
forgotten rows (forgetting the row at the median needs its neighbour); the
imputer keeps its rows and fits scikit-learn's imputer on the remaining ones.
"""

from sklearn import impute as sk_impute

from ..preprocessing import UnlearnTransformerMixin

__all__ = ["SimpleImputer"]


class SimpleImputer(UnlearnTransformerMixin, sk_impute.SimpleImputer):
    """Replace missing values by a per-column statistic; can unlearn exactly.

    :class:`sklearn.impute.SimpleImputer` (mean, median, most frequent or
    constant; numbers or strings; ``add_indicator``) that keeps a copy of its
    training rows: :meth:`unlearn` finds the forgotten rows by value (NaN
    equals NaN) and fits the imputer on the remaining ones, so the fill
    values (``statistics_``), the columns kept and the missing indicator
    equal those of the imputer refit on them.

    Parameters
    ----------
    missing_values : int, float, str, np.nan, None or pandas.NA, default=np.nan
        The placeholder of a missing value.
    strategy : {"mean", "median", "most_frequent", "constant"} or callable, default="mean"
        The fill value of each column.
    fill_value : str or number, default=None
        The fill value with ``strategy="constant"``.
    copy : bool, default=True
        Copy ``X`` in ``transform``.
    add_indicator : bool, default=False
        Append a missing-value indicator.
    keep_empty_features : bool, default=False
        Keep columns that are missing on every (remaining) row.

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features,)
        The fill value of each column, from the (remaining) training rows.
    indicator_ : MissingIndicator or None
        The missing-value indicator, when ``add_indicator=True``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.impute.SimpleImputer : The same imputer, without ``unlearn``.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.impute import SimpleImputer
    >>> X = np.array([[1.0], [2.0], [np.nan], [10.0]])
    >>> SimpleImputer(strategy="median").fit(X).unlearn(X[3:]).statistics_
    array([1.5])
    """

    def fit(self, X, y=None):
        """Compute the fill values and keep the rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} or DataFrame of shape (n_samples, n_features)
            Training data, with missing values.
        y : None
            Ignored.

        Returns
        -------
        self : SimpleImputer
            The fitted imputer.
        """
        self._fit_rows(X)
        return self
