"""The command line's oracle for every --model: a tight refit of the same objective.

For the models whose scikit-learn solver reaches a tight tolerance it is scikit-learn's
class, spelled for the installed version (the export of ``to_sklearn``); for the others,
skunlearn's own fit. Either way it must land on our own tight fit of the same rows.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skunlearn._cli_estimators import (
    ESTIMATORS,
    is_classification,
    make_estimator,
    reference_oracle,
)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_models_oracle_is_a_tight_refit_of_the_same_objective(name):
    """The oracle of each --model is scikit-learn's class (for the models its solvers fit
    tightly), as the installed scikit-learn spells the hyperparameters, and lands on our own
    tight fit of the same rows."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    margin = X @ np.array([1.0, -2.0, 0.5, 0.0])
    if is_classification(name):
        y = (margin + rng.normal(size=120) > 0).astype(int)
    else:
        y = np.exp(0.3 * margin) + (name in ("ridge", "ridge_cv", "linear_regression", "huber"))
    oracle = reference_oracle(name, None, X, y)
    sklearn_class = ESTIMATORS[name][3]
    assert type(oracle).__module__.startswith("sklearn" if sklearn_class else "skunlearn")
    ours = make_estimator(name)
    if "tol" in ours.get_params():
        ours.set_params(tol=1e-12)
    ours.fit(X, y)
    assert_allclose(np.ravel(oracle.coef_), np.ravel(ours.coef_), rtol=1e-6, atol=1e-8)
