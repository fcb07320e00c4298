"""The oracle ensembles of the unlearning report: KLoM and U-LiRA against refits.

:class:`OracleEnsembles` fits, once per report, oracle models on seeded
subsamples of the retain rows (:func:`~skunlearn.diagnostics._klom.retain_subsets`);
for each unlearner it unlearns the same subsamples' models and compares the
margins per split (KLoM, :func:`~skunlearn.diagnostics._klom.klom`, at the
``KLOM_PERCENTILE``-th percentile) and, with at least four models, the U-LiRA
membership AUC on the forget rows.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from ..exceptions import UnlearningDivergenceWarning
from ._klom import ensemble_margins, klom, retain_subsets, unlearned_ensemble
from ._membership_inference import ulira_auc

__all__ = ["KLOM_MAX_ROWS", "KLOM_PERCENTILE", "OracleEnsembles"]

KLOM_PERCENTILE = 95  # the percentile of the per-row KLoM values reported
KLOM_MAX_ROWS = 500  # retain rows (evenly spaced) on which KLoM is measured


class OracleEnsembles:
    """Oracle ensemble over seeded retain subsamples, fitted once; margins per split.

    The models are fitted on plain arrays (no feature names). Margins need a
    class the models know: when forgetting removes a class, the forget split
    is left out and the test split keeps the rows of the remaining classes.
    """

    def __init__(self, estimator, rows, n_models, random_state):
        self.template = clone(estimator).set_params(**estimator._fitted_hyperparameters())
        self.X = _stack_rows(rows.X_retain, rows.X_forget)
        self.y = np.r_[rows.y_retain, rows.y_forget]
        n_retain = rows.X_retain.shape[0]
        self.is_forget = np.arange(self.X.shape[0]) >= n_retain
        self.subsets = retain_subsets(self.is_forget, n_models, 0.8, random_state)
        keep = np.linspace(0, n_retain - 1, min(KLOM_MAX_ROWS, n_retain))
        keep = keep.astype(np.int64)
        self.splits = {"retain": (rows.X_retain[keep], rows.y_retain[keep])}
        classes = np.unique(rows.y_retain)
        if np.all(np.isin(rows.y_forget, classes)):
            self.splits["forget"] = (rows.X_forget, rows.y_forget)
        if rows.X_test is not None:
            known = np.isin(rows.y_test, classes)  # margins need a class the models know
            if known.any():
                X_test = rows.X_test if sp.issparse(rows.X_test) else np.asarray(rows.X_test)
                self.splits["test"] = (X_test[known], np.asarray(rows.y_test)[known])
        oracles = [clone(self.template).fit(self.X[s], self.y[s]) for s in self.subsets]
        self.oracle_margins = {k: ensemble_margins(oracles, *v) for k, v in self.splits.items()}

    def metrics(self, unlearner):
        """KLoM percentiles per split and the U-LiRA AUC on the forget rows."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnlearningDivergenceWarning)
            models = unlearned_ensemble(
                self.template, self.X, self.y, self.is_forget, self.subsets, unlearner
            )
        out = {}
        for name, (X_s, y_s) in self.splits.items():
            values = klom(ensemble_margins(models, X_s, y_s), self.oracle_margins[name])
            out[f"klom_{name}"] = float(np.percentile(values, KLOM_PERCENTILE))
        if len(models) >= 4 and "forget" in self.splits:
            forget = ensemble_margins(models, *self.splits["forget"])
            out["ulira_auc"] = ulira_auc(forget, self.oracle_margins["forget"])
        return out


def _stack_rows(A, B):
    if sp.issparse(A) or sp.issparse(B):
        return sp.vstack([A, B], format="csr")
    return np.vstack([A, B])
