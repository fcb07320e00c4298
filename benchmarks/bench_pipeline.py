"""What a pipeline unlearning costs: k rows out of n, against refitting the pipeline.

Two pipelines, each unlearning ``k`` rows (by id) out of ``n`` and checked against
scikit-learn's pipeline refit on the remaining rows:

1. The customer table: a ``ColumnTransformer`` of ``OneHotEncoder`` on two string
   columns and ``SimpleImputer(median)`` + ``StandardScaler`` on two numeric
   columns with NaN, an id column dropped, into ``LogisticRegression``
   (10 features).
2. Text: ``TfidfVectorizer(min_df=2)`` into ``LogisticRegression`` on a generated
   corpus (a vocabulary of a few thousand terms, CSR throughout).

Columns: skunlearn's ``Pipeline.unlearn``; scikit-learn's pipeline refit with a
tight ``newton-cholesky`` (tol=1e-12, the oracle the unlearning matches) and with
its defaults (``lbfgs``, tol=1e-4, which stops short of the oracle); the largest
probability difference between the unlearned pipeline and the tight refit.
Unlearning refits every transformer on the remaining rows (their statistics
are not downdated: the privacy rule), so its cost is that of the transformers'
refit plus the final model's Newton removal; it wins where the final model's fit
dominates.

Run ``python benchmarks/bench_pipeline.py`` (n up to 1e5; a few minutes) or
``--quick`` (small n, for CI).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import impute as sk_impute
from sklearn import linear_model as sk_linear
from sklearn import preprocessing as sk_preprocessing
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import text as sk_text
from sklearn.pipeline import make_pipeline as sk_make_pipeline

try:
    import skunlearn  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skunlearn import LogisticRegression  # noqa: E402
from skunlearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from skunlearn.impute import SimpleImputer  # noqa: E402
from skunlearn.pipeline import make_pipeline  # noqa: E402
from skunlearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402


def customers(n, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(n)],
            "city": rng.choice(["Lyon", "Oslo", "Rome", "Pisa"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "plan": rng.choice(["basic", "pro", "team"], n),
            "age": rng.normal(45, 12, n).round(),
            "income": rng.lognormal(10.5, 0.4, n),
        }
    )
    frame.loc[rng.uniform(size=n) < 0.1, "age"] = np.nan
    frame.loc[rng.uniform(size=n) < 0.1, "income"] = np.nan
    logit = (frame.plan == "pro") - 0.03 * (frame.age.fillna(45) - 45) - 0.5
    return frame, (logit + rng.logistic(size=n) > 0).to_numpy().astype(int)


def customer_pipeline(ours, solver=None):
    if ours:
        parts = OneHotEncoder(), SimpleImputer(strategy="median"), StandardScaler()
        final, pipeline = LogisticRegression(), make_pipeline
    else:
        parts = (
            sk_preprocessing.OneHotEncoder(),
            sk_impute.SimpleImputer(strategy="median"),
            sk_preprocessing.StandardScaler(),
        )
        final, pipeline = solver, sk_make_pipeline
    columns = ColumnTransformer(
        [("cat", parts[0], ["city", "plan"]), ("num", pipeline(*parts[1:]), ["age", "income"])]
    )
    return pipeline(columns, final)


def corpus(n, seed=0):
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"t{i}" for i in range(4 * int(np.sqrt(n)) + 500)])
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)  # Zipf
    weights /= weights.sum()
    labels = rng.integers(0, 2, n)
    cues = [vocabulary[:50], vocabulary[50:100]]
    documents = [
        " ".join(np.r_[rng.choice(vocabulary, 20, p=weights), rng.choice(cues[label], 2)])
        for label in labels
    ]
    return pd.Series(documents, index=[f"doc{i}" for i in range(n)]), labels


def text_pipeline(ours, solver=None):
    if ours:
        return make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression())
    return sk_make_pipeline(sk_text.TfidfVectorizer(min_df=2), solver)


TIGHT = {"solver": "newton-cholesky", "tol": 1e-12}


def measure(name, X, y, build, ids, k, rng):
    pipe = build(True).fit(X, y, sample_id=ids)
    forget = rng.choice(len(y), k, replace=False)
    start = time.perf_counter()
    pipe.unlearn(ids=ids[forget])
    unlearn = time.perf_counter() - start
    keep = np.setdiff1d(np.arange(len(y)), forget)
    remaining = X.iloc[keep]
    times = {}
    for label, solver in (("tight", TIGHT), ("default", {})):
        start = time.perf_counter()
        refit = build(False, sk_linear.LogisticRegression(**solver)).fit(remaining, y[keep])
        times[label] = time.perf_counter() - start
        if label == "tight":
            gap = np.abs(pipe.predict_proba(remaining) - refit.predict_proba(remaining)).max()
    tight, default = 1e3 * times["tight"], 1e3 * times["default"]
    print(
        f"{name:<10}{len(y):>9,}{pipe[-1].coef_.shape[1]:>7}{k:>6}{1e3 * unlearn:>12.0f}"
        f"{tight:>12.0f}{default:>12.0f}{times['tight'] / unlearn:>8.1f}{gap:>12.1e}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small n, for CI")
    args = parser.parse_args(argv)
    sizes = [5_000] if args.quick else [10_000, 100_000]
    text_sizes = [2_000] if args.quick else [5_000, 20_000]
    rng = np.random.default_rng(1)
    print("One Pipeline.unlearn of k rows (by id) against scikit-learn's refit [ms]")
    print(
        f"{'pipeline':<10}{'n':>9}{'d':>7}{'k':>6}{'unlearn':>12}{'refit 1e-12':>12}"
        f"{'refit dflt':>12}{'speedup':>8}{'max |dp|':>12}"
    )
    for n in sizes:
        X, y = customers(n)
        ids = X["customer_id"].to_numpy()
        for k in (1, max(1, n // 100)):
            measure("customers", X, y, customer_pipeline, ids, k, rng)
    for n in text_sizes:
        X, y = corpus(n)
        ids = X.index.to_numpy()
        for k in (1, max(1, n // 100)):
            measure("text", X, y, text_pipeline, ids, k, rng)
    print(
        "\nspeedup: the tight refit (the oracle) over the unlearning. The default refit "
        "stops short of the oracle (lbfgs at tol=1e-4)."
    )


if __name__ == "__main__":
    main()
