"""L2-penalised logistic regression (binary and multinomial) that can unlearn rows."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from .._solvers import canonical_newton_step, dense_hessian_fits, lbfgs, newton
from .._warm_state import LossState
from ..exceptions import warn_at_caller
from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._sample_ids import sample_ids
from ._base import RetainModel, UnlearnMixin, validate_sample_weight
from ._class_change import reduce_classes

__all__ = ["LogisticRegression"]


class LogisticRegression(UnlearnMixin, ClassifierMixin, BaseEstimator):
    """L2-penalised logistic regression (binary and multinomial) that can unlearn rows.

    Minimises ``C * sum_i s_i loss_i + ||W||^2 / 2`` with ``s_i`` the sample
    weights, the objective of :class:`sklearn.linear_model.LogisticRegression`
    (the intercept is not penalised; more than two classes use the
    multinomial loss). ``fit`` solves it to a tight tolerance (Newton with a
    Cholesky factor while the number of parameters is moderate, L-BFGS
    beyond) and keeps the training rows, so that :meth:`unlearn` can find the
    forgotten rows and move the model to the one trained without them.
    Sparse ``X`` is kept as CSR (never densified): the kernels, the Hessian
    and the row lookup work on its stored entries, and Newton unlearning
    switches to Newton-CG when the dense Hessian does not fit in memory.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (positive).
    fit_intercept : bool, default=True
        Whether to fit (unpenalised) intercepts.
    tol : float, default=1e-10
        ``fit`` stops when the objective's gradient, divided by the total row
        weight ``C * sum(s)``, is below ``tol`` in max-norm.
    max_iter : int, default=100
        Maximum number of Newton iterations (L-BFGS gets 50 times as many).
    solver : {"auto", "newton-cholesky", "lbfgs"}, default="auto"
        "auto" uses Newton while the dense Hessian (``n_params`` squared
        float64) fits in 256 MiB, L-BFGS (polished by Newton-CG) beyond.
    loss : {"log_loss", "exponential"}, default="log_loss"
        "exponential" (``exp(-y z)``, binary only) is the analytic stand-in
        for the logistic loss used in the proofs of [1]_; its probabilities
        are ``expit(2 z)``.
    convention : {"sklearn", "paper"}, default="sklearn"
        "sklearn" minimises ``C sum_i s_i loss_i + ||W||^2 / 2``: removing
        rows weakens the effective ridge ``1 / (C n)``. "paper" minimises the
        weighted mean loss plus ``||W||^2 / (2 C)``: the fixed
        ``lambda = 1 / C`` of [1]_, in which its closed forms hold.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"``, ``"retrain"``, ``"descent_ascent"``,
        ``"gradient_ascent"``, ``"finetune"``, or an instance from
        :mod:`skunlearn.unlearners`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (after ``unlearn``, those still present).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,)
        Solver iterations of the last ``fit``; 0 after ``unlearn`` (the
        original fit's count depended on the forgotten rows).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Of the last ``unlearn``. For an unlearner that lands on the oracle
        (``"newton"``, ``"retrain"``) only ``"objective"`` (retain objective
        in per-sample-mean units) and ``"grad_norm"`` (its gradient,
        max-norm, same units) at the committed weights, one entry each: a fit
        on the remaining rows has the same values. For the others, per
        iteration: ``"objective"``, ``"grad_norm"``, ``"step_length"``.

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
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"auto", "newton-cholesky", "lbfgs"})],
        "loss": [StrOptions({"log_loss", "exponential"})],
        "convention": [StrOptions({"sklearn", "paper"})],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        C=1.0,
        *,
        fit_intercept=True,
        tol=1e-10,
        max_iter=100,
        solver="auto",
        loss="log_loss",
        convention="sklearn",
        unlearner="newton",
    ):
        self.C = C
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.loss = loss
        self.convention = convention
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is stored as CSR (CSC, COO and other
            formats are converted) and never densified.
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
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", accept_sparse="csr")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        classes, encoded = np.unique(y, return_inverse=True)
        counts = _class_counts(encoded, weights, len(classes))
        if np.count_nonzero(counts[1]) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes with positive sample "
                f"weight in the data, but the data contains only one class: "
                f"{classes[counts[1] > 0]}."
            )
        if self.loss == "exponential" and len(classes) > 2:
            raise ValueError("loss='exponential' supports binary problems only.")
        self._spec = {
            key: getattr(self, key)
            for key in ("C", "fit_intercept", "tol", "max_iter", "solver", "loss", "convention")
        }
        self._rows = rows = training_rows(X, encoded.astype(np.int64), weights, ids=ids)
        self._class_counts = counts
        self.classes_ = classes
        spec = self._objective_spec(float(np.sum(rows.sample_weight)), len(classes))
        objective = spec.objective(rows.X, rows.y, rows.sample_weight)
        result = self._solve(objective, np.zeros(objective.n_params))
        if not result.converged:
            warn_at_caller(
                f"The solver did not reach tol={self.tol} in {result.n_iter} iterations; "
                "increase max_iter or tol.",
                ConvergenceWarning,
            )
        value_grad = None if result.grad is None else (result.value, result.grad)
        theta, self._warm_state, _ = self._finalize(
            rows.head(rows.n), spec, result.theta, value_grad=value_grad
        )
        self._set_parameters(objective.layout, theta)
        self.n_iter_ = np.array([max(result.n_iter, 1)], dtype=np.int32)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return self

    def _objective_spec(self, total_weight, n_classes, target_map=None):
        """The objective over rows of total sample weight ``total_weight`` and ``n_classes``."""
        spec = self._spec
        if n_classes > 2:
            loss = "multinomial"
        else:
            loss = "exponential" if spec["loss"] == "exponential" else "logistic"
        weight_scale, l2 = objective_scaling(spec["convention"], spec["C"], 1.0, total_weight)
        return ObjectiveSpec(
            get_loss(loss),
            n_classes if n_classes > 2 else 1,
            spec["fit_intercept"],
            weight_scale,
            l2,
            target_map,
        )

    def _solve(self, objective, theta0):
        spec = self._spec
        solver = spec["solver"]
        if solver == "auto":
            solver = "newton-cholesky" if dense_hessian_fits(objective.n_params) else "lbfgs"
        if solver == "lbfgs":
            result = lbfgs(objective, theta0, tol=spec["tol"], max_iter=50 * spec["max_iter"])
        else:
            result = newton(
                objective,
                theta0,
                tol=spec["tol"],
                max_iter=spec["max_iter"],
                reuse_hessian=True,
                finish_exact=True,
            )
        return result

    def _finalize(self, rows, spec, theta, warm_state=None, value_grad=None):
        """The canonical solution on ``rows`` and its :class:`LossState`.

        One polished, rounded Newton step (:func:`canonical_newton_step`), the
        same at ``fit`` and after an unlearning, so both store the same bits.
        The warm state is not used (the state is evaluated afresh on the
        rows); ``value_grad`` is the objective's value and gradient at
        ``theta`` when known.
        """
        objective = spec.objective(*rows)
        step = canonical_newton_step(objective, theta, value_grad)
        state = LossState.from_canonical(objective, step, spec.weight_scale)
        return step[0], state, step[3:]

    def _set_parameters(self, layout, theta):
        coef, intercept = layout.unpack(np.asarray(theta))
        self.coef_ = np.array(coef, copy=True)
        self.intercept_ = np.array(intercept, copy=True)

    def decision_function(self, X):
        """Linear scores: shape (n_samples,) for two classes, else (n_samples, n_classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray
            Signed distance to the boundary (binary) or per-class scores.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, accept_sparse="csr")
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        return self._objective_spec(1.0, len(self.classes_)).loss.probabilities(scores)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        scores = self.decision_function(X)
        index = scores.argmax(axis=1) if scores.ndim == 2 else (scores > 0).astype(int)
        return self.classes_[index]

    def _encode_targets(self, y, n_rows):
        y = column_or_1d(y)
        if len(y) != n_rows:
            raise ValueError(f"y_forget has {len(y)} labels for {n_rows} rows.")
        encoded = np.searchsorted(self.classes_, y)
        encoded = np.minimum(encoded, len(self.classes_) - 1)
        unknown = np.flatnonzero(self.classes_[encoded] != y)
        if len(unknown):
            raise ValueError(
                f"Label {y[unknown[0]]!r} of row {unknown[0]} of y_forget is not one of "
                f"the classes {self.classes_.tolist()}."
            )
        return encoded.astype(np.int64)

    def _format_target(self, stored):
        return repr(self.classes_[int(np.ravel(stored)[0])])

    def _model(self, total_weight, forgotten=None):
        """The model over the remaining rows; classes with no row left vanish.

        A class stays while any of its rows remains, whatever its weight (a
        refit keeps zero-weight classes in ``classes_``, as scikit-learn does).
        """
        n_classes = len(self.classes_)
        if forgotten is None:
            spec = self._objective_spec(total_weight, n_classes)
            theta = spec.layout(self.n_features_in_).pack(self.coef_, self.intercept_)
            return RetainModel(spec, theta, context=(np.arange(n_classes), self._class_counts))
        y_forget, w_forget = forgotten
        counts = self._class_counts - _class_counts(y_forget, w_forget, n_classes)
        keep = np.flatnonzero(counts[0] > 0)
        if np.count_nonzero(counts[1]) < 2:
            raise ValueError(
                "Forgetting these rows leaves only class "
                f"{self.classes_[counts[1] > 0].tolist()} with rows of positive weight: the "
                "oracle, a classifier refit on the remaining rows, cannot be fitted."
            )
        coef, intercept, target_map = self.coef_, self.intercept_, None
        if len(keep) < n_classes:
            target_map = np.full(n_classes, -1, dtype=np.int64)
            target_map[keep] = np.arange(len(keep))
            coef, intercept = reduce_classes(coef, intercept, keep)
        spec = self._objective_spec(total_weight, len(keep), target_map)
        theta = spec.layout(self.n_features_in_).pack(coef, intercept)
        vanished = tuple(np.delete(self.classes_, keep).tolist())
        return RetainModel(spec, theta, vanished, context=(keep, counts[:, keep]))

    def _set_model(self, model, theta):
        """Commit an unlearning: ``n_iter_`` becomes 0 (no solver ran on the current rows
        from scratch; the original fit's count depended on the forgotten rows)."""
        keep, counts = model.context
        self.classes_ = self.classes_[keep]
        self._class_counts = counts
        self._set_parameters(model.spec.layout(self.n_features_in_), theta)
        self.n_iter_ = np.array([0], dtype=np.int32)

    def _refit(self, problem):
        return self._solve(problem.retain_objective(), np.zeros(problem.layout.n_params))

    def _sklearn_export(self):
        """scikit-learn's ``LogisticRegression`` with the same hyperparameters (in its
        convention) and fitted attributes; ``to_sklearn`` copies the parameters."""
        spec = self._spec
        if spec["loss"] == "exponential":
            raise ValueError("loss='exponential' has no scikit-learn counterpart to export to.")
        C = spec["C"]
        if spec["convention"] == "paper":  # mean loss + ||W||^2 / (2 C) is sklearn's C / total
            C = C / float(np.sum(self._rows.sample_weight))
        model = SklearnLogisticRegression(
            C=C,
            fit_intercept=spec["fit_intercept"],
            tol=spec["tol"],
            max_iter=spec["max_iter"],
            solver="newton-cholesky",
        )
        model.classes_ = self.classes_.copy()
        model.n_iter_ = self.n_iter_.copy()
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self.loss != "exponential"
        return tags


def _class_counts(encoded, weights, n_classes):
    """Rows per class: all of them (row 0) and those of positive weight (row 1)."""
    return np.stack(
        [
            np.bincount(encoded, minlength=n_classes),
            np.bincount(encoded[weights > 0], minlength=n_classes),
        ]
    )
