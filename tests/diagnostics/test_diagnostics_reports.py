"""Reports, verdicts and the command-line report."""

import json
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from skunlearn import LogisticRegression, Ridge, _cli
from skunlearn.diagnostics import (
    ascent_harm,
    certified_bound,
    dependence_report,
    oracle_distance,
    unlearning_report,
    unlearning_verdict,
)
from skunlearn.exceptions import UnlearningDivergenceWarning
from skunlearn.unlearners import DescentAscent, Finetune


def _split(n=240, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ [1.5, -1.0, 0.5] + rng.logistic(size=n) > 0).astype(int)
    return X[:180], y[:180], X[180:], y[180:]


@pytest.fixture(scope="module")
def reports():
    X, y, X_test, y_test = _split()
    model = LogisticRegression(C=1.0).fit(X, y)
    dependence = dependence_report(model, X[:12], y[:12], X_test, y_test, n_permutations=50)
    unlearners = ["newton", Finetune(max_iter=3), DescentAscent(learning_rate=50.0)]
    comparison = unlearning_report(
        model, X[:12], y[:12], X_test, y_test, unlearners=unlearners, n_models=4
    )
    return model, dependence, comparison


@pytest.mark.parametrize(
    ("distance", "diverged", "verdict"),
    [
        (0.0, False, "lands on the oracle"),
        (0.01, False, "lands on the oracle"),
        (0.5, False, "moved toward it"),
        (1.0, False, "did nothing"),
        (1.2, False, "harmful (farther than the original model)"),
        (0.1, True, "diverged"),
        (np.nan, False, "diverged"),
    ],
)
def test_verdict_thresholds(distance, diverged, verdict):
    assert unlearning_verdict(distance, diverged) == verdict


def test_unlearning_report_rows_agree_with_direct_measurements(reports):
    model, _, comparison = reports
    X, y, X_test, y_test = _split()
    oracle = LogisticRegression(C=1.0, tol=1e-14).fit(X[12:], y[12:])
    newton = LogisticRegression(C=1.0).fit(X, y).unlearn(X[:12], y[:12])
    row = comparison.rows[0]
    assert row["distance"] < 1e-6 and row["verdict"] == "lands on the oracle"
    assert row["test"] == pytest.approx(newton.score(X_test, y_test))
    finetune = comparison.rows[1]
    stepped = LogisticRegression(C=1.0, unlearner=Finetune(max_iter=3)).fit(X, y)
    stepped.unlearn(X[:12], y[:12])
    expected = oracle_distance(stepped, oracle, model)
    assert finetune["distance"] == pytest.approx(expected, rel=1e-6)
    effect = oracle_distance(model, oracle)
    assert finetune["bound"] == pytest.approx(certified_bound(stepped).bound / effect, rel=1e-6)
    assert finetune["distance"] <= finetune["bound"]
    # Descent-ascent with a step of 50: the logistic loss is Lipschitz, so with the ridge
    # L_DA is bounded below and DA cannot run away; it overshoots far past the original.
    ascent = LogisticRegression(C=1.0, unlearner=DescentAscent(learning_rate=50.0)).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnlearningDivergenceWarning)  # it does not diverge
        ascent.unlearn(X[:12], y[:12])
    expected = oracle_distance(ascent, oracle, model)
    assert expected > 1
    assert comparison.rows[2]["distance"] == pytest.approx(expected, rel=1e-6)
    assert comparison.rows[2]["verdict"] == "harmful (farther than the original model)"
    assert row["klom_forget"] < 1e-6 and comparison.rows[2]["klom_forget"] > 1.0
    band = np.sqrt(np.log(2 / 0.05) / (2 * 12))
    for entry in comparison.rows:
        assert entry["in_band"] == (abs(entry["test"] - entry["forget"]) <= band)
    assert model.n_forgotten_ == 0  # the reports work on copies


def test_reports_print_convert_and_serialise(reports):
    _, dependence, comparison = reports
    text = str(dependence)
    assert "cross-influence" in text and "Hoeffding" in text and "Ascent harm test" in text
    assert dependence.harm.verdict in text
    table = str(comparison)
    for row in comparison.rows:
        assert row["verdict"] in table
    for report in (dependence, comparison):
        json.dumps(report.to_dict())


def test_plots_draw_with_agg(reports):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    _, dependence, comparison = reports
    assert len(dependence.plot().lines) == 1
    assert len(comparison.plot().patches) == len(comparison.rows)


def test_plot_without_matplotlib_names_the_extra(reports, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skunlearn\[examples\]"):
        reports[1].plot()


def test_reports_on_ridge():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = X @ [1.0, 2.0, 0.0] + rng.normal(size=150)
    model = Ridge(alpha=1.0).fit(X, y)
    dependence = dependence_report(model, X[:10], y[:10], n_permutations=20)
    assert dependence.hoeffding is None and "Hoeffding" not in str(dependence)
    comparison = unlearning_report(model, X[:10], y[:10], unlearners=["newton", "retrain"])
    assert [row["verdict"] for row in comparison.rows] == ["lands on the oracle"] * 2


def test_cli_prints_the_dependence_report_above_the_verdicts(capsys):
    assert _cli.main(["--dataset", "iris", "--repeats", "1", "--ensemble", "0"]) == 0
    out = capsys.readouterr().out
    harm, table = out.index("Ascent harm test"), out.index("dist/eff")
    assert harm < table
    for name in ("newton", "descent_ascent", "gradient_ascent", "finetune", "retrain"):
        assert any(
            line.strip().startswith(name)
            and (
                "oracle" in line
                or "harmful" in line
                or "toward" in line
                or "nothing" in line
                or "diverged" in line
            )
            for line in out.splitlines()
        )


def test_reports_on_csr_rows_match_the_dense_ones():
    X, y, X_test, y_test = _split()
    X[np.abs(X) < 0.7] = 0.0
    X_test[np.abs(X_test) < 0.7] = 0.0
    results = []
    for rows, test in ((X, X_test), (sp.csr_matrix(X), sp.csr_matrix(X_test))):
        model = LogisticRegression(C=1.0).fit(rows, y)
        dependence = dependence_report(model, rows[:12], y[:12], test, y_test, n_permutations=30)
        comparison = unlearning_report(
            model, rows[:12], y[:12], test, y_test, unlearners=["finetune"], n_models=4
        )
        results.append((dependence, comparison.rows[0]))
    (dense, dense_row), (sparse, sparse_row) = results
    assert sparse.cross_influence.spectral_norm == pytest.approx(
        dense.cross_influence.spectral_norm, rel=1e-8
    )
    assert sparse.harm.inner == pytest.approx(dense.harm.inner, rel=1e-8)
    np.testing.assert_allclose(sparse.similarity.nearest_cosine, dense.similarity.nearest_cosine)
    assert sparse.mmd.to_dict() == pytest.approx(dense.mmd.to_dict())
    for key in ("distance", "bound", "klom_forget", "mia_auc"):
        assert sparse_row[key] == pytest.approx(dense_row[key], rel=1e-6, abs=1e-12), key


def test_dependence_report_uses_its_ascent_weight():
    X, y, X_test, y_test = _split()
    model = LogisticRegression(C=1.0).fit(X, y)
    report = dependence_report(model, X[:12], y[:12], n_permutations=10, ascent_weight=0.05)
    direct = ascent_harm(model, X[:12], y[:12], ascent_weight=0.05)
    default = ascent_harm(model, X[:12], y[:12])
    assert report.harm.inner == pytest.approx(direct.inner, rel=1e-10)
    assert report.harm.stationary_distance == pytest.approx(direct.stationary_distance, rel=1e-8)
    assert abs(default.inner - direct.inner) > 1e-3 * abs(direct.inner)
