"""Every unlearnable transformer equals scikit-learn's refit on the remaining rows.

For each transformer and each input it takes (dense with NaN, CSR, a DataFrame of
mixed dtypes, an object array, documents): ``fit`` equals scikit-learn's ``fit``
(outputs and feature names), and after two ``unlearn`` calls every fitted attribute
equals scikit-learn's transformer fitted on the remaining rows, bit for bit, as do
the outputs, ``set_output(transform="pandas")`` and ``to_sklearn()``. The forget sets
hold the rows that make a statistic change: a category, a term or a NaN only they
have, a column's extreme, the median. Rows are distinct (a duplicate's copies are
forgotten together), so the remaining rows are exactly the rows at ``keep``.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fingerprints import assert_same_state
from sklearn import impute as sk_impute
from sklearn import preprocessing as sk_preprocessing
from sklearn.base import clone
from sklearn.feature_extraction import text as sk_text
from sklearn.utils.estimator_checks import parametrize_with_checks

from skunlearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from skunlearn.impute import SimpleImputer
from skunlearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

N = 90
FORGET = np.array([0, 3, 7, 11, 20, 33, 47, 58, 61, 80])


def numbers(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 4)) * [1.0, 30.0, 1e3, 0.1] + [0.0, 5.0, -3.0, 1e2]
    X[rng.uniform(size=X.shape) < 0.15] = np.nan
    X[FORGET[:2], 1] = 1e4  # the column's maximum sits in forgotten rows
    X[:, 3] = np.where(np.isin(np.arange(N), FORGET[:3]), np.nan, X[:, 3])
    X[FORGET[3], :] = np.nan  # a row that is all missing
    return X


def sparse_numbers():
    X = numbers(1)
    X[np.abs(X) < np.nanmedian(np.abs(X), axis=0)] = 0.0
    return sp.csr_matrix(X)


def table(seed=2):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "city": rng.choice(
                ["Lyon", "Oslo", "Rome", "Pisa", "Gent"], N, p=[0.4, 0.3, 0.2, 0.07, 0.03]
            ),
            "plan": pd.Categorical(rng.choice(["basic", "pro", "team"], N)),
            "seats": rng.integers(1, 6, N),
            "churned": rng.uniform(size=N) < 0.3,
            "score": rng.normal(size=N),
        }
    )
    frame.loc[FORGET[:2], "city"] = "Atlantis"  # a category only forgotten rows hold
    frame.loc[[5, FORGET[2]], "city"] = None
    frame.loc[[9, FORGET[4]], "plan"] = np.nan
    return frame


def texts(seed=3):
    rng = np.random.default_rng(seed)
    words = [f"w{i:02d}" for i in range(40)]
    documents = [" ".join(rng.choice(words, rng.integers(2, 9))) for _ in range(N)]
    for i in FORGET[:3]:
        documents[i] += " zebra unicorn"  # terms only forgotten documents hold
    documents[FORGET[3]] = documents[FORGET[2]]  # a duplicate document
    return np.array(documents, dtype=object)


DATA = {
    "dense-nan": numbers,
    "csr": sparse_numbers,
    "frame": table,
    "object": lambda: table().astype(object).to_numpy(),
    "strings": lambda: np.c_[
        table()["city"].fillna("unknown").to_numpy().astype(str), [f"r{i}" for i in range(N)]
    ],
    "text": texts,
}

CASES = [
    (StandardScaler(), "dense-nan"),
    (StandardScaler(with_mean=False), "csr"),
    (MinMaxScaler(feature_range=(-1, 2)), "dense-nan"),
    (MaxAbsScaler(), "dense-nan"),
    (MaxAbsScaler(), "csr"),
    (OneHotEncoder(), "frame"),
    (OneHotEncoder(sparse_output=False, drop="first", handle_unknown="ignore"), "frame"),
    (OneHotEncoder(min_frequency=4, handle_unknown="infrequent_if_exist"), "object"),
    (OneHotEncoder(max_categories=3), "strings"),
    (OrdinalEncoder(), "frame"),
    (OrdinalEncoder(min_frequency=0.05), "object"),
    (SimpleImputer(strategy="mean"), "dense-nan"),
    (SimpleImputer(strategy="median", add_indicator=True), "dense-nan"),
    (SimpleImputer(strategy="most_frequent"), "dense-nan"),
    (SimpleImputer(strategy="constant", fill_value=-1.0), "dense-nan"),
    (SimpleImputer(strategy="mean"), "csr"),
    (SimpleImputer(strategy="most_frequent"), "object"),
    (CountVectorizer(min_df=2, max_df=0.9), "text"),
    (CountVectorizer(max_features=12, ngram_range=(1, 2)), "text"),
    (TfidfVectorizer(), "text"),
    (TfidfVectorizer(min_df=2, sublinear_tf=True, norm="l1"), "text"),
]


def ids(case):
    transformer, kind = case
    return f"{transformer!r}-{kind}".replace(" ", "")


def reference(transformer):
    return transformer._plain_class()(**transformer.get_params())


def rows(X, positions):
    if hasattr(X, "iloc"):
        return X.iloc[positions]
    return X[positions]


def dense(Z):
    return Z.toarray() if sp.issparse(Z) else np.asarray(Z)


def assert_same_output(ours, ref, X):
    np.testing.assert_array_equal(dense(ours.transform(X)), dense(ref.transform(X)))
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())


def assert_same_attributes(ours, ref):
    """Every fitted attribute of scikit-learn's refit, bit for bit, and no other."""
    params = ref.get_params(deep=False)
    expected = {k: v for k, v in vars(ref).items() if k not in params}
    assert set(ours._fitted_keys) == set(expected)
    for key, value in expected.items():
        assert pickle.dumps(getattr(ours, key)) == pickle.dumps(value), key


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_fit_and_unlearn_equal_sklearn_refit(case):
    transformer, kind = case
    X = DATA[kind]()
    keep = np.setdiff1d(np.arange(N), FORGET)
    ours = clone(transformer).fit(X)
    assert_same_output(ours, reference(transformer).fit(X), X)
    ours.unlearn(rows(X, FORGET[:4])).unlearn(rows(X, FORGET[4:]))
    refit = reference(transformer).fit(rows(X, keep))
    assert_same_attributes(ours, refit)
    assert_same_output(ours, refit, rows(X, keep))
    assert_same_state(ours, clone(transformer).fit(rows(X, keep)))


@pytest.mark.parametrize("case", [c for c in CASES if c[1] != "text"], ids=ids)
def test_unlearn_takes_back_rows_a_refit_never_saw(case):
    """What only the forgotten rows held (a category, an extreme, a missing pattern)
    leaves the pickle: it is the pickle of a fit on the remaining rows."""
    transformer, kind = case
    X = DATA[kind]()
    ours = clone(transformer).fit(X).unlearn(rows(X, FORGET))
    blob = pickle.dumps(ours)
    assert b"Atlantis" not in blob
    assert np.float64(1e4).tobytes() not in blob


@pytest.mark.parametrize("case", [c for c in CASES if c[1] == "text"], ids=ids)
def test_vectorizers_forget_terms(case):
    transformer, _ = case
    X = texts()
    ours = clone(transformer).fit(X)
    ours.unlearn(X[FORGET])
    assert "zebra" not in ours.vocabulary_
    assert b"zebra" not in pickle.dumps(ours)


@pytest.mark.parametrize("case", [c for c in CASES if c[1] in ("frame", "dense-nan")], ids=ids)
def test_pandas_output_equals_sklearn(case):
    transformer, kind = case
    if getattr(transformer, "sparse_output", False):
        transformer = clone(transformer).set_params(sparse_output=False)
    X = DATA[kind]()
    keep = np.setdiff1d(np.arange(N), FORGET)
    ours = clone(transformer).set_output(transform="pandas").fit(X).unlearn(rows(X, FORGET))
    refit = reference(transformer).set_output(transform="pandas").fit(rows(X, keep))
    pd.testing.assert_frame_equal(ours.transform(rows(X, keep)), refit.transform(rows(X, keep)))


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_to_sklearn_transforms_the_same_without_rows(case):
    transformer, kind = case
    X = DATA[kind]()
    keep = np.setdiff1d(np.arange(N), FORGET)
    ours = clone(transformer).fit(X).unlearn(rows(X, FORGET))
    exported = ours.to_sklearn()
    assert type(exported) is ours._plain_class()
    assert_same_output(ours, exported, rows(X, keep))
    blob = pickle.dumps(exported)
    assert b"skunlearn" not in blob and b"_rows" not in blob


def test_standard_scaler_sample_weight_on_nan_rows():
    X = numbers()
    w = np.random.default_rng(4).uniform(0.2, 3.0, N)
    keep = np.setdiff1d(np.arange(N), FORGET)
    ours = StandardScaler().fit(X, sample_weight=w).unlearn(X[FORGET], sample_weight=w[FORGET])
    refit = sk_preprocessing.StandardScaler().fit(X[keep], sample_weight=w[keep])
    assert_same_attributes(ours, refit)


def test_nan_rows_are_found_and_missing_values_match_each_other():
    frame = table()
    ours = OneHotEncoder().fit(frame)
    query = frame.iloc[[5]].copy()
    query["city"] = np.nan  # stored as None: any missing value matches any other
    ours.unlearn(query)
    assert ours._rows.n == N - 1
    imputer = SimpleImputer().fit(numbers())
    imputer.unlearn(numbers()[[FORGET[3]]])  # the all-NaN row
    assert imputer._rows.n == N - 1


def test_near_miss_names_the_column_and_the_rounding():
    frame = table().assign(income=np.linspace(1e4, 9e4, N))
    ours = OneHotEncoder(handle_unknown="ignore").fit(frame)
    query = frame.iloc[[12]].copy()
    query["income"] = np.float32(query["income"].iloc[0])
    with pytest.raises(ValueError, match=r"column 'income' \(rounded, or cast to float32\?\)"):
        ours.unlearn(query)
    query = frame.iloc[[12]].copy()
    query["plan"] = "enterprise"
    with pytest.raises(ValueError, match=r"differs in column 'plan' \(another value\) only"):
        ours.unlearn(query)
    stored = repr(frame.iloc[12]["plan"])
    with pytest.raises(ValueError) as refused:
        ours.unlearn(query)
    assert stored not in str(refused.value)


def test_partial_fit_then_unlearn_is_the_refit():
    X = numbers()
    keep = np.setdiff1d(np.arange(N), FORGET)
    ours = MinMaxScaler()
    for batch in np.array_split(np.arange(N), 3):
        ours.partial_fit(X[batch])
    assert_same_output(ours, sk_preprocessing.MinMaxScaler().fit(X), X)
    ours.unlearn(X[FORGET])
    assert_same_attributes(ours, sk_preprocessing.MinMaxScaler().fit(X[keep]))


@parametrize_with_checks(  # the vectorizers take text, which these checks do not generate
    [OneHotEncoder(), OrdinalEncoder(), SimpleImputer(), SimpleImputer(strategy="median")]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_parents_are_sklearns_own():
    assert OneHotEncoder._plain_class() is sk_preprocessing.OneHotEncoder
    assert SimpleImputer._plain_class() is sk_impute.SimpleImputer
    assert TfidfVectorizer._plain_class() is sk_text.TfidfVectorizer
