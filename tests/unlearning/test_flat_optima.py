"""Non-unique optima (collinear columns): unlearn lands on the refit's optimum, not its own.

A duplicated column, or one-hot columns beside an intercept, leaves the optimum
free along a flat direction when nothing penalises it strictly (``C=inf``, or an L1
penalty whose value is constant there). Both the fit and the unlearning then end
at the minimum-norm optimum; before, each ended wherever its path met the flat
set, so the state after ``unlearn`` still depended on the forgotten row.

References: scikit-learn refits on the design without the redundant column (a
unique optimum), mapped to the minimum-norm point of the flat set in closed form.
"""

import numpy as np
import pytest
from fingerprints import assert_same_state
from numpy.testing import assert_allclose
from sklearn_reference import sklearn_logistic

from skunlearn import LogisticRegression

N = 200


def _data():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(N, 3))
    group = rng.integers(0, 2, N).astype(float)
    y = (Z[:, 0] - Z[:, 1] + 0.8 * group + rng.logistic(size=N) > 0).astype(int)
    return Z, group, y


def _twins(X, y, params):
    """Two fits differing in one extra row, each unlearning its row."""
    models = []
    for extra, label in ((X[:1] * 5.0, 0), (X[1:2] * 0.5, 1)):
        model = LogisticRegression(**params).fit(np.r_[X, extra], np.r_[y, label])
        models.append(model.unlearn(extra, [label]))
    return models


@pytest.mark.parametrize("params", [{"C": np.inf}, {"C": 0.5, "l1_ratio": 1.0}])
def test_duplicated_column_splits_evenly_and_unlearns_to_the_refit(params):
    Z, _, y = _data()
    X = np.c_[Z, Z[:, 0]]
    solver = "saga" if "l1_ratio" in params else "newton-cholesky"
    reference = sklearn_logistic(solver=solver, tol=1e-12, max_iter=200_000, **params)
    reference = reference.fit(Z, y).coef_[0]
    expected = np.r_[reference[0] / 2, reference[1:], reference[0] / 2]
    refit = LogisticRegression(**params).fit(X, y)
    assert_allclose(refit.coef_[0], expected, atol=1e-6)
    for model in _twins(X, y, params):
        assert_same_state(model, refit)


def test_one_hot_beside_the_intercept_without_penalty_is_the_minimum_norm_optimum():
    Z, group, y = _data()
    X = np.c_[Z, group, 1.0 - group]
    reference = sklearn_logistic(C=np.inf, solver="newton-cholesky", tol=1e-12).fit(
        np.c_[Z, group], y
    )
    # (b, 0, c) + t (1, 1, -1) on (group, 1 - group, intercept): the norm is least at t
    b, c = reference.coef_[0, 3], reference.intercept_[0]
    t = (c - b) / 3.0
    refit = LogisticRegression(C=np.inf).fit(X, y)
    assert_allclose(refit.coef_[0], np.r_[reference.coef_[0, :3], b + t, t], atol=1e-7)
    assert_allclose(refit.intercept_, [c - t], atol=1e-7)
    for model in _twins(X, y, {"C": np.inf}):
        assert_same_state(model, refit)


def test_one_hot_beside_the_intercept_with_l1_is_the_minimum_norm_optimum():
    """The L1 optima (b + t, b' + t, c - t) form a segment; its least-norm point has t = 0
    where b > 0 > b' (inside the segment), and the same loss as scikit-learn's optimum."""
    Z, group, y = _data()
    X = np.c_[Z, group, 1.0 - group]
    params = {"C": 0.5, "l1_ratio": 1.0}
    refit = LogisticRegression(**params).fit(X, y)
    reference = sklearn_logistic(solver="saga", tol=1e-12, max_iter=200_000, **params).fit(X, y)
    ours, theirs = refit.predict_proba(X), reference.predict_proba(X)
    assert_allclose(ours, theirs, atol=1e-6)
    b, b_other, c = refit.coef_[0, 3], refit.coef_[0, 4], refit.intercept_[0]
    assert b > 0 > b_other
    assert abs(b + b_other - c) <= 1e-9 * abs(c)
    for model in _twins(X, y, params):
        assert_same_state(model, refit)
