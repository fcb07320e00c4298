"""Linear models that can unlearn training rows."""

from ._base import UnlearnMixin
from ._coordinate_descent import ElasticNet, Lasso
from ._glm import GammaRegressor, PoissonRegressor, TweedieRegressor
from ._huber import HuberRegressor
from ._linear_regression import LinearRegression
from ._logistic import LogisticRegression
from ._logistic_cv import LogisticRegressionCV
from ._ridge import Ridge
from ._ridge_classifier import RidgeClassifier
from ._ridge_cv import RidgeCV

__all__ = [
    "ElasticNet",
    "GammaRegressor",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "PoissonRegressor",
    "Ridge",
    "RidgeCV",
    "RidgeClassifier",
    "TweedieRegressor",
    "UnlearnMixin",
]
