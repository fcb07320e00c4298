"""How :class:`~skunlearn.LogisticRegression` builds, solves and finalises its objective.

:func:`objective_spec` turns the fitted hyperparameters and the per-class
sample-weight sums of a set of rows into the objective's
:class:`~skunlearn._objective.ObjectiveSpec` (class weights and the paper
convention's total follow the rows, so they change when rows are forgotten);
:func:`solve` runs the solver that ``solver`` names (proximal Newton with an
L1 term); :func:`finalize` takes the canonical, rounded final step that ``fit``
and every exact unlearning share, so both store the same bits.
"""

import numpy as np

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from .._solvers import (
    canonical_prox_newton_step,
    dense_hessian_fits,
    lbfgs,
    newton,
    newton_cg,
    prox_newton,
)
from .._warm_state import LossState
from ._iterative import canonical_finish
from ._logistic_options import class_weights

__all__ = ["finalize", "model_loss", "objective_spec", "solve", "unbounded_warning"]


def objective_spec(fitted, classes, keep, totals, target_map=None):
    """The objective over rows whose kept classes have sample-weight sums ``totals``.

    Parameters
    ----------
    fitted : dict
        The estimator's hyperparameters at ``fit`` (``_spec``: ``options``,
        ``class_weight``, ``convention``, ``loss``, ``fit_intercept``).
    classes : ndarray of shape (n_stored_classes,)
        The stored class labels.
    keep : ndarray of int
        Indices of the stored classes still present.
    totals : ndarray of shape (len(keep),)
        Their sample-weight sums: class weights ("balanced") and the paper
        convention's total follow them.
    target_map : ndarray of int or None, default=None
        Stored class index to objective class index (-1: vanished).

    Returns
    -------
    spec : ObjectiveSpec
        Multinomial over more than two kept classes, else binary (logistic or
        exponential loss).
    """
    options = fitted["options"]
    weights, all_totals = _all_class_totals(fitted, classes, keep, totals)
    total = float(all_totals.sum() if weights is None else weights @ all_totals)
    strengths = [1.0 - options.l1_ratio, options.l1_ratio]
    weight_scale, (l2, l1) = objective_scaling(fitted["convention"], options.C, strengths, total)
    n_classes = len(keep)
    return ObjectiveSpec(
        model_loss(fitted, n_classes),
        n_classes if n_classes > 2 else 1,
        fitted["fit_intercept"],
        weight_scale,
        float(l2),
        target_map,
        l1=float(l1),
        intercept_scaling=options.intercept_scaling,
        class_weight=weights,
    )


def model_loss(fitted, n_classes):
    """The :class:`~skunlearn._losses.Loss` of a model of ``n_classes`` classes: multinomial
    beyond two, else the binary loss ``fitted["loss"]`` names (logistic or exponential)."""
    if n_classes > 2:
        return get_loss("multinomial")
    return get_loss("exponential" if fitted["loss"] == "exponential" else "logistic")


def unbounded_warning(fitted, classes, keep, totals):
    """Why the objective has no minimiser, or None (the usual case).

    A multinomial objective (more than two kept classes) with an unpenalised
    intercept has no minimiser when a class has zero total weight (its rows
    all weigh zero, or its ``class_weight`` is 0): that class's intercept
    decreases without bound, so every solver stops at a different point. The
    probabilities agree (that class's tend to 0), its coefficients do not: a
    fit and an unlearning are then not reproducible bit for bit. ``fit`` and
    ``unlearn`` accept such data, as scikit-learn does, and warn at their
    caller with this message. Arguments as :func:`objective_spec`.
    """
    if len(keep) <= 2 or not fitted["fit_intercept"]:
        return None
    if fitted["options"].intercept_scaling is not None:  # liblinear penalises the intercept
        return None
    weights, all_totals = _all_class_totals(fitted, classes, keep, totals)
    weighted = all_totals if weights is None else weights * all_totals
    labels = classes[keep][weighted[keep] <= 0].tolist()
    if not labels:
        return None
    return (
        f"Class(es) {labels} have zero total weight (their rows all weigh zero, or their "
        "class_weight is 0): with fit_intercept=True the multinomial objective has no "
        "minimiser (their intercepts decrease without bound). The probabilities are those "
        "of the limit (theirs tend to 0), but their coefficients and intercepts are where "
        "the solver stopped, not a unique optimum: a refit on the same rows can differ there."
    )


def solve(objective, l1, theta0, *, solver, tol, max_iter):
    """Minimise ``objective`` (plus the L1 term ``l1``, or None) from ``theta0``.

    Proximal Newton with an L1 term; otherwise Newton-CG for "newton-cg",
    L-BFGS for "lbfgs" (and "auto" when the dense Hessian exceeds the memory
    budget), else damped Newton with a Cholesky factor and an exact final step.
    Returns a :class:`~skunlearn._solvers.SolverResult`.
    """
    if l1 is not None:
        return prox_newton(objective, l1, theta0, tol=tol, max_iter=max_iter)
    if solver == "newton-cg":
        return newton_cg(objective, theta0, tol=tol, max_iter=max_iter)
    if solver != "newton-cholesky" and (
        solver == "lbfgs" or not dense_hessian_fits(objective.n_params)
    ):
        return lbfgs(objective, theta0, tol=tol, max_iter=max_iter)
    return newton(
        objective, theta0, tol=tol, max_iter=max_iter, reuse_hessian=True, finish_exact=True
    )


def finalize(rows, spec, theta, warm_state=None, value_grad=None, *, tol, max_iter):
    """The canonical solution on ``rows`` and its :class:`~skunlearn._warm_state.LossState`.

    One polished, rounded Newton step (:func:`canonical_finish`; on the
    support with an L1 term, :func:`~skunlearn._solvers.canonical_prox_newton_step`
    with ``tol`` and ``max_iter``), the same at ``fit`` and after an
    unlearning, so both store the same bits. ``value_grad`` is the smooth
    objective's value and gradient at ``theta`` when known. Returns ``(theta,
    state, (value, grad))``.
    """
    objective = spec.objective(*rows)
    l1 = spec.l1_weights(objective.n_features)
    if l1 is None:
        return canonical_finish(objective, spec.weight_scale, theta, warm_state, value_grad)
    step = canonical_prox_newton_step(
        objective, l1, theta, value_grad=value_grad, tol=tol, max_iter=max(max_iter, 1)
    )
    return step[0], LossState.from_canonical(objective, step, spec.weight_scale), step[3:5]


def _all_class_totals(fitted, classes, keep, totals):
    """``(class weights or None, sample-weight sum of every stored class)`` for rows whose
    kept classes ``keep`` have sample-weight sums ``totals`` (0 for the others)."""
    all_totals = np.zeros(len(classes))
    all_totals[keep] = totals
    return class_weights(fitted["class_weight"], classes, all_totals), all_totals
