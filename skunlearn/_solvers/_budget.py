"""The memory budget that decides between dense-Hessian and matrix-free methods."""

__all__ = ["HESSIAN_MEMORY_BUDGET", "dense_hessian_fits"]

HESSIAN_MEMORY_BUDGET = 256 * 2**20


def dense_hessian_fits(n_params):
    """Whether a dense ``n_params x n_params`` Hessian fits the memory budget (256 MiB).

    Above it, fitting uses L-BFGS, Newton unlearning uses Newton-CG
    (Hessian-vector products only) and Ridge solves by conjugate gradients.
    Tests force those paths by lowering ``HESSIAN_MEMORY_BUDGET``.

    Examples
    --------
    >>> dense_hessian_fits(100), dense_hessian_fits(10**5)
    (True, False)
    """
    return 8 * n_params**2 <= HESSIAN_MEMORY_BUDGET
