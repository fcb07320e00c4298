"""Benchmark of the fused loss/gradient kernels of ``skunlearn._kernels``.

For dense X (C-contiguous float64) and CSR X, and for each loss (squared with
K = 1, logistic, multinomial with K = 3), serial and parallel: the median time
of one ``loss_grad`` call, its bandwidth, the fraction of the stream-once floor
(the faster of ``X.sum()`` and a numba ``prange`` read loop over X, measured in
the same run) and the speed-up over the numpy/scipy two-pass evaluation
(``Z = X @ W.T + b``, residual in numpy, ``R.T @ X``; the faster of default
BLAS threading and one BLAS thread).

Then, for dense logistic regression (d = 100), two comparisons made in the
same run with interleaved calls (the machine is shared): the fused
loss/gradient pass right after BLAS work (a ``dsyrk`` whose OpenBLAS threads
are left spinning, with and without limiting BLAS to one thread for it) against
the stream floor; and the one-pass Hessian build (``hessian_value_grad``:
Hessian, loss, gradient and column squares) against a plain ``dsyrk`` of the
``n x (d + 1)`` block.

Run ``python benchmarks/bench_kernels.py`` (full) or ``--quick`` (< 30 s).
"""

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path

import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange
from scipy.special import expit, logsumexp
from threadpoolctl import threadpool_limits

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scipy.linalg.blas import dsyrk  # noqa: E402

from skunlearn._kernels import hessian_value_grad, loss_grad, single_threaded_blas  # noqa: E402
from skunlearn._kernels._config import FASTMATH  # noqa: E402

LOSSES = (("squared", 1), ("logistic", 1), ("multinomial", 3))


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def _stream(flat, bounds, out):
    """Read every element of ``flat`` once, chunk c into out[c]."""
    for c in prange(bounds.shape[0] - 1):
        chunk = flat[bounds[c] : bounds[c + 1]]
        acc = 0.0
        for j in range(chunk.shape[0]):
            acc += chunk[j]
        out[c] = acc


def median_time(f, repeat):
    time.sleep(0.02)  # let threads spinning from the previous case go idle
    f()  # warm-up (and compilation)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def stream_floor(arrays, repeat):
    """Fastest time to read the given arrays once: numpy sum or numba prange."""
    n_chunks = numba.get_num_threads()
    total = 0.0
    for a in arrays:
        flat = a.reshape(-1)
        bounds = np.arange(n_chunks + 1, dtype=np.int64) * flat.size // n_chunks
        out = np.empty(n_chunks)
        t_numba = median_time(lambda f=flat, b=bounds, o=out: _stream(f, b, o), repeat)
        t_numpy = median_time(a.sum, repeat)
        total += min(t_numba, t_numpy)
    return total


def make_problem(loss, K, X, rng):
    n, d = X.shape
    if loss == "squared":
        y = rng.standard_normal((n, K))
    elif loss == "multinomial":
        y = rng.integers(0, K, n).astype(np.int64)
    else:
        y = (rng.random(n) < 0.5).astype(np.float64)
    w = np.ones(n)
    coef = np.ascontiguousarray(rng.standard_normal((K, d)) / np.sqrt(d))
    return y, w, coef, rng.standard_normal(K)


def two_pass(loss, X, y, w, coef, b):
    """Reference numpy/scipy evaluation: X @ W.T, residual, then X.T @ R."""
    Z = np.asarray(X @ coef.T) + b
    if loss == "squared":
        D = Z - y
        value = w @ (D * D).sum(axis=1)
        R = (2.0 * w)[:, None] * D
    elif loss == "logistic":
        s = 2.0 * y - 1.0
        m = s * Z[:, 0]
        value = w @ np.logaddexp(0.0, -m)
        R = (-s * w * expit(-m))[:, None]
    else:
        lse = logsumexp(Z, axis=1)
        rows = np.arange(len(y))
        value = w @ (lse - Z[rows, y])
        R = np.exp(Z - lse[:, None])
        R[rows, y] -= 1.0
        R *= w[:, None]
    grad = np.asarray(X.T @ R).T if sp.issparse(X) else R.T @ X
    return value, grad, R.sum(axis=0)


def bench_matrix(X, fmt, repeat, rng):
    if sp.issparse(X):
        arrays, nbytes = (X.data, X.indices), X.data.nbytes + X.indices.nbytes
    else:
        arrays, nbytes = (X,), X.nbytes
    floor = stream_floor(arrays, repeat)
    rows = []
    for loss, K in LOSSES:
        y, w, coef, b = make_problem(loss, K, X, rng)
        gc, gi = np.empty_like(coef), np.empty(K)
        t_ref = median_time(partial(two_pass, loss, X, y, w, coef, b), repeat)
        with threadpool_limits(1):  # one BLAS thread is faster on a busy machine
            t_ref = min(t_ref, median_time(partial(two_pass, loss, X, y, w, coef, b), repeat))
        for parallel in (False, True):
            call = partial(loss_grad, loss, X, y, w, coef, b, gc, gi, parallel=parallel)
            t = median_time(call, repeat)
            mode = "parallel" if parallel else "serial"
            rows.append((fmt, X.shape, loss, mode, t, nbytes / t / 1e9, floor / t, t_ref))
    return rows


def random_csr(n, d, density, rng):
    per_row = max(1, round(d * density))
    indices = np.sort(rng.integers(0, d, (n, per_row)), axis=1).ravel().astype(np.int32)
    indptr = np.arange(n + 1, dtype=np.int64) * per_row
    data = rng.standard_normal(n * per_row)
    return sp.csr_array((data, indices, indptr.astype(np.int32)), shape=(n, d))


def print_table(rows):
    head = f"{'X':6} {'n':>9} {'d':>6} {'loss':12} {'mode':9} {'median ms':>10} "
    head += f"{'GB/s':>7} {'of floor':>9} {'2-pass ms':>10} {'speed-up':>9}"
    print(head)
    print("-" * len(head))
    for fmt, (n, d), loss, mode, t, gbs, frac, t_ref in rows:
        print(
            f"{fmt:6} {n:>9} {d:>6} {loss:12} {mode:9} {1e3 * t:>10.3f} "
            f"{gbs:>7.2f} {frac:>9.2f} {1e3 * t_ref:>10.3f} {t_ref / t:>8.2f}x"
        )


def after_blas_and_hessian(n, repeat, rng):
    """Median times (interleaved rounds) of the fused pass alone and right after BLAS
    work, of the stream floor, of a plain dsyrk and of the one-pass Hessian build."""
    X = rng.standard_normal((n, 100))
    y, w, coef, b = make_problem("logistic", 1, X, rng)
    gc, gi = np.empty_like(coef), np.empty(1)
    flat = X.reshape(-1)
    chunks = numba.get_num_threads()
    bounds = np.arange(chunks + 1, dtype=np.int64) * flat.size // chunks
    out = np.empty(chunks)
    block = X[: n // 10].T  # a BLAS call before the pass, as a Newton step makes
    A = np.c_[X, np.ones(n)].T  # the n x (d + 1) block of the Hessian, for dsyrk

    def fused_pass():
        loss_grad("logistic", X, y, w, coef, b, gc, gi)

    def after(limit):
        if limit:
            with single_threaded_blas():
                dsyrk(1.0, block)
        else:
            dsyrk(1.0, block)
        t0 = time.perf_counter()
        fused_pass()
        return time.perf_counter() - t0

    def timed(call):
        t0 = time.perf_counter()
        call()
        return time.perf_counter() - t0

    rounds = {
        "stream": lambda: timed(lambda: _stream(flat, bounds, out)),
        "alone": lambda: timed(fused_pass),
        "after dsyrk": lambda: after(False),
        "after dsyrk on 1 BLAS thread": lambda: after(True),
        "dsyrk": lambda: timed(lambda: dsyrk(1.0, A)),
        "hessian": lambda: timed(lambda: hessian_value_grad("logistic", X, y, w, coef, b, True)),
    }
    times = {name: [] for name in rounds}
    for _ in range(repeat + 1):  # the first round warms up (and compiles)
        for name, call in rounds.items():
            times[name].append(call())
    return {name: float(np.median(t[1:])) for name, t in times.items()}


def print_after_blas_and_hessian(n, times):
    print(f"\ndense logistic, n = {n:,}, d = 100 (medians of interleaved rounds):")
    print(f"  stream floor {1e3 * times['stream']:.1f} ms")
    for label in ("alone", "after dsyrk", "after dsyrk on 1 BLAS thread"):
        t = times[label]
        print(
            f"  fused loss/gradient pass {label}: {1e3 * t:.1f} ms, "
            f"{times['stream'] / t:.0%} of the stream floor"
        )
    print(
        f"  plain dsyrk of the n x (d + 1) block {1e3 * times['dsyrk']:.1f} ms; one-pass "
        f"Hessian (+ loss, gradient, column squares) {1e3 * times['hessian']:.1f} ms: "
        f"{times['dsyrk'] / times['hessian']:.0%} of the dsyrk rate"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, < 30 s")
    parser.add_argument("--repeat", type=int, default=7, help="timed calls per case (>= 7)")
    args = parser.parse_args()
    repeat = max(7, args.repeat)
    rng = np.random.default_rng(0)
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    print(
        f"numba {numba.__version__}, {numba.get_num_threads()} threads, repeat={repeat}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("GB/s = bytes of X (CSR: data + indices) / time; 'of floor' = stream-once time")
    print("/ time; speed-up = numpy/scipy two-pass time / fused time.\n")
    rows = []
    for n in sizes:
        for d in (10, 100):
            rows += bench_matrix(rng.standard_normal((n, d)), "dense", repeat, rng)
    n_csr = 100_000 if args.quick else 1_000_000
    rows += bench_matrix(random_csr(n_csr, 10_000, 1e-3, rng), "csr", repeat, rng)
    print_table(rows)
    n_hessian = 100_000 if args.quick else 1_000_000
    print_after_blas_and_hessian(n_hessian, after_blas_and_hessian(n_hessian, repeat, rng))
    print(
        f"\nthreading layer {numba.threading_layer()}; load average at the end "
        f"{os.getloadavg()[0]:.2f} (other processes on the machine skew timings)"
    )


if __name__ == "__main__":
    main()
