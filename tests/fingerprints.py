"""Fingerprints: can the holder of a pickled model tell which row was forgotten?

Threat model (README, "Privacy"): someone holds the pickle after ``unlearn`` and a
pool of candidate rows, the forgotten row among rows never trained on. Each
*attack* below returns the candidates it finds consistent with the pickle; it
singles out the forgotten row when it returns a non-empty strict subset of the
pool. An attack does no better than chance when it returns all candidates or none.

The property behind all of them: the model state in the pickle after ``unlearn``
equals, bit for bit, the state of a fit on the remaining rows in the same order
(:func:`assert_same_state`); then it carries no information about the forgotten
row, whatever the attack. ``n_forgotten_`` (a count), ``unlearn_history_``
(checked separately: history-free metadata) and ``n_iter_`` (0 after an
unlearning) are left out of the comparison.

Attacks (each also shown, in the tests, to single out the row when the state
keeps the old leak):

- :func:`gram_replay`: Ridge's stored Gram statistics equal the full data's
  statistics with exactly one candidate's share subtracted (Chan et al.'s
  downdate, which skunlearn used before), for some insertion position;
- :func:`history_replay`: the unlearning history (its step lengths: the size of
  the deletion's effect) equals the replay of a fit on the stored rows plus a
  candidate, then unlearning it;
- :func:`state_replay`: the whole state equals the replay of fit + unlearn for
  a candidate at some position (coefficients, scaler statistics, row order);
- :func:`index_gaps`: the in-memory hash index has slots where a forgotten
  hash sat (tombstones), whose neighbours bracket that hash;
- :func:`error_texts`: ``unlearn(candidate)`` says something different for a
  forgotten row than a model fitted on the remaining rows says.
"""

import dataclasses
import pickle

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from skunlearn._solvers import GramStatistics
from skunlearn.utils import hash_rows

IGNORED = ("n_forgotten_", "unlearn_history_", "n_iter_")


def flatten(obj, prefix="", seen=None):
    """``{path: leaf}`` for everything reachable from ``obj`` (arrays, scalars, strings)."""
    seen = set() if seen is None else seen
    if isinstance(obj, np.ndarray | np.generic | int | float | str | bool | type(None)):
        return {prefix: obj}
    if type(obj).__module__.startswith("pandas") and hasattr(obj, "name"):
        return {prefix: str(obj)}  # a pandas dtype: compared by its description
    if sp.issparse(obj):
        return {f"{prefix}.{k}": getattr(obj, k) for k in ("data", "indices", "indptr")}
    if id(obj) in seen:
        return {}
    seen.add(id(obj))
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, list | tuple):
        items = enumerate(obj)
    elif dataclasses.is_dataclass(obj):
        items = ((f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj))
    elif hasattr(obj, "__dict__"):
        items = vars(obj).items()
    else:
        return {prefix: repr(obj)}
    out = {f"{prefix}.{type(obj).__name__}": "type"}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}", seen))
    return out


def model_state(estimator):
    """The flattened state of the pickled estimator, without the ignored attributes."""
    state = flatten(pickle.loads(pickle.dumps(estimator)))
    return {k: v for k, v in state.items() if not any(name in k for name in IGNORED)}


def _same(a, b):
    if isinstance(a, np.ndarray | np.generic) or isinstance(b, np.ndarray | np.generic):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype == object and b.dtype == object and a.shape == b.shape:
            return all(_same(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, float) and isinstance(b, float):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    return type(a) is type(b) and a == b


def state_differences(one, other):
    """Paths where two estimators' pickled states differ (bit for bit)."""
    a, b = model_state(one), model_state(other)
    keys = sorted(set(a) | set(b))
    return [k for k in keys if k not in a or k not in b or not _same(a[k], b[k])]


def assert_same_state(unlearned, refit):
    """The unlearned estimator's pickle holds exactly the refit's state."""
    differences = state_differences(unlearned, refit)
    assert differences == [], f"state differs from the refit's at {differences[:8]}"


def singles_out(found, pool_size):
    """Whether an attack's answer separates some candidates from the others."""
    return 0 < len(found) < pool_size


def insertions(rows, targets, candidate, target):
    """Every training order ``(X, y)`` the stored rows and a candidate can come from.

    Stable removal (the candidate inserted anywhere) and the removal skunlearn used
    before (the last row moved into the candidate's place).
    """
    n = len(rows)
    for position in range(n + 1):
        yield (
            np.insert(rows, position, candidate, axis=0),
            np.insert(targets, position, target, axis=0),
        )
    for position in range(n):
        order = np.r_[np.arange(position), n, np.arange(position + 1, n), position]
        full = np.vstack([rows, candidate[None, :]])
        full_targets = np.concatenate([targets, np.asarray(target)[None, ...]])
        full[n], full_targets[n] = candidate, target
        yield full[order], full_targets[order]


def old_downdate(gram, X, Y, w):
    """Chan et al.'s pairwise update run backwards: the downdate skunlearn used before."""
    part = GramStatistics.from_rows(X, Y, w, gram.centered)
    weight = gram.weight - part.weight
    x_mean = (gram.weight * gram.x_mean - part.weight * part.x_mean) / weight
    y_mean = (gram.weight * gram.y_mean - part.weight * part.y_mean) / weight
    dx, dy = part.x_mean - x_mean, part.y_mean - y_mean
    factor = weight * part.weight / gram.weight
    xx = gram.xx - part.xx - factor * np.outer(dx, dx)
    xy = gram.xy - part.xy - factor * np.outer(dx, dy)
    return GramStatistics(weight, x_mean, y_mean, (xx + xx.T) / 2, xy, True)


def gram_replay(model, pool_X, pool_y):
    """Candidates whose downdate from some training order reproduces the stored Gram."""
    gram, rows = model._warm_state, model._rows
    X = rows.X.toarray() if sp.issparse(rows.X) else rows.X
    found = set()
    for i, (x, y) in enumerate(zip(pool_X, pool_y, strict=True)):
        y = np.atleast_1d(y)
        for full, targets in insertions(X, rows.y, x, y):
            full_gram = GramStatistics.from_rows(full, targets, np.ones(len(full)), gram.centered)
            replay = old_downdate(full_gram, x[None, :], y[None, :], np.ones(1))
            if replay.xx.tobytes() == gram.xx.tobytes():
                found.add(i)
                break
    return found


def history_replay(model, pool_X, pool_y, tol=1e-12):
    """Candidates whose fit + unlearn replay gives the stored history (to ``tol``)."""
    rows = model._rows
    X = rows.X.toarray() if sp.issparse(rows.X) else rows.X
    stored = model.unlearn_history_
    found = set()
    for i, (x, y) in enumerate(zip(pool_X, pool_y, strict=True)):
        replay = clone(model).fit(np.vstack([X, x]), np.append(_targets(model), y))
        history = replay.unlearn(x[None, :]).unlearn_history_
        if set(history) == set(stored) and all(
            np.allclose(history[k], stored[k], rtol=tol, atol=0) for k in stored
        ):
            found.add(i)
    return found


def state_replay(make, X_remaining, y_remaining, pool_X, pool_y, target_state):
    """Candidates for which fit (in some order) + unlearn reproduces ``target_state``."""
    found = set()
    for i, (x, y) in enumerate(zip(pool_X, pool_y, strict=True)):
        for full, targets in insertions(X_remaining, y_remaining, x, y):
            replay = make().fit(full, targets).unlearn(x[None, :])
            if state_differences_from(replay, target_state) == []:
                found.add(i)
                break
    return found


def state_differences_from(estimator, state):
    mine = model_state(estimator)
    keys = sorted(set(mine) | set(state))
    return [k for k in keys if k not in mine or k not in state or not _same(mine[k], state[k])]


def index_gaps(model, pool_X):
    """Candidates whose hash lies where the in-memory index keeps an empty slot."""
    index = model._rows._index
    positions = getattr(index, "positions", np.array([]))
    slots = np.flatnonzero(positions < 0)
    hashes = hash_rows(np.asarray(pool_X, dtype=np.float64))
    found = set()
    for slot in slots:
        lo = index.keys[slot - 1] if slot > 0 else np.iinfo(np.int64).min
        live = np.flatnonzero(positions[slot:] >= 0)
        hi = index.keys[slot + live[0]] if len(live) else np.iinfo(np.int64).max
        found |= set(np.flatnonzero((hashes >= lo) & (hashes <= hi)).tolist())
    return found


def _refusal(model, x):
    try:
        pickle.loads(pickle.dumps(model)).unlearn(x[None, :])
    except ValueError as error:
        return str(error)
    return "<accepted>"


def error_texts(model, refit, pool_X):
    """Candidates whose refused ``unlearn`` says something else than the refit's would.

    A refusal may describe the stored rows (how far the nearest one is, column
    by column); it tells nothing of the forgotten row when it is the refusal of
    a model fitted on the remaining rows, for every candidate.
    """
    return {i for i, x in enumerate(pool_X) if _refusal(model, x) != _refusal(refit, x)}


def _targets(model):
    y = model._rows.y
    if hasattr(model, "classes_"):
        return model.classes_[y]
    return y.ravel() if np.ndim(model.coef_) == 1 else y
