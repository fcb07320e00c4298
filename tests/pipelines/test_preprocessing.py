"""Unlearnable scalers: equal to scikit-learn's fitted on the same or the remaining rows."""

import copy
import pickle

import numpy as np
import pytest
from sklearn import preprocessing as skp
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn_reference import SKLEARN_1_8

from skunlearn.pipeline._column_map import ColumnMap
from skunlearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

SCALERS = [
    StandardScaler(),
    StandardScaler(with_mean=False),
    StandardScaler(with_std=False),
    StandardScaler(with_mean=False, with_std=False),
    MinMaxScaler(feature_range=(-1, 2)),
    MinMaxScaler(clip=True),
    MaxAbsScaler(),
]
REFERENCE = {
    StandardScaler: skp.StandardScaler,
    MinMaxScaler: skp.MinMaxScaler,
    MaxAbsScaler: skp.MaxAbsScaler,
}
ATTRIBUTES = {
    StandardScaler: ["mean_", "var_", "scale_"],
    MinMaxScaler: ["min_", "scale_", "data_min_", "data_max_", "data_range_"],
    MaxAbsScaler: ["max_abs_", "scale_"],
}


def expected_failed_checks(scaler):
    """scikit-learn < 1.8 only: the check's fault, which scikit-learn's own suite avoids (it
    runs this check on StandardScaler with ``with_mean=False`` only)."""
    if SKLEARN_1_8 or not (isinstance(scaler, StandardScaler) and scaler.with_mean):
        return {}
    return {
        "check_sample_weight_equivalence_on_sparse_data": (
            "scikit-learn < 1.8's check gives sparse rows to a centring scaler, which refuses "
            "them with ValueError (scikit-learn's own does too), and catches only TypeError"
        )
    }


@parametrize_with_checks(SCALERS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 7)) * [1.0, 30.0, 1e3, 0.1, 1.0, 2.0, 1.0] + [0, 5, -3, 1e2, 7, 0, 0]
    X[:, 4] = 7.0
    X[:, 5] = np.round(X[:, 5])
    X[[3, 8], 1] = X[:, 1].max() + 1.0
    X[:, 6] = 0.0
    X[[3, 8], 6] = 1.0  # an indicator set only on forgotten rows: constant afterwards
    forget = np.r_[3, 8, rng.choice(np.arange(10, 300), 40, replace=False)]
    keep = np.setdiff1d(np.arange(300), forget)
    return X, forget, keep, rng.uniform(0.1, 3.0, 300)


def reference(scaler, X, **fit_params):
    return REFERENCE[type(scaler)](**scaler.get_params()).fit(X, **fit_params)


def assert_same_fit(ours, ref, X):
    for name in ATTRIBUTES[type(ours)]:
        expected = getattr(ref, name)
        if expected is None:
            assert getattr(ours, name) is None
        else:
            np.testing.assert_allclose(getattr(ours, name), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ours.n_samples_seen_, ref.n_samples_seen_, rtol=1e-14)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    Xt = ref.transform(X)
    expected = ref.inverse_transform(Xt)
    np.testing.assert_allclose(ours.inverse_transform(Xt), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_fit_and_unlearn_equal_sklearn_refit(scaler, data):
    X, forget, keep, _ = data
    ours = copy.deepcopy(scaler).fit(X)
    assert_same_fit(ours, reference(scaler, X), X)
    ours.unlearn(X[forget[:20]]).unlearn(X[forget[20:]])
    assert_same_fit(ours, reference(scaler, X[keep]), X)


@pytest.mark.parametrize("options", [{}, {"with_mean": False}, {"with_std": False}])
def test_standard_scaler_sample_weight(options, data):
    X, forget, keep, weights = data
    ours = StandardScaler(**options).fit(X, sample_weight=weights)
    assert_same_fit(ours, skp.StandardScaler(**options).fit(X, sample_weight=weights), X)
    ours.unlearn(X[forget], sample_weight=weights[forget])
    ref = skp.StandardScaler(**options).fit(X[keep], sample_weight=weights[keep])
    assert_same_fit(ours, ref, X)


@pytest.mark.parametrize("scaler", SCALERS[:1] + SCALERS[4:], ids=repr)
def test_input_map_and_output_map(scaler, data):
    """Refitted on moved remaining rows (a pipeline's new upstream steps), the output map
    composed from the input map takes the old outputs of the remaining rows to the new
    ones."""
    X, forget, keep, _ = data
    rng = np.random.default_rng(1)
    scale, shift = rng.uniform(0.5, 2.0, X.shape[1]), rng.normal(size=X.shape[1])
    ours = copy.deepcopy(scaler).fit(X)
    moved = X[keep] * scale + shift
    new = copy.deepcopy(scaler).fit(moved)
    in_map = ColumnMap(np.arange(X.shape[1]), scale, shift)
    out = in_map.then_affine(ours._affine(), new._affine())
    np.testing.assert_allclose(
        ours.transform(X[keep]) * out.scale + out.shift, new.transform(moved), atol=1e-12
    )


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_unlearn_refusals_change_nothing(scaler, data):
    X, _, _, _ = data
    ours = copy.deepcopy(scaler).fit(X)
    before = pickle.dumps(ours)
    with pytest.raises(ValueError, match="covers all"):
        ours.unlearn(X)
    with pytest.raises(ValueError, match="features"):
        ours.unlearn(X[:2, :3])
    assert pickle.dumps(ours) == before


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_scalers_refuse_rows_never_fitted_or_forgotten_twice(scaler, data):
    """Rows are found by identity in the stored rows: a row never seen, one forgotten
    before and one asked for more often than stored are refused, with the same message
    for the first two, and nothing changes."""
    X, forget, _, _ = data
    ours = copy.deepcopy(scaler).fit(X)
    before = pickle.dumps(ours)
    with pytest.raises(ValueError, match="Row 0 of X_forget is not in the training set"):
        ours.unlearn(X[:1] + 0.5)
    with pytest.raises(ValueError, match="more often"):
        ours.unlearn(np.repeat(X[:1], 2, axis=0))
    assert pickle.dumps(ours) == before
    ours.unlearn(X[forget[:1]])
    with pytest.raises(ValueError, match="Row 0 of X_forget is not in the training set"):
        ours.unlearn(X[forget[:1]])


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_scaler_keeps_exactly_the_remaining_rows_in_order(scaler, data):
    """After unlearn the pickled scaler equals a fit on the remaining rows, in their
    order, bit for bit: the stored rows and every statistic."""
    X, forget, keep, _ = data
    ours = copy.deepcopy(scaler).fit(X).unlearn(X[forget[:5]]).unlearn(X[forget[5:]])
    restored = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(restored._rows.X, X[keep])
    refit = copy.deepcopy(scaler).fit(X[keep])
    assert_same_state(restored, refit)


def assert_same_state(ours, refit):
    state, expected = vars(ours), vars(refit)
    assert sorted(state) == sorted(expected)
    for name, value in expected.items():
        if name == "_rows":
            np.testing.assert_array_equal(state[name].X, value.X)
            np.testing.assert_array_equal(state[name].sample_weight, value.sample_weight)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(state[name], value, err_msg=name)
        else:
            assert state[name] == value, name


@pytest.mark.parametrize("scaler", SCALERS, ids=repr)
def test_partial_fit_then_unlearn(scaler, data):
    X, forget, keep, weights = data
    fit_params = {"sample_weight": weights} if isinstance(scaler, StandardScaler) else {}
    ours = copy.deepcopy(scaler)
    for batch in np.array_split(np.arange(len(X)), 3):
        ours.partial_fit(X[batch], **{k: v[batch] for k, v in fit_params.items()})
    assert_same_fit(ours, reference(scaler, X, **fit_params), X)
    ours.unlearn(X[forget], **{k: v[forget] for k, v in fit_params.items()})
    assert_same_fit(
        ours, reference(scaler, X[keep], **{k: v[keep] for k, v in fit_params.items()}), X
    )
