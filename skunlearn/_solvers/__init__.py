"""Solvers for :class:`~skunlearn._objective.LinearObjective` and least squares.

- :func:`newton`: damped Newton with a Cholesky factor (chord steps with BFGS
  corrections, an exact final step);
- :func:`newton_cg`: inexact Newton on Hessian-vector products, for models whose
  Hessian does not fit the memory budget (:func:`dense_hessian_fits`);
- :func:`lbfgs`: L-BFGS-B polished by Newton-CG, for fitting large models;
- :func:`prox_newton`: proximal Newton on a working set, for L1 and
  elastic-net penalties;
- least squares: exact centred Gram statistics (:class:`GramStatistics`,
  computed from rows, never downdated; :class:`BucketedGram`, kept per hash
  bucket so that an unlearning recomputes only the buckets it touched) and
  block conjugate gradients (:func:`ridge_cg`) when the ``d x d`` matrix should
  not be formed; :func:`ridge_solve`, the one least-squares solve, takes either
  kind of statistics and picks the method (Cholesky, rank-revealing SVD or
  LSQR, CG, non-negative least squares, the minimum-norm solution, and for an
  L1 term warm-started coordinate descent on the statistics,
  :func:`elastic_net_cd`); leave-one-out errors of ridge for many penalties
  from the statistics (:func:`ridge_loo_errors`);
- canonical finalization (:func:`canonical_newton_step`,
  :func:`canonical_prox_newton_step`, :func:`round_to_grid`): the last step of
  every converged fit and exact unlearning, so that the solution's bits depend
  on the rows and not on the solver's path.

Every solver returns a :class:`SolverResult` with a per-iteration
:class:`History` in per-sample-mean units.
"""

from ._bucketed_gram import BucketedGram
from ._budget import dense_hessian_fits
from ._canonical import (
    canonical_newton_step,
    canonical_prox_newton_step,
    coordinate_scales,
    round_to_grid,
)
from ._coordinate_descent import elastic_net_cd, kkt_violation
from ._gram import GramStatistics
from ._history import History, SolverResult, final_history, scaled_gradient_norm
from ._lbfgs import lbfgs
from ._least_squares import RidgeSolution, ridge_solve
from ._loo import ridge_loo_errors
from ._newton import newton
from ._newton_cg import newton_cg
from ._prox_newton import prox_newton
from ._ridge_cg import SPARSE_GRAM_MAX_FEATURES, ridge_cg, ridge_statistics, uses_gram

__all__ = [
    "SPARSE_GRAM_MAX_FEATURES",
    "BucketedGram",
    "GramStatistics",
    "History",
    "RidgeSolution",
    "SolverResult",
    "final_history",
    "canonical_newton_step",
    "canonical_prox_newton_step",
    "coordinate_scales",
    "dense_hessian_fits",
    "elastic_net_cd",
    "kkt_violation",
    "lbfgs",
    "newton",
    "newton_cg",
    "prox_newton",
    "ridge_loo_errors",
    "ridge_cg",
    "ridge_solve",
    "ridge_statistics",
    "round_to_grid",
    "scaled_gradient_norm",
    "uses_gram",
]
