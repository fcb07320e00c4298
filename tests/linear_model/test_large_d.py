"""The large-d paths, forced by shrinking the Hessian memory budget to a few bytes.

Ridge then keeps no d x d statistics: it fits and unlearns by conjugate gradients
(Newton-CG on the quadratic objective); LogisticRegression fits by L-BFGS and unlearns
by Newton-CG. Both must still equal scikit-learn's fits and land on the oracle refit on
the remaining rows, for dense and CSR input, and the sparse paths must not densify X.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import normalised_distance
from numpy.testing import assert_allclose
from sklearn import linear_model as sk

from skunlearn import LogisticRegression, Ridge
from skunlearn._objective import LinearObjective
from skunlearn._solvers import _ridge_cg
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler

N, D = 300, 15


@pytest.fixture
def tiny_budget(monkeypatch):
    monkeypatch.setattr("skunlearn._solvers._budget.HESSIAN_MEMORY_BUDGET", 64)


@pytest.fixture
def no_densifying(monkeypatch):
    """Make ``toarray`` of any full-height sparse matrix (N rows or more) fail."""
    for cls in (sp.csr_matrix, sp.csr_array):
        original = cls.toarray

        def guarded(self, *args, _original=original, **kwargs):
            assert self.shape[0] < N - 20, f"densified a {self.shape} sparse matrix"
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "toarray", guarded)


def make_data(kind, sparse, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D)) * (rng.random((N, D)) < (0.4 if sparse else 1.0))
    X[:, 0] += 1.0 + rng.normal(size=N)  # a column with a non-zero mean
    z = X @ rng.normal(size=D) / np.sqrt(D)
    if kind == "ridge":
        y = z + 0.3 * rng.normal(size=N) + 2.0
    elif kind == "ridge-multitarget":
        y = np.column_stack([z, 1.0 - z]) + rng.normal(size=(N, 2))
    elif kind == "binary":
        y = (z + rng.logistic(size=N) > 0).astype(int)
    else:
        y = np.digitize(z + rng.logistic(size=N), [-0.5, 0.5])
    return (sp.csr_matrix(X) if sparse else X), X, y


def reference(kind, X_dense, y, **params):
    """scikit-learn fitted on the dense rows: Cholesky, or newton-cholesky at tol 1e-12."""
    if kind.startswith("ridge"):
        return sk.Ridge(alpha=0.5, solver="cholesky", **params).fit(X_dense, y)
    model = sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=200, **params)
    return model.fit(X_dense, y)


def make_model(kind, **params):
    return Ridge(alpha=0.5, **params) if kind.startswith("ridge") else LogisticRegression(**params)


def relative_error(model, ref):
    a = np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]
    b = np.r_[np.ravel(ref.coef_), np.ravel(ref.intercept_)]
    return np.linalg.norm(a - b) / np.linalg.norm(b)


KINDS = ["ridge", "ridge-multitarget", "binary", "multinomial"]


def forget_and_compare(kind, X, X_dense, y, batches, **params):
    original = make_model(kind, **params).fit(X, y)
    model = make_model(kind, **params).fit(X, y)
    keep = np.ones(N, dtype=bool)
    for batch in batches:
        model.unlearn(X[batch])
        keep[batch] = False
    oracle = reference(kind, X_dense[keep], y[keep], **params)
    return model, normalised_distance(model, oracle, original)


@pytest.mark.usefixtures("tiny_budget")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_large_d_fit_equals_sklearn(kind, sparse):
    X, X_dense, y = make_data(kind, sparse)
    model = make_model(kind).fit(X, y)
    if kind.startswith("ridge"):
        assert model._warm_state is None
    else:
        assert model._warm_state is None  # fitted by L-BFGS: no Hessian was formed
    limit = 1e-10 if kind.startswith("ridge") else 1e-6
    assert relative_error(model, reference(kind, X_dense, y)) <= limit


@pytest.mark.usefixtures("tiny_budget", "no_densifying")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("schedule", ["random", "sequential"])
def test_large_d_unlearn_lands_on_the_oracle(kind, sparse, schedule):
    X, X_dense, y = make_data(kind, sparse)
    rng = np.random.default_rng(5)
    if schedule == "random":
        batches = [rng.choice(N, size=15, replace=False)]
    else:
        batches = [np.arange(start, start + 5) for start in (0, 5, 10)]
    model, distance = forget_and_compare(kind, X, X_dense, y, batches)
    assert distance <= (1e-10 if kind.startswith("ridge") else 1e-6)
    if not kind.startswith("ridge"):
        assert model.unlearn_history_["grad_norm"][-1] <= 1e-12


@pytest.mark.usefixtures("tiny_budget")
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_large_d_ridge_weights_no_intercept_and_paper_convention(sparse):
    X, X_dense, y = make_data("ridge", sparse)
    weights = np.random.default_rng(2).uniform(0.1, 2.0, size=N)
    model = Ridge(alpha=0.5, fit_intercept=False).fit(X, y, sample_weight=weights)
    expected = sk.Ridge(alpha=0.5, fit_intercept=False, solver="cholesky")
    expected.fit(X_dense, y, sample_weight=weights)
    assert relative_error(model, expected) <= 1e-10
    paper = Ridge(alpha=0.01, convention="paper").fit(X, y).unlearn(X[:20])
    same = sk.Ridge(alpha=0.01 * (N - 20), solver="cholesky").fit(X_dense[20:], y[20:])
    assert relative_error(paper, same) <= 1e-10


@pytest.mark.usefixtures("tiny_budget")
def test_large_d_ridge_retrain_equals_newton():
    X, _, y = make_data("ridge", True)
    newton = Ridge(alpha=0.5).fit(X, y).unlearn(X[:30])
    retrain = Ridge(alpha=0.5, unlearner="retrain").fit(X, y).unlearn(X[:30])
    assert_allclose(retrain.coef_, newton.coef_, rtol=1e-10)


def test_wide_sparse_ridge_switches_to_cg(monkeypatch):
    """Sparse X above SPARSE_GRAM_MAX_FEATURES uses CG with the real memory budget."""
    monkeypatch.setattr(_ridge_cg, "SPARSE_GRAM_MAX_FEATURES", D - 1)
    X, X_dense, y = make_data("ridge", True)
    model, distance = forget_and_compare("ridge", X, X_dense, y, [np.arange(7)])
    assert model._warm_state is None and distance <= 1e-10
    assert Ridge().fit(X_dense, y)._warm_state is not None  # dense X keeps the statistics


@pytest.mark.usefixtures("tiny_budget")
def test_large_d_ridge_in_a_pipeline_follows_the_refit():
    X, _, y = make_data("ridge", False)
    pipe = make_pipeline(StandardScaler(), Ridge(alpha=0.5)).fit(X, y)
    pipe.unlearn(X[:25])
    refit = make_pipeline(StandardScaler(), Ridge(alpha=0.5)).fit(X[25:], y[25:])
    assert_allclose(pipe.predict(X), refit.predict(X), rtol=1e-9, atol=1e-10)


@pytest.mark.usefixtures("no_densifying")
def test_the_densifying_guard_fires():
    X, _, _ = make_data("ridge", True)
    with pytest.raises(AssertionError, match="densified"):
        X.toarray()


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("loss", ["squared", "logistic", "exponential", "multinomial"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_newton_cg_hessian_operator_equals_the_dense_hessian(sparse, loss, fit_intercept):
    """One fused pass per product, curvature cached: the same products as the Hessian."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 6)) * (rng.random((80, 6)) < 0.5)
    K = {"squared": 2, "multinomial": 3}.get(loss, 1)
    y = {
        "squared": rng.normal(size=(80, 2)),
        "multinomial": rng.integers(0, 3, 80),
    }.get(loss, (rng.random(80) < 0.5).astype(float))
    weights = rng.random(80)
    weights[:7] = 0.0
    objective = LinearObjective(
        loss,
        sp.csr_matrix(X) if sparse else X,
        y,
        weights,
        n_outputs=K,
        fit_intercept=fit_intercept,
        l2=0.3,
    )
    theta, v = rng.normal(size=(2, objective.n_params)) * 0.5
    if K == 3 and fit_intercept:
        v[-K:] -= v[-K:].mean()  # off the gauge direction (common intercept shift)
    # Independent reference: central differences of the gradient along v.
    step = 1e-5
    expected = (
        objective.value_grad(theta + step * v)[1] - objective.value_grad(theta - step * v)[1]
    ) / (2 * step)
    product = objective.hessian_operator(theta)(v)
    assert_allclose(product, expected, rtol=1e-6, atol=1e-7 * np.abs(expected).max())
    assert_allclose(product, objective.hessian(theta) @ v, rtol=1e-10, atol=1e-12)
