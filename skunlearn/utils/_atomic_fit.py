"""``fit`` that fails leaves the estimator as it was: the one home of that guarantee.

scikit-learn sets ``n_features_in_`` and ``feature_names_in_`` while it
validates ``X``, before ``fit`` checks the rest of its input, so an estimator
refitted on bad input can be left half-changed (its ``coef_`` from the old fit,
its ``n_features_in_`` from the new ``X``). :func:`atomic_fit_methods` wraps the
``fit`` a class defines so that an exception restores the instance's attributes
as they were; the mixins of the unlearnable estimators and transformers apply it
to every subclass.
"""

import functools

from ..exceptions import pass_through

__all__ = ["atomic_fit_methods"]


def atomic_fit_methods(cls):
    """Wrap the ``fit`` that ``cls`` itself defines (not an inherited one) to be atomic.

    On any exception inside ``fit`` the instance's attribute dictionary is
    restored to the one it had on entry (the same objects: ``fit`` replaces
    its fitted state rather than mutating it), then the exception propagates.

    Parameters
    ----------
    cls : type
        A class being created (called from ``__init_subclass__``).

    Examples
    --------
    >>> class Model:
    ...     def fit(self, X):
    ...         self.n_features_in_ = len(X[0])
    ...         raise ValueError("bad input")
    >>> _ = atomic_fit_methods(Model)
    >>> model = Model()
    >>> try:
    ...     model.fit([[1.0, 2.0]])
    ... except ValueError:
    ...     pass
    >>> hasattr(model, "n_features_in_")
    False
    """
    method = vars(cls).get("fit")
    if method is None or getattr(method, "_atomic", False):
        return cls

    @pass_through
    @functools.wraps(method)
    def fit(self, *args, **kwargs):
        before = dict(vars(self))
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise

    fit._atomic = True
    cls.fit = fit
    return cls
