"""A public battery of checks of the unlearn contract, for any estimator that can unlearn.

Each check is a function ``check_<what>(name, estimator)`` that clones
``estimator``, generates small seeded data itself (labels for classifiers,
values for regressors, as the tags say), and raises ``AssertionError`` with
a message naming the estimator on failure, or ``unittest.SkipTest`` when the
estimator's :class:`~skunlearn.utils.UnlearnTags` make it not applicable
(reported as skipped by pytest, never passed silently). The checks use the
public API only (``fit``, ``unlearn``, fitted ``coef_``/``intercept_`` or
predictions, ``n_forgotten_``, the tags) plus ``set_params`` on the
parameter the tags name as the unlearner, to inject a failing or
stopped-short :class:`~skunlearn.unlearners.BaseUnlearner`.

:func:`yield_unlearn_checks` lists the checks that apply to an estimator and
:func:`parametrize_with_unlearn_checks` runs them under pytest, with
expected failures listed per estimator with a reason, as scikit-learn's
``parametrize_with_checks`` and imbalanced-learn's sampler checks do.
"""

import re
from functools import partial

from ._checks_contract import (
    check_unlearn_all_rows_raises,
    check_unlearn_atomic_on_failure,
    check_unlearn_empty_is_noop,
    check_unlearn_n_forgotten,
    check_unlearn_not_fitted,
    check_unlearn_returns_self,
    check_unlearn_tags,
    check_unlearn_twice_raises,
    check_unlearn_unknown_row_raises,
    check_unlearn_wrong_target_raises,
)
from ._checks_ids import (
    check_unlearn_ids_equal_rows,
    check_unlearn_ids_retried,
    check_unlearn_ids_vanish,
)
from ._checks_model import (
    check_unlearn_composes,
    check_unlearn_no_trace,
    check_unlearn_oracle,
    check_unlearn_sparse_forget_rows,
    check_unlearn_warnings_point_at_caller,
    check_unlearn_warnings_through_pipeline,
)
from ._tags import is_unlearner

__all__ = [
    "check_unlearn_all_rows_raises",
    "check_unlearn_atomic_on_failure",
    "check_unlearn_composes",
    "check_unlearn_empty_is_noop",
    "check_unlearn_ids_equal_rows",
    "check_unlearn_ids_retried",
    "check_unlearn_ids_vanish",
    "check_unlearn_n_forgotten",
    "check_unlearn_no_trace",
    "check_unlearn_not_fitted",
    "check_unlearn_oracle",
    "check_unlearn_returns_self",
    "check_unlearn_sparse_forget_rows",
    "check_unlearn_tags",
    "check_unlearn_twice_raises",
    "check_unlearn_unknown_row_raises",
    "check_unlearn_warnings_point_at_caller",
    "check_unlearn_warnings_through_pipeline",
    "check_unlearn_wrong_target_raises",
    "parametrize_with_unlearn_checks",
    "yield_unlearn_checks",
]

_CONTRACT_CHECKS = (
    check_unlearn_not_fitted,
    check_unlearn_returns_self,
    check_unlearn_n_forgotten,
    check_unlearn_empty_is_noop,
    check_unlearn_all_rows_raises,
    check_unlearn_unknown_row_raises,
    check_unlearn_twice_raises,
    check_unlearn_wrong_target_raises,
    check_unlearn_atomic_on_failure,
    check_unlearn_ids_equal_rows,
    check_unlearn_ids_retried,
    check_unlearn_ids_vanish,
)
_MODEL_CHECKS = (
    check_unlearn_oracle,
    check_unlearn_composes,
    check_unlearn_no_trace,
    check_unlearn_sparse_forget_rows,
    check_unlearn_warnings_point_at_caller,
    check_unlearn_warnings_through_pipeline,
)


def yield_unlearn_checks(estimator):
    """The unlearn checks for ``estimator``, each a function ``check(name, estimator)``.

    :func:`check_unlearn_tags` always comes first; an estimator whose tags
    say it cannot unlearn gets that check only (and fails it). Checks that do
    not apply (an approximate unlearner has no oracle to land on) are still
    yielded: they raise ``unittest.SkipTest`` with the reason.

    Parameters
    ----------
    estimator : estimator instance
        The estimator to check.

    Yields
    ------
    check : callable
        A check, to be called as ``check(type(estimator).__name__, estimator)``.

    Examples
    --------
    >>> from skunlearn import Ridge
    >>> from skunlearn.utils.estimator_checks import yield_unlearn_checks
    >>> estimator = Ridge()
    >>> for check in yield_unlearn_checks(estimator):
    ...     check("Ridge", estimator)
    >>> [check.__name__ for check in yield_unlearn_checks(Ridge())][:2]
    ['check_unlearn_tags', 'check_unlearn_not_fitted']
    """
    yield check_unlearn_tags
    if is_unlearner(estimator):
        yield from _CONTRACT_CHECKS
        yield from _MODEL_CHECKS


def _yield_all_checks(estimator, expected_failures):
    """``(check name, check bound to the estimator's name, reason or None)`` for each check."""
    name = type(estimator).__name__
    reasons = dict(expected_failures)
    for check in yield_unlearn_checks(estimator):
        yield check.__name__, partial(check, name), reasons.pop(check.__name__, None)
    if reasons:
        raise ValueError(
            f"Expected failures {sorted(reasons)} of {name} are not checks run on it."
        )


def _estimator_id(estimator):
    return re.sub(r"\s", "", str(estimator))


def parametrize_with_unlearn_checks(estimators, expected_failures=None):
    """A pytest ``parametrize`` decorator running every unlearn check on every estimator.

    The decorated test takes ``estimator`` and ``check`` and calls
    ``check(estimator)``. Test ids are the estimator's repr and the check's
    name, so ``pytest -k check_unlearn_oracle`` selects one check.

    Parameters
    ----------
    estimators : list of estimator instances
        The estimators to check (each check works on clones).
    expected_failures : callable, default=None
        ``expected_failures(estimator)`` returns ``{check name: reason}`` for
        the checks that estimator is known to fail; they are marked
        ``xfail(reason=..., strict=True)``, so one that starts passing is
        reported. A name that is not a check of that estimator raises
        ValueError.

    Returns
    -------
    decorator : pytest.mark.parametrize
        The parametrization over ``(estimator, check)``.

    Examples
    --------
    >>> from skunlearn import LogisticRegression, Ridge
    >>> from skunlearn.utils.estimator_checks import parametrize_with_unlearn_checks
    >>> @parametrize_with_unlearn_checks([Ridge(), LogisticRegression()])
    ... def test_unlearn_contract(estimator, check):
    ...     check(estimator)
    """
    import pytest

    params = []
    for estimator in estimators:
        known = {} if expected_failures is None else expected_failures(estimator)
        for check_name, check, reason in _yield_all_checks(estimator, known):
            marks = [] if reason is None else [pytest.mark.xfail(reason=reason, strict=True)]
            label = f"{_estimator_id(estimator)}-{check_name}"
            params.append(pytest.param(estimator, check, marks=marks, id=label))
    return pytest.mark.parametrize("estimator, check", params)
