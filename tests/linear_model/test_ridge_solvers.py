"""Ridge's scikit-learn parameters and its near-singular, constrained and per-target solves.

References: scikit-learn's Ridge (its "svd" solver for the near-singular cases), numpy's
minimum-norm least squares, and scipy's non-negative least squares; unlearning is
compared with a refit on the remaining rows.
"""

import pickle

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skunlearn import Ridge

FORGET = np.arange(4)


def wide(n=20, d=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) * 10 + 100 + rng.normal(size=n)


def collinear(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    X = np.column_stack([X, X[:, 0] + X[:, 1], 2 * X[:, 2]])  # exactly collinear columns
    return X, X[:, :3] @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=40)


def min_norm(X, y, fit_intercept=True):
    """Minimum-norm least squares (numpy's lstsq) on centred data: the alpha -> 0 limit."""
    if not fit_intercept:
        return np.linalg.lstsq(X, y, rcond=None)[0], 0.0
    x_mean, y_mean = X.mean(axis=0), y.mean()
    coef = np.linalg.lstsq(X - x_mean, y - y_mean, rcond=None)[0]
    return coef, y_mean - x_mean @ coef


def test_signature_is_sklearns_plus_documented_additions():
    ours, theirs = Ridge().get_params(), sk.Ridge().get_params()
    assert set(ours) - set(theirs) == {"unlearner", "convention"}
    assert all(ours[key] == theirs[key] for key in theirs)


@pytest.mark.parametrize("alpha", [1e-12, 0.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_more_features_than_rows_gives_the_min_norm_solution(alpha, fit_intercept):
    X, y = wide()
    X_new = np.random.default_rng(5).normal(size=(10, X.shape[1]))
    ours = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    coef, intercept = min_norm(X, y, fit_intercept)
    assert_allclose(ours.coef_, coef, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, intercept, rtol=1e-8)
    assert ours.solver_ == "svd"
    if alpha > 0:  # scikit-learn's own solvers agree wherever they are accurate
        for solver in ("svd", "auto"):
            ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver=solver).fit(X, y)
            assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-7)
    ours.unlearn(X[FORGET])
    coef, intercept = min_norm(X[4:], y[4:], fit_intercept)
    assert_allclose(ours.coef_, coef, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.predict(X_new), X_new @ coef + intercept, rtol=1e-8)


def test_collinear_columns_without_penalty_give_the_min_norm_solution_before_and_after():
    # scikit-learn's "svd" solver keeps singular values above an absolute 1e-15 and
    # returns coefficients near 1e13 here; numpy's minimum-norm solution is the reference.
    X, y = collinear()
    ours = Ridge(alpha=0.0).fit(X, y)
    coef, intercept = min_norm(X, y)
    assert_allclose(ours.coef_, coef, rtol=1e-9)
    assert_allclose(ours.intercept_, intercept, rtol=1e-9)
    ours.unlearn(X[FORGET])
    assert_allclose(ours.coef_, min_norm(X[4:], y[4:])[0], rtol=1e-9)
    assert_allclose(ours.coef_, Ridge(alpha=0.0).fit(X[4:], y[4:]).coef_, rtol=1e-12)


def test_sparse_zero_alpha_weights_equal_repeated_rows():
    X, y = collinear()
    Xs = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    weights = np.r_[np.full(10, 2.0), np.ones(30)]
    repeated = sp.vstack([Xs[:10], Xs])
    by_weight = Ridge(alpha=0.0).fit(Xs, y, sample_weight=weights)
    by_repeat = Ridge(alpha=0.0).fit(repeated, np.r_[y[:10], y])
    assert_allclose(by_weight.coef_, by_repeat.coef_, rtol=1e-9)
    assert_allclose(by_weight.predict(Xs), by_repeat.predict(Xs), rtol=1e-10)
    dense = Ridge(alpha=0.0).fit(Xs.toarray(), y, sample_weight=weights)
    assert_allclose(by_weight.coef_, dense.coef_, rtol=1e-9)


@pytest.mark.parametrize("csr", [False, True])
def test_positive_fit_and_unlearning_land_on_the_constrained_optimum(csr):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 6))
    y = X @ [1.0, -2.0, 0.5, -0.1, 3.0, 0.0] + 0.3 * rng.normal(size=60)
    model = Ridge(alpha=0.5, positive=True).fit(sp.csr_matrix(X) if csr else X, y)
    ref = sk.Ridge(alpha=0.5, positive=True, tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    assert np.all(model.coef_ >= 0) and np.any(model.coef_ == 0)
    assert model.solver_ == "lbfgs"
    model.unlearn(X[FORGET])
    keep = slice(4, None)
    # Independent reference: NNLS on the centred rows augmented with sqrt(alpha) I.
    Xc, yc = X[keep] - X[keep].mean(axis=0), y[keep] - y[keep].mean()
    A = np.vstack([Xc, np.sqrt(0.5) * np.eye(6)])
    coef = scipy.optimize.nnls(A, np.r_[yc, np.zeros(6)])[0]
    assert_allclose(model.coef_, coef, atol=1e-10)


def test_per_target_alpha_matches_sklearn_and_unlearns_exactly():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 4))
    Y = np.column_stack([X @ [1.0, 2.0, 0, 1], X @ [0.5, 0, -1, 2]]) + rng.normal(size=(50, 2))
    alpha = np.array([0.1, 30.0])
    model = Ridge(alpha=alpha).fit(X, Y)
    assert_allclose(model.coef_, sk.Ridge(alpha=alpha).fit(X, Y).coef_, rtol=1e-10)
    model.unlearn(X[FORGET])
    assert_allclose(model.coef_, sk.Ridge(alpha=alpha).fit(X[4:], Y[4:]).coef_, rtol=1e-10)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        Ridge(alpha=[1.0, 2.0, 3.0]).fit(X, Y)


@pytest.mark.parametrize("solver", ["sparse_cg", "lsqr", "sag", "saga"])
def test_iterative_solver_names_honour_tol_and_max_iter(solver):
    X, y = wide(n=60, d=8)
    exact = sk.Ridge(alpha=1.0).fit(X, y)
    model = Ridge(alpha=1.0, solver=solver, tol=1e-12).fit(X, y)
    assert_allclose(model.coef_, exact.coef_, rtol=1e-9)
    assert model.solver_ == solver
    with pytest.warns(ConvergenceWarning, match=f"{solver} solver did not converge") as record:
        capped = Ridge(alpha=1.0, solver=solver, tol=1e-12, max_iter=2).fit(X, y)
    assert record[0].filename == __file__
    expected_iter = None if solver == "sparse_cg" else [2]
    assert (capped.n_iter_ is None) if expected_iter is None else capped.n_iter_.tolist() == [2]
    capped.unlearn(X[FORGET])  # unlearning lands on the exact optimum regardless
    assert_allclose(capped.coef_, sk.Ridge(alpha=1.0).fit(X[4:], y[4:]).coef_, rtol=1e-9)


@pytest.mark.parametrize("solver", ["lsqr", "sag", "saga"])
def test_iteration_counts_do_not_survive_unlearn_or_partial_fit(solver):
    """Two fits that differ only in the forgotten row pickle equal after unlearning it."""
    X, y = wide(n=60, d=8)
    outlier = np.r_[X[:1] * 50.0, X[:1] * 1.5]
    models = [Ridge(solver=solver).fit(np.r_[X, row[None]], np.r_[y, 1e4]) for row in outlier]
    assert models[0].n_iter_.tolist() != models[1].n_iter_.tolist()  # the count reveals the row
    for model, row in zip(models, outlier, strict=True):
        model.unlearn(row[None])
    assert pickle.dumps(models[0]) == pickle.dumps(models[1])
    assert models[0].n_iter_.tolist() == [0]
    grown = Ridge(solver=solver).fit(X[:30], y[:30]).partial_fit(X[30:], y[30:])
    assert grown.n_iter_.tolist() == [0]  # no solver ran on all the rows from scratch
    assert_allclose(grown.coef_, sk.Ridge(solver="cholesky").fit(X, y).coef_, rtol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_targets", [None, 1, 2])
def test_attribute_types_and_dtypes_are_sklearns(fit_intercept, dtype, n_targets):
    X, y = wide(n=30, d=4)
    Y = y if n_targets is None else np.tile(y[:, None], (1, n_targets))
    X = X.astype(dtype)
    ours = Ridge(fit_intercept=fit_intercept).fit(X, Y)
    ref = sk.Ridge(fit_intercept=fit_intercept).fit(X, Y)
    assert type(ours.intercept_) is type(ref.intercept_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert ours.coef_.shape == ref.coef_.shape and ours.coef_.dtype == ref.coef_.dtype
    assert ours.predict(X).dtype == ref.predict(X).dtype
    assert ours.n_iter_ is None and ours.solver_ == ref.solver_


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (dict(solver="lbfgs"), "'lbfgs' solver can be used only when positive=True"),
        (dict(positive=True, solver="svd"), "does not support positive fitting"),
        (dict(alpha=[-1.0]), "alpha must be non-negative"),
    ],
)
def test_refused_combinations_raise_as_sklearn(params, error):
    X, y = wide(n=30, d=4)
    with pytest.raises(ValueError, match=error):
        Ridge(**params).fit(X, y)
    with pytest.raises(ValueError, match="sparse data"):
        Ridge(solver="cholesky").fit(sp.csr_matrix(X), y)


@pytest.mark.parametrize(
    "params",
    [
        dict(tol=-1.0),
        dict(max_iter=0),
        dict(solver="qr"),
        dict(positive="yes"),
        dict(copy_X="yes"),
        dict(random_state="seed"),
        dict(alpha="big"),
    ],
)
def test_every_parameter_is_validated(params):
    X, y = wide(n=30, d=4)
    with pytest.raises(InvalidParameterError, match=list(params)[0]):
        Ridge(**params).fit(X, y)
