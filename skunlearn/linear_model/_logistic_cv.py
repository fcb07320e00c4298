"""Logistic regression with ``C`` chosen by cross-validation, that can unlearn rows."""

import copy
from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import sklearn.linear_model
from sklearn.linear_model import LogisticRegression as _SklearnLogistic
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, validate_data

from ..unlearners import ALIASES, BaseUnlearner
from ..unlearners._base import empty_history
from ..utils import training_rows
from ..utils._class_counts import class_counts
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._class_change import class_map
from ._export import sklearn_counterpart
from ._logistic import LogisticRegression
from ._logistic_options import Options, check_classes

__all__ = ["LogisticRegressionCV"]


@dataclass(frozen=True)
class _Selection:
    """What cross-validation found: the grid, the scores and paths per fold, the choice."""

    Cs: np.ndarray
    scores: np.ndarray  # (n_folds, n_Cs)
    paths: np.ndarray  # (n_folds, n_Cs, n_params)
    n_iter: np.ndarray  # (n_folds, n_Cs)

    @property
    def C(self):
        """The first C with the best summed score over folds (scikit-learn's choice)."""
        return float(self.Cs[int(np.argmax(self.scores.sum(axis=0)))])


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with ``C`` chosen by cross-validation, that can unlearn rows.

    For each fold of ``cv`` (stratified 5-fold by default) and each ``C`` of
    the grid ``Cs``, the L2-penalised logistic (multinomial for more than two
    classes) objective of :class:`~skunlearn.LogisticRegression` is fitted on
    the training part to a tight tolerance (warm-started along the grid, as
    scikit-learn's path does) and scored on the held-out part; the first
    ``C`` with the best summed score is refitted on all rows:
    :class:`sklearn.linear_model.LogisticRegressionCV` with ``refit=True``.
    :meth:`unlearn` redoes the cross-validation on the remaining rows exactly
    as a refit would (the folds, which shift when rows go, and every
    candidate, computed by the same code from the remaining rows alone, so
    that no fold model carries the forgotten rows), re-selects ``C``, and
    moves the final model to the new optimum with the configured unlearner
    (Newton removal from the current weights by default).

    Only the L2 penalty with ``refit=True`` is supported, and a ``cv`` of
    explicit splits only until the first ``unlearn``; other settings raise
    ``ValueError`` naming what is missing.

    Parameters
    ----------
    Cs : int or array-like, default=10
        Grid of ``C``: ``np.logspace(-4, 4, Cs)`` for an int.
    l1_ratios : None or "warn", default="warn"
        Accepted for compatibility (L2 only).
    fit_intercept : bool, default=True
        Whether to fit (unpenalised) intercepts.
    cv : int, cross-validation generator or None, default=None
        Folds: stratified 5-fold for None, stratified k-fold for an int.
        Splitters are applied to the remaining rows at every ``unlearn``;
        an explicit list of splits cannot be (its positions go stale):
        ``unlearn`` then raises ``ValueError``.
    dual : bool, default=False
        Must be False.
    penalty : {"l2", "deprecated"}, default="deprecated"
        The penalty (L2).
    scoring : str, callable, None or "warn", default="warn"
        Scorer of the held-out folds; None and "warn": accuracy.
    solver : str, default="lbfgs"
        "newton-cholesky" or "lbfgs" (both reach the same optimum); other
        scikit-learn names map to "auto".
    tol : float, default=1e-10
        Tolerance of every fit (tighter than scikit-learn's 1e-4 by design).
    max_iter : int, default=100
        Newton iterations of every fit (L-BFGS gets 50 times as many).
    class_weight : dict or None, default=None
        Multiplies the fits' row weights by their class's (the held-out
        scores keep the sample weights, as scikit-learn's); "balanced" is
        refused (it changes with every deletion).
    n_jobs : int, default=None
        Accepted for compatibility.
    verbose : int, default=0
        Accepted for compatibility.
    refit : bool, default=True
        Must be True.
    intercept_scaling : float, default=1.0
        Accepted for compatibility (liblinear only).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility.
    use_legacy_attributes : bool or "warn", default="warn"
        scikit-learn 1.9's attribute layout: dicts keyed by class (True,
        "warn") or arrays (False).
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy for the final model (``C`` is re-selected before
        it runs).

    Attributes
    ----------
    classes_, coef_, intercept_ : as :class:`~skunlearn.LogisticRegression`.
    Cs_ : ndarray of shape (n_Cs,)
        The grid.
    C_ : ndarray of shape (n_classes,) or (1,), or float
        The selected ``C`` (repeated per class in the legacy layout).
    l1_ratio_, l1_ratios_ : ndarray
        Placeholders of the elastic-net grid (None: L2 only).
    scores_ : dict or ndarray
        Held-out scores, ``(n_folds, n_Cs)`` per class key (legacy layout).
    coefs_paths_ : dict or ndarray
        Fold coefficients and intercepts, ``(n_folds, n_Cs, n_dof)`` per class key.
    n_iter_ : ndarray of shape (1, n_folds, n_Cs)
        Solver iterations per fold and ``C``.
    n_features_in_, feature_names_in_, n_forgotten_, unlearn_history_
        As :class:`~skunlearn.LogisticRegression`.

    See Also
    --------
    sklearn.linear_model.LogisticRegressionCV : The same model, without ``unlearn``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skunlearn.linear_model import LogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = scale(X)
    >>> model = LogisticRegressionCV(Cs=5).fit(X, y).unlearn(X[:30])
    >>> oracle = LogisticRegressionCV(Cs=5).fit(X[30:], y[30:])
    >>> bool(model.C_[0] == oracle.C_[0]), bool(np.allclose(model.coef_, oracle.coef_))
    (True, True)
    """

    _certifiable = False  # its fit does not draw certified noise

    _parameter_constraints = {
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratios": [None, StrOptions({"warn"}), "array-like"],
        "fit_intercept": ["boolean"],
        "cv": ["cv_object"],
        "dual": ["boolean"],
        "penalty": [StrOptions({"l1", "l2", "elasticnet", "deprecated"})],
        "scoring": [None, StrOptions({"warn"}), str, callable],
        "solver": [str],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
        "refit": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "use_legacy_attributes": ["boolean", StrOptions({"warn"})],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
    }

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios="warn",
        fit_intercept=True,
        cv=None,
        dual=False,
        penalty="deprecated",
        scoring="warn",
        solver="lbfgs",
        tol=1e-10,
        max_iter=100,
        class_weight=None,
        n_jobs=None,
        verbose=0,
        refit=True,
        intercept_scaling=1.0,
        random_state=None,
        use_legacy_attributes="warn",
        unlearner="newton",
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.unlearner = unlearner

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Cross-validate ``C``, refit with it, and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each row (in the fits and the scores).

        sample_id : array-like of shape (n_samples,) or "index", default=None
            One unique, hashable identifier per row (``"index"``: the index
            of a pandas ``X``), kept with the rows for ``unlearn(ids=...)``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            For the unsupported settings listed above.
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        self._check_supported()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", accept_sparse="csr")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        weights = validate_sample_weight(sample_weight, X.shape[0])
        classes, encoded = np.unique(y, return_inverse=True)
        counts = class_counts(encoded, weights, len(classes))
        check_classes(classes, counts[1], "log_loss", "lbfgs")
        self._spec = self._frozen_spec()
        self._rows = rows = training_rows(
            X, encoded.astype(np.int64), weights, ids=ids, chunked=False
        )
        self._class_counts, self.classes_ = counts, classes
        selection = self._cross_validate(*rows.head(rows.n), np.arange(len(classes)))
        self._set_C(selection.C)
        self._fit_objective(None)  # LogisticRegression's fit with the selected C
        self._commit_selection(selection)
        self.n_forgotten_ = 0
        self.unlearn_history_ = empty_history()
        return self

    def _check_supported(self):
        refused = [
            ("penalty", self.penalty not in ("l2", "deprecated"), "only the L2 penalty"),
            ("l1_ratios", not _no_l1(self.l1_ratios), "only the L2 penalty"),
            ("dual", self.dual, "only the primal"),
            ("class_weight", isinstance(self.class_weight, str), "no balanced weights"),
            ("refit", not self.refit, "only refit=True"),
        ]
        for name, bad, what in refused:
            if bad:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} is not supported by skunlearn's "
                    f"LogisticRegressionCV ({what})."
                )

    def _frozen_spec(self):
        solver = self.solver if self.solver in ("lbfgs", "newton-cholesky") else "auto"
        Cs = self.Cs
        grid = np.logspace(-4, 4, Cs) if isinstance(Cs, Integral) else np.asarray(Cs, float)
        return {
            # LogisticRegression's objective; C is set by the cross-validation.
            "options": Options(None, 0.0, solver, None),
            "class_weight": copy.deepcopy(self.class_weight),
            "dtype": np.float64,
            "Cs": grid,
            "cv": self.cv,
            "scoring": None if self.scoring == "warn" else self.scoring,
            "legacy": self.use_legacy_attributes != False,  # noqa: E712 ("warn" is legacy)
            "fit_intercept": self.fit_intercept,
            "tol": self.tol,
            "max_iter": self.max_iter,
            "solver": solver,
            "loss": "log_loss",
            "convention": "sklearn",
        }

    def _cross_validate(self, X, encoded, weights, kept):
        """Fold fits along the grid and held-out scores: a function of these rows alone.

        ``encoded`` are stored class indices, ``weights`` the rows' sample
        weights (the class weights enter through the objective) and ``kept``
        the indices of the classes the model has on these rows (all, or those
        left after a class vanished).
        """
        spec = self._spec
        classes = self.classes_[kept]
        target_map = class_map(len(self.classes_), kept)
        labels = self.classes_[encoded]
        folds = list(check_cv(spec["cv"], labels, classifier=True).split(X, labels))
        Cs = spec["Cs"]
        scores = np.zeros((len(folds), len(Cs)))
        n_iter = np.zeros((len(folds), len(Cs)), dtype=np.int32)
        paths = []
        for f, (train, test) in enumerate(folds):
            totals = np.bincount(encoded[train], weights[train], minlength=len(self.classes_))
            theta, fold = None, []
            for c, C in enumerate(Cs):
                fold_spec = self._objective_spec(kept, totals[kept], target_map, fixed_C=C)
                objective = fold_spec.objective(X[train], encoded[train], weights[train])
                start = np.zeros(objective.n_params) if theta is None else theta
                result = self._solve(objective, None, start)
                theta, n_iter[f, c] = result.theta, max(result.n_iter, 1)
                fold.append(theta)
                scores[f, c] = self._score(
                    objective.layout, theta, classes, X[test], labels[test], weights[test]
                )
            paths.append(fold)
        return _Selection(np.asarray(Cs), scores, np.asarray(paths), n_iter)

    def _set_C(self, C):
        self._spec["options"] = replace(self._spec["options"], C=float(C))

    def _objective_spec(self, keep, totals, target_map=None, fixed_C=None):
        """The objective with the selected ``C``, or with ``fixed_C`` (a candidate)."""
        if fixed_C is None:
            return super()._objective_spec(keep, totals, target_map)
        selected = self._spec["options"]
        self._set_C(fixed_C)
        try:
            return super()._objective_spec(keep, totals, target_map)
        finally:
            self._spec["options"] = selected

    def _score(self, layout, theta, classes, X, labels, weights):
        coef, intercept = layout.unpack(theta)
        view = _SklearnLogistic()
        view.classes_ = classes
        view.coef_, view.intercept_ = np.array(coef), np.array(intercept)
        view.n_features_in_ = X.shape[1]
        scoring = self._spec["scoring"]
        if scoring is None:
            return float(np.average(view.predict(X) == labels, weights=weights))
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        return float(scorer(view, X, labels, sample_weight=weights))

    def _select_model(self, problem, model):
        cv = self._spec["cv"]
        if cv is not None and not isinstance(cv, Integral) and not hasattr(cv, "split"):
            raise ValueError(
                "cv was given as explicit splits: their row positions do not apply to the "
                "remaining rows, so a refit's folds are unknown. Refit, or give a splitter."
            )
        live = np.ones(problem.X.shape[0], dtype=bool)
        live[problem.forget_positions] = False
        weights = self._rows.sample_weight[: problem.X.shape[0]]
        encoded = self._rows.y[: problem.X.shape[0]]
        kept = model.context[0]
        selection = self._cross_validate(problem.X[live], encoded[live], weights[live], kept)
        spec = replace(model.spec, weight_scale=selection.C)
        model = replace(model, spec=spec, context=(*model.context, selection))
        return replace(problem, spec=spec), model

    def _set_model(self, model, theta):
        keep, counts, *selection = model.context
        super()._set_model(replace(model, context=(keep, counts)), theta)
        if selection:
            self._commit_selection(selection[0])

    def _commit_selection(self, selection):
        self._set_C(selection.C)
        classes = self.classes_ if len(self.classes_) > 2 else self.classes_[1:]
        n_dof = self.n_features_in_ + int(self._spec["fit_intercept"])
        self.Cs_ = selection.Cs
        self.l1_ratios_ = np.array([None])
        if not self._spec["legacy"]:
            K = len(classes)
            self.C_, self.l1_ratio_ = selection.C, 0.0
            self.scores_ = selection.scores[:, None, :]
            self.coefs_paths_ = self._per_class(selection.paths, K, n_dof)[:, :, None, :, :]
            self.n_iter_ = selection.n_iter[:, None, :]
            return
        self.C_ = np.full(len(classes), selection.C)
        self.l1_ratio_ = np.full(len(classes), None)
        self.scores_ = {label: selection.scores for label in classes}
        per_class = self._per_class(selection.paths, len(classes), n_dof)
        self.coefs_paths_ = {label: per_class[:, :, k] for k, label in enumerate(classes)}
        self.n_iter_ = selection.n_iter[None, :, :]

    def _per_class(self, paths, K, n_dof):
        """``(n_folds, n_Cs, K, n_dof)``: each class's coefficients, then its intercept."""
        d = self.n_features_in_
        coef = paths[..., : K * d].reshape(*paths.shape[:2], K, d)
        if n_dof == d:
            return coef
        return np.concatenate([coef, paths[..., K * d :][..., None]], axis=-1)

    def score(self, X, y, sample_weight=None):
        """The ``scoring`` of the held-out folds (accuracy by default) on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        scoring = self._spec["scoring"]
        if scoring is None:
            return super().score(X, y, sample_weight=sample_weight)
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
        return float(scorer(self, X, y, sample_weight=sample_weight))

    def _sklearn_export(self):
        """scikit-learn's ``LogisticRegressionCV`` with the cross-validation's results."""
        attributes = ("classes_", "Cs_", "C_", "l1_ratio_", "l1_ratios_", "scores_")
        attributes += ("coefs_paths_", "n_iter_")
        return sklearn_counterpart(self, sklearn.linear_model, attributes)

    def __sklearn_tags__(self):
        tags = super(LogisticRegression, self).__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _no_l1(l1_ratios):
    if l1_ratios is None or (isinstance(l1_ratios, str) and l1_ratios == "warn"):
        return True
    return all(ratio in (0, None) for ratio in np.ravel(np.asarray(l1_ratios, dtype=object)))
