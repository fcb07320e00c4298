"""Linear models that can unlearn training rows."""

from ._base import UnlearnMixin
from ._logistic import LogisticRegression
from ._ridge import Ridge

__all__ = ["LogisticRegression", "Ridge", "UnlearnMixin"]
