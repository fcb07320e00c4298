"""Bad input to ``fit``: a clear error naming the problem, and the estimator unchanged.

"Unchanged" is byte-for-byte, as for ``unlearn`` (``test_bad_input.py``): a fitted
estimator refitted on bad input keeps its pickle, although scikit-learn's validation sets
``n_features_in_`` before the weights are checked. A scalar ``sample_weight`` is one
weight for every row and is refused as the array of it would be.
"""

import pickle

import numpy as np
import pytest
from configurations import ESTIMATORS
from sklearn.base import clone, is_classifier

from skunlearn.pipeline import Pipeline
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
