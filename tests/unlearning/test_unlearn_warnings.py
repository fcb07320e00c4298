"""``unlearn`` reads its unlearner's flags and warns at the caller's line, however deep.

Real unlearners, not injected results: Newton cut to one step stops short of its
tolerance (``UnlearningConvergenceWarning``, with the last gradient norm), gradient
ascent on separable data diverges (``UnlearningDivergenceWarning``, its own message);
both point at the line of this file that called ``unlearn``, directly and through a
Pipeline (where the divergence warning used to point into the pipeline's module).
A result that converged warns nothing.
"""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skunlearn import LogisticRegression
from skunlearn.exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler
from skunlearn.unlearners import GradientAscent, Newton


def separable_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    return X, (X[:, 0] > 0).astype(int)


CASES = {
    "stopped short": (
        Newton(max_iter=1),
        UnlearningConvergenceWarning,
        r"Newton stopped before reaching its tolerance: after 1 iterations the retain gradient "
        r"is .* above tol=1e-12",
    ),
    "diverged": (
        GradientAscent(learning_rate=50.0, max_iter=200, divergence_factor=10.0),
        UnlearningDivergenceWarning,
        "GradientAscent diverged: at iteration .* Kept the last finite iterate",
    ),
}


@pytest.mark.parametrize("through_pipeline", [False, True], ids=["direct", "pipeline"])
@pytest.mark.parametrize("case", list(CASES))
def test_warning_points_at_the_line_that_called_unlearn(case, through_pipeline):
    unlearner, category, message = CASES[case]
    X, y = separable_data()
    model = LogisticRegression(C=100.0, unlearner=unlearner)
    if through_pipeline:
        model = make_pipeline(StandardScaler(), model)
    model.fit(X, y)
    with pytest.warns(category, match=message) as record:
        line = inspect.currentframe().f_lineno + 1
        model.unlearn(X[:6])
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]


def test_convergence_warning_is_a_scikit_learn_convergence_warning():
    assert issubclass(UnlearningConvergenceWarning, ConvergenceWarning)


def test_a_converged_unlearn_warns_nothing():
    X, y = separable_data()
    model = LogisticRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.unlearn(X[:6])
    assert model.n_forgotten_ == 6


def test_warnings_as_errors_leave_the_estimator_unchanged():
    """The warning comes before the commit: turned into an error, it leaves the model as it was."""
    X, y = separable_data()
    model = LogisticRegression(unlearner=Newton(max_iter=1)).fit(X, y)
    coef = model.coef_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnlearningConvergenceWarning)
        with pytest.raises(UnlearningConvergenceWarning):
            model.unlearn(X[:6])
    assert model.n_forgotten_ == 0
    np.testing.assert_array_equal(model.coef_, coef)


@pytest.mark.parametrize("call", ["fit", "pipeline fit", "partial_fit"])
def test_a_fit_warning_points_at_the_line_that_called_it(call):
    """Through the atomic fit, a pipeline's steps and partial_fit's first fit alike."""
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.arange(60) % 3
    model = LogisticRegression(max_iter=1)
    with pytest.warns(ConvergenceWarning) as caught:
        if call == "fit":
            model.fit(X, y)
        elif call == "pipeline fit":
            make_pipeline(StandardScaler(), model).fit(X, y)
        else:
            model.partial_fit(X, y)
    assert {w.filename for w in caught if issubclass(w.category, ConvergenceWarning)} == {__file__}
