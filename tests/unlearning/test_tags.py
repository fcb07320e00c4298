"""Unlearn tags: what ``get_tags`` says about each estimator's ``unlearn``.

The tolerance follows the configured unlearner (one that lands on the oracle, or an
approximate one), a pipeline's tags follow its final step, and scikit-learn's own tags
are kept: ``get_tags`` still validates, and its fields are the ones the estimator set.
"""

import pytest
from sklearn import linear_model as sk
from sklearn import preprocessing as skp
from sklearn.utils import Tags as SklearnTags
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_valid_tag_types

from skunlearn import LogisticRegression, Ridge
from skunlearn.pipeline import Pipeline, make_pipeline
from skunlearn.preprocessing import StandardScaler
from skunlearn.unlearners import DescentAscent, Finetune, Newton, Retrain
from skunlearn.utils import Tags, UnlearnTags, is_unlearner


@pytest.mark.parametrize(
    ("estimator", "tolerance"),
    [
        (Ridge(), 1e-10),
        (Ridge(unlearner="retrain"), 1e-10),
        (Ridge(unlearner=Retrain()), 1e-10),
        (Ridge(unlearner=Finetune()), None),
        (LogisticRegression(), 1e-6),
        (LogisticRegression(unlearner=Newton(tol=1e-13)), 1e-6),
        (LogisticRegression(unlearner="descent_ascent"), None),
        (LogisticRegression(unlearner=DescentAscent()), None),
        (LogisticRegression(unlearner="gradient_ascent"), None),
    ],
)
def test_oracle_tolerance_follows_the_unlearner(estimator, tolerance):
    tags = get_tags(estimator)
    assert isinstance(tags, Tags) and isinstance(tags, SklearnTags)
    assert tags.unlearn_tags == UnlearnTags(oracle_tolerance=tolerance)
    check_valid_tag_types(type(estimator).__name__, estimator)


def test_scikit_learn_tags_are_kept():
    ridge, logistic = get_tags(Ridge()), get_tags(LogisticRegression())
    assert ridge.estimator_type == "regressor" and ridge.target_tags.multi_output
    assert ridge.input_tags.sparse and logistic.input_tags.sparse
    assert logistic.estimator_type == "classifier" and logistic.classifier_tags.multi_class
    assert not get_tags(LogisticRegression(loss="exponential")).classifier_tags.multi_class


def test_pipeline_tags_follow_the_final_step():
    pipe = make_pipeline(StandardScaler(), LogisticRegression(unlearner="retrain"))
    assert get_tags(pipe).unlearn_tags == UnlearnTags(
        oracle_tolerance=1e-6, sparse=False, unlearner_param="logisticregression__unlearner"
    )
    assert "logisticregression__unlearner" in pipe.get_params()
    assert get_tags(make_pipeline(StandardScaler(), Ridge(unlearner=Finetune()))).unlearn_tags == (
        UnlearnTags(oracle_tolerance=None, sparse=False, unlearner_param="ridge__unlearner")
    )


@pytest.mark.parametrize(
    "estimator",
    [
        sk.Ridge(),
        skp.StandardScaler(),
        make_pipeline(Ridge(), StandardScaler()),
        make_pipeline(StandardScaler(), sk.LogisticRegression()),
        Pipeline([("model", "passthrough")]),
        Pipeline([]),
    ],
    ids=[
        "sklearn-ridge",
        "sklearn-scaler",
        "ends-in-scaler",
        "ends-in-sklearn",
        "passthrough",
        "empty",
    ],
)
def test_estimators_that_cannot_unlearn_are_not_unlearners(estimator):
    assert not is_unlearner(estimator)


def test_is_unlearner_for_skunlearn_estimators_and_pipelines():
    assert is_unlearner(Ridge()) and is_unlearner(LogisticRegression(unlearner="finetune"))
    assert is_unlearner(make_pipeline(skp.FunctionTransformer(), "passthrough", Ridge()))
    assert not is_unlearner(make_pipeline(skp.StandardScaler(), Ridge()))
    refitting = make_pipeline(skp.StandardScaler(), Ridge(), refit_unsupported=True)
    assert get_tags(refitting).unlearn_tags.unlearner_param is None
