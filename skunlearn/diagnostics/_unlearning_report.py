"""The unlearning report: unlearners compared on one forget set, against the oracle."""

import copy
import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier

from .._parameters import parameter_vector
from ..exceptions import UnlearningDivergenceWarning
from ..unlearners import ALIASES, CertifiedUnlearner
from ._certified_bound import certified_bound
from ._feature_dependence import hoeffding_check
from ._membership_inference import loss_threshold_auc
from ._oracle_distance import (
    decode_targets,
    fit_oracle,
    oracle_distance,
    retain_rows,
)
from ._plotting import pyplot_axes
from ._report_ensembles import OracleEnsembles
from ._support import as_fitted_input, check_diagnosable

__all__ = ["UnlearningReport", "unlearning_report", "unlearning_verdict"]

LANDS_ON_ORACLE = 1e-2
DID_NOTHING = (0.9, 1.1)
# A deletion effect below this, relative to the oracle's norm, is the solvers' noise: the
# normalised distance is then meaningless and verdicts use the absolute distance.
NO_EFFECT = 1e-8


def unlearning_verdict(distance, diverged=False):
    """One-line verdict from the distance to the oracle over the deletion effect.

    Parameters
    ----------
    distance : float
        ``||w_u - w_oracle|| / ||w_original - w_oracle||``.
    diverged : bool, default=False
        Whether the unlearner stopped on divergence.

    Returns
    -------
    verdict : str
        "lands on the oracle" (at most 1% of the deletion effect away),
        "moved toward it" (below 0.9), "did nothing" (0.9 to 1.1),
        "harmful (farther than the original model)" or "diverged".

    Examples
    --------
    >>> from skunlearn.diagnostics import unlearning_verdict
    >>> unlearning_verdict(1e-9), unlearning_verdict(3.0)
    ('lands on the oracle', 'harmful (farther than the original model)')
    """
    if diverged or not np.isfinite(distance):
        return "diverged"
    if distance <= LANDS_ON_ORACLE:
        return "lands on the oracle"
    if distance < DID_NOTHING[0]:
        return "moved toward it"
    if distance <= DID_NOTHING[1]:
        return "did nothing"
    return "harmful (farther than the original model)"


@dataclass
class UnlearningReport:
    """Unlearners compared on one forget set.

    Parameters
    ----------
    rows : list of dict
        One per unlearner: ``unlearner``, ``seconds``, ``speedup`` (over the
        ``retrain`` unlearner, when it is among them), ``distance`` and
        ``bound`` (oracle distance and certified bound over the deletion
        effect; None when the deletion has no measurable effect, below
        ``NO_EFFECT`` times the oracle's norm, where the verdict uses the
        absolute distance instead), ``grad_norm`` (Euclidean norm of the retain objective's
        gradient at the unlearned weights), ``diverged``, ``verdict``,
        ``retain``/``forget``/``test`` scores (accuracy for a classifier),
        ``mia_auc`` (loss-threshold attack, forget vs test rows), ``in_band``
        (Lemma 1: forget accuracy within the 95% Hoeffding band around test
        accuracy), and with ensembles ``klom_forget``, ``klom_retain``,
        ``klom_test`` (95th percentiles) and ``ulira_auc`` (forget metrics
        only when the forget rows' classes remain); for a certified unlearner
        ``certificate`` (:meth:`~skunlearn.unlearners.Certificate.to_dict`).
        An unlearner that cannot run on this forget set (ascent when a
        whole class is forgotten) has only ``unlearner``, ``seconds``
        (None) and a ``verdict`` saying why.
    oracle : dict
        The oracle's own scores and attack AUC, the calibration point.
    deletion_effect : float
        ``||w_original - w_oracle||``.

    Examples
    --------
    Returned by :func:`unlearning_report`; ``print`` it for the table:

    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> from skunlearn.diagnostics import unlearning_report
    >>> report = unlearning_report(clf, X[:10], y[:10], unlearners=["newton", "descent_ascent"])
    >>> [row["verdict"] for row in report.rows]
    ['lands on the oracle', 'harmful (farther than the original model)']
    >>> sorted(report.to_dict())
    ['deletion_effect', 'oracle', 'rows']
    """

    rows: list
    oracle: dict
    deletion_effect: float

    def to_dict(self):
        """Plain-Python dict of the report, for JSON.

        Returns
        -------
        fields : dict
            ``rows`` (one dict per unlearner), ``oracle`` and ``deletion_effect``.
        """
        return {
            "rows": [dict(row) for row in self.rows],
            "oracle": dict(self.oracle),
            "deletion_effect": self.deletion_effect,
        }

    def __str__(self):
        columns = [
            ("unlearner", "{:<16}", 16),
            ("seconds", "{:>10.2f}", 10),
            ("speedup", "{:>8.1f}", 8),
            ("distance", "{:>10.3g}", 10),
            ("grad_norm", "{:>11.1e}", 11),
            ("bound", "{:>10.3g}", 10),
            ("retain", "{:>9.3g}", 9),
            ("forget", "{:>9.3g}", 9),
            ("test", "{:>9.3g}", 9),
            ("mia_auc", "{:>8.3f}", 8),
            ("klom_forget", "{:>8.3g}", 8),
            ("klom_retain", "{:>8.3g}", 8),
            ("klom_test", "{:>8.3g}", 8),
            ("ulira_auc", "{:>8.3f}", 8),
        ]
        titles = {
            "seconds": "time [ms]",
            "speedup": "vs retr",
            "grad_norm": "|grad J_R|",
            "distance": "dist/eff",
            "bound": "bound/eff",
            "mia_auc": "MIA AUC",
            "klom_forget": "KLoM F",
            "klom_retain": "KLoM R",
            "klom_test": "KLoM T",
            "ulira_auc": "U-LiRA",
        }
        present = set().union(*(row.keys() for row in self.rows))
        shown = [c for c in columns if c[0] in present]
        header = "".join(
            f"{titles.get(n, n):{'<' if n == 'unlearner' else '>'}{w}}" for n, _, w in shown
        )
        lines = [
            header,
            "-" * len(header),
            self._format(self.oracle | {"unlearner": "(oracle)"}, shown),
        ]
        lines += [self._format(row, shown) for row in self.rows]
        lines.append("")
        lines += [
            f"  {row['unlearner']:<16}{row['verdict']}{_band_note(row)}" for row in self.rows
        ]
        lines += [_certificate_line(row) for row in self.rows if "certificate" in row]
        lines.append(
            "\ndist/eff = ||w_u - w_oracle|| / ||w_original - w_oracle|| (0: exact, 1: did "
            "nothing, > 1: harmful); bound/eff = certified bound on it, without retraining;\n"
            "vs retr = speed-up over the 'retrain' unlearner; |grad J_R| = norm of the "
            "retain objective's gradient at the unlearned weights;\nretain/forget/test = the "
            "estimator's score (accuracy; R^2 for regressors, D^2 for the GLM deviances)."
        )
        return "\n".join(lines)

    @staticmethod
    def _format(row, shown):
        cells = []
        for name, fmt, width in shown:
            value = row.get(name)
            if value is None:
                cells.append(" " * (width - 1) + "-")
            else:
                value = 1e3 * value if name == "seconds" else value
                cell = fmt.format(value)
                if not isinstance(value, str) and not cell.startswith(" "):
                    cell = f"{value:>{width}.2g}"  # too wide (a diverged R^2): keep a gap
                cells.append(cell)
        return "".join(cells)

    def plot(self, ax=None):
        """Distance to the oracle over the deletion effect, per unlearner (log scale).

        Needs matplotlib (``pip install skunlearn[examples]``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes
        """
        ax = pyplot_axes(ax)
        measured = [row for row in self.rows if row.get("distance") is not None]
        names = [row["unlearner"] for row in measured]
        values = [max(row["distance"], 1e-16) for row in measured]
        ax.barh(names, values)
        ax.axvline(1.0, color="k", linestyle="--", label="did nothing")
        ax.set_xscale("log")
        ax.set_xlabel("||w_u - w_oracle|| / ||w_original - w_oracle||")
        ax.legend()
        return ax


def _certificate_line(row):
    c = row["certificate"]
    return (
        f"  {row['unlearner']:<16}certificate: epsilon={c['epsilon']:g}, delta={c['delta']:g}, "
        f"spent {c['spent']:.3g} of the budget {c['budget']:.3g}, "
        f"{c['deletions_since_retrain']} deletions since the last retraining, "
        f"{c['retrains']} retrainings ({c['method']})"
    )


def _band_note(row):
    if row.get("in_band", True):
        return ""
    return "; forget accuracy outside the 95% Hoeffding band around test accuracy (Lemma 1)"


@dataclass
class _Rows:
    """Decoded retain, forget and test rows of one comparison."""

    X_retain: np.ndarray
    y_retain: np.ndarray
    X_forget: np.ndarray
    y_forget: np.ndarray
    X_test: object
    y_test: object

    def scores(self, model):
        """Score on each split, and the loss-threshold attack AUC."""
        X_retain, X_forget = as_fitted_input(model, self.X_retain), self.forget_input(model)
        out = {
            "retain": model.score(X_retain, self.y_retain),
            "forget": model.score(X_forget, self.y_forget),
        }
        if self.X_test is not None:
            out["test"] = model.score(self.X_test, self.y_test)
            if set(np.unique(self.y_forget)) <= set(getattr(model, "classes_", self.y_forget)):
                out["mia_auc"] = loss_threshold_auc(
                    model, X_forget, self.y_forget, self.X_test, self.y_test
                )
        return {key: float(value) for key, value in out.items()}

    def forget_input(self, model):
        """The forget rows in the form ``model`` was fitted on."""
        return as_fitted_input(model, self.X_forget)


def unlearning_report(
    estimator,
    X_forget,
    y_forget=None,
    X_test=None,
    y_test=None,
    *,
    unlearners=None,
    oracle=None,
    repeats=1,
    n_models=0,
    random_state=0,
):
    """Compare unlearners on one forget set against the oracle.

    Each unlearner runs on a copy of ``estimator`` (which is not changed). For
    each: median wall time over ``repeats`` runs, distance to the oracle over
    the deletion effect, the :func:`certified_bound` over the same effect,
    scores on the retain, forget and test rows, the loss-threshold membership
    attack AUC (next to the oracle's own), a one-line verdict and, with
    ``n_models > 0`` and a classifier, KLoM percentiles and the U-LiRA AUC over
    subsample ensembles (:func:`subsample_ensembles`, which ignore sample
    weights). Reads the retain rows (the privacy remark of [1]_). The oracle
    and the ensembles use the hyperparameters ``estimator`` was fitted with.

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`
        (for a pipeline, its final step and the forget rows as that step sees
        them). Fitted on a DataFrame, every row is passed to it with its
        column names.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.
    X_test, y_test : array-like, default=None
        Held-out rows.
    unlearners : list of str or BaseUnlearner, default=None
        Unlearners to compare; all aliases by default.
    oracle : fitted estimator, default=None
        The oracle; :func:`fit_oracle` by default.
    repeats : int, default=1
        Timing repeats.
    n_models : int, default=0
        Ensemble size for KLoM and U-LiRA (0: skip them; at least 4 for U-LiRA).
    random_state : int, default=0
        Seed of the ensembles.

    Returns
    -------
    report : UnlearningReport

    Raises
    ------
    TypeError
        ``estimator`` is not a fitted skunlearn linear model.
    ValueError
        An empty forget set, or rows that are not training rows.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import unlearning_report
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X[:200], y[:200])
    >>> report = unlearning_report(clf, X[:10], y[:10], X[200:], y[200:],
    ...                            unlearners=["newton", "descent_ascent"])
    >>> [row["verdict"] for row in report.rows]
    ['lands on the oracle', 'harmful (farther than the original model)']
    """
    check_diagnosable(estimator, "unlearning_report")
    problem = estimator._unlearning_problem(X_forget, y_forget)
    if problem is None:
        raise ValueError("X_forget is empty: there is nothing to report on.")
    X_r, y_r, _ = retain_rows(estimator, problem)
    y_f = decode_targets(estimator, estimator._rows.y[problem.forget_positions])
    rows = _Rows(X_r, y_r, problem.X_forget, y_f, X_test, y_test)
    if oracle is None:
        oracle = fit_oracle(estimator, as_fitted_input(estimator, rows.X_forget), rows.y_forget)
    effect = float(
        np.linalg.norm(_original_parameters(estimator, problem) - parameter_vector(oracle))
    )
    ensembles = None
    if n_models and is_classifier(estimator):
        ensembles = OracleEnsembles(estimator, rows, n_models, random_state)
    table = []
    for unlearner in _default_unlearners(estimator) if unlearners is None else unlearners:
        row = _assess(estimator, unlearner, oracle, rows, repeats, effect)
        if ensembles is not None and row["seconds"] is not None:
            row.update(ensembles.metrics(unlearner))
        table.append(row)
    retrain = [row["seconds"] for row in table if row["unlearner"] in ("retrain", "Retrain")]
    for row in table:
        known = retrain and retrain[0] is not None and row["seconds"]
        row["speedup"] = retrain[0] / row["seconds"] if known else None
    return UnlearningReport(table, rows.scores(oracle), effect)


def _default_unlearners(estimator):
    """Every alias but the certified ones; for a certified fit, its own unlearner only
    (the noise was drawn for it: any other unlearner is refused)."""
    state = getattr(estimator, "_certified", None)
    if state is not None:
        return [state.unlearner]
    return [name for name, kind in ALIASES.items() if not issubclass(kind, CertifiedUnlearner)]


def _original_parameters(estimator, problem):
    """The original model's parameters, on the classes that remain when a class vanishes."""
    if not problem.vanished:
        return parameter_vector(estimator)
    return np.concatenate([np.ravel(part) for part in problem.layout.unpack(problem.theta0)])


def _assess(estimator, unlearner, oracle, rows, repeats, effect):
    name = unlearner if isinstance(unlearner, str) else type(unlearner).__name__
    times = []
    for _ in range(max(1, repeats)):
        model = copy.deepcopy(estimator).set_params(unlearner=unlearner)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnlearningDivergenceWarning)
            start = time.perf_counter()
            try:
                model.unlearn(rows.forget_input(model), rows.y_forget)
            except ValueError as error:  # e.g. ascent when a whole class is forgotten
                return {"unlearner": name, "seconds": None, "verdict": f"not applicable: {error}"}
            times.append(time.perf_counter() - start)
    diverged = any(issubclass(w.category, UnlearningDivergenceWarning) for w in caught)
    distance = oracle_distance(model, oracle)
    residual, bound = _bound(model)
    measurable = effect > NO_EFFECT * max(1.0, float(np.linalg.norm(parameter_vector(oracle))))
    row = {
        "unlearner": name,
        "seconds": float(np.median(times)),
        "distance": distance / effect if measurable else None,
        "grad_norm": residual,
        "bound": bound / effect if measurable else None,
        "diverged": diverged,
        "verdict": _verdict(distance, effect, oracle, diverged, measurable),
        **rows.scores(model),
    }
    if hasattr(model, "certificate_"):
        row["certificate"] = model.certificate_.to_dict()
    if rows.X_test is not None and is_classifier(model):
        X_f = rows.forget_input(model)
        check = hoeffding_check(model, X_f, rows.y_forget, rows.X_test, rows.y_test)
        row["in_band"] = check.within_band
    return row


def _verdict(distance, effect, oracle, diverged, measurable):
    """The verdict; without a measurable deletion effect, from the absolute distance."""
    if measurable:
        return unlearning_verdict(distance / effect, diverged)
    if diverged or not np.isfinite(distance):
        return "diverged"
    scale = max(1.0, float(np.linalg.norm(parameter_vector(oracle))))
    where = "lands on the oracle" if distance <= 1e-6 * scale else "moved away from the oracle"
    return f"{where} (the deletion has no measurable effect: {effect:.2g})"


def _bound(model):
    """Gradient norm and certified bound; the bound is NaN for a loss without one
    (:func:`certified_bound` refuses it, naming why), the norm then computed alone."""
    try:
        bound = certified_bound(model)
    except ValueError:
        objective = model._training_objective()
        grad = objective.value_grad(model._theta())[1]
        return float(np.linalg.norm(grad)), float("nan")
    return bound.residual, bound.bound
