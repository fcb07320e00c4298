"""Fit and unlearn on dask arrays: rows on the workers of a LocalCluster, never gathered.

One cluster for the module (2 worker processes, 1 thread each, spilling off as
the README recommends). References are independent: scikit-learn's refits and
skunlearn's in-memory fits on numpy arrays; the privacy checks scan the
workers' memory and local directories for the forgotten rows' bytes. The test
that kills a worker runs last.
"""

import gc
import os
import pickle
import time

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="dask is an optional extra: pip install skunlearn[dask]")
distributed = pytest.importorskip("distributed", reason="the dask extra includes distributed")
da = pytest.importorskip("dask.array")

from sklearn.linear_model import LogisticRegression as SkLogistic  # noqa: E402
from sklearn.linear_model import Ridge as SkRidge  # noqa: E402

from skunlearn import LogisticRegression, Ridge  # noqa: E402
from skunlearn.exceptions import ForgetRequestWarning, RowsLostError  # noqa: E402
from skunlearn.unlearners import Newton  # noqa: E402

N, D, CHUNK = 600, 4, 150
FORGET = [3, 151, 152, 599]


@pytest.fixture(scope="module")
def client():
    settings = {
        "distributed.worker.memory.spill": False,
        "distributed.worker.memory.target": False,
    }
    with dask.config.set(settings):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _data(kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D)) * [1.0, 3.0, 0.5, 2.0] + [0.0, 1.0, -2.0, 5.0]
    z = X @ [1.0, -0.5, 2.0, 0.3] - 1.5 + rng.normal(size=N)
    if kind == "ridge":
        return X, z
    if kind == "binary":
        return X, (z > 0).astype(int)
    return X, np.digitize(z, [-2.0, 1.0])


def _dask(X, y, chunks=CHUNK):
    return da.from_array(X, chunks=(chunks, D)), da.from_array(y, chunks=(chunks,))


MODELS = {
    "ridge": (lambda: Ridge(alpha=0.7), 1e-10),
    "binary": (lambda: LogisticRegression(C=0.5), 1e-8),
    "multinomial": (lambda: LogisticRegression(C=0.5), 1e-8),
}


def _gap(a, b):
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    return float(np.max(np.abs(a - b))) / max(1.0, float(np.max(np.abs(b))))


@pytest.mark.parametrize("kind", MODELS)
def test_fit_on_dask_equals_the_in_memory_fit(client, kind):
    make, tol = MODELS[kind]
    X, y = _data(kind)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=N)
    model = make().fit(*_dask(X, y), sample_weight=weights)
    reference = make().fit(X, y, sample_weight=weights)
    assert type(model._rows._backend).__name__ == "DaskBackend"
    # Chunks live on the cluster's workers (which ones is the scheduler's choice: under load it
    # may place every block on one of them).
    assert {ref.address for ref in model._rows._refs} <= set(client.scheduler_info()["workers"])
    assert _gap(model.coef_, reference.coef_) <= tol
    assert _gap(model.intercept_, reference.intercept_) <= tol
    with pytest.raises(TypeError, match="not gathered"):
        np.asarray(model._rows.X)


@pytest.mark.parametrize("kind", MODELS)
def test_unlearn_by_rows_lands_on_the_oracle(client, kind):
    make, tol = MODELS[kind]
    X, y = _data(kind)
    model = make().fit(*_dask(X, y)).unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    oracle = make().fit(X[keep], y[keep])
    assert model.n_forgotten_ == len(FORGET)
    assert _gap(model.coef_, oracle.coef_) <= tol
    assert _gap(model.intercept_, oracle.intercept_) <= tol
    if kind == "ridge":
        sk = SkRidge(alpha=0.7, solver="cholesky").fit(X[keep], y[keep])
    else:
        sk = SkLogistic(C=0.5, solver="newton-cholesky", tol=1e-12, max_iter=200)
        sk.fit(X[keep], y[keep])
    assert _gap(model.coef_, sk.coef_) <= 1e-6
    np.testing.assert_allclose(model.predict(X), oracle.predict(X), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LogisticRegression(class_weight="balanced", l1_ratio=0.5, C=0.2),
        lambda: LogisticRegression(solver="liblinear", l1_ratio=1.0, C=0.2),
        lambda: Ridge(alpha=[0.5, 3.0], positive=True),
    ],
    ids=["balanced-elastic-net", "liblinear-l1", "positive-per-target"],
)
def test_parity_parameters_on_the_cluster(client, make):
    """Class weights, L1 and liblinear's intercept (proximal Newton), NNLS with per-target
    alpha: computed on the workers, equal to the in-memory fits (checked against
    scikit-learn in test_logistic_parameters and test_ridge_solvers)."""
    kind = "ridge" if isinstance(make(), Ridge) else "multinomial"
    X, y = _data(kind, seed=10)
    if kind == "ridge":
        y = np.c_[y, X[:, 1] - y]
    elif make().solver == "liblinear":
        y = (y > 0).astype(int)
    Xd, yd = da.from_array(X, chunks=(CHUNK, D)), da.from_array(y, chunks=(CHUNK, *y.shape[1:]))
    model = make().fit(Xd, yd).unlearn(X[FORGET])
    assert type(model._rows._backend).__name__ == "DaskBackend"
    keep = np.setdiff1d(np.arange(N), FORGET)
    oracle = make().fit(X[keep], y[keep])
    assert _gap(model.coef_, oracle.coef_) <= 1e-9
    assert _gap(model.intercept_, oracle.intercept_) <= 1e-9
    assert np.array_equal(model.coef_ == 0, oracle.coef_ == 0)


def test_unlearn_by_id_lands_on_the_oracle_and_ids_vanish(client):
    make, tol = MODELS["binary"]
    X, y = _data("binary", seed=8)
    ids = np.array([f"customer-{i}" for i in range(N)], dtype=object)
    model = make().fit(*_dask(X, y), sample_id=ids)
    model.unlearn(ids=ids[FORGET].tolist())
    keep = np.setdiff1d(np.arange(N), FORGET)
    assert _gap(model.coef_, make().fit(X[keep], y[keep]).coef_) <= tol
    with pytest.raises(ValueError, match=r"ids\[0\] is not the id of a training row"):
        model.unlearn(ids=[ids[FORGET[0]]])
    with pytest.warns(ForgetRequestWarning, match="1 of the 2 ids"):  # a retried request
        model.unlearn(ids=[ids[FORGET[0]], ids[7]], missing="ignore")
    assert model.n_forgotten_ == len(FORGET) + 1
    keep = np.setdiff1d(keep, [7])
    assert _gap(model.coef_, make().fit(X[keep], y[keep]).coef_) <= tol


def test_unlearn_by_rows_and_labels_on_an_in_process_cluster(client):
    """Threads in the client's process (``processes=False``) share the gathered matches."""
    X, y = _data("multinomial", seed=10)
    weights = np.random.default_rng(2).uniform(0.5, 2.0, size=N)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        model = LogisticRegression(C=0.5).fit(*_dask(X, y), sample_weight=weights)
        model.unlearn(X[FORGET], y[FORGET], sample_weight=weights[FORGET])
        coef = model.coef_.copy()
    keep = np.setdiff1d(np.arange(N), FORGET)
    sk = SkLogistic(C=0.5, solver="newton-cholesky", tol=1e-12, max_iter=200)
    sk.fit(X[keep], y[keep], sample_weight=weights[keep])
    assert model.n_forgotten_ == len(FORGET)
    assert _gap(coef, sk.coef_) <= 1e-6


def test_float32_dask_input_keeps_its_dtype_through_unlearn(client):
    X, y = _data("ridge", seed=11)
    X32 = X.astype(np.float32)
    model = Ridge(alpha=0.7).fit(*_dask(X32, y)).unlearn(X32[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    sk = SkRidge(alpha=0.7, solver="cholesky").fit(X32[keep], y[keep])
    assert model.coef_.dtype == sk.coef_.dtype == np.float32
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=1e-5)


def test_a_dask_dataframe_keeps_its_column_names(client):
    dd = pytest.importorskip("dask.dataframe", reason="dask's dataframe needs pandas")
    pd = pytest.importorskip("pandas")
    X, y = _data("ridge", seed=9)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = Ridge().fit(dd.from_pandas(frame, npartitions=3), dd.from_pandas(pd.Series(y), 3))
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]
    assert _gap(model.coef_, Ridge().fit(frame, y).coef_) <= 1e-10
    model.unlearn(frame.iloc[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    assert _gap(model.coef_, Ridge().fit(frame.iloc[keep], y[keep]).coef_) <= 1e-10


def _stored(model):
    """Every chunk's rows, targets and weights, fetched from the workers."""
    rows = model._rows
    return [rows._backend.fetch(ref, np.arange(ref.n)) for ref in rows._refs]


@pytest.mark.parametrize("kind", ["ridge", "multinomial"])
def test_sequential_deletions_equal_a_fit_with_the_same_chunking_bit_for_bit(client, kind):
    make, tol = MODELS[kind]
    X, y = _data(kind, seed=2)
    model = make().fit(*_dask(X, y))
    first, second = [5, 160, 450], [0, 300, 301]
    model.unlearn(X[first]).unlearn(X[second], y[second])
    keep = np.setdiff1d(np.arange(N), first + second)
    sizes = np.bincount(keep // CHUNK, minlength=N // CHUNK)
    fresh = make().fit(
        da.from_array(X[keep], chunks=(tuple(sizes), D)),
        da.from_array(y[keep], chunks=(tuple(sizes),)),
    )
    assert model.n_forgotten_ == 6
    assert np.array_equal(model.coef_, fresh.coef_)
    assert np.array_equal(model.intercept_, fresh.intercept_)
    for ours, theirs in zip(_stored(model), _stored(fresh), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert np.array_equal(a, b)
    warm, fresh_warm = model._warm_state, fresh._warm_state
    for name in vars(warm):
        assert np.array_equal(getattr(warm, name), getattr(fresh_warm, name)), name
    assert _gap(model.coef_, make().fit(X[keep], y[keep]).coef_) <= tol


def _holds_rows(rows_bytes, dask_worker=None):
    """Worker-side: how many live float64 arrays and local files contain one of the rows."""
    found, seen = 0, set()
    for holder in gc.get_objects():  # arrays are not tracked by gc: reach them from holders
        for obj in gc.get_referents(holder):
            while type(obj) in (np.ndarray, np.memmap) and id(obj) not in seen:
                seen.add(id(obj))
                if obj.dtype == np.float64 and obj.size:
                    found += sum(row in obj.tobytes() for row in rows_bytes)
                obj = obj.base
    for root, _, files in os.walk(dask_worker.local_directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                data = handle.read()
            found += sum(row in data for row in rows_bytes)
    return found


def _scheduler_forgets_everything(client, timeout=10.0):
    """Whether the scheduler holds no task once the (asynchronous) releases have arrived."""
    deadline = time.time() + timeout
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
        if time.time() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_after_unlearn_no_worker_holds_the_forgotten_rows(client):
    X, y = _data("ridge", seed=3)
    model = Ridge().fit(*_dask(X, y))
    rows_bytes = [row.tobytes() for row in X[FORGET]]
    before = client.run(_holds_rows, rows_bytes)
    assert sum(before.values()) >= len(FORGET)  # the scan sees rows that are stored
    model.unlearn(X[FORGET])
    gc.collect()
    client.run(gc.collect)
    assert sum(client.run(_holds_rows, rows_bytes).values()) == 0
    assert _scheduler_forgets_everything(client)
    assert sum(client.run(lambda dask_worker: len(dask_worker.data)).values()) == 0


def test_chunks_have_no_lineage_and_the_model_does_not_pickle(client):
    X, y = _data("binary", seed=4)
    model = LogisticRegression().fit(*_dask(X, y))
    # the chunks are no task of the scheduler: nothing can recompute them from the source
    assert _scheduler_forgets_everything(client)
    with pytest.raises(TypeError, match="live on a dask cluster"):
        pickle.dumps(model)


def test_bad_requests_leave_the_model_unchanged(client):
    X, y = _data("binary", seed=5)
    X[10] = X[11]
    y[10], y[11] = 0, 1
    model = LogisticRegression().fit(*_dask(X, y))
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="Row 0 of X_forget is not in the training set"):
        model.unlearn(X[:1] + 1e-3)
    with pytest.raises(ValueError, match="different labels"):
        model.unlearn(X[10:11])
    with pytest.raises(ValueError, match="occurs more often"):
        model.unlearn(X[[0, 0]])
    assert np.array_equal(model.coef_, coef) and model._rows.n == N
    model.unlearn(X[10:11], y[11:12])
    keep = np.delete(np.arange(N), 11)
    assert _gap(model.coef_, LogisticRegression().fit(X[keep], y[keep]).coef_) <= 1e-8


def test_bad_values_are_refused_when_the_chunks_are_built(client):
    X, y = _data("ridge", seed=6)
    X[400, 2] = np.nan
    gc.collect()
    held = sum(client.run(_n_chunks).values())
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Ridge().fit(*_dask(X, y))
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative"):
        Ridge().fit(*_dask(np.nan_to_num(X), y), sample_weight=-np.ones(N))
    assert sum(client.run(_n_chunks).values()) == held  # the chunks built were erased


def _n_chunks():
    from skunlearn.utils._dask_rows import REGISTRY

    return len(REGISTRY)


async def _die():
    os._exit(1)


class _KillsAWorker(Newton):
    """Newton removal that kills the worker holding the first chunk before it starts."""

    def _run(self, problem):
        client = distributed.default_client()
        address = problem.X.store._refs[0].address
        client.run(_die, workers=[address], wait=False, on_error="ignore")
        deadline = time.time() + 30
        while address in client.scheduler_info()["workers"] and time.time() < deadline:
            time.sleep(0.1)
        return super()._run(problem)


def test_a_worker_killed_mid_unlearn_fails_loudly_with_nothing_applied(client):
    X, y = _data("binary", seed=7)
    model = LogisticRegression(unlearner=_KillsAWorker()).fit(*_dask(X, y))
    coef, intercept = model.coef_.copy(), model.intercept_.copy()
    with pytest.raises(RowsLostError, match="are gone"):
        model.unlearn(X[FORGET])
    assert np.array_equal(model.coef_, coef) and np.array_equal(model.intercept_, intercept)
    assert model.n_forgotten_ == 0 and model._rows.n == N
    assert model._rows._staged is None
    with pytest.raises(RowsLostError):
        model.set_params(unlearner="newton").unlearn(X[FORGET])
    np.testing.assert_array_equal(model.predict(X), LogisticRegression().fit(X, y).predict(X))
