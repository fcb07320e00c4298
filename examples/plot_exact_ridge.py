"""
=======================================================
Exact ridge unlearning: downdating against refitting
=======================================================

For ridge regression unlearning needs no approximation: :class:`skunlearn.Ridge`
keeps the centred Gram statistics ``X^T X`` and ``X^T y``, subtracts each
forgotten row and solves again, in ``O(k d^2 + d^3)`` whatever the number of
rows (paper-notes section 5, the convex method users would otherwise pick
instead of ascent [1]_). We delete rows one at a time, from the diabetes data
and from a larger generated problem, and compare every step with
:class:`sklearn.linear_model.Ridge` refitted on the remaining rows: the
coefficients agree to rounding, and downdating is much faster than the refit.

.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher, "Ascent
   Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

# %%
# Deleting rows one by one
# ------------------------
# At each step we forget one random remaining row with
# ``Ridge.unlearn`` (timed), refit scikit-learn's ``Ridge`` on the remaining
# rows (timed), and record the largest coefficient difference relative to the
# coefficients' size.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes, make_regression
from sklearn.linear_model import Ridge as SklearnRidge

from skunlearn import Ridge

ALPHA = 1.0


def delete_one_by_one(X, y, n_deletions, seed=0):
    """Per-deletion times of downdating and refitting, and their relative difference."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))[:n_deletions]
    keep = np.ones(len(X), dtype=bool)
    model = Ridge(alpha=ALPHA).fit(X, y)
    records = []
    for row in order:
        start = time.perf_counter()
        model.unlearn(X[row : row + 1], y[row : row + 1])
        downdate = time.perf_counter() - start
        keep[row] = False
        start = time.perf_counter()
        refit = SklearnRidge(alpha=ALPHA).fit(X[keep], y[keep])
        refit_time = time.perf_counter() - start
        error = np.max(np.abs(model.coef_ - refit.coef_)) / np.max(np.abs(refit.coef_))
        records.append((downdate, refit_time, error))
    return np.array(records)


X_diabetes, y_diabetes = load_diabetes(return_X_y=True)
X_large, y_large = make_regression(n_samples=20_000, n_features=50, noise=5.0, random_state=0)
runs = {
    "diabetes (442 x 10)": delete_one_by_one(X_diabetes, y_diabetes, 150),
    "generated (20,000 x 50)": delete_one_by_one(X_large, y_large, 30),
}
for name, records in runs.items():
    downdate, refit, error = np.median(records[:, 0]), np.median(records[:, 1]), records[:, 2]
    print(
        f"{name}: median downdate {1e3 * downdate:.2f} ms, median refit {1e3 * refit:.2f} ms "
        f"({refit / downdate:.0f}x), max relative coefficient error {error.max():.1e}"
    )

# %%
# Verdict
# -------
# Exactness: every step within 1e-9 of the refit, with no drift as deletions
# accumulate. Speed: downdating beats the refit on the large problem.
large = runs["generated (20,000 x 50)"]
checks = {
    "downdating equals the refit (relative error < 1e-9) at every step": all(
        records[:, 2].max() < 1e-9 for records in runs.values()
    ),
    "downdating faster than refitting on 20,000 rows": np.median(large[:, 0])
    < np.median(large[:, 1]),
}
for claim, ok in checks.items():
    print(f"{claim}: {'agrees' if ok else 'does not agree'}")
print("Exact ridge unlearning:", "agrees" if all(checks.values()) else "does not agree")
if not all(checks.values()):
    raise SystemExit("Exact ridge unlearning: a check does not agree (see above)")

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, records in runs.items():
    steps = np.arange(1, len(records) + 1)
    (line,) = axes[0].semilogy(steps, 1e3 * records[:, 1], "-", lw=1, label=f"refit, {name}")
    axes[0].semilogy(
        steps,
        1e3 * records[:, 0],
        "--",
        color=line.get_color(),
        lw=1,
        label=f"downdate, {name}",
    )
    axes[1].semilogy(steps, np.maximum(records[:, 2], 1e-17), ".", label=name)
axes[0].set(xlabel="rows deleted", ylabel="time per deletion [ms]", title="Speed")
axes[1].set(
    xlabel="rows deleted",
    ylabel="max |coef - refit coef| / max |refit coef|",
    title="Exactness (machine precision is about 1e-16)",
)
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
