"""Logistic regression (L2, L1, elastic-net; binary and multinomial) that can unlearn rows."""

import copy
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Hidden, Interval, StrOptions

from ..exceptions import pass_through, warn_at_caller
from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._class_counts import class_counts, class_totals
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_training_data
from ._base import RetainModel, UnlearnMixin
from ._certified import certify_fit, model_spec, partial_fit_available
from ._class_change import reduce_classes
from ._classifier_outputs import LinearClassifierOutputsMixin
from ._export import logistic_export
from ._labels import ClassLabels
from ._logistic_options import (
    SOLVERS,
    check_classes,
    convergence_message,
    encoded_classes,
    resolve_options,
)
from ._logistic_solve import finalize, model_loss, objective_spec, solve, unbounded_warning
from ._partial_fit import PartialFitMixin

__all__ = ["LogisticRegression"]


class LogisticRegression(
    PartialFitMixin,
    UnlearnMixin,
    ClassLabels,
    LinearClassifierOutputsMixin,
    ClassifierMixin,
    BaseEstimator,
):
    """Logistic regression (L2, L1, elastic-net; binary and multinomial) that can unlearn rows.

    Minimises scikit-learn's objective, ``C * sum_i s_i loss_i + (1 - r) / 2
    ||W||^2 + r ||W||_1`` with ``s_i`` the sample weights times the class
    weights and ``r = l1_ratio`` (the intercept is not penalised, except with
    ``solver="liblinear"``; more than two classes use the multinomial loss).
    ``fit`` solves it to a tight tolerance, by Newton with a Cholesky factor
    while the Hessian fits in memory (L-BFGS beyond) or, with an L1 term, by
    proximal Newton on a working set; it keeps the training rows, so that
    :meth:`unlearn` can find the forgotten rows and move the model to the one
    trained without them. Sparse ``X`` is kept as CSR (never densified).

    The signature is scikit-learn 1.9's, with its deprecations (``penalty``,
    ``n_jobs`` and ``l1_ratio=None`` warn as there), plus ``loss``,
    ``convention`` and ``unlearner``. Two defaults differ, because unlearning
    must land on the optimum to a precision well below the effect of one row:
    ``tol=1e-10`` (scikit-learn: 1e-4) and ``solver="auto"`` (scikit-learn:
    "lbfgs", which cannot reach such a tolerance in ``max_iter=100`` steps).

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet", None}, default="deprecated"
        Deprecated in scikit-learn 1.8 (a FutureWarning): use ``l1_ratio``
        (0: L2, 1: L1, in between: elastic-net) and ``C=np.inf`` (no penalty).
    C : float, default=1.0
        Inverse regularisation strength (positive; ``np.inf``: no penalty).
    l1_ratio : float, default=0.0
        Elastic-net mixing parameter in [0, 1].
    dual : bool, default=False
        Accepted for ``solver="liblinear"`` with the L2 penalty; the primal
        problem is solved (same optimum).
    tol : float, default=1e-10
        ``fit`` stops when the objective's gradient (with an L1 term, its
        minimum-norm subgradient) divided by the total row weight ``C *
        sum(s)`` is below ``tol`` in max-norm.
    fit_intercept : bool, default=True
        Whether to fit intercepts.
    intercept_scaling : float, default=1
        With ``solver="liblinear"``: the intercept is the weight of a constant
        feature of this value, penalised like the coefficients (liblinear's
        objective, honoured exactly). Ignored by the other solvers.
    class_weight : dict, "balanced" or None, default=None
        Weight of each class, multiplying its rows' sample weights. "balanced"
        is ``sum(s) / (n_classes * s_k)`` with ``s_k`` the sample-weight sum of
        class ``k`` (scikit-learn 1.9); after :meth:`unlearn` it is computed
        from the remaining rows, exactly as a refit on them would.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; every solver here is deterministic.
    solver : {"auto", "lbfgs", "liblinear", "newton-cg", "newton-cholesky", \
"sag", "saga"}, default="auto"
        "auto" uses Newton with a Cholesky factor while the dense Hessian
        (``n_params`` squared float64) fits in 256 MiB, L-BFGS (polished by
        Newton-CG) beyond; "newton-cholesky", "lbfgs" and "newton-cg" force
        those methods. "sag" and "saga" (stochastic in scikit-learn, same
        optimum) run "auto". "liblinear" minimises liblinear's objective (see
        ``intercept_scaling``; binary only). Penalties with an L1 term are
        solved by proximal Newton whatever the name; the combinations
        scikit-learn refuses (e.g. "lbfgs" with ``l1_ratio=1``) raise as there.
    max_iter : int, default=100
        Maximum number of iterations of the solver (Newton, L-BFGS or proximal
        Newton steps); a ConvergenceWarning when reached short of ``tol``.
    verbose : int, default=0
        Accepted for compatibility; nothing is printed.
    warm_start : bool, default=False
        Start ``fit`` from the current ``coef_`` and ``intercept_``.
    n_jobs : int, default=None
        Deprecated in scikit-learn 1.8 (no effect; a FutureWarning when set).
    loss : {"log_loss", "exponential"}, default="log_loss"
        "exponential" (``exp(-y z)``, binary only) is the analytic stand-in
        for the logistic loss used in the proofs of [1]_; its probabilities
        are ``expit(2 z)``.
    convention : {"sklearn", "paper"}, default="sklearn"
        "sklearn" minimises ``C sum_i s_i loss_i + penalty``: removing rows
        weakens the effective penalty ``1 / (C n)``. "paper" minimises the
        weighted mean loss plus ``penalty / C``: the fixed ``lambda = 1 / C``
        of [1]_, in which its closed forms hold.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"``, ``"retrain"``, ``"descent_ascent"``,
        ``"gradient_ascent"``, ``"finetune"``, or an instance from
        :mod:`skunlearn.unlearners`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (after ``unlearn``, those still present).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights, of the dtype of ``X`` (float32 stays float32); a CSR matrix
        after :meth:`sparsify`.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,), dtype int32
        Solver iterations of the last ``fit`` (at most ``max_iter``); 0 after
        ``unlearn`` (the original fit's count depended on the forgotten rows).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Of the last ``unlearn``. For an unlearner that lands on the oracle
        (``"newton"``, ``"retrain"``) only ``"objective"`` (retain objective
        in per-sample-mean units) and ``"grad_norm"`` (its gradient or, with
        an L1 term, minimum-norm subgradient, max-norm, same units) at the
        committed weights, one entry each: a fit on the remaining rows has the
        same values. For the others, per iteration: ``"objective"``,
        ``"grad_norm"``, ``"step_length"``.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The same model, without ``unlearn``.
    Ridge : Ridge regression that can unlearn exactly.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skunlearn import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(C=0.5).fit(X, y)
    >>> clf.unlearn(X[:5]).n_forgotten_
    5
    >>> oracle = LogisticRegression(C=0.5).fit(X[5:], y[5:])
    >>> bool(np.allclose(clf.coef_, oracle.coef_, atol=1e-8))
    True
    >>> sparse = LogisticRegression(C=0.1, l1_ratio=1.0).fit(X, y)
    >>> int(np.count_nonzero(sparse.coef_))
    2
    """

    _certifiable = True  # fit draws a certified unlearner's noise (certify_fit)

    _parameter_constraints = {
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "dual": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [StrOptions(SOLVERS)],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
        "loss": [StrOptions({"log_loss", "exponential"})],
        "convention": [StrOptions({"sklearn", "paper"})],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-10,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="auto",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        loss="log_loss",
        convention="sklearn",
        unlearner="newton",
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.loss = loss
        self.convention = convention
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. float32 is kept as the dtype of ``coef_``; sparse
            input is stored as CSR (other formats are converted), never
            densified. A dask array (or a memory-mapped array) is never
            gathered: its rows stay on the workers of the active
            ``distributed.Client`` (or go to files), see
            :mod:`skunlearn.utils._chunked_input`.
        y : array-like of shape (n_samples,)
            Class labels (any type).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each row.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), kept with the rows for ``unlearn(ids=...)``.

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.

        Raises
        ------
        ValueError
            Fewer than two classes with positive weight, more than two with
            ``loss="exponential"`` or ``solver="liblinear"``, or a
            solver/penalty combination scikit-learn refuses.
        """
        self._validate_params()
        options = resolve_options(self)
        warm = self._warm_start_parameters()
        ids = sample_ids(X, sample_id)
        X, y, weights = validate_training_data(
            self,
            X,
            y,
            sample_weight,
            dtype=(np.float64, np.float32),
            order="C",
            accept_sparse="csr",
            accept_large_sparse=options.solver not in ("liblinear", "sag", "saga"),
        )
        classes, encoded, counts = encoded_classes(y, weights)
        check_classes(classes, counts[1], self.loss, options.solver)
        self._spec = {
            # The hyperparameters of this fit (the oracle's, whatever is set later).
            **copy.deepcopy(self.get_params(deep=False)),
            "options": options,
            # liblinear computes in float64 in scikit-learn, whatever X's dtype.
            "dtype": np.float64 if options.solver == "liblinear" else X.dtype,
        }
        del self._spec["unlearner"]
        self._rows = training_rows(X, encoded.astype(np.int64), weights, ids=ids)
        self._rows.hash_rows()  # the lookup index of the first unlearning then reads no row
        self._class_counts = counts
        self.classes_ = classes
        self._fit_objective(warm)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        certify_fit(self)
        return self

    @available_if(partial_fit_available)
    @pass_through  # it calls fit for the user: warnings point at its caller
    def partial_fit(self, X, y, classes=None, sample_weight=None, sample_id=None):
        """Add training rows: become the model fitted on the stored rows followed by these.

        See :meth:`PartialFitMixin.partial_fit <skunlearn.linear_model.PartialFitMixin>`:
        the rows are appended and Newton steps from the current weights, started
        from the kept Hessian, land on the fit on all the rows (the stored state
        is then what ``fit`` on all of them stores). On an unfitted estimator
        this is ``fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New rows.
        y : array-like of shape (n_samples,)
            Their labels, among the classes of ``fit``.
        classes : array-like of shape (n_classes,), default=None
            All the classes (scikit-learn's ``partial_fit`` convention); when
            given it must equal ``classes_`` (after the first call: the
            classes ``y`` holds).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each new row.
        sample_id : array-like of shape (n_samples,) or "index", default=None
            Identifiers of the new rows, when ``fit`` kept them.

        Returns
        -------
        self : LogisticRegression

        Raises
        ------
        ValueError
            A label outside the classes of ``fit``, ``classes`` other than
            them, or rows ``fit`` would refuse.
        """
        self._check_partial_fit_classes(classes, y)
        return super().partial_fit(X, y, sample_weight=sample_weight, sample_id=sample_id)

    def _warm_start_parameters(self):
        """``(coef, intercept)`` of the current fit when ``warm_start`` applies, else None."""
        if not (self.warm_start and hasattr(self, "coef_")):
            return None
        return self._dense_parameters()

    def _fit_objective(self, warm):
        rows = self._rows
        keep, totals = np.arange(len(self.classes_)), self._stored_totals()
        message = unbounded_warning(self._spec, self.classes_, keep, totals)
        if message:
            warn_at_caller(message, UserWarning, depth=1)
        spec = self._objective_spec(keep, totals)
        objective = spec.objective(rows.X, rows.y, rows.sample_weight)
        layout = objective.layout
        theta0 = np.zeros(layout.n_params)
        if warm is not None:
            if warm[0].shape != (layout.n_outputs, layout.n_features):
                raise ValueError(
                    f"Initialization coef is of shape {warm[0].shape}, expected shape "
                    f"{(layout.n_outputs, layout.n_features)} (warm_start=True)."
                )
            theta0 = layout.pack(*warm)
        result = self._solve(objective, spec.l1_weights(layout.n_features), theta0)
        if not result.converged:
            residual = result.history["grad_norm"][-1] if result.n_iter else np.nan
            options = self._spec["options"]
            warn_at_caller(
                convergence_message(options.solver, result.n_iter, residual, self.tol),
                ConvergenceWarning,
                depth=1,
            )
        theta, self._warm_state = result.theta, None
        if result.converged:  # a fit stopped by max_iter is left where it stopped
            value_grad = None if result.grad is None else (result.value, result.grad)
            theta, self._warm_state, _ = self._finalize(
                rows.head(rows.n), spec, theta, None, value_grad
            )
        self._set_parameters(spec, layout, theta)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)

    def _objective_spec(self, keep, totals, target_map=None):
        """The objective over rows whose kept classes have sample-weight sums ``totals``
        (:func:`~skunlearn.linear_model._logistic_solve.objective_spec`)."""
        return objective_spec(self._spec, self.classes_, keep, totals, target_map)

    def _solve(self, objective, l1, theta0):
        spec = self._spec
        return solve(
            objective,
            l1,
            theta0,
            solver=spec["options"].solver,
            tol=spec["tol"],
            max_iter=spec["max_iter"],
        )

    def _set_parameters(self, spec, layout, theta):
        theta = np.asarray(theta)
        if spec.n_outputs > 1 and not spec.l2 and not spec.l1:
            # Unpenalised multinomial: report the gauge in which the coefficients (and
            # intercepts) sum to zero over classes, scikit-learn's, free of solver rounding.
            basis = layout.gauge_basis(True, True)
            theta = theta - basis @ (basis.T @ theta)
        coef, intercept = layout.unpack(theta)
        dtype = self._spec["dtype"]
        self.coef_ = np.array(coef, dtype=dtype, copy=True)
        self.intercept_ = np.array(intercept, dtype=dtype, copy=True)

    def _loss(self):
        return model_loss(self._spec, len(self.classes_))

    def _grown_model(self, total_weight, encoded, weights):
        """The model once rows of classes ``encoded`` with ``weights`` are added."""
        n_classes = len(self.classes_)
        keep = np.arange(n_classes)
        counts = self._class_counts + class_counts(encoded, weights, n_classes)
        rows = self._rows  # per-class sums over all the rows, in the order a fit sums them
        totals = np.bincount(
            np.concatenate([rows.y, encoded]),
            np.concatenate([rows.sample_weight, weights]),
            minlength=n_classes,
        )
        spec = self._objective_spec(keep, totals)
        theta = spec.layout(self.n_features_in_).pack(*self._dense_parameters())
        return RetainModel(spec, theta, context=(keep, counts))

    def _dense_parameters(self):
        coef = self.coef_.toarray() if sp.issparse(self.coef_) else self.coef_
        return np.asarray(coef, dtype=np.float64), np.asarray(self.intercept_, dtype=np.float64)

    def _model(self, total_weight, forgotten=None, remaining=None):
        """The model over the remaining rows; classes with no row left vanish.

        A class stays while any of its rows remains, whatever its weight (a
        refit keeps zero-weight classes in ``classes_``, as scikit-learn does).
        ``total_weight`` is not needed: the class weights and the objective's
        scale follow the per-class sample-weight sums, recomputed from the
        stored rows, or from ``remaining`` (their targets and weights, in
        store order) when rows are forgotten.
        """
        n_classes = len(self.classes_)
        coef, intercept = self._dense_parameters()
        if forgotten is None:
            keep = np.arange(n_classes)
            spec = self._objective_spec(keep, self._stored_totals())
            theta = spec.layout(self.n_features_in_).pack(coef, intercept)
            return RetainModel(spec, theta, context=(keep, self._class_counts))
        keep, counts, target_map = self._retained_classes(forgotten)
        if target_map is not None:
            coef, intercept = reduce_classes(coef, intercept, keep)
        totals = class_totals(*remaining, n_classes)
        message = unbounded_warning(self._spec, self.classes_, keep, totals[keep])
        spec = self._objective_spec(keep, totals[keep], target_map)
        theta = spec.layout(self.n_features_in_).pack(coef, intercept)
        notes = () if message is None else ((message, UserWarning),)
        return RetainModel(spec, theta, self._vanished(keep), (keep, counts), notes)

    def _set_model(self, model, theta):
        """Commit an unlearning: ``n_iter_`` becomes 0 (no solver ran on the current rows
        from scratch; the original fit's count depended on the forgotten rows)."""
        self._keep_classes(*model.context)
        self._set_parameters(model.spec, model.spec.layout(self.n_features_in_), theta)
        self.n_iter_ = np.array([0], dtype=np.int32)

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The canonical solution on ``rows`` and its state
        (:func:`~skunlearn.linear_model._logistic_solve.finalize`)."""
        limits = {"tol": self._spec["tol"], "max_iter": self._spec["max_iter"]}
        return finalize(rows, spec, theta, warm_state, value_grad, **limits)

    def _refit(self, problem):
        l1 = problem.l1_weights()
        return self._solve(problem.retain_objective(), l1, np.zeros(problem.layout.n_params))

    def _sklearn_export(self):
        """scikit-learn's ``LogisticRegression`` with the same hyperparameters (in its
        convention) and fitted attributes; ``to_sklearn`` copies the parameters."""
        return logistic_export(self, model_spec(self))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = (
            self.loss != "exponential" and self.solver != "liblinear"
        )
        return tags
