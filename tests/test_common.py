"""scikit-learn's estimator checks on every skunlearn estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skunlearn import LogisticRegression, Ridge

ESTIMATORS = [
    Ridge(),
    Ridge(alpha=0.3, fit_intercept=False, convention="paper"),
    LogisticRegression(),
    LogisticRegression(C=0.5, solver="lbfgs", unlearner="descent_ascent"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
