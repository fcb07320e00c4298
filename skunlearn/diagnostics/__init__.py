"""Diagnostics: tell the truth about an unlearning run, before and after it.

Plain functions over fitted estimators and arrays, returning numpy results or
small result objects with ``to_dict()``. Before unlearning: the dependence
between the forget and retain sets (cross-influence, gradient alignment,
feature similarity, an MMD two-sample test, the Lemma-1 band) and the ascent
harm test, which finds whether descent-ascent moves toward the oracle and
where it ends, without running it to the end [1]_.
After unlearning: a certified distance to the oracle without retraining, the
measured oracle distance, margins and KLoM, and membership inference
calibrated against the oracle. :func:`dependence_report` and
:func:`unlearning_report` gather them.

Diagnostics that read the retain rows say so: checking the forget set against
the retain set re-reads sensitive retain data [1]_.

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

from ._ascent_harm import AscentHarm, GradientAlignment, ascent_harm, gradient_alignment
from ._certified_bound import CertifiedBound, certified_bound
from ._cross_influence import CrossInfluence, cross_influence
from ._dependence_report import DependenceReport, dependence_report
from ._feature_dependence import (
    FeatureSimilarity,
    HoeffdingCheck,
    MMDTest,
    feature_similarity,
    hoeffding_check,
    mmd_test,
)
from ._klom import ensemble_margins, klom, margins, subsample_ensembles
from ._membership_inference import loss_threshold_auc, sample_losses, ulira_auc
from ._oracle_distance import fit_oracle, oracle_distance
from ._per_sample import loss_derivative, per_sample_gradients
from ._unlearning_report import UnlearningReport, unlearning_report, unlearning_verdict

__all__ = [
    "AscentHarm",
    "CertifiedBound",
    "CrossInfluence",
    "DependenceReport",
    "FeatureSimilarity",
    "GradientAlignment",
    "HoeffdingCheck",
    "MMDTest",
    "UnlearningReport",
    "ascent_harm",
    "certified_bound",
    "cross_influence",
    "dependence_report",
    "ensemble_margins",
    "feature_similarity",
    "fit_oracle",
    "gradient_alignment",
    "hoeffding_check",
    "klom",
    "loss_derivative",
    "loss_threshold_auc",
    "margins",
    "mmd_test",
    "oracle_distance",
    "per_sample_gradients",
    "sample_losses",
    "subsample_ensembles",
    "ulira_auc",
    "unlearning_report",
    "unlearning_verdict",
]
