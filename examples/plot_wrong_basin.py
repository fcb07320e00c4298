"""
=====================================================
Wrong basin: descent-ascent on a non-convex toy model
=====================================================

Figure 5 of [1]_: four inputs ``x`` in ``{-1, 1, 3, 4}`` lifted to features
``(x, x^2)``, labels ``{-1, +1, -1, +1}``, multiplicities ``{5, 4, 1, 4}``, a
two-parameter model ``h(x) = tanh((a x + b x^2) / 2)``, squared loss summed
over the points and a ridge ``0.1`` on ``(a, b)``. Forgetting two of the four
copies of ``x = 4`` and retraining keeps the original decision boundary; the
descent-ascent (DA) objective equals the one with multiplicity 0 at ``x = 4``
and sends the model to another basin, where ``x = 3`` and ``x = 4`` are both
labelled negative, and fine-tuning on the retain set from there stays
trapped. This model is not linear, so the example implements it with numpy
and scipy rather than with skunlearn's estimators.

.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher, "Ascent
   Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

# %%
# The model and its three objectives
# ----------------------------------
# The objective is ``J(a, b) = sum_i m_i (y_i - h(x_i))^2 + (0.1 / 2)
# (a^2 + b^2)`` with multiplicities ``m``. The original model uses
# ``m = (5, 4, 1, 4)``, the oracle ``m = (5, 4, 1, 2)``, and DA
# ``J_R - J_F``, which is ``m = (5, 4, 1, 0)``.
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize

X_POINTS = np.array([-1.0, 1.0, 3.0, 4.0])
Y_POINTS = np.array([-1.0, 1.0, -1.0, 1.0])
RIDGE = 0.1
M_ORIGINAL = np.array([5.0, 4.0, 1.0, 4.0])
M_RETAIN = np.array([5.0, 4.0, 1.0, 2.0])
M_DA = M_RETAIN - np.array([0.0, 0.0, 0.0, 2.0])


def predict(theta, x=X_POINTS):
    """``h(x) = tanh((a x + b x^2) / 2)`` for parameters of shape (..., 2)."""
    a, b = np.moveaxis(np.asarray(theta), -1, 0)
    return np.tanh((np.multiply.outer(a, x) + np.multiply.outer(b, x**2)) / 2)


def objective(theta, weights):
    """``sum_i m_i (y_i - h(x_i))^2 + (ridge / 2) ||theta||^2`` (vectorised)."""
    residual = predict(theta) - Y_POINTS
    return residual**2 @ weights + 0.5 * RIDGE * np.sum(np.asarray(theta) ** 2, axis=-1)


def gradient(theta, weights):
    """Gradient of :func:`objective`; ``dh/dz = (1 - h^2) / 2`` with ``z = a x + b x^2``."""
    h = predict(theta)
    factor = weights * (h - Y_POINTS) * (1 - h**2)
    features = np.stack([X_POINTS, X_POINTS**2], axis=-1)
    return factor @ features + RIDGE * np.asarray(theta)


def minimise(weights, start):
    """A local minimum of :func:`objective`, found by BFGS from ``start``."""
    result = minimize(objective, start, args=(weights,), jac=gradient, method="BFGS", tol=1e-12)
    return result.x


def descend(weights, start, learning_rate=1e-2, n_steps=4000):
    """Plain gradient descent; returns the whole path (DA or fine-tuning)."""
    path = [np.asarray(start, dtype=float)]
    for _ in range(n_steps):
        path.append(path[-1] - learning_rate * gradient(path[-1], weights))
    return np.array(path)


# %%
# Original, oracle, descent-ascent and fine-tuning
# ------------------------------------------------
# The original model and the oracle are trained from scratch (from
# ``(a, b) = 0``). DA runs gradient steps on ``J_R - J_F`` from the original
# model; fine-tuning then runs gradient steps on ``J_R`` from the DA result.
theta_original = minimise(M_ORIGINAL, np.zeros(2))
theta_oracle = minimise(M_RETAIN, np.zeros(2))
da_path = descend(M_DA, theta_original)
finetune_path = descend(M_RETAIN, da_path[-1])
theta_da, theta_finetune = da_path[-1], finetune_path[-1]
models = {
    "original": theta_original,
    "oracle (retrain)": theta_oracle,
    "DA": theta_da,
    "DA + fine-tune": theta_finetune,
}
print(f"{'model':>18}{'a':>8}{'b':>8}{'J_R':>8}   labels at x = -1, 1, 3, 4")
for name, theta in models.items():
    labels = np.sign(predict(theta)).astype(int)
    print(
        f"{name:>18}{theta[0]:>8.3f}{theta[1]:>8.3f}"
        f"{objective(theta, M_RETAIN):>8.3f}   {labels.tolist()}"
    )

# %%
# An independent search of the landscapes
# ---------------------------------------
# The minimisers above come from BFGS and gradient descent with the gradient
# written by hand. Two independent references: central finite differences of
# the objective check that gradient, and a brute-force grid search (step
# 0.01 over ``[-3, 7] x [-4, 3]``) finds every local minimum of each
# objective as a grid point below its eight neighbours; neighbouring grid
# minima along a narrow valley are merged into one basin.


def grid_minima(weights, step=0.01):
    """Basins of ``objective(., weights)`` on a grid: (location, value) per basin."""
    a = np.arange(-3.0, 7.0 + step / 2, step)
    b = np.arange(-4.0, 3.0 + step / 2, step)
    A, B = np.meshgrid(a, b, indexing="ij")
    values = objective(np.stack([A, B], axis=-1), weights)
    core = values[1:-1, 1:-1]
    lowest = np.ones(core.shape, dtype=bool)
    for da in (-1, 0, 1):
        for db in (-1, 0, 1):
            if da or db:
                neighbour = values[
                    1 + da : values.shape[0] - 1 + da, 1 + db : values.shape[1] - 1 + db
                ]
                lowest &= core < neighbour
    i, j = np.nonzero(lowest)
    basins = []
    for k in np.argsort(core[i, j]):
        point = np.array([a[i[k] + 1], b[j[k] + 1]])
        if all(np.linalg.norm(point - other) > 0.15 for other, _ in basins):
            basins.append((point, core[i[k], j[k]]))
    return basins


step = 1e-6
finite_difference = np.array(
    [
        (objective(theta_da + e, M_RETAIN) - objective(theta_da - e, M_RETAIN)) / (2 * step)
        for e in step * np.eye(2)
    ]
)
retain_basins, da_basins = grid_minima(M_RETAIN), grid_minima(M_DA)
for name, basins in (("J_R", retain_basins), ("J_R - J_F", da_basins)):
    found = ", ".join(f"({p[0]:.2f}, {p[1]:.2f}) value {v:.3f}" for p, v in basins)
    print(f"grid search, local minima of {name}: {found}")

# %%
# Checks against the paper and the grid search
# --------------------------------------------
# Paper-notes 2d: DA ends near ``(3.12, -1.29)`` and labels ``x = 3`` and
# ``x = 4`` negative; retraining keeps the original labels; fine-tuning from
# the DA point stays in a basin with retain objective about 8.9, against
# about 4.3 at the oracle. Each point found by descent is compared with the
# grid's basins (within 0.05, five grid steps).


def near(theta, basin):
    return bool(np.linalg.norm(theta - basin[0]) < 0.05)


labels_original = np.sign(predict(theta_original))
checks = {
    "hand-written gradient = finite differences": np.allclose(
        gradient(theta_da, M_RETAIN), finite_difference, rtol=1e-6
    ),
    "J_R has two basins on the grid (about 4.3 and 8.9)": len(retain_basins) == 2
    and np.allclose([v for _, v in retain_basins], [4.33, 8.91], atol=0.01),
    "the oracle is the grid's global minimum of J_R": near(theta_oracle, retain_basins[0])
    and objective(theta_oracle, M_RETAIN) <= retain_basins[0][1],
    "DA ends at the grid's only minimum of J_R - J_F, near (3.12, -1.29)": len(da_basins) == 1
    and near(theta_da, da_basins[0])
    and np.allclose(da_basins[0][0], [3.12, -1.29], atol=0.02),
    "DA labels x = 3 and x = 4 negative": bool(np.all(predict(theta_da)[2:] < 0)),
    "fine-tuning stays in the grid's other basin of J_R": near(theta_finetune, retain_basins[1]),
    "retraining keeps the original labels": bool(
        np.all(np.sign(predict(theta_oracle)) == labels_original)
    ),
}
for claim, ok in checks.items():
    print(f"{claim}: {'agrees' if ok else 'does not agree'}")
print("Wrong basin (Fig. 5):", "agrees" if all(checks.values()) else "does not agree")
if not all(checks.values()):
    raise SystemExit("Wrong basin (Fig. 5): a check does not agree (see above)")

# %%
# Basins of the retain objective
# ------------------------------
# Gradient descent on ``J_R`` from every point of a grid tells which of its
# two minima each start falls into: the DA point lies in the basin of the
# bad one, so no amount of fine-tuning on the retain set repairs it.
a_grid, b_grid = np.meshgrid(np.linspace(-1, 5, 121), np.linspace(-2.5, 1, 101))
grid = np.stack([a_grid, b_grid], axis=-1)
ends = descend(M_RETAIN, grid.reshape(-1, 2), n_steps=1500)[-1].reshape(grid.shape)
bad_basin = np.linalg.norm(ends - theta_finetune, axis=-1) < np.linalg.norm(
    ends - theta_oracle, axis=-1
)
print(f"share of the grid that fine-tunes into the bad basin: {bad_basin.mean():.2f}")

# %%
# The figure
# ----------
# Loss landscapes (log scale) of the three objectives with their minima; the
# DA path and the fine-tuning path; the bad basin of ``J_R`` shaded; and the
# fitted functions.
fig, axes = plt.subplots(1, 4, figsize=(17, 4))
panels = [
    ("original $J_D$", M_ORIGINAL, []),
    ("oracle $J_R$ (shaded: bad basin)", M_RETAIN, [finetune_path]),
    ("descent-ascent $J_R - J_F$", M_DA, [da_path]),
]
for ax, (title, weights, paths) in zip(axes, panels, strict=False):
    values = objective(grid, weights)
    ax.contourf(a_grid, b_grid, np.log(values - values.min() + 0.1), levels=25, cmap="viridis")
    for path in paths:
        ax.plot(path[:, 0], path[:, 1], color="w", lw=2)
    for (name, theta), marker in zip(models.items(), "o*sD", strict=True):
        ax.plot(*theta, marker, color="tab:red", mec="w", ms=9, label=name)
    ax.set(title=title, xlabel="$a$", ylabel="$b$")
axes[1].contourf(a_grid, b_grid, bad_basin, levels=[0.5, 1.5], colors="w", alpha=0.3)
axes[0].legend(fontsize=8, loc="lower left")

ax = axes[3]
x = np.linspace(-1.5, 4.5, 200)
for (name, theta), style in zip(models.items(), ["k-", "g--", "r-", "r:"], strict=True):
    ax.plot(x, predict(theta, x), style, label=name)
ax.scatter(X_POINTS, Y_POINTS, s=30 * M_ORIGINAL, c="tab:blue", zorder=3, label="data (size: m)")
ax.set(title="fitted $h(x)$", xlabel="$x$", ylabel="$h(x)$")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
