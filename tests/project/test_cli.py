"""``python -m skunlearn`` on the user's own table: data, forget strategies, outputs, errors.

References are independent of the command line: the rows a condition selects are
computed with pandas, the oracle with a scikit-learn pipeline refitted on the
remaining raw rows, nearest rows by brute force, and the JSON output is compared
with the numbers printed in the table.
"""

import csv
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skunlearn import _cli
from skunlearn._cli_data import load_table
from skunlearn._cli_forget import Selection, parse_forget, sampled_rows
from skunlearn._cli_output import Progress, json_ready
from skunlearn._cli_run import prepare_run

FAST = ["--repeats", "1", "--ensemble", "0"]


def _customers(n=200, seed=0):
    """A customer table: ids, a text column, numbers and text with missing values."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer": [f"c{i:04d}" for i in range(n)],
            "age": rng.integers(18, 90, n).astype(float),
            "income": rng.normal(50.0, 15.0, n),
            "region": rng.choice(["north", "south", "east"], n),
            "plan": rng.choice(["basic", "pro", None], n),
        }
    )
    frame.loc[rng.choice(n, 15, replace=False), "income"] = np.nan
    logit = 0.04 * (frame["age"] - 50) + (frame["region"] == "north") - 0.5
    frame["churn"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


@pytest.fixture(scope="module")
def table_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    _customers().to_csv(path, index=False)
    return path


def _run(argv, capsys):
    """``main(argv)``: its exit code and captured output."""
    code = _cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def customer_run(table_path, tmp_path_factory):
    """One full run on the customer table with --json and --csv files (run once)."""
    folder = tmp_path_factory.mktemp("out")
    json_path, csv_path = folder / "report.json", folder / "report.csv"
    argv = ["--data", table_path, "--target", "churn", "--id", "customer", *FAST]
    argv += ["--json", json_path, "--csv", csv_path]
    captured = io.StringIO()
    stdout, sys.stdout = sys.stdout, captured
    try:
        code = _cli.main([str(arg) for arg in argv])
    finally:
        sys.stdout = stdout
    document = json.loads(json_path.read_text())
    rows = list(csv.DictReader(csv_path.open()))
    return code, captured.getvalue(), document, rows


def test_a_table_with_text_missing_values_and_ids_runs_end_to_end(customer_run):
    code, out, document, _ = customer_run
    assert code == 0
    assert document["data"]["classification"] and document["model"]["name"] == "logistic"
    n_train = document["data"]["n_train"]
    assert document["data"]["n_train"] + document["data"]["n_test"] == 200
    assert document["forget"]["n_forget"] == round(0.05 * n_train)
    assert len(set(document["forget"]["ids"])) == document["forget"]["n_forget"]
    verdicts = {row["unlearner"]: row["verdict"] for row in document["unlearning"]["rows"]}
    assert verdicts["newton"] == verdicts["retrain"] == "lands on the oracle"
    assert "categorical (one-hot; missing: a category)" in out
    assert "Ascent harm test" in out


# The table's columns in the order UnlearningReport prints them, with the tolerance
# of their printed format (seconds are printed in milliseconds).
TABLE_COLUMNS = {
    "seconds": {"abs": 0.006},
    "speedup": {"abs": 0.051},
    "distance": {"rel": 6e-3},
    "grad_norm": {"rel": 6e-2},
    "bound": {"rel": 6e-3},
    "retain": {"abs": 6e-4},
    "forget": {"abs": 6e-4},
    "test": {"abs": 6e-4},
    "mia_auc": {"abs": 6e-4},
    "klom_forget": {"rel": 6e-3, "abs": 1e-12},
    "klom_retain": {"rel": 6e-3, "abs": 1e-12},
    "klom_test": {"rel": 6e-3, "abs": 1e-12},
    "ulira_auc": {"abs": 6e-4},
}


def _table_rows(out):
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("unlearner"))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            return rows
        name, *cells = line.split()
        rows[name] = cells


def test_json_holds_the_numbers_of_the_table(customer_run):
    _, out, document, _ = customer_run
    table = _table_rows(out)
    report = document["unlearning"]
    json_rows = {"(oracle)": report["oracle"]} | {r["unlearner"]: r for r in report["rows"]}
    assert set(table) == set(json_rows)
    present = set().union(*(row.keys() for row in report["rows"]))
    shown = [column for column in TABLE_COLUMNS if column in present]
    for name, cells in table.items():
        assert len(cells) == len(shown), name
        for column, cell in zip(shown, cells, strict=True):
            value = json_rows[name].get(column)
            if cell == "-":
                assert value is None, (name, column)
                continue
            expected = 1e3 * value if column == "seconds" else value
            assert float(cell) == pytest.approx(expected, **TABLE_COLUMNS[column]), (name, column)


def test_csv_holds_the_json_rows(customer_run):
    _, _, document, rows = customer_run
    json_rows = [document["unlearning"]["oracle"], *document["unlearning"]["rows"]]
    assert [row["unlearner"] for row in rows] == ["(oracle)"] + [
        row["unlearner"] for row in document["unlearning"]["rows"]
    ]
    for row, expected in zip(rows, json_rows, strict=True):
        for key in ("distance", "bound", "retain", "test", "mia_auc"):
            if expected.get(key) is None:
                assert row[key] == ""
            else:
                assert float(row[key]) == expected[key]


def test_json_alone_goes_to_stdout_as_the_only_output(table_path, capsys):
    argv = ["--data", table_path, "--target", "churn", "--id", "customer", "--unlearner", "newton"]
    argv += [*FAST, "--json"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    document = json.loads(out)  # nothing but the JSON document on stdout
    assert [row["unlearner"] for row in document["unlearning"]["rows"]] == ["newton"]


def _forgotten_ids(table_path, forget, capsys):
    argv = ["--data", table_path, "--target", "churn", "--id", "customer"]
    argv += ["--forget", forget, "--unlearner", "newton", *FAST, "--json"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    document = json.loads(out)
    assert document["unlearning"]["rows"][0]["verdict"] == "lands on the oracle"
    return set(document["forget"]["ids"])


@pytest.mark.parametrize(
    ("condition", "mask"),
    [
        ("region == 'north' and age >= 60", lambda f: (f.region == "north") & (f.age >= 60)),
        ("income > 55.5", lambda f: f.income > 55.5),  # NaN incomes never match
        ("plan != 'pro'", lambda f: f.plan.notna() & (f.plan != "pro")),  # nor missing plans
        ('`age` < 30 and region != "east"', lambda f: (f.age < 30) & (f.region != "east")),
    ],
)
def test_a_condition_forgets_exactly_the_matching_rows(table_path, capsys, condition, mask):
    frame = pd.read_csv(table_path)
    expected = set(frame.loc[mask(frame), "customer"])
    assert _forgotten_ids(table_path, condition, capsys) == expected


def test_an_id_file_forgets_those_rows(table_path, tmp_path, capsys):
    ids = tmp_path / "deletion-requests.txt"
    ids.write_text("c0003\n\nc0042\nc0150\n")
    assert _forgotten_ids(table_path, f"ids:{ids}", capsys) == {"c0003", "c0042", "c0150"}


def test_forgetting_a_whole_class(capsys):
    argv = ["--dataset", "iris", "--forget", "class:2", *FAST, "--json"]
    argv += ["--unlearner", "newton,descent_ascent"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    document = json.loads(out)
    assert document["forget"]["n_forget"] == 50  # iris has 50 rows of class 2, all training
    assert document["dependence"] is None
    assert "removes a class" in document["dependence_note"]
    newton, ascent = document["unlearning"]["rows"]
    assert newton["verdict"] == "lands on the oracle"
    assert ascent["verdict"].startswith("not applicable")


def test_the_regression_dataset(capsys):
    argv = ["--dataset", "diabetes", "--unlearner", "newton,finetune", *FAST, "--json"]
    argv += ["--estimator", "ridge"]  # --model's alias
    code, out, _ = _run(argv, capsys)
    assert code == 0
    document = json.loads(out)
    assert not document["data"]["classification"]
    assert document["model"] == {"name": "ridge", "alpha": 1.0}
    assert document["unlearning"]["rows"][0]["verdict"] == "lands on the oracle"


def test_a_cluster_is_the_rows_nearest_to_one_row():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(120, 4))
    rows = sampled_rows(Selection("cluster"), 120, 0.1, 7, features)
    assert len(rows) == 12
    kept = np.setdiff1d(np.arange(120), rows)
    distances = np.linalg.norm(features[:, None] - features[None], axis=2)  # brute force
    centres = [c for c in rows if distances[c, rows].max() <= distances[c, kept].min()]
    assert centres  # some forgotten row has every forgotten row nearer than any kept one


def test_random_rows_are_a_seeded_subset():
    first = sampled_rows(Selection("random"), 100, 0.2, 1)
    assert len(first) == 20 and len(set(first)) == 20 and first.max() < 100
    assert np.array_equal(first, sampled_rows(Selection("random"), 100, 0.2, 1))
    assert not np.array_equal(first, sampled_rows(Selection("random"), 100, 0.2, 2))


def test_the_oracle_is_the_pipeline_refit_on_the_remaining_rows(table_path):
    table = load_table(str(table_path), "churn", "customer")
    args = _cli.build_parser().parse_args(["--forget", "region == 'north'"])
    _cli._resolve_defaults(args)
    run = prepare_run(table, args)
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="?"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    columns = ColumnTransformer(
        [("n", numeric, ["age", "income"]), ("c", categorical, ["region", "plan"])]
    )
    reference = make_pipeline(
        columns, SklearnLogisticRegression(solver="newton-cholesky", tol=1e-12)
    )
    raw = pd.read_csv(table_path).drop(columns=["customer", "churn"])
    remaining = run.train[run.keep]
    reference.fit(raw.iloc[remaining], table.y[remaining])
    oracle = run.fit_oracle()
    assert_allclose(
        oracle.predict_proba(run.X_test),
        reference.predict_proba(raw.iloc[run.test]),
        atol=1e-8,
    )
    # and the exact unlearner lands on it from the model fitted on every training row
    model = run.estimator().fit(run.X_train, run.y_train).unlearn(run.X_train[run.forget])
    assert_allclose(model.predict_proba(run.X_test), oracle.predict_proba(run.X_test), atol=1e-6)


def test_parquet_gives_the_same_run_as_csv(table_path, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "customers.parquet"
    pd.read_csv(table_path).to_parquet(parquet)
    for_csv = _forgotten_ids(table_path, "income > 40", capsys)
    assert _forgotten_ids(parquet, "income > 40", capsys) == for_csv


@pytest.fixture
def bad_files(tmp_path, table_path):
    (tmp_path / "notes.txt").write_text("a,b\n1,2\n")
    (tmp_path / "empty.csv").write_text("")
    return {
        "TABLE": str(table_path),
        "TXT": str(tmp_path / "notes.txt"),
        "EMPTY": str(tmp_path / "empty.csv"),
    }


BAD = [
    (["--C", "0"], "argument --C: must be > 0.0, got 0"),
    (["--test-size", "0.999"], "--test-size 0.999: With n_samples=569"),
    (["--seed", "-5"], "argument --seed: must be >= 0, got -5"),
    (["--plot", "/nonexistent-folder/figure.png"], "--plot /nonexistent-folder/figure.png: not"),
    (["--json", "/nonexistent-folder/report.json"], "not a writable file path"),
    (["--json", "--csv"], "cannot both go to standard output"),
    (["--data", "my.csv", "--target", "y"], "--data my.csv: no such file"),
    (["--data", "TXT", "--target", "a"], "expected a .csv or .parquet file"),
    (["--data", "EMPTY", "--target", "a"], "cannot read it"),
    (["--data", "TABLE"], "--data needs --target COLUMN"),
    (["--data", "TABLE", "--target", "nope"], "--target nope: no such column"),
    (["--data", "TABLE", "--target", "churn", "--id", "nope"], "--id nope: no such column"),
    (["--data", "TABLE", "--target", "churn", "--id", "region"], "ids must be unique"),
    (["--data", "TABLE", "--target", "churn"], "column 'customer' holds 200 distinct values"),
    (["--target", "churn"], "--target and --id apply to --data FILE"),
    (["--dataset", "iris", "--data", "TABLE"], "not allowed with argument"),
    (["--forget", "region = 'north'"], "(compare with ==)"),
    (["--forget", "region == north"], "expected a number or a quoted string after =="),
    (["--forget", "region == 'n' or age > 3"], "expected 'and' or the end, got 'or'"),
    (["--forget", "age >"], "expected a number or a quoted string after >, got the end"),
    (["--forget", "__import__('os').system('true') == 0"], "cannot read the condition"),
    (
        ["--data", "TABLE", "--target", "churn", "--id", "customer", "--forget", "nope == 1"],
        "no column 'nope'",
    ),
    (
        ["--data", "TABLE", "--target", "churn", "--id", "customer", "--forget", "region > 'a'"],
        "holds text",
    ),
    (
        ["--data", "TABLE", "--target", "churn", "--id", "customer", "--forget", "age == 'old'"],
        "holds numbers",
    ),
    (
        [
            "--data",
            "TABLE",
            "--target",
            "churn",
            "--id",
            "customer",
            "--forget",
            "region == 'west'",
        ],
        "no row matches",
    ),
    (["--forget", "class:7"], "--forget class:7: no such class"),
    (["--forget", "ids:requests.txt"], "needs --id COLUMN"),
    (["--forget", "class:1", "--forget-fraction", "0.1"], "applies to --forget random or"),
    (["--unlearner", "newton,nope"], "unknown unlearner 'nope'"),
    (["--model", "ridge", "--C", "2"], "--C does not apply to --model ridge"),
    (["--dataset", "diabetes", "--model", "logistic"], "needs classes"),
    (
        ["--data", "TABLE", "--target", "churn", "--id", "customer", "--model", "ridge"],
        "needs a numeric target",
    ),
]


@pytest.mark.parametrize(("arguments", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_arguments_exit_2_with_one_line(bad_files, capsys, arguments, message):
    argv = [bad_files.get(argument, argument) for argument in arguments]
    with pytest.raises(SystemExit) as stopped:
        _cli.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert message in err and "Traceback" not in err


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch, capsys):
    path = tmp_path / "table.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(SystemExit) as stopped:
        _cli.main(["--data", str(path), "--target", "y"])
    assert stopped.value.code == 2
    assert "pip install 'skunlearn[parquet]'" in capsys.readouterr().err


def test_the_condition_grammar():
    selection = parse_forget("`monthly fee` >= 1e3 and region != 'north east'")
    assert selection.kind == "condition"
    assert selection.clauses == (("monthly fee", ">=", 1000.0), ("region", "!=", "north east"))
    assert parse_forget(" class:yes ").argument == "yes"
    assert parse_forget("ids:requests.txt") == Selection("ids", "requests.txt")
    assert parse_forget("cluster") == Selection("cluster")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_draws_on_a_terminal_only():
    terminal = _Terminal()
    progress = Progress(4, stream=terminal, delay=0.0, interval=10.0)
    progress.step("fitting")
    progress.step("dependence report")
    progress.close()
    drawn = terminal.getvalue()
    assert "] 2/4 dependence report" in drawn and "#" in drawn
    assert drawn.endswith("\r" + " " * 100 + "\r")  # erased when done
    piped = io.StringIO()
    progress = Progress(4, stream=piped, delay=0.0)
    progress.step("fitting")
    progress.close()
    assert piped.getvalue() == ""


def test_json_ready_makes_strict_json():
    value = {"a": np.float64(np.inf), "b": [np.int64(3), np.nan], "c": np.array([1.5])}
    assert (
        json.dumps(json_ready(value), allow_nan=False) == '{"a": null, "b": [3, null], "c": [1.5]}'
    )


def test_table_cells_stay_apart_when_a_number_is_huge():
    from skunlearn.diagnostics import UnlearningReport

    rows = [
        {
            "unlearner": "descent_ascent",
            "seconds": 0.002,
            "distance": 8e4,
            "retain": -1.0e8,
            "verdict": "diverged",
        },
        {
            "unlearner": "newton",
            "seconds": 0.05,
            "distance": 1e-14,
            "retain": 0.571,
            "verdict": "lands on the oracle",
        },
    ]
    table = _table_rows(str(UnlearningReport(rows, {"retain": 0.571}, 1.0)))
    assert table["descent_ascent"] == ["2.00", "8e+04", "-1e+08"]
    assert table["newton"] == ["50.00", "1e-14", "0.571"]


def test_whole_numbers_with_gaps_are_classes_and_booleans_are_features(tmp_path, capsys):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "key": np.arange(90),
            "flag": rng.random(90) < 0.5,
            "x": rng.normal(size=90),
            "label": np.arange(90) % 3,
        }
    )
    frame["label"] = frame["label"].astype(float)
    frame.loc[[4, 7], "label"] = np.nan  # read back as floats 0.0, 1.0, 2.0
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    argv = ["--data", path, "--target", "label", "--id", "key", "--forget", "class:2"]
    code, out, _ = _run([*argv, "--unlearner", "newton", *FAST, "--json"], capsys)
    assert code == 0
    document = json.loads(out)
    assert set(document["forget"]["ids"]) == set(frame.loc[frame.label == 2, "key"])
    assert document["forget"]["spec"] == "class:2"
    assert document["unlearning"]["rows"][0]["verdict"] == "lands on the oracle"


def test_the_whole_pipeline_unlearns_by_id_to_the_refit(customer_run):
    _, out, document, _ = customer_run
    check = document["pipeline"]
    assert check["by"] == "ids" and check["compared"] == "probability"
    assert check["difference"] <= 1e-8 and check["verdict"] == "equals the refit"
    assert "Whole pipeline" in out and "-> equals the refit" in out


def test_the_pipeline_check_sees_a_deletion_that_did_not_happen(table_path, monkeypatch):
    from skunlearn import _cli_pipeline
    from skunlearn.pipeline import Pipeline

    table = load_table(str(table_path), "churn", "customer")
    args = _cli.build_parser().parse_args(["--forget", "age >= 50"])
    _cli._resolve_defaults(args)
    run = prepare_run(table, args)
    oracle = run.fit_oracle()
    assert _cli_pipeline.pipeline_check(run, oracle)["verdict"] == "equals the refit"
    monkeypatch.setattr(Pipeline, "unlearn", lambda self, *a, **k: self)  # forgets nothing
    check = _cli_pipeline.pipeline_check(run, oracle)
    assert check["difference"] > 1e-3 and check["verdict"] == "differs from the refit"
