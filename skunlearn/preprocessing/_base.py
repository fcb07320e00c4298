"""What an unlearnable per-column affine transformer shares: ``unlearn`` and its maps.

A transformer here is ``T(x) = x * multiplier + offset`` column by column, with
``(multiplier, offset)`` given by ``_affine()``. Its private
``_unlearned_copy(X_forget, sample_weight, input_map)`` returns a fitted copy
equal to the transformer refit without the rows ``X_forget`` and, when its input
space itself moved by ``z -> z * scale + shift`` (an upstream step changed),
refit on the moved rows; plus the *output map*: the per-column affine map that
takes the old outputs of the remaining rows to the new ones. That map is what
:class:`skunlearn.pipeline.Pipeline` hands downstream. Every scale of these maps
is positive (scalers never flip a column), so sorted columns stay sorted.
"""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

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

    Subclasses implement ``_affine()`` and
    ``_unlearned_copy(X_forget, sample_weight, input_map)``.
    """

    def unlearn(self, X_forget, sample_weight=None):
        """Forget training rows: become the transformer fitted without them.

        The transformer keeps only what its statistics need, not the rows
        themselves, so it trusts that ``X_forget`` (with the weights they were
        fitted with) were training rows; :class:`skunlearn.pipeline.Pipeline`
        checks that before it calls this. On error nothing changes.

        Parameters
        ----------
        X_forget : array-like of shape (n_forget, n_features)
            Rows to forget.
        sample_weight : array-like of shape (n_forget,), default=None
            Their weights at ``fit`` (all ones when None).

        Returns
        -------
        self : object
            The unlearned transformer.
        """
        check_is_fitted(self)
        new, _ = self._unlearned_copy(X_forget, sample_weight)
        vars(self).update(vars(new))
        return self

    def _validate_forget(self, X_forget, sample_weight):
        X_forget = validate_data(
            self, X_forget, reset=False, dtype=np.float64, ensure_min_samples=0
        )
        if sample_weight is None:
            return X_forget, np.ones(X_forget.shape[0])
        return X_forget, _check_sample_weight(sample_weight, X_forget, dtype=np.float64)
