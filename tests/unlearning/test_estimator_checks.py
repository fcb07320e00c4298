"""The unlearn check battery: every shared configuration passes it, broken estimators fail it.

Each broken estimator below is a real estimator with one defect, and is paired with the
checks that must catch that defect (by ``AssertionError`` naming the estimator).
"""

import warnings
from dataclasses import fields
from unittest import SkipTest

import pytest
import scipy.sparse
from configurations import CONFIGURATIONS, ESTIMATORS, expected_failures
from sklearn.utils import Tags as SklearnTags

from skunlearn import LogisticRegression, Ridge
from skunlearn.unlearners import DescentAscent, Newton
from skunlearn.utils import estimator_checks
from skunlearn.utils.estimator_checks import (
    parametrize_with_unlearn_checks,
    yield_unlearn_checks,
)


@parametrize_with_unlearn_checks(ESTIMATORS, expected_failures=expected_failures)
def test_unlearn_contract(estimator, check):
    check(estimator)


class FrozenCoefRidge(Ridge):
    """Forgets the rows but keeps the old weights."""

    def unlearn(self, X_forget, y_forget=None):
        coef, intercept = self.coef_.copy(), self.intercept_
        super().unlearn(X_forget, y_forget)
        self.coef_, self.intercept_ = coef, intercept
        return self


class HoardingRidge(Ridge):
    """Keeps a copy of the rows it forgot."""

    def unlearn(self, X_forget, y_forget=None):
        super().unlearn(X_forget, y_forget)
        self.forgotten_rows_ = scipy.sparse.csr_matrix(X_forget).toarray()
        return self


class ValueHoardingRidge(Ridge):
    """Keeps one value of the rows it forgot (their largest entry)."""

    def unlearn(self, X_forget, y_forget=None):
        super().unlearn(X_forget, y_forget)
        self.largest_forgotten_ = float(scipy.sparse.csr_matrix(X_forget).max())
        return self


class EagerCountLogistic(LogisticRegression):
    """Counts the rows as forgotten before the work that may fail."""

    def unlearn(self, X_forget, y_forget=None):
        count = self.n_forgotten_
        self.n_forgotten_ = count + X_forget.shape[0]
        super().unlearn(X_forget, y_forget)
        self.n_forgotten_ = count + X_forget.shape[0]
        return self


class DeepWarningRidge(Ridge):
    """Re-emits unlearn's warnings from a helper with a hand-counted (wrong) stacklevel."""

    def unlearn(self, X_forget, y_forget=None):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            super().unlearn(X_forget, y_forget)
        self._reemit(caught)
        return self

    def _reemit(self, caught):
        for record in caught:
            warnings.warn(record.message, record.category, stacklevel=2)


class PipelineBlindRidge(Ridge):
    """Warns inside its planning hook with a stacklevel counted for a direct call only.

    (The design the warnings checks replaced: right when ``unlearn`` calls the hook,
    wrong when a Pipeline, which adds frames, does.)
    """

    def _prepare_unlearn(self, positions, features=None):
        commit = super()._prepare_unlearn(positions, features)
        for message, category in commit.warnings:
            warnings.warn(message, category, stacklevel=3)
        commit.warnings = []
        return commit


class SilentRidge(Ridge):
    """Swallows the warnings its unlearner's flags call for."""

    def unlearn(self, X_forget, y_forget=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return super().unlearn(X_forget, y_forget)


class SparseRefusingRidge(Ridge):
    """Its tags accept sparse forget rows; its unlearn does not."""

    def unlearn(self, X_forget, y_forget=None):
        if scipy.sparse.issparse(X_forget):
            raise TypeError("sparse forget rows are not supported")
        return super().unlearn(X_forget, y_forget)


class SelflessRidge(Ridge):
    """Returns None from unlearn."""

    def unlearn(self, X_forget, y_forget=None):
        super().unlearn(X_forget, y_forget)


class UntaggedRidge(Ridge):
    """Unlearns, but its tags are scikit-learn's plain ones: tools cannot tell."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        return SklearnTags(**{item.name: getattr(tags, item.name) for item in fields(SklearnTags)})


class IdHoardingRidge(Ridge):
    """Keeps the ids it was asked to forget (an audit log inside the model)."""

    def unlearn(self, X_forget=None, y_forget=None, *, ids=None, **kwargs):
        super().unlearn(X_forget, y_forget, ids=ids, **kwargs)
        self.deleted_ids_ = list(ids or [])
        return self


class RetryRefusingRidge(Ridge):
    """Treats missing="ignore" as "raise": a retried deletion request fails."""

    def unlearn(self, X_forget=None, y_forget=None, *, ids=None, **kwargs):
        kwargs["missing"] = "raise"
        return super().unlearn(X_forget, y_forget, ids=ids, **kwargs)


class OffByOneIdsRidge(Ridge):
    """Forgets the row after the one each id names."""

    def unlearn(self, X_forget=None, y_forget=None, *, ids=None, **kwargs):
        if ids is not None:
            X_forget, ids = self._rows.X[(self._rows.find_ids(ids)[0] + 1) % self._rows.n], None
        return super().unlearn(X_forget, y_forget, ids=ids, **kwargs)


OVERCLAIMING = LogisticRegression(unlearner=Newton(max_iter=1))  # tagged 1e-6, one Newton step

BROKEN = [
    (FrozenCoefRidge(), "check_unlearn_oracle", "normalised distance to the refit is 1 >"),
    (FrozenCoefRidge(), "check_unlearn_composes", "unlearn\\(B\\) vs the refit: .* 1 >"),
    (HoardingRidge(), "check_unlearn_no_trace", "rows \\[40\\], .* holds \\['row 40', 'X\\[40, 0"),
    (ValueHoardingRidge(), "check_unlearn_no_trace", "holds \\['X\\[40, 3\\]'\\]"),
    (EagerCountLogistic(), "check_unlearn_atomic_on_failure", "changed the estimator"),
    (EagerCountLogistic(), "check_unlearn_unknown_row_raises", "changed the estimator"),
    (EagerCountLogistic(), "check_unlearn_all_rows_raises", "changed the estimator"),
    (DeepWarningRidge(), "check_unlearn_warnings_point_at_caller", "points at .*test_estim"),
    (PipelineBlindRidge(), "check_unlearn_warnings_through_pipeline", "points at .*_pipeline.py"),
    (SilentRidge(), "check_unlearn_warnings_point_at_caller", "gave \\[\\]; expected one Unl"),
    (SparseRefusingRidge(), "check_unlearn_sparse_forget_rows", "refused CSR forget rows"),
    (SelflessRidge(), "check_unlearn_returns_self", "returned NoneType, not self"),
    (UntaggedRidge(), "check_unlearn_tags", "tools cannot tell that it unlearns"),
    (IdHoardingRidge(), "check_unlearn_ids_vanish", "still holds the forgotten ids"),
    (RetryRefusingRidge(), "check_unlearn_ids_retried", "missing='ignore' raised ValueError"),
    (OffByOneIdsRidge(), "check_unlearn_ids_equal_rows", "ids and rows differ"),
    (OVERCLAIMING, "check_unlearn_oracle", "> oracle_tolerance 1e-06"),
    (OVERCLAIMING, "check_unlearn_composes", "> oracle_tolerance 1e-06"),
]


@pytest.mark.filterwarnings("ignore::skunlearn.exceptions.UnlearningConvergenceWarning")
@pytest.mark.parametrize(
    ("estimator", "check_name", "message"),
    BROKEN,
    ids=[f"{type(estimator).__name__}-{check}" for estimator, check, _ in BROKEN],
)
def test_broken_estimator_fails_its_check(estimator, check_name, message):
    check = getattr(estimator_checks, check_name)
    name = type(estimator).__name__
    with pytest.raises(AssertionError, match=f"^{name}\\b.*{message}"):
        check(name, estimator)


@pytest.mark.parametrize(
    ("estimator", "check_name"),
    [
        (LogisticRegression(unlearner=DescentAscent()), "check_unlearn_oracle"),
        (LogisticRegression(unlearner=DescentAscent()), "check_unlearn_composes"),
        (ESTIMATORS[-1], "check_unlearn_sparse_forget_rows"),
        (ESTIMATORS[-1], "check_unlearn_warnings_through_pipeline"),
    ],
)
def test_checks_that_do_not_apply_skip_with_the_reason(estimator, check_name):
    with pytest.raises(SkipTest, match="not applicable"):
        getattr(estimator_checks, check_name)(type(estimator).__name__, estimator)


def test_an_untagged_estimator_gets_the_tag_check_only():
    assert [check.__name__ for check in yield_unlearn_checks(UntaggedRidge())] == [
        "check_unlearn_tags"
    ]
    assert len(list(yield_unlearn_checks(Ridge()))) == len(estimator_checks.__all__) - 2


def test_expected_failures_become_strict_xfails_with_their_reason():
    reason = "keeps its weights"
    decorator = parametrize_with_unlearn_checks(
        [FrozenCoefRidge()], expected_failures=lambda e: {"check_unlearn_oracle": reason}
    )
    params = {param.id.rsplit("-", 1)[1]: param for param in decorator.mark.args[1]}
    (mark,) = params["check_unlearn_oracle"].marks
    assert (mark.name, mark.kwargs) == ("xfail", {"reason": reason, "strict": True})
    assert all(not param.marks for key, param in params.items() if key != "check_unlearn_oracle")


def test_an_expected_failure_that_is_not_a_check_is_refused():
    with pytest.raises(ValueError, match="check_unlearn_oracel"):
        parametrize_with_unlearn_checks(
            [Ridge()], expected_failures=lambda e: {"check_unlearn_oracel": "typo"}
        )


def test_the_shared_configurations_list_no_expected_failure():
    assert all(reasons == {} for _, reasons in CONFIGURATIONS)
