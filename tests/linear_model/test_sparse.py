"""CSR input end to end: fit, predict, unlearn and the sparse row store.

References are independent: scikit-learn's estimators fitted on the dense form of the
same rows (Ridge by Cholesky, LogisticRegression by newton-cholesky at tol 1e-12) and
refitted on the remaining rows as the oracle; the dense row store for the row order
after removals. Sparse rows are never densified by the large-d paths (checked by
making ``toarray`` of a full-height matrix raise), and nothing of a forgotten row
remains in the pickle or the store's buffers.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import normalised_distance
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.preprocessing import FunctionTransformer

from skunlearn import LogisticRegression, Ridge
from skunlearn.pipeline import make_pipeline
from skunlearn.utils import SparseTrainingRows, TrainingRows, canonical_csr, hash_csr_rows

N, D = 240, 12
FORMATS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.coo_array]


def sparse_data(kind, n=N, d=D, density=0.3, seed=0):
    """Sparse rows with unique nonzero values (no duplicate rows) and a target."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=seed)
    X.data = rng.normal(size=X.nnz) + 3.0 * np.sign(rng.normal(size=X.nnz))
    diagonal = (rng.normal(size=n) + 5.0, (np.arange(n), np.arange(n) % d))
    X = (X + sp.csr_matrix(diagonal, shape=(n, d))).tocsr()
    z = X @ rng.normal(size=d) / np.sqrt(d)
    if kind == "ridge":
        return X, z + 0.3 * rng.normal(size=n) + 1.0
    if kind == "ridge-multitarget":
        return X, np.column_stack([z, -z]) + rng.normal(size=(n, 2))
    if kind == "binary":
        return X, (z + rng.logistic(size=n) > 0).astype(int)
    return X, np.digitize(z + rng.logistic(size=n), [-0.5, 0.5])


def oracle(kind, X, y):
    """scikit-learn fitted tightly on the dense rows."""
    if kind.startswith("ridge"):
        return sk.Ridge(alpha=0.5, solver="cholesky").fit(X.toarray(), y)
    return sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=200).fit(
        X.toarray(), y
    )


def make_model(kind, **params):
    if kind.startswith("ridge"):
        return Ridge(alpha=0.5, **params)
    return LogisticRegression(**params)


def relative_error(model, reference):
    params = np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]
    ref = np.r_[np.ravel(reference.coef_), np.ravel(reference.intercept_)]
    return np.linalg.norm(params - ref) / np.linalg.norm(ref)


KINDS = ["ridge", "ridge-multitarget", "binary", "multinomial"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("to_format", FORMATS, ids=lambda f: f.__name__)
def test_sparse_fit_equals_dense_fit_and_sklearn(kind, to_format):
    X, y = sparse_data(kind)
    model = make_model(kind).fit(to_format(X), y)
    dense = make_model(kind).fit(X.toarray(), y)
    tol = 1e-10 if kind.startswith("ridge") else 1e-6
    assert relative_error(model, oracle(kind, X, y)) <= tol
    assert relative_error(model, dense) <= 1e-10
    assert_allclose(model.predict(to_format(X)), dense.predict(X.toarray()), rtol=1e-9)
    assert sp.issparse(model._rows.X) and model._rows.X.format == "csr"


@pytest.mark.parametrize("kind", ["ridge", "binary"])
def test_sparse_fit_with_sample_weight_and_no_intercept(kind):
    X, y = sparse_data(kind)
    weights = np.random.default_rng(1).uniform(0.2, 3.0, size=N)
    model = make_model(kind, fit_intercept=False).fit(X, y, sample_weight=weights)
    if kind == "ridge":
        reference = sk.Ridge(alpha=0.5, fit_intercept=False, solver="cholesky")
    else:
        reference = sk.LogisticRegression(
            fit_intercept=False, solver="newton-cholesky", tol=1e-12, max_iter=200
        )
    reference.fit(X.toarray(), y, sample_weight=weights)
    assert relative_error(model, reference) <= (1e-10 if kind == "ridge" else 1e-6)


def forget_sets(seed):
    rng = np.random.default_rng(seed)
    random = [rng.choice(N, size=12, replace=False)]
    sequential = [np.arange(start, start + 4) for start in (0, 4, 8)]
    return {"random": random, "sequential": sequential}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("schedule", ["random", "sequential"])
def test_sparse_unlearn_lands_on_the_oracle(kind, schedule):
    X, y = sparse_data(kind)
    original = make_model(kind).fit(X, y)
    model = make_model(kind).fit(X, y)
    forgotten = np.zeros(N, dtype=bool)
    for batch in forget_sets(2)[schedule]:
        model.unlearn(X[batch])
        forgotten[batch] = True
    keep = ~forgotten
    reference = oracle(kind, X[keep], y[keep])
    limit = 1e-10 if kind.startswith("ridge") else 1e-6
    assert normalised_distance(model, reference, original) <= limit
    assert model._rows.n == keep.sum() and model.n_forgotten_ == forgotten.sum()


@pytest.mark.parametrize("kind", ["ridge", "binary"])
def test_forget_rows_work_by_value_across_formats(kind):
    """Dense forget rows for a sparse model, sparse (even unsorted, with explicit zeros)
    forget rows for a dense model: the same model as forgetting in the fitted form."""
    X, y = sparse_data(kind)
    batch = np.array([3, 50, 7])
    expected = make_model(kind).fit(X, y).unlearn(X[batch])
    from_dense = make_model(kind).fit(X, y).unlearn(X[batch].toarray())
    messy = X[batch].tocoo()
    messy = sp.coo_matrix(
        (np.r_[messy.data, 0.0, -0.0], (np.r_[messy.row, 0, 1], np.r_[messy.col, 0, 1])),
        shape=messy.shape,
    )
    from_dense_model = make_model(kind).fit(X.toarray(), y).unlearn(messy)
    for model in (from_dense, from_dense_model):
        assert_allclose(model.coef_, expected.coef_, rtol=1e-9, atol=1e-12)
        assert model.n_forgotten_ == 3


def test_store_removal_follows_the_dense_store_order():
    """Random removals: the CSR store holds exactly the dense store's rows, in its order,
    with a zeroed tail and live rows viewed (not copied) from its buffers."""
    rng = np.random.default_rng(3)
    for _ in range(60):
        n, d = int(rng.integers(2, 50)), int(rng.integers(1, 8))
        dense = rng.normal(size=(n, d)) * (rng.random((n, d)) < 0.4)
        y, w = np.arange(n), rng.random(n)
        sparse_rows = SparseTrainingRows(sp.csr_matrix(dense), y, w)
        dense_rows = TrainingRows(dense, y, w)
        while sparse_rows.n > 1:
            k = int(rng.integers(1, sparse_rows.n))
            chosen = rng.choice(dense_rows.n, size=k, replace=False)
            rows, labels = dense_rows.X[chosen], dense_rows.y[chosen]
            sparse_rows.remove(sparse_rows.locate(rows, labels))
            dense_rows.remove(dense_rows.locate(rows, labels))
            assert_array_equal(sparse_rows.X.toarray(), dense_rows.X)
            assert_array_equal(sparse_rows.y, dense_rows.y)
            assert_array_equal(sparse_rows.sample_weight, dense_rows.sample_weight)
            nnz = sparse_rows.X.nnz
            assert not sparse_rows._data[nnz:].any() and not sparse_rows._indices[nnz:].any()
        if sparse_rows.X.nnz:
            assert np.shares_memory(sparse_rows.X.data, sparse_rows._data)


def test_canonical_form_and_hash_ignore_layout():
    """Unsorted indices, duplicates summed, explicit and negative zeros: equal by value,
    equal hash; a different value or column: different hash."""
    rows = sp.csr_matrix(
        (
            [2.0, 1.0, 0.0, -0.0, 0.5, 0.5],
            [3, 0, 1, 2, 4, 4],
            [0, 4, 6],
        ),
        shape=(2, 5),
    )
    clean = canonical_csr(rows)
    assert_array_equal(clean.toarray(), rows.toarray())
    assert clean.has_canonical_format and np.all(clean.data != 0)
    reference = canonical_csr(np.array([[1.0, 0, 0, 2.0, 0], [0, 0, 0, 0, 1.0]]))
    assert_array_equal(hash_csr_rows(clean), hash_csr_rows(reference))
    moved = canonical_csr(np.array([[1.0, 0, 2.0, 0, 0], [0, 0, 0, 0, 1.5]]))
    assert not np.any(hash_csr_rows(moved) == hash_csr_rows(reference))


def row_traces(X, y, i, regression):
    row = X[[i]]
    traces = {"data": row.data.tobytes(), "hash": hash_csr_rows(canonical_csr(row)).tobytes()}
    traces.update({f"value {j}": row.data[j : j + 1].tobytes() for j in range(row.nnz)})
    if regression:
        traces.update({f"target {k}": v.tobytes() for k, v in enumerate(np.ravel(y[i]))})
    return traces


def found_traces(model, X, y, forgotten, regression):
    rows = model._rows
    buffers = [rows._data, rows._indices, rows._y, rows._w, rows._index.keys]
    blob = pickle.dumps(model) + b"".join(buffer.tobytes() for buffer in buffers)
    return [
        (int(i), name)
        for i in forgotten
        for name, trace in row_traces(X, y, i, regression).items()
        if trace in blob
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unlearner", ["newton", "retrain", "finetune"])
def test_no_trace_of_forgotten_sparse_rows(kind, unlearner):
    X, y = sparse_data(kind)
    regression = kind.startswith("ridge")
    model = make_model(kind, unlearner=unlearner).fit(X, y)
    assert {name for _, name in found_traces(model, X, y, [5], regression)} >= {"data", "hash"}
    batches = [[5], [0, 17, 101, N - 1]]
    for batch in batches:
        model.unlearn(X[batch])
    assert found_traces(model, X, y, np.concatenate(batches), regression) == []


@pytest.mark.parametrize("kind", ["ridge", "binary"])
def test_bad_sparse_input_is_refused(kind):
    X, y = sparse_data(kind)
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make_model(kind).fit(bad, y)
    model = make_model(kind).fit(X, y)
    before = model.coef_.copy()
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.unlearn(sp.csr_matrix(([np.inf], ([0], [0])), shape=(1, D)))
    with pytest.raises(ValueError, match="features"):
        model.unlearn(sp.csr_matrix((1, D + 1)))
    unseen = X[[4]].copy()
    unseen.data[0] += 1.0
    with pytest.raises(ValueError, match="not in the training set"):
        model.unlearn(unseen)
    with pytest.raises(ValueError, match="more often"):
        model.unlearn(X[[4, 4]])
    assert_array_equal(model.coef_, before)
    assert model._rows.n == N


def test_duplicate_sparse_rows_with_different_labels_need_y_forget():
    X, y = sparse_data("binary")
    X = sp.vstack([X, X[[0]]]).tocsr()
    y = np.r_[y, 1 - y[0]]
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="different labels"):
        model.unlearn(X[[0]])
    model.unlearn(X[[0]], [y[0]])
    keep = np.r_[np.arange(1, N + 1)]
    reference = oracle("binary", X[keep], y[keep])
    assert relative_error(model, reference) <= 1e-6


def test_pipeline_with_a_sparse_final_step_stays_aligned():
    """A stateless step turns the pipeline's dense raw rows into CSR: the sparse store
    removes rows in the dense raw store's order, so later unlearns still forget the
    right rows and the pipeline equals its refit."""
    X, y = sparse_data("ridge")
    dense = X.toarray()

    def make():
        return make_pipeline(FunctionTransformer(sp.csr_matrix), Ridge(alpha=0.5))

    pipe = make().fit(dense, y)
    keep = np.ones(N, dtype=bool)
    for batch in ([3, 200, 17], [0, N - 1], [150, 4, 99, 31]):
        pipe.unlearn(dense[batch])
        keep[batch] = False
    assert sp.issparse(pipe[-1]._rows.X)
    refit = make().fit(dense[keep], y[keep])
    assert_allclose(pipe[-1].coef_, refit[-1].coef_, rtol=1e-10)


def test_unpickled_sparse_model_keeps_unlearning():
    X, y = sparse_data("binary")
    model = pickle.loads(pickle.dumps(LogisticRegression().fit(X, y).unlearn(X[[2, 9]])))
    model.unlearn(X[[40, 41]])
    keep = np.setdiff1d(np.arange(N), [2, 9, 40, 41])
    assert relative_error(model, oracle("binary", X[keep], y[keep])) <= 1e-6
