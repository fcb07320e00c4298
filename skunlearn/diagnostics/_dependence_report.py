"""The dependence report: forget/retain dependence and ascent harm, before unlearning."""

import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier

from ._ascent_harm import AscentHarm, GradientAlignment, _ascent_harm, _gradient_alignment
from ._cross_influence import CrossInfluence, _cross_influence
from ._feature_dependence import (
    FeatureSimilarity,
    HoeffdingCheck,
    MMDTest,
    feature_similarity,
    hoeffding_check,
    mmd_test,
)
from ._forget_split import ForgetSplit
from ._oracle_distance import decode_targets
from ._plotting import pyplot_axes
from ._support import as_fitted_input

__all__ = ["DependenceReport", "dependence_report"]


@dataclass
class DependenceReport:
    """Forget/retain dependence and the ascent harm prediction for one forget set.

    Attributes
    ----------
    n_forget, n_retain : float
        Sizes (total sample weight) of the two sets.
    cross_influence : CrossInfluence
    alignment : GradientAlignment
    harm : AscentHarm
    similarity : FeatureSimilarity
    mmd : MMDTest
    hoeffding : HoeffdingCheck or None
        Lemma-1 check of the current model (None without a test set or for a
        regressor).
    seconds : float
        Wall time of the report.
    """

    n_forget: float
    n_retain: float
    cross_influence: CrossInfluence
    alignment: GradientAlignment
    harm: AscentHarm
    similarity: FeatureSimilarity
    mmd: MMDTest
    hoeffding: HoeffdingCheck | None
    seconds: float

    def to_dict(self):
        """Nested plain-Python dict."""
        parts = ("cross_influence", "alignment", "harm", "similarity", "mmd", "hoeffding")
        out = {
            name: None if getattr(self, name) is None else getattr(self, name).to_dict()
            for name in parts
        }
        return {
            "n_forget": self.n_forget,
            "n_retain": self.n_retain,
            **out,
            "seconds": self.seconds,
        }

    def __str__(self):
        ci, harm, sim = self.cross_influence, self.harm, self.similarity
        lines = [
            f"Dependence of the forget set ({self.n_forget:g} rows) on the retain set "
            f"({self.n_retain:g} rows); reads the retain rows",
            f"  cross-influence ||G_R H^-1 G_F^T||_2  {ci.spectral_norm:10.4g}   per pair "
            f"{ci.per_pair:.3g}; top direction {ci.top_energy_share:.0%} of the energy, "
            f"spread over {ci.forget_share:.0%} of F",
            f"  gradient alignment, pairwise cosine  {self.alignment.pairwise:10.3f}   (of the "
            f"means {self.alignment.forget_retain:.3f}: -1 is stationarity, not dependence)",
            f"  nearest retain row |cos|             {sim.median_nearest:10.3f}   (median; "
            f"max {sim.max_nearest:.3f}; cosine of the means {sim.mean_cosine:.3f})",
            f"  MMD^2 two-sample test                {self.mmd.statistic:10.3g}   p = "
            f"{self.mmd.p_value:.3f} ({self.mmd.n_forget} vs {self.mmd.n_retain} rows)",
        ]
        if self.hoeffding is not None:
            h = self.hoeffding
            inside = "inside" if h.within_band else "OUTSIDE"
            lines.append(
                f"  Lemma 1: forget acc {h.forget_accuracy:.3f}, test acc {h.test_accuracy:.3f}:"
                f" gap {h.gap:.3f} {inside} the {h.confidence:.0%} Hoeffding band "
                f"+-{h.band:.3f}"
            )
        lines += [
            "Ascent harm test (oracle computed by Newton steps on J_R, residual "
            f"{harm.oracle_residual:.1e}; DA's end found from {harm.da_steps} of its steps "
            f"and {harm.flow_steps} Newton steps)",
            f"  first DA step: cos(-grad L_DA, w_R - w_D) = {harm.cosine:.3f}; distance to "
            f"the oracle after one step {harm.step_distance:.4g}x the deletion effect",
            f"  -> {harm.verdict}",
        ]
        return "\n".join(lines)

    def plot(self, ax=None):
        """Per-forget-row influence on the retain set, largest first.

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
        values = np.sort(self.cross_influence.per_forget_influence)[::-1]
        ax.plot(np.arange(1, len(values) + 1), values, marker=".")
        ax.set_xlabel("forget row (sorted)")
        ax.set_ylabel("RMS cross-influence on the retain rows")
        ax.set_title(self.harm.verdict.split(":")[0] + " (ascent harm test)")
        return ax


def dependence_report(
    estimator,
    X_forget,
    y_forget=None,
    X_test=None,
    y_test=None,
    *,
    ascent_weight=1.0,
    n_permutations=200,
    max_samples=1000,
    random_state=0,
):
    """Everything the dependence diagnostics say about one forget set, before unlearning.

    Gathers :func:`cross_influence`, :func:`gradient_alignment`,
    :func:`ascent_harm`, :func:`feature_similarity`, :func:`mmd_test` and, with
    a test set and a classifier, :func:`hoeffding_check`, sharing one pass
    over the retain rows. Reads the retain rows (the privacy remark of [1]_).
    Nothing is changed on the estimator.

    Parameters
    ----------
    estimator : skunlearn estimator
        A fitted :class:`~skunlearn.LogisticRegression` or :class:`~skunlearn.Ridge`.
    X_forget : array-like of shape (n_forget, n_features)
        Training rows to forget.
    y_forget : array-like, default=None
        Their targets.
    X_test, y_test : array-like, default=None
        Held-out rows for the Lemma-1 check.
    ascent_weight : float, default=1.0
        Weight of the ascent term in the harm test.
    n_permutations, max_samples : int, default=200, 1000
        Passed to :func:`mmd_test`.
    random_state : int, default=0
        Seed of the MMD test.

    Returns
    -------
    report : DependenceReport

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> from skunlearn.diagnostics import dependence_report
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X[:200], y[:200])
    >>> report = dependence_report(clf, X[:10], y[:10], X[200:], y[200:])
    >>> sorted(report.to_dict())[:3]
    ['alignment', 'cross_influence', 'harm']
    """
    start = time.perf_counter()
    split = ForgetSplit(estimator, X_forget, y_forget, "dependence_report")
    problem = split.problem
    X_retain = problem.X[split.retain_sample_weight > 0]
    hoeffding = None
    if X_test is not None and is_classifier(estimator):
        y_f = decode_targets(estimator, problem.y_forget)
        X_f = as_fitted_input(estimator, problem.X_forget)
        hoeffding = hoeffding_check(estimator, X_f, y_f, X_test, y_test)
    return DependenceReport(
        n_forget=float(np.sum(split.forget_sample_weight)),
        n_retain=float(np.sum(split.retain_sample_weight)),
        cross_influence=_cross_influence(split),
        alignment=_gradient_alignment(split),
        harm=_ascent_harm(split, ascent_weight),
        similarity=feature_similarity(problem.X_forget, X_retain),
        mmd=mmd_test(
            problem.X_forget,
            X_retain,
            n_permutations=n_permutations,
            max_samples=max_samples,
            random_state=random_state,
        ),
        hoeffding=hoeffding,
        seconds=time.perf_counter() - start,
    )
