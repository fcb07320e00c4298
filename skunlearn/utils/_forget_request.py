"""A deletion request: rows or ids, and what to do with the ones that are gone.

``unlearn(X_forget=None, y_forget=None, *, ids=None, sample_weight=None,
missing="raise")`` has the same meaning for estimators and pipelines:
:func:`check_request` validates the combination, :func:`locate_request` turns
it into positions of stored rows (skipping, with ``missing="ignore"``, rows or
ids that are not stored: a retried deletion request) and
:func:`skipped_warning` words what was skipped.
"""

from sklearn.utils.validation import _num_samples

from ..exceptions import ForgetRequestWarning

__all__ = ["check_request", "locate_request", "skipped_warning"]


def check_request(X_forget, y_forget, ids, sample_weight, missing):
    """Refuse a malformed request before any work.

    Raises
    ------
    ValueError
        Neither or both of ``X_forget`` and ``ids``; ``y_forget`` or
        ``sample_weight`` with ``ids`` (ids name rows uniquely); ``missing``
        not one of ``"raise"``, ``"ignore"``.
    """
    if missing not in ("raise", "ignore"):
        raise ValueError(f"missing must be 'raise' or 'ignore'; got {missing!r}.")
    if (X_forget is None) == (ids is None):
        raise ValueError(
            "Give either X_forget (the rows to forget) or ids (their sample_id at fit), "
            f"not {'both' if ids is not None else 'neither'}."
        )
    if ids is not None and (y_forget is not None or sample_weight is not None):
        raise ValueError(
            "y_forget and sample_weight tell equal rows apart; ids name rows uniquely, so "
            "give ids alone."
        )


def locate_request(store, X_forget, ids, missing, locate_rows):
    """``(positions or None, n_requested, n_skipped)`` of a checked request.

    ``locate_rows(missing)`` validates ``X_forget`` and finds its rows in
    ``store``; ids are found with :meth:`RowStore.find_ids`.
    """
    if ids is not None:
        positions, skipped = store.find_ids(ids, missing)
        return positions, len(ids), skipped
    positions = locate_rows(missing)
    n_requested = _num_samples(X_forget)
    return positions, n_requested, n_requested - (0 if positions is None else len(positions))


def skipped_warning(n_requested, n_skipped, by_ids):
    """The ``(message, ForgetRequestWarning)`` for skipped rows or ids, or None."""
    if not n_skipped:
        return None
    if by_ids:
        what = f"{n_skipped} of the {n_requested} ids are not ids of training rows"
        why = "(forgotten already, or never trained on)"
    else:
        what = f"{n_skipped} of the {n_requested} rows of X_forget are not training rows"
        why = "(forgotten already, never trained on, or changed by rounding)"
    return f"{what} {why}; they were skipped (missing='ignore').", ForgetRequestWarning
