"""Which estimator the command-line report fits, and its reference oracle."""

import sklearn.linear_model
import sklearn.svm

from . import linear_model, svm
from .diagnostics import fit_oracle

__all__ = ["ESTIMATORS", "make_estimator", "reference_oracle"]

# --estimator: skunlearn's class, its module and scikit-learn's, and whether scikit-learn's
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


def make_estimator(name, C, alpha):
    """The skunlearn estimator ``name`` with ``C`` (C models) or ``alpha`` (when given)."""
    cls, module, _, _ = ESTIMATORS[name]
    estimator = getattr(module, cls)()
    params = estimator.get_params()
    if "C" in params:
        estimator.set_params(C=C)
    if "alpha" in params and alpha is not None:
        estimator.set_params(alpha=alpha)
    return estimator


def reference_oracle(name, original, remaining, forget):
    """The oracle: scikit-learn's refit on the ``remaining`` rows ``(X, y)`` at ``tol=1e-12``.

    For the models whose scikit-learn solver stops short of that (liblinear,
    HuberRegressor's L-BFGS-B at its fixed ``ftol``), skunlearn's tight
    refit without the ``forget`` rows ``(X, y)``.
    """
    cls, _, sklearn_module, tight = ESTIMATORS[name]
    if not tight:
        return fit_oracle(original, *forget)
    reference = getattr(sklearn_module, cls)()
    ours = original.get_params()
    reference.set_params(**{k: ours[k] for k in set(reference.get_params()) & set(ours)})
    for key, value in _TIGHT.items():
        if key in reference.get_params() and _accepts(reference, key, value):
            reference.set_params(**{key: value})
    return reference.fit(*remaining)


def _accepts(estimator, key, value):
    if key != "solver":
        return True
    options = estimator._parameter_constraints.get("solver", [])
    return any(value in getattr(option, "options", ()) for option in options)
