"""Why a forget row was not found: how far the nearest stored row is, without quoting it.

Users hold copies of their rows that went through a float32 cast, a CSV
written with 6 decimals or a type change; such a row matches nothing. A row
store reports the stored row nearest to it (fewest gaps larger than rounding,
then fewest gaps: ``RowStore._nearest``) as a :class:`NearMiss`, and
:func:`describe_near_miss` turns it into words: the columns that differ and,
when every gap is rounding-sized, the largest gap to one significant digit.
A stored value is never quoted, nor the size of a larger gap (guesses refined
by it would recover a stored value); a row that differs in more than a few
columns is reported as having no close stored row.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["NearMiss", "describe_near_miss", "nearest_dense", "nearest_row", "nearest_sparse"]

# A gap below this fraction of the value looks like rounding or a float32 cast.
_ROUNDING = 1e-5
_LISTED = 3


@dataclass(frozen=True)
class NearMiss:
    """The stored row nearest to a forget row, column by column.

    Attributes
    ----------
    n_columns : int
        Number of columns of a row.
    columns : ndarray of int
        The columns where the nearest stored row differs.
    gaps : ndarray of float
        ``|stored - given|`` per such column: ``inf`` when one of the two is
        missing, ``nan`` when they are not both numbers.
    scales : ndarray of float
        ``|given|`` per such column (``nan`` when not a number).
    """

    n_columns: int
    columns: np.ndarray
    gaps: np.ndarray
    scales: np.ndarray


def nearest_row(differ, gaps, scales):
    """The row with the fewest gaps that are not rounding-sized, then the fewest gaps.

    ``differ``, ``gaps`` and ``scales`` are ``(n_rows, n_columns)`` arrays (a
    gap of ``nan`` or ``inf`` is never rounding-sized).
    """
    far = differ & ~(gaps <= _ROUNDING * scales)
    score = far.sum(axis=1) * (differ.shape[1] + 1) + differ.sum(axis=1)
    return int(np.argmin(score))


def nearest_dense(stored, given):
    """:class:`NearMiss` of float64 row ``given`` among the rows ``stored`` (NaN equal NaN).

    Parameters
    ----------
    stored : ndarray of shape (n_rows, n_columns)
    given : ndarray of shape (n_columns,)
    """
    stored_nan, given_nan = np.isnan(stored), np.isnan(given)
    differ = ~((stored == given) | (stored_nan & given_nan))
    with np.errstate(invalid="ignore"):
        gaps = np.where(stored_nan | given_nan, np.inf, np.abs(stored - given))
    row = nearest_row(differ, gaps, np.abs(given))
    columns = np.flatnonzero(differ[row])
    return NearMiss(stored.shape[1], columns, gaps[row, columns], np.abs(given[columns]))


def nearest_sparse(stored, given):
    """:class:`NearMiss` of a 1-row CSR ``given`` among the CSR rows ``stored``."""
    n, d = stored.shape
    diff = sp.csr_matrix(stored - sp.csr_matrix(np.ones((n, 1))) @ given)
    diff.eliminate_zeros()
    scales = np.abs(given.toarray().ravel())
    counts = diff.getnnz(axis=1)
    far = ~(np.abs(diff.data) <= _ROUNDING * scales[diff.indices])
    far_counts = np.bincount(np.repeat(np.arange(n), counts), weights=far, minlength=n)
    row = int(np.argmin(far_counts * (d + 1) + counts))
    gaps = np.abs(diff[row].toarray().ravel())
    columns = np.flatnonzero(gaps != 0)
    gaps = np.where(np.isnan(gaps[columns]), np.inf, gaps[columns])
    return NearMiss(d, columns, gaps, scales[columns])


def _name(column, names):
    return repr(str(names[column])) if names is not None else str(column)


def _kind(gap):
    if np.isinf(gap):
        return " (one of the two is missing)"
    return " (another value)" if np.isnan(gap) else ""


def describe_near_miss(near, names=None):
    """The tail of a "not in the training set" message: where the nearest row differs.

    Parameters
    ----------
    near : NearMiss or None
        The nearest stored row (None: no stored row to compare with).
    names : sequence of str, default=None
        Column names (default: column positions).

    Returns
    -------
    text : str
        ``""``, or a clause starting with ``": "``.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.utils._near_miss import describe_near_miss, nearest_dense
    >>> stored = np.array([[1.0, 50_000.0], [2.0, 61_000.0]])
    >>> near = nearest_dense(stored, np.array([2.0, 61_000.0003]))
    >>> text = describe_near_miss(near, ["age", "income"])
    >>> text[: text.index(" (")]
    ": the nearest stored row differs by at most 3e-04 in column 'income'"
    >>> text[text.index(" (") :]
    ' (rounded, or cast to float32?)'
    """
    if near is None or not len(near.columns):
        return ""
    count = len(near.columns)
    listed = ", ".join(_name(column, names) for column in near.columns[:_LISTED])
    listed += ", ..." if count > _LISTED else ""
    if np.all(near.gaps <= _ROUNDING * near.scales):
        return (
            f": the nearest stored row differs by at most {np.max(near.gaps):.0e} in "
            f"{_columns(count)} {listed} (rounded, or cast to float32?)"
        )
    if count > _LISTED or count >= near.n_columns:
        return (
            f": no stored row is close (the nearest differs in {count} of "
            f"{near.n_columns} columns)"
        )
    pairs = zip(near.columns, near.gaps, strict=True)
    parts = [f"{_name(column, names)}{_kind(gap)}" for column, gap in pairs]
    return f": the nearest stored row differs in {_columns(count)} {', '.join(parts)} only"


def _columns(count):
    return "column" if count == 1 else f"{count} columns"
