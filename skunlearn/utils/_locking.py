"""One lock per estimator, so that concurrent ``unlearn`` calls run one after the other.

The locks live in a module-level registry keyed by the estimator's identity and
held through a weak reference, not on the estimator: pickles, clones and deep
copies carry no lock and get their own on first use, and an entry goes away
with its estimator.
"""

import threading
import weakref

__all__ = ["unlearn_lock"]

_LOCKS = {}
_REGISTRY_LOCK = threading.RLock()  # re-entrant: a collection callback may run inside


def unlearn_lock(estimator):
    """The re-entrant lock that serialises ``unlearn`` on ``estimator``.

    Parameters
    ----------
    estimator : object
        Any weakly referenceable object (told apart by identity).

    Returns
    -------
    lock : threading.RLock

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils import unlearn_lock
    >>> model = Ridge()
    >>> unlearn_lock(model) is unlearn_lock(model), unlearn_lock(model) is unlearn_lock(Ridge())
    (True, False)
    """
    key = id(estimator)
    with _REGISTRY_LOCK:
        entry = _LOCKS.get(key)
        if entry is None or entry[0]() is not estimator:
            ref = weakref.ref(estimator, lambda ref, key=key: _discard(key, ref))
            entry = _LOCKS[key] = (ref, threading.RLock())
        return entry[1]


def _discard(key, ref):
    with _REGISTRY_LOCK:
        entry = _LOCKS.get(key)
        if entry is not None and entry[0] is ref:
            del _LOCKS[key]
