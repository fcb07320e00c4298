"""Shared numba options for every kernel in :mod:`skunlearn._kernels`.

The fastmath flag set is defined once here. It deliberately leaves out ``nnan``
and ``ninf``: with them LLVM may assume no value is inf or nan, and
``np.isfinite`` then reports True for a sum holding inf, which breaks the
divergence checks of gradient ascent.
"""

import numba

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

NJIT = dict(cache=True, fastmath=FASTMATH, error_model="numpy")
NJIT_PARALLEL = dict(NJIT, parallel=True)

# Below this many stored values (n * d dense, nnz sparse) a parallel launch
# costs more than it saves.
PARALLEL_MIN_SIZE = 200_000


def n_threads():
    """Number of numba threads, read in Python (never inside an njit function,
    where it would silently disable ``cache=True``)."""
    return numba.get_num_threads()
