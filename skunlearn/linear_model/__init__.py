"""Linear models that can unlearn training rows."""

from ._base import UnlearnMixin
from ._glm import GammaRegressor, PoissonRegressor, TweedieRegressor
from ._huber import HuberRegressor
from ._logistic import LogisticRegression
from ._ridge import Ridge

__all__ = [
    "GammaRegressor",
    "HuberRegressor",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
    "TweedieRegressor",
    "UnlearnMixin",
]
