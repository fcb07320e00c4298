"""Scale-out: fit and unlearn out of core with the on-disk store, against a dask-ml refit.

The data is a lazily generated dask array (every block from its own seed), so
nothing of size ``n x d`` is ever in memory: with no ``distributed.Client``
active, ``fit`` computes it block by block into the store's memory-mapped chunk
files (``$SKUNLEARN_ROWS_DIR``, default the system's temporary directory; the
full run needs ``8 n d`` bytes free there) and every later pass reads the files.
Default: n = 4e7, d = 100 (32 GB, more than this machine's memory; about an
hour on 2 cores). ``--quick`` (CI): n = 2e5, d = 20, with the in-memory oracle
checked.

For Ridge and LogisticRegression: the time of ``fit`` and of two sequential
``unlearn`` calls of ``--k`` random rows each, and the *passes over the data* of
each (rows that a chunk operation read, divided by n: Gram statistics, loss
and gradient, Hessian and Hessian-vector products; per-chunk Gram statistics
and column moments are cached per chunk, so an unlearning recomputes only the
chunks it changed), the chunk files rewritten, and the peak resident memory.
The refit is dask-ml's (``dask_ml.linear_model``, dask-glm's L-BFGS) on the
same lazily generated array: its passes (blocks generated / blocks) and its
time; at full size it runs ``--refit-iter`` iterations only and its time to
converge is extrapolated from the passes it needed in the quick run (said so in
the output). The cost model for larger clusters is in
``benchmarks/scaleout_cost_model.md``.

Run ``python benchmarks/bench_scaleout.py`` or ``--quick``.
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn.utils import _disk_rows, _shards  # noqa: E402

_READS_X = ("value_grad", "loss_hessian", "hessp", "gram", "column_moments")
COUNTS = {"rows": {}, "blocks": 0, "staged": 0}


def _counting(name, op):
    def counted(shard, skip, *args):
        rows = shard.n - (0 if skip is None else len(skip))
        COUNTS["rows"][name] = COUNTS["rows"].get(name, 0) + rows
        return op(shard, skip, *args)

    return counted


for _name in _READS_X:
    _shards.OPS[_name] = _counting(_name, _shards.OPS[_name])
_stage = _disk_rows.DiskBackend.stage


def _counting_stage(self, ref, local):
    COUNTS["staged"] += 1
    return _stage(self, ref, local)


_disk_rows.DiskBackend.stage = _counting_stage


def _block(block_info=None, *, d, seed, kind):
    """Rows ``[X | y]`` of one block, from the block's own seed (counted)."""
    COUNTS["blocks"] += 1
    location, shape = block_info[None]["chunk-location"][0], block_info[None]["chunk-shape"]
    rng = np.random.default_rng([seed, location])
    X = rng.standard_normal((shape[0], d))
    coef = np.random.default_rng(seed).normal(size=d) * 2 / np.sqrt(d)
    z = X @ coef + 0.5
    if kind == "ridge":
        y = z + rng.standard_normal(shape[0])
    else:
        y = (z + rng.logistic(size=shape[0]) > 0).astype(np.float64)
    return np.hstack([X, y[:, None]])


def lazy_data(kind, n, d, chunk_rows, seed=0):
    import dask.array as da

    chunks = ((chunk_rows,) * (n // chunk_rows) + ((n % chunk_rows,) if n % chunk_rows else ()),)
    A = da.map_blocks(
        _block, d=d, seed=seed, kind=kind, chunks=(chunks[0], (d + 1,)), dtype=np.float64
    )
    return A[:, :d], A[:, d] if kind == "ridge" else A[:, d].astype(np.int64)


def _measured(function):
    COUNTS["rows"] = {}
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start, dict(COUNTS["rows"])


def _passes(rows, n):
    """Total passes, and per operation (``gram``, ``value_grad``, ``loss_hessian``, ...)."""
    total = sum(rows.values()) / n
    parts = ", ".join(f"{name} {count / n:.2f}" for name, count in sorted(rows.items()))
    return f"{total:5.2f} passes ({parts})"


def memory_gib():
    """Peak resident memory, and the anonymous part now (file pages of the chunks excluded)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    with open("/proc/self/status") as status:
        anon = next((line.split()[1] for line in status if line.startswith("RssAnon")), "0")
    return peak, int(anon) / 2**20


def _forget_rows(model, rng, k):
    """``k`` random stored rows, fetched from their chunks (the caller's forget request)."""
    positions = np.sort(rng.choice(model._rows.n, size=k, replace=False))
    X, y, _ = model._rows.take(positions)
    return X, (y.ravel() if y.ndim == 2 else y)


def run_skunlearn(kind, n, d, chunk_rows, k, quick):
    X, y = lazy_data(kind, n, d, chunk_rows)
    make = (lambda: Ridge(alpha=1.0)) if kind == "ridge" else (lambda: LogisticRegression(C=1.0))
    model, seconds, rows = _measured(lambda: make().fit(X, y))
    print(f"  fit: {seconds:8.1f} s, {_passes(rows, n)}, +1 writing the chunk files")
    rng = np.random.default_rng(1)
    forgotten = []
    for round_ in (1, 2):
        X_f, y_f = _forget_rows(model, rng, k)
        COUNTS["staged"] = 0
        _, seconds, rows = _measured(lambda X_f=X_f, y_f=y_f: model.unlearn(X_f, y_f))
        print(
            f"  unlearn {k} rows (#{round_}): {seconds:7.2f} s, {_passes(rows, n)}, "
            f"{COUNTS['staged']} chunk files rewritten"
        )
        forgotten.append((X_f, y_f))
    if quick:
        _check_oracle(kind, make, model, X, y, forgotten)
    peak, anon = memory_gib()
    print(
        f"  memory: peak resident {peak:.2f} GiB (mapped file pages included), "
        f"anonymous {anon:.2f} GiB"
    )
    return model


def _check_oracle(kind, make, model, X, y, forgotten):
    X, y = np.asarray(X), np.asarray(y)
    gone = np.zeros(len(X), dtype=bool)
    for X_f, _ in forgotten:
        for row in X_f:
            gone |= np.all(row == X, axis=1)
    oracle = make().fit(X[~gone], y[~gone])
    gap = float(np.max(np.abs(model.coef_ - oracle.coef_)))
    tol = 1e-10 if kind == "ridge" else 1e-8
    print(f"  unlearned vs in-memory refit on the remaining rows: {gap:.1e} (< {tol:g})")
    if not gap < tol:
        raise SystemExit(f"{kind}: the unlearned model is not the oracle")


def run_dask_ml(kind, n, d, chunk_rows, max_iter):
    try:
        from dask_ml import linear_model as dml
    except ImportError:
        print("  dask-ml refit: dask-ml is not installed (pip install dask-ml)")
        return None
    X, y = lazy_data(kind, n, d, chunk_rows)
    if kind == "ridge":
        model = dml.LinearRegression(solver="lbfgs", C=1.0, max_iter=max_iter)
    else:
        model = dml.LogisticRegression(solver="lbfgs", C=1.0, max_iter=max_iter)
    COUNTS["blocks"] = 0
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    seconds = time.perf_counter() - start
    passes = COUNTS["blocks"] / X.numblocks[0]
    print(f"  dask-ml refit (lbfgs, max_iter={max_iter}): {seconds:8.1f} s, {passes:5.1f} passes")
    return seconds, passes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 2e5, d = 20 (CI)")
    parser.add_argument("--n", type=float, default=4e7)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--k", type=int, default=10, help="rows forgotten per unlearn")
    parser.add_argument("--models", default="ridge,logistic")
    parser.add_argument(
        "--refit-iter", type=int, default=2, help="dask-ml iterations at full size"
    )
    args = parser.parse_args()
    n, d, chunk_rows = int(args.n), args.d, args.chunk_rows
    if args.quick:
        n, d, chunk_rows = 200_000, 20, 25_000
    try:
        import dask
    except ImportError:
        print("bench_scaleout: dask is not installed (pip install skunlearn[dask]); skipped")
        return
    dask.config.set(scheduler="threads")
    directory = os.environ.get("SKUNLEARN_ROWS_DIR") or tempfile.gettempdir()
    print(f"n = {n:,}, d = {d}: {8 * n * d / 1e9:.1f} GB of X in chunks of {chunk_rows:,} rows")
    print(f"free disk where the chunk files go: {shutil.disk_usage(directory).free / 1e9:.0f} GB")
    for kind in args.models.split(","):
        print(f"{kind}:")
        model = run_skunlearn(kind, n, d, chunk_rows, args.k, args.quick)
        del model
        run_dask_ml(kind, n, d, chunk_rows, 100 if args.quick else args.refit_iter)


if __name__ == "__main__":
    main()
