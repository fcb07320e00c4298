"""
=============================================================
Closed forms: descent-ascent ends on the wrong side (Lemma 2-5)
=============================================================

In the one-dimensional block construction of [1]_ (exponential loss, samples
of block ``j`` non-zero only on coordinate ``j`` with ``y_i x_ij = 1``), every
coordinate decouples and the original model, the oracle and the stationary
point of descent-ascent (DA) are Lambert-W expressions. We fit
:class:`skunlearn.LogisticRegression` in the paper's convention, unlearn with
``"newton"`` (the oracle) and with :class:`~skunlearn.unlearners.DescentAscent`
run to its stationary point, and check the library against the formulas, the
ordering ``w_DA <= w_D <= w_R`` of Lemma 3, the three regimes of the DA
stationary point and Corollary 1 as the ridge ``lambda`` shrinks.

.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher, "Ascent
   Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

# %%
# The block construction
# ----------------------
# We use the paper's numbers: ``|R| = 1000``, ``|F| = 100``, ``|R_j| = 50``
# and ``lambda = 0.01``. Repeated rows are given once, with their count as
# ``sample_weight`` (an integer weight is the same as repeating the row; the
# closed forms only need the ratios, so ``|F_j| = alpha |R_j|`` may be
# fractional). Retain and forget rows carry opposite signs (``x = -e_j`` with
# label -1 is the same sample for the exponential loss as ``x = e_j`` with
# label +1), so each forgotten row is unambiguous. The rows that are not on
# the studied coordinate 0 fill "bulk" coordinates whose forget and retain
# shares are balanced enough that DA keeps a local minimum there: otherwise
# the whole DA objective would be unbounded below and DA could not be
# compared with the formulas at all.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import lambertw

from skunlearn import LogisticRegression
from skunlearn.exceptions import UnlearningDivergenceWarning
from skunlearn.unlearners import DescentAscent

LAM = 0.01
N_RETAIN, N_FORGET, N_BLOCK = 1000, 100, 50


def bulk_counts(n_retain, n_forget, lam=LAM):
    """Split leftover rows over coordinates where DA has a minimum.

    A coordinate with ``r`` retain and ``f`` forget rows has the DA argument
    ``x = a / lam`` with ``a = r / |R| - f / |F|``; a minimum exists when
    ``x >= -1/e``. Each bulk coordinate gets ``x = -1/4`` (or one coordinate
    takes everything when its share is non-negative).
    """
    share = n_retain / N_RETAIN - n_forget / N_FORGET
    n_coords = 1 if share >= 0 else int(np.ceil(-share / (0.25 * lam) - 1e-9))
    forget = np.full(n_coords, n_forget / n_coords)
    retain = N_RETAIN * (forget / N_FORGET + share / n_coords)
    return list(zip(retain, forget, strict=True))


def block_dataset(counts):
    """One retain row ``+e_j`` (label 1) and one forget row ``-e_j`` (label 0) per coordinate.

    ``counts`` lists ``(retain, forget)`` multiplicities per coordinate; they
    become sample weights. Coordinate 0 swaps the signs so that the retain
    set holds both classes.
    """
    d = len(counts)
    sign = np.where(np.arange(d) == 0, -1.0, 1.0)
    X = np.vstack([np.diag(sign), -np.diag(sign)])
    y = np.concatenate([sign > 0, sign < 0]).astype(int)
    weight = np.concatenate([[r for r, _ in counts], [f for _, f in counts]])
    keep = weight > 0
    forget = np.arange(2 * d) >= d
    return X[keep], y[keep], weight[keep], forget[keep]


def studied_dataset(alpha):
    """Coordinate 0 holds ``|R_0| = 50`` retain and ``alpha |R_0|`` forget rows."""
    n_forget_block = alpha * N_BLOCK
    bulk = bulk_counts(N_RETAIN - N_BLOCK, N_FORGET - n_forget_block)
    return block_dataset([(N_BLOCK, n_forget_block)] + bulk)


def lambert(x):
    """Principal branch ``W_0(x)`` (real for ``x >= -1/e``)."""
    return float(lambertw(x).real)


def closed_forms(alpha, lam=LAM, n_retain=N_RETAIN, n_forget=N_FORGET, n_block=N_BLOCK):
    """``(w_D, w_R, w_DA)`` on the studied coordinate, Lemma 2 of [1]."""
    n_all = n_retain + n_forget
    w_original = lambert((1 + alpha) * n_block / (lam * n_all))
    w_oracle = lambert(n_block / (lam * n_retain))
    w_da = lambert((1 - alpha * n_retain / n_forget) * n_block / (lam * n_retain))
    return w_original, w_oracle, w_da


def library_points(X, y, weight, forget, lam=LAM, da_iter=400):
    """Original, oracle (Newton unlearning) and DA end point on coordinate 0."""

    def fitted():
        return LogisticRegression(
            C=1 / lam, loss="exponential", convention="paper", fit_intercept=False
        ).fit(X, y, sample_weight=weight)

    original = fitted()
    oracle = fitted().unlearn(X[forget], y[forget])
    da = fitted().set_params(unlearner=DescentAscent(max_iter=da_iter))
    da.unlearn(X[forget], y[forget])
    last_step = da.unlearn_history_["step_length"][-1]
    return original.coef_[0, 0], oracle.coef_[0, 0], da.coef_[0, 0], last_step


# %%
# The paper's worked example
# --------------------------
# ``alpha = 0.05``: the paper-notes values are ``w_R = 1.3267``,
# ``w_D = 1.3003`` and ``w_DA = 0.9586``. DA is run with the default ``1/L``
# learning rate for 400 iterations; its last step length shows that it sits
# on its stationary point.
X, y, weight, forget = studied_dataset(0.05)
w_d, w_r, w_da, last_step = library_points(X, y, weight, forget)
retrained = LogisticRegression(
    C=1 / LAM, loss="exponential", convention="paper", fit_intercept=False, unlearner="retrain"
).fit(X, y, sample_weight=weight)
w_retrain = retrained.unlearn(X[forget], y[forget]).coef_[0, 0]
formula = closed_forms(0.05)
print(f"{'':>18}{'library':>12}{'formula':>12}{'paper':>10}")
for name, value, exact, paper in zip(
    ["original", "oracle (newton)", "oracle (retrain)", "DA"],
    [w_d, w_r, w_retrain, w_da],
    [formula[0], formula[1], formula[1], formula[2]],
    [1.3003, 1.3267, 1.3267, 0.9586],
    strict=True,
):
    print(f"{name:>18}{value:>12.7f}{exact:>12.7f}{paper:>10.4f}")
print(f"last DA step length: {last_step:.1e}")
worked_error = max(
    np.max(np.abs(np.array([w_d, w_r, w_da]) - formula)), abs(w_retrain - formula[1])
)
worked_paper = np.max(np.abs(np.array(formula) - [1.3003, 1.3267, 0.9586]))

# %%
# The sign test over alpha (Lemma 3)
# ----------------------------------
# Lemma 3: for ``|F|^2 / (|R| (|F| + |D|)) <= alpha <= |F| / |R|`` the DA
# point and the oracle lie on opposite sides of the original model, so every
# DA step moves away from the oracle.
alphas = np.linspace(0, 0.1, 21)
low = N_FORGET**2 / (N_RETAIN * (N_FORGET + N_RETAIN + N_FORGET))
high = N_FORGET / N_RETAIN
sweep = np.array([library_points(*studied_dataset(a))[:3] for a in alphas])
exact = np.array([closed_forms(a) for a in alphas])
sweep_error = np.max(np.abs(sweep - exact))
in_window = (alphas >= low) & (alphas <= high)
# At alpha = |F|/|R| the deletion leaves coordinate 0 unchanged (w_D = w_R):
# compare with a rounding tolerance.
ordered = (sweep[:, 2] <= sweep[:, 0] + 1e-9) & (sweep[:, 0] <= sweep[:, 1] + 1e-9)
print(f"Lemma 3 window: {low:.4f} <= alpha <= {high:.2f}")
print(f"{'alpha':>6}{'w_D':>9}{'w_R':>9}{'w_DA':>9}  w_DA<=w_D<=w_R  window")
for a, (d, r, da), ok, inside in zip(alphas, sweep, ordered, in_window, strict=True):
    print(f"{a:>6.3f}{d:>9.4f}{r:>9.4f}{da:>9.4f}  {str(ok):>14}  {str(inside):>6}")
print(f"max |library - formula| over the sweep: {sweep_error:.1e}")

# %%
# Three regimes of the DA stationary point
# ----------------------------------------
# On a coordinate with DA argument ``x = a / lambda``, the DA objective is
# ``lambda (x exp(-w) + w^2 / 2)``. For ``x >= 0`` it has one minimum
# ``W_0(x)``; for ``-1/e <= x < 0`` a minimum ``W_0(x)`` and a maximum
# ``W_-1(x)``; for ``x < -1/e`` none, and DA diverges. We build one dataset
# per regime (coordinate 0 with ``x = 2.5``, ``-0.25``, ``-0.5``; one
# compensating coordinate) and run the library's DA on each.
REGIMES = {
    "one point": [(N_BLOCK, 2.5)] + bulk_counts(N_RETAIN - N_BLOCK, N_FORGET - 2.5),
    "two points": [(N_BLOCK, 5.25), (N_RETAIN - N_BLOCK, N_FORGET - 5.25)],
    "diverges": [(N_BLOCK, 5.5), (N_RETAIN - N_BLOCK, N_FORGET - 5.5)],
}


def da_argument(counts, lam=LAM):
    retain, forget = counts[0]
    return (retain / N_RETAIN - forget / N_FORGET) / lam


def run_regime(counts):
    """Library DA end point on coordinate 0 and whether it warned of divergence."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, _, w_da, _ = library_points(*block_dataset(counts))
    diverged = any(issubclass(w.category, UnlearningDivergenceWarning) for w in caught)
    return w_da, diverged


regime_results = {}
for name, counts in REGIMES.items():
    x = da_argument(counts)
    w_da, diverged = run_regime(counts)
    expected = lambert(x) if x >= -1 / np.e else np.nan
    regime_results[name] = (x, w_da, expected, diverged)
    print(
        f"{name:>10}: x = {x:+.2f}, library DA w_0 = {w_da:+.6f}, W_0(x) = {expected:+.6f}, "
        f"divergence warning: {diverged}"
    )
regimes_ok = (
    all(abs(w - e) < 1e-6 and not d for x, w, e, d in regime_results.values() if x >= -1 / np.e)
    and regime_results["diverges"][3]
)

# %%
# Lemma 4 and Corollary 1: as lambda shrinks
# ------------------------------------------
# Lemma 4 bounds the deletion effect by ``|ln((1 + alpha)|R|/|D|)|``;
# Corollary 1: for ``alpha >= |F| / |R|`` the DA point is at least
# ``W_0(|R_j| / (lambda |R|))`` away from the oracle, which grows without
# bound like ``log(1 / lambda)``. At exactly ``alpha = |F| / |R|`` both sides
# are trivially equal (the deletion effect is 0 and ``w_DA = 0``), so we take
# ``alpha = |F| / |R| + lambda / 2`` (DA argument ``x = -1/4``: a minimum
# ``W_0(-1/4) = -0.357`` below zero) for each ``lambda``, where the deletion
# effect is positive and the DA gap exceeds the bound by 0.357.
lams = np.array([1e-1, 1e-2, 1e-3, 1e-4])
corollary_alphas = high + lams / 2
corollary = np.array(
    [
        library_points(*studied_dataset(a), lam=lam, da_iter=2000)
        for a, lam in zip(corollary_alphas, lams, strict=True)
    ]
)
effect = np.abs(corollary[:, 0] - corollary[:, 1])
da_gap = np.abs(corollary[:, 1] - corollary[:, 2])
effect_bound = np.abs(np.log((1 + corollary_alphas) * N_RETAIN / (N_RETAIN + N_FORGET)))
oracle_bound = np.array([lambert(N_BLOCK / (lam * N_RETAIN)) for lam in lams])
for lam, e, eb, g, b in zip(lams, effect, effect_bound, da_gap, oracle_bound, strict=True):
    print(
        f"lambda={lam:.0e}: |w_D - w_R| = {e:.2e} (<= {eb:.2e}), "
        f"|w_R - w_DA| = {g:.4f} (>= {b:.4f}; excess {g - b:.4f})"
    )
sweep_effect_bound = np.abs(np.log((1 + alphas) * N_RETAIN / (N_RETAIN + N_FORGET)))
lemma4_ok = np.all(np.abs(sweep[:, 0] - sweep[:, 1]) <= sweep_effect_bound + 1e-9)
corollary_ok = (
    np.all(effect > 0)
    and np.all(effect <= effect_bound)
    and np.all(da_gap >= oracle_bound + 0.35)
    and np.all(np.diff(da_gap) > 0)
    and np.all(corollary[:, 3] < 1e-8)  # DA settled: its last step is below 1e-8
)

# %%
# Verdict
# -------
checks = {
    "library matches Lambert-W formulas to 1e-6": max(worked_error, sweep_error) < 1e-6,
    "paper-notes numbers (4 decimals)": worked_paper < 1e-4,
    "w_DA <= w_D <= w_R on the whole Lemma-3 window": bool(np.all(ordered[in_window])),
    "three regimes (W_0 minimum, divergence warning)": regimes_ok,
    "Lemma 4 bound on the deletion effect over the sweep": bool(lemma4_ok),
    "Corollary 1 bounds, strictly, past alpha = |F|/|R|": bool(corollary_ok),
}
for claim, ok in checks.items():
    print(f"{claim}: {'agrees' if ok else 'does not agree'}")
print("Closed forms (Lemmas 2-5):", "agrees" if all(checks.values()) else "does not agree")
if not all(checks.values()):
    raise SystemExit("Closed forms (Lemmas 2-5): a check does not agree (see above)")

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
grid = np.linspace(0, alphas[-1], 200)
curves = np.array([closed_forms(a) for a in grid])
ax = axes[0]
ax.axvspan(low, high, color="0.9", label="Lemma 3 window")
for k, (label, color) in enumerate(
    [("original $w_D$", "k"), ("oracle $w_R$", "tab:green"), ("DA $w_{DA}$", "tab:red")]
):
    ax.plot(grid, curves[:, k], color=color, label=label)
    ax.plot(alphas, sweep[:, k], "o", color=color, ms=4)
ax.set(
    xlabel=r"$\alpha = |F_j| / |R_j|$",
    ylabel="weight on coordinate $j$",
    title="Lines: Lambert W; dots: skunlearn",
)
ax.legend(fontsize=8)

ax = axes[1]
w = np.linspace(-2.5, 3, 400)
for (name, (x, w_da, _, diverged)), color in zip(
    regime_results.items(), ["tab:blue", "tab:orange", "tab:red"], strict=True
):
    ax.plot(w, x * np.exp(-w) + w**2 / 2, color=color, label=f"{name} (x = {x:+.2f})")
    if not diverged:
        ax.plot(w_da, x * np.exp(-w_da) + w_da**2 / 2, "o", color=color)
ax.set(
    ylim=(-3, 6),
    xlabel="$w$",
    ylabel=r"DA objective / $\lambda$",
    title="Regimes of the DA stationary point",
)
ax.legend(fontsize=8)

ax = axes[2]
ax.semilogx(lams, effect, "o-", color="k", label=r"$|w_D - w_R|$ (deletion effect)")
ax.semilogx(lams, da_gap, "o-", color="tab:red", label=r"$|w_R - w_{DA}|$")
ax.semilogx(lams, oracle_bound, "--", color="tab:red", label="Corollary 1 bound")
ax.set(
    xlabel=r"$\lambda$", ylabel="distance", title=r"Corollary 1 at $\alpha = |F|/|R| + \lambda/2$"
)
ax.invert_xaxis()
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
