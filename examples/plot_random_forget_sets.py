"""
=========================================================
Random forget sets: the oracle's forget accuracy (Lemma 1)
=========================================================

Lemma 1 of [1]_: the oracle never saw a random forget set F, so its accuracy
on F matches its test accuracy up to Hoeffding,
``P(|Acc_T - Acc_F| >= eps) <= 2 exp(-2 |F| eps^2)``. Driving the forget
accuracy down is therefore harm, not unlearning. We draw many random forget
sets from the breast-cancer training data, unlearn each exactly with
:class:`skunlearn.LogisticRegression` (Newton removal lands on the oracle),
compare forget and test accuracy with the Hoeffding band, and then watch what
gradient ascent does to the test accuracy while it pushes the forget
accuracy down.

.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher, "Ascent
   Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

# %%
# Data and the original model
# ---------------------------
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skunlearn import LogisticRegression
from skunlearn.diagnostics import hoeffding_check
from skunlearn.unlearners import GradientAscent

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, random_state=0, stratify=y
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)


def accuracy(model, X, y):
    """Share of correct predictions (``score`` without its input validation)."""
    return float(np.mean(model.predict(X) == y))


original = LogisticRegression(C=0.1).fit(X_train, y_train)
print(
    f"original: train accuracy {accuracy(original, X_train, y_train):.3f}, "
    f"test accuracy {accuracy(original, X_test, y_test):.3f}"
)

# %%
# The oracle on 200 random forget sets
# ------------------------------------
# Each forget set has ``|F| = 40`` rows. The 95% Hoeffding half-width is
# ``eps = sqrt(ln(2 / 0.05) / (2 |F|))``. The lemma compares with the
# population accuracy; our test set is finite, so its own sampling noise
# (about ``sqrt(Acc (1 - Acc) / |T|)``) adds to the spread.
N_SETS, N_FORGET, DELTA = 200, 40, 0.05
eps = np.sqrt(np.log(2 / DELTA) / (2 * N_FORGET))
rng = np.random.default_rng(0)


def forget_and_test_accuracy(forget):
    """Accuracies of the oracle (Newton unlearning of ``forget``) and of the original on F."""
    oracle = copy.deepcopy(original).unlearn(X_train[forget], y_train[forget])
    return (
        accuracy(oracle, X_train[forget], y_train[forget]),
        accuracy(oracle, X_test, y_test),
        accuracy(original, X_train[forget], y_train[forget]),
    )


forget_sets = [rng.choice(len(X_train), N_FORGET, replace=False) for _ in range(N_SETS)]
acc_forget, acc_test, acc_forget_original = np.array(
    [forget_and_test_accuracy(f) for f in forget_sets]
).T
gap = acc_forget - acc_test
outside = np.mean(np.abs(gap) >= eps)
print(f"Hoeffding half-width at 95%: eps = {eps:.3f}")
print(
    f"oracle forget accuracy {acc_forget.mean():.3f} +- {acc_forget.std():.3f}, "
    f"test accuracy {acc_test.mean():.3f} (original on F: {acc_forget_original.mean():.3f})"
)
print(f"share of forget sets outside the band: {outside:.3f} (Lemma 1: <= {DELTA})")

# %%
# Pushing the forget accuracy down
# --------------------------------
# Gradient ascent on one forget set, for growing iteration budgets: the
# forget accuracy drops, and the test and retain accuracies drop with it.
forget = forget_sets[0]
retain = np.setdiff1d(np.arange(len(X_train)), forget)
budgets = np.unique(np.geomspace(1, 200, 20).astype(int))
curve, last_model = [], None
for budget in budgets:
    model = copy.deepcopy(original).set_params(
        unlearner=GradientAscent(learning_rate=0.5, max_iter=int(budget))
    )
    last_model = model.unlearn(X_train[forget], y_train[forget])
    curve.append(
        [
            accuracy(model, X_train[forget], y_train[forget]),
            accuracy(model, X_test, y_test),
            accuracy(model, X_train[retain], y_train[retain]),
        ]
    )
curve = np.array(curve)
oracle_test = acc_test[0]
below_band = curve[:, 0] < oracle_test - eps
first = int(np.argmax(below_band)) if below_band.any() else None
for budget, (f_acc, t_acc, r_acc) in zip(budgets, curve, strict=True):
    print(f"GA {budget:>3} iterations: forget {f_acc:.3f}, test {t_acc:.3f}, retain {r_acc:.3f}")

# %%
# The Lemma-1 check of a single model is not enough
# -------------------------------------------------
# :func:`skunlearn.diagnostics.hoeffding_check` compares a model's forget
# accuracy with its own test accuracy. After 200 gradient-ascent iterations
# both have collapsed together, so the damaged model passes: the band flags
# forget accuracy pushed below the model's own test accuracy, and the test
# accuracy itself must be compared with the original's (or the oracle's).
check = hoeffding_check(last_model, X_train[forget], y_train[forget], X_test, y_test)
print(
    f"GA after {budgets[-1]} iterations: forget {check.forget_accuracy:.3f}, "
    f"test {check.test_accuracy:.3f}, within the band: {check.within_band}"
)

# %%
# Verdict
# -------
# Lemma 1 holds if at most ``delta`` of the forget sets fall outside the band
# (finite-test noise included). The harm claim holds if, once gradient ascent
# has pushed the forget accuracy below the band, the test accuracy has fallen
# below the oracle's by more than the test set's sampling noise.
test_noise = np.sqrt(oracle_test * (1 - oracle_test) / len(y_test))
harm = first is not None and curve[first, 1] < oracle_test - 2 * test_noise
checks = {
    f"oracle forget accuracy within the band (outside: {outside:.1%})": outside <= DELTA,
    "pushing forget accuracy below the band lowers test accuracy": bool(harm),
}
for claim, ok in checks.items():
    print(f"{claim}: {'agrees' if ok else 'does not agree'}")
print("Random forget sets (Lemma 1):", "agrees" if all(checks.values()) else "does not agree")
if not all(checks.values()):
    raise SystemExit("Random forget sets (Lemma 1): a check does not agree (see above)")

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
ax = axes[0]
ax.hist(
    gap,
    bins=np.arange(-0.3, 0.31, 0.025),
    color="tab:green",
    alpha=0.8,
    label="oracle: Acc_F - Acc_T",
)
ax.hist(
    acc_forget_original - acc_test,
    bins=np.arange(-0.3, 0.31, 0.025),
    color="0.5",
    alpha=0.5,
    label="original: Acc_F - Acc_T",
)
ax.axvspan(-eps, eps, color="tab:green", alpha=0.1, label="95% Hoeffding band")
ax.set(
    xlabel="forget accuracy - test accuracy",
    ylabel="forget sets",
    title=f"{N_SETS} random forget sets of {N_FORGET} rows",
)
ax.legend(fontsize=8)

ax = axes[1]
for k, (label, color) in enumerate(
    [("forget", "tab:red"), ("test", "tab:blue"), ("retain", "tab:gray")]
):
    ax.semilogx(budgets, curve[:, k], "o-", ms=3, color=color, label=f"{label} accuracy")
ax.axhspan(
    oracle_test - eps,
    oracle_test + eps,
    color="tab:green",
    alpha=0.1,
    label="where the oracle's forget accuracy lies",
)
ax.set(
    xlabel="gradient-ascent iterations",
    ylabel="accuracy",
    title="Pushing forget accuracy down is harm",
    ylim=(0, 1.02),
)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
