"""scikit-learn counterparts of the family's estimators, for ``to_sklearn`` (serving)."""

import copy

import numpy as np

__all__ = ["sklearn_counterpart"]


def sklearn_counterpart(estimator, module, attributes=(), **overrides):
    """scikit-learn's estimator of the same name and hyperparameters, with fitted attributes.

    The hyperparameters are those the model was fitted with that scikit-learn
    also has (skunlearn's additions, such as ``unlearner``, are dropped),
    updated by ``overrides`` (a penalty translated from the paper's
    convention); the listed fitted ``attributes`` are copied when set.
    :meth:`~skunlearn.linear_model.UnlearnMixin.to_sklearn` copies the
    coefficients, intercepts and feature names.

    Parameters
    ----------
    estimator : fitted skunlearn estimator
    module : module
        Where scikit-learn's class lives (``sklearn.linear_model``, ``sklearn.svm``).
    attributes : sequence of str, default=()
        Fitted attributes to copy besides the coefficients.
    **overrides
        Hyperparameters to set instead of the fitted ones.

    Returns
    -------
    estimator : scikit-learn estimator
    """
    model = getattr(module, type(estimator).__name__)()
    known = model.get_params()
    fitted = {k: v for k, v in estimator._fitted_hyperparameters().items() if k in known}
    model.set_params(**{**fitted, **overrides})
    for name in attributes:
        if hasattr(estimator, name):
            setattr(model, name, copy.deepcopy(getattr(estimator, name)))
    return model


def paper_scaled(estimator, name):
    """A penalty of the paper's convention in scikit-learn's (times or over the total weight)."""
    value = estimator._spec[name]
    if estimator._spec.get("convention") != "paper":
        return value
    total = float(np.sum(estimator._rows.sample_weight))
    return value / total if name == "C" else value * total
