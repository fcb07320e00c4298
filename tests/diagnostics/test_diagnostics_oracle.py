"""Oracle distance, margins, KLoM and membership inference (the certified bound: its own file)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.metrics import roc_auc_score

from skunlearn import LogisticRegression, Ridge
from skunlearn.diagnostics import (
    ensemble_margins,
    fit_oracle,
    hoeffding_check,
    klom,
    loss_threshold_auc,
    margins,
    oracle_distance,
    subsample_ensembles,
    ulira_auc,
)
from skunlearn.unlearners import DescentAscent


def _data(n=300, d=4, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    scores = X @ rng.normal(size=(d, classes)) + rng.gumbel(size=(n, classes))
    return X, np.argmax(scores, axis=1)


def _sklearn_oracle(model, X, y):
    if isinstance(model, Ridge):
        return SklearnRidge(alpha=model.alpha, fit_intercept=model.fit_intercept).fit(X, y)
    return SklearnLogisticRegression(
        C=model.C,
        fit_intercept=model.fit_intercept,
        solver="newton-cholesky",
        tol=1e-14,
        max_iter=1000,
    ).fit(X, y)


def _theta(model):
    intercept = np.ravel(model.intercept_)
    if len(intercept) > 2:
        intercept = intercept - intercept.mean()
    return np.r_[np.ravel(model.coef_), intercept]


def test_fit_oracle_and_oracle_distance_match_sklearn():
    X, y = _data(classes=3)
    model = LogisticRegression(C=0.5, unlearner=DescentAscent(max_iter=5)).fit(X, y)
    oracle = fit_oracle(model, X[:25], y[:25])
    reference = _sklearn_oracle(model, X[25:], y[25:])
    assert oracle_distance(oracle, reference) < 1e-8
    unlearned = clone(model).fit(X, y).unlearn(X[:25], y[:25])
    expected = np.linalg.norm(_theta(unlearned) - _theta(reference)) / np.linalg.norm(
        _theta(model) - _theta(reference)
    )
    assert oracle_distance(unlearned, reference, model) == pytest.approx(expected, rel=1e-6)
    assert model.n_forgotten_ == 0 and oracle.n_forgotten_ == 0


@pytest.mark.parametrize("classes", [2, 4])
def test_margins_are_the_log_odds_of_the_true_class(classes):
    X, y = _data(classes=classes)
    clf = SklearnLogisticRegression(C=0.3).fit(X, y)
    p = clf.predict_proba(X)[np.arange(len(y)), y]
    np.testing.assert_allclose(margins(clf, X, y), np.log(p) - np.log1p(-p), rtol=1e-8)


def test_margins_of_the_exponential_loss_use_its_probabilities():
    X, y = _data()
    clf = LogisticRegression(loss="exponential").fit(X, y)
    p = clf.predict_proba(X)[np.arange(len(y)), y]
    np.testing.assert_allclose(margins(clf, X, y), np.log(p) - np.log1p(-p), rtol=1e-8)


def test_ensemble_margins_hold_each_models_log_odds_in_its_row():
    X, y = _data(classes=3)
    models = [SklearnLogisticRegression(C=c).fit(X, y) for c in (0.01, 0.3, 10.0)]
    expected = []
    for clf in models:
        p = clf.predict_proba(X)[np.arange(len(y)), y]
        expected.append(np.log(p) - np.log1p(-p))
    np.testing.assert_allclose(ensemble_margins(models, X, y), expected, rtol=1e-8)


def _klom_reference(M_u, M_o, bins=20):
    M_u, M_o = np.clip(M_u, -100, 100), np.clip(M_o, -100, 100)
    out = []
    for j in range(M_u.shape[1]):
        lo = min(M_u[:, j].min(), M_o[:, j].min())
        hi = max(M_u[:, j].max(), M_o[:, j].max())
        if hi == lo:
            out.append(0.0)
            continue
        p = np.histogram(M_o[:, j], bins=bins, range=(lo, hi))[0] / len(M_o)
        q = np.maximum(np.histogram(M_u[:, j], bins=bins, range=(lo, hi))[0] / len(M_u), 1e-5)
        out.append(np.sum(p[p > 0] * np.log(p[p > 0] / q[p > 0])))
    return np.array(out)


def test_klom_matches_a_numpy_histogram_computation():
    rng = np.random.default_rng(0)
    M_u = rng.normal(size=(30, 40)) * rng.uniform(0.5, 3, 40) + rng.normal(size=40)
    M_o = rng.normal(size=(25, 40)) * 2.0
    M_u[:, 0], M_o[:, 0] = 500.0, -300.0  # clipped to +-100: disjoint
    M_u[:, 1] = M_o[0, 1]  # unlearned all in one bin
    np.testing.assert_allclose(klom(M_u, M_o), _klom_reference(M_u, M_o), rtol=1e-12, atol=1e-15)


def test_klom_saturates_at_log_1e5_and_vanishes_for_equal_ensembles():
    M_o = np.zeros((8, 3)) + [[0.0, 1.0, 2.0]]
    M_u = M_o + 50.0
    np.testing.assert_allclose(klom(M_u, M_o), np.log(1e5), rtol=1e-12)
    np.testing.assert_array_equal(klom(M_o, M_o), 0.0)


def test_loss_threshold_auc_matches_a_direct_computation():
    X, y = _data(n=200)
    clf = SklearnLogisticRegression(C=10.0).fit(X[:60], y[:60])
    loss = lambda A, b: -np.log(clf.predict_proba(A)[np.arange(len(b)), b])  # noqa: E731
    expected = roc_auc_score(
        np.r_[np.ones(60), np.zeros(140)], -np.r_[loss(X[:60], y[:60]), loss(X[60:], y[60:])]
    )
    assert loss_threshold_auc(clf, X[:60], y[:60], X[60:], y[60:]) == pytest.approx(expected)


def test_ulira_auc_separates_shifted_ensembles_and_not_equal_ones():
    rng = np.random.default_rng(0)
    same = rng.normal(size=(8, 200))
    assert ulira_auc(same, same) == pytest.approx(0.5)
    assert ulira_auc(rng.normal(2.0, 1, (8, 200)), rng.normal(0, 1, (8, 200))) > 0.8
    assert abs(ulira_auc(rng.normal(size=(8, 200)), rng.normal(size=(8, 200))) - 0.5) < 0.05


def test_subsample_ensembles_give_klom_zero_for_newton_and_large_for_ascent():
    X, y = _data(n=150)
    template = LogisticRegression(C=1.0)
    forget = np.arange(15)
    unlearned, oracles = subsample_ensembles(
        template, X, y, forget, unlearner="newton", n_models=4
    )
    assert len({round(float(m.coef_[0, 0]), 8) for m in oracles}) == 4  # subsamples differ
    values = klom(
        ensemble_margins(unlearned, X[forget], y[forget]),
        ensemble_margins(oracles, X[forget], y[forget]),
    )
    assert values.max() < 1e-6
    ascent, _ = subsample_ensembles(
        template, X, y, forget, unlearner=DescentAscent(max_iter=200), n_models=4
    )
    far = klom(
        ensemble_margins(ascent, X[forget], y[forget]),
        ensemble_margins(oracles, X[forget], y[forget]),
    )
    assert np.percentile(far, 95) > 1.0


def test_hoeffding_band_covers_random_forget_sets_of_the_oracle():
    X, y = _data(n=1200)
    clf = SklearnLogisticRegression().fit(X[:200], y[:200])
    rng = np.random.default_rng(0)
    inside = []
    for _ in range(100):
        unseen = rng.choice(np.arange(200, 1200), 60, replace=False)
        check = hoeffding_check(clf, X[unseen], y[unseen], X[200:], y[200:])
        inside.append(check.within_band)
    assert check.band == pytest.approx(np.sqrt(np.log(2 / 0.05) / (2 * 60)))
    assert np.mean(inside) >= 0.95
