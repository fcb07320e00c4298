"""``UnlearnMixin``: the public ``unlearn`` verb shared by skunlearn's estimators."""

import copy
import signal
import threading
from contextlib import contextmanager

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..unlearners import ALIASES, UnlearningResult, resolve_unlearner
from ..utils import TrainingRows
from ..utils._boundary import PlannedCommit, result_warnings, warn_at_caller
from ..utils._tags import UnlearnTags, with_unlearn_tags

__all__ = ["UnlearnMixin", "validate_sample_weight"]


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


@contextmanager
def _ctrl_c_deferred():
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
    """Mixin adding ``unlearn(X_forget, y_forget=None)`` to an estimator.

    ``unlearn`` validates and locates the rows, then ``_prepare_unlearn``
    asks the estimator's private ``_build_problem(positions)`` for the problem
    to solve and a commit function and runs the unlearner; only then are the
    rows removed and the result committed: nothing is changed until every
    step succeeded. Pipelines call ``_prepare_unlearn`` directly.
    Estimators using it keep their training rows in ``self._rows``
    (:class:`~skunlearn.utils.TrainingRows`) and implement
    ``_encode_forget_targets(y_forget)`` and ``_format_target(stored)``; for
    pipelines (``_prepare_unlearn`` with a feature map) also
    ``_map_statistics(scale, shift)``, which maps their cached statistics.
    ``_oracle_tolerance`` is the normalised distance to the refit that an
    unlearner landing on the oracle reaches (1e-6 for iterative fits;
    quadratic objectives set 1e-10); it goes into the estimator's
    :class:`~skunlearn.utils.UnlearnTags`.
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
            The unlearner stopped short of its tolerance.
        UnlearningDivergenceWarning
            The unlearner diverged (it kept its last finite iterate).
        """
        resolve_unlearner(self.unlearner)  # an invalid value fails before any work
        positions = self._locate_forget_rows(X_forget, y_forget)
        if positions is None:
            return self
        commit = self._prepare_unlearn(positions)
        warn_at_caller([commit])
        with _ctrl_c_deferred():
            commit()
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        unlearner = self.unlearner
        if isinstance(unlearner, str):
            unlearner = ALIASES.get(unlearner)
        exact = getattr(unlearner, "_lands_on_oracle", False)
        tolerance = self._oracle_tolerance if exact else None
        return with_unlearn_tags(tags, UnlearnTags(oracle_tolerance=tolerance))

    def _unlearning_problem(self, X_forget, y_forget=None):
        """The :class:`~skunlearn.unlearners.UnlearningProblem` that ``unlearn`` would solve.

        Validates and locates the rows like :meth:`unlearn` but changes
        nothing; diagnostics use it to inspect the retain and forget
        objectives without unlearning. Returns None for an empty forget set.
        """
        positions = self._locate_forget_rows(X_forget, y_forget)
        return None if positions is None else self._build_problem(positions)[0]

    def _locate_forget_rows(self, X_forget, y_forget):
        """Validated positions of the stored rows to forget; None for an empty forget set."""
        check_is_fitted(self)
        X_forget = self._validate_forget_rows(X_forget)
        encoded = None
        if y_forget is not None:
            encoded = self._encode_forget_targets(y_forget, X_forget.shape[0])
        if X_forget.shape[0] == 0:
            return None
        positions = self._rows.locate(X_forget, encoded, self._format_target)
        if len(positions) >= self._rows.n:
            raise ValueError(
                f"X_forget covers all {self._rows.n} training rows; nothing would remain to "
                "train on. Create a new estimator instead."
            )
        return positions

    def _prepare_unlearn(self, positions, scale=None, shift=None):
        """Unlearn the stored rows at ``positions`` aside; return a commit function.

        With ``scale`` and ``shift`` (arrays of shape ``(n_features,)``) the
        stored rows are re-expressed as ``x * scale + shift`` first (an
        upstream scaler changed; :mod:`skunlearn.pipeline` uses this): the
        row index is rebuilt, the statistics and parameters are mapped so that
        the decision function is unchanged, and the unlearner runs on the
        retain objective in the new feature space. Nothing changes until the
        returned function (which cannot fail) is called.
        """
        target = self if scale is None else self._remapped(scale, shift)
        problem, commit = target._build_problem(positions)
        strategy = resolve_unlearner(self.unlearner)
        result = strategy.run(problem)
        _check_result(result, problem.theta0)

        def commit_all():
            target._rows.remove(positions)
            commit(result)
            target.n_forgotten_ += len(positions)
            if target is not self:
                self._rows.X[...] = 0.0
                vars(self).update(vars(target))

        return PlannedCommit(commit_all, result_warnings(strategy, result))

    def _remapped(self, scale, shift):
        """A shallow copy living in the feature space ``x -> x * scale + shift``."""
        shadow = copy.copy(self)
        shadow._map_statistics(scale, shift)
        shadow.coef_ = self.coef_ / scale
        if self._spec["fit_intercept"]:
            shadow.intercept_ = self.intercept_ - shadow.coef_ @ shift
        rows = self._rows
        shadow._rows = TrainingRows(rows.X * scale + shift, rows.y, rows.sample_weight)
        return shadow

    def _validate_forget_rows(self, X_forget):
        X_forget = validate_data(
            self,
            X_forget,
            reset=False,
            dtype=np.float64,
            order="C",
            ensure_min_samples=0,
            accept_sparse="csr",
        )
        return self._rows.conform(X_forget)
