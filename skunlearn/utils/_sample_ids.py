"""Sample identifiers: one unique, hashable id per training row, for deletion by id.

``fit(X, y, sample_id=ids)`` keeps the ids in the row store, aligned with the
rows and removed with them (:meth:`~skunlearn.utils.RowStore.set_ids`);
``unlearn(ids=[...])`` finds rows through an :class:`IdLookup`, a table built
on first use from the live ids and never pickled, so that neither the file nor
the table remembers a forgotten id.
"""

import numpy as np
from sklearn.utils.validation import _num_samples

__all__ = ["IdLookup", "blank", "sample_ids"]


def blank(array):
    """Overwrite ``array`` in place: None for an object array, zeros otherwise."""
    array[...] = None if array.dtype == object else 0


def _as_vector(values, n_rows):
    """``values`` as a 1-D array of one id per row (tuples stay whole ids)."""
    try:
        ids = np.asarray(values)
    except ValueError:  # ragged sequences: one object per row
        ids = np.empty(0)
    if ids.ndim != 1 or len(ids) != len(values):
        ids = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            ids[i] = value
    if ids.shape != (n_rows,):
        raise ValueError(f"sample_id has {len(ids)} entries for {n_rows} rows.")
    return ids


def _is_missing(value):
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas.NA: its comparisons are neither True nor False
        return True


def sample_ids(X, sample_id):
    """The ids of ``fit``'s rows: ``sample_id`` checked, ``"index"`` resolved.

    Parameters
    ----------
    X : array-like or DataFrame
        The training data as given to ``fit`` (for ``sample_id="index"``).
    sample_id : array-like of shape (n_rows,), "index" or None
        One unique, hashable, non-missing identifier per row, or ``"index"``
        for the index of a pandas ``X``.

    Returns
    -------
    ids : ndarray of shape (n_rows,) or None
        None when ``sample_id`` is None.

    Raises
    ------
    ValueError
        ``"index"`` without a pandas ``X``, a wrong length, a missing,
        unhashable or repeated id (named by position, not by value).

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils._sample_ids import sample_ids
    >>> sample_ids(np.zeros((3, 1)), ["a", "b", "c"])
    array(['a', 'b', 'c'], dtype='<U1')
    """
    if sample_id is None:
        return None
    n_rows = _num_samples(X)
    if isinstance(sample_id, str):
        if sample_id != "index" or not hasattr(X, "index"):
            raise ValueError(
                'sample_id must be one id per row, or "index" for the index of a pandas X; '
                f"got the string {sample_id!r} with X of type {type(X).__name__}."
            )
        sample_id = X.index.to_numpy()
    ids = _as_vector(sample_id, n_rows)
    if ids.dtype.kind == "f" and np.isnan(ids).any():
        raise ValueError(f"sample_id[{int(np.flatnonzero(np.isnan(ids))[0])}] is missing (NaN).")
    seen = {}
    for position, value in enumerate(ids.tolist()):
        if _is_missing(value):
            raise ValueError(f"sample_id[{position}] is missing; every row needs an id.")
        try:
            first = seen.setdefault(value, position)
        except TypeError:
            raise ValueError(f"sample_id[{position}] is not hashable.") from None
        if first != position:
            raise ValueError(
                f"sample_id[{position}] repeats sample_id[{first}]: ids must be unique."
            )
    return ids


class IdLookup:
    """Positions of stored rows by id: a table of the live ids.

    Parameters
    ----------
    ids : ndarray of shape (n_rows,)
        The live rows' ids, in store order.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils._sample_ids import IdLookup
    >>> IdLookup(np.array([10, 20, 30])).positions([30, 99], missing="ignore")
    (array([2]), 1)
    """

    def __init__(self, ids):
        self._table = {value: position for position, value in enumerate(ids.tolist())}

    def positions(self, requested, missing="raise"):
        """``(positions, n_skipped)`` of the requested ids, in request order.

        An id that is not stored (never trained on, or forgotten already) or
        repeated in the request raises ValueError with ``missing="raise"``
        and is skipped (counted in ``n_skipped``) with ``missing="ignore"``.
        Messages name ids by their position in the request, never by value.
        """
        found, skipped, claimed = [], 0, {}
        for k, value in enumerate(_as_vector(requested, len(requested)).tolist()):
            try:
                position = self._table.get(value)
            except TypeError:
                raise ValueError(f"ids[{k}] is not hashable.") from None
            if position is None or position in claimed:
                if missing == "raise":
                    raise ValueError(_unknown(k, claimed.get(position)))
                skipped += 1
                continue
            claimed[position] = k
            found.append(position)
        return np.asarray(found, dtype=np.int64), skipped


def _unknown(k, repeated):
    if repeated is not None:
        return f"ids[{k}] repeats ids[{repeated}]; nothing was forgotten."
    return (
        f"ids[{k}] is not the id of a training row (never trained on, or forgotten already); "
        "nothing was forgotten. Pass missing='ignore' to skip ids that are gone (a retried "
        "deletion request)."
    )
