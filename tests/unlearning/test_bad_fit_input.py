"""Bad input to ``fit``: a clear error naming the problem, and the estimator unchanged.

"Unchanged" is byte-for-byte, as for ``unlearn`` (``test_bad_input.py``): a fitted
estimator refitted on bad input keeps its pickle, although scikit-learn's validation sets
``n_features_in_`` before the weights are checked. A scalar ``sample_weight`` is one
weight for every row and is refused as the array of it would be.
"""

import contextlib
import pickle
import threading

import numpy as np
import pytest
import scipy.sparse
from configurations import ESTIMATORS
from fingerprints import assert_same_state
from sklearn.base import clone, is_classifier

from skunlearn import LogisticRegression
from skunlearn.pipeline import Pipeline, make_pipeline
from skunlearn.preprocessing import StandardScaler

SUPERVISED = [e for e in ESTIMATORS if not isinstance(e, Pipeline)]


def data(estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    if is_classifier(estimator):
        return X, np.arange(30) % 2
    return X, np.exp(0.3 * X[:, 0]) + 1.0  # positive: valid for Poisson and Gamma too


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf, 0.0], ids=["neg", "nan", "inf", "zero"])
@pytest.mark.parametrize("estimator", SUPERVISED, ids=repr)
def test_a_bad_scalar_weight_is_refused_like_the_array_of_it(estimator, weight):
    X, y = data(estimator)
    with pytest.raises(ValueError, match="sample_weight|Sample weights"):
        clone(estimator).fit(X, y, sample_weight=np.full(len(y), weight))
    with pytest.raises(ValueError, match="sample_weight|Sample weights"):
        clone(estimator).fit(X, y, sample_weight=weight)


@pytest.mark.parametrize("estimator", SUPERVISED, ids=repr)
def test_a_refit_on_bad_input_leaves_the_fitted_estimator_unchanged(estimator):
    X, y = data(estimator)
    model = clone(estimator).fit(X, y)
    before = pickle.dumps(model)
    wider = np.hstack([X, X])  # other features: validation would reset n_features_in_
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(wider, y, sample_weight=-np.ones(len(y)))
    assert pickle.dumps(model) == before
    assert model.n_features_in_ == X.shape[1]
    model.predict(X)  # still usable


@pytest.mark.parametrize("method", ["fit", "fit_transform"])
def test_a_transformer_refit_on_bad_input_is_unchanged(method):
    X = np.random.default_rng(1).normal(size=(20, 2))
    scaler = StandardScaler().fit(X)
    before = pickle.dumps(scaler)
    with pytest.raises(ValueError, match="sample_weight"):
        getattr(scaler, method)(np.hstack([X, X]), sample_weight=np.ones(3))
    assert pickle.dumps(scaler) == before


def test_a_scaler_whose_output_conversion_fails_is_unchanged():
    """set_output's conversion runs after the fit, inside the atomic fit_transform."""
    X = np.random.default_rng(2).normal(size=(20, 3))
    scaler = StandardScaler(with_mean=False).set_output(transform="pandas").fit(X)
    before = pickle.dumps(scaler)
    with pytest.raises(ValueError, match="sparse"):
        scaler.fit_transform(scipy.sparse.csr_matrix(2.0 * X))
    assert pickle.dumps(scaler) == before


def test_a_pipeline_whose_last_step_refuses_a_refit_is_unchanged():
    """scikit-learn fits a pipeline's steps in place; a failed refit restores them too."""
    X = np.random.default_rng(3).normal(size=(40, 3))
    y = np.arange(40) % 2
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    before = pickle.dumps(pipeline)
    with pytest.raises(ValueError, match="class"):
        pipeline.fit(X + 5.0, np.zeros(40))  # one class: the classifier refuses
    assert pickle.dumps(pipeline) == before
    pipeline.unlearn(X[:3], y[:3])  # the stored rows still match the steps
    reference = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[3:], y[3:])
    np.testing.assert_allclose(pipeline[-1].coef_, reference[-1].coef_, rtol=1e-9)


def test_a_failed_fit_does_not_undo_a_concurrent_one(monkeypatch):
    """Fits of one estimator run one after the other: the restore of a fit that fails
    cannot overwrite the result of another thread's fit."""
    from skunlearn.linear_model import _logistic

    X = np.random.default_rng(4).normal(size=(50, 3))
    y = np.arange(50) % 2
    model = LogisticRegression()
    inside, release = threading.Event(), threading.Event()
    original = _logistic.certify_fit

    def blocking_certify(estimator):
        if threading.current_thread().name == "failing":
            inside.set()
            release.wait(10)
            raise RuntimeError("injected failure")
        return original(estimator)

    monkeypatch.setattr(_logistic, "certify_fit", blocking_certify)
    failing = threading.Thread(target=lambda: _swallow(model.fit, X, y), name="failing")
    failing.start()
    inside.wait(10)
    succeeding = threading.Thread(target=model.fit, args=(2.0 * X, y), name="succeeding")
    succeeding.start()
    succeeding.join(0.3)
    waited = succeeding.is_alive()  # blocked behind the failing fit
    release.set()
    failing.join(10)
    succeeding.join(10)
    assert waited
    assert_same_state(model, LogisticRegression().fit(2.0 * X, y))


def _swallow(function, *args):
    with contextlib.suppress(RuntimeError):
        function(*args)


def test_a_pipeline_fit_transform_that_fails_in_its_last_step_is_unchanged():
    X = np.random.default_rng(5).normal(size=(30, 2))
    pipeline = make_pipeline(StandardScaler(), StandardScaler()).fit(X)
    before = pickle.dumps(pipeline)
    with pytest.raises(ValueError, match="sample_weight"):
        pipeline.fit_transform(X + 1.0, **{"standardscaler-2__sample_weight": np.ones(3)})
    assert pickle.dumps(pipeline) == before
