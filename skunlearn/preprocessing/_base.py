"""What every unlearnable transformer shares: its rows, ``unlearn``, ``to_sklearn``.

A transformer here is a subclass of the scikit-learn transformer of the same
name, with this mixin first. Its ``fit`` keeps a copy of the input rows, in
the form they came (:func:`~skunlearn.utils.input_rows`: a DataFrame with its
columns and dtypes, an array of any dtype, documents, CSR), and takes its
fitted attributes from a *plain* scikit-learn transformer of the parent class
fitted on them with the same hyperparameters. :meth:`unlearn` finds the
forgotten rows by value (never by a tolerance), removes them in place, and
fits a plain transformer on the remaining rows: the result equals, bit for
bit, scikit-learn's transformer refit on the remaining rows in their order,
whatever the statistic (medians, category sets, vocabularies, document
frequencies, extremes). Every recomputation reads the remaining rows, never
the old statistics, so nothing of a forgotten row remains.

Inside :class:`skunlearn.pipeline.Pipeline` a step is refitted on the
remaining rows as the new upstream steps transform them, by a clone's
``fit_transform`` (the same code).
"""

import copy

import numpy as np
from sklearn.utils.validation import _num_samples, check_is_fitted

from ..linear_model._prepared import ctrl_c_deferred
from ..utils import input_rows, unlearn_lock
from ..utils._atomic_fit import atomic_fit_methods
from ..utils._table_rows import appended_rows
from ..utils._validation import validate_forget_weight

__all__ = ["UnlearnTransformerMixin"]

# Attributes a plain transformer may hold that are configuration, not fitted state.
_CONFIGURATION = frozenset({"_sklearn_output_config", "_metadata_request"})


class UnlearnTransformerMixin:
    """Mixin adding ``unlearn`` and ``to_sklearn`` to a subclass of a scikit-learn transformer.

    The subclass lists this mixin first and the scikit-learn class second;
    its ``fit`` (and ``fit_transform`` when the parent defines one) calls
    :meth:`_fit_rows`.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.preprocessing import StandardScaler, UnlearnTransformerMixin
    >>> X = np.array([[0.0], [1.0], [5.0]])
    >>> scaler = StandardScaler().fit(X).unlearn(X[2:])
    >>> isinstance(scaler, UnlearnTransformerMixin), scaler.mean_, scaler.var_
    (True, array([0.5]), array([0.25]))
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        atomic_fit_methods(cls)  # a fit that raises leaves the transformer as it was

    @classmethod
    def _plain_class(cls):
        """The scikit-learn class this one extends."""
        return next(k for k in cls.__mro__ if k.__module__.startswith("sklearn."))

    def _plain(self, params):
        return self._plain_class()(**params)

    def _fit_plain(self, plain, X, sample_weight=None, transform=False):
        """Fit ``plain`` on ``X`` (``fit_transform`` when ``transform``); its output or None."""
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        if transform:
            return plain.fit_transform(X, None, **kwargs)
        plain.fit(X, None, **kwargs)
        return None

    def _adopt(self, plain):
        """Take the fitted attributes of ``plain`` (all of them, and no others)."""
        params = plain.get_params(deep=False)
        for key in getattr(self, "_fitted_keys", ()):
            vars(self).pop(key, None)
        fitted = {
            k: v for k, v in vars(plain).items() if k not in params and k not in _CONFIGURATION
        }
        vars(self).update(fitted)
        self._fitted_keys = tuple(sorted(fitted))

    def _fit_rows(self, X, sample_weight=None, transform=False):
        """Fit on ``X`` and keep its rows; the output of ``fit_transform`` when ``transform``."""
        if not any(hasattr(X, name) for name in ("__len__", "shape", "__array__")):
            X = list(X)  # an iterable of documents, read once
        params = self.get_params(deep=False)
        plain = self._plain(params)
        output = self._fit_plain(plain, X, sample_weight, transform)
        n, weights = _row_weights(X, sample_weight)
        self._rows = input_rows(X, np.zeros(n, dtype=np.int8), weights)
        self._adopt(plain)
        self._fitted_params = params
        self._sample_weighted = sample_weight is not None
        return output

    def unlearn(self, X_forget, sample_weight=None):
        """Forget training rows: become the transformer fitted on the remaining rows.

        Each row of ``X_forget`` removes one stored training row equal to it
        (and of that ``sample_weight``, when given), matched by value with
        every missing value equal to every other; the transformer is then
        fitted on the remaining rows, in their order, with the
        hyperparameters of ``fit``. On error nothing changes; calls from
        several threads run one after the other.

        Parameters
        ----------
        X_forget : array-like, DataFrame or iterable of documents
            Rows to forget, in the form ``fit`` got them (an empty set is a
            no-op).
        sample_weight : array-like of shape (n_forget,), default=None
            Their weights at ``fit``: they decide between equal rows fitted
            with different weights.

        Returns
        -------
        self : object
            The unlearned transformer.

        Raises
        ------
        ValueError
            A row that is not a training row (a row forgotten before is not
            either; the message names the columns where the nearest stored
            row differs, without its values), occurs more often than
            trained, a weight that does not match, equal rows that only
            ``sample_weight`` tells apart, other columns than at ``fit``, or a
            forget set that covers every row.
        """
        check_is_fitted(self)
        with unlearn_lock(self):
            rows = self._rows
            weights = validate_forget_weight(sample_weight, _num_samples(X_forget))
            names = getattr(self, "feature_names_in_", None)
            positions = rows.find(X_forget, None, None, weights, column_names=names)
            if positions is None:
                return self
            rows.partition(positions)
            try:
                X, _, w = rows.head(rows.n - len(positions))
                plain = self._plain(self._fitted_params)
                self._fit_plain(plain, X, w if self._sample_weighted else None)
            except BaseException:
                rows.unpartition(positions)
                raise
            with ctrl_c_deferred():
                rows.drop_tail(positions)
                self._adopt(plain)
        return self

    def to_sklearn(self):
        """The equivalent scikit-learn transformer, without the training rows (for serving).

        Returns
        -------
        transformer : scikit-learn transformer
            The parent scikit-learn class with the same hyperparameters,
            output configuration (``set_output``) and fitted attributes: it
            transforms the same way, holds no training row and cannot
            unlearn.
        """
        check_is_fitted(self)
        plain = self._plain(self.get_params(deep=False))
        vars(plain).update({key: copy.deepcopy(vars(self)[key]) for key in self._fitted_keys})
        if hasattr(self, "_sklearn_output_config"):
            plain._sklearn_output_config = copy.deepcopy(self._sklearn_output_config)
        return plain

    def _partial_fit_rows(self, X, sample_weight=None):
        """``partial_fit``: merge a batch into the fitted state as scikit-learn does; keep it."""
        plain = self._plain(self.get_params(deep=False))
        vars(plain).update({key: vars(self)[key] for key in self._fitted_keys})
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        plain.partial_fit(X, None, **kwargs)
        n, weights = _row_weights(X, sample_weight)
        self._rows = appended_rows(self._rows, X, np.zeros(n, dtype=np.int8), weights)
        self._adopt(plain)
        self._fitted_params = self.get_params(deep=False)
        self._sample_weighted = self._sample_weighted or sample_weight is not None
        return self


def _row_weights(X, sample_weight):
    """The number of rows of ``X`` and their weights to store (ones when None)."""
    n = _num_samples(X)
    if sample_weight is None:
        return n, np.ones(n)
    return n, np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (n,))
