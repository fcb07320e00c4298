"""The raw rows a pipeline was fitted on, with their targets, per-step weights and ids.

The pipeline keeps them to find the forgotten rows in the user's own form
(a DataFrame of mixed dtypes, an array, documents, CSR: see
:func:`~skunlearn.utils.input_rows`) and to refit the steps on the remaining
ones. They live in one row store whose weight array has one column per step
fitted with a ``sample_weight`` (zero columns when none was), so that rows,
targets, weights and ids are removed together, in place.
"""

import numpy as np
from sklearn import get_config
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.validation import _num_samples

from ..utils import input_rows

__all__ = ["RawRows", "encode_targets", "step_fit_params"]


def step_fit_params(pipeline, params):
    """The fit parameters each step received, ``{step name: {param: value}}``."""
    names = [name for name, step in pipeline.steps if step not in (None, "passthrough")]
    if get_config()["enable_metadata_routing"]:
        routed = process_routing(pipeline, "fit", **params)
        return {
            name: {**routed[name].get("fit", {}), **routed[name].get("fit_transform", {})}
            for name in names
        }
    per_step = {name: {} for name in names}
    for key, value in params.items():
        name, _, param = key.partition("__")
        per_step.setdefault(name, {})[param] = value
    return per_step


def encode_targets(y, n_rows, stored=None):
    """Targets in a form the row store can hold and compare exactly.

    Numeric targets keep their dtype; anything else (strings, objects) is held
    as fixed-width text. ``stored`` (the store's targets) gives the form to
    match for a forget set.
    """
    if y is None:
        return np.zeros(n_rows)
    y = np.asarray(y)
    text = y.dtype.kind not in "biuf" if stored is None else stored.dtype.kind == "U"
    y = y.astype(str) if text else y
    if y.shape[0] != n_rows:
        raise ValueError(f"y_forget has {y.shape[0]} entries for {n_rows} rows.")
    return y


class RawRows:
    """Raw training rows of a pipeline: the row store plus how to replay a fit.

    Parameters
    ----------
    X : array-like, DataFrame, sparse matrix or iterable of documents
        Raw input, as given to ``fit``.
    y : array-like of shape (n_samples,) or (n_samples, n_targets) or None
        Targets.
    fit_params : dict
        ``{step name: {param: value}}`` as received by ``fit``.
    ids : ndarray of shape (n_samples,) or None
        The rows' ``sample_id``.
    """

    def __init__(self, X, y, fit_params, ids=None):
        n = _num_samples(X)
        self.weighted = [name for name, kw in fit_params.items() if "sample_weight" in kw]
        self.other_params = sorted(
            f"{name}__{key}"
            for name, kw in fit_params.items()
            for key in kw
            if key != "sample_weight"
        )
        weights = np.empty((n, len(self.weighted)))
        for column, name in enumerate(self.weighted):
            weights[:, column] = np.broadcast_to(fit_params[name]["sample_weight"], n)
        self.has_y = y is not None
        self.store = input_rows(X, encode_targets(y, n), weights)
        if ids is not None:
            self.store.set_ids(ids)

    def weights(self, name, positions=None):
        """``sample_weight`` of step ``name`` (at ``positions``), or None."""
        if name not in self.weighted:
            return None
        column = self.store.sample_weight[:, self.weighted.index(name)]
        return column.copy() if positions is None else column[positions]

    def targets(self, positions=None):
        """Targets of the live rows (at ``positions``), or None if ``fit`` got none."""
        if not self.has_y:
            return None
        return self.store.y.copy() if positions is None else self.store.y[positions]
