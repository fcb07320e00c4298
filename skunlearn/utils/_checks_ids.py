"""Checks of deletion by identifier: ``fit(X, y, sample_id=ids)`` and ``unlearn(ids=...)``."""

import pickle
import warnings

import numpy as np
from sklearn.base import clone

from ..exceptions import ForgetRequestWarning
from ._check_support import N_SAMPLES, data_kinds, make_data, model_outputs, random_rows
from ._checks_contract import _assert_refused

_IDS = np.array([f"customer-{i:04d}" for i in range(N_SAMPLES)], dtype=object)


def _fitted_with_ids(estimator):
    X, y = make_data(data_kinds(estimator)[0])
    return clone(estimator).fit(X, y, sample_id=_IDS), X, y


def check_unlearn_ids_equal_rows(name, estimator):
    """``unlearn(ids=...)`` forgets the same rows as ``unlearn(X_forget)`` of those rows.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        ``fit`` refused ``sample_id``, or the two deletions give different
        models (outputs beyond rounding) or counts.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_ids_equal_rows
    >>> check_unlearn_ids_equal_rows("Ridge", Ridge())
    """
    forget = random_rows(3, 5)
    by_ids, X, _ = _fitted_with_ids(estimator)
    by_rows, _, _ = _fitted_with_ids(estimator)
    by_ids.unlearn(ids=list(_IDS[forget]))
    by_rows.unlearn(X[forget])
    assert by_ids.n_forgotten_ == by_rows.n_forgotten_ == 5, (
        f"{name}: n_forgotten_ is {by_ids.n_forgotten_} after forgetting 5 ids and "
        f"{by_rows.n_forgotten_} after forgetting their 5 rows."
    )
    gap = np.abs(model_outputs(by_ids, X) - model_outputs(by_rows, X)).max()
    scale = max(np.abs(model_outputs(by_rows, X)).max(), 1.0)
    assert gap <= 1e-9 * scale, (
        f"{name}: ids and rows differ: the outputs after forgetting 5 ids and after "
        f"forgetting their rows differ by {gap:.3g}."
    )


def check_unlearn_ids_retried(name, estimator):
    """A repeated or unknown id raises (nothing changes), or is skipped with ``missing="ignore"``.

    Deletion requests are retried: with ``missing="ignore"`` an id forgotten
    before, or never trained on, is skipped with a
    :class:`~skunlearn.exceptions.ForgetRequestWarning` while the other ids
    of the request are forgotten; a request of only such ids changes nothing.
    With the default ``missing="raise"`` the same request is refused whole.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (a clone is used).

    Raises
    ------
    AssertionError
        A refusal missing, a changed pickle after a refusal or a no-op, no
        warning, or a wrong count.

    Examples
    --------
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.utils.estimator_checks import check_unlearn_ids_retried
    >>> check_unlearn_ids_retried("LogisticRegression", LogisticRegression())
    """
    model, _, _ = _fitted_with_ids(estimator)
    model.unlearn(ids=[_IDS[4], _IDS[9]])
    for what, ids in (("a forgotten id", [_IDS[4]]), ("an unknown id", ["nobody", _IDS[12]])):
        _assert_refused(name, model, ValueError, f"forgetting {what}", ids=ids)
    before = pickle.dumps(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.unlearn(ids=[_IDS[4], "nobody"], missing="ignore")
            noop_warned = any(issubclass(w.category, ForgetRequestWarning) for w in caught)
            unchanged = pickle.dumps(model) == before
            model.unlearn(ids=[_IDS[9], _IDS[12]], missing="ignore")
        except Exception as exc:
            raise AssertionError(
                f"{name}: a retried request with missing='ignore' raised "
                f"{type(exc).__name__} ({exc})."
            ) from exc
    assert noop_warned and unchanged, (
        f"{name}: a retried request of gone ids warned={noop_warned}, unchanged={unchanged}; "
        "expected a ForgetRequestWarning and no change."
    )
    assert model.n_forgotten_ == 3, (
        f"{name}: n_forgotten_ is {model.n_forgotten_} after forgetting 2 ids, then 1 new id "
        "among retried ones; expected 3."
    )


def check_unlearn_ids_vanish(name, estimator):
    """Forgotten ids leave the pickle with their rows; ids need ``sample_id`` at ``fit``.

    Parameters
    ----------
    name : str
        Name of the estimator, for messages.
    estimator : estimator instance
        The estimator to check (clones are used).

    Raises
    ------
    AssertionError
        A forgotten id still in the pickle (or a remaining one absent: the
        scan would prove nothing), or ``unlearn(ids=...)`` accepted by a model
        fitted without ``sample_id``.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import check_unlearn_ids_vanish
    >>> check_unlearn_ids_vanish("Ridge", Ridge())
    """
    model, X, y = _fitted_with_ids(estimator)
    forget = random_rows(5, 4)
    model.unlearn(ids=list(_IDS[forget]))
    blob = pickle.dumps(model)
    kept = [i for i in range(N_SAMPLES) if i not in forget]
    assert _IDS[kept[0]].encode() in blob, f"{name}: the pickle holds no remaining id."
    left = [i for i in forget if _IDS[i].encode() in blob]
    assert not left, f"{name}: the pickle still holds the forgotten ids of rows {left}."
    plain = clone(estimator).fit(X, y)
    _assert_refused(name, plain, ValueError, "ids without sample_id at fit", ids=[_IDS[0]])
