"""Linear support vector classification (squared hinge) that can unlearn rows."""

from numbers import Integral, Real

import numpy as np
import sklearn.svm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from ..linear_model._base import RetainModel
from ..linear_model._class_change import reduce_one_vs_all
from ..linear_model._classifier_outputs import LinearClassifierScoresMixin
from ..linear_model._export import paper_scaled, sklearn_counterpart
from ..linear_model._iterative import IterativeLinearModel
from ..linear_model._labels import ClassLabels, one_vs_all_outputs
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight

__all__ = ["LinearSVC"]


class LinearSVC(
    IterativeLinearModel, ClassLabels, LinearClassifierScoresMixin, ClassifierMixin, BaseEstimator
):
    """Linear support vector classification that can unlearn rows.

    Minimises liblinear's L2-regularised squared-hinge objective, that of
    :class:`sklearn.svm.LinearSVC` with its defaults::

        C sum_i s_i max(0, 1 - t_i (x_i w + b))^2 + ||w||^2 / 2 + (b / intercept_scaling)^2 / 2

    with ``t_i`` in {-1, +1}, one-vs-rest for more than two classes. The
    intercept is penalised as liblinear does: as the weight of an extra
    feature of constant value ``intercept_scaling``. The objective is
    strongly convex and once differentiable; ``fit`` and :meth:`unlearn`
    minimise it by Newton's method with the generalized Hessian (the rows
    inside the margin), which reaches the optimum in finitely many steps
    once the set of margin violators settles.

    Only what has a smooth, exactly unlearnable primal is supported:
    ``loss="hinge"``, ``penalty="l1"``, ``multi_class="crammer_singer"`` and
    ``class_weight`` other than None (or a dict for two classes) raise
    ``ValueError`` at ``fit``, naming what is missing.

    Parameters
    ----------
    penalty : {"l2"}, default="l2"
        Norm of the penalty ("l1" is refused).
    loss : {"squared_hinge"}, default="squared_hinge"
        Loss ("hinge" is refused: its primal is not differentiable and its
        dual unlearning is not implemented).
    dual : "auto" or bool, default="auto"
        Accepted for compatibility: the primal and dual have the same optimum.
    tol : float, default=1e-10
        Stop when the objective's gradient, divided by ``C sum(s)``, is below
        ``tol`` in max-norm (scikit-learn: 1e-4 on liblinear's criterion).
    C : float, default=1.0
        Inverse regularisation strength (positive).
    multi_class : {"ovr"}, default="ovr"
        One-vs-rest ("crammer_singer" is refused).
    fit_intercept : bool, default=True
        Whether to fit an intercept (penalised, as in liblinear).
    intercept_scaling : float, default=1.0
        Value of the synthetic intercept feature; the intercept's penalty is
        ``(b / intercept_scaling)^2 / 2``.
    class_weight : dict or None, default=None
        Multiplies ``C`` for the rows of each class (two classes only).
    verbose : int, default=0
        Accepted for compatibility.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility (the solver is deterministic).
    max_iter : int, default=1000
        Maximum number of Newton iterations.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (lands on the oracle),
        ``"retrain"``, ``"descent_ascent"``, ``"gradient_ascent"``,
        ``"finetune"``, or an instance from :mod:`skunlearn.unlearners`.
    convention : {"sklearn", "paper"}, default="sklearn"
        "sklearn" sums the loss; "paper" takes its weighted mean with penalty
        ``||w||^2 / (2 C)``, fixed as rows are removed ([1]_).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (after ``unlearn``, those still present).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights.
    intercept_ : ndarray of shape (1,) or (n_classes,), or 0.0
        Intercepts (0.0 without ``fit_intercept``).
    n_iter_ : int
        Newton iterations of the last ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn``: ``"objective"``,
        ``"grad_norm"``, ``"step_length"``.

    See Also
    --------
    sklearn.svm.LinearSVC : The same model, without ``unlearn``.
    skunlearn.LogisticRegression : The logistic loss.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skunlearn.svm import LinearSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LinearSVC(C=0.5).fit(X, y).unlearn(X[:5])
    >>> oracle = LinearSVC(C=0.5).fit(X[5:], y[5:])
    >>> bool(np.allclose(clf.coef_, oracle.coef_, atol=1e-8))
    True
    """

    _parameter_constraints = {
        "penalty": [StrOptions({"l1", "l2"})],
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "dual": ["boolean", StrOptions({"auto"})],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "multi_class": [StrOptions({"ovr", "crammer_singer"})],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
        "convention": [StrOptions({"sklearn", "paper"})],
    }

    def __init__(
        self,
        penalty="l2",
        loss="squared_hinge",
        *,
        dual="auto",
        tol=1e-10,
        C=1.0,
        multi_class="ovr",
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        verbose=0,
        random_state=None,
        max_iter=1000,
        unlearner="newton",
        convention="sklearn",
    ):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.verbose = verbose
        self.random_state = random_state
        self.max_iter = max_iter
        self.unlearner = unlearner
        self.convention = convention

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (sparse input is kept as CSR, never densified).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weight of each row.

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
        weights = validate_sample_weight(sample_weight, X.shape[0])
        encoded = self._fit_labels(y, weights)
        weights = weights * self._class_weights(encoded)
        self._freeze_spec()
        model = self._fit_rows(X, encoded, weights, ids=ids)
        self._set_model(model, model.theta)
        return self

    def _check_supported(self):
        refused = {
            "loss": ("hinge", "the hinge loss has no smooth primal"),
            "penalty": ("l1", "L1 penalties need the proximal machinery"),
            "multi_class": ("crammer_singer", "only one-vs-rest is implemented"),
        }
        for name, (value, why) in refused.items():
            if getattr(self, name) == value:
                raise ValueError(
                    f"{name}={value!r} is not supported by skunlearn's LinearSVC ({why}); "
                    "its unlearning would not land on the oracle."
                )

    def _class_weights(self, encoded):
        weights = self.class_weight
        if weights is None:
            return 1.0
        if weights == "balanced" or len(self.classes_) > 2:
            raise ValueError(
                f"class_weight={weights!r} is not supported by skunlearn's LinearSVC: only a "
                "dict for two classes, whose weights are per-row constants (liblinear weights "
                "one-vs-rest negatives differently, and 'balanced' changes with every deletion)."
            )
        return np.array([weights.get(label, 1.0) for label in self.classes_])[encoded]

    def _objective_spec(self, total_weight, n_classes=None, target_map=None):
        settings = self._spec
        n_classes = len(self.classes_) if n_classes is None else n_classes
        weight_scale, l2 = objective_scaling(
            settings["convention"], settings["C"], 1.0, total_weight
        )
        return ObjectiveSpec(
            get_loss("squared_hinge"), one_vs_all_outputs(n_classes), settings["fit_intercept"],
            weight_scale, l2, target_map, intercept_scaling=float(settings["intercept_scaling"]),
        )  # fmt: skip

    def _packed_parameters(self):
        intercept = np.ravel(self.intercept_) * np.ones(len(self.coef_))
        return self.coef_, intercept, None

    def _model(self, total_weight, forgotten=None, remaining=None):
        keep, counts, target_map = self._retained_classes(forgotten)
        coef, intercept, _ = self._packed_parameters()
        if target_map is not None:
            coef, intercept = reduce_one_vs_all(coef, intercept, keep)
        spec = self._objective_spec(total_weight, len(keep), target_map)
        theta = spec.layout(self.n_features_in_).pack(coef, intercept)
        return RetainModel(spec, theta, self._vanished(keep), context=(keep, counts))

    def _set_model(self, model, theta):
        if model.context is not None:
            self._keep_classes(*model.context)
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(np.asarray(theta))
        self.coef_ = np.array(coef, copy=True)
        self.intercept_ = np.array(intercept, copy=True) if model.spec.fit_intercept else 0.0

    def _sklearn_export(self):
        """scikit-learn's ``LinearSVC`` (C in its convention) with its classes."""
        attributes = ("classes_", "n_iter_")
        return sklearn_counterpart(self, sklearn.svm, attributes, C=paper_scaled(self, "C"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
