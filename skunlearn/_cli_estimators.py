"""Which model the command-line report fits (``--model``), and its reference oracle."""

import sklearn.linear_model
import sklearn.svm
from sklearn.base import clone, is_classifier

from . import linear_model, svm

__all__ = ["ESTIMATORS", "is_classification", "make_estimator", "reference_oracle", "strength"]

# --model: skunlearn's class, its module and scikit-learn's, and whether scikit-learn's
# own solver reaches a tight oracle (else the oracle is skunlearn's tight refit).
ESTIMATORS = {
    "logistic": ("LogisticRegression", linear_model, sklearn.linear_model, True),
    "linear_svc": ("LinearSVC", svm, sklearn.svm, False),
    "ridge_classifier": ("RidgeClassifier", linear_model, sklearn.linear_model, True),
    "ridge": ("Ridge", linear_model, sklearn.linear_model, True),
    "ridge_cv": ("RidgeCV", linear_model, sklearn.linear_model, True),
    "linear_regression": ("LinearRegression", linear_model, sklearn.linear_model, True),
    "poisson": ("PoissonRegressor", linear_model, sklearn.linear_model, True),
    "gamma": ("GammaRegressor", linear_model, sklearn.linear_model, True),
    "tweedie": ("TweedieRegressor", linear_model, sklearn.linear_model, True),
    "huber": ("HuberRegressor", linear_model, sklearn.linear_model, False),
}
_TIGHT = {"tol": 1e-12, "max_iter": 1000, "solver": "newton-cholesky"}


def make_estimator(name, value=None):
    """The skunlearn estimator ``name``, its regularisation option (:func:`strength`)
    set to ``value`` when given."""
    cls, module, _, _ = ESTIMATORS[name]
    estimator = getattr(module, cls)()
    option, _ = strength(name)
    if option is not None and value is not None:
        estimator.set_params(**{option: value})
    return estimator


def strength(name):
    """``(option, default)``: the regularisation option of ``name`` (``"C"`` or
    ``"alpha"``) and its default, or ``(None, None)`` when it has neither."""
    cls, module, _, _ = ESTIMATORS[name]
    params = getattr(module, cls)().get_params()
    option = next((key for key in ("C", "alpha") if key in params), None)
    return option, None if option is None else params[option]


def is_classification(name):
    """Whether ``name`` is a classifier."""
    return is_classifier(make_estimator(name))


def reference_oracle(name, value, X, y):
    """The oracle: a refit on the remaining rows ``(X, y)`` at ``tol=1e-12``.

    scikit-learn's class with the model's hyperparameters as the installed
    scikit-learn spells them (the export of ``to_sklearn``, unfitted), or, for
    the models whose scikit-learn solver stops short of that tolerance
    (liblinear, HuberRegressor's L-BFGS-B at its fixed ``ftol``), skunlearn's
    own fit.
    """
    _, _, _, tight = ESTIMATORS[name]
    reference = make_estimator(name, value)
    if tight:
        reference = clone(reference.fit(X, y).to_sklearn())
    for key, tight_value in _TIGHT.items():
        if key in reference.get_params() and _accepts(reference, key, tight_value):
            reference.set_params(**{key: tight_value})
    return reference.fit(X, y)


def _accepts(estimator, key, value):
    if key != "solver":
        return True
    options = estimator._parameter_constraints.get("solver", [])
    return any(value in getattr(option, "options", ()) for option in options)
