"""What a fitted linear regressor outputs: ``X @ coef_.T + intercept_``, one home for it."""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["LinearRegressorOutputsMixin"]


class LinearRegressorOutputsMixin:
    """``predict`` of a linear regressor (Ridge, RidgeCV, LinearRegression, the elastic net,
    Huber; the GLMs take the linear predictor through their inverse link).

    ``_predict_dtype`` is the dtype ``X`` is validated to (float64; Ridge also
    keeps float32).
    """

    _predict_dtype = np.float64

    def _linear_predictor(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self._predict_dtype, accept_sparse="csr")
        return X @ self.coef_.T + self.intercept_

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        return self._linear_predictor(X)
