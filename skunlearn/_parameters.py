"""The parameter vector ``theta`` of a linear model: its layout, documented once.

Every objective, solver, unlearner, Hessian kernel and diagnostic of skunlearn
works on one flat vector. For a model with ``K`` outputs (targets, or classes
of a multinomial model) and ``d`` features::

    theta = concat(coef.ravel(), intercept)     # fit_intercept=True, p = K (d + 1)
    theta = coef.ravel()                        # fit_intercept=False, p = K d

with ``coef`` of shape ``(K, d)`` in C order, so ``theta[k * d + j]`` is
``coef[k, j]`` and ``theta[K * d + k]`` is ``intercept[k]``. This is the layout
of scikit-learn's ``LinearModelLoss`` with ``fit_intercept`` (its
``coef.ravel()`` for the multinomial case with ``order="C"``, intercepts last).

A loss with a *scale* (the Huber loss of scikit-learn's ``HuberRegressor``,
which estimates ``sigma`` jointly with the weights) appends it last::

    theta = concat(coef.ravel(), intercept, [sigma])   # scale=True, p = K (d + 1) + 1

the layout of ``HuberRegressor``'s own parameter vector. The scale is not
penalised and must stay positive (the loss is infinite elsewhere).

A multinomial model is invariant to adding one constant to every intercept (the
*gauge*); the ridge penalty fixes the same freedom for ``coef``. skunlearn and
scikit-learn report the intercepts centred to sum to zero, and
:func:`parameter_vector` compares models in that gauge.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier

__all__ = ["ParameterLayout", "parameter_vector"]


@dataclass(frozen=True)
class ParameterLayout:
    """Where each coefficient and intercept sits in ``theta``.

    Parameters
    ----------
    n_outputs : int
        ``K``: 1 for binary classification and single-target regression, the
        number of targets or of classes otherwise.
    n_features : int
        ``d``.
    fit_intercept : bool
        Whether ``theta`` carries the ``K`` intercepts after the coefficients.
    scale : bool, default=False
        Whether ``theta`` ends with the loss's scale ``sigma``.

    Examples
    --------
    >>> import numpy as np
    >>> layout = ParameterLayout(n_outputs=2, n_features=3, fit_intercept=True)
    >>> theta = layout.pack(np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0]))
    >>> theta
    array([ 0.,  1.,  2.,  3.,  4.,  5., 10., 20.])
    >>> layout.unpack(theta)[1]
    array([10., 20.])
    """

    n_outputs: int
    n_features: int
    fit_intercept: bool
    scale: bool = False

    @property
    def n_coef(self):
        """``K d``: the number of coefficients."""
        return self.n_outputs * self.n_features

    @property
    def n_params(self):
        """``p``: the length of ``theta``."""
        return self.n_coef + (self.n_outputs if self.fit_intercept else 0) + int(self.scale)

    def coef_slice(self, k):
        """Positions of ``coef[k]`` in ``theta``."""
        return slice(k * self.n_features, (k + 1) * self.n_features)

    def intercept_index(self, k):
        """Position of ``intercept[k]`` in ``theta`` (only with ``fit_intercept``)."""
        return self.n_coef + k

    @property
    def intercept_slice(self):
        """Positions of the intercepts in ``theta`` (empty without ``fit_intercept``)."""
        return slice(self.n_coef, self.n_coef + (self.n_outputs if self.fit_intercept else 0))

    def pack(self, coef, intercept, scale=None):
        """``theta`` from ``coef`` (``(K, d)`` or ``(d,)``) and ``intercept`` (``(K,)`` or scalar).

        Returns a new C-contiguous float64 array; the intercept is left out
        without ``fit_intercept``, and ``scale`` is appended with ``scale``.
        """
        parts = [np.ravel(coef)]
        if self.fit_intercept:
            parts.append(np.ravel(intercept))
        if self.scale:
            parts.append(np.ravel(scale))
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float64)

    def unpack(self, theta):
        """Views ``(coef (K, d), intercept (K,))`` of ``theta``; zero intercepts without them."""
        coef = theta[: self.n_coef].reshape(self.n_outputs, self.n_features)
        if self.fit_intercept:
            return coef, theta[self.intercept_slice]
        return coef, np.zeros(self.n_outputs)

    def scale_of(self, theta):
        """The scale ``sigma`` in ``theta`` (a float), or None without ``scale``."""
        return float(theta[-1]) if self.scale else None

    def gauge_direction(self):
        """Unit vector that shifts every intercept equally (the multinomial gauge)."""
        u = np.zeros(self.n_params)
        u[self.intercept_slice] = 1.0 / np.sqrt(self.n_outputs)
        return u

    def gauge_basis(self, intercepts, coefficients):
        """Orthonormal columns shifting every output equally: intercepts, and each feature.

        Without a penalty on the coefficients a multinomial model is also
        invariant to adding one vector to every class's coefficients; these
        ``n_features`` directions join the intercept one. Shape ``(n_params, m)``.
        """
        columns = [self.gauge_direction()] if intercepts and self.fit_intercept else []
        for j in range(self.n_features if coefficients else 0):
            u = np.zeros(self.n_params)
            u[j : self.n_coef : self.n_features] = 1.0 / np.sqrt(self.n_outputs)
            columns.append(u)
        return np.column_stack(columns) if columns else np.zeros((self.n_params, 0))


def parameter_vector(estimator):
    """Coefficients and intercepts of any fitted linear estimator as one vector.

    Multinomial intercepts are centred (the gauge in which scikit-learn and
    skunlearn report them), so that two models of the same optimum compare
    equal. Works for scikit-learn's estimators too, which is what makes it the
    yardstick of oracle distances.

    Parameters
    ----------
    estimator : fitted estimator
        With ``coef_`` and ``intercept_``.

    Returns
    -------
    theta : ndarray of shape (n_params,)
        ``concat(coef_.ravel(), intercept_)``, intercept included even when it
        is fixed at zero, then ``scale_`` for a model that estimates a scale
        (``HuberRegressor``).

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> parameter_vector(Ridge().fit([[0.0], [1.0], [2.0]], [1.0, 2.0, 4.0])).shape
    (2,)
    """
    coef = np.ravel(estimator.coef_)
    intercept = np.ravel(estimator.intercept_).astype(np.float64)
    if is_classifier(estimator) and len(estimator.classes_) > 2:
        intercept = intercept - intercept.mean()
    scale = np.ravel(getattr(estimator, "scale_", []))
    return np.concatenate([coef, intercept, scale])
