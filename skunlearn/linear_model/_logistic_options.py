"""How :class:`~skunlearn.LogisticRegression` reads its parameters, as scikit-learn 1.9 does.

scikit-learn 1.9 deprecates ``penalty`` (and ``n_jobs``) in favour of ``l1_ratio``
and ``C=np.inf``, and refuses solver/penalty combinations its solvers cannot
handle. :func:`resolve_options` reproduces those rules, their warnings and their
errors, and reduces the parameters to the objective they define: ``C``, the
elastic-net mixing ``l1_ratio`` and, for ``solver="liblinear"``, the intercept
penalised as the weight of a constant feature of value ``intercept_scaling``.
:func:`encoded_classes` reads the labels of ``fit`` (dask labels stay
distributed), :func:`~skunlearn.utils._class_counts.class_counts` and
:func:`~skunlearn.utils._class_counts.class_totals` count and weigh
them per class, and :func:`check_classes` refuses the class sets scikit-learn
refuses.
:func:`class_weights` turns ``class_weight`` into one weight per class, for any
set of rows (after ``unlearn``, "balanced" weights follow the remaining rows).
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ..utils._chunked_input import encode_classes, is_dask
from ..utils._class_counts import class_counts

__all__ = [
    "SOLVERS",
    "Options",
    "check_classes",
    "class_weights",
    "convergence_message",
    "encoded_classes",
    "resolve_options",
]

SOLVERS = {"auto", "lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}

_DIVERGENCE_HEADS = {
    "lbfgs": "lbfgs failed to converge",
    "newton-cg": "newton-cg failed to converge",
    "liblinear": "Liblinear failed to converge, increase the number of iterations",
    "sag": "The max_iter was reached which means the coef_ did not converge",
    "saga": "The max_iter was reached which means the coef_ did not converge",
}


@dataclass(frozen=True)
class Options:
    """The objective and solver that a LogisticRegression's parameters define.

    Attributes
    ----------
    C : float
        Inverse penalty strength; ``inf`` for no penalty.
    l1_ratio : float
        Elastic-net mixing: the penalty is ``(1 - l1_ratio) / 2 ||W||^2 +
        l1_ratio ||W||_1``.
    solver : str
        The ``solver`` parameter.
    intercept_scaling : float or None
        liblinear's penalised intercept (a constant feature of this value), or
        None for an unpenalised intercept.
    """

    C: float
    l1_ratio: float
    solver: str
    intercept_scaling: float | None


def _penalty_name(estimator):
    """The penalty that ``penalty`` and ``l1_ratio`` select, warning as scikit-learn 1.9."""
    l1_ratio = estimator.l1_ratio
    if estimator.penalty != "deprecated":
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To avoid "
            "this warning, leave 'penalty' set to its default value and use 'l1_ratio' or "
            "'C' instead. Use l1_ratio=0 instead of penalty='l2', l1_ratio=1 instead of "
            "penalty='l1', l1_ratio set to a float between 0 and 1 instead of "
            "penalty='elasticnet', and C=np.inf instead of penalty=None.",
            FutureWarning,
            stacklevel=4,
        )
        return estimator.penalty
    if l1_ratio is None:
        warnings.warn(
            "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error in "
            "1.10. Use 0<=l1_ratio<=1 instead.",
            FutureWarning,
            stacklevel=4,
        )
    if np.isinf(estimator.C):
        return None
    if not l1_ratio:
        return "l2"
    return "l1" if l1_ratio == 1 else "elasticnet"


def _check_solver(solver, penalty, dual):
    """scikit-learn's solver/penalty rules (its error messages)."""
    if solver not in ("liblinear", "saga", "auto") and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty."
        )
    if solver != "liblinear" and dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if penalty == "elasticnet" and solver not in ("saga", "auto"):
        raise ValueError(f"Only 'saga' solver supports elasticnet penalty, got solver={solver}.")
    if solver == "liblinear" and penalty is None:
        raise ValueError(
            "C=np.inf as well as penalty=None is not supported for the liblinear solver"
        )
    if solver == "liblinear" and penalty == "l1" and dual:
        raise ValueError(
            "Unsupported set of arguments: The combination of penalty='l1' and "
            "loss='logistic_regression' are not supported when dual=True"
        )


def _warn_inconsistent(estimator, penalty):
    l1_ratio = estimator.l1_ratio
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            f"l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            stacklevel=4,
        )
    if (estimator.penalty == "l2" and l1_ratio != 0) or (
        estimator.penalty == "l1" and l1_ratio != 1
    ):
        warnings.warn(
            f"Inconsistent values: penalty={estimator.penalty} with l1_ratio={l1_ratio}. "
            "penalty is deprecated. Please use l1_ratio only.",
            stacklevel=4,
        )
    if estimator.penalty is None and estimator.C != 1.0:
        warnings.warn(
            "Setting penalty=None will ignore the C and l1_ratio parameters", stacklevel=4
        )
    if estimator.n_jobs is not None:
        warnings.warn(
            "'n_jobs' has no effect since 1.8 and will be removed in 1.10. You provided "
            f"'n_jobs={estimator.n_jobs}', please leave it unspecified.",
            FutureWarning,
            stacklevel=4,
        )


def resolve_options(estimator):
    """The :class:`Options` of a LogisticRegression, with scikit-learn 1.9's warnings.

    Raises
    ------
    ValueError
        For the solver/penalty/dual combinations scikit-learn refuses
        (``solver="auto"`` accepts every penalty), and for ``penalty="elasticnet"``
        without ``l1_ratio``.
    """
    penalty = _penalty_name(estimator)
    _check_solver(estimator.solver, penalty, estimator.dual)
    _warn_inconsistent(estimator, penalty)
    if penalty == "elasticnet" and estimator.l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    C = np.inf if penalty is None else float(estimator.C)
    l1_ratio = {"l1": 1.0, "l2": 0.0, None: 0.0}.get(penalty, estimator.l1_ratio)
    liblinear = estimator.solver == "liblinear" and estimator.fit_intercept
    scaling = float(estimator.intercept_scaling) if liblinear else None
    return Options(C, float(l1_ratio), estimator.solver, scaling)


def encoded_classes(y, weights):
    """``(classes, encoded targets (int64), class_counts)`` of the labels ``y`` of ``fit``.

    Dask labels stay distributed (:func:`skunlearn.utils._chunked_input.encode_classes`).
    """
    if is_dask(y):
        return encode_classes(y, weights)
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    classes, encoded = np.unique(y, return_inverse=True)
    return classes, encoded.astype(np.int64), class_counts(encoded, weights, len(classes))


def check_classes(classes, counts, loss, solver):
    """scikit-learn's refusals of the classes a fit sees (``counts``: rows of positive weight)."""
    if np.count_nonzero(counts) < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes with positive sample "
            f"weight in the data, but the data contains only one class: {classes[counts > 0]}."
        )
    if loss == "exponential" and len(classes) > 2:
        raise ValueError(
            "Only binary classification is supported. loss='exponential' is binary; the "
            f"target has {len(classes)} classes."
        )
    if solver == "liblinear" and len(classes) > 2:
        raise ValueError(
            "Only binary classification is supported. "
            "The 'liblinear' solver does not support multiclass classification "
            "(n_classes >= 3). Either use another solver or wrap the estimator in a "
            "OneVsRestClassifier to keep applying a one-versus-rest scheme."
        )


def class_weights(class_weight, classes, totals):
    """One weight per class, for rows whose per-class sample-weight sums are ``totals``.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        The parameter.
    classes : ndarray of shape (n_classes,)
        Class labels.
    totals : ndarray of shape (n_classes,)
        Sum of the sample weights of each class's rows (zero: the class has no
        rows left; it gets weight 0).

    Returns
    -------
    weights : ndarray of shape (n_classes,) or None
        None when ``class_weight`` is None. "balanced" is scikit-learn 1.9's
        ``sum(totals) / (n_present * totals)`` with sample-weighted class counts,
        where ``n_present`` counts the classes of positive total weight: a
        class whose rows all weigh zero gets weight 0 and is not counted
        (scikit-learn 1.9 counts it and gives it an infinite weight, which
        turns its rows' weights into NaN).

    Examples
    --------
    >>> class_weights("balanced", np.array([0, 1]), np.array([3.0, 1.0]))
    array([0.66666667, 2.        ])
    """
    if class_weight is None:
        return None
    present = totals > 0
    if isinstance(class_weight, str):
        weights = np.zeros(len(classes))
        weights[present] = totals.sum() / (np.count_nonzero(present) * totals[present])
        return weights
    weights = compute_class_weight(class_weight, classes=classes, y=classes)
    return np.where(present, weights, 0.0)


def convergence_message(solver, n_iter, residual, tol):
    """The ConvergenceWarning text, opening as scikit-learn's solver of that name does."""
    head = _DIVERGENCE_HEADS.get(
        solver, f"Newton solver did not converge after {n_iter} iterations"
    )
    return (
        f"{head}: after {n_iter} iterations the gradient is {residual:.3g} per unit sample "
        f"weight, above tol={tol}. Increase the number of iterations (max_iter) or tol."
    )
