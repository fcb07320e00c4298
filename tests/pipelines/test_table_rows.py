"""TableRows: raw rows of any dtype, found by value (missing equals missing), removed stably."""

import pickle

import numpy as np
import pandas as pd
import pytest

from skunlearn.utils import TableRows, input_rows


def mixed(n=12):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "name": [f"person-{i:03d}" for i in range(n)],
            "city": pd.array(rng.choice(["Lyon", "Oslo"], n), dtype="string"),
            "plan": pd.Categorical(rng.choice(["basic", "pro"], n)),
            "seats": pd.array(rng.integers(1, 5, n), dtype="Int64"),
            "active": rng.uniform(size=n) < 0.5,
            "income": rng.normal(50.0, 10.0, n),
            "since": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "note": np.array([None, "vip", 3, 2.5] * (n // 4), dtype=object),
        }
    )
    frame.loc[2, ["city", "plan", "seats", "income", "since"]] = [
        None,
        np.nan,
        pd.NA,
        np.nan,
        None,
    ]
    return frame


def store(frame):
    return TableRows(frame, np.arange(len(frame)), np.ones(len(frame)))


def test_rows_come_back_with_their_dtypes():
    frame = mixed()
    pd.testing.assert_frame_equal(store(frame).X, frame)
    taken = store(frame).take(np.array([5, 2]))[0]
    pd.testing.assert_frame_equal(taken, frame.iloc[[5, 2]].reset_index(drop=True))


def test_missing_values_match_any_missing_value():
    frame = mixed()
    query = frame.iloc[[2]].astype(object)
    missing = [np.nan, None, None, pd.NA, pd.NaT]  # each a kind the stored one is not
    query.loc[2, ["city", "plan", "seats", "income", "since"]] = missing
    np.testing.assert_array_equal(store(frame).find(query), [2])


def test_equality_is_pythons():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["3", "x", "y"]})
    rows = store(frame)
    np.testing.assert_array_equal(rows.find(pd.DataFrame({"a": [3.0], "b": ["y"]})), [2])
    with pytest.raises(ValueError, match="not in the training set"):
        rows.find(pd.DataFrame({"a": [3], "b": [3]}))


def test_stable_removal_equals_a_fresh_store():
    rng = np.random.default_rng(1)
    frame = mixed(40)
    rows = store(frame)
    left = np.arange(40)
    for _ in range(4):
        gone = rng.choice(len(left), 5, replace=False)
        rows.remove(rows.find(frame.iloc[left[gone]]))
        left = np.delete(left, gone)
        fresh = store(frame.iloc[left].reset_index(drop=True))
        pd.testing.assert_frame_equal(rows.X, fresh.X)
        np.testing.assert_array_equal(rows.y, left)
        np.testing.assert_array_equal(rows._index.keys, fresh._index.keys)
        np.testing.assert_array_equal(rows._index.positions, fresh._index.positions)


def test_partition_is_undone_exactly():
    frame = mixed()
    rows = store(frame)
    rows.partition(np.array([1, 6, 7]))
    rows.unpartition(np.array([1, 6, 7]))
    pd.testing.assert_frame_equal(rows.X, frame)


def test_forgotten_values_leave_memory_and_pickle():
    frame = mixed()
    rows = store(frame)
    rows.set_ids(frame["name"].to_numpy())
    rows.remove(rows.find(frame.iloc[[4]]))
    blob = pickle.dumps(rows)
    assert b"person-004" not in blob and b"person-005" in blob
    assert all(
        column[rows.n :].tolist() == [None] or column.dtype != object for column in rows._columns
    )
    assert rows._ids[rows.n :].tolist() == [None]
    restored = pickle.loads(blob)
    pd.testing.assert_frame_equal(restored.X, frame.drop(index=4).reset_index(drop=True))
    np.testing.assert_array_equal(restored.find_ids(["person-007"])[0], [6])


def test_erase_blanks_everything():
    rows = store(mixed())
    rows.erase()
    for column in rows._columns:
        if column.dtype == object:
            assert set(column.tolist()) == {None}
        else:
            assert not np.any(column.view(np.uint8))


def test_duplicates_and_counts():
    frame = pd.DataFrame({"a": ["x", "x", "y"]})
    rows = TableRows(frame, np.zeros(3), np.ones(3))
    np.testing.assert_array_equal(rows.find(pd.DataFrame({"a": ["x", "x"]})), [0, 1])
    with pytest.raises(ValueError, match="occurs more often"):
        rows.find(pd.DataFrame({"a": ["y", "y"]}))


def test_other_columns_are_refused():
    rows = store(mixed())
    with pytest.raises(ValueError, match="columns differ"):
        rows.find(mixed().iloc[:1, ::-1])
    with pytest.raises(ValueError, match="columns"):
        TableRows(np.array([["a", "b"]], dtype=object), [0], [1.0]).find(np.array([["a"]]))


def test_arrays_and_documents():
    array = np.array([["a", 1], ["b", None], ["a", 1]], dtype=object)
    rows = input_rows(array, np.zeros(3), np.ones(3))
    assert isinstance(rows, TableRows)
    np.testing.assert_array_equal(rows.find(np.array([["b", np.nan]], dtype=object)), [1])
    documents = input_rows(["red apple", "blue sky"], np.zeros(2), np.ones(2))
    np.testing.assert_array_equal(documents.find(["blue sky"]), [1])
    assert documents.X.dtype == object


def test_unhashable_values_are_explained():
    rows = input_rows([{"a": 1}, {"b": 2}], np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="cannot be compared by value"):
        rows.find([{"a": 1}])


def test_near_miss_on_a_table():
    frame = mixed()
    rows = store(frame)
    query = frame.iloc[[3]].copy()
    query["income"] = np.float32(query["income"].iloc[0])
    with pytest.raises(ValueError, match=r"in column 'income' \(rounded, or cast to float32\?\)"):
        rows.find(query)
    query = frame.iloc[[3]].copy()
    query["name"] = "somebody"
    with pytest.raises(ValueError, match=r"differs in column 'name' \(another value\) only") as e:
        rows.find(query)
    assert "person-003" not in str(e.value)
