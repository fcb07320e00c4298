"""``UnlearnMixin``: the public ``unlearn`` verb and the estimator contract behind it."""

import copy
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import UnlearningConvergenceWarning, UnlearningDivergenceWarning, warn_at_caller
from ..unlearners import ALIASES, UnlearningProblem, UnlearningResult, resolve_unlearner
from ..utils._tags import UnlearnTags, with_unlearn_tags

__all__ = ["PreparedUnlearn", "RetainModel", "UnlearnMixin", "validate_sample_weight"]


def validate_sample_weight(sample_weight, n_samples):
    """Return non-negative, finite float64 weights of shape ``(n_samples,)``."""
    if sample_weight is None:
        return np.ones(n_samples)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 0:
        return np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}.")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not np.any(weights > 0):
        raise ValueError("Sample weights are all zero: at least one row needs positive weight.")
    return weights


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
    """

    spec: object
    theta: np.ndarray
    vanished: tuple = ()
    context: object = None


@dataclass
class PreparedUnlearn:
    """An unlearning computed aside: ``commit()`` applies it and cannot fail.

    ``warnings`` lists ``(message, category)`` pairs that the public method
    emits (pointing at its caller) before it commits.
    """

    commit: object
    warnings: list = field(default_factory=list)

    def emit_warnings(self):
        """Warn at the line that called the public method; call it from that method."""
        for message, category in self.warnings:
            warn_at_caller(message, category, depth=1)


def _check_result(result, theta0):
    """Refuse an unlearner's result that cannot be committed, before anything changes."""
    if not isinstance(result, UnlearningResult):
        raise TypeError(f"The unlearner returned {type(result).__name__}, not UnlearningResult.")
    theta = np.asarray(result.theta)
    if theta.shape != theta0.shape or not np.all(np.isfinite(theta)):
        raise ValueError(
            f"The unlearner returned parameters of shape {theta.shape}; expected "
            f"{theta0.shape}, all finite. The estimator is unchanged."
        )
    if not all(np.all(np.isfinite(values)) for values in result.history.values()):
        raise FloatingPointError(
            "The unlearner's history holds NaN or infinity: its result cannot be trusted. "
            "The estimator is unchanged."
        )


def _result_warnings(unlearner, result):
    """The warnings a result's flags call for."""
    name = type(unlearner).__name__
    if result.diverged:
        return [(f"{name} diverged: {result.reason}.", UnlearningDivergenceWarning)]
    if not result.converged:
        detail = f": {result.reason}" if result.reason else ""
        return [
            (
                f"{name} stopped before reaching its tolerance{detail}. The committed model is "
                "not the oracle to that accuracy; increase the unlearner's max_iter.",
                UnlearningConvergenceWarning,
            )
        ]
    return []


@contextmanager
def ctrl_c_deferred():
    """Hold a Ctrl-C (SIGINT) that arrives in the block until the block has finished.

    The in-place commit of ``unlearn`` then never stops halfway; the interrupt is
    delivered to the previous handler right after. Only the main thread receives
    signals, so elsewhere (or with a handler not installed from Python) this does nothing.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(*received[0])


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
    ``_model(total_weight, forgotten=None)``
        The :class:`RetainModel` over rows of total sample weight
        ``total_weight``: the current model when ``forgotten`` is None,
        otherwise the model once ``forgotten = (encoded targets, sample
        weights)`` of the forgotten rows are gone (a classifier drops the
        classes they take with them). ValueError when no model remains.
    ``_set_model(model, theta)``
        Set the fitted attributes (``coef_``, ``intercept_``, ...) from
        ``theta`` in ``model``'s layout.
    ``_refit(problem)``
        Fit the retain objective from scratch with the estimator's own solver
        and return a :class:`~skunlearn._solvers.SolverResult` (the
        :class:`~skunlearn.unlearners.Retrain` unlearner).

    ``_select_model(problem, model)`` (optional) re-selects hyperparameters
    on the remaining rows (cross-validated estimators) and returns the
    problem and model with them.

    ``_oracle_tolerance`` (class attribute) is the normalised distance to
    the refit that an unlearner landing on the oracle reaches: 1e-6 for
    iterative fits, 1e-10 for quadratic objectives. It goes into the
    estimator's :class:`~skunlearn.utils.UnlearnTags`.

    Pipelines call :meth:`_prepare_unlearn` directly, with a feature map when
    an upstream step changed.
    """

    _oracle_tolerance = 1e-6

    def unlearn(self, X_forget, y_forget=None):
        """Forget training rows: become the model trained without them.

        Each row of ``X_forget`` removes one training row equal to it. The
        configured ``unlearner`` moves the weights; the stored rows, the
        aggregates kept for fast unlearning, ``n_forgotten_`` and
        ``unlearn_history_`` are then updated together. On any error the
        estimator is left exactly as it was.

        Parameters
        ----------
        X_forget : {array-like, sparse matrix} of shape (n_forget, n_features)
            Rows to forget, validated like ``fit``'s ``X`` and matched exactly,
            by value: dense rows are converted for a model fitted on sparse
            input and sparse rows for a dense one. An empty array is a no-op.
        y_forget : array-like of shape (n_forget,) or (n_forget, n_targets), default=None
            Their targets. When given they must match the stored ones; they
            decide between duplicate rows with different targets.

        Returns
        -------
        self : object
            The unlearned estimator.

        Raises
        ------
        ValueError
            A row that is not in the training set (or occurs more often than
            trained), a target that does not match, a wrong number of features,
            non-finite values, or a forget set that covers every row.

        Warns
        -----
        UnlearningConvergenceWarning
            The unlearner stopped before its tolerance (the result is committed).
        UnlearningDivergenceWarning
            An ascent-based unlearner diverged (the last finite iterate is committed).
        """
        resolve_unlearner(self.unlearner)  # an invalid value fails before any work
        positions = self._locate_forget_rows(X_forget, y_forget)
        if positions is None:
            return self
        prepared = self._prepare_unlearn(positions)
        prepared.emit_warnings()
        with ctrl_c_deferred():
            prepared.commit()
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        unlearner = self.unlearner
        if isinstance(unlearner, str):
            unlearner = ALIASES.get(unlearner)
        exact = getattr(unlearner, "_lands_on_oracle", False)
        tolerance = self._oracle_tolerance if exact else None
        return with_unlearn_tags(tags, UnlearnTags(oracle_tolerance=tolerance))

    def _locate_forget_rows(self, X_forget, y_forget):
        """Validated positions of the stored rows to forget; None for an empty forget set."""
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
        return self._rows.find(X_forget, encoded, self._format_target)

    def _unlearning_problem(self, X_forget, y_forget=None):
        """The :class:`~skunlearn.unlearners.UnlearningProblem` that ``unlearn`` would solve.

        Validates and locates the rows like :meth:`unlearn` but changes
        nothing; diagnostics use it to inspect the retain and forget
        objectives without unlearning. Returns None for an empty forget set.
        """
        positions = self._locate_forget_rows(X_forget, y_forget)
        return None if positions is None else self._problem_at(positions)[0]

    def _problem_at(self, positions):
        """The problem of forgetting the stored rows at ``positions``, its model and warm state."""
        rows = self._rows
        X_forget, y_forget, w_forget = rows.take(positions)
        total = float(np.sum(rows.sample_weight)) - float(np.sum(w_forget))
        if total <= 0:
            raise ValueError("The remaining rows have zero total sample weight.")
        model = self._model(total, (y_forget, w_forget))
        spec, same = model.spec, model.spec.target_map is None
        warm = self._warm_state
        if warm is not None and same and warm.valid_at(model.theta):
            warm = warm.without(spec.objective(X_forget, y_forget, w_forget, scaled=False))
        else:
            warm = None
        problem = UnlearningProblem(
            spec=spec,
            X=rows.X,
            y=spec.kernel_targets(rows.y),
            sample_weight=rows.sample_weight,
            forget_positions=positions,
            X_forget=X_forget,
            y_forget=spec.kernel_targets(y_forget) if same else None,
            forget_sample_weight=w_forget,
            theta0=model.theta,
            warm_state=warm,
            refit=self._refit,
            vanished=model.vanished,
        )
        problem, model = self._select_model(problem, model)
        return problem, model, warm

    def _select_model(self, problem, model):
        """The problem and model once hyperparameters are re-selected on the remaining rows.

        A cross-validated estimator chooses its penalty as a refit on the
        remaining rows would, from ``problem`` (its retain rows and downdated
        warm state), and returns the problem and model with that penalty;
        the others return them unchanged.
        """
        return problem, model

    def _prepare_unlearn(self, positions, scale=None, shift=None):
        """Unlearn the stored rows at ``positions`` aside: a :class:`PreparedUnlearn`.

        With ``scale`` and ``shift`` (arrays of shape ``(n_features,)``) the
        stored rows are re-expressed as ``x * scale + shift`` first (an
        upstream scaler changed; :mod:`skunlearn.pipeline` uses this): the
        parameters and warm state are mapped so that the decision function is
        unchanged, and the unlearner runs on the retain objective in the new
        feature space.
        """
        target = self if scale is None else self._in_feature_space(scale, shift)
        problem, model, warm = target._problem_at(positions)
        unlearner = resolve_unlearner(self.unlearner)
        result = unlearner.run(problem)
        _check_result(result, problem.theta0)

        def commit():
            target._rows.remove(positions)
            if model.spec.target_map is not None:
                target._rows.recode_targets(model.spec.target_map)
            target._set_model(model, np.asarray(result.theta, dtype=np.float64))
            target._warm_state = warm if warm is not None and warm.retained_after_unlearn else None
            target.unlearn_history_ = result.history
            target.n_forgotten_ += len(positions)
            if target is not self:
                self._rows.erase()
                vars(self).update(vars(target))

        return PreparedUnlearn(commit, _result_warnings(unlearner, result))

    def _in_feature_space(self, scale, shift):
        """A shallow copy living in the feature space ``x -> x * scale + shift``."""
        shadow = copy.copy(self)
        rows = self._rows
        shadow._rows = rows.mapped(scale, shift)
        warm = self._warm_state
        shadow._warm_state = None if warm is None else warm.mapped(scale, shift, rows)
        shadow.coef_ = self.coef_ / scale
        if self._model(1.0).spec.fit_intercept:
            shadow.intercept_ = self.intercept_ - shadow.coef_ @ shift
        return shadow

    def _training_objective(self):
        """The objective the current model minimises, over the stored rows."""
        rows = self._rows
        model = self._model(float(np.sum(rows.sample_weight)))
        return model.spec.objective(rows.X, rows.y, rows.sample_weight)

    def _theta(self):
        """The current parameters as one vector (:mod:`skunlearn._parameters`)."""
        return self._model(float(np.sum(self._rows.sample_weight))).theta
