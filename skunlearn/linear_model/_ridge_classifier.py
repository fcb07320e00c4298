"""Ridge classification (least squares on {-1, +1} targets) that can unlearn rows exactly."""

from numbers import Integral, Real

import numpy as np
import sklearn.linear_model
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._losses import get_loss
from .._objective import ObjectiveSpec, objective_scaling
from ..unlearners import ALIASES, BaseUnlearner
from ..utils._sample_ids import sample_ids
from ..utils._validation import validate_sample_weight
from ._base import RetainModel
from ._class_change import reduce_one_vs_all
from ._classifier_outputs import LinearClassifierScoresMixin
from ._export import paper_scaled, sklearn_counterpart
from ._labels import ClassLabels, one_vs_all_outputs
from ._least_squares import LeastSquaresModel

__all__ = ["RidgeClassifier"]

_SOLVERS = {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}


class RidgeClassifier(
    LeastSquaresModel, ClassLabels, LinearClassifierScoresMixin, ClassifierMixin, BaseEstimator
):
    """Classification by ridge regression on {-1, +1} targets, that can unlearn rows exactly.

    Minimises ``sum_i s_i ||t_i - x_i W^T - b||^2 + alpha ||W||^2`` with
    ``t_i`` the one-vs-all coding of the label (+1 for its class, -1 for the
    others; one column, +1 for ``classes_[1]``, with two classes): the
    objective of :class:`sklearn.linear_model.RidgeClassifier`, whose outputs
    are independent ridge problems sharing the Gram matrix. ``fit`` keeps
    the centred Gram statistics, and :meth:`unlearn` with the default
    ``"newton"`` unlearner downdates them exactly. When forgetting removes a
    class, its column goes (with two classes left, the second's column is
    the binary model), as a refit on the remaining rows would have it.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength (non-negative).
    fit_intercept : bool, default=True
        Whether to fit (unpenalised) intercepts.
    copy_X : bool, default=True
        Accepted for compatibility: ``X`` is always copied (the rows are kept).
    max_iter : int, default=None
        Accepted for compatibility (the solution is exact, or conjugate
        gradients to rounding when the Gram matrix is too large).
    tol : float, default=1e-4
        Accepted for compatibility.
    class_weight : dict or None, default=None
        Multiplies each row's weight by its class's (per-row constants);
        "balanced" is refused (it changes with every deletion).
    solver : str, default="auto"
        Any of scikit-learn's names; all give this one solution.
    positive : bool, default=False
        Refused when True (not implemented).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility.
    unlearner : str or BaseUnlearner, default="newton"
        Unlearning strategy: ``"newton"`` (exact downdating), ``"retrain"``,
        ``"descent_ascent"``, ``"gradient_ascent"``, ``"finetune"``, or an
        instance from :mod:`skunlearn.unlearners`.
    convention : {"sklearn", "paper"}, default="sklearn"
        "sklearn" sums the squares; "paper" takes their weighted mean with the
        same ``alpha ||W||^2``, fixed as rows are removed.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (after ``unlearn``, those still present).
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
        Weights (one row, flattened, for two classes, as in scikit-learn).
    intercept_ : ndarray of shape (1,) or (n_classes,), or 0.0
        Intercepts (0.0 without ``fit_intercept``).
    n_iter_ : None
        As scikit-learn's direct solvers.
    solver_ : str
        "cholesky" (Gram statistics) or "sparse_cg" (conjugate gradients).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (when ``X`` has string column names).
    n_forgotten_ : int
        Number of rows forgotten since ``fit``.
    unlearn_history_ : dict of ndarray
        Per iteration of the last ``unlearn`` (empty for exact downdating).

    See Also
    --------
    sklearn.linear_model.RidgeClassifier : The same model, without ``unlearn``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from skunlearn.linear_model import RidgeClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = RidgeClassifier(alpha=0.5).fit(X, y).unlearn(X[:5])
    >>> oracle = RidgeClassifier(alpha=0.5).fit(X[5:], y[5:])
    >>> bool(np.allclose(clf.coef_, oracle.coef_, rtol=1e-10))
    True
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "solver": [StrOptions(_SOLVERS)],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "unlearner": [StrOptions(set(ALIASES)), BaseUnlearner],
        "convention": [StrOptions({"sklearn", "paper"})],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        class_weight=None,
        solver="auto",
        positive=False,
        random_state=None,
        unlearner="newton",
        convention="sklearn",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.unlearner = unlearner
        self.convention = convention

    def fit(self, X, y, sample_weight=None, sample_id=None):
        """Fit the model and keep the rows for later unlearning.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
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
            ``positive=True`` or ``class_weight="balanced"`` (not supported).
        """
        self._validate_params()
        ids = sample_ids(X, sample_id)
        if self.positive:
            raise ValueError(
                "positive=True is not supported by skunlearn's RidgeClassifier: non-negative "
                "least squares has no exact downdate here."
            )
        if isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by skunlearn's RidgeClassifier: "
                "balanced weights change with every deletion; give a dict."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", accept_sparse="csr")
        weights = validate_sample_weight(sample_weight, X.shape[0])
        encoded = self._fit_labels(y, weights)
        if self.class_weight is not None:
            factors = [self.class_weight.get(label, 1.0) for label in self.classes_]
            weights = weights * np.asarray(factors, dtype=np.float64)[encoded]
        self._spec = {key: getattr(self, key) for key in ("alpha", "fit_intercept", "convention")}
        model = self._fit_least_squares(X, encoded, weights, ids)
        self._set_model(model, model.theta)
        self.n_iter_ = None
        self.solver_ = "cholesky" if self._warm_state is not None else "sparse_cg"
        return self

    def _objective_spec(self, total_weight, n_classes=None, target_map=None):
        settings = self._spec
        n_classes = len(self.classes_) if n_classes is None else n_classes
        weight_scale, l2 = objective_scaling(
            settings["convention"], 1.0, 2.0 * settings["alpha"], total_weight
        )
        return ObjectiveSpec(
            get_loss("squared_ovr"), one_vs_all_outputs(n_classes), settings["fit_intercept"],
            weight_scale, l2, target_map,
        )  # fmt: skip

    def _packed_parameters(self):
        coef = np.atleast_2d(self.coef_)
        return coef, np.ravel(self.intercept_) * np.ones(len(coef))

    def _model(self, total_weight, forgotten=None, remaining=None):
        keep, counts, target_map = self._retained_classes(forgotten)
        coef, intercept = self._packed_parameters()
        if target_map is not None:
            coef, intercept = reduce_one_vs_all(coef, intercept, keep)
        spec = self._objective_spec(total_weight, len(keep), target_map)
        theta = spec.layout(self.n_features_in_).pack(coef, intercept)
        return RetainModel(spec, theta, self._vanished(keep), context=(keep, counts))

    def _set_model(self, model, theta):
        if model.context is not None:
            self._keep_classes(*model.context)
        coef, intercept = model.spec.layout(self.n_features_in_).unpack(np.asarray(theta))
        self.coef_ = np.array(coef[0] if len(coef) == 1 else coef, copy=True)
        self.intercept_ = np.array(intercept, copy=True) if model.spec.fit_intercept else 0.0

    def _sklearn_export(self):
        """scikit-learn's ``RidgeClassifier`` (alpha in its convention) with its classes."""
        alpha = paper_scaled(self, "alpha")
        attributes = ("classes_", "n_iter_", "solver_")
        model = sklearn_counterpart(self, sklearn.linear_model, attributes, alpha=alpha)
        model._label_binarizer = LabelBinarizer(pos_label=1, neg_label=-1).fit(self.classes_)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
