"""Unlearning strategies, accepted by the estimators' ``unlearner`` parameter.

Each strategy is given either as an instance or by its string alias; aliases
are resolved here, in one place, and never written back to the parameter.
"""

from .._certificate import Certificate
from ._base import BaseUnlearner
from ._certified import CertifiedNewton, CertifiedUnlearner
from ._data_free import DataFreeNewton
from ._descent_ascent import DescentAscent
from ._finetune import Finetune
from ._gradient_ascent import GradientAscent
from ._newton import Newton
from ._problem import UnlearningProblem, UnlearningResult
from ._retrain import Retrain

__all__ = [
    "ALIASES",
    "BaseUnlearner",
    "Certificate",
    "CertifiedNewton",
    "CertifiedUnlearner",
    "DataFreeNewton",
    "DescentAscent",
    "Finetune",
    "GradientAscent",
    "Newton",
    "Retrain",
    "UnlearningProblem",
    "UnlearningResult",
    "resolve_unlearner",
]

ALIASES = {
    "newton": Newton,
    "descent_ascent": DescentAscent,
    "gradient_ascent": GradientAscent,
    "finetune": Finetune,
    "retrain": Retrain,
    "certified": CertifiedNewton,
}


def resolve_unlearner(unlearner):
    """Turn an ``unlearner`` parameter value into a strategy instance.

    Parameters
    ----------
    unlearner : str or BaseUnlearner
        One of the aliases in ``ALIASES`` or a strategy instance.

    Returns
    -------
    strategy : BaseUnlearner
        A new default instance for an alias; the instance itself otherwise.

    Examples
    --------
    >>> from skunlearn.unlearners import resolve_unlearner
    >>> resolve_unlearner("descent_ascent")
    DescentAscent()
    """
    if isinstance(unlearner, BaseUnlearner):
        return unlearner
    if isinstance(unlearner, str) and unlearner in ALIASES:
        return ALIASES[unlearner]()
    raise ValueError(
        f"The 'unlearner' parameter must be one of {sorted(ALIASES)} or a BaseUnlearner "
        f"instance; got {unlearner!r}."
    )
