"""Pipelines that unlearn through every step, preprocessing included.

:class:`Pipeline` is scikit-learn's ``Pipeline`` plus ``unlearn(X_forget)``;
its result equals the pipeline refit on the remaining rows.
"""

from ._pipeline import Pipeline, make_pipeline
from ._steps import StepNotUnlearnableError

__all__ = ["Pipeline", "StepNotUnlearnableError", "make_pipeline"]
