"""Trajectories of iterative unlearners toward (or away from) the oracle, and their figure.

Used by the example gallery and by ``python -m skunlearn --plot FILE``.
Requires matplotlib for the plotting functions only (``pip install
skunlearn[examples]``); it is imported when a figure is drawn.
"""

import copy
import warnings

import numpy as np

from ._parameters import parameter_vector
from .exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning
from .unlearners import DescentAscent, Finetune, GradientAscent, Newton

__all__ = [
    "default_trajectory_unlearners",
    "oracle_trajectories",
    "plot_oracle_trajectories",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "skunlearn's plotting functions need matplotlib: pip install skunlearn[examples]"
        ) from error
    return plt


def default_trajectory_unlearners(max_iter=100, learning_rate="auto"):
    """The iterative unlearners compared in a trajectory figure.

    Parameters
    ----------
    max_iter : int, default=100
        Iteration budget of the first-order unlearners.
    learning_rate : float or "auto", default="auto"
        Their step size.

    Returns
    -------
    unlearners : dict of str to BaseUnlearner
        Descent-ascent (both schedules), gradient ascent, finetuning and Newton.

    Examples
    --------
    >>> from skunlearn.plotting import default_trajectory_unlearners
    >>> list(default_trajectory_unlearners())
    ['DA (simultaneous)', 'DA (alternating)', 'gradient ascent', 'finetune', 'Newton']
    """
    common = {"max_iter": max_iter, "learning_rate": learning_rate}
    return {
        "DA (simultaneous)": DescentAscent(**common),
        "DA (alternating)": DescentAscent(schedule="alternating", **common),
        "gradient ascent": GradientAscent(**common),
        "finetune": Finetune(**common),
        "Newton": Newton(max_iter=8, tol=1e-14),
    }


def _checkpoints(max_iter, n_points=16):
    return np.unique(np.geomspace(1, max_iter, n_points).astype(int))


def _run(estimator, unlearner, X_forget, y_forget):
    model = copy.deepcopy(estimator).set_params(unlearner=unlearner)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnlearningDivergenceWarning)
        warnings.simplefilter("ignore", UnlearningConvergenceWarning)  # budgets are cut on purpose
        model.unlearn(X_forget, y_forget)
    diverged = any(issubclass(w.category, UnlearningDivergenceWarning) for w in caught)
    return parameter_vector(model), diverged


def oracle_trajectories(estimator, X_forget, y_forget=None, *, unlearners=None, oracle=None):
    """Distance to the oracle after each iteration budget, for iterative unlearners.

    Each unlearner is run from a fresh copy of ``estimator`` with
    ``max_iter = k`` for budgets ``k`` on a geometric grid up to its own
    ``max_iter`` (the runs are deterministic, so the ``k``-th run ends on the
    ``k``-th iterate). Distances are normalised by the deletion effect,
    ``||w_k - w_oracle|| / ||w_original - w_oracle||``: 0 is exact, 1 is "did
    nothing", above 1 is farther from the oracle than the original model [1]_.

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`
        (not modified).
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like of shape (n_forget,), default=None
        Their targets.
    unlearners : dict of str to BaseUnlearner, default=None
        Named strategies with a ``max_iter`` parameter;
        :func:`default_trajectory_unlearners` when None.
    oracle : ndarray of shape (n_params,), default=None
        Oracle parameters ``concat(coef_.ravel(), intercept_)``. When None,
        Newton unlearning to ``tol=1e-13`` on a copy of ``estimator``.

    Returns
    -------
    trajectories : dict of str to dict
        For each unlearner: ``"iterations"`` (budgets), ``"parameters"``
        (one row per budget), ``"distance"`` (normalised distance to the
        oracle) and ``"diverged"`` (whether the largest budget diverged);
        plus ``"oracle"`` and ``"original"``, the two reference parameter
        vectors.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.plotting import default_trajectory_unlearners, oracle_trajectories
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = scale(X)
    >>> clf = LogisticRegression().fit(X, y)
    >>> runs = {"Newton": default_trajectory_unlearners()["Newton"]}
    >>> result = oracle_trajectories(clf, X[:20], y[:20], unlearners=runs)
    >>> bool(result["Newton"]["distance"][-1] < 1e-6)
    True
    """
    if unlearners is None:
        unlearners = default_trajectory_unlearners()
    original = parameter_vector(estimator)
    if oracle is None:
        oracle = _run(estimator, Newton(tol=1e-13), X_forget, y_forget)[0]
    effect = np.linalg.norm(original - oracle)
    trajectories = {"original": original, "oracle": oracle}
    for name, unlearner in unlearners.items():
        budgets = _checkpoints(unlearner.get_params()["max_iter"])
        runs = [
            _run(
                estimator, copy.deepcopy(unlearner).set_params(max_iter=int(k)), X_forget, y_forget
            )
            for k in budgets
        ]
        parameters = np.array([theta for theta, _ in runs])
        trajectories[name] = {
            "iterations": np.concatenate([[0], budgets]),
            "parameters": np.vstack([original, parameters]),
            "distance": np.linalg.norm(np.vstack([original, parameters]) - oracle, axis=1)
            / effect,
            "diverged": runs[-1][1],
        }
    return trajectories


def plot_oracle_trajectories(trajectories, ax=None, title=None):
    """Plot the normalised distance to the oracle per iteration (log-log).

    Parameters
    ----------
    trajectories : dict
        The output of :func:`oracle_trajectories`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    title : str, default=None
        Axes title.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skunlearn.plotting import plot_oracle_trajectories
    >>> run = {"iterations": np.array([0, 1, 2]), "distance": np.array([1.0, 0.5, 0.1]),
    ...        "diverged": False}
    >>> ax = plot_oracle_trajectories({"finetune": run, "oracle": None, "original": None})
    >>> ax.get_ylabel()
    '||w - w_oracle|| / ||w_original - w_oracle||'
    """
    plt = _pyplot()
    if ax is None:
        ax = plt.subplots(figsize=(6, 4))[1]
    for name, run in trajectories.items():
        if name in ("oracle", "original"):
            continue
        # Iteration 0 (the original model) sits at x = 0.5 on the log axis.
        x = np.maximum(run["iterations"], 0.5)
        distance = np.maximum(run["distance"], 1e-16)
        (line,) = ax.loglog(x, distance, "o-", ms=3, label=name)
        if run["diverged"]:
            ax.plot(x[-1], distance[-1], "x", color=line.get_color(), ms=10, mew=2)
    ax.axhline(1.0, color="k", ls=":", lw=1, label="did nothing (original)")
    ax.set(
        xlabel="iterations (0 plotted at 0.5)",
        ylabel="||w - w_oracle|| / ||w_original - w_oracle||",
        title=title,
    )
    ax.legend(fontsize=8)
    return ax
