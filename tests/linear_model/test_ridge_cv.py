"""RidgeCV: leave-one-out selection and unlearning equal scikit-learn's RidgeCV refits."""

import numpy as np
import pytest
from family import (
    assert_sequential_deletions_compose,
    assert_unlearns_like_refit,
    correlated_rows,
    keep,
    random_rows,
)
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression
from sklearn_reference import SKLEARN_1_8

from skunlearn.linear_model import RidgeCV
from skunlearn.unlearners import DescentAscent, Finetune

ALPHAS = np.logspace(-4, 2, 13)

# scikit-learn 1.6 (the oldest CI run) agrees with these solutions to about 2e-8 relative
# (1e-7 of a deletion's effect); from 1.8 on it agrees to 1e-9 (1e-8 of the effect).
COEF_RTOL = 1e-9 if SKLEARN_1_8 else 1e-7
UNLEARN_TOL = 1e-8 if SKLEARN_1_8 else 1e-6


def datasets():
    X, y = load_diabetes(return_X_y=True)
    Z, Y = make_regression(n_samples=120, n_features=8, n_targets=2, noise=20.0, random_state=0)
    return {"diabetes": (X, y), "multi_output": (Z, Y)}


DATA = datasets()


@pytest.mark.parametrize("dataset", sorted(DATA))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_selection_and_fit_match_sklearn(dataset, fit_intercept):
    X, y = DATA[dataset]
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    params = {"alphas": ALPHAS, "fit_intercept": fit_intercept, "store_cv_results": True}
    ours = RidgeCV(**params).fit(X, y, sample_weight=weights)
    ref = sk.RidgeCV(**params).fit(X, y, sample_weight=weights)
    assert ours.alpha_ == ref.alpha_
    assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-10)
    assert_allclose(
        ours.cv_results_, ref.cv_results_, rtol=1e-8, atol=1e-10 * ref.cv_results_.max()
    )
    assert_allclose(ours.coef_, ref.coef_, rtol=COEF_RTOL, atol=1e-10 * np.abs(ref.coef_).max())
    assert_allclose(ours.intercept_, ref.intercept_, rtol=COEF_RTOL, atol=1e-9)


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_unlearn_reselects_alpha_as_a_refit(dataset):
    X, y = DATA[dataset]
    forget = [random_rows(len(X), 15, seed=1), correlated_rows(X, 40, seed=2)]
    ours, ref = RidgeCV(alphas=ALPHAS), sk.RidgeCV(alphas=ALPHAS)
    assert_unlearns_like_refit(ours, ref, X, y, forget, tol=UNLEARN_TOL)
    for rows in forget:
        model = RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y).unlearn(X[rows])
        rest = keep(len(X), rows)
        refit = sk.RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X[rest], y[rest])
        assert model.alpha_ == refit.alpha_
        assert_allclose(model.best_score_, refit.best_score_, rtol=1e-9)
        assert_allclose(model.cv_results_, refit.cv_results_, rtol=1e-7)  # one unlearn: same order


def test_the_selected_alpha_changes_with_the_forget_set():
    """The correlated forget set moves the leave-one-out choice: a fixed alpha would be wrong."""
    X, y = DATA["diabetes"]
    alphas = np.logspace(-4, 1, 12)
    model = RidgeCV(alphas=alphas).fit(X, y)
    before = model.alpha_
    rows = np.arange(10)
    model.unlearn(X[rows])
    refit = sk.RidgeCV(alphas=alphas).fit(X[10:], y[10:])
    assert model.alpha_ != before and model.alpha_ == refit.alpha_
    assert_allclose(model.coef_, refit.coef_, rtol=1e-9)


def test_sequential_deletions_compose():
    X, y = DATA["diabetes"]
    first = random_rows(len(X), 20, seed=3)
    second = np.setdiff1d(correlated_rows(X, 30, seed=4), first)
    ours, ref = RidgeCV(alphas=ALPHAS), sk.RidgeCV(alphas=ALPHAS)
    assert_sequential_deletions_compose(ours, ref, X, y, [first, second], tol=UNLEARN_TOL)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"cv": 5}, "cv=5"), ({"scoring": "r2"}, "scoring"), ({"alpha_per_target": True}, "per")],
)
def test_unsupported_settings_are_refused_by_name(params, match):
    X, y = DATA["diabetes"]
    with pytest.raises(ValueError, match=match):
        RidgeCV(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize("unlearner", [DescentAscent(max_iter=5), Finetune(max_iter=5)])
def test_comparison_unlearners_run_after_the_selection(unlearner):
    X, y = DATA["diabetes"]
    model = RidgeCV(alphas=ALPHAS, unlearner=unlearner).fit(X, y)
    rows = correlated_rows(X, 40, seed=2)
    model.unlearn(X[rows])
    assert (
        model.alpha_
        == sk.RidgeCV(alphas=ALPHAS).fit(X[keep(len(X), rows)], y[keep(len(X), rows)]).alpha_
    )
