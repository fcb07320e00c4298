"""Deletion requests: rows or ids, retried requests, and what an error may say.

``fit(X, y, sample_id=ids)`` and ``unlearn(ids=...)`` on estimators and pipelines;
``missing="ignore"``; refused requests change nothing; no message quotes a stored
value, target or id.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer

from skunlearn import LogisticRegression, Ridge
from skunlearn.exceptions import ForgetRequestWarning
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import StandardScaler


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:200], y[:200]


EMAILS = np.array([f"user{i:03d}@example.org" for i in range(200)], dtype=object)


@pytest.mark.parametrize(
    "make",
    [LogisticRegression, Ridge, lambda: make_pipeline(StandardScaler(), LogisticRegression())],
    ids=["logistic", "ridge", "pipeline"],
)
def test_ids_and_rows_forget_the_same_rows(make, cancer):
    X, y = cancer
    by_ids = make().fit(X, y, sample_id=EMAILS).unlearn(ids=EMAILS[[4, 50, 51]])
    by_rows = make().fit(X, y, sample_id=EMAILS).unlearn(X[[4, 50, 51]])
    keep = np.setdiff1d(np.arange(200), [4, 50, 51])
    refit = make().fit(X[keep], y[keep])
    for model in (by_ids, by_rows):
        np.testing.assert_allclose(model.predict(X), refit.predict(X), rtol=1e-9)
    with pytest.raises(ValueError, match=r"ids\[0\] is not the id"):
        by_rows.unlearn(ids=EMAILS[[4]])  # forgetting the row took its id along


def test_sample_id_index_of_a_frame(cancer):
    X, y = cancer
    frame = pd.DataFrame(X[:, :5], index=[f"row-{i:03d}" for i in range(200)])
    frame.columns = [f"f{j}" for j in range(5)]
    model = Ridge().fit(frame, y, sample_id="index").unlearn(ids=["row-007"])
    refit = Ridge().fit(frame.drop(index="row-007"), np.delete(y, 7))
    np.testing.assert_allclose(model.coef_, refit.coef_, rtol=1e-10)
    assert b"row-007" not in pickle.dumps(model)


def test_sparse_rows_keep_their_ids(cancer):
    X, y = cancer
    X = sp.csr_matrix(np.where(np.median(X, axis=0) < X, X, 0.0))
    model = LogisticRegression().fit(X, y, sample_id=np.arange(1000, 1200))
    model.unlearn(ids=[1003, 1010]).unlearn(X[[20]])
    np.testing.assert_array_equal(model._rows.ids[:4], [1000, 1001, 1002, 1004])
    assert 1020 not in model._rows.ids.tolist()


@pytest.mark.parametrize(
    ("sample_id", "message"),
    [
        (np.arange(199), "199 entries for 200 rows"),
        (np.r_[np.arange(199), 5], r"sample_id\[199\] repeats sample_id\[5\]"),
        (np.r_[np.arange(199), np.nan], r"sample_id\[199\] is missing"),
        ([None] + list(range(199)), r"sample_id\[0\] is missing"),
        ([[1]] + list(range(199)), r"sample_id\[0\] is not hashable"),
        ("index", "pandas X"),
        ("customer", "pandas X"),
    ],
)
def test_bad_sample_ids_are_refused_by_position(sample_id, message, cancer):
    X, y = cancer
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(X, y, sample_id=sample_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "not neither"),
        ({"X_forget": np.zeros((1, 30)), "ids": ["user001@example.org"]}, "not both"),
        ({"ids": ["user001@example.org"], "y_forget": [1]}, "give ids alone"),
        ({"ids": ["user001@example.org"], "missing": "skip"}, "missing must be"),
    ],
)
def test_malformed_requests_change_nothing(kwargs, message, cancer):
    X, y = cancer
    for model in (
        LogisticRegression().fit(X, y, sample_id=EMAILS),
        make_pipeline(StandardScaler(), Ridge()).fit(X, y, sample_id=EMAILS),
    ):
        before = pickle.dumps(model)
        with pytest.raises(ValueError, match=message):
            model.unlearn(**kwargs)
        assert pickle.dumps(model) == before


def test_retried_rows_are_skipped_with_a_warning(cancer):
    X, y = cancer
    model = LogisticRegression().fit(X, y).unlearn(X[[3, 4]])
    with pytest.warns(ForgetRequestWarning, match="2 of the 3 rows of X_forget") as record:
        model.unlearn(X[[3, 4, 5]], missing="ignore")
    assert record[0].filename == __file__
    assert model.n_forgotten_ == 3
    keep = np.setdiff1d(np.arange(200), [3, 4, 5])
    refit = LogisticRegression().fit(X[keep], y[keep])
    np.testing.assert_allclose(model.coef_, refit.coef_, atol=1e-8)


def test_errors_quote_no_id_or_value(cancer):
    X, y = cancer
    model = Ridge().fit(X, y, sample_id=EMAILS)
    model.unlearn(ids=EMAILS[[9]])
    with pytest.raises(ValueError) as refused:
        model.unlearn(ids=EMAILS[[10, 9]])
    assert "example.org" not in str(refused.value)
    near = X[[12]] * (1 + 1e-9)
    with pytest.raises(ValueError, match="rounded, or cast to float32") as refused:
        model.unlearn(near)
    for value in X[12]:
        assert repr(float(value)) not in str(refused.value)
        assert f"{value:.6g}" not in str(refused.value)
