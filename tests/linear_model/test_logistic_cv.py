"""LogisticRegressionCV: cross-validated C and unlearning equal scikit-learn's refits."""

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
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler
from sklearn_reference import SKLEARN_1_8

from skunlearn.linear_model import LogisticRegressionCV
from skunlearn.unlearners import Finetune

# scikit-learn's reference: its l1_ratios deprecation, and its Newton falling back to lbfgs
# on the nearly separable folds of the largest C.
pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


def datasets():
    def standardised(loader):
        X, y = loader(return_X_y=True)
        return StandardScaler().fit_transform(X), y

    cancer = standardised(load_breast_cancer)
    return {"breast_cancer": (cancer[0][::2], cancer[1][::2]), "iris": standardised(load_iris)}


DATA = datasets()
PARAMS = [
    {"Cs": 5},
    {"Cs": [0.01, 0.3, 3.0, 30.0], "cv": 3, "fit_intercept": False, "scoring": "neg_log_loss"},
]


def reference(**params):
    """scikit-learn's LogisticRegressionCV with exact fold fits (Newton-Cholesky, tol 1e-12)."""
    if not SKLEARN_1_8:
        pytest.skip(
            "skunlearn's LogisticRegressionCV selects C as scikit-learn >= 1.8 does; 1.6's "
            "multinomial selection differs (the newest-scikit-learn run checks this)"
        )
    params = {"scoring": "accuracy", **params}
    if "use_legacy_attributes" in sk.LogisticRegressionCV().get_params():  # scikit-learn >= 1.9
        params["use_legacy_attributes"] = True
    return sk.LogisticRegressionCV(solver="newton-cholesky", tol=1e-12, max_iter=1000, **params)


def assert_same_selection(ours, ref):
    assert_allclose(ours.Cs_, ref.Cs_)
    assert_allclose(ours.C_, ref.C_)
    assert ours.scores_.keys() == ref.scores_.keys()
    for label in ref.scores_:
        assert_allclose(ours.scores_[label], ref.scores_[label], rtol=1e-9, atol=1e-12)
    assert ours.n_iter_.shape == ref.n_iter_.shape


@pytest.mark.parametrize("dataset", sorted(DATA))
@pytest.mark.parametrize("params", PARAMS)
def test_selection_and_fit_match_sklearn(dataset, params):
    X, y = DATA[dataset]
    ours, ref = LogisticRegressionCV(**params).fit(X, y), reference(**params).fit(X, y)
    assert_same_selection(ours, ref)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    if len(ref.classes_) == 2:  # fold paths, where the folds are well conditioned (C < 1e3)
        label, moderate = ref.classes_[1], ref.Cs_ < 1e3
        assert_allclose(
            ours.coefs_paths_[label][:, moderate],
            ref.coefs_paths_[label][:, moderate],
            rtol=1e-6,
            atol=1e-8,
        )


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_unlearn_reselects_c_as_a_refit(dataset):
    X, y = DATA[dataset]
    forget = [random_rows(len(X), 12, seed=1), correlated_rows(X, 12, seed=2)]
    assert_unlearns_like_refit(LogisticRegressionCV(Cs=5), reference(Cs=5), X, y, forget)
    for rows in forget:
        model = LogisticRegressionCV(Cs=5).fit(X, y).unlearn(X[rows], y[rows])
        assert_same_selection(
            model, reference(Cs=5).fit(X[keep(len(X), rows)], y[keep(len(X), rows)])
        )


def test_the_selected_c_changes_with_the_forget_set():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegressionCV(Cs=6).fit(X, y)
    before = float(model.C_[0])
    model.unlearn(X[:30], y[:30])
    refit = reference(Cs=6).fit(X[30:], y[30:])
    assert float(model.C_[0]) != before and float(model.C_[0]) == float(refit.C_[0])
    assert_allclose(model.coef_, refit.coef_, rtol=1e-7, atol=1e-9)


def test_sequential_deletions_compose():
    X, y = DATA["iris"]
    first = random_rows(len(X), 6, seed=3)
    second = np.setdiff1d(correlated_rows(X, 8, seed=4), first)
    ours, ref = LogisticRegressionCV(Cs=4), reference(Cs=4)
    assert_sequential_deletions_compose(ours, ref, X, y, [first, second])


def test_splitters_apply_to_the_remaining_rows_and_explicit_splits_refuse_to_unlearn():
    X, y = DATA["breast_cancer"]
    splitter = KFold(4)
    model = LogisticRegressionCV(Cs=3, cv=splitter).fit(X, y).unlearn(X[:10], y[:10])
    assert_same_selection(model, reference(Cs=3, cv=splitter).fit(X[10:], y[10:]))
    splits = list(KFold(3).split(X))
    model = LogisticRegressionCV(Cs=3, cv=splits).fit(X, y)
    before = model.coef_.copy()
    with pytest.raises(ValueError, match="explicit splits"):
        model.unlearn(X[:5], y[:5])
    assert np.array_equal(model.coef_, before)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"penalty": "l1"}, "penalty='l1'"), ({"refit": False}, "refit=False"),
     ({"class_weight": "balanced"}, "class_weight='balanced'")],
)  # fmt: skip
def test_unsupported_settings_are_refused_by_name(params, match):
    X, y = DATA["iris"]
    with pytest.raises(ValueError, match=match):
        LogisticRegressionCV(**params).fit(X, y)


def test_finetune_runs_after_the_selection():
    X, y = DATA["breast_cancer"]
    model = LogisticRegressionCV(Cs=3, unlearner=Finetune(max_iter=5)).fit(X, y)
    model.unlearn(X[:8], y[:8])
    assert_allclose(model.C_, reference(Cs=3).fit(X[8:], y[8:]).C_)
