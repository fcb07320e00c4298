"""Rows and sample-weight sums per class, for ``fit`` (in memory, per chunk) and ``unlearn``."""

import numpy as np

__all__ = ["class_counts", "class_totals"]


def class_counts(encoded, weights, n_classes):
    """Rows per class: all of them (row 0) and those of positive weight (row 1).

    A class stays in the model while any of its rows remains (row 0), as in a
    scikit-learn refit, whose ``classes_`` are the labels of ``y`` whatever
    their weights; it takes part in the objective through its rows of positive
    weight (row 1).

    Parameters
    ----------
    encoded : ndarray of int of shape (n_samples,)
        Class indices.
    weights : ndarray of shape (n_samples,)
        Sample weights.
    n_classes : int
        Number of classes.

    Returns
    -------
    counts : ndarray of int of shape (2, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> class_counts(np.array([0, 1, 1]), np.array([0.0, 1.0, 2.0]), 3).tolist()
    [[1, 2, 0], [0, 2, 0]]
    """
    return np.stack(
        [
            np.bincount(encoded, minlength=n_classes),
            np.bincount(encoded[weights > 0], minlength=n_classes),
        ]
    )


def class_totals(encoded, weights, n_classes):
    """Sum of the sample weights of each class's rows, shape ``(n_classes,)``.

    Recomputed from the rows whenever needed (never downdated); rows held
    elsewhere (a chunked store's columns) are summed where they live.

    Examples
    --------
    >>> import numpy as np
    >>> class_totals(np.array([0, 1, 1]), np.array([0.5, 1.0, 2.0]), 3)
    array([0.5, 3. , 0. ])
    """
    reduce = getattr(encoded, "class_totals", None)
    if reduce is not None:
        return reduce(weights, n_classes)
    return np.bincount(encoded, weights, minlength=n_classes)
