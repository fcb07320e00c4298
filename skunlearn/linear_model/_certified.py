"""The estimators' side of certified removal: the noise at ``fit``, switching, data-free unlearn.

A certified unlearner (:class:`~skunlearn.unlearners.CertifiedNewton`,
:class:`~skunlearn.unlearners.DataFreeNewton`) is consulted at the end of
``fit`` (:func:`certify_fit`): it replaces the fitted parameters by the ones
its mechanism releases and returns its private state, kept as
``_certified`` beside the public ``certificate_``. The noise is fixed then,
so ``unlearn`` refuses any other unlearner (:func:`check_certified_unlearner`).
A data-free unlearner drops the rows at ``fit`` and ``unlearn`` runs
:func:`data_free_unlearn` instead of the row-store path.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..unlearners import CertifiedUnlearner, resolve_unlearner
from ..unlearners._base import empty_history
from ..utils import unlearn_lock
from ..utils._chunked_rows import ChunkedRows
from ..utils._validation import validate_forget_weight
from ._prepared import ctrl_c_deferred

__all__ = [
    "certify_fit",
    "check_certified_unlearner",
    "data_free_unlearn",
    "model_spec",
    "partial_fit_available",
    "refuse_certified",
]


def certify_fit(estimator):
    """End of ``fit``: let a certified unlearner perturb the model and keep its state.

    Drops the ``certificate_`` of a previous fit. With a data-free unlearner the
    estimator then keeps no training rows (``_rows`` is None).
    """
    for name in ("certificate_", "_certified"):
        vars(estimator).pop(name, None)
    unlearner = resolve_unlearner(estimator.unlearner)
    if not isinstance(unlearner, CertifiedUnlearner):
        return
    _check_options(estimator, unlearner)
    # float64 coefficients: rounding them to float32 would move the released model off
    # the perturbed optimum, outside the certificate.
    estimator._spec["dtype"] = np.float64
    rows = estimator._rows
    model = estimator._model(float(np.sum(rows.sample_weight)))
    theta, state = unlearner.certify(model.spec, rows.head(rows.n), model.theta)
    n_iter = estimator.n_iter_
    estimator._set_model(model, theta)
    estimator.n_iter_ = n_iter
    estimator._warm_state = None  # the fit's warm state is of the unperturbed objective
    estimator._certified, estimator.certificate_ = state, state.certificate
    if unlearner._data_free:
        rows.erase()
        estimator._rows = None


def _check_options(estimator, unlearner):
    name, spec = type(unlearner).__name__, estimator._spec
    if isinstance(estimator._rows, ChunkedRows):
        raise ValueError(
            f"{name} needs the training rows in memory (a NumPy array or a CSR matrix): "
            "memory-mapped and dask input are kept in chunks, which its bounds do not read."
        )
    if spec.get("class_weight") == "balanced":
        raise ValueError(
            f"{name} does not support class_weight='balanced': a deletion reweighs every "
            "row, which the certified step does not bound."
        )
    if unlearner._data_free and spec["convention"] != "sklearn":
        raise ValueError(f"{name} needs convention='sklearn' (a fixed objective scale).")


def _signature(unlearner):
    return type(unlearner).__name__, {k: repr(v) for k, v in unlearner.get_params().items()}


def check_certified_unlearner(estimator, unlearner, features=None, row_path=False):
    """Refuse to unlearn with another unlearner than the certified one of ``fit`` (or back).

    Raises
    ------
    ValueError
        A certified unlearner on an estimator that does not support one
        (``_certifiable`` unset: all but LogisticRegression and Ridge), or
        the estimator was fitted with a certified unlearner and ``unlearner``
        differs from it (class or parameters), or ``unlearner`` is certified
        and the fit drew no noise (refitting resolves both); or a pipeline
        step before it was refitted (``features`` given): the certificate
        does not cover the preprocessing; or a data-free fit is asked to
        unlearn through the row store (``row_path``: inside a pipeline).
    """
    state = getattr(estimator, "_certified", None)
    certified = isinstance(unlearner, CertifiedUnlearner)
    if state is None and not certified:
        return
    if not getattr(estimator, "_certifiable", False):
        raise ValueError(
            f"{type(unlearner).__name__} supports LogisticRegression and Ridge: "
            f"{type(estimator).__name__} draws no certified noise at fit. Use an exact "
            "unlearner ('newton', 'retrain')."
        )
    check_is_fitted(estimator)
    if row_path and state is not None and state.unlearner._data_free:
        raise ValueError(
            "A data-free fit keeps no training rows, so it cannot unlearn as a pipeline step "
            "(the pipeline looks the rows up in the final step's store). Unlearn the final "
            "estimator itself with the transformed rows and their targets."
        )
    if state is not None and features is not None:
        raise ValueError(
            "A certified unlearner covers the final estimator only: a pipeline step before "
            "it changed with the deletion (its features moved), which the certificate does "
            "not cover. Unlearn the final estimator alone, or use an exact unlearner."
        )
    if state is not None and certified and _signature(unlearner) == _signature(state.unlearner):
        return
    fitted = "no certified unlearner" if state is None else repr(state.unlearner)
    raise ValueError(
        f"This estimator was fitted with {fitted} and its unlearner is now {unlearner!r}. "
        "A certified unlearner draws its noise at fit and its certificate holds only for "
        "the unlearner of that fit: refit the estimator (fit) after changing the unlearner."
    )


def data_free_unlearn(estimator, X_forget, y_forget, ids, sample_weight):
    """``unlearn`` for a data-free unlearner: from the forget rows alone.

    Raises
    ------
    ValueError
        ``ids`` given, or ``X_forget`` or ``y_forget`` missing (no rows are
        stored to look them up), or invalid rows.
    CertificateExhaustedError
        The deletion capacity would be exceeded (the estimator is unchanged).
    """
    from ._base import RetainModel  # _base imports this module

    check_is_fitted(estimator)
    if ids is not None or X_forget is None or y_forget is None:
        raise ValueError(
            "A data-free unlearner keeps no training rows or ids: give the rows to forget "
            "with their targets, unlearn(X_forget, y_forget)."
        )
    state = estimator._certified
    spec = state.extra["spec"]
    with unlearn_lock(estimator):
        X = validate_data(
            estimator,
            X_forget,
            reset=False,
            dtype=np.float64,
            order="C",
            ensure_min_samples=0,
            accept_sparse="csr",
        )
        if X.shape[0] == 0:
            return estimator
        y = _forget_targets(estimator, y_forget, X.shape[0], spec.n_outputs)
        weights = validate_forget_weight(sample_weight, X.shape[0])
        weights = np.ones(X.shape[0]) if weights is None else weights
        forget = spec.objective(X, y, weights, scaled=False)
        weight = float(np.sum(forget.weights))
        forget = forget.with_rows(X, forget.y, spec.weight_scale * forget.weights, l2=0.0)
        theta, new_state = state.unlearner.remove(state, forget, weight)
        context = None
        if hasattr(estimator, "classes_"):  # LogisticRegression's _set_model reads them
            context = (np.arange(len(estimator.classes_)), estimator._class_counts)
        with ctrl_c_deferred():
            estimator._set_model(RetainModel(spec, theta, context=context), theta)
            estimator._certified, estimator.certificate_ = new_state, new_state.certificate
            estimator.n_forgotten_ += X.shape[0]
            estimator.unlearn_history_ = empty_history()
    return estimator


def _forget_targets(estimator, y, n_rows, n_outputs):
    if hasattr(estimator, "classes_"):
        return estimator._encode_targets(y, n_rows)
    y = np.asarray(y, dtype=np.float64)
    if len(y) != n_rows or y.size != n_rows * n_outputs or not np.all(np.isfinite(y)):
        raise ValueError(
            f"y_forget has shape {y.shape}; expected {n_rows} rows of {n_outputs} finite "
            "target(s)."
        )
    return y.reshape(n_rows, n_outputs)


def model_spec(estimator):
    """The objective spec of the current model: from its rows, or kept by a data-free fit."""
    state = getattr(estimator, "_certified", None)
    if state is not None and state.unlearner._data_free:
        return state.extra["spec"]
    return estimator._model(float(np.sum(estimator._rows.sample_weight))).spec


def refuse_certified(estimator, what):
    """Refuse ``what`` (``"partial_fit"``) on a certified fit: its noise and budget cover
    the rows of ``fit`` only.

    Raises
    ------
    ValueError
        The estimator was fitted with a certified unlearner.
    """
    if getattr(estimator, "_certified", None) is not None:
        raise ValueError(
            f"{what} does not support a certified fit: the noise and the budget of the "
            "certificate were drawn for the rows of fit. Refit on all the rows instead."
        )


def partial_fit_available(estimator):
    """Whether ``partial_fit`` is offered: not with a certified unlearner (see
    :func:`refuse_certified`), so that ``hasattr(estimator, "partial_fit")`` says so."""
    return not isinstance(resolve_unlearner(estimator.unlearner), CertifiedUnlearner)
