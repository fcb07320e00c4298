"""Diagnostics that used to crash or mislead: a correct result or a clear error up front.

- ``unlearning_report`` with a whole class as the forget set (the class-forgetting
  benchmark): exact unlearners land on the oracle, ascent is "not applicable".
- Diagnostics given a Pipeline or a scikit-learn model: a TypeError naming what is
  supported (and, for a pipeline, how to diagnose its final step).
- A model fitted on a DataFrame: no feature-name warnings from the reports.
- ``klom``: a NaN margin gives NaN, never a perfect 0.
- A deletion with no effect (a zero-weight row): exact unlearners "land on the
  oracle", never "did nothing".
- The command line: bad arguments exit with status 2 and one line, before any work.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_iris
from sklearn.preprocessing import scale

from skunlearn import LogisticRegression, Ridge, _cli
from skunlearn import diagnostics as dg
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return scale(X), y


def test_report_on_forgetting_a_whole_class(iris):
    X, y = iris
    model = LogisticRegression().fit(X[::2], y[::2])
    gone = np.flatnonzero(y[::2] == 2)
    X_train, y_train = X[::2], y[::2]
    report = dg.unlearning_report(
        model, X_train[gone], y_train[gone], X[1::2], y[1::2], n_models=4
    )
    verdicts = {row["unlearner"]: row["verdict"] for row in report.rows}
    assert verdicts["newton"] == verdicts["retrain"] == "lands on the oracle"
    for name in ("descent_ascent", "gradient_ascent"):
        assert verdicts[name].startswith("not applicable: The forget loss is undefined")
    newton = next(row for row in report.rows if row["unlearner"] == "newton")
    assert "klom_forget" not in newton and newton["klom_test"] == 0.0
    keep = y_train != 2
    oracle = sk.LogisticRegression(solver="newton-cholesky", tol=1e-12).fit(
        X_train[keep], y_train[keep]
    )
    assert report.oracle["forget"] == 0.0
    assert report.oracle["retain"] == pytest.approx(oracle.score(X_train[keep], y_train[keep]))
    assert "not applicable" in str(report)


DIAGNOSTICS = {
    "unlearning_report": lambda est, X, y: dg.unlearning_report(est, X, y),
    "dependence_report": lambda est, X, y: dg.dependence_report(est, X, y),
    "certified_bound": lambda est, X, y: dg.certified_bound(est),
    "fit_oracle": lambda est, X, y: dg.fit_oracle(est, X, y),
    "cross_influence": lambda est, X, y: dg.cross_influence(est, X, y),
    "ascent_harm": lambda est, X, y: dg.ascent_harm(est, X, y),
    "gradient_alignment": lambda est, X, y: dg.gradient_alignment(est, X, y),
    "per_sample_gradients": lambda est, X, y: dg.per_sample_gradients(est, X, y),
}


@pytest.mark.parametrize("name", list(DIAGNOSTICS))
def test_pipelines_and_sklearn_models_get_a_clear_error(iris, name):
    X, y = iris
    supported = r"needs a fitted skunlearn\.LogisticRegression or skunlearn\.Ridge"
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match=supported + r".*got a Pipeline.*pipe\[-1\]"):
        DIAGNOSTICS[name](pipe, X[:5], y[:5])
    plain = sk.LogisticRegression().fit(X, y)
    with pytest.raises(TypeError, match=supported + r".*got sklearn\.LogisticRegression"):
        DIAGNOSTICS[name](plain, X[:5], y[:5])


def test_the_advice_for_a_pipeline_works(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    bound = dg.certified_bound(pipe[-1])
    report = dg.unlearning_report(
        pipe[-1], pipe[:-1].transform(X[:5]), y[:5], unlearners=["newton"]
    )
    assert np.isfinite(bound.bound) and report.rows[0]["verdict"] == "lands on the oracle"


@pytest.mark.parametrize("kind", ["logistic", "ridge"])
def test_dataframe_models_give_no_feature_name_warnings(iris, kind):
    X, y = iris
    frame = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    target = y if kind == "logistic" else X[:, 0] * 2.0 + y
    train, test = frame[::2], frame[1::2]
    y_train, y_test = target[::2], target[1::2]
    model = (LogisticRegression() if kind == "logistic" else Ridge()).fit(train, y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        n_models = 4 if kind == "logistic" else 0
        dg.unlearning_report(model, train[:5], y_train[:5], test, y_test, n_models=n_models)
        dg.dependence_report(model, train[:5], y_train[:5], test, y_test)
        dg.certified_bound(model)
        oracle = dg.fit_oracle(model, train[:5], y_train[:5])
    assert list(oracle.feature_names_in_) == list(frame.columns)


def test_klom_propagates_nan_margins():
    values = dg.klom([[np.nan, 1.0, 2.0]] * 4, [[0.0, 1.0, np.nan]] * 4)
    assert np.isnan(values[0]) and values[1] == 0.0 and np.isnan(values[2])
    assert np.isnan(np.percentile(values, 95))


def test_a_deletion_without_effect_is_not_called_did_nothing(iris):
    X, y = iris
    weights = np.ones(len(X))
    weights[0] = 0.0  # forgetting a zero-weight row changes nothing
    model = LogisticRegression().fit(X, y, sample_weight=weights)
    report = dg.unlearning_report(model, X[:1], y[:1], unlearners=["newton", "retrain"])
    for row in report.rows:
        assert row["verdict"].startswith("lands on the oracle (the deletion has no measurable")
        assert row["distance"] is None
    assert "did nothing" not in "\n".join(row["verdict"] for row in report.rows)


def test_reports_still_measure_a_small_effect(iris):
    X, y = iris
    model = LogisticRegression().fit(X, y)
    report = dg.unlearning_report(model, X[:1], y[:1], unlearners=["newton", "finetune"])
    newton, finetune = report.rows
    assert newton["verdict"] == "lands on the oracle" and newton["distance"] < 1e-6
    assert finetune["distance"] is not None
    assert_allclose(
        report.deletion_effect,
        np.linalg.norm(
            np.r_[model.coef_.ravel(), model.intercept_ - model.intercept_.mean()]
            - np.r_[
                dg.fit_oracle(model, X[:1], y[:1]).coef_.ravel(),
                dg.fit_oracle(model, X[:1], y[:1]).intercept_
                - dg.fit_oracle(model, X[:1], y[:1]).intercept_.mean(),
            ]
        ),
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--C", "0"], "argument --C: must be > 0.0, got 0"),
        (["--C", "inf"], "argument --C: expected a finite number, got inf"),
        (["--test-size", "0.999"], "--test-size 0.999: With n_samples=569"),
        (["--test-size", "1"], "argument --test-size: must be in (0.0, 1.0), got 1"),
        (["--forget-fraction", "0"], "argument --forget-fraction: must be in (0.0, 1.0)"),
        (["--repeats", "0"], "argument --repeats: must be >= 1, got 0"),
        (["--ensemble", "-2"], "argument --ensemble: must be >= 0, got -2"),
        (["--plot", "/nonexistent-folder/figure.png"], "not a writable file path"),
        (["--plot", "figure.unknown"], "the extension must be one of"),
    ],
)
def test_cli_argument_errors_exit_2_with_one_line(monkeypatch, capsys, arguments, message):
    monkeypatch.setattr(_cli, "load", _must_not_run)
    if "--test-size" in arguments and "0.999" in arguments:
        monkeypatch.undo()  # the split itself tells the training set would be empty
    with pytest.raises(SystemExit) as stopped:
        _cli.main(arguments)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err


def test_cli_plot_target_is_checked_before_any_work(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_cli, "load", _must_not_run)
    not_a_folder = tmp_path / "report.txt"
    not_a_folder.write_text("a file where the figure's folder should be")
    with pytest.raises(SystemExit) as stopped:
        _cli.main(["--plot", str(not_a_folder / "figure.png")])
    assert stopped.value.code == 2 and "not a writable file path" in capsys.readouterr().err


def _must_not_run(*args, **kwargs):
    raise AssertionError("the report started before the arguments were checked")
