"""What happens to a classifier's parametrisation when forgetting removes a class."""

import numpy as np

__all__ = ["class_map", "reduce_classes", "reduce_one_vs_all"]


def class_map(n_classes, keep):
    """Stored class index to the index among the kept classes (-1: vanished), or None.

    None when every one of the ``n_classes`` stored classes is kept (``keep``
    sorted).
    """
    if len(keep) == n_classes:
        return None
    target_map = np.full(n_classes, -1, dtype=np.int64)
    target_map[keep] = np.arange(len(keep))
    return target_map


def reduce_classes(coef, intercept, keep):
    """Map multinomial parameters onto the kept classes (oracle semantics).

    The oracle refit on the remaining rows knows only the classes still
    present: with more than two left it is multinomial over them; with two it
    is a binary model whose logit is the difference of the two classes'
    linear functions. Multinomial intercepts are re-centred to sum to zero,
    the gauge that ``fit`` and scikit-learn use. The returned parameters are
    the warm start that Newton steps then bring to that oracle.

    Parameters
    ----------
    coef : ndarray of shape (n_classes, n_features)
    intercept : ndarray of shape (n_classes,)
    keep : ndarray of int
        Indices of the classes that remain, sorted.

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_features)
    intercept : ndarray of shape (n_outputs,)
        ``n_outputs`` is ``len(keep)``, or 1 when two classes remain.

    Examples
    --------
    >>> import numpy as np
    >>> coef, intercept = np.eye(3), np.array([0.0, 1.0, 2.0])
    >>> reduce_classes(coef, intercept, np.array([0, 2]))[1]
    array([2.])
    """
    if len(keep) == 2 and len(coef) > 2:
        first, second = keep
        return (coef[second] - coef[first])[None, :], intercept[[second]] - intercept[[first]]
    kept = intercept[keep]
    return np.ascontiguousarray(coef[keep]), kept - kept.mean()


def reduce_one_vs_all(coef, intercept, keep):
    """Map one-vs-all parameters onto the kept classes (oracle semantics).

    Each output of a one-vs-all model (squared hinge, least squares on
    {-1, +1} targets) is its own problem: the kept classes keep their rows.
    With two classes left the oracle is binary with the second kept class
    positive, and that class's one-vs-all row already solves it once the
    rows of the vanished classes are gone.

    Parameters
    ----------
    coef : ndarray of shape (n_classes, n_features)
    intercept : ndarray of shape (n_classes,)
    keep : ndarray of int
        Indices of the classes that remain, sorted (at least two).

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_features)
    intercept : ndarray of shape (n_outputs,)
        ``n_outputs`` is ``len(keep)``, or 1 when two classes remain.

    Examples
    --------
    >>> import numpy as np
    >>> reduce_one_vs_all(np.eye(3), np.array([0.0, 1.0, 2.0]), np.array([0, 2]))[1]
    array([2.])
    """
    rows = keep if len(keep) > 2 else keep[1:]
    return np.ascontiguousarray(coef[rows]), np.ascontiguousarray(intercept[rows])
