"""Categorical encoders that can unlearn: ``OneHotEncoder`` and ``OrdinalEncoder``.

The categories seen, their order, the infrequent groups of
``min_frequency``/``max_categories`` and the dropped categories are functions
of the rows: these encoders keep their rows and fit scikit-learn's encoder on
the remaining ones when unlearning, so every one of them is what a refit
gives. A category held only by forgotten rows disappears with them (in a
pipeline the downstream model loses that column), a category that stops
being infrequent reappears as a column of its own.
"""

from sklearn import preprocessing as sk_preprocessing

from ._base import UnlearnTransformerMixin

__all__ = ["OneHotEncoder", "OrdinalEncoder"]

_FIT_DOC = """Learn the categories of each feature and keep the rows.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Categorical data: strings, numbers, pandas categoricals, with
            missing values (``None``, ``NaN``, ``pandas.NA``) as a category.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """


class OneHotEncoder(UnlearnTransformerMixin, sk_preprocessing.OneHotEncoder):
    """Encode categorical features as a one-hot numeric array; can unlearn exactly.

    :class:`sklearn.preprocessing.OneHotEncoder` (same parameters, same
    output, ``get_feature_names_out`` and ``set_output``) that keeps a copy
    of its training rows: :meth:`unlearn` finds the forgotten rows by value
    (a missing value equals any missing value) and fits the encoder on the
    remaining ones, so the categories, infrequent groups and dropped
    categories equal those of the encoder refit on them.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories per feature; "auto" takes those of the (remaining) rows.
    drop : {"first", "if_binary"} or array-like of shape (n_features,), default=None
        A category to drop per feature.
    sparse_output : bool, default=True
        Return a CSR matrix (else a dense array).
    dtype : number type, default=np.float64
        Output dtype.
    handle_unknown : {"error", "ignore", "infrequent_if_exist", "warn"}, default="error"
        What ``transform`` does with a category not seen at fit (after
        ``unlearn``: not held by any remaining row).
    min_frequency : int or float, default=None
        Categories rarer than this (a count, or a fraction of the rows) are
        grouped as infrequent.
    max_categories : int, default=None
        Upper limit on the output features per input feature, infrequent
        group included.
    feature_name_combiner : "concat" or callable, default="concat"
        How output feature names are built.

    Attributes
    ----------
    categories_ : list of arrays
        Categories of each feature (of the remaining rows after ``unlearn``).
    drop_idx_ : array of shape (n_features,) or None
        Index in ``categories_`` of the category dropped per feature.
    infrequent_categories_ : list of ndarray
        Infrequent categories per feature (with ``min_frequency`` or
        ``max_categories``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.preprocessing.OneHotEncoder : The same encoder, without ``unlearn``.
    OrdinalEncoder : Categories as integers; can unlearn.

    Examples
    --------
    >>> import pandas as pd
    >>> from skunlearn.preprocessing import OneHotEncoder
    >>> X = pd.DataFrame({"city": ["Lyon", "Oslo", "Rome", "Oslo"]})
    >>> encoder = OneHotEncoder(sparse_output=False).fit(X).unlearn(X.iloc[[2]])
    >>> encoder.get_feature_names_out().tolist()
    ['city_Lyon', 'city_Oslo']
    """

    def fit(self, X, y=None):
        self._fit_rows(X)
        return self

    fit.__doc__ = _FIT_DOC


class OrdinalEncoder(UnlearnTransformerMixin, sk_preprocessing.OrdinalEncoder):
    """Encode categorical features as integers; can unlearn exactly.

    :class:`sklearn.preprocessing.OrdinalEncoder` (same parameters and
    output) that keeps a copy of its training rows: :meth:`unlearn` finds the
    forgotten rows by value and fits the encoder on the remaining ones, so
    the categories and their codes equal those of the encoder refit on them
    (forgetting the only row of a category renumbers the ones after it).

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories per feature; "auto" takes those of the (remaining) rows.
    dtype : number type, default=np.float64
        Output dtype.
    handle_unknown : {"error", "use_encoded_value"}, default="error"
        What ``transform`` does with a category not seen at fit.
    unknown_value : int or np.nan, default=None
        The code of unknown categories with ``handle_unknown="use_encoded_value"``.
    encoded_missing_value : int or np.nan, default=np.nan
        The code of missing values.
    min_frequency : int or float, default=None
        Categories rarer than this are grouped as infrequent.
    max_categories : int, default=None
        Upper limit on the categories per feature, infrequent group included.

    Attributes
    ----------
    categories_ : list of arrays
        Categories of each feature (of the remaining rows after ``unlearn``).
    infrequent_categories_ : list of ndarray
        Infrequent categories per feature.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).

    See Also
    --------
    sklearn.preprocessing.OrdinalEncoder : The same encoder, without ``unlearn``.
    OneHotEncoder : One column per category; can unlearn.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.preprocessing import OrdinalEncoder
    >>> X = np.array([["b"], ["a"], ["c"], ["b"]], dtype=object)
    >>> OrdinalEncoder().fit(X).unlearn(X[1:2]).transform(X[[0, 2]]).ravel()
    array([0., 1.])
    """

    def fit(self, X, y=None):
        self._fit_rows(X)
        return self

    fit.__doc__ = _FIT_DOC
