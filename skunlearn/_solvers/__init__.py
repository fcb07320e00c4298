"""Solvers for :class:`~skunlearn._objective.LinearObjective` and least squares.

- :func:`newton`: damped Newton with a Cholesky factor (chord steps with BFGS
  corrections, an exact final step);
- :func:`newton_cg`: inexact Newton on Hessian-vector products, for models whose
  Hessian does not fit the memory budget (:func:`dense_hessian_fits`);
- :func:`lbfgs`: L-BFGS-B polished by Newton-CG, for fitting large models;
- least squares: exact centred Gram statistics (:class:`GramStatistics`, with
  exact row removal) and block conjugate gradients (:func:`ridge_cg`) when the
  ``d x d`` matrix should not be formed; leave-one-out errors of ridge for many
  penalties from the statistics (:func:`ridge_loo_errors`).

Every solver returns a :class:`SolverResult` with a per-iteration
:class:`History` in per-sample-mean units.
"""

from ._budget import dense_hessian_fits
from ._gram import GramStatistics
from ._history import History, SolverResult, scaled_gradient_norm
from ._lbfgs import lbfgs
from ._loo import ridge_loo_errors
from ._newton import newton
from ._newton_cg import newton_cg
from ._ridge_cg import SPARSE_GRAM_MAX_FEATURES, ridge_cg, ridge_statistics, uses_gram

__all__ = [
    "SPARSE_GRAM_MAX_FEATURES",
    "GramStatistics",
    "History",
    "SolverResult",
    "dense_hessian_fits",
    "lbfgs",
    "newton",
    "newton_cg",
    "ridge_loo_errors",
    "ridge_cg",
    "ridge_statistics",
    "scaled_gradient_norm",
    "uses_gram",
]
