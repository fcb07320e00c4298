"""LogisticRegression's scikit-learn 1.9 parameters: same warnings, errors and models.

Each parameter is compared with scikit-learn's own estimator (its warnings and errors
by type and message, its fits at tight tolerance), and class weights after ``unlearn``
with a refit on the remaining rows.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn_reference import SKLEARN_1_8, sklearn_logistic

from skunlearn import LogisticRegression

TIGHT = dict(solver="newton-cholesky", tol=1e-12, max_iter=1000)


@pytest.fixture(scope="module")
def data():
    return make_classification(
        300, 6, n_informative=4, n_redundant=0, weights=[0.8], random_state=3
    )


# Deprecations, messages and the solver table are those of scikit-learn >= 1.8.
since_1_8 = pytest.mark.skipif(not SKLEARN_1_8, reason="compares with scikit-learn 1.8+ rules")


@since_1_8
def test_signature_is_sklearns_plus_documented_additions():
    ours, theirs = LogisticRegression().get_params(), sk.LogisticRegression().get_params()
    assert set(theirs) <= set(ours)
    assert set(ours) - set(theirs) == {"loss", "convention", "unlearner"}
    different = {key for key in theirs if ours[key] != theirs[key]}
    assert different == {"tol", "solver"}  # documented in the class docstring


@since_1_8
@pytest.mark.parametrize(
    "params",
    [
        dict(penalty="l2"),
        dict(l1_ratio=None),
        dict(n_jobs=2),
        dict(penalty=None, C=2.0),
        dict(penalty="l2", l1_ratio=0.5),
        dict(penalty="elasticnet", l1_ratio=0.5, solver="saga"),
    ],
)
def test_deprecations_warn_as_sklearn(data, params):
    X, y = data
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        sk.LogisticRegression(**params, max_iter=1000).fit(X, y)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        LogisticRegression(**params).fit(X, y)

    def summary(records):
        kept = (FutureWarning, UserWarning)
        return sorted(
            (w.category.__name__, str(w.message)[:40])
            for w in records
            if issubclass(w.category, kept) and not issubclass(w.category, ConvergenceWarning)
        )

    assert summary(ours) == summary(theirs)
    assert summary(ours)


@since_1_8
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="lbfgs", l1_ratio=1.0),
        dict(solver="newton-cg", penalty="l1"),
        dict(solver="liblinear", l1_ratio=0.5),
        dict(solver="lbfgs", dual=True),
        dict(solver="liblinear", C=np.inf),
        dict(solver="liblinear", penalty="l1", dual=True),
        dict(penalty="elasticnet", l1_ratio=None, solver="saga"),
    ],
)
def test_refused_combinations_raise_as_sklearn(data, params):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError) as theirs:
            sk.LogisticRegression(**params).fit(X, y)
        first_words = " ".join(str(theirs.value).split()[:4])
        with pytest.raises(ValueError, match=first_words.replace("(", r"\(")):
            LogisticRegression(**params).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        dict(l1_ratio=1.5),
        dict(C=0.0),
        dict(intercept_scaling=0),
        dict(class_weight="unbalanced"),
        dict(solver="newton"),
        dict(max_iter=-1),
        dict(n_jobs=1.5),
        dict(dual="yes"),
        dict(warm_start="yes"),
        dict(verbose=-1),
        dict(random_state="seed"),
        dict(penalty="l3"),
        dict(tol=-1.0),
    ],
)
def test_every_parameter_is_validated(data, params):
    X, y = data
    with pytest.raises(InvalidParameterError, match=list(params)[0]):
        LogisticRegression(**params).fit(X, y)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "newton-cholesky", "sag", "saga"])
def test_solver_names_reach_the_same_optimum(data, solver):
    X, y = data
    ours = LogisticRegression(solver=solver, C=0.7).fit(X, y)
    ref = sk.LogisticRegression(C=0.7, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert ours.n_iter_.shape == (1,) and ours.n_iter_.dtype == np.int32


def test_unpenalised_model_equals_sklearn(data):
    X, y = data
    ours = LogisticRegression(C=np.inf).fit(X, y)
    ref = sklearn_logistic(C=np.inf, **TIGHT).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7)


@pytest.mark.parametrize("max_iter", [1, 2])
@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton-cg", "saga"])
def test_max_iter_is_honoured_with_a_convergence_warning(data, max_iter, solver):
    X, y = data
    model = LogisticRegression(solver=solver, max_iter=max_iter, tol=1e-15, l1_ratio=0.0)
    with pytest.warns(ConvergenceWarning, match=f"after {max_iter} iterations") as record:
        model.fit(X, y)
    assert record[0].filename == __file__  # points at the caller's line
    assert model.n_iter_.tolist() == [max_iter]


def test_zero_max_iter_leaves_the_zero_model(data):
    X, y = data
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(max_iter=0).fit(X, y)
    assert model.n_iter_.tolist() == [0]
    assert_allclose(model.predict_proba(X), 0.5)


def test_warm_start_starts_from_the_previous_fit(data):
    X, y = data
    cold = LogisticRegression(C=0.3).fit(X, y)
    warm = LogisticRegression(C=0.3, warm_start=True).fit(X, y)
    again = warm.fit(X, y).n_iter_[0]
    assert again < cold.n_iter_[0]
    assert_allclose(warm.coef_, cold.coef_, rtol=1e-9)
    with pytest.raises(ValueError, match="Initialization coef is of shape"):
        warm.fit(*load_iris(return_X_y=True))


def test_sparsify_and_densify_keep_predictions_and_unlearning(data):
    X, y = data
    model = LogisticRegression(C=0.05, l1_ratio=1.0).fit(X, y)
    proba = model.predict_proba(X)
    assert sp.issparse(model.sparsify().coef_)
    assert_allclose(model.predict_proba(X), proba)
    model.unlearn(X[:5])
    oracle = LogisticRegression(C=0.05, l1_ratio=1.0).fit(X[5:], y[5:])
    assert_allclose(model.coef_, oracle.coef_, atol=1e-9)
    assert not sp.issparse(model.sparsify().densify().coef_)


@since_1_8
@pytest.mark.parametrize("solver", ["auto", "liblinear"])
def test_float32_dtypes_are_sklearns(data, solver):
    X, y = data
    X32 = X.astype(np.float32)
    ours = LogisticRegression(solver=solver).fit(X32, y)
    ref = sk.LogisticRegression(solver="lbfgs" if solver == "auto" else solver).fit(X32, y)
    assert ours.coef_.dtype == ref.coef_.dtype and ours.intercept_.dtype == ref.intercept_.dtype
    for X_new in (X32, X):
        assert ours.predict_proba(X_new).dtype == ref.predict_proba(X_new).dtype
        assert ours.decision_function(X_new).dtype == ref.decision_function(X_new).dtype


def test_balanced_class_weight_equals_sklearn_and_is_rebalanced_after_unlearn(data):
    X, y = data
    model = LogisticRegression(class_weight="balanced").fit(X, y)
    ref = sk.LogisticRegression(class_weight="balanced", **TIGHT).fit(X, y)
    assert_allclose(model.coef_, ref.coef_, rtol=1e-8)
    forget = np.flatnonzero(y == 1)[:25]  # shifts the class balance
    stale = LogisticRegression(class_weight=dict(enumerate(len(y) / (2 * np.bincount(y)))))
    keep = np.setdiff1d(np.arange(len(y)), forget)
    stale.fit(X[keep], y[keep])
    model.unlearn(X[forget])
    refit = sk.LogisticRegression(class_weight="balanced", **TIGHT).fit(X[keep], y[keep])
    assert_allclose(model.coef_, refit.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(model.intercept_, refit.intercept_, rtol=1e-8, atol=1e-10)
    assert np.abs(stale.coef_ - refit.coef_).max() > 1e-3  # rebalancing mattered


def test_balanced_weights_use_sample_weighted_class_counts(data):
    X, y = data
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    forget = np.arange(30)
    keep = np.setdiff1d(np.arange(len(y)), forget)
    model = LogisticRegression(class_weight="balanced").fit(X, y, sample_weight=s)
    model.unlearn(X[forget])
    totals = np.bincount(y[keep], weights=s[keep])
    balanced = totals.sum() / (2 * totals)  # scikit-learn 1.9's formula
    ref = sk.LogisticRegression(**TIGHT).fit(X[keep], y[keep], s[keep] * balanced[y[keep]])
    assert_allclose(model.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


def test_dict_class_weight_equals_sklearn_before_and_after_unlearn():
    X, y = load_iris(return_X_y=True)
    weights = {0: 2.0, 1: 0.5, 2: 1.5}
    model = LogisticRegression(class_weight=weights).fit(X, y)
    ref = sk.LogisticRegression(class_weight=weights, **TIGHT).fit(X, y)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    forget = np.flatnonzero(y == 2)  # a class vanishes
    model.unlearn(X[forget])
    keep = y != 2
    refit = sk.LogisticRegression(class_weight=weights, **TIGHT).fit(X[keep], y[keep])
    assert_allclose(model.coef_, refit.coef_, rtol=1e-7, atol=1e-9)


def test_balanced_weights_follow_a_vanished_class():
    X, y = load_iris(return_X_y=True)
    forget = np.flatnonzero(y == 2)[:45]
    keep = np.setdiff1d(np.arange(len(y)), forget)
    model = LogisticRegression(class_weight="balanced").fit(X, y).unlearn(X[forget])
    refit = sk.LogisticRegression(class_weight="balanced", **TIGHT).fit(X[keep], y[keep])
    assert_allclose(model.predict_proba(X), refit.predict_proba(X), atol=1e-8)


def test_balanced_weights_after_a_whole_class_is_forgotten():
    """The "balanced" weights divide by the classes with rows left: 2 once class 2 is gone."""
    X, y = load_iris(return_X_y=True)
    forget = np.flatnonzero(y == 2)
    keep = y != 2
    model = LogisticRegression(class_weight="balanced").fit(X, y).unlearn(X[forget])
    refit = sk.LogisticRegression(class_weight="balanced", **TIGHT).fit(X[keep], y[keep])
    assert_allclose(model.coef_, refit.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(model.intercept_, refit.intercept_, rtol=1e-7, atol=1e-9)
