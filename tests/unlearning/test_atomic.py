"""Atomic unlearning: a failure anywhere before the commit leaves the estimator as it was.

``unlearn`` computes the new state aside and commits it at the end. An exception or a
``KeyboardInterrupt`` raised inside an unlearner, inside a numba kernel call, or a result
that cannot be committed leaves the pickled estimator byte-for-byte unchanged, and the
estimator still unlearns correctly afterwards. A real Ctrl-C (SIGINT) arriving during the
in-place commit is held until the commit is complete (estimator, dense or CSR row store,
and pipeline), then raised. Divergence keeps the last finite iterate and warns at the
caller's line.
"""

import pickle
import signal
import threading

import numpy as np
import pytest
import scipy.sparse
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.base import clone

import skunlearn._kernels
import skunlearn.unlearners._newton
from skunlearn import LogisticRegression, Ridge
from skunlearn.exceptions import UnlearningDivergenceWarning
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler
from skunlearn.unlearners import BaseUnlearner, DescentAscent, GradientAscent, UnlearningResult
from skunlearn.utils import RowIndex

FAILURES = [RuntimeError("injected failure"), KeyboardInterrupt()]
FORGET = np.arange(3, 9)


class FailingUnlearner(BaseUnlearner):
    """Does real work on the problem (a gradient pass over the rows), then raises.

    ``failure`` is an exception class: a stored instance would gain a traceback when
    raised, which changes the model's pickle once distributed (tblib) is imported.
    """

    def __init__(self, failure=None):
        self.failure = failure

    def _run(self, problem):
        problem.retain_objective().value_grad(problem.theta0)
        raise self.failure("injected failure")


class MalformedUnlearner(BaseUnlearner):
    """Returns a result that must not be committed."""

    def __init__(self, kind="short"):
        self.kind = kind

    def _run(self, problem):
        theta = problem.theta0
        if self.kind == "not-a-result":
            return theta
        if self.kind == "non-finite history":
            return UnlearningResult(theta, {"objective": np.array([np.nan])}, n_iter=1)
        theta = theta[:-1] if self.kind == "short" else np.full_like(theta, np.nan)
        return UnlearningResult(theta, {}, n_iter=1)


def make_data(kind):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    if kind == "ridge":
        return X, X @ [1.0, -1.0, 2.0, 0.0] + 0.1 * rng.normal(size=50)
    if kind == "binary":
        return X, (X[:, 0] + 0.5 * rng.normal(size=50) > 0).astype(int)
    return X, np.arange(50) % 3


def make_model(kind, unlearner="newton", csr=False):
    """A model fitted on the data of ``kind`` (given as CSR when ``csr``), and that data."""
    X, y = make_data(kind)
    model = (
        Ridge(unlearner=unlearner) if kind == "ridge" else LogisticRegression(unlearner=unlearner)
    )
    return model.fit(scipy.sparse.csr_matrix(X) if csr else X, y), X, y


def sklearn_oracle(kind, X, y):
    if kind == "ridge":
        return sk.Ridge(alpha=1.0).fit(X, y)
    return sk.LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)


def assert_failure_leaves_model_unchanged(model, X_forget, failure):
    before = pickle.dumps(model)
    with pytest.raises(type(failure)):
        model.unlearn(X_forget)
    assert pickle.dumps(model) == before


def assert_still_unlearns_exactly(kind, model, X, y):
    """After a failed call, a good one lands on the oracle (no hidden corruption)."""
    model.set_params(unlearner="newton").unlearn(X[FORGET])
    keep = np.setdiff1d(np.arange(len(X)), FORGET)
    oracle = sklearn_oracle(kind, X[keep], y[keep])
    assert_allclose(model.coef_, oracle.coef_, rtol=1e-7, atol=1e-9)
    assert model.n_forgotten_ == len(FORGET)


def failing_after(function, n_calls, failure):
    """``function``, raising ``failure`` from its ``n_calls``-th call on."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(None)
        if len(calls) >= n_calls:
            raise failure
        return function(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("kind", ["ridge", "binary", "multinomial"])
@pytest.mark.parametrize("failure", FAILURES, ids=["exception", "interrupt"])
@pytest.mark.parametrize("csr", [False, True], ids=["dense", "csr"])
def test_failure_inside_an_unlearner(kind, failure, csr):
    model, X, y = make_model(kind, FailingUnlearner(type(failure)), csr)
    assert_failure_leaves_model_unchanged(model, X[FORGET], failure)
    assert_still_unlearns_exactly(kind, model, X, y)


@pytest.mark.parametrize(
    ("kind", "unlearner", "kernel", "n_calls"),
    [
        ("binary", "newton", "loss_grad", 3),
        ("binary", "newton", "hessian", 1),
        ("multinomial", "retrain", "loss_grad", 4),
        ("multinomial", "descent_ascent", "loss_grad", 6),
        ("ridge", "descent_ascent", "loss_grad", 6),
        ("ridge", "gradient_ascent", "loss_grad", 3),
        ("ridge", "finetune", "loss_grad", 5),
    ],
)
@pytest.mark.parametrize("failure", FAILURES, ids=["exception", "interrupt"])
def test_failure_inside_a_kernel_call(monkeypatch, kind, unlearner, kernel, n_calls, failure):
    model, X, y = make_model(kind, unlearner)
    original = getattr(skunlearn._kernels, kernel)
    monkeypatch.setattr(skunlearn._kernels, kernel, failing_after(original, n_calls, failure))
    assert_failure_leaves_model_unchanged(model, X[FORGET], failure)
    monkeypatch.setattr(skunlearn._kernels, kernel, original)
    assert_still_unlearns_exactly(kind, model, X, y)


@pytest.mark.parametrize("failure", FAILURES, ids=["exception", "interrupt"])
def test_failure_inside_the_exact_ridge_solve(monkeypatch, failure):
    model, X, y = make_model("ridge")
    original = skunlearn.unlearners._newton.ridge_solve
    patched = failing_after(original, 1, failure)
    monkeypatch.setattr(skunlearn.unlearners._newton, "ridge_solve", patched)
    assert_failure_leaves_model_unchanged(model, X[FORGET], failure)
    monkeypatch.setattr(skunlearn.unlearners._newton, "ridge_solve", original)
    assert_still_unlearns_exactly("ridge", model, X, y)


@pytest.fixture
def python_sigint_handler():
    """Python's own Ctrl-C handler, even when SIGINT was ignored at start (background jobs)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def receiving_ctrl_c(function):
    """``function``, with a real SIGINT (Ctrl-C) delivered as it starts."""

    def wrapper(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        return function(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("kind", ["ridge", "binary", "multinomial"])
@pytest.mark.parametrize("csr", [False, True], ids=["dense", "csr"])
def test_ctrl_c_during_the_commit_is_held_until_it_ends(
    monkeypatch, python_sigint_handler, kind, csr
):
    model, X, _ = make_model(kind, csr=csr)
    expected = pickle.dumps(make_model(kind, csr=csr)[0].unlearn(X[FORGET]))
    monkeypatch.setattr(RowIndex, "without", receiving_ctrl_c(RowIndex.without))
    with pytest.raises(KeyboardInterrupt):
        model.unlearn(X[FORGET])
    assert pickle.dumps(model) == expected


def test_unlearning_in_a_worker_thread():
    """Signals reach only the main thread; elsewhere the commit runs as it is."""
    model, X, _ = make_model("binary")
    expected = pickle.dumps(make_model("binary")[0].unlearn(X[FORGET]))
    worker = threading.Thread(target=model.unlearn, args=(X[FORGET],))
    worker.start()
    worker.join()
    assert pickle.dumps(model) == expected


@pytest.mark.parametrize("kind", ["ridge", "binary"])
def test_ctrl_c_during_a_pipeline_commit_is_held_until_it_ends(
    monkeypatch, python_sigint_handler, kind
):
    X, y = make_data(kind)
    pipe = make_pipeline(StandardScaler(), make_model(kind)[0]).fit(X, y)
    expected = pickle.dumps(clone(pipe).fit(X, y).unlearn(X[FORGET]))
    monkeypatch.setattr(RowIndex, "without", receiving_ctrl_c(RowIndex.without))
    with pytest.raises(KeyboardInterrupt):
        pipe.unlearn(X[FORGET])
    assert pickle.dumps(pipe) == expected


@pytest.mark.parametrize("kind", ["ridge", "binary", "multinomial"])
@pytest.mark.parametrize(
    ("malformed", "error", "match"),
    [
        ("short", ValueError, "parameters of shape"),
        ("non-finite", ValueError, "all finite"),
        ("not-a-result", TypeError, "not UnlearningResult"),
        ("non-finite history", FloatingPointError, "history holds NaN"),
    ],
)
def test_result_that_cannot_be_committed(kind, malformed, error, match):
    model, X, y = make_model(kind, MalformedUnlearner(malformed))
    before = pickle.dumps(model)
    with pytest.raises(error, match=match):
        model.unlearn(X[FORGET])
    assert pickle.dumps(model) == before
    assert_still_unlearns_exactly(kind, model, X, y)


def test_class_removal_failure_keeps_classes():
    model, X, y = make_model("multinomial", FailingUnlearner(KeyboardInterrupt))
    assert_failure_leaves_model_unchanged(model, X[y == 2], KeyboardInterrupt())
    assert_array_equal(model.classes_, [0, 1, 2])


def test_inputs_are_only_read():
    model, X, y = make_model("binary")
    X_forget, y_forget = X[FORGET].copy(), y[FORGET].copy()
    X_forget.flags.writeable = False
    y_forget.flags.writeable = False
    model.unlearn(X_forget, y_forget)
    assert_array_equal(X_forget, X[FORGET])
    assert_array_equal(y_forget, y[FORGET])


@pytest.mark.parametrize(
    "unlearner",
    [
        GradientAscent(learning_rate=50.0, max_iter=200, divergence_factor=10.0),
        DescentAscent(learning_rate=50.0, max_iter=200, ascent_weight=20.0),
    ],
    ids=["gradient_ascent", "descent_ascent"],
)
def test_divergence_keeps_last_finite_iterate_and_warns(unlearner):
    X, y = make_data("binary")
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression(C=100.0, unlearner=unlearner).fit(X, y)
    with pytest.warns(UnlearningDivergenceWarning, match="Kept the last finite iterate") as record:
        model.unlearn(X[FORGET])
    assert record[0].filename == __file__
    n_steps = len(model.unlearn_history_["objective"])
    assert n_steps < unlearner.max_iter
    assert np.all(np.isfinite(model.coef_)) and model.n_forgotten_ == len(FORGET)
    assert n_steps >= 1
    replay = LogisticRegression(C=100.0, unlearner=clone(unlearner).set_params(max_iter=n_steps))
    replay.fit(X, y).unlearn(X[FORGET])
    assert_array_equal(replay.coef_, model.coef_)
