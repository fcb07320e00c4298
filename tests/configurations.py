"""The one shared list of estimator configurations that the test suite checks.

Each entry is ``(estimator, expected failures)``, the second a dict
``{check name: reason}`` for the unlearn checks that configuration is known to
fail (none today). Test files import ``ESTIMATORS`` (or ``CONFIGURATIONS``)
from here rather than building their own factories. Multinomial logistic
regression is reached through the data: the unlearn checks fit every
classifier whose tags allow it on binary and on three-class labels, and
every multi-output regressor on one and on two targets.
"""

from sklearn import preprocessing as skp

from skunlearn import LogisticRegression, Ridge
from skunlearn.impute import SimpleImputer
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
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler
from skunlearn.svm import LinearSVC
from skunlearn.unlearners import DescentAscent, Finetune

CONFIGURATIONS = [
    (Ridge(), {}),
    (Ridge(alpha=0.3, fit_intercept=False), {}),
    (Ridge(alpha=0.05, convention="paper"), {}),
    (Ridge(unlearner="retrain"), {}),
    (Ridge(unlearner=Finetune(max_iter=20)), {}),
    (Ridge(alpha=0.0), {}),
    (Ridge(alpha=1e-12), {}),
    (Ridge(positive=True), {}),
    (Ridge(solver="lsqr", tol=1e-12), {}),
    (LogisticRegression(), {}),
    (LogisticRegression(l1_ratio=1.0, C=0.5), {}),
    (LogisticRegression(l1_ratio=0.5, fit_intercept=False), {}),
    (LogisticRegression(l1_ratio=1.0, unlearner=DescentAscent(max_iter=20)), {}),
    (LogisticRegression(class_weight="balanced"), {}),
    (LogisticRegression(solver="liblinear", intercept_scaling=2.0), {}),
    (LogisticRegression(solver="liblinear", l1_ratio=1.0, C=0.5), {}),
    (LogisticRegression(C=0.5, fit_intercept=False), {}),
    (LogisticRegression(C=2.0, convention="paper"), {}),
    (LogisticRegression(solver="lbfgs"), {}),
    (LogisticRegression(loss="exponential"), {}),
    (LogisticRegression(unlearner="retrain"), {}),
    (LogisticRegression(unlearner=DescentAscent(max_iter=20)), {}),
    (PoissonRegressor(), {}),
    (PoissonRegressor(alpha=0.0, fit_intercept=False, solver="newton-cholesky"), {}),
    (PoissonRegressor(unlearner=DescentAscent(max_iter=20, learning_rate=0.01)), {}),
    (GammaRegressor(solver="newton-cholesky"), {}),
    (TweedieRegressor(power=1.5, unlearner="retrain"), {}),
    (TweedieRegressor(), {}),
    (TweedieRegressor(power=1.0, link="identity"), {}),
    (HuberRegressor(), {}),
    (HuberRegressor(fit_intercept=False, epsilon=2.0, convention="paper"), {}),
    (HuberRegressor(unlearner="retrain"), {}),
    (HuberRegressor(unlearner=Finetune(max_iter=20)), {}),
    (LinearRegression(), {}),
    (LinearRegression(fit_intercept=False), {}),
    (LinearRegression(positive=True), {}),
    (LinearRegression(unlearner=DescentAscent(max_iter=10)), {}),
    (RidgeClassifier(), {}),
    (RidgeClassifier(alpha=0.3, fit_intercept=False, convention="paper"), {}),
    (RidgeClassifier(unlearner="retrain"), {}),
    (RidgeCV(), {}),
    (RidgeCV(alphas=[1e-3, 0.03, 1.0, 30.0], fit_intercept=False, store_cv_results=True), {}),
    (RidgeCV(unlearner=Finetune(max_iter=20)), {}),
    (LogisticRegressionCV(Cs=3), {}),
    (LogisticRegressionCV(Cs=[0.1, 1.0], cv=3, fit_intercept=False, unlearner="retrain"), {}),
    (Lasso(alpha=0.05), {}),
    (Lasso(alpha=0.05, fit_intercept=False, positive=True), {}),
    (ElasticNet(alpha=0.05, l1_ratio=0.3), {}),
    (ElasticNet(alpha=0.05, unlearner=DescentAscent(max_iter=10)), {}),
    (LinearSVC(), {}),
    (LinearSVC(C=0.3, intercept_scaling=2.0, convention="paper"), {}),
    (LinearSVC(fit_intercept=False, unlearner="retrain"), {}),
    (LinearSVC(unlearner=DescentAscent(max_iter=10, schedule="alternating")), {}),
    (make_pipeline(StandardScaler(), Ridge()), {}),
    (make_pipeline(MinMaxScaler(), Ridge(fit_intercept=False)), {}),
    (make_pipeline(StandardScaler(), PoissonRegressor()), {}),
    (make_pipeline(MinMaxScaler(), HuberRegressor()), {}),
    (make_pipeline(StandardScaler(), LinearSVC()), {}),
    (make_pipeline(StandardScaler(), LinearRegression()), {}),
    (make_pipeline(MaxAbsScaler(), RidgeClassifier()), {}),
    (make_pipeline(StandardScaler(), Lasso(alpha=0.05)), {}),
    (make_pipeline(StandardScaler(), LogisticRegression()), {}),
    (make_pipeline(MaxAbsScaler(), StandardScaler(), LogisticRegression(solver="lbfgs")), {}),
    (make_pipeline(skp.StandardScaler(), LogisticRegression(), refit_unsupported=True), {}),
    (make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression()), {}),
    (make_pipeline(StandardScaler(), skp.PolynomialFeatures(2), Ridge(alpha=0.5)), {}),
]

ESTIMATORS = [estimator for estimator, _ in CONFIGURATIONS]


def expected_failures(estimator):
    """The ``{check name: reason}`` listed for ``estimator`` (an entry of ``ESTIMATORS``)."""
    for candidate, reasons in CONFIGURATIONS:
        if candidate is estimator:
            return reasons
    raise KeyError(f"{estimator!r} is not an entry of CONFIGURATIONS.")
