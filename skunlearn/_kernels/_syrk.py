"""BLAS ``dsyrk`` called from numba kernels: each thread of a ``prange`` accumulates its own
rank-k update of the rows it just prepared, while they are in its cache.

Calling BLAS from Python between parallel numba sections leaves two thread
pools spinning on the same cores (OpenBLAS's and numba's), which measured
2-10x slower than either alone; here numba owns the threads and each one
calls single-threaded ``dsyrk`` (the caller limits BLAS to one thread with
:func:`single_threaded_blas`). The routine is scipy's (``scipy.linalg.cython_blas``),
registered under a symbol name so that kernels calling it still load from
numba's on-disk cache.
"""

import llvmlite.binding as llvm
import numpy as np
from numba import njit, types
from numba.extending import get_cython_function_address
from threadpoolctl import ThreadpoolController

__all__ = ["single_threaded_blas", "syrk_rows"]

llvm.add_symbol(
    "skunlearn_dsyrk", get_cython_function_address("scipy.linalg.cython_blas", "dsyrk")
)
_pointer = types.voidptr
_dsyrk = types.ExternalFunction("skunlearn_dsyrk", types.void(*[_pointer] * 10))

_UPPER_NOTRANS = np.frombuffer(b"UN", dtype=np.uint8)
_controller = None


def single_threaded_blas():
    """A context in which BLAS runs on one thread (threadpoolctl)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


@njit(cache=True)
def syrk_rows(A, m, C, flags):
    """``C += A[:m].T @ A[:m]`` in the lower triangle of C (C-ordered, ``p x p``).

    ``A`` is C-ordered ``(rows, p)``: to Fortran BLAS it is ``A^T``, a ``p x
    rows`` matrix, so ``uplo="U", trans="N"`` updates the upper triangle of
    Fortran's ``C``, the lower triangle of ours. ``flags`` is
    ``_UPPER_NOTRANS`` (passed in: a global array would stop the caching).
    """
    p = np.int32(C.shape[0])
    sizes = np.array([p, np.int32(m), np.int32(A.shape[1]), p], dtype=np.int32)
    scalars = np.ones(2)
    _dsyrk(
        flags[0:].ctypes.data,
        flags[1:].ctypes.data,
        sizes[0:].ctypes.data,
        sizes[1:].ctypes.data,
        scalars[0:].ctypes.data,
        A.ctypes.data,
        sizes[2:].ctypes.data,
        scalars[1:].ctypes.data,
        C.ctypes.data,
        sizes[3:].ctypes.data,
    )
