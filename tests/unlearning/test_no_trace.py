"""No trace of forgotten rows: after ``unlearn`` the estimator holds nothing that is one.

The pickled estimator (and the raw buffers of its row store) are scanned for the bytes of
every forgotten row, in float64 and float32 form, for each of its float64 values, for its
target (regression) and for its row hash, on data whose rows and values are unique. A
positive control shows the scan finds the rows before they are forgotten. Models fitted
on CSR input are scanned for the non-zero entries of each row (its CSR data segment, each
entry, its sparse row hash), forgotten with CSR or dense rows. Through a pipeline,
neither the raw rows nor their scaled form remain (bytes that a pipeline fitted on the
remaining rows alone also holds, such as a min-max-scaled 0.0, are no evidence), and the
final estimator keeps no state that a direct ``unlearn`` would not (no cache from the old
feature space). Aggregates that are downdated instead of recomputed equal the same
aggregates computed on the remaining rows: Ridge's centred Gram statistics, dense or CSR,
and the class counts (numpy), the pipeline scalers' statistics (scikit-learn's scalers).
"""

import pickle

import numpy as np
import pytest
import scipy.sparse
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import preprocessing as skp

from skunlearn import LogisticRegression, Ridge
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from skunlearn.utils import RowIndex, canonical_csr, hash_csr_rows, hash_rows

UNLEARNERS = ["newton", "retrain", "descent_ascent", "gradient_ascent", "finetune"]
KINDS = ["ridge", "ridge-multitarget", "binary", "multinomial"]
# scikit-learn 1.9's parameters (issue 14): kind -> (data kind, model parameters).
VARIANTS = {
    "ridge-positive": ("ridge", dict(positive=True)),
    "ridge-per-target-alpha": ("ridge-multitarget", dict(alpha=[0.5, 2.0])),
    "binary-l1": ("binary", dict(l1_ratio=1.0, C=0.5)),
    "binary-liblinear": ("binary", dict(solver="liblinear", intercept_scaling=2.0)),
    "multinomial-elasticnet": ("multinomial", dict(l1_ratio=0.5, C=0.5)),
    "multinomial-balanced": ("multinomial", dict(class_weight="balanced")),
}
N_SAMPLES, N_FEATURES = 60, 4
SINGLE = [[17]]
BATCHED = [[0, 5, 31, 59], [12, 13, 44]]


def make_data(kind, dtype=np.float64, n_samples=N_SAMPLES):
    kind = VARIANTS.get(kind, (kind,))[0]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, N_FEATURES)).astype(dtype)
    if kind == "ridge":
        return X, X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=n_samples)
    if kind == "ridge-multitarget":
        return X, rng.normal(size=(n_samples, 2))
    if kind == "binary":
        return X, (X[:, 0] + rng.normal(size=n_samples) > 0).astype(int)
    return X, np.arange(n_samples) % 3


def sparse_data(kind):
    """``make_data`` with about half of the entries zero; rows stay unique (none all zero)."""
    X, y = make_data(kind)
    zero = np.random.default_rng(3).uniform(size=X.shape) < 0.5
    zero[zero.all(axis=1), 0] = False
    X[zero] = 0.0
    return X, y


def make_model(kind, unlearner):
    params = VARIANTS.get(kind, (kind, {}))[1]
    if kind.startswith("ridge"):
        return Ridge(**{"alpha": 0.5, **params}, unlearner=unlearner)
    return LogisticRegression(**params, unlearner=unlearner)


def row_traces(X, y, i, regression):
    """Byte strings that would betray row ``i`` (and its target, for regression)."""
    row = np.ascontiguousarray(X[i], dtype=np.float64)
    traces = {
        "float64 row": row.tobytes(),
        "float32 row": row.astype(np.float32).tobytes(),
        "row hash": hash_rows(row[None, :]).tobytes(),
    }
    traces.update({f"value {j}": row[j : j + 1].tobytes() for j in range(len(row))})
    if regression:
        traces.update({f"target {k}": value.tobytes() for k, value in enumerate(np.ravel(y[i]))})
    return traces


def sparse_row_traces(X, y, i, regression):
    """As :func:`row_traces` for a row stored in CSR form: its non-zero entries."""
    entries = np.ascontiguousarray(X[i][X[i] != 0], dtype=np.float64)
    canonical = canonical_csr(scipy.sparse.csr_matrix(X[i : i + 1]))
    traces = {
        "float64 entries": entries.tobytes(),
        "float32 entries": entries.astype(np.float32).tobytes(),
        "row hash": hash_csr_rows(canonical).tobytes(),
    }
    traces.update({f"entry {j}": entries[j : j + 1].tobytes() for j in range(len(entries))})
    if regression:
        traces.update({f"target {k}": value.tobytes() for k, value in enumerate(np.ravel(y[i]))})
    return traces


def estimator_bytes(model):
    """The pickled estimator plus the raw (untrimmed) buffers of its row store."""
    rows = model._rows
    names = ["_X", "_data", "_y", "_w"]
    buffers = [getattr(rows, name) for name in names if hasattr(rows, name)]
    buffers.append(rows._index.keys)
    return pickle.dumps(model) + b"".join(buffer.tobytes() for buffer in buffers)


def found_traces(model, X, y, forgotten, regression, traces_of=row_traces):
    blob = estimator_bytes(model)
    return [
        (int(i), name)
        for i in forgotten
        for name, trace in traces_of(X, y, i, regression).items()
        if trace in blob
    ]


def test_scan_finds_rows_before_unlearning():
    X, y = make_data("ridge")
    model = make_model("ridge", "newton").fit(X, y)
    found = {name for _, name in found_traces(model, X, y, range(N_SAMPLES), True)}
    assert {"float64 row", "row hash", "value 0", "target 0"} <= found


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize("kind", KINDS + list(VARIANTS))
@pytest.mark.parametrize("unlearner", UNLEARNERS)
@pytest.mark.parametrize("batches", [SINGLE, BATCHED], ids=["single", "batched"])
def test_no_trace_after_unlearning(kind, unlearner, batches):
    X, y = make_data(kind)
    model = make_model(kind, unlearner).fit(X, y)
    for batch in batches:
        model.unlearn(X[batch])
    forgotten = np.concatenate(batches)
    assert found_traces(model, X, y, forgotten, kind.startswith("ridge")) == []


def test_scan_finds_sparse_rows_before_unlearning():
    X, y = sparse_data("ridge")
    model = make_model("ridge", "newton").fit(scipy.sparse.csr_matrix(X), y)
    found = found_traces(model, X, y, range(N_SAMPLES), True, sparse_row_traces)
    assert {"float64 entries", "row hash", "entry 0", "target 0"} <= {name for _, name in found}


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unlearner", UNLEARNERS)
@pytest.mark.parametrize("forget_format", ["csr", "dense"])
def test_no_trace_after_unlearning_sparse_rows(kind, unlearner, forget_format):
    X, y = sparse_data(kind)
    model = make_model(kind, unlearner).fit(scipy.sparse.csr_matrix(X), y)
    for batch in BATCHED:
        rows = X[batch]
        model.unlearn(scipy.sparse.csr_matrix(rows) if forget_format == "csr" else rows)
    forgotten = np.concatenate(BATCHED)
    regression = kind.startswith("ridge")
    assert found_traces(model, X, y, forgotten, regression, sparse_row_traces) == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_trace_after_float32_training(kind):
    X, y = make_data(kind, dtype=np.float32)
    model = make_model(kind, "newton").fit(X, y)
    model.unlearn(X[BATCHED[0]]).unlearn(X[BATCHED[1]].astype(np.float64))
    forgotten = np.concatenate(BATCHED)
    assert found_traces(model, X, y, forgotten, kind.startswith("ridge")) == []


def test_no_trace_after_a_class_is_removed():
    X, y = make_data("multinomial")
    model = make_model("multinomial", "newton").fit(X, y)
    forgotten = np.flatnonzero(y == 1)
    model.unlearn(X[forgotten])
    assert_array_equal(model.classes_, [0, 2])
    assert found_traces(model, X, y, forgotten, False) == []


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_row_index_after_deletions_equals_a_fresh_index(sparse):
    """The hash index kept in memory after many deletions is the index a fresh store of
    the remaining rows builds (no tombstones where forgotten hashes sat)."""
    X, y = sparse_data("ridge") if sparse else make_data("ridge", n_samples=3000)
    n = X.shape[0]
    model = make_model("ridge", "newton").fit(scipy.sparse.csr_matrix(X) if sparse else X, y)
    forgotten = np.random.default_rng(1).permutation(n)[: n // 2]
    for batch in np.array_split(forgotten, 8):
        model.unlearn(X[batch])
    keep = np.setdiff1d(np.arange(n), forgotten)
    index = model._rows._index
    fresh = RowIndex(hash_csr_rows(canonical_csr(X[keep])) if sparse else hash_rows(X[keep]))
    assert_array_equal(index.keys, fresh.keys)
    assert_array_equal(index.positions, fresh.positions)
    assert (
        found_traces(model, X, y, forgotten, True, sparse_row_traces if sparse else row_traces)
        == []
    )


def numpy_gram(X, Y, weights, centered):
    """Weighted means and (centred) scatter matrices, computed from scratch."""
    x_mean = weights @ X / weights.sum() if centered else np.zeros(X.shape[1])
    y_mean = weights @ Y / weights.sum() if centered else np.zeros(Y.shape[1])
    Xc, Yc = X - x_mean, Y - y_mean
    return x_mean, y_mean, (Xc * weights[:, None]).T @ Xc, (Xc * weights[:, None]).T @ Yc


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("unlearner", ["newton", "descent_ascent"])
@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_downdated_gram_equals_gram_of_remaining_rows(fit_intercept, unlearner, sparse):
    X, Y = sparse_data("ridge-multitarget")
    X[X != 0] += 5.0
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=N_SAMPLES)
    model = Ridge(fit_intercept=fit_intercept, unlearner=unlearner)
    model.fit(scipy.sparse.csr_matrix(X) if sparse else X, Y, weights)
    for batch in [[3], [0, 7, 8, 40], [59], list(range(20, 35))]:
        model.unlearn(X[batch])
    keep = np.setdiff1d(np.arange(N_SAMPLES), [3, 0, 7, 8, 40, 59, *range(20, 35)])
    x_mean, y_mean, xx, xy = numpy_gram(X[keep], Y[keep], weights[keep], fit_intercept)
    gram = model._warm_state
    assert gram.weight == pytest.approx(weights[keep].sum(), rel=1e-14)
    assert_allclose(gram.x_mean, x_mean, rtol=1e-12, atol=1e-13)
    assert_allclose(gram.y_mean, y_mean, rtol=1e-12, atol=1e-13)
    assert_allclose(gram.xx, xx, rtol=1e-11, atol=1e-11 * np.abs(xx).max())
    assert_allclose(gram.xy, xy, rtol=1e-11, atol=1e-11 * np.abs(xy).max())


@pytest.mark.parametrize("unlearner", ["newton", "finetune"])
def test_logistic_keeps_no_aggregate_of_forgotten_rows(unlearner):
    """Newton keeps the warm state a fit on the remaining rows keeps (evaluated on them);
    an approximate unlearner keeps none. Class counts are those of the remaining rows."""
    X, y = make_data("multinomial")
    model = make_model("multinomial", unlearner).fit(X, y)
    assert model._warm_state is not None
    model.unlearn(X[BATCHED[0]])
    keep = np.setdiff1d(np.arange(N_SAMPLES), BATCHED[0])
    assert_array_equal(model._class_counts, [np.bincount(y[keep])] * 2)
    if unlearner == "finetune":
        assert model._warm_state is None
        return
    refit = make_model("multinomial", unlearner).fit(X[keep], y[keep])
    for name in ("theta", "value", "grad", "hessian", "hessian_at"):
        assert_array_equal(getattr(model._warm_state, name), getattr(refit._warm_state, name))


@pytest.mark.parametrize("kind", ["ridge", "binary"])
@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler, MaxAbsScaler])
def test_no_trace_in_a_pipeline(kind, scaler):
    X, y = make_data(kind)
    X = X * [1.0, 5.0, 0.1, 2.0] + [2.0, -3.0, 10.0, 0.0]
    pipe = make_pipeline(scaler(), make_model(kind, "newton")).fit(X, y)
    scaled = pipe[0].transform(X)
    forgotten = np.concatenate(BATCHED)
    for batch in BATCHED:
        pipe.unlearn(X[batch])
    blob = pickle.dumps(pipe)
    keep = np.setdiff1d(np.arange(N_SAMPLES), forgotten)
    oracle = make_pipeline(scaler(), make_model(kind, "newton")).fit(X[keep], y[keep])
    innocent = pickle.dumps(oracle)
    for rows in (X, scaled):
        traces = [(i, row_traces(rows, y, i, kind == "ridge")) for i in forgotten]
        found = [(i, name) for i, row in traces for name, trace in row.items() if trace in blob]
        alibi = {
            (i, name) for i, row in traces for name, trace in row.items() if trace in innocent
        }
        assert [key for key in found if key not in alibi] == []


@pytest.mark.parametrize("kind", ["ridge", "binary"])
def test_pipeline_leaves_no_state_a_direct_unlearn_would_not(kind):
    X, y = make_data(kind)
    pipe = make_pipeline(StandardScaler(), make_model(kind, "newton")).fit(X, y)
    scaled = pipe[0].transform(X)
    direct = make_model(kind, "newton").fit(scaled, y).unlearn(scaled[BATCHED[0]])
    pipe.unlearn(X[BATCHED[0]])
    assert sorted(vars(pipe[-1])) == sorted(vars(direct))


@pytest.mark.parametrize(
    ("scaler", "sklearn_scaler"),
    [
        (StandardScaler, skp.StandardScaler),
        (MinMaxScaler, skp.MinMaxScaler),
        (MaxAbsScaler, skp.MaxAbsScaler),
    ],
)
def test_pipeline_scaler_statistics_equal_a_refit(scaler, sklearn_scaler):
    X, y = make_data("ridge")
    X = X * [1.0, 5.0, 0.1, 2.0] + [2.0, -3.0, 10.0, 0.0]
    pipe = make_pipeline(scaler(), make_model("ridge", "newton")).fit(X, y)
    for batch in BATCHED:
        pipe.unlearn(X[batch])
    keep = np.setdiff1d(np.arange(N_SAMPLES), np.concatenate(BATCHED))
    reference = sklearn_scaler().fit(X[keep])
    fitted = [name for name in vars(reference) if name.endswith("_") and name != "n_features_in_"]
    assert fitted
    for name in fitted:
        assert_allclose(getattr(pipe[0], name), getattr(reference, name), rtol=1e-12)
