"""numba kernels: fused weighted loss/gradient, Hessian and Hessian-vector
products of linear models, for dense and CSR X, serial and parallel.

All kernels are module-level ``@njit(cache=True, ...)`` functions over plain
arrays and scalars, compiled lazily on first use. The loss is given by name
and reaches the kernels as an integer code (:mod:`._points`).
"""

from ._hessian import curvature, hessian, hessp
from ._loss_grad import LOSSES, linear_predictor, loss_grad
from ._scale import scale_rows

__all__ = [
    "LOSSES",
    "curvature",
    "loss_grad",
    "hessian",
    "hessp",
    "linear_predictor",
    "scale_rows",
]
