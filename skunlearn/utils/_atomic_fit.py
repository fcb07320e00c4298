"""``fit`` that fails leaves the estimator as it was: the one home of that guarantee.

scikit-learn sets ``n_features_in_`` and ``feature_names_in_`` while it
validates ``X``, before ``fit`` checks the rest of its input, so an estimator
refitted on bad input can be left half-changed (its ``coef_`` from the old fit,
its ``n_features_in_`` from the new ``X``). :func:`atomic_fit_methods` wraps the
``fit`` (and ``fit_transform``) a class defines so that an exception restores the
instance's attributes as they were; the mixins of the unlearnable estimators and
transformers apply it to every subclass.
"""

import functools

from ..exceptions import pass_through

__all__ = ["atomic_fit_methods"]


def atomic_fit_methods(cls):
    """Wrap the ``fit`` and ``fit_transform`` that ``cls`` itself defines to be atomic.

    On any exception inside them the instance's attribute dictionary is
    restored to the one it had on entry (the same objects: fitting replaces
    the fitted state rather than mutating it), then the exception propagates.
    Inherited methods are left alone (the class that defines them wrapped
    them).

    Parameters
    ----------
    cls : type
        A class being created (called from ``__init_subclass__``).

    Returns
    -------
    cls : type
        The same class.

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
    for name in ("fit", "fit_transform"):
        method = vars(cls).get(name)
        if method is not None and not getattr(method, "_atomic", False):
            setattr(cls, name, _atomic(method))
    return cls


def _atomic(method):
    @pass_through
    @functools.wraps(method)
    def atomic(self, *args, **kwargs):
        before = dict(vars(self))
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise

    atomic._atomic = True
    return atomic
