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
import inspect

from ..exceptions import pass_through
from ._locking import unlearn_lock

__all__ = ["atomic_fit_methods"]


def atomic_fit_methods(cls):
    """Wrap the ``fit`` and ``fit_transform`` of ``cls`` (its own or inherited) to be atomic.

    On any exception inside them the instance's attribute dictionary is
    restored to the one it had on entry (the same objects: fitting replaces
    the fitted state rather than mutating it; lists, such as a pipeline's
    ``steps``, get their items back), and so are those of the objects its
    ``_atomic_parts()`` lists (a pipeline's steps, which scikit-learn fits in
    place), then the exception propagates. The call
    holds the estimator's :func:`~skunlearn.utils.unlearn_lock`, so a fit runs
    neither beside an ``unlearn`` nor beside another fit of the same
    estimator (whose result a restore would otherwise undo). An inherited
    method is wrapped on ``cls`` unless it is already atomic (scikit-learn's
    ``TransformerMixin.fit_transform``, with its ``set_output`` conversion
    inside); an ``available_if`` of ``cls`` keeps its condition and gets its
    function wrapped.

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
        method = inspect.getattr_static(cls, name, None)  # its own or inherited
        if inspect.isfunction(method) and method not in _ATOMIC:
            setattr(cls, name, _atomic(method))
        elif inspect.isfunction(getattr(vars(cls).get(name), "fn", None)):
            method.fn = _atomic(method.fn)  # the function inside an available_if of cls
    return cls


_ATOMIC = set()  # the wrappers made here (a wrapper around one of them is wrapped again)


def _atomic(method):
    @pass_through
    @functools.wraps(method)
    def atomic(self, *args, **kwargs):
        with unlearn_lock(self):  # not beside an unlearn or another fit of this estimator
            parts = [self, *getattr(self, "_atomic_parts", tuple)()]
            saved = [_snapshot(part) for part in parts]
            try:
                return method(self, *args, **kwargs)
            except BaseException:
                for part, snapshot in zip(parts, saved, strict=True):
                    _restore(part, *snapshot)
                raise

    _ATOMIC.add(atomic)
    return atomic


def _snapshot(obj):
    attributes = dict(vars(obj))
    return attributes, {k: list(v) for k, v in attributes.items() if type(v) is list}


def _restore(obj, attributes, lists):
    vars(obj).clear()
    vars(obj).update(attributes)
    for key, items in lists.items():  # a pipeline's fit rewrites its steps in place
        attributes[key][:] = items
