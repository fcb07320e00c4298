"""Certified estimators against the unlearn check battery and scikit-learn's checks.

They are kept out of the shared configurations (which list no expected failure):
two checks conflict by design with what certification requires, and are listed
here with the reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skunlearn import LogisticRegression, Ridge
from skunlearn.unlearners import CertifiedNewton
from skunlearn.utils.estimator_checks import parametrize_with_unlearn_checks

CERTIFIED = [
    LogisticRegression(unlearner=CertifiedNewton(random_state=0)),
    LogisticRegression(C=0.5, unlearner=CertifiedNewton(removal="stored_hessian", random_state=0)),
    LogisticRegression(
        fit_intercept=False, unlearner=CertifiedNewton(removal="iterate", random_state=0)
    ),
    Ridge(unlearner=CertifiedNewton(random_state=0)),
]

SWITCHES_UNLEARNER = (
    "The check fits with another unlearner and then sets this one: a certified unlearner's "
    "noise is drawn at fit, so unlearning with it after another fit is refused (refit)."
)
NO_MINIMUM = (
    "The check weighs one class by 1e-4: with an unpenalised intercept the perturbation's "
    "intercept part exceeds what that class can balance, so the perturbed objective has no "
    "minimum and fit says so."
)
DIRECT_SOLVER_N_ITER = "n_iter_ is None for Ridge's direct solvers, as in scikit-learn."
MEMMAP = (
    "Its memory-mapped variant: memory-mapped input is kept in chunks on disk, and a "
    "certified fit needs its rows in memory and refuses such input by name (the check's "
    "in-memory variant, of the same name, passes)."
)
MEMMAP_CHECKS = [
    "check_readonly_memmap_input",
    "check_classifiers_train",
    "check_regressors_train",
]
NO_INTERCEPT = (
    "Without an intercept the check's accuracy threshold is not reached, as for the plain "
    "LogisticRegression(fit_intercept=False) (listed in the scikit-learn compatibility tests)."
)


def unlearn_failures(estimator):
    return {"check_unlearn_atomic_on_failure": SWITCHES_UNLEARNER}


def sklearn_failures(estimator):
    failures = {name: MEMMAP for name in MEMMAP_CHECKS}
    if isinstance(estimator, Ridge):
        failures["check_non_transformer_estimators_n_iter"] = DIRECT_SOLVER_N_ITER
    else:
        reason = NO_MINIMUM if estimator.fit_intercept else NO_INTERCEPT
        failures["check_class_weight_classifiers"] = reason
    return failures


@parametrize_with_unlearn_checks(CERTIFIED, expected_failures=unlearn_failures)
def test_certified_unlearn_contract(estimator, check):
    check(estimator)


@parametrize_with_checks(CERTIFIED, expected_failed_checks=sklearn_failures)
def test_certified_sklearn_compatible(estimator, check):
    check(estimator)
