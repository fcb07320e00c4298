"""Targets of the family's estimators: real values, or class labels that forgetting can remove.

:class:`RealTargets` (one real target per row, with the loss's valid range)
and :class:`ClassLabels` (labels encoded as indices into ``classes_``, with
per-class weights so that ``unlearn`` knows when a class vanishes) implement
the target hooks of :class:`~skunlearn.linear_model.UnlearnMixin`:
``_encode_targets`` and ``_format_target``.
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ..utils._class_counts import class_counts, class_totals
from ._class_change import class_map

__all__ = ["ClassLabels", "RealTargets", "one_vs_all_outputs"]


class RealTargets:
    """Real targets, stored as float64 of shape ``(n,)`` or ``(n, n_targets)``.

    ``_target_range()`` (default: any finite value) returns ``(low,
    low_inclusive)`` or None; targets outside it raise ValueError, at ``fit``
    and in ``unlearn``.
    """

    def _target_range(self):
        return None

    def _check_targets(self, y, what="y"):
        """``y`` as float64 (shape kept), refused when non-finite or out of range."""
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{what} contains NaN or infinity.")
        bounds = self._target_range()
        if bounds is not None:
            low, inclusive = bounds
            outside = y < low if inclusive else y <= low
            if np.any(outside):
                relation = ">=" if inclusive else ">"
                raise ValueError(
                    f"Some value(s) of {what} are out of the valid range of the loss: "
                    f"{type(self).__name__} needs {what} {relation} {low}."
                )
        return y

    def _encode_targets(self, y, n_rows):
        stored = self._rows.y
        y = np.asarray(y, dtype=np.float64)
        if stored.ndim == 1:
            y = column_or_1d(y)
        elif y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.shape[1:] != stored.shape[1:]:
            raise ValueError(
                f"y_forget has shape {y.shape}; the model was fitted on {stored.shape[1:] or 1} "
                "target(s) per row."
            )
        if len(y) != n_rows:
            raise ValueError(f"y_forget has {len(y)} values for {n_rows} rows.")
        return self._check_targets(y, "y_forget")

    def _format_target(self, stored):
        values = np.ravel(stored)
        return repr(float(values[0])) if values.size == 1 else repr(values.tolist())


def one_vs_all_outputs(n_classes):
    """Outputs of a one-vs-all model: 1 for two classes (``classes_[1]`` positive), else K."""
    return 1 if n_classes == 2 else n_classes


class ClassLabels:
    """Class labels stored as int64 indices into ``classes_``, with per-class weight counts."""

    def _fit_labels(self, y, sample_weight):
        """Encode ``fit``'s labels; sets ``classes_`` and the per-class row counts.

        ``classes_`` are the labels of ``y`` whatever their weights, as in
        scikit-learn; at least two classes need rows of positive weight.
        """
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        counts = class_counts(encoded, sample_weight, len(classes))
        if np.count_nonzero(counts[1]) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[counts[1] > 0]}."
            )
        self.classes_ = classes
        self._class_counts = counts
        return encoded.astype(np.int64)

    def _encode_targets(self, y, n_rows, what="y_forget", advice=""):
        """Labels ``y`` of ``n_rows`` rows as indices into ``classes_``; ValueError (naming
        ``what``, then ``advice``) for a wrong count or a label not in ``classes_``."""
        y = column_or_1d(y)
        if len(y) != n_rows:
            raise ValueError(f"{what} has {len(y)} labels for {n_rows} rows.")
        encoded = np.minimum(np.searchsorted(self.classes_, y), len(self.classes_) - 1)
        unknown = np.flatnonzero(self.classes_[encoded] != y)
        if len(unknown):
            raise ValueError(
                f"Label {y[unknown[0]].tolist()!r} of row {unknown[0]} of {what} is not one of "
                f"the classes {self.classes_.tolist()}.{advice}"
            )
        return encoded.astype(np.int64)

    def _encode_new_targets(self, y, n_rows):
        """Labels of rows ``partial_fit`` adds: among the classes of ``fit``."""
        check_classification_targets(y)
        return self._encode_targets(y, n_rows, "y", " partial_fit keeps the classes of fit.")

    def _check_partial_fit_classes(self, classes, y):
        """``partial_fit``'s ``classes`` must be ``classes_`` (at the first call: ``y``'s)."""
        if classes is None:
            return
        known = self.classes_ if hasattr(self, "_rows") else np.unique(column_or_1d(y))
        if not np.array_equal(np.unique(classes), known):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differ from the classes "
                f"{known.tolist()}: every class needs rows at the first call, and "
                "partial_fit keeps them."
            )

    def _stored_totals(self):
        """Sample-weight sum of each class over the stored rows (recomputed, never kept)."""
        rows = self._rows
        return class_totals(rows.y, rows.sample_weight, len(self.classes_))

    def _format_target(self, stored):
        return repr(self.classes_[int(np.ravel(stored)[0])])

    def _retained_classes(self, forgotten):
        """``(keep, counts, target_map)`` once the forgotten rows are gone.

        ``keep`` are the indices of the classes that still have rows (of any
        weight: a refit keeps them in ``classes_``, as scikit-learn does),
        ``counts`` their :func:`~skunlearn.utils._class_counts.class_counts`,
        and ``target_map`` maps old class indices to new ones (vanished
        classes to -1), None when no class vanishes. ValueError when fewer
        than two classes keep rows of positive weight: the oracle cannot be
        fitted.
        """
        n_classes = len(self.classes_)
        if forgotten is None:
            return np.arange(n_classes), self._class_counts, None
        counts = self._class_counts - class_counts(*forgotten, n_classes)
        keep = np.flatnonzero(counts[0] > 0)
        if np.count_nonzero(counts[1]) < 2:
            raise ValueError(
                "Forgetting these rows leaves only class "
                f"{self.classes_[counts[1] > 0].tolist()} with rows of positive weight: the "
                "oracle, a classifier refit on the remaining rows, cannot be fitted."
            )
        target_map = class_map(n_classes, keep)
        return keep, counts if target_map is None else counts[:, keep], target_map

    def _vanished(self, keep):
        return tuple(np.delete(self.classes_, keep).tolist())

    def _keep_classes(self, keep, counts):
        """Commit the classes that remain (from a model's context)."""
        self.classes_ = self.classes_[keep]
        self._class_counts = counts
