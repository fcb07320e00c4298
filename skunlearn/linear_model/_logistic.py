"""L2-penalised logistic regression (binary and multinomial) that can unlearn rows."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._objective import LinearObjective
from .._solvers import dense_hessian_fits, lbfgs, newton
from ..unlearners import ALIASES, BaseUnlearner, UnlearningProblem
from ..unlearners._base import empty_history
from ..utils import training_rows
from ._base import UnlearnMixin, validate_sample_weight
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
        Solver iterations of the last ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn``: ``"objective"`` (retain
        objective in per-sample-mean units), ``"grad_norm"`` (its gradient,
        max-norm, same units), ``"step_length"``.

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

    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", accept_sparse="csr")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        classes, encoded = np.unique(y, return_inverse=True)
        counts = np.bincount(encoded[weights > 0], minlength=len(classes))
        if np.count_nonzero(counts) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes with positive sample "
                f"weight in the data, but the data contains only one class: {classes[counts > 0]}."
            )
        if self.loss == "exponential" and len(classes) > 2:
            raise ValueError("loss='exponential' supports binary problems only.")
        self._spec = {
            key: getattr(self, key)
            for key in ("C", "fit_intercept", "tol", "max_iter", "solver", "loss", "convention")
        }
        self._rows = training_rows(X, encoded.astype(np.int64), weights)
        self._class_counts = counts
        self.classes_ = classes
        objective = self._objective(weights, len(classes))
        result = self._solve(objective, np.zeros(objective.n_params))
        self._fit_state = self._loss_state(objective, result)
        self._set_solution(objective, result.theta)
        self.n_iter_ = np.array([max(result.n_iter, 1)], dtype=np.int32)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return self

    def _weight_scale(self, total_weight):
        if self._spec["convention"] == "paper":
            return 1.0 / total_weight
        return float(self._spec["C"])

    def _l2(self):
        return 1.0 / self._spec["C"] if self._spec["convention"] == "paper" else 1.0

    def _kernel_loss(self, n_classes):
        if n_classes > 2:
            return "multinomial"
        return "exponential" if self._spec["loss"] == "exponential" else "logistic"

    @staticmethod
    def _kernel_targets(encoded, n_classes):
        return encoded if n_classes > 2 else encoded.astype(np.float64)

    def _objective(self, sample_weight, n_classes, X=None, encoded=None):
        X = self._rows.X if X is None else X
        encoded = self._rows.y if encoded is None else encoded
        total = float(np.sum(sample_weight))
        return LinearObjective(
            self._kernel_loss(n_classes),
            X,
            self._kernel_targets(encoded, n_classes),
            self._weight_scale(total) * sample_weight,
            n_outputs=n_classes if n_classes > 2 else 1,
            fit_intercept=self._spec["fit_intercept"],
            l2=self._l2(),
        )

    def _training_objective(self):
        """The objective the current model minimises, over the stored rows."""
        return self._objective(self._rows.sample_weight, len(self.classes_))

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
        if not result.converged:
            warnings.warn(
                f"{solver} did not reach tol={spec['tol']} in {result.n_iter} iterations; "
                "increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return result

    def _set_solution(self, objective, theta):
        coef, intercept = objective.unpack(np.asarray(theta))
        self.coef_ = np.array(coef, copy=True)
        self.intercept_ = np.array(intercept, copy=True)

    def _theta(self):
        return self._pack(self.coef_, self.intercept_)

    def _pack(self, coef, intercept):
        """Parameter vector ``concat(coef.ravel(), intercept)`` (no intercept if not fitted)."""
        parts = [np.ravel(coef)] + ([intercept] if self._spec["fit_intercept"] else [])
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float64)

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
        if scores.ndim == 2:
            return softmax(scores, axis=1)
        factor = 2.0 if self._spec["loss"] == "exponential" else 1.0
        positive = expit(factor * scores)
        return np.column_stack([1.0 - positive, positive])

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

    def _encode_forget_targets(self, y_forget, n_forget):
        y_forget = column_or_1d(y_forget)
        if len(y_forget) != n_forget:
            raise ValueError(f"y_forget has {len(y_forget)} labels for {n_forget} rows.")
        encoded = np.searchsorted(self.classes_, y_forget)
        encoded = np.minimum(encoded, len(self.classes_) - 1)
        unknown = np.flatnonzero(self.classes_[encoded] != y_forget)
        if len(unknown):
            raise ValueError(
                f"Label {y_forget[unknown[0]]!r} of row {unknown[0]} of y_forget is not one of "
                f"the classes {self.classes_.tolist()}."
            )
        return encoded.astype(np.int64)

    def _format_target(self, stored):
        return repr(self.classes_[int(np.ravel(stored)[0])])

    def _build_problem(self, positions):
        rows = self._rows
        X_forget, y_forget, w_forget = rows.take(positions)
        counts = self._class_counts - np.bincount(
            y_forget[w_forget > 0], minlength=len(self._class_counts)
        )
        retain_total = float(np.sum(rows.sample_weight)) - float(np.sum(w_forget))
        if retain_total <= 0:
            raise ValueError("The remaining rows have zero total sample weight.")
        keep = np.flatnonzero(counts > 0)
        if len(keep) < 2:
            raise ValueError(
                f"Forgetting these rows leaves only class {self.classes_[keep].tolist()}: the "
                "oracle, a classifier refit on the remaining rows, cannot be fitted."
            )
        mapping = None
        if len(keep) < len(self.classes_):
            mapping = np.full(len(self.classes_), -1, dtype=np.int64)
            mapping[keep] = np.arange(len(keep))
        problem = self._problem(
            positions, keep, mapping, X_forget, y_forget, w_forget, retain_total
        )

        def commit(result):
            if mapping is not None:
                rows.recode_targets(mapping)
                self.classes_ = self.classes_[keep]
            self._class_counts = counts[keep]
            self._fit_state = None
            self._set_solution(problem.retain_objective(), result.theta)
            self.unlearn_history_ = result.history

        return problem, commit

    def _map_statistics(self, scale, shift):
        """Drop the fit state (value, gradient, Hessian): it lives in the old feature space."""
        self._fit_state = None

    def _problem(self, positions, keep, mapping, X_forget, y_forget, w_forget, retain_total):
        """The unlearning problem; ``mapping`` (old to new class index) when classes vanish."""
        rows = self._rows
        n_classes = len(keep)
        vanished = mapping is not None
        encoded = rows.y
        coef, intercept = self.coef_, self.intercept_
        if vanished:
            encoded = mapping[rows.y]
            coef, intercept = reduce_classes(coef, intercept, keep)
        scale = self._weight_scale(retain_total)
        theta0 = self._pack(coef, intercept)
        problem = UnlearningProblem(
            loss=self._kernel_loss(n_classes),
            X=rows.X,
            y=self._kernel_targets(encoded, n_classes),
            sample_weight=rows.sample_weight,
            weight_scale=scale,
            retain_total=scale * retain_total,
            forget_positions=positions,
            X_forget=X_forget,
            y_forget=None if vanished else self._kernel_targets(y_forget, n_classes),
            forget_weight=None if vanished else scale * w_forget,
            n_outputs=n_classes if n_classes > 2 else 1,
            fit_intercept=self._spec["fit_intercept"],
            l2=self._l2(),
            theta0=theta0,
            refit=lambda: self._solve(problem.retain_objective(), np.zeros(len(theta0))),
            notes={"vanished": self.classes_[np.setdiff1d(np.arange(len(self.classes_)), keep)]},
        )
        if self._fit_state is not None and not vanished:
            self._downdate_fit_state(problem, w_forget)
        return problem

    def _loss_state(self, objective, result):
        """Loss value, gradient and Hessian at the fitted weights, in sample-weight units.

        Kept from ``fit`` so that the first Newton step of ``unlearn`` needs
        only the forgotten rows; dropped after the first ``unlearn`` (it was
        computed with the forgotten rows and the weights they shaped).
        """
        if result.hessian is None or result.grad is None:
            return None
        scale = self._weight_scale(float(np.sum(self._rows.sample_weight)))
        coef = result.theta[: objective.n_coef]
        grad = result.grad.copy()
        grad[: objective.n_coef] -= objective.l2 * coef
        value = result.value - 0.5 * objective.l2 * float(coef @ coef)
        return {"value": value / scale, "grad": grad / scale, "hessian": result.hessian / scale}

    def _downdate_fit_state(self, problem, w_forget):
        """``J_R`` and its loss Hessian at ``theta0`` from the fit state and the forget rows."""
        forget = LinearObjective(
            problem.loss,
            problem.X_forget,
            problem.y_forget,
            w_forget,
            n_outputs=problem.n_outputs,
            fit_intercept=problem.fit_intercept,
        )
        state, scale, theta = self._fit_state, problem.weight_scale, problem.theta0
        forget_value, forget_grad = forget.value_grad(theta)
        coef = theta[: forget.n_coef]
        grad = scale * (state["grad"] - forget_grad)
        grad[: forget.n_coef] += problem.l2 * coef
        value = scale * (state["value"] - forget_value) + 0.5 * problem.l2 * float(coef @ coef)
        problem.retain_value_grad0 = (value, grad)
        problem.retain_loss_hessian = scale * (state["hessian"] - forget.loss_hessian(theta))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self.loss != "exponential"
        return tags
