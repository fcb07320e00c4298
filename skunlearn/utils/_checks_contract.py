"""Checks of the unlearn contract that need no oracle: validation, bookkeeping, atomicity."""

import pickle

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from ._check_support import (
    N_FEATURES,
    FailingUnlearner,
    InjectedFailure,
    data_kinds,
    make_data,
    unlearn_tags,
    with_unlearner_or_skip,
)
from ._tags import UnlearnTags


def _fitted(estimator):
    """A fitted clone on the estimator's first kind of data, with that data."""
    X, y = make_data(data_kinds(estimator)[0])
    return clone(estimator).fit(X, y), X, y


def _assert_refused(name, model, error, what, *args, **kwargs):
    """``model.unlearn(*args, **kwargs)`` raises ``error``; its pickle is unchanged."""
    before = pickle.dumps(model)
    try:
        model.unlearn(*args, **kwargs)
    except error:
        pass
    except Exception as exc:
        raise AssertionError(
            f"{name}: {what} raised {type(exc).__name__} ({exc}), expected {error.__name__}."
        ) from exc
    else:
        raise AssertionError(f"{name}: {what} did not raise {error.__name__}.")
    if pickle.dumps(model) != before:
        raise AssertionError(f"{name}: {what} raised {error.__name__} but changed the estimator.")


def check_unlearn_tags(name, estimator):
    """The estimator says it can unlearn, with well-formed :class:`UnlearnTags`.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (not changed).

    Raises
    ------
    AssertionError
        ``unlearn_tags`` is missing or malformed, or the estimator is neither
        a classifier nor a regressor.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_tags
    >>> check_unlearn_tags("Ridge", Ridge())
    """
    tags = unlearn_tags(estimator)
    assert isinstance(tags, UnlearnTags), (
        f"{name}: get_tags(estimator).unlearn_tags is {tags!r}, not UnlearnTags: tools cannot "
        "tell that it unlearns. Return skunlearn.utils.Tags from __sklearn_tags__."
    )
    tolerance = tags.oracle_tolerance
    assert tolerance is None or (isinstance(tolerance, float) and 0.0 < tolerance < 1.0), (
        f"{name}: oracle_tolerance={tolerance!r}; expected None or a float in (0, 1)."
    )
    assert isinstance(tags.sparse, bool), f"{name}: unlearn_tags.sparse is not a bool."
    params = estimator.get_params(deep=True)
    assert tags.unlearner_param is None or tags.unlearner_param in params, (
        f"{name}: unlearner_param={tags.unlearner_param!r} is not one of its parameters."
    )
    assert get_tags(estimator).estimator_type in ("classifier", "regressor"), (
        f"{name}: the unlearn checks cover classifiers and regressors only."
    )


def check_unlearn_not_fitted(name, estimator):
    """``unlearn`` before ``fit`` raises :class:`~sklearn.exceptions.NotFittedError`.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        No ``NotFittedError``, or the unfitted estimator changed.

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_not_fitted
    >>> check_unlearn_not_fitted("LogisticRegression", LogisticRegression())
    """
    model = clone(estimator)
    X, _ = make_data(data_kinds(estimator)[0])
    _assert_refused(name, model, NotFittedError, "unlearn before fit", X)


def check_unlearn_returns_self(name, estimator):
    """``unlearn`` returns the estimator itself, as ``fit`` does.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        ``unlearn`` returned something else.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_returns_self
    >>> check_unlearn_returns_self("Ridge", Ridge())
    """
    model, X, _ = _fitted(estimator)
    returned = model.unlearn(X[:2])
    assert returned is model, f"{name}: unlearn returned {type(returned).__name__}, not self."


def check_unlearn_n_forgotten(name, estimator):
    """``n_forgotten_`` is 0 after ``fit`` and counts the rows of every ``unlearn`` since.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        A wrong count, or a refit that does not reset it.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_n_forgotten
    >>> check_unlearn_n_forgotten("Ridge", Ridge())
    """
    model, X, y = _fitted(estimator)
    counts = [model.n_forgotten_]
    model.unlearn(X[[3]])
    counts.append(model.n_forgotten_)
    model.unlearn(X[[10, 20, 30]], y[[10, 20, 30]])
    counts.append(model.n_forgotten_)
    counts.append(model.fit(X, y).n_forgotten_)
    assert counts == [0, 1, 4, 0], (
        f"{name}: n_forgotten_ after fit, unlearn of 1 row, unlearn of 3 rows and a refit "
        f"was {counts}; expected [0, 1, 4, 0]."
    )


def check_unlearn_empty_is_noop(name, estimator):
    """Forgetting no rows (an empty array) changes nothing, byte for byte.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        An error, a return value other than self, or a changed pickle.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_empty_is_noop
    >>> check_unlearn_empty_is_noop("Ridge", Ridge())
    """
    model, _, _ = _fitted(estimator)
    before = pickle.dumps(model)
    returned = model.unlearn(np.empty((0, N_FEATURES)))
    assert returned is model, f"{name}: unlearn of an empty set did not return self."
    assert pickle.dumps(model) == before, f"{name}: unlearn of an empty set changed the model."


def check_unlearn_all_rows_raises(name, estimator):
    """Forgetting every training row raises ValueError and changes nothing.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        No ValueError, or a changed pickle.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_all_rows_raises
    >>> check_unlearn_all_rows_raises("Ridge", Ridge())
    """
    model, X, _ = _fitted(estimator)
    _assert_refused(name, model, ValueError, "forgetting every row", X)


def check_unlearn_unknown_row_raises(name, estimator):
    """A row that is not a training row raises ValueError, alone or among real rows.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        No ValueError, or a changed pickle (nothing may be forgotten when one
        row of the forget set is unknown).

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_unknown_row_raises
    >>> check_unlearn_unknown_row_raises("LogisticRegression", LogisticRegression())
    """
    model, X, _ = _fitted(estimator)
    stranger = X[[5]] + 0.25
    mixed = np.vstack([X[:4], stranger])
    for what, rows in (("an unknown row", stranger), ("4 rows and an unknown one", mixed)):
        _assert_refused(name, model, ValueError, f"forgetting {what}", rows)


def check_unlearn_twice_raises(name, estimator):
    """A row forgotten already, or twice in one call, raises ValueError; nothing changes.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        No ValueError, or a changed pickle.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_twice_raises
    >>> check_unlearn_twice_raises("Ridge", Ridge())
    """
    model, X, _ = _fitted(estimator)
    model.unlearn(X[[7]])
    _assert_refused(name, model, ValueError, "forgetting a forgotten row", X[[7]])
    _assert_refused(name, model, ValueError, "forgetting a row twice in one call", X[[9, 9]])


def check_unlearn_wrong_target_raises(name, estimator):
    """A ``y_forget`` that does not match the row's training target raises ValueError.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        No ValueError, or a changed pickle.

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_wrong_target_raises
    >>> check_unlearn_wrong_target_raises("LogisticRegression", LogisticRegression())
    """
    model, X, y = _fitted(estimator)
    rows = [2, 11]
    if get_tags(estimator).estimator_type == "classifier":
        labels = np.unique(y)
        wrong = labels[(np.searchsorted(labels, y[rows]) + 1) % len(labels)]
    else:
        wrong = y[rows] + 1.0
    _assert_refused(name, model, ValueError, "forgetting rows with wrong targets", X[rows], wrong)


def check_unlearn_atomic_on_failure(name, estimator):
    """An unlearner that fails mid-way leaves the estimator byte-for-byte unchanged.

    The unlearner is replaced (``set_params`` on the tags'
    ``unlearner_param``) by a :class:`~skunlearn.unlearners.BaseUnlearner`
    whose ``_run`` raises; the error must reach the caller and the pickle
    must not change. The estimator must then still unlearn.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        The failure was swallowed or replaced, or the pickle changed.
    unittest.SkipTest
        The tags name no unlearner parameter (not applicable).

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_atomic_on_failure
    >>> check_unlearn_atomic_on_failure("Ridge", Ridge())
    """
    X, y = make_data(data_kinds(estimator)[0])
    model = with_unlearner_or_skip(name, estimator, FailingUnlearner()).fit(X, y)
    _assert_refused(name, model, InjectedFailure, "a failing unlearner", X[[4, 8, 15]])
    param = unlearn_tags(estimator).unlearner_param
    model.set_params(**{param: estimator.get_params(deep=True)[param]})
    assert model.unlearn(X[[4, 8, 15]]).n_forgotten_ == 3, (
        f"{name}: after a failed unlearn, unlearning the same rows did not count 3 rows."
    )
