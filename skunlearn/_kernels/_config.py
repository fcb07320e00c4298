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
# costs more than it saves. Measured on 2 cores: one thread already streams
# about 20-27 GB/s for d = 100, so parallel pays mostly for the compute-bound
# cases (logistic and multinomial, small d: about 1.5-2x). On a machine busy
# with other processes each launch can wait a scheduler tick (4-8 ms).
PARALLEL_MIN_SIZE = 200_000


def n_threads():
    """Number of numba threads, read in Python (never inside an njit function,
    where it would silently disable ``cache=True``)."""
    return numba.get_num_threads()
