"""Pipeline unlearning equals scikit-learn's pipeline refit on the remaining rows."""

import copy
import pickle

import numpy as np
import pytest
import sklearn
from sklearn import linear_model as sk_linear
from sklearn import preprocessing as skp
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn_reference import SKLEARN_1_8

from skunlearn import LogisticRegression, Ridge
from skunlearn.feature_extraction.text import TfidfVectorizer
from skunlearn.pipeline import Pipeline, StepNotUnlearnableError, make_pipeline
from skunlearn.pipeline._column_map import ColumnMap, step_map
from skunlearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

_OVERWRITES_STEPS = (
    "Pipeline.fit replaces the steps it fits inside the `steps` list; scikit-learn marks "
    "this check as an expected failure for its own Pipeline too."
)


def _expected_failures(estimator):
    return dict.fromkeys(
        ["check_dont_overwrite_parameters", "check_estimators_overwrite_params"],
        _OVERWRITES_STEPS,
    )


@parametrize_with_checks(
    [
        Pipeline([("scaler", StandardScaler()), ("final_estimator", Ridge())]),
        Pipeline([("scaler", StandardScaler()), ("final_estimator", LogisticRegression())]),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_pipeline(estimator, check):
    check(estimator)


def sk_classifier():
    return sk_linear.LogisticRegression(solver="newton-cholesky", tol=1e-12)


def parameters(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def normalised_distance(unlearned, oracle, original):
    """||w_u - w_oracle|| / ||w_original - w_oracle|| (paper-notes section 3)."""
    w_oracle = parameters(oracle)
    effect = np.linalg.norm(parameters(original) - w_oracle)
    return np.linalg.norm(parameters(unlearned) - w_oracle) / effect


def split(n, n_forget, seed=0):
    forget = np.random.default_rng(seed).choice(n, n_forget, replace=False)
    return forget, np.setdiff1d(np.arange(n), forget)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def wine():
    return load_wine(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def check_classifier(pipe, oracle, original, X):
    assert normalised_distance(pipe[-1], oracle[-1], original[-1]) <= 1e-6
    np.testing.assert_allclose(pipe.predict_proba(X), oracle.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize("dataset", ["cancer", "wine"])
def test_scaler_logistic_equals_refit(dataset, request):
    X, y = request.getfixturevalue(dataset)
    forget, keep = split(len(X), 25)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget[:10]]).unlearn(X[forget[10:]])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep])
    check_classifier(pipe, oracle, original, X)
    assert pipe.n_forgotten_ == 25
    assert pipe[-1].unlearn_history_["grad_norm"][-1] <= 1e-10


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), MaxAbsScaler()], ids=repr)
def test_scaler_ridge_equals_refit(scaler, diabetes):
    X, y = diabetes
    forget, keep = split(len(X), 30)
    Y = np.column_stack([y, X[:, 0] * 50 - y])
    pipe = make_pipeline(scaler, Ridge(alpha=0.5)).fit(X, Y)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget[:10]]).unlearn(X[forget[10:]])
    sk_scaler = getattr(skp, type(scaler).__name__)()
    oracle = sk_make_pipeline(sk_scaler, sk_linear.Ridge(alpha=0.5)).fit(X[keep], Y[keep])
    assert normalised_distance(pipe[-1], oracle[-1], original[-1]) <= 1e-10
    np.testing.assert_allclose(pipe.predict(X), oracle.predict(X), rtol=1e-10)


def test_sample_weights_reach_every_step(cancer):
    X, y = cancer
    forget, keep = split(len(X), 20, seed=1)
    w = np.random.default_rng(2).uniform(0.2, 3.0, len(X))
    fit_params = {"standardscaler__sample_weight": w, "logisticregression__sample_weight": w}
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y, **fit_params)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget])
    kept = {key: value[keep] for key, value in fit_params.items()}
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep], **kept)
    check_classifier(pipe, oracle, original, X)


def test_chained_scalers_and_no_intercept(diabetes):
    X, y = diabetes
    forget, keep = split(len(X), 30, seed=3)
    steps = [StandardScaler(), MinMaxScaler(), Ridge(fit_intercept=False)]
    pipe = make_pipeline(*steps).fit(X, y)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget[:15]]).unlearn(X[forget[15:]])
    sk_steps = [skp.StandardScaler(), skp.MinMaxScaler(), sk_linear.Ridge(fit_intercept=False)]
    oracle = sk_make_pipeline(*sk_steps).fit(X[keep], y[keep])
    assert normalised_distance(pipe[-1], oracle[-1], original[-1]) <= 1e-10


def test_column_transformer_with_unlearnable_parts(cancer):
    X, y = cancer
    forget, keep = split(len(X), 25, seed=4)

    def build(scaler, minmax, classifier):
        parts = [("std", scaler, list(range(10))), ("mm", minmax, [10, 11, 12])]
        columns = ColumnTransformer(parts, remainder="passthrough")
        return sk_make_pipeline(columns, classifier)

    pipe = make_pipeline(*build(StandardScaler(), MinMaxScaler(), LogisticRegression()))
    original = copy.deepcopy(pipe.fit(X, y))
    pipe.unlearn(X[forget])
    sk_steps = build(skp.StandardScaler(), skp.MinMaxScaler(), sk_classifier())
    check_classifier(pipe, sk_steps.fit(X[keep], y[keep]), original, X)


def test_column_transformer_passthrough_follows_an_upstream_scaler(cancer):
    # The upstream scaler changes on unlearning, so the passthrough columns change too, and
    # the final step must be re-expressed in them.
    X, y = cancer
    forget, keep = split(len(X), 25, seed=6)

    def build(upstream, part, classifier):
        columns = ColumnTransformer([("mm", part, [0, 1, 2]), ("keep", "passthrough", [3, 4])])
        return sk_make_pipeline(upstream, columns, classifier)

    pipe = make_pipeline(*build(StandardScaler(), MinMaxScaler(), LogisticRegression()))
    original = copy.deepcopy(pipe.fit(X[:, :5], y))
    pipe.unlearn(X[forget, :5])
    oracle = build(skp.StandardScaler(), skp.MinMaxScaler(), sk_classifier())
    check_classifier(pipe, oracle.fit(X[keep, :5], y[keep]), original, X[:, :5])


def test_column_transformer_with_plain_part_is_refused(cancer):
    X, y = cancer
    columns = ColumnTransformer(
        [("plain", skp.StandardScaler(), [0, 1])], remainder=MinMaxScaler()
    )
    pipe = make_pipeline(columns, LogisticRegression()).fit(X, y)
    with pytest.raises(StepNotUnlearnableError, match="Part 'plain' of step 'columntransformer'"):
        pipe.unlearn(X[:3])


def test_unsupported_step_refused_and_nothing_changes(cancer):
    X, y = cancer
    pipe = make_pipeline(
        StandardScaler(), skp.QuantileTransformer(n_quantiles=50), LogisticRegression()
    )
    pipe.fit(X, y)
    before = pickle.dumps(pipe)
    message = (
        r"'quantiletransformer'.*QuantileTransformer.*skunlearn\.preprocessing: StandardScaler"
    )
    with pytest.raises(StepNotUnlearnableError, match=message):
        pipe.unlearn(X[:5])
    assert pickle.dumps(pipe) == before


@pytest.mark.parametrize("plain", ["scaler", "classifier"])
def test_refit_unsupported_opt_in(plain, cancer):
    X, y = cancer
    forget, keep = split(len(X), 20, seed=5)
    scaler = skp.StandardScaler() if plain == "scaler" else StandardScaler()
    classifier = sk_classifier() if plain == "classifier" else LogisticRegression()
    pipe = make_pipeline(scaler, classifier, refit_unsupported=True).fit(X, y)
    original = copy.deepcopy(pipe)
    held = pipe[-1]
    pipe.unlearn(X[forget[:8]]).unlearn(X[forget[8:]])
    assert pipe[-1] is held
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep])
    check_classifier(pipe, oracle, original, X)


def test_refit_unsupported_keeps_the_sample_weights(cancer):
    X, y = cancer
    forget, keep = split(len(X), 20, seed=7)
    w = np.random.default_rng(8).uniform(0.2, 3.0, len(X))
    fit_params = {"standardscaler__sample_weight": w, "logisticregression__sample_weight": w}
    steps = (skp.StandardScaler(), LogisticRegression())
    pipe = make_pipeline(*steps, refit_unsupported=True).fit(X, y, **fit_params)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget])
    kept = {key: value[keep] for key, value in fit_params.items()}
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep], **kept)
    check_classifier(pipe, oracle, original, X)


def test_atomic_when_a_late_step_fails(cancer):
    X, y = cancer
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    before = pickle.dumps(pipe)
    with pytest.raises(ValueError, match="leaves only class"):
        pipe.unlearn(X[y == 0])
    with pytest.raises(ValueError, match="not in the training set"):
        pipe.unlearn(np.vstack([X[:3], X[:1] + 1.0]))
    with pytest.raises(ValueError, match="covers all"):
        pipe.unlearn(X)
    assert pickle.dumps(pipe) == before


def test_forgotten_rows_leave_no_trace(cancer):
    X, y = cancer
    forget, _ = split(len(X), 5, seed=6)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    blob = pickle.dumps(pipe.unlearn(X[forget]))
    for row in X[forget]:
        assert row.tobytes() not in blob
        assert not np.any(np.all(row == pipe._raw.store.X, axis=1))


def test_only_final_step_unlearning_is_stale(cancer):
    """The issue's point: unlearning the classifier alone leaves the scaler's error."""
    X, y = cancer
    forget, keep = split(len(X), 40, seed=7)
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep])
    stale = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    stale[-1].unlearn(stale[0].transform(X[forget]))
    exact = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y).unlearn(X[forget])
    gap = [
        np.abs(p.decision_function(X) - oracle.decision_function(X)).max() for p in (stale, exact)
    ]
    assert gap[1] < 1e-8 < gap[0]
    with pytest.raises(ValueError, match="outside the pipeline"):
        stale.unlearn(X[forget[:1]])


def test_grid_search_clone_pickle_set_output(cancer):
    pd = pytest.importorskip("pandas")
    X, y = cancer
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    forget, keep = split(len(X), 15, seed=8)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).set_output(transform="pandas")
    search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, cv=3).fit(frame, y)
    best = pickle.loads(pickle.dumps(search.best_estimator_))
    assert isinstance(best, Pipeline) and isinstance(best[0].transform(frame), pd.DataFrame)
    assert clone(best).get_params()["logisticregression__C"] == best[-1].C
    best.unlearn(frame.iloc[forget])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).set_params(
        logisticregression__C=best[-1].C
    )
    oracle.fit(frame.iloc[keep], y[keep])
    np.testing.assert_allclose(best.predict_proba(frame), oracle.predict_proba(frame), atol=1e-8)


def test_duplicate_rows_need_targets(cancer):
    X, y = cancer
    labels = np.where(y == 1, "benign", "malignant")
    flipped = "benign" if labels[0] == "malignant" else "malignant"
    X2, labels2 = np.vstack([X, X[:1]]), np.append(labels, flipped)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X2, labels2)
    with pytest.raises(ValueError, match="pass y_forget"):
        pipe.unlearn(X[:1])
    pipe.unlearn(X[:1], y_forget=labels2[-1:])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X, labels)
    np.testing.assert_allclose(pipe.predict_proba(X), oracle.predict_proba(X), atol=1e-8)


def test_unstorable_input_explains():
    documents = ["red apple", "green apple", "blue sky", "grey sky"]
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    pipe.fit((d for d in documents), [0, 0, 1, 1])  # a generator cannot be kept
    with pytest.raises(ValueError, match="could not keep its training rows"):
        pipe.unlearn(documents[:1])


@pytest.mark.parametrize(
    "stateless",
    [skp.FunctionTransformer(np.abs), skp.PolynomialFeatures(2), skp.Normalizer()],
    ids=repr,
)
@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_stateless_step_before_or_after_a_changed_scaler(stateless, after, diabetes):
    """A stateless step passes through before a changed scaler, and is recomputed on the
    new scaler's output after it."""
    X, y = diabetes
    X = X[:, :5]
    forget, keep = split(len(X), 20, seed=9)

    def steps(scaler):
        return [scaler, clone(stateless)] if after else [clone(stateless), scaler]

    oracle = sk_make_pipeline(*steps(skp.StandardScaler()), sk_linear.Ridge())
    oracle.fit(X[keep], y[keep])
    pipe = make_pipeline(*steps(StandardScaler()), "passthrough", Ridge()).fit(X, y)
    np.testing.assert_allclose(pipe.unlearn(X[forget]).predict(X), oracle.predict(X), rtol=1e-9)


def test_in_place_scaling_does_not_touch_the_kept_or_given_rows(diabetes):
    X, y = diabetes
    forget, keep = split(len(X), 20, seed=12)
    X_fit, X_forget = X.copy(), X[forget].copy()
    pipe = make_pipeline(StandardScaler(copy=False), Ridge()).fit(X_fit, y).unlearn(X_forget)
    np.testing.assert_array_equal(X_forget, X[forget])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_linear.Ridge()).fit(X[keep], y[keep])
    np.testing.assert_allclose(pipe.predict(X.copy()), oracle.predict(X), rtol=1e-10)


def test_metadata_routing_weights(diabetes):
    X, y = diabetes
    forget, keep = split(len(X), 20, seed=10)
    w = np.random.default_rng(11).uniform(0.5, 2.0, len(X))
    with sklearn.config_context(enable_metadata_routing=True):
        steps = [s.set_fit_request(sample_weight=True) for s in (StandardScaler(), Ridge())]
        pipe = make_pipeline(*steps).fit(X, y, sample_weight=w).unlearn(X[forget])
    kept = {"standardscaler__sample_weight": w[keep], "ridge__sample_weight": w[keep]}
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_linear.Ridge()).fit(
        X[keep], y[keep], **kept
    )
    np.testing.assert_allclose(pipe.predict(X), oracle.predict(X), rtol=1e-10)


def test_a_class_vanishes_through_the_pipeline(wine):
    X, y = wine
    forget, keep = np.flatnonzero(y == 0), np.flatnonzero(y != 0)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    pipe.unlearn(X[forget])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep])
    np.testing.assert_array_equal(pipe.classes_, oracle.classes_)
    np.testing.assert_allclose(pipe.predict_proba(X), oracle.predict_proba(X), atol=1e-8)


def test_column_constant_on_the_remaining_rows(cancer):
    X, y = cancer
    forget, keep = split(len(X), 10, seed=13)
    X = np.column_stack([X, np.isin(np.arange(len(X)), forget[:3]).astype(float)])
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    original = copy.deepcopy(pipe)
    pipe.unlearn(X[forget])
    oracle = sk_make_pipeline(skp.StandardScaler(), sk_classifier()).fit(X[keep], y[keep])
    check_classifier(pipe, oracle, original, X)


def test_slice_without_rows_explains(cancer):
    X, y = cancer
    pipe = make_pipeline(StandardScaler(), MinMaxScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="holds no training rows"):
        pipe[:2].unlearn(X[:1])


def test_column_map_carries_outputs_through_scalers_and_passthrough(cancer):
    """The map of a refitted prefix (a scaler, then a column transformer of a scaler and
    passthrough columns) takes the old prefix's outputs of the remaining rows to the new
    prefix's outputs exactly: the affine maps compose through every part."""
    X, _ = cancer
    X = X[:, :6]
    keep = split(len(X), 30, seed=14)[1]

    def prefix():
        columns = ColumnTransformer([("mm", MinMaxScaler(), [0, 1, 2])], remainder="passthrough")
        return [StandardScaler(), columns]

    old = [step.fit(Z) for step, Z in _chain(prefix(), X)]
    new = [step.fit(Z) for step, Z in _chain(prefix(), X[keep])]
    column_map, names = ColumnMap.identity(6), [f"x{j}" for j in range(6)]
    old_names = new_names = names
    for before, after in zip(old, new, strict=True):
        column_map, old_names, new_names = step_map(
            before, after, column_map, old_names, new_names, 6
        )
    old_out, new_out = X[keep], X[keep]
    for before, after in zip(old, new, strict=True):
        old_out, new_out = before.transform(old_out), after.transform(new_out)
    moved = old_out[:, column_map.source] * column_map.scale + column_map.shift
    np.testing.assert_allclose(moved, new_out, atol=1e-12)
    assert new_names == [
        "mm__x0",
        "mm__x1",
        "mm__x2",
        "remainder__x3",
        "remainder__x4",
        "remainder__x5",
    ]


def _chain(steps, X):
    """``(step, its input)`` along ``steps``, each fitted on its input first."""
    for step in steps:
        yield step, X
        X = clone(step).fit(X).transform(X)


def test_a_class_as_step_raises_scikit_learns_error():
    # scikit-learn's Pipeline is the reference: same error type and message, nothing fitted.
    from sklearn.pipeline import Pipeline as SkPipeline

    X, y = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]), np.array([0, 1, 0])
    ours = Pipeline([("scale", StandardScaler), ("model", Ridge())])
    with pytest.raises(TypeError) as raised:
        ours.fit(X, y)
    assert not hasattr(ours, "n_forgotten_")
    if SKLEARN_1_8:  # older scikit-learn does not check for classes (its error comes later)
        with pytest.raises(TypeError) as expected:
            SkPipeline([("scale", skp.StandardScaler), ("model", Ridge())]).fit(X, y)
        assert str(raised.value) == str(expected.value)
