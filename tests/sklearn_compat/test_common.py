"""scikit-learn's estimator checks on every skunlearn estimator configuration.

Expected failures are those scikit-learn itself lists for the same estimator
(``sklearn.utils._test_common.instance_generator.PER_ESTIMATOR_XFAIL_CHECKS``),
with its reason; no other check may fail.
"""

import numpy as np
import pytest
from configurations import ESTIMATORS as CONFIGURED
from sklearn.base import is_classifier, is_regressor
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn_reference import SKLEARN_1_8

from skunlearn import LogisticRegression, Ridge
from skunlearn.linear_model import (
    ElasticNet,
    GammaRegressor,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegressionCV,
    PoissonRegressor,
    RidgeClassifier,
    RidgeCV,
    TweedieRegressor,
)
from skunlearn.svm import LinearSVC

# Every Ridge and LogisticRegression of the shared configurations (pipelines
# are checked in test_pipeline.py), and a paper-convention Ridge.
ESTIMATORS = [
    estimator
    for estimator in CONFIGURED
    if type(estimator) in (Ridge, LogisticRegression)
    and (is_classifier(estimator) or is_regressor(estimator))
] + [Ridge(alpha=0.3, fit_intercept=False, convention="paper")]

# The model family: their fits may warn of convergence on the checks' tiny data
# (HuberRegressor's interpolating fits), which scikit-learn's own do too.
FAMILY = [
    PoissonRegressor(),
    GammaRegressor(solver="newton-cholesky"),
    TweedieRegressor(power=1.5),
    TweedieRegressor(),
    HuberRegressor(),
    HuberRegressor(fit_intercept=False, convention="paper"),
    LinearRegression(),
    LinearRegression(fit_intercept=False, tol=1e-9, unlearner="retrain"),
    LinearRegression(positive=True),
    RidgeClassifier(),
    RidgeClassifier(alpha=0.1, convention="paper", class_weight={0: 2.0}),
    RidgeCV(),
    RidgeCV(alphas=[1e-3, 0.1, 10.0], fit_intercept=False, store_cv_results=True),
    LogisticRegressionCV(Cs=3, cv=3),  # scikit-learn checks its own with cv=3 (9-row data)
    Lasso(),
    ElasticNet(alpha=0.1, l1_ratio=0.3, positive=True, unlearner="retrain"),
    LinearSVC(),
    LinearSVC(C=0.3, fit_intercept=False, convention="paper", unlearner="finetune"),
]

# scikit-learn 1.9 expects the same failures from its own estimators.
RIDGE_DIRECT_XFAIL = {
    "check_non_transformer_estimators_n_iter": (
        "n_iter_ is None for the direct solvers, as scikit-learn's Ridge (which lists this "
        "check as an expected failure: 'n_iter_ cannot be easily accessed')"
    ),
}
NO_INTERCEPT_XFAIL = {
    "check_class_weight_classifiers": (
        "without an intercept, class weights cannot move the decision threshold on the "
        "check's blobs; scikit-learn's LogisticRegression(fit_intercept=False) fails it too"
    ),
}

HUBER_INTERPOLATES = (
    "15 rows, 30 features: every fit interpolates, so the Huber optimum has scale 0 (the "
    "boundary of its domain) and what remains is a least-absolute-deviations problem, "
    "reached to about 1e-7: weighted and repeated rows agree to 2.4e-7 in predictions, "
    "above the check's tolerance. (scikit-learn's HuberRegressor at its defaults differs by "
    "1.8e-4 here; scikit-learn runs this check with max_iter=5.)"
)

# scikit-learn < 1.8 only: the check's fault, not the estimator's.
_RELABELLED = (
    "scikit-learn < 1.8 relabels the weighted and the repeated data of this check "
    "differently for a binary-only classifier (_enforce_estimator_tags_y maps y by its "
    "first element, which the shuffle moves), so the two fits solve different problems"
)
OLD_BINARY_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": _RELABELLED,
    "check_sample_weight_equivalence_on_sparse_data": _RELABELLED,
}

LIBLINEAR_CLASS_WEIGHT = (
    "The check gives three classes weights {0: 1000, 1: 1e-4, 2: 1e-4}. liblinear weights a "
    "one-vs-rest problem's positive rows by their class's weight and its negative rows by 1, "
    "weights that differ from output to output; skunlearn's objective has one weight per row, "
    "so LinearSVC refuses class_weight for more than two classes, by name."
)

DIRECT_SOLVER_N_ITER = (
    "n_iter_ is None, as for scikit-learn's direct ridge solvers; scikit-learn marks this "
    "check as an expected failure for its own RidgeClassifier ('n_iter_ cannot be easily "
    "accessed')."
)

RIDGE_CV_SPLITS = (
    "The check passes explicit train/test splits as cv. skunlearn's RidgeCV selects alpha by "
    "the efficient leave-one-out only (cv=None) and refuses any other cv by name: explicit "
    "splits name row positions that no longer exist once rows are forgotten."
)


def _family_expected_failures(estimator):
    if isinstance(estimator, HuberRegressor) and estimator.fit_intercept:
        return {"check_sample_weight_equivalence_on_dense_data": HUBER_INTERPOLATES}
    if isinstance(estimator, RidgeCV):
        return {
            f"check_sample_weight_equivalence_on_{kind}_data": RIDGE_CV_SPLITS
            for kind in ("dense", "sparse")
        }
    if isinstance(estimator, RidgeClassifier):
        return {"check_non_transformer_estimators_n_iter": DIRECT_SOLVER_N_ITER}
    if isinstance(estimator, LinearSVC):
        return {"check_class_weight_classifiers": LIBLINEAR_CLASS_WEIGHT}
    return {}


def expected_failed_checks(estimator):
    """``{check name: reason}`` for the scikit-learn checks an estimator is known to fail."""
    if isinstance(estimator, Ridge) and estimator.solver not in ("lsqr", "sag", "saga"):
        return RIDGE_DIRECT_XFAIL
    if isinstance(estimator, LogisticRegression) and not estimator.fit_intercept:
        return NO_INTERCEPT_XFAIL
    classifier_tags = estimator.__sklearn_tags__().classifier_tags
    binary_only = classifier_tags is not None and not classifier_tags.multi_class
    if binary_only and not SKLEARN_1_8:
        return OLD_BINARY_XFAIL
    return _family_expected_failures(estimator)


@pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_checks(FAMILY, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_family_estimator(estimator, check):
    check(estimator)


def test_ridge_n_iter_is_none_only_for_direct_solvers():
    X = np.arange(40.0).reshape(20, 2) ** 0.5
    y = X @ [1.0, -1.0]
    assert Ridge().fit(X, y).n_iter_ is None
    assert Ridge(solver="lsqr", tol=1e-12).fit(X, y).n_iter_[0] >= 1
