"""Diagnostics on the linear model family: bounds where their lemmas hold, refusals elsewhere."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_classification

from skunlearn import _cli
from skunlearn._parameters import parameter_vector
from skunlearn.diagnostics import (
    ascent_harm,
    certified_bound,
    dependence_report,
    fit_oracle,
    unlearning_report,
)
from skunlearn.linear_model import (
    GammaRegressor,
    HuberRegressor,
    Lasso,
    LinearRegression,
    PoissonRegressor,
    RidgeClassifier,
    RidgeCV,
    TweedieRegressor,
)
from skunlearn.svm import LinearSVC
from skunlearn.unlearners import Finetune


def regression():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y / 100.0


def classification():
    return make_classification(n_samples=200, n_features=5, n_informative=3, random_state=0)


SMOOTH = [  # smooth and strongly convex: every diagnostic applies
    (PoissonRegressor(alpha=0.1), regression),
    (GammaRegressor(alpha=0.1), regression),
    (TweedieRegressor(power=1.5, alpha=0.1), regression),
    (LinearRegression(), regression),
    (RidgeCV(), regression),
    (RidgeClassifier(), classification),
]
REFUSED = [  # (estimator, data, the reason named in the refusal)
    (HuberRegressor(), regression, "huber loss is not twice differentiable"),
    (LinearSVC(), classification, "squared_hinge loss is not twice differentiable"),
    (TweedieRegressor(power=3.0, alpha=0.1), regression, r"tweedie loss .* is not convex"),
    (Lasso(alpha=0.01), regression, "L1 penalty is not differentiable"),
]


def ids(cases):
    return [repr(case[0]) for case in cases]


@pytest.mark.parametrize(("estimator", "data"), SMOOTH, ids=ids(SMOOTH))
def test_certified_bound_covers_the_true_distance(estimator, data):
    """After three fine-tuning steps the bound holds against a tight refit, and is finite."""
    X, y = data()
    model = clone(estimator).set_params(unlearner=Finetune(max_iter=3)).fit(X, y)
    original = parameter_vector(model)
    oracle = fit_oracle(model, X[:20], y[:20])
    model.unlearn(X[:20], y[:20])
    distance = np.linalg.norm(parameter_vector(model) - parameter_vector(oracle))
    bound = certified_bound(model).bound
    assert distance <= bound < np.inf and distance > 1e-9 * np.linalg.norm(original)


@pytest.mark.parametrize(("estimator", "data"), SMOOTH, ids=ids(SMOOTH))
def test_dependence_diagnostics_run(estimator, data):
    X, y = data()
    estimator.fit(X, y)
    harm = ascent_harm(estimator, X[:15], y[:15])
    assert harm.deletion_effect > 0 and -1 <= harm.cosine <= 1
    report = dependence_report(estimator, X[:15], y[:15])
    assert report.to_dict()["harm"]["deletion_effect"] == pytest.approx(harm.deletion_effect)


@pytest.mark.parametrize(("estimator", "data", "reason"), REFUSED, ids=ids(REFUSED))
def test_diagnostics_refuse_where_no_lemma_applies(estimator, data, reason):
    X, y = data()
    estimator.fit(X, y)
    for diagnostic in (ascent_harm, dependence_report):
        with pytest.raises(ValueError, match=f"does not apply: the {reason}"):
            diagnostic(estimator, X[:15], y[:15])
    with pytest.raises(ValueError, match=f"certified bound does not apply: the {reason}"):
        certified_bound(estimator)


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningDivergenceWarning")
@pytest.mark.parametrize(
    ("estimator", "data"), SMOOTH + [case[:2] for case in REFUSED], ids=ids(SMOOTH + REFUSED)
)
def test_unlearning_report_accepts_every_class(estimator, data):
    X, y = data()
    estimator.fit(X[:150], y[:150])
    report = unlearning_report(
        estimator, X[:10], y[:10], X[150:], y[150:], unlearners=["newton", "finetune"]
    )
    newton = report.rows[0]
    assert newton["distance"] <= 1e-6 and newton["verdict"] == "lands on the oracle"
    oracle = fit_oracle(estimator, X[:10], y[:10])
    assert newton["retain"] == pytest.approx(oracle.score(X[10:150], y[10:150]), abs=1e-9)
    refused = any(estimator is case[0] for case in REFUSED)
    assert np.isnan(newton["bound"]) == refused


@pytest.mark.parametrize("name", ["poisson", "huber", "linear_svc", "ridge_classifier"])
def test_cli_reports_on_each_kind_of_model(name, capsys):
    assert _cli.main(["--estimator", name, "--repeats", "1", "--ensemble", "0"]) == 0
    out = capsys.readouterr().out
    assert "newton          lands on the oracle" in out
    assert ("No dependence report" in out) == (name in ("huber", "linear_svc"))


def test_cli_refuses_a_model_that_does_not_fit_the_data(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _cli.main(["--estimator", "poisson", "--dataset", "iris"])
    assert exit_info.value.code == 2
    # --estimator is the alias of --model, the flag the message names
    assert "--model poisson does not fit --dataset iris" in capsys.readouterr().err
