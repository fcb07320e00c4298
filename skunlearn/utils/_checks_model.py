"""Checks of what ``unlearn`` produces: the oracle, composition, no trace, formats, warnings."""

from unittest import SkipTest

import numpy as np
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils import get_tags

from ..exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning
from ._check_support import (
    FlaggedUnlearner,
    clustered_rows,
    csr,
    data_kinds,
    deletion_effect,
    distance,
    fit_oracle,
    found_in_pickle,
    make_data,
    model_outputs,
    oracle_tolerance_or_skip,
    random_rows,
    row_traces,
    unlearn_recording_warnings,
    unlearn_tags,
    with_unlearner_or_skip,
)

_N_FORGET = 6


def _forget_sets(X):
    """``{label: positions}``: a random forget set and a clustered (correlated) one."""
    return {"random": random_rows(1, _N_FORGET), "clustered": clustered_rows(X, 2, _N_FORGET)}


def check_unlearn_oracle(name, estimator):
    """The configured unlearner lands on the refit without the forgotten rows.

    For each kind of target the estimator takes (binary and multiclass
    labels, one or several outputs) and for a random and a clustered forget
    set, the normalised distance ``||w_u - w_oracle|| / ||w_original -
    w_oracle||`` (on ``coef_`` and ``intercept_``, or on the decision
    function or predictions at the training rows for models without
    ``coef_``) must be at most the tags' ``oracle_tolerance``. The oracle is a
    clone whose ``tol`` parameters are tightened to 1e-12, fitted on the
    remaining rows.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A distance above the tolerance.
    unittest.SkipTest
        ``oracle_tolerance`` is None (an approximate unlearner: not applicable).

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_oracle
    >>> check_unlearn_oracle("Ridge", Ridge(alpha=0.5))
    """
    tolerance = oracle_tolerance_or_skip(name, estimator)
    for kind in data_kinds(estimator):
        X, y = make_data(kind)
        original = clone(estimator).fit(X, y)
        for label, forget in _forget_sets(X).items():
            model = clone(estimator).fit(X, y)
            model.unlearn(X[forget], y[forget] if label == "clustered" else None)
            oracle = fit_oracle(estimator, X, y, forget)
            gap = distance(model, oracle, X) / deletion_effect(name, original, oracle, X)
            assert gap <= tolerance, (
                f"{name}: after unlearning a {label} forget set ({kind} targets) the normalised "
                f"distance to the refit is {gap:.3g} > oracle_tolerance {tolerance:g}."
            )


def check_unlearn_composes(name, estimator):
    """``unlearn(A).unlearn(B)`` equals ``unlearn(A | B)``, and both equal the refit.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A normalised distance (relative to the deletion effect of ``A | B``)
        above the tags' ``oracle_tolerance``.
    unittest.SkipTest
        ``oracle_tolerance`` is None (an approximate unlearner: not applicable).

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_composes
    >>> check_unlearn_composes("LogisticRegression", LogisticRegression())
    """
    tolerance = oracle_tolerance_or_skip(name, estimator)
    X, y = make_data(data_kinds(estimator)[0])
    first = random_rows(3, _N_FORGET // 2)
    second = clustered_rows(X, 4, _N_FORGET // 2, exclude=first)
    both = np.union1d(first, second)
    original = clone(estimator).fit(X, y)
    oracle = fit_oracle(estimator, X, y, both)
    in_turn = clone(estimator).fit(X, y).unlearn(X[first]).unlearn(X[second])
    at_once = clone(estimator).fit(X, y).unlearn(X[both])
    pairs = {
        "unlearn(A).unlearn(B) vs unlearn(A | B)": (in_turn, at_once),
        "unlearn(A).unlearn(B) vs the refit": (in_turn, oracle),
        "unlearn(A | B) vs the refit": (at_once, oracle),
    }
    effect = deletion_effect(name, original, oracle, X)
    for what, (model, target) in pairs.items():
        gap = distance(model, target, X) / effect
        assert gap <= tolerance, (
            f"{name}: {what}: normalised distance {gap:.3g} > oracle_tolerance {tolerance:g}."
        )


def check_unlearn_no_trace(name, estimator):
    """After ``unlearn`` the pickle holds no float64 bytes of a forgotten row.

    A single row and then a batch of rows are forgotten; after each, the
    pickled estimator is scanned for every forgotten row as a whole (its
    float64 bytes) and for each of its distinctive values (non-zero, held by
    no remaining row; for regressors the targets too) as float64 bytes in
    native and in big-endian order (a Python float in a pickle). A positive
    control first checks that the scan finds the rows before they are
    forgotten.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        A trace found after ``unlearn``.
    unittest.SkipTest
        The positive control fails: the estimator does not keep its rows as
        float64, and this scan cannot tell (not applicable).

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_no_trace
    >>> check_unlearn_no_trace("Ridge", Ridge())
    """
    kind = data_kinds(estimator)[0]
    X, y = make_data(kind)
    regression = get_tags(estimator).estimator_type == "regressor"
    model = clone(estimator).fit(X, y)
    single = random_rows(5, 1)
    batch = clustered_rows(X, 6, 5, exclude=single)
    found = found_in_pickle(model, row_traces(X, y, np.union1d(single, batch), regression))
    missing = [i for i in np.union1d(single, batch) if f"row {i}" not in found]
    if missing:
        raise SkipTest(
            f"{name}: not applicable, its pickle does not hold rows {missing} as float64 "
            "before unlearn, so a scan after unlearn proves nothing."
        )
    forgotten = []
    for rows in (single, batch):
        model.unlearn(X[rows])
        forgotten.extend(rows.tolist())
        found = found_in_pickle(model, row_traces(X, y, np.array(forgotten), regression))
        assert not found, (
            f"{name}: after unlearning rows {forgotten}, its pickle still holds {found}."
        )


def check_unlearn_sparse_forget_rows(name, estimator):
    """Forget rows as CSR or dense give the same model, for dense or CSR training data.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A format refused, or parameters (or outputs) that differ by more than
        rounding.
    unittest.SkipTest
        The unlearn tags say ``sparse=False`` (not applicable).

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_sparse_forget_rows
    >>> check_unlearn_sparse_forget_rows("LogisticRegression", LogisticRegression())
    """
    if not unlearn_tags(estimator).sparse:
        raise SkipTest(f"{name}: not applicable, its unlearn tags say sparse=False.")
    X, y = make_data(data_kinds(estimator)[0], sparse=True)
    forget = random_rows(7, _N_FORGET)
    formats = {"dense": X}
    if get_tags(estimator).input_tags.sparse:
        formats["CSR"] = csr(X)
    for fit_format, X_fit in formats.items():
        models = {}
        for forget_format, rows in (("dense", X[forget]), ("CSR", csr(X[forget]))):
            model = clone(estimator).fit(X_fit, y)
            try:
                models[forget_format] = model.unlearn(rows)
            except Exception as exc:
                raise AssertionError(
                    f"{name}: fitted on {fit_format} X, unlearn refused {forget_format} forget "
                    f"rows: {type(exc).__name__}: {exc}"
                ) from exc
        outputs = [model_outputs(model, X) for model in models.values()]
        assert_allclose(
            outputs[0], outputs[1], rtol=1e-9, atol=1e-12 * np.abs(outputs[0]).max(),
            err_msg=f"{name}: fitted on {fit_format} X, dense and CSR forget rows differ.",
        )  # fmt: skip


def _assert_flags_warn_at_caller(name, estimator, make_model, where):
    """Stopped-short and diverged results warn once each, at the line calling ``unlearn``."""
    X, y = make_data(data_kinds(estimator)[0])
    expected = {False: UnlearningConvergenceWarning, True: UnlearningDivergenceWarning}
    for diverged, category in expected.items():
        model = make_model(FlaggedUnlearner(diverged=diverged)).fit(X, y)
        caught, filename, line = unlearn_recording_warnings(model, X[[1, 2]])
        ours = [w for w in caught if issubclass(w.category, tuple(expected.values()))]
        assert [w.category for w in ours] == [category], (
            f"{name}{where}: a result with converged=False, diverged={diverged} gave "
            f"{[w.category.__name__ for w in ours]}; expected one {category.__name__}."
        )
        assert (ours[0].filename, ours[0].lineno) == (filename, line), (
            f"{name}{where}: {category.__name__} points at {ours[0].filename}:"
            f"{ours[0].lineno}, not at the line that called unlearn ({filename}:{line})."
        )


def check_unlearn_warnings_point_at_caller(name, estimator):
    """Check that results stopped short or diverged warn at the line calling ``unlearn``.

    An unlearner returning ``UnlearningResult(..., converged=False)`` must
    give one :class:`~skunlearn.exceptions.UnlearningConvergenceWarning`, and
    one with ``diverged=True`` one
    :class:`~skunlearn.exceptions.UnlearningDivergenceWarning`, each with the
    ``filename`` and ``lineno`` of the caller's line.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A missing or extra warning, or one pointing elsewhere.
    unittest.SkipTest
        The tags name no unlearner parameter (not applicable).

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_warnings_point_at_caller
    >>> check_unlearn_warnings_point_at_caller("Ridge", Ridge())
    """

    def make_model(unlearner):
        return with_unlearner_or_skip(name, estimator, unlearner)

    _assert_flags_warn_at_caller(name, estimator, make_model, "")


def check_unlearn_warnings_through_pipeline(name, estimator):
    """Check :func:`check_unlearn_warnings_point_at_caller` with the estimator in a Pipeline.

    The estimator is the final step of a :class:`skunlearn.pipeline.Pipeline`,
    which adds frames between the caller and the unlearner; the warnings
    must still point at the line that called ``Pipeline.unlearn``.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A missing or extra warning, or one pointing elsewhere.
    unittest.SkipTest
        The estimator is a pipeline already, or its tags name no unlearner
        parameter (not applicable).

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_warnings_through_pipeline
    >>> check_unlearn_warnings_through_pipeline("LogisticRegression", LogisticRegression())
    """
    from ..pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        raise SkipTest(f"{name}: not applicable, a pipeline already.")

    def make_model(unlearner):
        return Pipeline([("model", with_unlearner_or_skip(name, estimator, unlearner))])

    _assert_flags_warn_at_caller(name, estimator, make_model, " in a Pipeline")
