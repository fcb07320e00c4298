"""What an unlearnable per-column affine transformer shares: its rows, ``unlearn`` and its maps.

A transformer here is ``T(x) = x * multiplier + offset`` column by column, with
``(multiplier, offset)`` given by ``_affine()``, and statistics computed from
its training rows by ``_set_statistics(X, sample_weight)``. It keeps those rows
in a row store (:class:`~skunlearn.utils.TrainingRows`: a copy of the data, in
fit order), so that :meth:`UnlearnTransformerMixin.unlearn` finds the forgotten
rows by identity (never by a tolerance on values), refuses rows it never saw
(or saw fewer times), and recomputes the statistics from the remaining rows
with the code ``fit`` runs: the result equals, bit for bit, the transformer
fitted on the remaining rows in their order.

Inside :class:`skunlearn.pipeline.Pipeline` a step is refitted aside on the
remaining rows as the new upstream steps transform them (``_refit_copy``); the
*output map* ``t -> t * scale + shift`` (per column, from the old and new
affine maps) then carries the final estimator's parameters into the new feature
space. Every scale of these maps is positive (scalers never flip a column).
"""

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..linear_model._base import validate_forget_weight
from ..linear_model._prepared import ctrl_c_deferred
from ..utils import TrainingRows, unlearn_lock

__all__ = ["UnlearnTransformerMixin", "compose_output_map", "constant_mask"]


def constant_mask(var, mean, n_samples):
    """Columns whose variance is rounding noise (scikit-learn's rule, Chan et al.)."""
    eps = np.finfo(np.float64).eps
    return var <= n_samples * eps * var + (n_samples * mean * eps) ** 2


def compose_output_map(old, new, input_map):
    """The map ``t -> t * scale + shift`` from old outputs to new outputs.

    ``old`` and ``new`` are ``(multiplier, offset)`` of the transformer before
    and after; ``input_map`` is ``(a, b)`` (inputs moved by ``z -> a z + b``) or
    None. With ``t = z M + A`` and ``t' = (a z + b) M' + A'``:
    ``t' = t (a M' / M) + (b M' + A' - a A M' / M)``.
    """
    (mult, offset), (new_mult, new_offset) = old, new
    a, b = (1.0, 0.0) if input_map is None else input_map
    scale = a * new_mult / mult
    return scale, b * new_mult + new_offset - offset * scale


class UnlearnTransformerMixin:
    """Mixin adding ``unlearn(X_forget, sample_weight=None)`` to a transformer.

    Subclasses implement ``_affine()`` and ``_statistics(X, sample_weight,
    params)``: the fitted attributes (a dict) of rows ``X`` (``sample_weight``
    None when ``fit`` got none) under the hyperparameters ``params``; their
    ``fit`` calls :meth:`_fit_rows`.
    """

    def _fit_rows(self, X, sample_weight=None):
        """Keep the rows and the hyperparameters, and compute the statistics."""
        self._rows = TrainingRows(X, np.zeros(X.shape[0], dtype=np.int8), _ones(X, sample_weight))
        self._fitted_params = self.get_params(deep=False)
        self._sample_weighted = sample_weight is not None
        vars(self).update(self._statistics_of(self._rows.X))

    def _statistics_of(self, X):
        """The fitted attributes of stored rows ``X`` (the first ``len(X)`` of the store)."""
        weights = self._rows.sample_weight[: X.shape[0]] if self._sample_weighted else None
        return self._statistics(X, weights, self._fitted_params)

    def unlearn(self, X_forget, sample_weight=None):
        """Forget training rows: become the transformer fitted on the remaining rows.

        Each row of ``X_forget`` removes one stored training row equal to it
        (and of that ``sample_weight``, when given); the statistics are then
        recomputed from the remaining rows, with the hyperparameters of
        ``fit``. On error nothing changes; calls from several threads run one
        after the other.

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Rows to forget.
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
            either), occurs more often than trained, a weight that does not
            match, equal rows that only ``sample_weight`` tells apart, or a
            forget set that covers every row.
        """
        check_is_fitted(self)
        with unlearn_lock(self):
            X_forget = validate_data(
                self, X_forget, reset=False, dtype=np.float64, ensure_min_samples=0
            )
            weights = validate_forget_weight(sample_weight, X_forget.shape[0])
            rows = self._rows
            positions = rows.find(X_forget, None, None, weights)
            if positions is None:
                return self
            rows.partition(positions)
            try:
                statistics = self._statistics_of(rows.head(rows.n - len(positions))[0])
            except BaseException:
                rows.unpartition(positions)
                raise
            with ctrl_c_deferred():
                rows.drop_tail(positions)
                vars(self).update(statistics)
        return self

    def _refit_copy(self, X, sample_weight=None, input_map=None):
        """The transformer fitted on rows ``X`` (the remaining rows as the new upstream
        steps give them) with the hyperparameters of its ``fit``, and the output map
        from its old outputs to the new one's (``input_map``: how the inputs moved).
        """
        new = copy.copy(self)
        new._rows = TrainingRows(X, np.zeros(X.shape[0], dtype=np.int8), _ones(X, sample_weight))
        new._sample_weighted = sample_weight is not None
        vars(new).update(new._statistics_of(new._rows.X))
        return new, compose_output_map(self._affine(), new._affine(), input_map)


def _ones(X, sample_weight):
    return np.ones(X.shape[0]) if sample_weight is None else sample_weight
