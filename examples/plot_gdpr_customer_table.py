"""
======================================================
A GDPR deletion request on a customer table
======================================================

A churn model is trained on a customer table: an id, two string columns,
numbers with missing values. Customers then ask to be forgotten (GDPR
article 17), by customer id, in batches; some requests are sent twice; a
last batch arrives as rows exported from the database. The model must become
the one trained without them: the encoder must lose a city that only they
lived in, the imputer's medians and the scaler's statistics must be those of
the remaining customers, and the logistic regression the refit on them.
:class:`skunlearn.pipeline.Pipeline` does this for every step [1]_; we check
each request against scikit-learn's pipeline refit on the remaining rows and
compare with unlearning the final model alone, which leaves the preprocessing
fitted on the deleted customers. Finally :meth:`~skunlearn.pipeline.Pipeline.to_sklearn`
exports a serving model that holds no customer row.

.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher, "Ascent
   Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

# %%
# The customer table and the two pipelines
# ----------------------------------------
# 3,000 customers; 5% of them, among them the only two who live in
# "Atlantis", will ask to be deleted. The id column is kept in the table (it
# is how requests arrive) and dropped by the column transformer.
import pickle
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn import impute as sk_impute
from sklearn import linear_model as sk_linear
from sklearn import preprocessing as sk_preprocessing
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline as sk_make_pipeline

from skunlearn import LogisticRegression
from skunlearn.exceptions import ForgetRequestWarning
from skunlearn.impute import SimpleImputer
from skunlearn.pipeline import make_pipeline
from skunlearn.preprocessing import OneHotEncoder, StandardScaler

rng = np.random.default_rng(0)
N = 3000
customers = pd.DataFrame(
    {
        "customer_id": [f"C{i:06d}" for i in range(N)],
        "city": rng.choice(["Lyon", "Oslo", "Rome", "Pisa"], N, p=[0.4, 0.3, 0.2, 0.1]),
        "plan": rng.choice(["basic", "pro", "team"], N),
        "age": rng.normal(45, 12, N).round(),
        "income": rng.lognormal(10.5, 0.4, N),
    }
)
customers.loc[rng.uniform(size=N) < 0.1, "age"] = np.nan
customers.loc[rng.uniform(size=N) < 0.1, "income"] = np.nan
customers.loc[[11, 12], "city"] = "Atlantis"
logit = (customers.plan == "pro") - 0.03 * (customers.age.fillna(45) - 45) - 0.5
churn = np.where(logit + rng.logistic(size=N) > 0, "churned", "stayed")


def churn_pipeline(lib):
    """The same pipeline from skunlearn's or scikit-learn's parts."""
    if lib == "skunlearn":
        encode, impute, scale = OneHotEncoder(), SimpleImputer(strategy="median"), StandardScaler()
        model, pipeline = LogisticRegression(C=0.5), make_pipeline
    else:
        encode = sk_preprocessing.OneHotEncoder()
        impute = sk_impute.SimpleImputer(strategy="median")
        scale = sk_preprocessing.StandardScaler()
        model = sk_linear.LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12)
        pipeline = sk_make_pipeline
    columns = ColumnTransformer(
        [
            ("cat", encode, ["city", "plan"]),
            ("num", pipeline(impute, scale), ["age", "income"]),
        ],
        remainder="drop",
    )
    return pipeline(columns, model)


pipe = churn_pipeline("skunlearn").fit(customers, churn, sample_id=customers["customer_id"])
stale = churn_pipeline("skunlearn").fit(customers, churn)

# %%
# The requests
# ------------
# Five batches of ids (5% of the customers, the two in Atlantis in the first),
# each checked against scikit-learn's pipeline refit on the remaining rows
# (timed); then a retried batch; then 1% of the customers as exported rows.
others = np.setdiff1d(np.arange(N), [11, 12])
by_id = np.r_[11, 12, rng.choice(others, N // 20 - 2, replace=False)]
by_row = rng.choice(np.setdiff1d(others, by_id), N // 100, replace=False)
requests = [("ids", batch) for batch in np.array_split(by_id, 5)] + [("rows", by_row)]
forgotten = np.zeros(N, dtype=bool)
gaps, stale_gaps, unlearn_seconds, refit_seconds = [], [], [], []
for kind, batch in requests:
    start = time.perf_counter()
    if kind == "ids":
        pipe.unlearn(ids=customers["customer_id"].iloc[batch])
    else:
        pipe.unlearn(customers.iloc[batch])
    unlearn_seconds.append(time.perf_counter() - start)
    stale[-1].unlearn(stale[0].transform(customers.iloc[batch]), churn[batch])  # alone
    forgotten[batch] = True
    remaining = customers[~forgotten]
    start = time.perf_counter()
    oracle = churn_pipeline("scikit-learn").fit(remaining, churn[~forgotten])
    refit_seconds.append(time.perf_counter() - start)
    truth = oracle.predict_proba(remaining)
    gaps.append(np.abs(pipe.predict_proba(remaining) - truth).max())
    stale_gaps.append(np.abs(stale.predict_proba(remaining) - truth).max())
    print(
        f"request {len(gaps)} ({len(batch):3d} {kind}): max |p - p_refit| = {gaps[-1]:.1e} "
        f"(final step alone: {stale_gaps[-1]:.1e}); unlearn {1e3 * unlearn_seconds[-1]:.0f} ms, "
        f"refit {1e3 * refit_seconds[-1]:.0f} ms"
    )

# %%
# A retried request, a rounded copy, and the serving export
# ---------------------------------------------------------
# The first batch of ids is sent again with ``missing="ignore"``: a reported
# no-op. A row copied with its income rounded to cents matches no customer;
# the error says which column differs, and by how little, without quoting the
# stored value. ``to_sklearn()`` returns scikit-learn's pipeline with the same
# predictions and none of the rows the skunlearn pipeline keeps to unlearn.
before = pickle.dumps(pipe)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    pipe.unlearn(ids=customers["customer_id"].iloc[requests[0][1]], missing="ignore")
retried_is_noop = pickle.dumps(pipe) == before and any(
    issubclass(w.category, ForgetRequestWarning) for w in caught
)
rounded = customers.iloc[[100]].assign(income=lambda frame: frame.income.round(2))
try:
    pipe.unlearn(rounded)
    near_miss = ""
except ValueError as error:
    near_miss = str(error)
print("a rounded copy:", near_miss)
served = pipe.to_sklearn()
blob, served_blob = pickle.dumps(pipe), pickle.dumps(served)
kept_ids = customers["customer_id"][~forgotten]
encoder = pipe[0].named_transformers_["cat"]
print(f"model file: {len(blob) / 1e3:.0f} kB with rows, {len(served_blob) / 1e3:.1f} kB exported")

checks = {
    "every request matches scikit-learn's pipeline refit to 1e-8": max(gaps) <= 1e-8,
    "unlearning the final step alone leaves an error above 1e-6": min(stale_gaps) > 1e-6,
    "the city only forgotten customers lived in is gone": "Atlantis" not in encoder.categories_[0]
    and b"Atlantis" not in blob,
    "no forgotten customer id remains in the model file": not any(
        customer.encode() in blob for customer in customers["customer_id"][forgotten]
    )
    and kept_ids.iloc[0].encode() in blob,
    "a retried request is a reported no-op": retried_is_noop,
    "a rounded copy is refused, naming the column": "'income'" in near_miss
    and "rounded" in near_miss,
    "to_sklearn() predicts the same and holds no customer row": np.array_equal(
        served.predict_proba(customers[~forgotten]), pipe.predict_proba(customers[~forgotten])
    )
    and kept_ids.iloc[0].encode() not in served_blob,
}
for claim, ok in checks.items():
    print(f"{claim}: {'agrees' if ok else 'does not agree'}")
print("GDPR deletion on a customer table:", "agrees" if all(checks.values()) else "does not agree")
if not all(checks.values()):
    raise SystemExit("GDPR deletion on a customer table: a check does not agree (see above)")

# %%
# The figure
# ----------
# Left: after each request, the largest probability difference to the refit,
# for the unlearned pipeline and for the final step unlearned alone. Right:
# the time of each unlearning against scikit-learn's refit of the pipeline.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
labels = [f"{i + 1}\n{kind}" for i, (kind, _) in enumerate(requests)]
positions = np.arange(len(requests))
left.semilogy(positions, stale_gaps, "o-", label="final step alone")
left.semilogy(positions, np.maximum(gaps, 1e-17), "s-", label="Pipeline.unlearn")
left.set_xticks(positions, labels)
left.set_ylabel("max |p - p_refit| over remaining customers")
left.set_title("Distance to the refit after each request")
left.legend()
right.bar(positions - 0.2, np.multiply(unlearn_seconds, 1e3), 0.4, label="Pipeline.unlearn")
right.bar(positions + 0.2, np.multiply(refit_seconds, 1e3), 0.4, label="scikit-learn refit")
right.set_xticks(positions, labels)
right.set_ylabel("milliseconds")
right.set_title("Time per request")
right.legend()
fig.tight_layout()
plt.show()
