"""Penalised linear-model objectives over stored rows, with one weight per row.

The full, retain, forget and descent-ascent objectives are all this one object
with different row weights: zero removes a row, a negative weight ascends on it.
"""

import numpy as np

from . import _kernels

__all__ = ["LinearObjective"]


class LinearObjective:
    """``J(theta) = sum_i weights[i] * loss_i(theta) + (l2 / 2) * ||coef||^2``.

    The parameter vector is ``theta = concat(coef.ravel(), intercept)`` when
    ``fit_intercept`` else ``coef.ravel()``, with ``coef`` of shape
    ``(n_outputs, n_features)``. The intercept is never penalised.

    For the multinomial loss with an intercept, the intercepts are defined only
    up to a common shift. :meth:`hessian` adds a positive term along that
    direction (along which the gradient is always zero), so Newton steps stay
    in the gauge where the intercepts sum to the value they started with.

    Parameters
    ----------
    loss : {"squared", "logistic", "exponential", "multinomial"}
        Per-sample loss, see :mod:`skunlearn._kernels`.
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Stored rows (float64).
    y : ndarray
        Encoded targets in the layout the kernels expect.
    weights : ndarray of shape (n_samples,)
        Weight of each row's loss; zero skips a row.
    n_outputs : int
        Number of linear outputs K.
    fit_intercept : bool
        Whether theta carries intercepts.
    l2 : float, default=0.0
        Ridge strength on ``coef``.
    """

    def __init__(self, loss, X, y, weights, *, n_outputs, fit_intercept, l2=0.0):
        self.loss = loss
        self.X = X
        self.y = y
        self.weights = weights
        self.n_outputs = n_outputs
        self.fit_intercept = fit_intercept
        self.l2 = float(l2)
        self.n_features = X.shape[1]
        self.n_coef = n_outputs * self.n_features
        self.n_params = self.n_coef + (n_outputs if fit_intercept else 0)

    @property
    def total_weight(self):
        """Sum of the row weights (the scale of per-sample-mean units)."""
        return float(np.sum(self.weights))

    def unpack(self, theta):
        """Views ``(coef, intercept)`` of a parameter vector."""
        coef = theta[: self.n_coef].reshape(self.n_outputs, self.n_features)
        if self.fit_intercept:
            return coef, theta[self.n_coef :]
        return coef, np.zeros(self.n_outputs)

    def value_grad(self, theta):
        """Objective value and gradient at ``theta`` (one fused pass over X)."""
        theta = np.ascontiguousarray(theta, dtype=np.float64)
        coef, intercept = self.unpack(theta)
        grad = np.empty(self.n_params)
        grad_coef = grad[: self.n_coef].reshape(self.n_outputs, self.n_features)
        grad_intercept = grad[self.n_coef :] if self.fit_intercept else np.empty(self.n_outputs)
        value = _kernels.loss_grad(
            self.loss, self.X, self.y, self.weights, coef, intercept, grad_coef, grad_intercept
        )
        if self.l2:
            value += 0.5 * self.l2 * float(coef.ravel() @ coef.ravel())
            grad_coef += self.l2 * coef
        return value, grad

    def loss_hessian(self, theta):
        """Hessian of the weighted loss alone (no penalty, no gauge term)."""
        coef, intercept = self.unpack(np.ascontiguousarray(theta, dtype=np.float64))
        return _kernels.hessian(
            self.loss, self.X, self.y, self.weights, coef, intercept, self.fit_intercept
        )

    def hessian(self, theta):
        """Hessian of the objective, with the multinomial gauge term."""
        return self.regularize(self.loss_hessian(theta))

    def regularize(self, loss_hessian):
        """Add the penalty (and gauge term) to a loss Hessian, returning a new array."""
        H = np.array(loss_hessian, dtype=np.float64, copy=True)
        diag = np.arange(self.n_coef)
        H[diag, diag] += self.l2
        if self._has_gauge:
            u = self._gauge_direction()
            H += max(np.trace(H) / self.n_params, 1.0) * np.outer(u, u)
        return H

    def hessp(self, theta, v):
        """Hessian-vector product of the objective (matrix-free)."""
        coef, intercept = self.unpack(np.ascontiguousarray(theta, dtype=np.float64))
        out = _kernels.hessp(
            self.loss, self.X, self.y, self.weights, coef, intercept, self.fit_intercept, v
        )
        out[: self.n_coef] += self.l2 * v[: self.n_coef]
        if self._has_gauge:
            u = self._gauge_direction()
            out += float(u @ v) * u
        return out

    def hessian_operator(self, theta):
        """``v -> hessp(theta, v)``, with the per-row curvature evaluated once.

        For the binary and squared losses each product is then one fused
        pass over X (the squared-loss gradient with weights ``c / 2`` and zero
        targets) instead of two; the multinomial loss uses :meth:`hessp`.
        """
        if self.loss == "multinomial":
            return lambda v: self.hessp(theta, v)
        coef, intercept = self.unpack(np.ascontiguousarray(theta, dtype=np.float64))
        c = _kernels.curvature(self.loss, self.X, self.y, self.weights, coef, intercept)
        quadratic = LinearObjective(
            "squared",
            self.X,
            np.zeros((self.X.shape[0], self.n_outputs)),
            0.5 * c,
            n_outputs=self.n_outputs,
            fit_intercept=self.fit_intercept,
            l2=self.l2,
        )
        return lambda v: quadratic.value_grad(v)[1]

    @property
    def _has_gauge(self):
        return self.loss == "multinomial" and self.fit_intercept

    def _gauge_direction(self):
        u = np.zeros(self.n_params)
        u[self.n_coef :] = 1.0 / np.sqrt(self.n_outputs)
        return u
