"""The on-disk store: memory-mapped input kept in chunk files, the forgotten rows' bytes erased.

References: skunlearn's in-memory fits (themselves checked against
scikit-learn) and numpy; the privacy checks read the store's files.
"""

import gc
import os
import pickle

import numpy as np
import pytest

from skunlearn import LogisticRegression, Ridge
from skunlearn._solvers import GramStatistics
from skunlearn.utils import _disk_rows
from skunlearn.utils._shards import combine, tree_pairs, tree_reduce

N, D = 500, 3
FORGET = [0, 130, 131, 499]


@pytest.fixture
def small_chunks(monkeypatch, tmp_path):
    """Chunks of 128 rows, files under ``tmp_path``."""
    monkeypatch.setattr(_disk_rows, "CHUNK_BYTES", 128 * 8 * D)
    monkeypatch.setenv("SKUNLEARN_ROWS_DIR", str(tmp_path))
    return tmp_path


def _data(classify=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D)) * [1.0, 4.0, 0.2] + [3.0, -1.0, 0.5]
    z = X @ [0.5, -0.3, 2.0] + rng.normal(size=N)
    return X, ((z > np.median(z)).astype(int) if classify else z)


def _mapped(X, tmp_path):
    mapped = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", shape=X.shape)
    mapped[...] = X
    mapped.flush()
    return np.load(tmp_path / "X.npy", mmap_mode="r")


def _store_bytes(directory):
    data = b""
    for root, _, files in os.walk(directory):
        for name in files:
            if name.endswith(".f64"):
                with open(os.path.join(root, name), "rb") as handle:
                    data += handle.read()
    return data


@pytest.mark.parametrize("classify", [False, True])
def test_memory_mapped_fit_and_unlearn_equal_the_in_memory_ones(small_chunks, classify):
    X, y = _data(classify)
    make = LogisticRegression if classify else Ridge
    source = small_chunks / "source"
    source.mkdir()
    model = make().fit(_mapped(X, source), y)
    rows = model._rows
    assert type(rows._backend).__name__ == "DiskBackend" and len(rows._refs) == 4
    tol = 1e-8 if classify else 1e-10
    np.testing.assert_allclose(model.coef_, make().fit(X, y).coef_, rtol=tol, atol=tol)
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    oracle = make().fit(X[keep], y[keep])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=tol, atol=tol)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=tol, atol=tol)


def test_forgotten_rows_are_overwritten_in_the_files(small_chunks, monkeypatch):
    X, y = _data()
    removed = []

    def remove(path):
        with open(path, "rb") as handle:
            removed.append(handle.read())
        os.unlink(path)

    monkeypatch.setattr(_disk_rows.os, "remove", remove)
    model = Ridge().fit(_mapped(X, small_chunks), y)
    directory = model._rows._backend.directory
    rows = [row.tobytes() for row in X[FORGET]]
    assert all(row in _store_bytes(directory) for row in rows)  # the scan sees stored rows
    model.unlearn(X[FORGET])
    assert not any(row in _store_bytes(directory) for row in rows)
    assert len(removed) == 3 and all(not any(data) for data in removed)  # zeroed, then deleted
    with pytest.raises(TypeError, match="live in memory-mapped files"):
        pickle.dumps(model)
    del model
    gc.collect()
    assert not os.path.exists(directory)


def test_unlearning_equals_a_fit_with_the_same_chunking_bit_for_bit(small_chunks):
    da = pytest.importorskip("dask.array", reason="dask is an optional extra")
    X, y = _data(classify=True, seed=1)
    model = LogisticRegression().fit(da.from_array(X, chunks=(128, D)), y)
    assert type(model._rows._backend).__name__ == "DiskBackend"  # no client: files
    model.unlearn(X[FORGET[:2]]).unlearn(X[FORGET[2:]])
    keep = np.setdiff1d(np.arange(N), FORGET)
    sizes = tuple(np.bincount(keep // 128))
    fresh = LogisticRegression().fit(da.from_array(X[keep], chunks=(sizes, D)), y[keep])
    assert np.array_equal(model.coef_, fresh.coef_)
    assert np.array_equal(model.intercept_, fresh.intercept_)
    for name in ("theta", "grad", "hessian", "hessian_at"):
        assert np.array_equal(getattr(model._warm_state, name), getattr(fresh._warm_state, name))
    for ours, theirs in zip(model._rows._refs, fresh._rows._refs, strict=True):
        assert np.array_equal(ours.X, theirs.X) and np.array_equal(ours.y, theirs.y)


def test_unlearn_by_id_on_disk(small_chunks):
    X, y = _data()
    ids = np.arange(N) * 10
    model = Ridge().fit(_mapped(X, small_chunks), y, sample_id=ids)
    model.unlearn(ids=ids[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    np.testing.assert_allclose(model.coef_, Ridge().fit(X[keep], y[keep]).coef_, rtol=1e-10)
    with pytest.raises(ValueError, match=r"ids\[1\] repeats ids\[0\]"):
        model.unlearn(ids=[ids[1], ids[1]])
    assert model._rows.n == N - len(FORGET)


@pytest.mark.parametrize("classify", [False, True])
def test_partial_fit_on_disk_is_refused_and_the_model_still_unlearns(small_chunks, classify):
    X, y = _data(classify)
    make = LogisticRegression if classify else Ridge
    ids = np.arange(N)
    model = make().fit(_mapped(X[:400], small_chunks), y[:400], sample_id=ids[:400])
    coef = model.coef_.copy()
    with pytest.raises(NotImplementedError, match="partial_fit cannot add rows.*memory-mapped"):
        model.partial_fit(X[400:], y[400:], sample_id=ids[400:])
    assert model._rows.n == 400 and np.array_equal(model.coef_, coef)
    model.unlearn(ids=ids[FORGET[:3]])
    keep = np.setdiff1d(np.arange(400), FORGET[:3])
    tol = 1e-8 if classify else 1e-10
    oracle = make().fit(X[keep], y[keep])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=tol, atol=tol)


def test_bad_values_in_a_dask_array_are_refused(small_chunks):
    da = pytest.importorskip("dask.array", reason="dask is an optional extra")
    X, y = _data()
    X[200, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains NaN or infinity"):
        Ridge().fit(da.from_array(X, chunks=(128, D)), y)
    gc.collect()
    assert _store_bytes(small_chunks) == b""


def test_gram_statistics_merged_over_chunks_equal_numpy():
    rng = np.random.default_rng(3)
    X, Y, w = rng.normal(size=(70, 4)) + 5.0, rng.normal(size=(70, 2)), rng.uniform(0, 2, 70)
    bounds = [0, 9, 9, 30, 52, 70]  # an empty chunk too
    parts = [
        GramStatistics.from_rows(X[a:b], Y[a:b], w[a:b], True)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    weight, x_mean, y_mean, xx, xy = tree_reduce(
        [(p.weight, p.x_mean, p.y_mean, p.xx, p.xy) for p in parts], "gram"
    )
    mean = w @ X / w.sum()
    Xc, Yc = X - mean, Y - w @ Y / w.sum()
    np.testing.assert_allclose(x_mean, mean, rtol=1e-13)
    np.testing.assert_allclose(xx, Xc.T @ (w[:, None] * Xc), rtol=1e-12)
    np.testing.assert_allclose(xy, Xc.T @ (w[:, None] * Yc), rtol=1e-12, atol=1e-12)
    assert weight == pytest.approx(w.sum(), rel=1e-15)
    assert tree_pairs(5) == [[(0, 1), (2, 3), (4,)], [(0, 1), (2,)], [(0, 1)]]
    assert combine("sum", (1.0, np.ones(2)), (2.0, np.ones(2)))[0] == 3.0


# The parity line's parameters on memory-mapped input: the chunked objective, Gram
# statistics and per-class sums feed the same solvers (proximal Newton, class weights,
# liblinear's penalised intercept, NNLS, per-target alpha). References: in-memory fits
# (checked against scikit-learn in test_sparse_penalties, test_logistic_parameters and
# test_ridge_solvers) on the same rows and, after unlearn, on the remaining rows.
PARITY_MODELS = {
    "l1": (lambda: LogisticRegression(l1_ratio=1.0, C=0.05), "binary"),
    "elastic-net-multinomial": (lambda: LogisticRegression(l1_ratio=0.5, C=0.3), "multi"),
    "balanced": (lambda: LogisticRegression(class_weight="balanced", C=0.5), "multi"),
    "class-weight-dict": (lambda: LogisticRegression(class_weight={0: 3.0, 1: 0.5}), "binary"),
    "liblinear": (lambda: LogisticRegression(solver="liblinear", C=0.5), "binary"),
    "unpenalised": (lambda: LogisticRegression(C=np.inf), "binary"),
    "positive": (lambda: Ridge(alpha=0.5, positive=True), "ridge"),
    "per-target-alpha": (lambda: Ridge(alpha=[0.5, 2.0]), "two-targets"),
}


def _parity_data(kind):
    X, z = _data()
    if kind == "binary":
        return X, (z > np.quantile(z, 0.3)).astype(int)
    if kind == "multi":
        return X, np.digitize(z, np.quantile(z, [0.2, 0.5]))
    return X, (z if kind == "ridge" else np.c_[z, X[:, 0] - z])


@pytest.mark.parametrize("name", PARITY_MODELS)
def test_parity_parameters_on_memory_mapped_rows(small_chunks, name):
    make, kind = PARITY_MODELS[name]
    X, y = _parity_data(kind)
    model = make().fit(_mapped(X, small_chunks), y)
    assert type(model._rows).__name__ == "ChunkedRows"
    reference = make().fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-9, atol=1e-9)
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    oracle = make().fit(X[keep], y[keep])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-9, atol=1e-9)
    assert np.array_equal(model.coef_ == 0, oracle.coef_ == 0)  # the same L1 support


def test_float32_memory_mapped_input_keeps_its_dtype(small_chunks):
    X, y = _data()
    mapped = np.lib.format.open_memmap(small_chunks / "X32.npy", "w+", np.float32, X.shape)
    mapped[...] = X
    mapped.flush()
    model = Ridge().fit(np.load(small_chunks / "X32.npy", mmap_mode="r"), y)
    reference = Ridge().fit(X.astype(np.float32), y)
    assert type(model._rows).__name__ == "ChunkedRows" and model.coef_.dtype == np.float32
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 1e-12])
def test_rank_deficient_ridge_on_chunks_is_the_minimum_norm_solution(small_chunks, alpha):
    X, y = _data()
    X = np.c_[X, X[:, 0] - 2.0 * X[:, 2]]  # a dependent column: the Gram matrix is singular
    model = Ridge(alpha=alpha).fit(_mapped(X, small_chunks), y)
    assert model.solver_ == "svd"  # Cholesky refused, the Gram eigendecomposition solved
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    minimum_norm = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, minimum_norm, rtol=1e-8, atol=1e-8)
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    Xc, yc = X[keep] - X[keep].mean(axis=0), y[keep] - y[keep].mean()
    minimum_norm = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, minimum_norm, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("solver", ["sparse_cg", "lsqr", "sag", "saga"])
def test_iterative_ridge_solvers_read_a_memory_mapped_array_into_memory(small_chunks, solver):
    """Chunks have no iterative path: these solvers run on rows in memory, as scikit-learn's."""
    X, y = _data()
    model = Ridge(solver=solver, tol=1e-12).fit(_mapped(X, small_chunks), y)
    assert type(model._rows).__name__ != "ChunkedRows"
    reference = Ridge(solver=solver, tol=1e-12).fit(X, y)
    assert np.array_equal(model.coef_, reference.coef_)
    assert np.array_equal(model.n_iter_, reference.n_iter_)
    model.unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(N), FORGET)
    oracle = Ridge(solver=solver, tol=1e-12).fit(X[keep], y[keep])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-10, atol=1e-10)


def test_iterative_ridge_solvers_refuse_a_dask_array(small_chunks):
    da = pytest.importorskip("dask.array", reason="dask is an optional extra")
    X, y = _data()
    with pytest.raises(ValueError, match="needs the rows in memory, and a dask array is never"):
        Ridge(solver="lsqr").fit(da.from_array(X, chunks=(128, D)), y)
    gc.collect()
    assert _store_bytes(small_chunks) == b""  # refused before any chunk was written


def test_the_diagnostic_problem_on_chunks_equals_the_in_memory_one(small_chunks):
    X, y = _parity_data("multi")
    model = LogisticRegression(class_weight="balanced").fit(_mapped(X, small_chunks), y)
    reference = LogisticRegression(class_weight="balanced").fit(X, y)
    ours = model._unlearning_problem(X[FORGET], y[FORGET])
    theirs = reference._unlearning_problem(X[FORGET], y[FORGET])
    value, grad = ours.retain_objective().value_grad(theirs.theta0)
    expected = theirs.retain_objective().value_grad(theirs.theta0)
    assert value == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(grad, expected[1], rtol=1e-10, atol=1e-10)
    assert model._rows.n == N and model.n_forgotten_ == 0  # nothing changed


@pytest.mark.parametrize("loss", ["poisson", "huber"])
def test_chunked_objective_passes_the_loss_parameters(small_chunks, loss):
    """The chunks evaluate a parametrised loss (Tweedie power; Huber's epsilon and the
    scale in theta) with its parameters: value, gradient, Hessian and Hessian-vector
    products over chunks equal the in-memory objective's."""
    from skunlearn._losses import get_loss, huber_loss
    from skunlearn._objective import LinearObjective, linear_objective

    X, z = _data()
    y = np.exp(z / 4.0)  # positive targets (Poisson)
    rows = Ridge().fit(_mapped(X, small_chunks), y)._rows
    spec = huber_loss(1.35) if loss == "huber" else get_loss(loss)
    layout = {"n_outputs": 1, "fit_intercept": True, "l2": 0.5}
    chunked = linear_objective(spec, rows.X, rows.y, rows.sample_weight, **layout)
    assert type(chunked).__name__ == "ChunkedObjective"
    memory = LinearObjective(spec, X, y[:, None], np.ones(N), **layout)
    theta = np.r_[0.1, -0.05, 0.2, 0.3, [0.8] if loss == "huber" else []]
    v = np.random.default_rng(4).standard_normal(theta.size)
    close = {"rtol": 1e-11, "atol": 1e-11}
    value, grad = chunked.value_grad(theta)
    expected_value, expected_grad = memory.value_grad(theta)
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, **close)
    np.testing.assert_allclose(chunked.hessian(theta), memory.hessian(theta), **close)
    np.testing.assert_allclose(chunked.hessp(theta, v), memory.hessp(theta, v), **close)
    fused = chunked.hessian_value_grad(theta)
    for ours, theirs in zip(fused, memory.hessian_value_grad(theta), strict=True):
        np.testing.assert_allclose(ours, theirs, **close)
