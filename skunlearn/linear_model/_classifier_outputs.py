"""Scores, probabilities, labels and sparse coefficients of a fitted linear classifier."""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["LinearClassifierOutputsMixin", "LinearClassifierScoresMixin"]


class LinearClassifierScoresMixin:
    """``decision_function`` and ``predict`` of a linear classifier.

    For an estimator with ``coef_`` (dense or CSR), ``intercept_`` and
    ``classes_``: one score per class, or one signed score for two classes
    (positive: ``classes_[1]``). Scores keep float32 when both ``X`` and
    ``coef_`` are float32, as scikit-learn's.
    """

    def decision_function(self, X):
        """Linear scores: shape (n_samples,) for two classes, else (n_samples, n_classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray
            Signed distance to the boundary (binary) or per-class scores, in the
            dtype of ``X`` and ``coef_`` combined (float32 when both are).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=(np.float64, np.float32), accept_sparse="csr"
        )
        scores = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        return scores.ravel() if scores.ndim == 2 and scores.shape[1] == 1 else scores

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


class LinearClassifierOutputsMixin(LinearClassifierScoresMixin):
    """The scores and labels, ``predict_proba`` and ``sparsify``/``densify``.

    For an estimator with ``coef_`` (dense or CSR), ``intercept_`` and
    ``classes_``, and a ``_loss()`` hook returning the
    :class:`~skunlearn._losses.Loss` whose link gives the probabilities. Scores
    keep float32 when both ``X`` and ``coef_`` are float32, as scikit-learn's.
    """

    def sparsify(self):
        """Store ``coef_`` as a CSR matrix (worth it when most coefficients are zero).

        ``decision_function`` and ``predict`` accept it; :meth:`unlearn` and a
        warm-started ``fit`` work on its dense values and leave ``coef_`` dense.

        Returns
        -------
        self : object
            The estimator.
        """
        check_is_fitted(self)
        self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self):
        """Store ``coef_`` as a dense array again (the default).

        Returns
        -------
        self : object
            The estimator.
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_`` (float32 for float32
            input and model, as scikit-learn).
        """
        scores = self.decision_function(X)
        return self._loss().probabilities(scores).astype(scores.dtype, copy=False)

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
