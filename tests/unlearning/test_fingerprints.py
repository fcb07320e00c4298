"""The pickle after ``unlearn`` does not tell which row was forgotten.

Property: for every estimator, transformer and pipeline that unlearns exactly, the
pickled state after ``unlearn`` equals, bit for bit, the state of a fit on the
remaining rows in the same order (rows, their order, the hash index, Gram statistics,
warm state, parameters, scaler statistics, classes). Then the replay attacks of
``fingerprints.py`` (Gram downdate replay, history replay, fit + unlearn replay of
the whole state, index layout, error texts) cannot do better than chance, which
the tests also run directly: each returns all candidates or none. Positive controls
show that each attack does single out the row where a leak remains (the old Gram
downdate, the per-step history of an approximate unlearner, tombstones in the index).
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from fingerprints import (
    assert_same_state,
    error_texts,
    gram_replay,
    history_replay,
    index_gaps,
    model_state,
    old_downdate,
    singles_out,
    state_replay,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

import skunlearn._solvers._budget as budget
from skunlearn import LogisticRegression, Ridge
from skunlearn._solvers import BucketedGram, GramStatistics
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from skunlearn.unlearners import DescentAscent
from skunlearn.utils import RowIndex, hash_rows

N, D, POOL = 40, 3, 6
DELETED = 11


def make_data(kind, n=N + POOL, seed=0):
    """Rows with offsets and scales; targets of ``kind`` (a "32" suffix: float32 rows).
    The last POOL rows are held out."""
    if kind.endswith("32"):
        X, y = make_data(kind[:-2], n, seed)
        return X.astype(np.float32), y
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, D)) * [1.0, 3.0, 0.5] + [2.0, -1.0, 0.0]
    signal = (X - X.mean(axis=0)) @ [1.0, -0.5, 2.0]
    if kind == "regression":
        return X, signal + rng.normal(size=n)
    if kind == "multitarget":
        return X, np.c_[signal, -signal] + rng.normal(size=(n, 2))
    if kind == "binary":
        return X, (signal + rng.logistic(size=n) > 0).astype(int)
    return X, np.digitize(signal + rng.logistic(size=n), [-1.0, 1.0])


CASES = {
    "ridge": (lambda: Ridge(alpha=1.0), "regression"),
    "ridge-no-intercept": (lambda: Ridge(alpha=0.3, fit_intercept=False), "regression"),
    "ridge-paper": (lambda: Ridge(alpha=0.05, convention="paper"), "regression"),
    "ridge-multitarget": (lambda: Ridge(alpha=1.0), "multitarget"),
    "ridge-retrain": (lambda: Ridge(unlearner="retrain"), "regression"),
    "logistic": (lambda: LogisticRegression(), "binary"),
    "logistic-multinomial": (lambda: LogisticRegression(C=0.5), "multinomial"),
    "logistic-no-intercept": (lambda: LogisticRegression(fit_intercept=False), "binary"),
    "logistic-exponential": (lambda: LogisticRegression(loss="exponential"), "binary"),
    "logistic-lbfgs": (lambda: LogisticRegression(solver="lbfgs"), "binary"),
    "logistic-paper": (lambda: LogisticRegression(C=2.0, convention="paper"), "multinomial"),
    "logistic-retrain": (lambda: LogisticRegression(unlearner="retrain"), "multinomial"),
    # scikit-learn 1.9's parameters (issue 14): every penalty, solver name and weighting.
    "ridge-alpha-0": (lambda: Ridge(alpha=0.0), "regression"),
    "ridge-alpha-tiny": (lambda: Ridge(alpha=1e-12, fit_intercept=False), "regression"),
    "ridge-positive": (lambda: Ridge(positive=True), "regression"),
    "ridge-per-target-alpha": (lambda: Ridge(alpha=[0.5, 3.0]), "multitarget"),
    "ridge-lsqr": (lambda: Ridge(solver="lsqr", tol=1e-12), "regression"),
    "ridge-svd": (lambda: Ridge(solver="svd"), "regression"),
    "ridge-float32": (lambda: Ridge(), "regression32"),
    "logistic-l1": (lambda: LogisticRegression(l1_ratio=1.0, C=0.1), "binary"),
    "logistic-elasticnet": (
        lambda: LogisticRegression(l1_ratio=0.5, C=0.2, fit_intercept=False),
        "multinomial",
    ),
    "logistic-l1-multinomial": (lambda: LogisticRegression(l1_ratio=1.0, C=0.2), "multinomial"),
    "logistic-balanced": (lambda: LogisticRegression(class_weight="balanced"), "multinomial"),
    "logistic-class-weight": (lambda: LogisticRegression(class_weight={0: 3.0}), "binary"),
    "logistic-liblinear": (
        lambda: LogisticRegression(solver="liblinear", intercept_scaling=2.0),
        "binary",
    ),
    "logistic-liblinear-l1": (
        lambda: LogisticRegression(solver="liblinear", l1_ratio=1.0, C=0.3),
        "binary",
    ),
    "logistic-unpenalised": (lambda: LogisticRegression(C=np.inf), "binary"),
    "logistic-unpenalised-multinomial": (lambda: LogisticRegression(C=np.inf), "multinomial"),
    "logistic-float32": (lambda: LogisticRegression(), "binary32"),
    "logistic-newton-cg": (lambda: LogisticRegression(solver="newton-cg"), "multinomial"),
    "pipeline-standard-ridge": (lambda: make_pipeline(StandardScaler(), Ridge()), "regression"),
    "pipeline-minmax-logistic": (
        lambda: make_pipeline(MinMaxScaler(), LogisticRegression()),
        "binary",
    ),
    "pipeline-chain": (
        lambda: make_pipeline(MaxAbsScaler(), StandardScaler(), LogisticRegression()),
        "multinomial",
    ),
}
SPARSE = [
    "ridge",
    "ridge-no-intercept",
    "logistic",
    "logistic-multinomial",
    "ridge-positive",
    "ridge-per-target-alpha",
    "ridge-lsqr",
    "logistic-l1",
    "logistic-balanced",
    "logistic-liblinear-l1",
]


def fitted(case, sparse=False, weights=None):
    make, kind = CASES[case]
    X, y = make_data(kind)
    X, y = X[:N], y[:N]
    params = {} if weights is None else {"sample_weight": weights}
    model = make().fit(sp.csr_matrix(X) if sparse else X, y, **params)
    return model, X, y


def refit(case, X, y, keep, sparse=False, weights=None):
    make, _ = CASES[case]
    params = {} if weights is None else {"sample_weight": weights[keep]}
    return make().fit(sp.csr_matrix(X[keep]) if sparse else X[keep], y[keep], **params)


@pytest.mark.parametrize("case", list(CASES))
def test_state_after_unlearn_is_the_refit_state(case):
    model, X, y = fitted(case)
    batches = [[DELETED], [0, 25, N - 1], [7, 8]]
    for batch in batches:
        model.unlearn(X[batch])
    keep = np.setdiff1d(np.arange(N), np.concatenate(batches))
    assert_same_state(model, refit(case, X, y, keep))


@pytest.mark.parametrize("case", SPARSE)
def test_state_after_unlearn_is_the_refit_state_csr(case):
    model, X, y = fitted(case, sparse=True)
    model.unlearn(X[[DELETED, 3]]).unlearn(sp.csr_matrix(X[[30]]))
    keep = np.setdiff1d(np.arange(N), [DELETED, 3, 30])
    assert_same_state(model, refit(case, X, y, keep, sparse=True))


@pytest.mark.parametrize(
    "case", ["ridge", "logistic-multinomial", "ridge-positive", "logistic-l1", "logistic-balanced"]
)
def test_state_after_unlearn_is_the_refit_state_with_weights(case):
    weights = np.random.default_rng(5).uniform(0.2, 3.0, N)
    model, X, y = fitted(case, weights=weights)
    model.unlearn(X[[DELETED, 20]], sample_weight=weights[[DELETED, 20]])
    keep = np.setdiff1d(np.arange(N), [DELETED, 20])
    assert_same_state(model, refit(case, X, y, keep, weights=weights))


@pytest.mark.parametrize(
    "case", ["ridge", "ridge-multitarget", "ridge-per-target-alpha", "ridge-lsqr"]
)
def test_state_after_unlearn_is_the_refit_state_on_the_cg_path(monkeypatch, case):
    """Ridge without Gram statistics: canonical CG from the rounded coefficients."""
    monkeypatch.setattr(budget, "HESSIAN_MEMORY_BUDGET", 8)
    model, X, y = fitted(case)
    assert model._warm_state is None
    model.unlearn(X[[DELETED]]).unlearn(X[[2, 33]])
    keep = np.setdiff1d(np.arange(N), [DELETED, 2, 33])
    assert_same_state(model, refit(case, X, y, keep))


@pytest.mark.parametrize("case", ["logistic-multinomial", "logistic-l1-multinomial"])
def test_state_after_unlearn_is_the_refit_state_matrix_free_logistic(monkeypatch, case):
    monkeypatch.setattr(budget, "HESSIAN_MEMORY_BUDGET", 8)
    model, X, y = fitted(case)
    model.unlearn(X[[DELETED, 4]])
    keep = np.setdiff1d(np.arange(N), [DELETED, 4])
    assert_same_state(model, refit(case, X, y, keep))


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), MaxAbsScaler()], ids=repr)
def test_standalone_scaler_state_is_the_refit_state(scaler):
    X, _ = make_data("regression")
    X = X[:N] * [1e6, 1.0, 1e-6] + [1.7e12, 0.0, 3.0]
    fitted_scaler = clone(scaler).fit(X).unlearn(X[[DELETED, 0]])
    keep = np.setdiff1d(np.arange(N), [DELETED, 0])
    assert_same_state(fitted_scaler, clone(scaler).fit(X[keep]))


# --- the attacks: no better than chance now ------------------------------------------


def pool(kind):
    """The forgotten row among POOL - 1 rows never trained on (index 0 is the forgotten one)."""
    X, y = make_data(kind)
    rows = np.r_[DELETED, np.arange(N, N + POOL - 1)]
    return X[rows], y[rows]


@pytest.mark.parametrize("case", ["ridge", "ridge-no-intercept"])
def test_gram_replay_does_not_single_out_the_row(case):
    """The attack answers exactly as it does for a model that never saw the row (a
    candidate whose downdate happens to round back to the stored bits is found for
    both: a property of the remaining rows, not of the deletion)."""
    model, X, y = fitted(case)
    model.unlearn(X[[DELETED]])
    found = gram_replay(model, *pool("regression"))
    keep = np.setdiff1d(np.arange(N), [DELETED])
    assert found == gram_replay(refit(case, X, y, keep), *pool("regression"))


def test_gram_replay_singles_out_the_row_from_a_downdated_gram():
    """Positive control: the downdate skunlearn used before leaves the row in the bits."""
    model, X, y = fitted("ridge")
    full_gram = model._warm_state
    model.unlearn(X[[DELETED]])
    leaky = copy.deepcopy(model)
    targets = y[[DELETED]][:, None]
    object.__setattr__(
        leaky, "_warm_state", old_downdate(full_gram, X[[DELETED]], targets, np.ones(1))
    )
    assert gram_replay(leaky, *pool("regression")) == {0}


@pytest.mark.parametrize("case", ["ridge", "logistic", "logistic-multinomial"])
def test_history_replay_does_not_single_out_the_row(case):
    model, X, _ = fitted(case)
    model.unlearn(X[[DELETED]])
    found = history_replay(model, *pool(CASES[case][1]))
    assert not singles_out(found, POOL), found


def test_history_replay_singles_out_the_row_for_descent_ascent():
    """Positive control: an approximate unlearner keeps its per-step history (documented),
    whose first step length is the size of the deletion's effect."""
    model, X, _ = fitted("logistic")
    model.set_params(unlearner=DescentAscent(max_iter=5)).unlearn(X[[DELETED]])
    assert history_replay(model, *pool("binary"), tol=1e-9) == {0}


@pytest.mark.parametrize(
    "case", ["ridge", "logistic", "pipeline-standard-ridge", "logistic-l1", "logistic-balanced"]
)
def test_state_replay_does_not_single_out_the_row(case):
    """Replaying fit + unlearn for every candidate at every position: every candidate
    reproduces the pickle (it is the refit's state), so none is singled out."""
    model, X, y = fitted(case)
    model.unlearn(X[[DELETED]])
    keep = np.setdiff1d(np.arange(N), [DELETED])
    found = state_replay(
        CASES[case][0], X[keep], y[keep], *pool(CASES[case][1]), model_state(model)
    )
    assert found == set(range(POOL))


def test_index_layout_does_not_single_out_the_row():
    model, X, _ = fitted("ridge")
    model.unlearn(X[[DELETED, 5]])  # the lookup builds the index; the removal keeps it
    pool_X, _ = pool("regression")
    assert not singles_out(index_gaps(model, pool_X), POOL)
    fresh = RowIndex(hash_rows(model._rows.X))
    assert_array_equal(model._rows._index.keys, fresh.keys)
    assert_array_equal(model._rows._index.positions, fresh.positions)


def test_index_gaps_single_out_the_row_from_tombstones():
    """Positive control: a slot left where the forgotten hash sat brackets that hash."""
    model, X, _ = fitted("ridge")
    index = RowIndex(hash_rows(X))
    slot = int(np.flatnonzero(index.positions == DELETED)[0])
    index.positions[slot] = -1
    index.keys[slot] = index.keys[slot - 1] if slot else np.iinfo(np.int64).min
    model._rows._index_cache = index
    assert 0 in index_gaps(model, pool("regression")[0])


@pytest.mark.parametrize("case", ["ridge", "logistic", "pipeline-standard-ridge"])
def test_error_text_does_not_single_out_the_row(case):
    """A forgotten row and rows never seen get the refusal a refit on the remaining rows
    gives (which may describe the nearest stored row, never the forgotten one)."""
    model, X, y = fitted(case)
    model.unlearn(X[[DELETED]])
    keep = np.setdiff1d(np.arange(N), [DELETED])
    found = error_texts(model, refit(case, X, y, keep), pool(CASES[case][1])[0])
    assert found == set(), found


def test_refused_unlearn_quotes_no_stored_target():
    model, X, y = fitted("ridge")
    with pytest.raises(ValueError) as refused:
        model.unlearn(X[[3]], y[[3]] + 1.0)
    assert "target does not match" in str(refused.value)
    for value in np.r_[y, y + 1.0]:
        assert f"{value:.4g}"[:6] not in str(refused.value)
        assert repr(float(value)) not in str(refused.value)


@pytest.mark.parametrize("case", ["ridge", "logistic", "pipeline-chain"])
def test_row_order_is_the_fit_order(case):
    """The remaining rows keep their fit order (the old removal moved the last row into
    the gap, which tells where the forgotten row sat)."""
    model, X, _ = fitted(case)
    model.unlearn(X[[DELETED, 2]])
    final = model[-1] if hasattr(model, "steps") else model
    stored = final._rows.X
    expected = np.delete(X, [DELETED, 2], axis=0)
    if hasattr(model, "steps"):
        expected = model[:-1].transform(expected)
        assert_array_equal(model._raw.store.X, np.delete(X, [DELETED, 2], axis=0))
    assert_array_equal(stored, expected)


def test_gram_statistics_are_those_of_the_stored_rows():
    """Bit for bit the per-bucket statistics of the stored rows, and to rounding the
    statistics of one pass over them."""
    model, X, y = fitted("ridge")
    model.unlearn(X[[DELETED]]).unlearn(X[[1, 2]])
    rows = model._rows
    args = (rows.X, rows.y, rows.sample_weight)
    buckets = BucketedGram.from_rows(*args, hash_rows(rows.X), True)
    one_pass = GramStatistics.from_rows(*args, True)
    for name in ("x_mean", "y_mean", "xx", "xy", "yy"):
        assert_array_equal(getattr(model._warm_state, name), getattr(buckets, name))
        assert_allclose(getattr(model._warm_state, name), getattr(one_pass, name), rtol=1e-12)
    for mine, theirs in zip(model._warm_state.nodes[1:], buckets.nodes[1:], strict=True):
        assert_array_equal(mine.xx, theirs.xx)
