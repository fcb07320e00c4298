"""numba kernels: fused weighted loss/gradient, Hessian and Hessian-vector
products of linear models, for dense and CSR X, serial and parallel.

All kernels are module-level ``@njit(cache=True, ...)`` functions over plain
arrays and scalars, compiled lazily on first use. The loss is given by name
and reaches the kernels as an integer code (:mod:`._points`).
"""

from ._hessian import column_squares, curvature, hessian, hessian_value_grad, hessp
from ._loss_grad import LOSSES, linear_predictor, loss_grad
from ._scale import scale_rows
from ._syrk import single_threaded_blas

__all__ = [
    "LOSSES",
    "column_squares",
    "curvature",
    "loss_grad",
    "hessian",
    "hessian_value_grad",
    "hessp",
    "linear_predictor",
    "scale_rows",
    "single_threaded_blas",
]
