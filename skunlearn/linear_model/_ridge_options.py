"""How :class:`~skunlearn.Ridge` reads its parameters, as scikit-learn does.

:func:`check_solver` applies scikit-learn's solver/``positive``/sparse-input
rules (with its messages), :func:`check_alpha` its rule for per-target
penalties, and :func:`solver_name` its resolution of ``solver="auto"`` into the
fitted ``solver_``. :func:`rows_for_solver` reads memory-mapped rows into
memory for the solvers that need them there and refuses a dask array, which is
never gathered.
"""

import numpy as np
import scipy.sparse as sp

from .._solvers import uses_gram
from ..utils._chunked_input import is_chunked_input, is_dask

__all__ = ["ITERATIVE", "check_alpha", "check_solver", "rows_for_solver", "solver_name"]

ITERATIVE = ("sparse_cg", "lsqr", "sag", "saga")


def check_solver(solver, positive, fit_intercept, X):
    """scikit-learn's rules for ``solver`` with ``positive`` and ``X``; returns ``solver``.

    Raises
    ------
    ValueError
        ``"lbfgs"`` without ``positive``, ``positive`` with a solver other
        than "auto" or "lbfgs", or a solver that cannot fit the intercept on
        sparse ``X``.
    TypeError
        ``"svd"`` with sparse ``X``.
    """
    sparse = sp.issparse(X)
    if solver == "lbfgs" and not positive:
        raise ValueError(
            "'lbfgs' solver can be used only when positive=True. Please use another solver."
        )
    if positive and solver not in ("auto", "lbfgs"):
        raise ValueError(
            f"solver='{solver}' does not support positive fitting. Please set the solver "
            "to 'auto' or 'lbfgs', or set `positive=False`"
        )
    if sparse and fit_intercept and solver in ("svd", "cholesky", "saga"):
        raise ValueError(
            f"solver='{solver}' does not support fitting the intercept on sparse data. "
            "Please set the solver to 'auto' or 'lsqr', 'sparse_cg', 'sag', 'lbfgs' or "
            "set `fit_intercept=False`"
        )
    if sparse and solver == "svd":
        raise TypeError("SVD solver does not support sparse inputs currently")
    return solver


def check_alpha(alpha, n_targets):
    """``alpha`` as one float, or one per target (scikit-learn's rule and message).

    Raises
    ------
    ValueError
        The number of penalties is neither 1 nor ``n_targets``, or one is
        negative or not finite.
    """
    values = np.asarray(alpha, dtype=np.float64).ravel()
    if values.shape[0] not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{values.shape[0]} != {n_targets}"
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"alpha must be non-negative and finite; got {alpha!r}.")
    return float(values[0]) if values.shape[0] == 1 else values


def solver_name(solver, positive, method):
    """``solver_``: scikit-learn's resolution of the fitted ``solver`` when ``method`` ran."""
    if method == "svd" and solver in ("auto", "cholesky", "svd"):
        return "svd"
    if solver != "auto":
        return solver
    if positive:
        return "lbfgs"
    return "cholesky" if method == "cholesky" else "sparse_cg"


def rows_for_solver(X, solver):
    """``X``, or a memory-mapped ``X`` read into memory when ``solver`` needs rows in memory.

    Chunked rows (:mod:`skunlearn.utils._chunked_input`) are solved from their
    Gram statistics only: the iterative solvers, and a ``d`` whose Gram matrix
    exceeds the memory budget, run on rows in memory. A memory-mapped array is
    then read as scikit-learn reads it; a dask array is refused (never gathered).

    Raises
    ------
    ValueError
        A dask array with a solver (or a ``d``) that needs the rows in memory.
    """
    if not is_chunked_input(X) or (solver not in ITERATIVE and uses_gram(X)):
        return X
    if is_dask(X):
        raise ValueError(
            f"solver='{solver}' with {X.shape[1]} features needs the rows in memory, and a "
            "dask array is never gathered: rows kept in chunks are solved from their d x d Gram "
            "statistics only. Use solver 'auto', 'cholesky' or 'svd' (with at most the features "
            "the Gram memory budget allows), or fit on rows in memory."
        )
    return np.array(X, order="C")
