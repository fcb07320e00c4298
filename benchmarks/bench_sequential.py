"""Sequential deletions: fit once, then ten deletions of k rows each, every one timed and checked.

For dense ``LogisticRegression`` and ``Ridge`` (d = 100) at n rows and each
forget-set size k, the script fits skunlearn's and scikit-learn's models, then
runs ``--rounds`` deletions one after another. In each round (interleaved: the
machine is shared and noisy, so every comparison is made within the round):

- skunlearn's ``unlearn`` of k random remaining rows is timed, and an
  instrumented counter records its passes over X (calls of the fused
  loss/gradient kernel, the column scales and the row hash over the stored
  rows; a call on the forgotten rows alone is not a pass) and its Hessian
  builds (``hessian`` kernel calls over the stored rows, Gram-bucket rows for
  Ridge);
- a tight scikit-learn refit on the remaining rows is the oracle
  (``newton-cholesky`` at tol=1e-14, continued from the cold candidate below,
  for logistic regression; ``Ridge`` with the direct ``cholesky`` solver, the
  candidate itself, for ridge);
- scikit-learn's candidates for the fastest refit at equal accuracy are
  timed: logistic regression ``newton-cholesky`` and ``lbfgs`` at tol=1e-10,
  each warm-started from its previous round's model and cold; ridge ``cholesky``, ``lsqr`` and
  ``sparse_cg`` (tol=1e-10; scikit-learn's ``Ridge`` has no warm start);
- every result's distance to the oracle is normalised by the deletion's
  effect, ``||w - w_oracle|| / ||w_before - w_oracle||``; a candidate counts
  as equally accurate when its distance is at most 1e-6, and the round's
  ratio is the fastest equally accurate candidate's time over skunlearn's.

Every timed call starts after a 0.2 s pause (see :func:`timed`): run in one
process, the two libraries' idle worker threads would otherwise spin on the
cores the next call needs. It prints one line per round and a summary (the
first deletion, and the median of the later ones). ``python
benchmarks/bench_sequential.py`` runs n = 1e5 and 1e6, k = 100 and 1% (about an
hour on a busy 2-core machine); ``--quick`` runs n = 2e4, d = 20, 3 rounds (a
few seconds, for CI). ``--kinds``, ``--sizes``,
``--ks`` and ``--rounds`` select parts.
"""

import argparse
import contextlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn import linear_model as sk

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import skunlearn._kernels as kernels  # noqa: E402
import skunlearn._solvers._bucketed_gram as bucketed  # noqa: E402
import skunlearn._solvers._canonical as canonical  # noqa: E402
import skunlearn.utils._training_rows as dense_rows  # noqa: E402
from skunlearn import LogisticRegression, Ridge  # noqa: E402

EQUAL_ACCURACY = 1e-6


class Counter:
    """Counts passes over the stored rows and Hessian builds while active.

    Wraps the module attributes the library calls at run time; a call counts
    when its rows are at least half of ``n_rows`` (the forgotten rows alone
    are not a pass). Ridge's Gram rows are counted in ``gram_rows``.
    """

    PASSES = ((kernels, "loss_grad"), (kernels, "hessp"), (kernels, "curvature"))
    SCANS = ((canonical, "column_squares"), (dense_rows, "hash_rows"))
    HESSIANS = ((kernels, "hessian"), (kernels, "hessian_value_grad"))

    def __init__(self):
        self.n_rows, self.passes, self.hessians, self.gram_rows = 0, 0, 0, 0

    def _wrap(self, function, kind, rows_of):
        def counted(*args, **kwargs):
            if rows_of(args) >= self.n_rows / 2:
                setattr(self, kind, getattr(self, kind) + 1)
            return function(*args, **kwargs)

        return counted

    @contextlib.contextmanager
    def counting(self, n_rows):
        self.n_rows, self.passes, self.hessians, self.gram_rows = n_rows, 0, 0, 0
        saved = []
        targets = [(m, name, "passes", lambda a: a[1].shape[0]) for m, name in self.PASSES]
        targets += [(m, name, "passes", lambda a: a[0].shape[0]) for m, name in self.SCANS]
        targets += [(m, name, "hessians", lambda a: a[1].shape[0]) for m, name in self.HESSIANS]
        for module, name, kind, rows_of in targets:
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, self._wrap(getattr(module, name), kind, rows_of))
        leaves = bucketed._bucket_rows
        saved.append((bucketed, "_bucket_rows", leaves))

        def counted_leaves(hashes, bits, cursor, rows):
            self.gram_rows += len(rows)
            return leaves(hashes, bits, cursor, rows)

        bucketed._bucket_rows = counted_leaves
        try:
            yield self
        finally:
            for module, name, function in saved:
                setattr(module, name, function)


def params(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


SETTLE_SECONDS = 0.2


def timed(run):
    """Seconds ``run()`` takes, and its result, after the other side's threads settle.

    OpenBLAS keeps its worker threads spinning for about 0.1 s after a call
    (``OPENBLAS_THREAD_TIMEOUT``), and numba's workers after a parallel region;
    on 2 cores the next timed call of the other library shares them with those
    spinning threads (measured: a logistic deletion at n = 1e5 takes 58 ms on
    idle cores, 97 ms right after scikit-learn's refit). Each timed call
    starts after ``SETTLE_SECONDS`` of sleep, as a call a while after the
    other library's would, on both sides.
    """
    time.sleep(SETTLE_SECONDS)
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def make_data(kind, n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) * 2 / np.sqrt(d)
    if kind == "logistic":
        return X, (X @ w + rng.logistic(size=n) > 0).astype(np.int64)
    return X, X @ w + rng.normal(size=n)


def sklearn_logistic(tol, warm=None, solver="newton-cholesky"):
    model = sk.LogisticRegression(solver=solver, tol=tol, max_iter=1000 if warm is None else 10000)
    if warm is not None:
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = warm.coef_.copy(), warm.intercept_.copy()
    return model


def candidates(kind, warm):
    """scikit-learn's refits to compare with: name -> unfitted model."""
    if kind == "logistic":
        cold = {
            "nc cold": sklearn_logistic(1e-10),
            "lbfgs cold": sklearn_logistic(1e-10, solver="lbfgs"),
        }
        if warm is None:
            return cold
        return {
            "nc warm": sklearn_logistic(1e-10, warm["nc"]),
            "lbfgs warm": sklearn_logistic(1e-10, warm["lbfgs"], solver="lbfgs"),
            **cold,
        }
    return {s: sk.Ridge(solver=s, tol=1e-10) for s in ("cholesky", "lsqr", "sparse_cg")}


def _warm_starts(refits, which):
    """The models the next round's warm candidates start from (this round's refits)."""
    return {solver: refits[f"{solver} {which}"][1] for solver in ("nc", "lbfgs")}


def oracle_model(kind, refits=None):
    """The tight refit (unfitted), continued from the round's cold candidate if any."""
    if kind == "logistic":
        return sklearn_logistic(1e-14, None if refits is None else refits["nc cold"][1])
    return sk.Ridge(solver="cholesky")


def fit_both(kind, X, y):
    """Fit skunlearn's model and scikit-learn's candidates; print times and gaps."""
    ours = LogisticRegression() if kind == "logistic" else Ridge()
    t_ours, _ = timed(lambda: ours.fit(X, y))
    oracle, refits = sklearn_round(kind, X, y, None)
    line = f"  fit: skunlearn {t_ours:.2f} s"
    for name, (t_sk, model) in refits.items():
        gap = np.linalg.norm(params(model) - params(oracle)) / np.linalg.norm(params(oracle))
        line += f", sklearn {name} {t_sk:.2f} s ({t_sk / t_ours:.2f}x, rel. gap {gap:.0e})"
    mine = np.linalg.norm(params(ours) - params(oracle)) / np.linalg.norm(params(oracle))
    print(f"{line}; skunlearn's rel. gap {mine:.0e}")
    return ours, oracle, refits


def sklearn_round(kind, X_keep, y_keep, warm):
    """``(oracle, {name: (seconds, model)})``: scikit-learn's candidates timed on the
    remaining rows, and the tight refit."""
    refits = {}
    for name, model in candidates(kind, warm).items():
        seconds, _ = timed(lambda m=model: m.fit(X_keep, y_keep))
        refits[name] = (seconds, model)
    if kind == "logistic":
        return oracle_model(kind, refits).fit(X_keep, y_keep), refits
    return refits["cholesky"][1], refits


def run(kind, n, d, k, rounds, counter):
    """Fit, then ``rounds`` deletions of k rows; one line per round, then a summary."""
    X, y = make_data(kind, n, d)
    print(f"\n{kind}, n = {n:,}, d = {d}, k = {k:,}")
    ours, previous, refits = fit_both(kind, X, y)
    warm = _warm_starts(refits, "cold") if kind == "logistic" else None
    rng = np.random.default_rng(1)
    keep = np.arange(n)
    buffer = np.empty_like(X)
    print(
        f"  {'round':>5}{'unlearn [ms]':>13}{'passes':>7}{'Hess.':>6}{'Gram rows':>10}"
        f"{'distance':>10}  scikit-learn: time [ms], distance, ratio"
    )
    records = []
    for r in range(1, rounds + 1):
        forget = np.sort(rng.choice(len(keep), k, replace=False))
        X_forget = X[keep[forget]]
        with counter.counting(len(keep)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seconds, _ = timed(lambda rows=X_forget: ours.unlearn(rows))
        keep = np.delete(keep, forget)
        X_keep = np.take(X, keep, axis=0, out=buffer[: len(keep)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oracle, refits = sklearn_round(kind, X_keep, y[keep], warm)
        target = params(oracle)
        effect = np.linalg.norm(params(previous) - target)
        distances = {
            name: np.linalg.norm(params(model) - target) / effect
            for name, (_, model) in refits.items()
        }
        distance = np.linalg.norm(params(ours) - target) / effect
        warm = _warm_starts(refits, "warm") if kind == "logistic" else None
        records.append(report_round(r, seconds, counter, distance, refits, distances))
        previous = oracle
    summarise(records)


def report_round(r, seconds, counter, distance, refits, distances):
    """Print one round; return its record (time, passes, Hessians, distance, best ratio)."""
    line = (
        f"  {r:>5}{1e3 * seconds:>13.1f}{counter.passes:>7}{counter.hessians:>6}"
        f"{counter.gram_rows:>10,}{distance:>10.1e} "
    )
    fastest = np.inf
    for name, (t_sk, _) in refits.items():
        dist_sk = distances[name]
        line += f" {name} {1e3 * t_sk:.0f} {dist_sk:.0e} {t_sk / seconds:.1f}x;"
        if dist_sk <= EQUAL_ACCURACY:
            fastest = min(fastest, t_sk)
    print(line)
    return seconds, counter.passes, counter.hessians, distance, fastest / seconds


def summarise(records):
    records = np.array(records)
    later = records[1:]
    for label, rows in (("first deletion", records[:1]), ("later (median)", later)):
        if not len(rows):
            continue
        seconds, passes, hessians, distance, ratio = np.median(rows, axis=0)
        print(
            f"  {label}: {1e3 * seconds:.1f} ms, {passes:.0f} passes, {hessians:.0f} Hessian "
            f"builds, distance {np.max(rows[:, 3]):.1e} (max); {ratio:.1f}x the fastest "
            f"scikit-learn refit at distance <= {EQUAL_ACCURACY:g}"
        )
    if len(later):
        print(f"  later rounds' ratios: {np.round(later[:, 4], 1).tolist()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 2e4, d = 20, 3 rounds")
    parser.add_argument("--kinds", nargs="+", default=["logistic", "ridge"])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6])
    parser.add_argument("--ks", nargs="+", type=float, default=[100, 0.01], help="<1: fraction")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--d", type=int, default=100)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.d, args.rounds = [2e4], 20, 3
    counter = Counter()
    for kind in args.kinds:
        for n in map(int, args.sizes):
            for k in args.ks:
                run(kind, n, args.d, int(k * n) if k < 1 else int(k), args.rounds, counter)


if __name__ == "__main__":
    main()
