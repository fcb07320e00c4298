"""scikit-learn's estimator checks on every skunlearn estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skunlearn import LogisticRegression, Ridge
from skunlearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

ESTIMATORS = [
    Ridge(),
    Ridge(alpha=0.3, fit_intercept=False, convention="paper"),
    LogisticRegression(),
    LogisticRegression(C=0.5, solver="lbfgs", unlearner="descent_ascent"),
    PoissonRegressor(),
    GammaRegressor(solver="newton-cholesky"),
    TweedieRegressor(power=1.5),
    TweedieRegressor(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
