"""Extreme data: unlearning still lands on the oracle where the numerics get hard.

Separable classes, collinear and constant features (also a feature that becomes constant
once rows are forgotten), huge (1e6) and tiny (1e-6) feature scales, float32 input, rows
of zero sample weight, and forget sets of one row, of 99% of the rows and of whole
classes. Each unlearned model is compared with a scikit-learn refit on the remaining rows
by the normalised distance ``||w_u - w_oracle|| / ||w_original - w_oracle||``: at most
1e-6 for logistic regression, 1e-10 for ridge.
"""

import numpy as np
import pytest
from sklearn import linear_model as sk

from skunlearn import LogisticRegression, Ridge

N_SAMPLES = 200
TOLERANCE = {"ridge": 1e-10, "binary": 1e-6, "multinomial": 1e-6}
KINDS = list(TOLERANCE)
SCALES = {"huge": [1e6] * 3, "tiny": [1e-6] * 3, "mixed": [1e6, 1.0, 1e-6]}
SKLEARN_LINE_SEARCH = "ignore:Line search of Newton solver"


def base_data(kind, n_samples=N_SAMPLES):
    """Three standard normal features and a target with a linear signal."""
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(n_samples, 3))
    signal = Z @ [1.0, -1.0, 0.5]
    if kind == "ridge":
        return Z, signal + 0.3 * rng.normal(size=n_samples)
    noisy = signal + rng.logistic(size=n_samples)
    if kind == "binary":
        return Z, (noisy > 0).astype(int)
    return Z, np.digitize(noisy, [-1.0, 1.0])


def make_model(kind, unlearner="newton"):
    return (
        Ridge(unlearner=unlearner) if kind == "ridge" else LogisticRegression(unlearner=unlearner)
    )


def sklearn_fit(kind, X, y, sample_weight=None):
    if kind == "ridge":
        return sk.Ridge(alpha=1.0).fit(X, y, sample_weight)
    oracle = sk.LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    return oracle.fit(X, y, sample_weight)


def parameters(model):
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def assert_unlearns_to_oracle(kind, X, y, forget, unlearner="newton", sample_weight=None):
    """Fit, forget rows ``forget``, compare with the oracle by the normalised distance."""
    weights = np.ones(len(X)) if sample_weight is None else sample_weight
    model = make_model(kind, unlearner).fit(X, y, weights).unlearn(X[forget])
    keep = np.setdiff1d(np.arange(len(X)), forget)
    w_original = parameters(sklearn_fit(kind, X, y, weights))
    w_oracle = parameters(sklearn_fit(kind, X[keep], y[keep], weights[keep]))
    distance = np.linalg.norm(parameters(model) - w_oracle)
    assert distance <= TOLERANCE[kind] * np.linalg.norm(w_original - w_oracle)
    return model


def forget_set(n_samples, size):
    return np.random.default_rng(1).permutation(n_samples)[:size]


@pytest.mark.parametrize("kind", ["binary", "multinomial"])
def test_separable_classes(kind):
    """C=1: with the L2 penalty the optimum exists for every C > 0, but on separable data
    its norm grows like log(C); C=1 keeps it moderate, so Newton and the scikit-learn
    oracle both converge to 1e-12."""
    X, _ = base_data("ridge")
    score = X[:, 0] - X[:, 1]
    X, score = X[np.abs(score) > 0.5], score[np.abs(score) > 0.5]
    y = (score > 0).astype(int) if kind == "binary" else np.digitize(score, [-1.5, 1.5])
    assert_unlearns_to_oracle(kind, X, y, forget_set(len(X), 15))


@pytest.mark.parametrize("kind", KINDS)
def test_collinear_features(kind):
    Z, y = base_data(kind)
    X = np.column_stack([Z[:, 0], Z[:, 1], Z[:, 0] + Z[:, 1], -2.0 * Z[:, 0]])
    assert_unlearns_to_oracle(kind, X, y, forget_set(N_SAMPLES, 20))


@pytest.mark.parametrize("kind", KINDS)
def test_constant_feature(kind):
    Z, y = base_data(kind)
    X = np.column_stack([Z[:, 0], np.full(N_SAMPLES, 3.0), Z[:, 1]])
    assert_unlearns_to_oracle(kind, X, y, forget_set(N_SAMPLES, 20))


@pytest.mark.parametrize("kind", KINDS)
def test_feature_constant_once_rows_are_forgotten(kind):
    X, y = base_data(kind)
    forget = forget_set(N_SAMPLES, 20)
    X[np.setdiff1d(np.arange(N_SAMPLES), forget), 2] = 0.0
    assert_unlearns_to_oracle(kind, X, y, forget)


@pytest.mark.filterwarnings(SKLEARN_LINE_SEARCH)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scale", list(SCALES))
def test_huge_and_tiny_feature_scales(kind, scale):
    Z, y = base_data(kind)
    assert_unlearns_to_oracle(kind, Z * SCALES[scale], y, forget_set(N_SAMPLES, 20))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("forget_dtype", [np.float32, np.float64])
def test_float32_input(kind, forget_dtype):
    Z, y = base_data(kind)
    X32 = Z.astype(np.float32)
    forget = forget_set(N_SAMPLES, 20)
    model = make_model(kind).fit(X32, y).unlearn(X32[forget].astype(forget_dtype))
    reference = assert_unlearns_to_oracle(kind, X32.astype(np.float64), y, forget)
    # float32 input keeps float32 parameters (as scikit-learn): the float64 optimum, rounded.
    assert model.coef_.dtype == np.float32
    expected = parameters(reference).astype(np.float32)
    np.testing.assert_allclose(parameters(model), expected, rtol=2e-7, atol=1e-7)


def keep_few_rows_of_each_class(kind, y, n_keep):
    """Positions of ``n_keep`` rows taken round-robin over the classes (any rows for ridge)."""
    if kind == "ridge":
        return np.arange(n_keep)
    by_class = [np.flatnonzero(y == label) for label in np.unique(y)]
    return np.array([by_class[i % len(by_class)][i // len(by_class)] for i in range(n_keep)])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unlearner", ["newton", "retrain"])
@pytest.mark.parametrize("fraction", ["one row", "99%"])
def test_forget_one_row_or_almost_all(kind, unlearner, fraction):
    X, y = base_data(kind, n_samples=400)
    if fraction == "one row":
        forget = forget_set(400, 1)
    else:
        forget = np.setdiff1d(np.arange(400), keep_few_rows_of_each_class(kind, y, 4))
    assert len(forget) in (1, 396)
    assert_unlearns_to_oracle(kind, X, y, forget, unlearner)


def test_finetune_follows_a_class_removal():
    """Finetuning needs no forget loss, so it can follow a class removal (unlike ascent);
    its steps on the oracle's objective move the reduced model towards the oracle."""
    X, y = base_data("multinomial")
    gone = np.flatnonzero(y == 1)
    model = make_model("multinomial", "finetune").fit(X, y).unlearn(X[gone])
    oracle = sklearn_fit("multinomial", X[y != 1], y[y != 1])
    start = LogisticRegression().fit(X, y)
    start_binary = np.append(
        start.coef_[2] - start.coef_[0], start.intercept_[2] - start.intercept_[0]
    )
    np.testing.assert_array_equal(model.classes_, [0, 2])
    w_oracle = parameters(oracle)
    assert np.linalg.norm(parameters(model) - w_oracle) < np.linalg.norm(start_binary - w_oracle)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("zero_weight_row", [0, 7])
def test_rows_of_zero_sample_weight(kind, zero_weight_row):
    X, y = base_data(kind)
    weights = np.random.default_rng(2).uniform(0.5, 2.0, size=N_SAMPLES)
    weights[zero_weight_row] = 0.0
    assert_unlearns_to_oracle(kind, X, y, forget_set(N_SAMPLES, 20), sample_weight=weights)


@pytest.mark.parametrize("unlearner", ["newton", "retrain"])
@pytest.mark.parametrize(("n_classes", "gone"), [(4, [1]), (4, [0, 3]), (3, [2])])
def test_forgetting_whole_classes(unlearner, n_classes, gone):
    """The classes leave ``classes_``; with two left the model is binary, as a refit is.

    The parameter spaces of the original and the oracle differ, so the oracle is compared
    directly (relative 1e-6) instead of by the normalised distance.
    """
    X, _ = base_data("ridge")
    y = np.digitize(X @ [1.0, -1.0, 0.5], np.linspace(-1.5, 1.5, n_classes - 1))
    keep = ~np.isin(y, gone)
    model = make_model("multinomial", unlearner).fit(X, y).unlearn(X[~keep])
    oracle = sklearn_fit("multinomial", X[keep], y[keep])
    np.testing.assert_array_equal(model.classes_, oracle.classes_)
    np.testing.assert_allclose(parameters(model), parameters(oracle), rtol=1e-6, atol=1e-8)
