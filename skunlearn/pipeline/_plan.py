"""Planning a pipeline's unlearning aside: every step refitted or re-expressed, nothing committed.

The remaining raw rows go through the steps in order. Each transformer is
refitted (a clone with the hyperparameters of ``fit``) by ``fit_transform`` on
the remaining rows as the refitted steps before it output them, exactly as the
pipeline refit on the remaining rows does; the forgotten rows are transformed
alongside when the new steps can (an encoder refuses a category that only
they held). The final estimator then re-expresses its stored rows in the new
output (:class:`NewFeatures`: the rows in store order and the
:class:`~skunlearn.pipeline._column_map.ColumnMap` that carries its
parameters, whatever columns appeared or vanished) and its unlearner lands on
the new oracle. Each plan is a :class:`PreparedUnlearn`: committed together,
or rolled back.
"""

import copy
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils.validation import _get_feature_names

from ..linear_model import UnlearnMixin
from ..linear_model._base import PreparedUnlearn
from ..unlearners import resolve_unlearner
from ._column_map import ColumnMap, input_names, step_map
from ._steps import StepNotUnlearnableError, adopt, is_stateless, refuse_unless_refittable

__all__ = ["NewFeatures", "plan_unlearn"]


@dataclass(frozen=True)
class NewFeatures:
    """The final estimator's stored rows in a changed feature space.

    Attributes
    ----------
    X : ndarray or CSR matrix of shape (n_stored, n_new_features)
        Every stored row (forgotten ones included, in store order).
    column_map : ColumnMap
        How the old features map to the new ones.
    names : ndarray of str or None
        The new feature names, when the prefix outputs a DataFrame.
    """

    X: object
    column_map: ColumnMap
    names: object


def _width(Z):
    return Z.shape[1] if len(getattr(Z, "shape", ())) == 2 else 1


def _dense(Z):
    return Z.toarray() if sp.issparse(Z) else np.asarray(Z, dtype=np.float64)


def _stacked(kept, forgotten, keep, positions):
    """The rows of ``kept`` at ``keep`` and of ``forgotten`` at ``positions`` (zeros if None)."""
    if sp.issparse(kept):
        width = kept.shape[1]
        if forgotten is None:
            forgotten = sp.csr_matrix((len(positions), width))
        both = sp.vstack([sp.csr_matrix(kept), sp.csr_matrix(forgotten)], format="csr")
        return both[np.argsort(np.concatenate([keep, positions]))]
    out = np.zeros((len(keep) + len(positions), _width(kept)))
    out[keep] = _dense(kept)
    if forgotten is not None:
        out[positions] = _dense(forgotten)
    return out


@dataclass(frozen=True)
class _Stage:
    """The rows at one point of the pipeline, as the refitted steps before it output them."""

    kept: object
    forgotten: object  # None once a new step could not transform them
    column_map: ColumnMap  # None while no step changed
    old_names: list
    new_names: list

    def through(self, old, new, kept, changed=True):
        """The stage after ``old`` was refitted as ``new`` (``changed``), which output ``kept``."""
        forgotten = None
        if self.forgotten is not None:
            try:
                forgotten = new.transform(self.forgotten)
            except ValueError:  # e.g. a category that only the forgotten rows held
                forgotten = None
        in_map = self.column_map or ColumnMap.identity(len(self.new_names))
        column_map, old_names, new_names = step_map(
            old, new, in_map, self.old_names, self.new_names, _width(kept)
        )
        return _Stage(kept, forgotten, column_map if changed else None, old_names, new_names)

    def features(self, final, keep, positions):
        """The final estimator's :class:`NewFeatures`, or None when nothing changed."""
        if self.column_map is None:
            return None
        if self.forgotten is None and not resolve_unlearner(final.unlearner)._lands_on_oracle:
            raise ValueError(
                "The refitted steps cannot transform the forgotten rows (they held a category "
                "no remaining row has), and the final step's unlearner needs them. Use an "
                "unlearner that lands on the oracle ('newton', 'retrain')."
            )
        column_map = self.column_map
        if column_map.n_columns != _width(self.kept):  # a step whose feature names lie
            column_map = ColumnMap.columns(np.full(_width(self.kept), -1))
        X = _stacked(self.kept, self.forgotten, keep, positions)
        return NewFeatures(X, column_map, _get_feature_names(self.kept))


def plan_unlearn(pipeline, positions):
    """The prepared unlearning of every step of a fitted ``pipeline``; the raw rows first."""
    raw = pipeline._raw
    store = raw.store
    keep = np.setdiff1d(np.arange(store.n), positions)
    kept, forgotten = store.take(keep)[0], store.take(positions)[0]
    names = input_names(pipeline.steps[0][1], _width(kept))
    stage = _Stage(kept, forgotten, None, names, names)
    y_keep = raw.targets(keep)
    commits = [PreparedUnlearn(partial(store.remove, positions))]
    for index, (name, step) in enumerate(pipeline.steps):
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        if index == len(pipeline.steps) - 1 and isinstance(step, UnlearnMixin):
            _check_aligned(step, store)
            features = stage.features(step, keep, positions)
            commits.append(step._prepare_unlearn(positions, features))
            continue
        try:
            refuse_unless_refittable(f"step {name!r}", step)
        except StepNotUnlearnableError:
            if not pipeline.refit_unsupported:
                raise
            return commits[1:] + _plan_refit(pipeline, index, stage.kept, y_keep, positions)
        if is_stateless(step) and stage.column_map is None:  # nothing upstream changed
            stage = stage.through(step, step, step.transform(stage.kept), changed=False)
            continue
        new = clone(pipeline._templates[index])
        weights = raw.weights(name, keep)
        kwargs = {} if weights is None else {"sample_weight": weights}
        stage = stage.through(step, new, new.fit_transform(stage.kept, y_keep, **kwargs))
        commits.append(PreparedUnlearn(partial(adopt, step, new)))
    return commits


def _check_aligned(step, store):
    rows = getattr(step, "_rows", None)
    if rows is not None and rows.n != store.n:
        raise ValueError(
            f"The final step holds {rows.n} rows but the pipeline {store.n}: it was refitted "
            "or unlearned outside the pipeline. Refit the pipeline."
        )


def _plan_refit(pipeline, start, Z, y, positions):
    """Refit steps ``start:`` on the remaining rows ``Z`` (as the steps before output them)."""
    raw = pipeline._raw
    if raw.other_params:
        raise ValueError(
            f"Cannot refit step {pipeline.steps[start][0]!r}: the pipeline was fitted with "
            f"{raw.other_params}, which it does not keep."
        )
    remaining = copy.deepcopy(raw)
    remaining.store.remove(positions)
    refitted = []
    for index, (name, step) in enumerate(pipeline.steps[start:], start=start):
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        fresh, weights = clone(pipeline._templates[index]), remaining.weights(name)
        kwargs = {} if weights is None else {"sample_weight": weights}
        if index == len(pipeline.steps) - 1:
            fresh.fit(Z, y, **kwargs)
        else:
            Z = fresh.fit_transform(Z, y, **kwargs)
        refitted.append((step, fresh))

    def commit():
        raw.store.erase()
        pipeline._raw = remaining
        for step, fresh in refitted:
            adopt(step, fresh)

    return [PreparedUnlearn(commit)]
