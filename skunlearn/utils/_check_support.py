"""What the unlearn checks share: data, forget sets, distances, pickle scans, test unlearners.

Everything here uses the public API of the estimator under test only
(``fit``, ``unlearn``, ``coef_``/``intercept_`` or its predictions, the tags,
``set_params``), so that the checks apply to any estimator of the contract.
"""

import inspect
import pickle
import struct
import warnings
from unittest import SkipTest

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils import get_tags

from ..diagnostics import oracle_distance
from ..unlearners import BaseUnlearner, UnlearningResult

N_SAMPLES, N_FEATURES = 60, 4
TIGHT_TOL = 1e-12
_SCALES = np.array([1.0, 2.0, 0.5, 1.5])
_SHIFTS = np.array([0.5, -1.0, 0.0, 2.0])


class InjectedFailure(RuntimeError):
    """The error :class:`FailingUnlearner` raises, told apart from real failures."""


class FailingUnlearner(BaseUnlearner):
    """Reads the problem, then raises :class:`InjectedFailure`."""

    def _run(self, problem):
        np.array(problem.theta0, copy=True)
        raise InjectedFailure("failure injected into the unlearner by the check")


class FlaggedUnlearner(BaseUnlearner):
    """Returns the starting weights flagged as stopped short of its tolerance, or diverged."""

    def __init__(self, diverged=False):
        self.diverged = diverged

    def _run(self, problem):
        theta = np.array(problem.theta0, copy=True)
        return UnlearningResult(theta, {}, n_iter=1, converged=False, diverged=self.diverged)


def unlearn_tags(estimator):
    """The estimator's :class:`~skunlearn.utils.UnlearnTags` (None if it cannot unlearn)."""
    return getattr(get_tags(estimator), "unlearn_tags", None)


def oracle_tolerance_or_skip(name, estimator):
    """The tag's ``oracle_tolerance``; SkipTest (not applicable) when it is None."""
    tolerance = unlearn_tags(estimator).oracle_tolerance
    if tolerance is None:
        raise SkipTest(
            f"{name}: not applicable, oracle_tolerance is None (an approximate unlearner "
            "promises the contract, not the refit)."
        )
    return tolerance


def with_unlearner_or_skip(name, estimator, unlearner):
    """A clone of ``estimator`` using ``unlearner``; SkipTest when the tags name no parameter."""
    param = unlearn_tags(estimator).unlearner_param
    if param is None:
        raise SkipTest(f"{name}: not applicable, its unlearn tags name no unlearner parameter.")
    return clone(estimator).set_params(**{param: unlearner})


def data_kinds(estimator):
    """Targets the estimator takes: binary (and multiclass), one (and several) outputs, or
    positive values (``target_tags.positive_only``)."""
    tags = get_tags(estimator)
    if tags.estimator_type == "classifier":
        return ["binary", "multiclass"] if tags.classifier_tags.multi_class else ["binary"]
    if tags.estimator_type == "regressor" and tags.target_tags.positive_only:
        return ["positive"]
    if tags.estimator_type == "regressor":
        return ["single", "multi_output"] if tags.target_tags.multi_output else ["single"]
    raise ValueError(
        f"The unlearn checks cover classifiers and regressors; {type(estimator).__name__} "
        f"has estimator_type {tags.estimator_type!r}."
    )


def make_data(kind, sparse=False, seed=0):
    """Small, well-conditioned data whose rows and values are all distinct.

    Columns are scaled and shifted (so that scalers have work to do);
    ``sparse`` zeroes about half of the entries (keeping each row non-zero)
    and still returns a dense array.
    """
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(N_SAMPLES, N_FEATURES))
    noise = rng.normal(size=(N_SAMPLES, 3))
    if kind == "binary":
        y = (Z @ [1.0, -1.0, 0.5, 0.0] + noise[:, 0] > 0).astype(np.int64)
    elif kind == "multiclass":
        y = np.argmax(Z[:, :3] + noise, axis=1)
    elif kind == "single":
        y = Z @ [1.0, -2.0, 0.5, 0.0] + 0.3 * noise[:, 0]
    elif kind == "positive":
        y = np.exp(0.3 * (Z @ [1.0, -2.0, 0.5, 0.0]) + 0.3 * noise[:, 0])
    else:
        y = Z[:, :2] @ [[1.0, 0.5], [-2.0, 1.0]] + 0.3 * noise[:, :2]
    X = Z * _SCALES + _SHIFTS
    if sparse:
        zero = rng.uniform(size=X.shape) < 0.5
        zero[zero.all(axis=1), 0] = False
        X[zero] = 0.0
    return X, y


def random_rows(seed, n_rows, exclude=()):
    """``n_rows`` sorted row positions drawn at random (outside ``exclude``)."""
    candidates = np.setdiff1d(np.arange(N_SAMPLES), exclude)
    return np.sort(np.random.default_rng(seed).choice(candidates, n_rows, replace=False))


def clustered_rows(X, seed, n_rows, exclude=()):
    """A correlated forget set: the ``n_rows`` rows nearest to a random row."""
    candidates = np.setdiff1d(np.arange(N_SAMPLES), exclude)
    centre = X[np.random.default_rng(seed).choice(candidates)]
    distances = np.linalg.norm(X[candidates] - centre, axis=1)
    return np.sort(candidates[np.argsort(distances)[:n_rows]])


def remaining(rows):
    """Positions of the rows that are not in ``rows``."""
    return np.setdiff1d(np.arange(N_SAMPLES), rows)


def tight_clone(estimator):
    """An unfitted copy with every ``tol`` (outside the unlearner) at most ``TIGHT_TOL``."""
    oracle = clone(estimator)
    tight = {
        key: min(value, TIGHT_TOL)
        for key, value in oracle.get_params(deep=True).items()
        if key.split("__")[-1] == "tol"
        and "unlearner" not in key.split("__")
        and isinstance(value, float)
    }
    return oracle.set_params(**tight)


def fit_oracle(estimator, X, y, forget):
    """The oracle: a tight copy of ``estimator`` fitted on the rows not in ``forget``."""
    keep = remaining(forget)
    return tight_clone(estimator).fit(X[keep], y[keep])


def model_outputs(model, X):
    """Decision function (rows centred: the multiclass gauge) or predictions, flattened."""
    if hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X), dtype=np.float64)
        if scores.ndim == 2:
            scores = scores - scores.mean(axis=1, keepdims=True)
        return scores.ravel()
    return np.ravel(np.asarray(model.predict(X), dtype=np.float64))


def distance(model, target, X):
    """``||model - target||`` on parameters, or on outputs at ``X`` for models without ``coef_``.

    Parameters (``coef_`` and ``intercept_``, multinomial intercepts centred)
    go through :func:`skunlearn.diagnostics.oracle_distance`; outputs are
    those of :func:`model_outputs`.
    """
    if hasattr(target, "coef_"):
        return oracle_distance(model, target)
    return float(np.linalg.norm(model_outputs(model, X) - model_outputs(target, X)))


def deletion_effect(name, original, oracle, X):
    """``||original - oracle||``, the scale of the normalised distances; must be positive."""
    effect = distance(original, oracle, X)
    assert effect > 0, f"{name}: the refit without the forget set equals the original model."
    return effect


def csr(X):
    """``X`` as a CSR matrix."""
    return sp.csr_matrix(X)


def row_traces(X, y, forgotten, regression):
    """``{what: byte patterns}`` of forgotten rows: whole rows, and their distinctive values.

    A row is its float64 array bytes. A value is distinctive when it is
    non-zero and no remaining row holds it (in ``X``, or in ``y`` for a
    regressor, whose targets are values too); its patterns are its float64
    bytes in native order (inside arrays) and big-endian (a Python float in a
    pickle).
    """
    keep = remaining(forgotten)
    present = set(X[keep].ravel().tolist())
    if regression:
        present |= set(np.ravel(y[keep]).tolist())
    traces = {}
    for i in forgotten:
        row = np.ascontiguousarray(X[i], dtype=np.float64)
        traces[f"row {i}"] = (row.tobytes(),)
        values = [(f"X[{i}, {j}]", v) for j, v in enumerate(row)]
        if regression:
            values += [(f"y[{i}] {k}", v) for k, v in enumerate(np.ravel(y[i]))]
        for what, value in values:
            if value != 0.0 and value not in present:
                traces[what] = (np.float64(value).tobytes(), struct.pack(">d", value))
    return traces


def found_in_pickle(model, traces):
    """The names of the traces with a byte pattern in ``pickle.dumps(model)``."""
    blob = pickle.dumps(model)
    return [what for what, patterns in traces.items() if any(p in blob for p in patterns)]


def unlearn_recording_warnings(model, X_forget):
    """Call ``model.unlearn(X_forget)`` here; return its warnings, this file and that line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        model.unlearn(X_forget)
    return caught, __file__, line
