"""Bad input to ``unlearn``: a clear error naming the problem, and the estimator unchanged.

"Unchanged" is byte-for-byte: the pickled estimator is the same before and after the
refused call. Models fitted on CSR input refuse bad sparse rows the same way and match
non-canonical CSR rows (explicit zeros, ``-0.0``, unsorted indices) by value, without
modifying them. Hyperparameters changed with ``set_params`` after ``fit`` are ignored by
``unlearn`` until the next ``fit``, as in scikit-learn.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skunlearn import LogisticRegression, Ridge
from skunlearn.unlearners import DescentAscent, Finetune, GradientAscent, Newton

N_SAMPLES, N_FEATURES = 40, 3
KINDS = ["ridge", "binary", "multinomial"]
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def make_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    y_reg = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=N_SAMPLES)
    y_three = np.arange(N_SAMPLES) % 3
    return X, y_reg, y_three


def unfitted(kind):
    """An estimator of the given kind with its training data (unique rows)."""
    X, y_reg, y_three = make_data()
    if kind == "ridge":
        return Ridge(), X, y_reg
    if kind == "binary":
        return LogisticRegression(), X, np.where(y_three == 0, "no", "yes")
    return LogisticRegression(), X, y_three


def fitted(kind):
    """A fitted estimator of the given kind, with its training data."""
    model, X, y = unfitted(kind)
    return model.fit(X, y), X, y


def assert_refused(estimator, X_forget, y_forget=None, *, error=ValueError, match):
    """``unlearn`` raises ``error`` matching ``match`` and leaves the pickle unchanged."""
    before = pickle.dumps(estimator)
    with pytest.raises(error, match=match):
        estimator.unlearn(X_forget, y_forget)
    assert pickle.dumps(estimator) == before


def wrong_label(kind, y):
    """A label that exists in the model but differs from ``y`` (for row 0)."""
    if kind == "ridge":
        return y[:1] + 1.0
    return np.array([next(label for label in np.unique(y) if label != y[0])])


@pytest.mark.parametrize("estimator", [Ridge(), LogisticRegression()])
def test_unlearn_before_fit(estimator):
    assert_refused(estimator, np.zeros((1, 2)), error=NotFittedError, match="not fitted")


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_number_of_features(kind):
    model, X, _ = fitted(kind)
    assert_refused(model, np.hstack([X[:2], X[:2]]), match="6 features, but .* expecting 3")
    assert_refused(model, np.empty((0, N_FEATURES + 1)), match="4 features")


@pytest.mark.parametrize("kind", KINDS)
def test_feature_names_differ_from_fit(kind):
    pd = pytest.importorskip("pandas")
    model, X, y = unfitted(kind)
    model.fit(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    renamed = pd.DataFrame(X[:2], columns=["a", "c", "b"])
    assert_refused(model, renamed, match="feature names should match")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("value", "match"), [(np.nan, "contains NaN"), (np.inf, "infinity")])
def test_non_finite_X_forget(kind, value, match):
    model, X, _ = fitted(kind)
    X_forget = X[:3].copy()
    X_forget[1, 2] = value
    assert_refused(model, X_forget, match=match)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_y_forget_ridge(value):
    model, X, y = fitted("ridge")
    assert_refused(model, X[:2], [y[0], value], match="y_forget contains NaN or infinity")


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_or_unknown_label(kind, value):
    model, X, y = fitted(kind)
    assert_refused(model, X[:2], [y[0], value], match="row 1 of y_forget is not one of")


@pytest.mark.parametrize("kind", KINDS)
def test_y_forget_of_wrong_length(kind):
    model, X, y = fitted(kind)
    assert_refused(model, X[:2], y[:3], match=r"y_forget has .*3.* 2 rows")
    assert_refused(model, X[:2], y[:4], match=r"y_forget has .*4.* 2 rows")


@pytest.mark.parametrize("kind", KINDS)
def test_row_not_in_training_set_is_named(kind):
    model, X, _ = fitted(kind)
    X_forget = np.vstack([X[0], X[1] + 1e-9, X[2]])
    assert_refused(model, X_forget, match="Row 1 of X_forget is not in the training set")


@pytest.mark.parametrize("kind", KINDS)
def test_label_does_not_match_stored_row(kind):
    model, X, y = fitted(kind)
    X_forget, y_forget = X[[3, 0]], np.concatenate([y[[3]], wrong_label(kind, y)])
    if kind == "ridge":  # a regression target is private: never quoted
        match = r"Row 1 of X_forget: its target does not match the stored target of that row\.$"
    else:  # class labels are public (classes_)
        match = r"Row 1 of X_forget: no stored copy of that row has label .*"
    assert_refused(model, X_forget, y_forget, match=match)


@pytest.mark.parametrize("kind", KINDS)
def test_more_copies_than_trained_on(kind):
    model, X, _ = fitted(kind)
    assert_refused(
        model, X[[4, 5, 4]], match=r"Row 2 of X_forget occurs more often .* \(1 stored copy\)"
    )


def test_duplicate_rows_with_different_labels_need_y_forget():
    X, _, y = make_data()
    X, y = np.vstack([X, X[:1]]), np.append(y, (y[0] + 1) % 3)
    model = LogisticRegression().fit(X, y)
    assert_refused(model, X[:1], match="different labels; pass y_forget")
    model.unlearn(X[:1], y[-1:])
    assert model.n_forgotten_ == 1


def test_more_copies_with_a_label_than_trained_on():
    X, _, y = make_data()
    X, y = np.vstack([X, X[:1]]), np.append(y, (y[0] + 1) % 3)
    model = LogisticRegression().fit(X, y)
    match = r"Row 1 of X_forget occurs more often .* \(1 stored copy\)"
    assert_refused(model, X[[0, 0]], y[[0, 0]], match=match)


@pytest.mark.parametrize("kind", KINDS)
def test_forgetting_every_row(kind):
    model, X, _ = fitted(kind)
    assert_refused(model, X[::-1], match="covers all 40 training rows")


@pytest.mark.parametrize("kind", KINDS)
def test_forgetting_every_row_of_positive_weight(kind):
    model, X, y = unfitted(kind)
    weights = np.ones(N_SAMPLES)
    weights[:5] = 0.0
    model.fit(X, y, sample_weight=weights)
    assert_refused(model, X[5:], match="remaining rows have zero total sample weight")


def test_forgetting_a_class_of_a_binary_model():
    model, X, y = fitted("binary")
    assert_refused(model, X[y == "no"], match=r"leaves only class \['yes'\]")


@pytest.mark.parametrize("unlearner", ["descent_ascent", "gradient_ascent"])
def test_first_order_unlearner_cannot_follow_a_class_removal(unlearner):
    model, X, y = fitted("multinomial")
    model.set_params(unlearner=unlearner)
    assert_refused(model, X[y == 1], match=r"removes a class \(\[1\]\)")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sparse", [scipy.sparse.csr_matrix, scipy.sparse.coo_matrix])
def test_sparse_X_forget(kind, sparse):
    """Where sparse input is supported the result equals the dense one; else a clear error."""
    model, X, _ = fitted(kind)
    before = pickle.dumps(model)
    expected = pickle.dumps(fitted(kind)[0].unlearn(X[:2]))
    try:
        model.unlearn(sparse(X[:2]))
    except TypeError as error:
        assert "Sparse data" in str(error) and pickle.dumps(model) == before
    else:
        assert pickle.dumps(model) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_string_and_object_arrays(kind):
    model, X, _ = fitted(kind)
    strings = np.array([["a", "b", "c"]])
    assert_refused(model, strings, match="could not convert string to float")
    with_none = np.array([[1.0, None, 2.0]], dtype=object)
    assert_refused(model, with_none, match="contains NaN")


@pytest.mark.parametrize("kind", KINDS)
def test_complex_X_forget(kind):
    model, X, _ = fitted(kind)
    assert_refused(model, X[:2] + 0j, match="Complex data not supported")


@pytest.mark.parametrize("kind", KINDS)
def test_X_forget_of_wrong_dimension(kind):
    model, X, _ = fitted(kind)
    assert_refused(model, X[0], match="Expected 2D array, got 1D array")
    assert_refused(model, X[None, :2], match="Found array with dim 3")


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_two_dimensional_labels(kind):
    model, X, y = fitted(kind)
    assert_refused(model, X[:2], np.column_stack([y[:2], y[:2]]), match="1d array")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unlearner", ["nope", object(), Newton])
def test_invalid_unlearner_value(kind, unlearner):
    model, X, y = fitted(kind)
    model.set_params(unlearner=unlearner)
    assert_refused(model, X[:1], match="'unlearner' parameter must be one of")
    with pytest.raises(InvalidParameterError, match="'unlearner' parameter"):
        model.fit(X, y)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("unlearner", "match"),
    [
        (Newton(tol=-1.0), "'tol' parameter of Newton"),
        (Newton(max_iter=0), "'max_iter' parameter of Newton"),
        (DescentAscent(learning_rate=-0.1), "'learning_rate' parameter of DescentAscent"),
        (DescentAscent(max_iter=0), "'max_iter' parameter of DescentAscent"),
        (DescentAscent(schedule="random"), "'schedule' parameter of DescentAscent"),
        (DescentAscent(ascent_weight=-1.0), "'ascent_weight' parameter of DescentAscent"),
        (DescentAscent(divergence_factor=0.5), "'divergence_factor' parameter"),
        (GradientAscent(learning_rate=0.0), "'learning_rate' parameter of GradientAscent"),
        (Finetune(max_iter=0), "'max_iter' parameter of Finetune"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else "",
)
def test_unlearner_parameters_out_of_range(kind, unlearner, match):
    model, X, _ = fitted(kind)
    model.set_params(unlearner=unlearner)
    assert_refused(model, X[:2], error=InvalidParameterError, match=match)


def test_ridge_y_forget_with_wrong_targets():
    model, X, y = fitted("ridge")
    two_targets = np.column_stack([y[:2], y[:2]])
    assert_refused(model, X[:2], two_targets, match="2 target.* fitted on 1")
    assert_refused(model, X[:2], ["a", "b"], match="could not convert string to float")


@pytest.mark.parametrize("kind", KINDS)
def test_hyperparameters_changed_after_fit_are_not_used(kind):
    """Like scikit-learn, a fitted model follows the parameters of ``fit`` until refit."""
    model, X, y = fitted(kind)
    oracle = clone(model).fit(X[5:], y[5:])
    changed = {"fit_intercept": False, "convention": "paper"}
    changed.update({"alpha": 10.0} if kind == "ridge" else {"C": 10.0, "solver": "lbfgs"})
    model.set_params(**changed).unlearn(X[:5])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-8, atol=1e-10)


def fitted_on_csr(kind):
    """A model fitted on CSR input (about half of the entries zero, rows unique)."""
    model, X, y = unfitted(kind)
    X[np.random.default_rng(1).uniform(size=X.shape) < 0.4] = 0.0
    X[np.all(X == 0.0, axis=1), 0] = 1.0 + np.arange(np.sum(np.all(X == 0.0, axis=1)))
    return model.fit(scipy.sparse.csr_matrix(X), y), X, y


@pytest.mark.parametrize("kind", KINDS)
def test_bad_sparse_rows_for_a_model_fitted_on_csr(kind):
    model, X, _ = fitted_on_csr(kind)
    rows = scipy.sparse.csr_matrix(X[:3])
    with_nan = rows.copy()
    with_nan.data[0] = np.nan
    assert_refused(model, with_nan, match="contains NaN")
    assert_refused(model, scipy.sparse.hstack([rows, rows]).tocsr(), match="6 features")
    unknown = scipy.sparse.csr_matrix(X[:3] + np.eye(3, N_FEATURES))
    assert_refused(model, unknown, match="Row 0 of X_forget is not in the training set")
    twice = scipy.sparse.vstack([rows, rows[1]]).tocsr()
    assert_refused(model, twice, match="Row 3 of X_forget occurs more often")


@pytest.mark.parametrize("kind", KINDS)
def test_non_canonical_csr_rows_are_matched_by_value(kind):
    """Explicit zeros, ``-0.0`` and unsorted column indices do not change which row it is."""
    model, X, _ = fitted_on_csr(kind)
    expected = pickle.dumps(fitted_on_csr(kind)[0].unlearn(X[:3]))
    reversed_columns = np.arange(N_FEATURES)[::-1]
    values = np.where(X[:3] == 0.0, -0.0, X[:3])[:, reversed_columns].ravel()
    indices = np.tile(reversed_columns, 3)
    messy = scipy.sparse.csr_matrix(
        (values, indices, np.arange(4) * N_FEATURES), shape=(3, N_FEATURES)
    )
    assert not messy.has_sorted_indices and np.any(messy.data == 0.0)
    given = (messy.data.copy(), messy.indices.copy())
    model.unlearn(messy)
    assert pickle.dumps(model) == expected
    np.testing.assert_array_equal(messy.data, given[0])
    np.testing.assert_array_equal(messy.indices, given[1])


@pytest.mark.parametrize("kind", KINDS)
def test_negative_zero_matches_zero_in_dense_rows(kind):
    """``-0.0 == 0.0``: rows stored with zeros are found when given with ``-0.0``."""
    model, X, y = unfitted(kind)
    X[:3, 1] = 0.0
    expected = pickle.dumps(clone(model).fit(X, y).unlearn(X[:3]))
    model.fit(X, y).unlearn(np.where(X[:3] == 0.0, -0.0, X[:3]))
    assert pickle.dumps(model) == expected
