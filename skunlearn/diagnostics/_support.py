"""What the diagnostics accept, said up front instead of failing on a private name."""

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["as_fitted_input", "check_diagnosable"]


def check_diagnosable(estimator, what="This diagnostic"):
    """Raise a clear error unless ``estimator`` is a fitted skunlearn linear model.

    The diagnostics that read an estimator's stored rows and training
    objective support :class:`~skunlearn.LogisticRegression` and
    :class:`~skunlearn.Ridge` (fitted); a pipeline's final step is one.

    Parameters
    ----------
    estimator : object
        What the user passed.
    what : str, default="This diagnostic"
        The diagnostic's name, for the message.

    Raises
    ------
    TypeError
        For a pipeline (naming how to diagnose its final step) or any other
        estimator (naming the supported ones).
    sklearn.exceptions.NotFittedError
        For an unfitted skunlearn estimator.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> check_diagnosable(LogisticRegression(), "certified_bound")
    Traceback (most recent call last):
    ...
    TypeError: certified_bound needs a fitted skunlearn.LogisticRegression or skunlearn.Ridge ...
    """
    from ..linear_model import UnlearnMixin

    if isinstance(estimator, UnlearnMixin):
        check_is_fitted(estimator)
        return
    supported = (
        f"{what} needs a fitted skunlearn.LogisticRegression or skunlearn.Ridge (it reads the "
        "rows and the objective the model keeps)"
    )
    if isinstance(estimator, Pipeline):
        raise TypeError(
            f"{supported}; got a Pipeline. Diagnose its final step on the rows as that step "
            "sees them: pass pipe[-1] and pipe[:-1].transform(X_forget)."
        )
    name = f"{type(estimator).__module__.split('.')[0]}.{type(estimator).__name__}"
    raise TypeError(f"{supported}; got {name}.")


def as_fitted_input(estimator, X):
    """``X`` as the estimator saw its training input: a DataFrame with its column names
    when it was fitted on one (so scikit-learn does not warn), else unchanged."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or X is None or hasattr(X, "columns") or sp.issparse(X):
        return X
    import pandas as pd

    return pd.DataFrame(np.asarray(X), columns=names)
