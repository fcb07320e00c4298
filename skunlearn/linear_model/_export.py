"""scikit-learn's counterpart of each estimator, for ``to_sklearn`` (serving without the rows).

The export is scikit-learn's own estimator with the hyperparameters that define
the same objective in scikit-learn's convention, under the installed version:
scikit-learn 1.8 replaced ``penalty`` by ``l1_ratio`` and ``C=np.inf``, so an
L1, elastic-net or unpenalised model is spelled with ``penalty`` before it
(:func:`logistic_export`, :func:`ridge_export`); the model family's estimators
take the hyperparameters scikit-learn shares with them
(:func:`sklearn_counterpart`). ``UnlearnMixin.to_sklearn`` then copies the
fitted parameters.
"""

import copy

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.utils.fixes import parse_version

__all__ = ["logistic_export", "paper_scaled", "ridge_export", "sklearn_counterpart"]

_PENALTY_IS_DEPRECATED = parse_version(sklearn.__version__) >= parse_version("1.8")


def logistic_export(estimator, spec):
    """An unfitted-looking ``sklearn.linear_model.LogisticRegression`` for ``estimator``.

    Parameters
    ----------
    estimator : skunlearn.LogisticRegression
        Fitted.
    spec : ObjectiveSpec
        Its current objective (the paper convention's ``C`` follows the rows).

    Returns
    -------
    model : sklearn.linear_model.LogisticRegression
        With ``classes_`` and ``n_iter_`` set.

    Raises
    ------
    ValueError
        ``loss="exponential"`` (scikit-learn has no such model).
    """
    fitted = estimator._spec
    if fitted["loss"] == "exponential":
        raise ValueError("loss='exponential' has no scikit-learn counterpart to export to.")
    options = fitted["options"]
    C = options.C
    if fitted["convention"] == "paper":  # mean loss + penalty / C is C * weight_scale times it
        C = C * spec.weight_scale
    model = SklearnLogisticRegression(
        **_penalty(C, options.l1_ratio),
        dual=fitted["dual"],
        tol=fitted["tol"],
        fit_intercept=fitted["fit_intercept"],
        intercept_scaling=fitted["intercept_scaling"],
        class_weight=copy.deepcopy(fitted["class_weight"]),
        random_state=fitted["random_state"],
        solver=_logistic_solver(options),
        max_iter=fitted["max_iter"],
        warm_start=fitted["warm_start"],
    )
    model.classes_ = estimator.classes_.copy()
    model.n_iter_ = estimator.n_iter_.copy()
    return model


def _penalty(C, l1_ratio):
    """``C`` and the penalty as the installed scikit-learn spells them."""
    if _PENALTY_IS_DEPRECATED:
        return {"C": C, "l1_ratio": l1_ratio}
    if np.isinf(C):
        return {"penalty": None}
    if l1_ratio == 1.0:
        return {"C": C, "penalty": "l1"}
    if l1_ratio > 0.0:
        return {"C": C, "penalty": "elasticnet", "l1_ratio": l1_ratio}
    return {"C": C, "penalty": "l2"}


def _logistic_solver(options):
    """The solver name: ours when scikit-learn has it; for "auto", one that accepts the penalty."""
    if options.solver != "auto":
        return options.solver
    return "saga" if options.l1_ratio > 0 and np.isfinite(options.C) else "newton-cholesky"


def ridge_export(estimator, spec):
    """``sklearn.linear_model.Ridge`` with ``estimator``'s hyperparameters.

    ``alpha`` is the strength in scikit-learn's convention (per target when
    the model has one per target): ``spec.l2 / (2 weight_scale)``, which in
    the paper convention scales with the rows' total weight.

    Returns
    -------
    model : sklearn.linear_model.Ridge
        With ``n_iter_`` and ``solver_`` set.
    """
    fitted = estimator._spec
    model = SklearnRidge(
        alpha=spec.l2 / (2.0 * spec.weight_scale),
        fit_intercept=fitted["fit_intercept"],
        copy_X=fitted["copy_X"],
        max_iter=fitted["max_iter"],
        tol=fitted["tol"],
        solver=fitted["solver"],
        positive=fitted["positive"],
        random_state=fitted["random_state"],
    )
    model.n_iter_ = copy.deepcopy(estimator.n_iter_)
    model.solver_ = estimator.solver_
    return model


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
        # a property of the installed scikit-learn (RidgeClassifier.classes_ before 1.8) derives
        # from other attributes and cannot be set
        read_only = isinstance(getattr(type(model), name, None), property)
        if hasattr(estimator, name) and not read_only:
            setattr(model, name, copy.deepcopy(getattr(estimator, name)))
    return model


def paper_scaled(estimator, name):
    """A penalty of the paper's convention in scikit-learn's (times or over the total weight)."""
    value = estimator._spec[name]
    if estimator._spec.get("convention") != "paper":
        return value
    total = float(np.sum(estimator._rows.sample_weight))
    return value / total if name == "C" else value * total
