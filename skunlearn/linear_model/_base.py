"""``UnlearnMixin``: the public ``unlearn`` verb and the estimator contract behind it."""

import copy
from dataclasses import dataclass, field

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from .._solvers import final_history
from ..exceptions import warn_at_caller
from ..unlearners import ALIASES, UnlearningProblem, resolve_unlearner
from ..utils import training_rows, unlearn_lock
from ..utils._atomic_fit import atomic_fit_methods
from ..utils._forget_request import check_request, locate_request, skipped_warning
from ..utils._tags import UnlearnTags, with_unlearn_tags
from ..utils._validation import validate_forget_weight
from ._certified import check_certified_unlearner, data_free_unlearn
from ._prepared import (
    PreparedUnlearn,
    check_result,
    ctrl_c_deferred,
    result_warnings,
    rolled_back_on_error,
)

__all__ = [
    "PreparedUnlearn",
    "RetainModel",
    "UnlearnMixin",
]


@dataclass(frozen=True)
class RetainModel:
    """An estimator's model over a set of its rows: how ``unlearn`` sees it.

    Attributes
    ----------
    spec : ObjectiveSpec
        Loss, outputs, intercept and scaling of the objective
        (:class:`skunlearn._objective.ObjectiveSpec`).
    theta : ndarray of shape (n_params,)
        The current parameters in the layout of ``spec``.
    vanished : tuple, default=()
        Class labels the forgotten rows remove from the model.
    context : object, default=None
        What the estimator's ``_set_model`` needs at commit (e.g. the kept
        classes); opaque to the mixin.
    warnings : tuple of (str, type), default=()
        Warnings about the model itself (message, category), issued at the
        caller of ``unlearn`` with the unlearner's.
    """

    spec: object
    theta: np.ndarray
    vanished: tuple = ()
    context: object = None
    warnings: tuple = ()


@dataclass(frozen=True)
class _UnlearnedState:
    """Everything an unlearning commits besides the row removal."""

    model: RetainModel
    theta: np.ndarray
    warm_state: object
    history: dict
    fitted: dict = field(default_factory=dict)


class UnlearnMixin:
    """Mixin adding ``unlearn(X_forget, y_forget=None)`` to an estimator: the estimator contract.

    ``unlearn`` validates the forget rows, finds them in the row store,
    builds the :class:`~skunlearn.unlearners.UnlearningProblem` (the same way
    for every estimator), runs the unlearner, checks its result and emits its
    warnings, and only then commits: the rows are removed, the parameters, warm
    state, ``n_forgotten_`` and ``unlearn_history_`` updated together. On any
    error nothing has changed.

    An estimator using it sets at ``fit``:

    - ``_rows``: a row store (:mod:`skunlearn.utils._row_store`) of its
      training rows, encoded targets and sample weights;
    - ``_warm_state``: a warm state (:mod:`skunlearn._warm_state`) or None;
    - ``n_forgotten_ = 0`` and ``unlearn_history_``;

    has an ``unlearner`` parameter, and implements these hooks:

    ``_encode_targets(y, n_rows)``
        Targets given to ``unlearn`` in the stored encoding; ValueError for
        targets the model does not know.
    ``_format_target(stored)``
        A stored target as text, for error messages.
    ``_model(total_weight, forgotten=None, remaining=None)``
        The :class:`RetainModel` over rows of total sample weight
        ``total_weight``: the current model when ``forgotten`` is None,
        otherwise the model once ``forgotten = (encoded targets, sample
        weights)`` of the forgotten rows are gone (a classifier drops the
        classes they take with them), with ``remaining = (encoded targets,
        sample weights)`` of the rows that stay, in store order: an aggregate
        the model needs (per-class weight sums for ``class_weight="balanced"``)
        is recomputed from them, never downdated. ValueError when no model
        remains.
    ``_set_model(model, theta)``
        Set the fitted attributes (``coef_``, ``intercept_``, ...) from
        ``theta`` in ``model``'s layout.
    ``_refit(problem)``
        Fit the retain objective from scratch with the estimator's own solver
        and return a :class:`~skunlearn._solvers.SolverResult` (the
        :class:`~skunlearn.unlearners.Retrain` unlearner).
    ``_finalize(rows, spec, theta, warm_state=None, value_grad=None)``
        The state ``fit`` would commit on the rows ``(X, y, sample_weight)``
        in their order, from a solution ``theta`` within solver noise of the
        optimum (None: none yet), given the warm state just derived for those
        rows (by ``without``, also when it is not kept after an unlearning)
        and the objective's value and gradient at ``theta`` when known
        (the unlearner's :attr:`~skunlearn.unlearners.UnlearningResult.value_grad`):
        ``(theta, warm_state, value_grad)``, the last the objective's value
        and gradient at the new ``theta`` or None; optionally a fourth
        element, a dict of further fitted attributes the same solve decides
        (Ridge's ``solver_``), set at commit after ``_set_model``. ``fit`` ends
        with it and so does every unlearning by an unlearner that lands on the
        oracle and converged, so both commit the same bits (see
        :mod:`skunlearn._solvers._canonical`).

    ``_select_model(problem, model)`` (optional) re-selects hyperparameters
    on the remaining rows (cross-validated estimators) and returns the
    problem and model with them.

    ``_oracle_tolerance`` (class attribute) is the normalised distance to
    the refit that an unlearner landing on the oracle reaches: 1e-6 for
    iterative fits, 1e-10 for quadratic objectives. It goes into the
    estimator's :class:`~skunlearn.utils.UnlearnTags`.

    Pipelines call :meth:`_prepare_unlearn` directly, with the stored rows
    re-expressed when an upstream step changed.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn import Ridge
    >>> from skunlearn.linear_model import UnlearnMixin
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> model = Ridge().fit(X, [0.0, 1.0, 2.0, 4.0])
    >>> isinstance(model, UnlearnMixin), model.unlearn(X[3:]).n_forgotten_
    (True, 1)
    """

    _oracle_tolerance = 1e-6

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        atomic_fit_methods(cls)  # a fit that raises leaves the estimator as it was

    def unlearn(
        self, X_forget=None, y_forget=None, *, ids=None, sample_weight=None, missing="raise"
    ):
        """Forget training rows: become the model trained without them.

        Each row of ``X_forget`` removes one training row equal to it; each
        of ``ids`` removes the row fitted with that ``sample_id``. The
        configured ``unlearner`` moves the weights; the stored rows (and
        their ids), the aggregates kept for fast unlearning, ``n_forgotten_``
        and ``unlearn_history_`` are then updated together. On any error the
        estimator is left exactly as it was. Calls from several threads run
        one after the other.

        With an unlearner that lands on the oracle (``"newton"``,
        ``"retrain"``) and reaches its tolerance, everything the estimator
        stores afterwards equals what a fit on the remaining rows, in their
        order, stores, bit for bit (up to the rare canonical-rounding
        exception of :mod:`skunlearn._solvers._canonical`; see the privacy
        guarantee in the README).

        Parameters
        ----------
        X_forget : {array-like, sparse matrix} of shape (n_forget, n_features), default=None
            Rows to forget, validated like ``fit``'s ``X`` and matched exactly,
            by value: dense rows are converted for a model fitted on sparse
            input and sparse rows for a dense one. An empty array is a no-op.
            Give ``X_forget`` or ``ids``.
        y_forget : array-like of shape (n_forget,) or (n_forget, n_targets), default=None
            Their targets. When given they must match the stored ones; they
            decide between duplicate rows with different targets.
        ids : array-like of shape (n_forget,), default=None
            The ``sample_id`` given to ``fit`` of the rows to forget.
        sample_weight : float or array-like of shape (n_forget,), default=None
            Their sample weights at ``fit``. When given they must match the
            stored ones; they decide between duplicate rows with different
            weights.
        missing : {"raise", "ignore"}, default="raise"
            A row or id that is not stored (forgotten already, never trained
            on): ``"raise"`` refuses the whole request; ``"ignore"`` skips it
            (deletion requests are retried) and warns with
            :class:`~skunlearn.exceptions.ForgetRequestWarning`.

        Returns
        -------
        self : object
            The unlearned estimator.

        Raises
        ------
        ValueError
            A row that is not in the training set (a row forgotten before is
            not either; the message says which column of the nearest stored
            row differs and by how much, never its value), occurs more often
            than trained, a target or weight that does not match, duplicates
            that only ``y_forget`` or ``sample_weight`` can tell apart, an
            unknown or repeated id, a wrong number of features, non-finite
            values, or a forget set that covers every row. No message quotes
            a stored target or id.

        Warns
        -----
        ForgetRequestWarning
            ``missing="ignore"`` skipped rows or ids.
        UnlearningConvergenceWarning
            The unlearner stopped before its tolerance (the result is committed).
        UnlearningDivergenceWarning
            An ascent-based unlearner diverged (the last finite iterate is committed).
        """
        unlearner = resolve_unlearner(self.unlearner)  # an invalid value fails first
        check_certified_unlearner(self, unlearner)
        if unlearner._data_free:
            return data_free_unlearn(self, X_forget, y_forget, ids, sample_weight)
        check_request(X_forget, y_forget, ids, sample_weight, missing)
        with unlearn_lock(self):
            positions, n_requested, skipped = self._locate_request(
                X_forget, y_forget, ids, sample_weight, missing
            )
            skipped = skipped_warning(n_requested, skipped, ids is not None)
            if skipped is not None:
                warn_at_caller(*skipped)
            if positions is None:
                return self
            prepared = self._prepare_unlearn(positions)
            with rolled_back_on_error([prepared]):
                prepared.emit_warnings()
            with ctrl_c_deferred():
                prepared.commit()
        return self

    def to_sklearn(self):
        """The equivalent scikit-learn estimator, without the training rows (for serving).

        The model file of a skunlearn estimator holds its training rows
        (personal data, while they are kept); the export holds only what
        scikit-learn's own estimator holds after ``fit`` (its hyperparameters
        and fitted parameters), and predicts the same. It cannot unlearn.

        Returns
        -------
        estimator : scikit-learn estimator
            A fitted :mod:`sklearn.linear_model` estimator.

        Raises
        ------
        ValueError
            The model has no scikit-learn counterpart (e.g. ``loss="exponential"``).
        """
        check_is_fitted(self)
        exported = self._sklearn_export()
        for name in ("coef_", "intercept_", "n_features_in_", "feature_names_in_"):
            if hasattr(self, name):
                setattr(exported, name, copy.deepcopy(getattr(self, name)))
        return exported

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        unlearner = self.unlearner
        if isinstance(unlearner, str):
            unlearner = ALIASES.get(unlearner)
        exact = getattr(unlearner, "_lands_on_oracle", False)
        tolerance = self._oracle_tolerance if exact else None
        return with_unlearn_tags(tags, UnlearnTags(oracle_tolerance=tolerance))

    def _locate_request(self, X_forget, y_forget, ids, sample_weight, missing):
        """``(positions or None, n_requested, n_skipped)`` of a checked deletion request."""
        check_is_fitted(self)

        def rows(missing):
            return self._locate_forget_rows(X_forget, y_forget, sample_weight, missing)

        return locate_request(self._rows, X_forget, ids, missing, rows)

    def _locate_forget_rows(self, X_forget, y_forget, sample_weight=None, missing="raise"):
        """Positions of the stored rows to forget; None for an empty forget set."""
        check_is_fitted(self)
        X_forget = validate_data(
            self,
            X_forget,
            reset=False,
            dtype=np.float64,
            order="C",
            ensure_min_samples=0,
            accept_sparse="csr",
        )
        encoded = None
        if y_forget is not None:
            encoded = self._encode_targets(y_forget, X_forget.shape[0])
        weights = validate_forget_weight(sample_weight, X_forget.shape[0])
        names = getattr(self, "feature_names_in_", None)
        return self._rows.find(
            X_forget, encoded, self._format_target, weights, missing=missing, column_names=names
        )

    def _fitted_hyperparameters(self):
        """The constructor parameters the model was fitted with (not the unlearner)."""
        return {k: self._spec[k] for k in self.get_params(deep=False) if k in self._spec}

    def _unlearning_problem(self, X_forget, y_forget=None, sample_weight=None):
        """The :class:`~skunlearn.unlearners.UnlearningProblem` that ``unlearn`` would solve.

        Validates and locates the rows like :meth:`unlearn` but changes
        nothing (the problem carries no warm state); diagnostics use it to
        inspect the retain and forget objectives without unlearning. Returns
        None for an empty forget set.
        """
        with unlearn_lock(self):
            positions = self._locate_forget_rows(X_forget, y_forget, sample_weight)
            if positions is None:
                return None
            rows = self._rows
            _, y_f, w_f = rows.take(positions)
            kept = np.ones(rows.n, dtype=bool)
            kept[positions] = False
            remaining = (rows.y[kept], rows.sample_weight[kept])
            model = self._checked_model(float(np.sum(remaining[1])), y_f, w_f, remaining)
            return self._select_model(self._problem(model, positions, None), model)[0]

    def _checked_model(self, total, y_forget, w_forget, remaining):
        if total <= 0:
            raise ValueError("The remaining rows have zero total sample weight.")
        return self._model(total, (y_forget, w_forget), remaining=remaining)

    def _problem(self, model, positions, warm):
        """The problem of forgetting the stored rows at ``positions`` under ``model``.

        Row weights are the sample weights times the model's class weights
        (:meth:`~skunlearn._objective.ObjectiveSpec.sample_weights`).
        """
        rows, spec = self._rows, model.spec
        X_forget, y_forget, w_forget = rows.take(positions)
        same = spec.target_map is None
        return UnlearningProblem(
            spec=spec,
            X=rows.X,
            y=spec.kernel_targets(rows.y),
            sample_weight=spec.sample_weights(rows.y, rows.sample_weight),
            forget_positions=positions,
            X_forget=X_forget,
            y_forget=spec.kernel_targets(y_forget) if same else None,
            forget_sample_weight=spec.sample_weights(y_forget, w_forget),
            theta0=model.theta,
            warm_state=warm,
            refit=self._refit,
            vanished=model.vanished,
            certified=getattr(self, "_certified", None),
        )

    def _prepare_unlearn(self, positions, features=None):
        """Unlearn the stored rows at ``positions`` aside: a :class:`PreparedUnlearn`.

        The row store is partitioned in place (the forgotten rows behind the
        others, both keeping their order) while the unlearning is computed;
        the plan's ``rollback`` restores it, its ``commit`` drops the
        forgotten rows and sets the new state.

        ``features`` is None, or an upstream step of a pipeline changed:
        ``features.X`` holds every stored row in the new feature space (in
        store order; possibly with other columns), ``features.column_map``
        carries the parameters into it and ``features.names`` names its
        columns. The rows are then replaced by ``X``, the parameters carried
        over, and the unlearner runs in the new feature space.
        """
        target = self if features is None else self._in_feature_space(features)
        rows = target._rows
        unlearner = resolve_unlearner(self.unlearner)
        check_certified_unlearner(self, unlearner, features, row_path=True)
        rows.partition(positions)
        try:
            state, warnings = target._unlearned_state(unlearner, len(positions))
        except BaseException:
            rows.unpartition(positions)
            raise

        def commit():
            rows.drop_tail(positions)
            if state.model.spec.target_map is not None:
                rows.recode_targets(state.model.spec.target_map)
            target._set_model(state.model, state.theta)
            vars(target).update(state.fitted)
            target._warm_state = state.warm_state
            target.unlearn_history_ = state.history
            target.n_forgotten_ += len(positions)
            if target is not self:
                self._rows.erase()
                vars(self).update(vars(target))

        return PreparedUnlearn(commit, warnings, lambda: rows.unpartition(positions))

    def _unlearned_state(self, unlearner, n_forget):
        """Run the unlearner on the partitioned store: ``(_UnlearnedState, warnings)``."""
        rows = self._rows
        n_keep = rows.n - n_forget
        tail = np.arange(n_keep, rows.n)
        remaining = rows.head(n_keep)
        _, y_forget, w_forget = rows.take(tail)
        model = self._checked_model(float(np.sum(remaining[2])), y_forget, w_forget, remaining[1:])
        problem = self._problem(model, tail, self._downdated_warm_state(model, tail, remaining))
        problem, model = self._select_model(problem, model)
        result = unlearner.run(problem)
        check_result(result, problem.theta0)
        theta = np.asarray(result.theta, dtype=np.float64)
        derived, history = problem.warm_state, result.history
        warm = derived if derived is not None and derived.retained_after_unlearn else None
        value_grad, fitted = None, dict(result.fitted)
        if unlearner._lands_on_oracle:
            if result.converged:
                theta, warm, value_grad, *extra = self._finalize(
                    remaining, model.spec, theta, derived, result.value_grad
                )
                fitted.update(extra[0] if extra else {})
            history = final_history(model.spec, remaining, theta, value_grad)
        state = _UnlearnedState(model, theta, warm, history, fitted)
        return state, [*model.warnings, *result_warnings(unlearner, result)]

    def _select_model(self, problem, model):
        """The problem and model once hyperparameters are re-selected on the remaining rows.

        A cross-validated estimator chooses its penalty as a refit on the
        remaining rows would, from ``problem`` (its retain rows and warm
        state), and returns the problem and model with that penalty; the
        others return them unchanged.
        """
        return problem, model

    def _downdated_warm_state(self, model, tail, remaining):
        """The warm state of the remaining rows (the forgotten ones at ``tail``), or None."""
        warm = self._warm_state
        if warm is None or model.spec.target_map is not None or not warm.valid_at(model.theta):
            return None
        if not model.spec.weighs_like(self._model(1.0).spec):
            return None  # the forgotten rows reweigh the others ("balanced" class weights)
        X_f, y_f, w_f = self._rows.take(tail)
        return warm.without(model.spec.objective(X_f, y_f, w_f, scaled=False), remaining)

    def _in_feature_space(self, features):
        """A shallow copy holding the rows ``features.X``, its parameters carried over.

        ``features.column_map.carry`` maps ``(coef_, intercept_)`` into the new
        columns (:class:`skunlearn.pipeline._column_map.ColumnMap`: kept columns
        rescaled, vanished ones dropped, new ones at 0); ``features.names`` are
        the new feature names, or None.
        """
        shadow = copy.copy(self)
        rows, X = self._rows, features.X
        shadow._rows = training_rows(X, rows.y, rows.sample_weight, copy=False, ids=rows.ids)
        warm = self._warm_state
        shadow._warm_state = warm if warm is not None and warm.retained_after_unlearn else None
        coef, intercept = features.column_map.carry(self.coef_, self.intercept_)
        shadow.coef_ = coef
        if self._model(1.0).spec.fit_intercept:
            shadow.intercept_ = intercept
        shadow.n_features_in_ = X.shape[1]
        vars(shadow).pop("feature_names_in_", None)
        if features.names is not None:
            shadow.feature_names_in_ = features.names
        return shadow

    def _training_objective(self):
        """The objective the current model minimises, over the stored rows."""
        rows = self._rows
        model = self._model(float(np.sum(rows.sample_weight)))
        return model.spec.objective(rows.X, rows.y, rows.sample_weight)

    def _theta(self):
        """The current parameters as one vector (:mod:`skunlearn._parameters`)."""
        return self._model(float(np.sum(self._rows.sample_weight))).theta
