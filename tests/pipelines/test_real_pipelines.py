"""Pipelines on real data: a customer table and a text corpus, deleted by id and by row.

Each unlearned pipeline is compared with scikit-learn's pipeline refit on the
remaining rows (probabilities within 1e-8, same categories and vocabulary, same
output columns), including when forgetting makes a category or a term vanish or an
infrequent category become a column of its own, so that the final model's feature
space changes.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from fingerprints import assert_same_state
from sklearn import impute as sk_impute
from sklearn import linear_model as sk_linear
from sklearn import preprocessing as sk_preprocessing
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import text as sk_text
from sklearn.pipeline import make_pipeline as sk_make_pipeline

from skunlearn import LogisticRegression, Ridge
from skunlearn.exceptions import ForgetRequestWarning
from skunlearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from skunlearn.impute import SimpleImputer
from skunlearn.pipeline import StepNotUnlearnableError, make_pipeline
from skunlearn.preprocessing import MaxAbsScaler, OneHotEncoder, StandardScaler
from skunlearn.unlearners import DescentAscent

OURS = {
    "onehot": OneHotEncoder,
    "impute": SimpleImputer,
    "scale": StandardScaler,
    "logistic": LogisticRegression,
    "ridge": Ridge,
    "tfidf": TfidfVectorizer,
    "count": CountVectorizer,
    "maxabs": MaxAbsScaler,
    "pipeline": make_pipeline,
}
SKLEARN = {
    "onehot": sk_preprocessing.OneHotEncoder,
    "impute": sk_impute.SimpleImputer,
    "scale": sk_preprocessing.StandardScaler,
    "logistic": lambda **kw: sk_linear.LogisticRegression(
        solver="newton-cholesky", tol=1e-12, **kw
    ),
    "ridge": sk_linear.Ridge,
    "tfidf": sk_text.TfidfVectorizer,
    "count": sk_text.CountVectorizer,
    "maxabs": sk_preprocessing.MaxAbsScaler,
    "pipeline": sk_make_pipeline,
}


def customers(n=400, seed=0):
    """A customer table: ids, two string columns, numbers with NaN, churn labels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "city": rng.choice(["Lyon", "Oslo", "Rome", "Pisa"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "plan": rng.choice(["basic", "pro", "team"], n),
            "age": rng.normal(45, 12, n).round(),
            "income": rng.lognormal(10.5, 0.4, n),
        }
    )
    frame.loc[rng.uniform(size=n) < 0.1, "age"] = np.nan
    frame.loc[rng.uniform(size=n) < 0.1, "income"] = np.nan
    frame.loc[[7, 8], "city"] = "Atlantis"  # held only by customers who will be forgotten
    score = (frame.plan == "pro") - 0.02 * (frame.age.fillna(45) - 45) + rng.logistic(size=n)
    return frame, np.where(score > 0.5, "churned", "stayed")


def customer_pipeline(kind, **onehot):
    lib = OURS if kind == "ours" else SKLEARN
    numeric = lib["pipeline"](lib["impute"](strategy="median"), lib["scale"]())
    columns = ColumnTransformer(
        [("cat", lib["onehot"](**onehot), ["city", "plan"]), ("num", numeric, ["age", "income"])],
        remainder="drop",  # the id column is dropped
    )
    return lib["pipeline"](columns, lib["logistic"](C=0.5))


@pytest.fixture(scope="module")
def table():
    return customers()


def test_customer_table_forget_by_id_then_by_rows(table):
    """The issue's acceptance check: 5% of the customers by id, then 1% by rows."""
    frame, y = table
    pipe = customer_pipeline("ours").fit(frame, y, sample_id=frame["customer_id"])
    rng = np.random.default_rng(1)
    others = np.setdiff1d(np.arange(len(frame)), [7, 8])
    by_id = np.r_[7, 8, rng.choice(others, 18, replace=False)]
    pipe.unlearn(ids=frame["customer_id"].iloc[by_id])
    by_row = rng.choice(np.setdiff1d(others, by_id), 4, replace=False)
    pipe.unlearn(frame.iloc[by_row])
    keep = np.setdiff1d(np.arange(len(frame)), np.r_[by_id, by_row])
    oracle = customer_pipeline("sklearn").fit(frame.iloc[keep], y[keep])
    gap = np.abs(pipe.predict_proba(frame.iloc[keep]) - oracle.predict_proba(frame.iloc[keep]))
    assert gap.max() <= 1e-8
    ours_cat, their_cat = pipe[0].named_transformers_["cat"], oracle[0].named_transformers_["cat"]
    for mine, theirs in zip(ours_cat.categories_, their_cat.categories_, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert "Atlantis" not in ours_cat.categories_[0]
    assert pipe[-1].coef_.shape == oracle[-1].coef_.shape == (1, 9)
    assert pipe.n_forgotten_ == 24


def test_customer_table_state_is_the_refit_state(table):
    """Bit for bit: the unlearned pipeline pickles as the pipeline fitted on the remaining
    customers (raw rows, ids, every step's rows and statistics, the model)."""
    frame, y = table
    ids = frame["customer_id"]
    pipe = customer_pipeline("ours").fit(frame, y, sample_id=ids)
    forget = np.r_[7, 8, 30, 31, 200]
    pipe.unlearn(ids=ids.iloc[forget])
    keep = np.setdiff1d(np.arange(len(frame)), forget)
    refit = customer_pipeline("ours").fit(frame.iloc[keep], y[keep], sample_id=ids.iloc[keep])
    assert_same_state(pipe, refit)
    blob = pickle.dumps(pipe)
    assert b"Atlantis" not in blob and b"C00030" not in blob and b"C00032" in blob


def test_customer_table_to_sklearn(table):
    frame, y = table
    pipe = customer_pipeline("ours").fit(frame, y, sample_id="index")
    pipe.unlearn(ids=[7, 8, 9])
    exported = pipe.to_sklearn()
    assert type(exported).__module__.startswith("sklearn")
    known = frame.iloc[9:]
    np.testing.assert_array_equal(exported.predict_proba(known), pipe.predict_proba(known))
    blob = pickle.dumps(exported)
    assert b"skunlearn" not in blob
    assert b"C00010" not in blob  # no raw row, kept or not
    assert np.float64(frame["income"].iloc[10]).tobytes() not in blob


def test_customer_table_retried_and_unknown_ids(table):
    frame, y = table
    pipe = customer_pipeline("ours").fit(frame, y, sample_id=frame["customer_id"])
    pipe.unlearn(ids=["C00003"])
    before = pickle.dumps(pipe)
    with pytest.raises(ValueError, match=r"ids\[1\] is not the id of a training row"):
        pipe.unlearn(ids=["C00004", "C00003"])
    with pytest.raises(ValueError, match=r"ids\[1\] repeats ids\[0\]"):
        pipe.unlearn(ids=["C00004", "C00004"])
    assert pickle.dumps(pipe) == before
    with pytest.warns(ForgetRequestWarning, match="1 of the 2 ids"):
        pipe.unlearn(ids=["C00003", "C00004"], missing="ignore")
    assert pipe.n_forgotten_ == 2
    with pytest.warns(ForgetRequestWarning, match="2 of the 2 ids"):
        pipe.unlearn(ids=["C00003", "C99999"], missing="ignore")
    assert pipe.n_forgotten_ == 2


def test_customer_table_near_miss(table):
    frame, y = table
    pipe = customer_pipeline("ours").fit(frame, y)
    query = frame.iloc[[12]].copy()
    query["income"] = query["income"].round(2)
    with pytest.raises(ValueError, match=r"column 'income' \(rounded, or cast to float32\?\)"):
        pipe.unlearn(query)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ForgetRequestWarning, match="changed by rounding"):
            pipe.unlearn(query, missing="ignore")


def test_unknown_category_needs_an_exact_unlearner(table):
    """A category held only by forgotten rows: the refitted encoder (handle_unknown="error")
    cannot encode them, so an unlearner that reads them is refused; Newton is not."""
    frame, y = table
    pipe = customer_pipeline("ours")
    pipe.set_params(logisticregression__unlearner=DescentAscent(max_iter=5)).fit(frame, y)
    before = pickle.dumps(pipe)
    with pytest.raises(ValueError, match="cannot transform the forgotten rows"):
        pipe.unlearn(frame.iloc[[7, 8]])
    assert pickle.dumps(pipe) == before
    ignoring = customer_pipeline("ours", handle_unknown="ignore")
    ignoring.set_params(logisticregression__unlearner=DescentAscent(max_iter=5)).fit(frame, y)
    ignoring.unlearn(frame.iloc[[7, 8]])
    assert ignoring[-1].coef_.shape == (1, 9)


def test_an_infrequent_category_becomes_a_column():
    """min_frequency is a fraction of the rows: forgetting rows of other categories lifts
    'Pisa' over it, a new output column that the final model starts at 0."""
    rng = np.random.default_rng(3)
    city = np.array(["Lyon"] * 60 + ["Oslo"] * 30 + ["Pisa"] * 10)
    frame = pd.DataFrame({"city": city, "x": rng.normal(size=100)})
    y = (frame.x + (frame.city == "Pisa") + rng.logistic(size=100) > 0.5).astype(int)

    def build(lib):
        columns = ColumnTransformer(
            [("cat", lib["onehot"](min_frequency=0.11), ["city"])], remainder="passthrough"
        )
        return lib["pipeline"](columns, lib["ridge"](alpha=0.3))

    pipe = build(OURS).fit(frame, y)
    assert pipe[0].get_feature_names_out().tolist()[-2] == "cat__city_infrequent_sklearn"
    forget = np.arange(15)  # Lyon rows: Pisa is now 10 of 85
    pipe.unlearn(frame.iloc[forget])
    keep = np.arange(15, 100)
    oracle = build(SKLEARN).fit(frame.iloc[keep], y[keep])
    names = oracle[0].get_feature_names_out().tolist()
    assert "cat__city_Pisa" in names
    assert pipe[0].get_feature_names_out().tolist() == names
    np.testing.assert_allclose(pipe.predict(frame), oracle.predict(frame), rtol=1e-10)


def test_a_class_and_a_category_vanish_together():
    rng = np.random.default_rng(4)
    n = 150
    frame = pd.DataFrame({"shop": rng.choice(["a", "b", "c"], n), "x": rng.normal(size=n)})
    y = rng.choice(["gold", "silver", "bronze"], n)
    frame.loc[:4, "shop"], y[:5] = "z", "platinum"  # a class and a category only they hold

    def build(lib):
        columns = ColumnTransformer([("shop", lib["onehot"](), ["shop"])], remainder="passthrough")
        return lib["pipeline"](columns, lib["logistic"]())

    pipe = build(OURS).fit(frame, y).unlearn(frame.iloc[:5])
    oracle = build(SKLEARN).fit(frame.iloc[5:], y[5:])
    np.testing.assert_array_equal(pipe.classes_, oracle.classes_)
    np.testing.assert_allclose(
        pipe.predict_proba(frame.iloc[5:]), oracle.predict_proba(frame.iloc[5:]), atol=1e-8
    )


def corpus(n=240, seed=5):
    rng = np.random.default_rng(seed)
    good, bad = [f"good{i}" for i in range(15)], [f"bad{i}" for i in range(15)]
    neutral = [f"word{i}" for i in range(60)]
    labels = rng.integers(0, 2, n)
    documents = []
    for label in labels:
        own = good if label else bad
        words = list(rng.choice(neutral, rng.integers(4, 10))) + list(rng.choice(own, 2))
        documents.append(" ".join(words))
    for i, rare in ((3, "zebra"), (4, "zebra unicorn"), (5, "quokka")):
        documents[i] += f" {rare}"  # terms only these documents hold
    return documents, labels


def test_tfidf_logistic_forgets_terms():
    """The issue's text check: documents holding the only occurrences of some terms."""
    documents, y = corpus()

    def build(lib):
        return lib["pipeline"](lib["tfidf"](min_df=1, sublinear_tf=True), lib["logistic"](C=4.0))

    pipe = build(OURS).fit(documents, y)
    assert {"zebra", "unicorn", "quokka"} <= set(pipe[0].vocabulary_)
    forget = [3, 4, 5, 17, 90]
    pipe.unlearn([documents[i] for i in forget])
    keep = np.setdiff1d(np.arange(len(documents)), forget)
    remaining = [documents[i] for i in keep]
    oracle = build(SKLEARN).fit(remaining, y[keep])
    assert pipe[0].vocabulary_ == oracle[0].vocabulary_
    np.testing.assert_array_equal(pipe[0].idf_, oracle[0].idf_)
    gap = np.abs(pipe.predict_proba(documents) - oracle.predict_proba(documents)).max()
    assert gap <= 1e-8
    assert b"zebra" not in pickle.dumps(pipe)


def test_sparse_counts_maxabs_logistic_with_min_df():
    """Counts stay CSR through MaxAbsScaler; min_df drops a term that falls under it."""
    documents, y = corpus(seed=6)
    documents[10] += " rare"
    documents[11] += " rare"

    def build(lib):
        return lib["pipeline"](lib["count"](min_df=2), lib["maxabs"](), lib["logistic"]())

    pipe = build(OURS).fit(documents, y)
    assert "rare" in pipe[0].vocabulary_ and sp.issparse(pipe[-1]._rows.X)
    pipe.unlearn(documents[10:11])
    keep = np.r_[0:10, 11 : len(documents)]
    oracle = build(SKLEARN).fit([documents[i] for i in keep], y[keep])
    assert "rare" not in pipe[0].vocabulary_
    assert pipe[0].vocabulary_ == oracle[0].vocabulary_
    np.testing.assert_allclose(
        pipe.predict_proba(documents), oracle.predict_proba(documents), atol=1e-8
    )


def test_ids_from_the_index_and_in_a_text_pipeline():
    documents, y = corpus()
    series = pd.Series(documents, index=[f"ticket-{i:04d}" for i in range(len(documents))])
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(series, y, sample_id="index")
    pipe.unlearn(ids=["ticket-0003", "ticket-0004"])
    oracle = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(
        series.drop(["ticket-0003", "ticket-0004"]), np.delete(y, [3, 4])
    )
    np.testing.assert_allclose(
        pipe.predict_proba(documents), oracle.predict_proba(documents), atol=1e-8
    )
    blob = pickle.dumps(pipe)
    assert b"ticket-0003" not in blob and b"ticket-0005" in blob


def test_plain_encoder_refused_or_refitted(table):
    frame, y = table
    columns = ColumnTransformer(
        [("cat", sk_preprocessing.OneHotEncoder(), ["city", "plan"])], remainder="drop"
    )
    pipe = make_pipeline(columns, LogisticRegression()).fit(frame, y)
    message = "Part 'cat' of step 'columntransformer' .OneHotEncoder from sklearn"
    with pytest.raises(StepNotUnlearnableError, match=message):
        pipe.unlearn(frame.iloc[[7]])
    pipe = make_pipeline(clone(columns), LogisticRegression(), refit_unsupported=True)
    pipe.fit(frame, y).unlearn(frame.iloc[[7, 8]])
    keep = np.r_[0:7, 9 : len(frame)]
    oracle = sk_make_pipeline(clone(columns), SKLEARN["logistic"]()).fit(frame.iloc[keep], y[keep])
    known = frame.iloc[keep]
    np.testing.assert_allclose(pipe.predict_proba(known), oracle.predict_proba(known), atol=1e-8)


@pytest.mark.parametrize("kind", ["dense-nan", "csr"])
def test_numeric_arrays_with_nan_or_sparse(kind):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 6)) * [1, 10, 100, 1, 1, 5]
    X[rng.uniform(size=X.shape) < 0.2] = np.nan if kind == "dense-nan" else 0.0
    X[:3, 2] = np.nan if kind == "dense-nan" else 1e4  # missing or extreme only in forgotten rows
    y = (np.nan_to_num(X) @ rng.normal(size=6) + rng.logistic(size=300) > 0).astype(int)
    if kind == "csr":
        X = sp.csr_matrix(X)

    def build(lib):
        first = lib["impute"](strategy="median") if kind == "dense-nan" else lib["maxabs"]()
        return lib["pipeline"](first, lib["maxabs"](), lib["logistic"]())

    pipe = build(OURS).fit(X, y)
    pipe.unlearn(X[:3]).unlearn(X[[10, 11]])
    keep = np.r_[3:10, 12:300]
    oracle = build(SKLEARN).fit(X[keep], y[keep])
    np.testing.assert_allclose(pipe.predict_proba(X), oracle.predict_proba(X), atol=1e-8)
    assert np.float64(1e4).tobytes() not in pickle.dumps(pipe)
