"""skunlearn.plotting: oracle trajectories, their figure, and ``--plot`` of the CLI."""

import copy
import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.preprocessing import scale

from skunlearn import LogisticRegression
from skunlearn._cli import main
from skunlearn.plotting import (
    default_trajectory_unlearners,
    oracle_trajectories,
    plot_oracle_trajectories,
)
from skunlearn.unlearners import Finetune, GradientAscent


@pytest.fixture(scope="module")
def fitted():
    X, y = load_breast_cancer(return_X_y=True)
    X = scale(X)
    return LogisticRegression().fit(X, y), X[:15], y[:15]


def test_trajectories_start_at_the_original_and_newton_lands(fitted):
    model, X_forget, y_forget = fitted
    runs = oracle_trajectories(model, X_forget, y_forget)
    assert set(runs) == {"original", "oracle", *default_trajectory_unlearners()}
    for name in default_trajectory_unlearners():
        assert runs[name]["iterations"][0] == 0
        assert runs[name]["distance"][0] == pytest.approx(1.0)
    X, y = load_breast_cancer(return_X_y=True)
    refit = SklearnLogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000)
    refit.fit(scale(X)[15:], y[15:])
    reference = np.r_[refit.coef_.ravel(), refit.intercept_]
    effect = np.linalg.norm(runs["original"] - reference)
    assert np.linalg.norm(runs["oracle"] - reference) < 1e-6 * effect
    assert np.linalg.norm(runs["Newton"]["parameters"][-1] - reference) < 1e-6 * effect
    assert model.n_forgotten_ == 0  # the estimator itself is not modified


def test_trajectory_budgets_are_the_iterates(fitted):
    model, X_forget, y_forget = fitted
    unlearner = Finetune(learning_rate=0.5, max_iter=7)
    run = oracle_trajectories(model, X_forget, y_forget, unlearners={"ft": unlearner})["ft"]
    direct = copy.deepcopy(model).set_params(unlearner=unlearner).unlearn(X_forget, y_forget)
    assert run["iterations"][-1] == 7
    np.testing.assert_array_equal(
        run["parameters"][-1], np.r_[direct.coef_.ravel(), direct.intercept_]
    )


def test_divergence_is_flagged(fitted):
    model, X_forget, y_forget = fitted
    runs = {"ga": GradientAscent(learning_rate=1e6, max_iter=20)}
    run = oracle_trajectories(model, X_forget, y_forget, unlearners=runs)["ga"]
    assert run["diverged"]
    assert np.all(np.isfinite(run["distance"]))


def test_plot_and_missing_matplotlib(fitted, monkeypatch):
    pytest.importorskip("matplotlib")
    model, X_forget, y_forget = fitted
    runs = oracle_trajectories(model, X_forget, y_forget, unlearners={"ft": Finetune(max_iter=3)})
    ax = plot_oracle_trajectories(runs, title="t")
    assert ax.get_title() == "t"
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skunlearn\[examples\]"):
        plot_oracle_trajectories(runs)


def test_cli_plot_writes_the_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "trajectories.png"
    assert main(["--plot", str(target), "--repeats", "1"]) == 0
    assert target.stat().st_size > 0
    assert str(target) in capsys.readouterr().out
