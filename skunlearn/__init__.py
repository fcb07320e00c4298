"""skunlearn: machine unlearning for scikit-learn linear models.

Estimators keep the rows they were fitted on and gain ``unlearn(X_forget)``
(or ``unlearn(ids=...)``), which moves the model to the one trained without
those rows (the oracle); pipelines of unlearnable transformers
(:mod:`.preprocessing`, :mod:`.impute`, :mod:`.feature_extraction`) unlearn
through every step.
Exact and Newton removal land on it; the descent-ascent family, implemented
faithfully for comparison, often does not ("Ascent Fails to Forget",
NeurIPS 2025).
"""

__version__ = "0.1.0"

from . import (
    exceptions,
    feature_extraction,
    impute,
    pipeline,
    preprocessing,
    svm,
    unlearners,
)
from .linear_model import (
    ElasticNet,
    GammaRegressor,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    PoissonRegressor,
    Ridge,
    RidgeClassifier,
    RidgeCV,
    TweedieRegressor,
)
from .svm import LinearSVC

__all__ = [
    "ElasticNet",
    "GammaRegressor",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LinearSVC",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PoissonRegressor",
    "Ridge",
    "RidgeCV",
    "RidgeClassifier",
    "TweedieRegressor",
    "__version__",
    "exceptions",
    "feature_extraction",
    "impute",
    "pipeline",
    "preprocessing",
    "svm",
    "unlearners",
]
