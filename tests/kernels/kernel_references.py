"""The kernels' test cases and their numpy references (scikit-learn's losses where it has them)."""

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, logsumexp, softmax
from sklearn._loss.loss import HalfTweedieLoss, HalfTweedieLossIdentity

from skunlearn._kernels import loss_grad

# Each case names a kernel and its parameters (Tweedie power; Huber epsilon and scale).
KERNEL_CASES = {
    "squared": ("squared", ()),
    "logistic": ("logistic", ()),
    "exponential": ("exponential", ()),
    "multinomial": ("multinomial", ()),
    "squared_hinge": ("squared_hinge", ()),
    "poisson": ("tweedie", (1.0,)),
    "gamma": ("tweedie", (2.0,)),
    "tweedie0": ("tweedie", (0.0,)),
    "tweedie1.5": ("tweedie", (1.5,)),
    "tweedie3": ("tweedie", (3.0,)),
    "identity0": ("tweedie_identity", (0.0,)),
    "identity1": ("tweedie_identity", (1.0,)),
    "identity1.5": ("tweedie_identity", (1.5,)),
    "identity2": ("tweedie_identity", (2.0,)),
    "huber": ("huber", (1.35, 0.8)),
}
CASES = [  # (case, K)
    ("squared", 1),
    ("squared", 3),
    ("logistic", 1),
    ("exponential", 1),
    ("multinomial", 1),
    ("multinomial", 3),
    ("squared_hinge", 1),
    ("squared_hinge", 3),
    ("poisson", 1),
    ("gamma", 1),
    ("tweedie0", 1),
    ("tweedie1.5", 1),
    ("tweedie3", 2),
    ("identity0", 1),
    ("identity1", 1),
    ("identity1.5", 1),
    ("identity2", 1),
    ("huber", 1),
]


def kernel(loss):
    """``(kernel name, {"params": ...})`` of a case."""
    name, params = KERNEL_CASES[loss]
    return name, {"params": params}


def make_y(loss, rng, n, K):
    name, params = KERNEL_CASES[loss]
    if name in ("squared", "huber"):
        return rng.standard_normal((n, K))
    if name == "multinomial":
        return rng.integers(0, K, n).astype(np.int64)
    if name.startswith("tweedie"):  # positive, with zeros where the power allows them
        y = rng.gamma(2.0, 0.7, (n, K))
        if 0 < params[0] < 2:
            y[rng.random((n, K)) < 0.2] = 0.0
        return y
    y = (rng.random((n, K)) < 0.5).astype(np.float64)
    return y[:, 0] if K == 1 else y


def make_problem(loss, n=40, d=5, K=1, seed=0, sparse=False, fit_intercept=True, density=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * (rng.random((n, d)) < density)
    w = rng.uniform(-1.0, 2.0, n)
    w[rng.random(n) < 0.2] = 0.0
    coef = rng.standard_normal((K, d)) / np.sqrt(d)
    b = rng.standard_normal(K) if fit_intercept else np.zeros(K)
    if loss.startswith("identity") and loss != "identity0":  # positive predictions
        coef, b = 0.1 * coef, b * 0.0 + 3.0
        if not fit_intercept:
            X = np.hstack([X[:, :-1], np.full((n, 1), 3.0)])
    return (sp.csr_matrix(X) if sparse else X), make_y(loss, rng, n, K), w, coef, b


def dense(X):
    return X.toarray() if sp.issparse(X) else X


def _sklearn_tweedie(link, power, Y, Z):
    """scikit-learn's half Tweedie losses and gradients, output by output."""
    loss = (HalfTweedieLoss if link == "log" else HalfTweedieLossIdentity)(power=power)
    columns = [
        (loss.loss(y_true=Y[:, k].copy(), raw_prediction=Z[:, k].copy()),
         loss.gradient(y_true=Y[:, k].copy(), raw_prediction=Z[:, k].copy()))
        for k in range(Z.shape[1])
    ]  # fmt: skip
    values, grads = zip(*columns, strict=True)
    return np.sum(values, axis=0), np.column_stack(grads)


def _huber(Y, Z, epsilon, sigma):
    """``sigma + sigma H(r / sigma)`` per row, as scikit-learn's ``_huber_loss_and_gradient``."""
    r = Y - Z
    outlier = np.abs(r) > epsilon * sigma
    value = sigma + np.where(outlier, 2 * epsilon * np.abs(r) - sigma * epsilon**2, r**2 / sigma)
    return value[:, 0], np.where(outlier, -2 * epsilon * np.sign(r), -2 * r / sigma)


def reference(loss, X, y, w, coef, b):
    """Per-row losses l (n,) and derivatives G = dl/dz (n, K), plainly in numpy."""
    name, params = KERNEL_CASES[loss]
    Z = dense(X) @ coef.T + b
    if name == "squared":
        return ((y - Z) ** 2).sum(axis=1), 2.0 * (Z - y)
    if name == "multinomial":
        rows = np.arange(len(y))
        G = softmax(Z, axis=1)
        G[rows, y] -= 1.0
        return logsumexp(Z, axis=1) - Z[rows, y], G
    Y = y.reshape(len(Z), -1)
    if name.startswith("tweedie"):
        return _sklearn_tweedie("log" if name == "tweedie" else "identity", *params, Y, Z)
    if name == "huber":
        return _huber(Y, Z, *params)
    s = 2.0 * Y - 1.0
    m = s * Z
    if name == "squared_hinge":
        return (np.maximum(1 - m, 0) ** 2).sum(axis=1), -2 * s * np.maximum(1 - m, 0)
    if name == "logistic":
        return np.logaddexp(0.0, -m)[:, 0], -s * expit(-m)
    return np.exp(-m)[:, 0], -s * np.exp(-m)


def reference_loss_grad(loss, X, y, w, coef, b):
    """Value, gradients and the same sums of absolute values (error scales)."""
    per_row, G = reference(loss, X, y, w, coef, b)
    Xd = dense(X)
    wG = w[:, None] * G
    value = (w * per_row).sum(), wG.T @ Xd, wG.sum(axis=0)
    scale = np.abs(w * per_row).sum(), np.abs(wG).T @ np.abs(Xd), np.abs(wG).sum(axis=0)
    return value, scale


def call_loss_grad(loss, X, y, w, coef, b, parallel=None):
    gc, gi = np.full(coef.shape, np.nan), np.full(coef.shape[0], np.nan)
    name, params = kernel(loss)
    value = loss_grad(name, X, y, w, coef, b, gc, gi, parallel=parallel, **params)
    assert isinstance(value, float)
    return value, gc, gi


def assert_matches_reference(loss, X, y, w, coef, b, parallel=None, rtol=1e-12):
    got = call_loss_grad(loss, X, y, w, coef, b, parallel)
    expected, scale = reference_loss_grad(loss, X, y, w, coef, b)
    for g, e, s in zip(got, expected, scale, strict=True):
        assert np.all(np.abs(np.asarray(g) - e) <= rtol * s + 1e-300)


def numeric_grad(f, theta, eps=1e-6):
    out = []
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = eps
        out.append((f(theta + e) - f(theta - e)) / (2.0 * eps))
    return np.array(out)


def split(theta, K, d, b, fit_intercept):
    coef = theta[: K * d].reshape(K, d)
    return coef, (theta[K * d :] if fit_intercept else b)


def flat_grad(loss, X, y, w, theta, K, d, b, fit_intercept):
    coef, intercept = split(theta, K, d, b, fit_intercept)
    value, gc, gi = call_loss_grad(loss, X, y, w, coef, intercept)
    return value, np.concatenate([gc.ravel(), gi] if fit_intercept else [gc.ravel()])
