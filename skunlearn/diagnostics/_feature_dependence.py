"""Dependence between forget and retain rows in feature space, and the Lemma-1 check.

These functions take arrays: they read whatever rows they are given, so passing
retain rows re-reads sensitive retain data (the privacy remark of [1]_).

References
----------
.. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
   "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.
"""

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import accuracy_score
from sklearn.utils import check_array, check_random_state
from threadpoolctl import threadpool_limits

from ._per_sample import dense_rows

__all__ = [
    "FeatureSimilarity",
    "HoeffdingCheck",
    "MMDTest",
    "feature_similarity",
    "hoeffding_check",
    "mmd_test",
]

_CHUNK = 4096


def _as_dict(result):
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(result).items()}


def _unit_rows(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1.0)


@dataclass
class FeatureSimilarity:
    """Cosine similarity of forget rows to retain rows.

    Parameters
    ----------
    mean_cosine : float
        Cosine between the mean forget row and the mean retain row.
    nearest_cosine : ndarray of shape (n_forget,)
        For each forget row, the largest ``|cos|`` with any retain row (1: a
        retain row is parallel to it, as in the constructions of [1]_).
    median_nearest, max_nearest : float
        Summary of ``nearest_cosine``.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    Returned by :func:`feature_similarity`:

    >>> from skunlearn.diagnostics import feature_similarity
    >>> result = feature_similarity([[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [1.0, 1.0]])
    >>> result.nearest_cosine.round(3).tolist(), round(result.max_nearest, 3)
    ([1.0, 0.707], 1.0)
    """

    mean_cosine: float
    nearest_cosine: np.ndarray
    median_nearest: float
    max_nearest: float

    def to_dict(self):
        """Plain-Python dict of the fields, for JSON.

        Returns
        -------
        fields : dict
            Field name to value; arrays become lists.
        """
        return _as_dict(self)


def feature_similarity(X_forget, X_retain):
    """How close each forget row is, in direction, to some retain row.

    Reads the retain rows it is given (the privacy remark of [1]_). Costs
    ``|F| |R| d`` operations in chunks of retain rows (the ``|F| x |R|`` matrix
    is never held).

    Parameters
    ----------
    X_forget : {array-like, sparse matrix} of shape (n_forget, n_features)
        Forget rows.
    X_retain : {array-like, sparse matrix} of shape (n_retain, n_features)
        Retain rows (a CSR matrix is densified one chunk at a time).

    Returns
    -------
    result : FeatureSimilarity

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.diagnostics import feature_similarity
    >>> result = feature_similarity([[1.0, 0.0]], [[2.0, 0.0], [0.0, 1.0]])
    >>> float(result.max_nearest)
    1.0
    """
    X_forget = dense_rows(check_array(X_forget, dtype=np.float64, accept_sparse="csr"))
    X_retain = check_array(X_retain, dtype=np.float64, accept_sparse="csr")
    unit_forget = _unit_rows(X_forget)
    nearest = np.zeros(X_forget.shape[0])
    with threadpool_limits(limits=1, user_api="blas"):
        for lo in range(0, X_retain.shape[0], _CHUNK):
            chunk = dense_rows(X_retain[lo : lo + _CHUNK])
            cosines = np.abs(unit_forget @ _unit_rows(chunk).T)
            np.maximum(nearest, cosines.max(axis=1), out=nearest)
    retain_mean = np.asarray(X_retain.mean(axis=0)).ravel()
    means = _unit_rows(np.vstack([X_forget.mean(axis=0), retain_mean]))
    return FeatureSimilarity(
        mean_cosine=float(means[0] @ means[1]),
        nearest_cosine=nearest,
        median_nearest=float(np.median(nearest)),
        max_nearest=float(nearest.max()),
    )


@dataclass
class MMDTest:
    """Gaussian-kernel maximum mean discrepancy two-sample test.

    Parameters
    ----------
    statistic : float
        Biased estimate of MMD^2 between the (subsampled) forget and retain rows.
    p_value : float
        Permutation p-value ``(1 + #{permuted >= observed}) / (1 + n_permutations)``.
    bandwidth : float
        Kernel bandwidth ``sigma`` in ``exp(-||x - x'||^2 / (2 sigma^2))``.
    n_forget, n_retain : int
        Rows used from each sample.

    Examples
    --------
    Returned by :func:`mmd_test`:

    >>> import numpy as np
    >>> from skunlearn.diagnostics import mmd_test
    >>> rng = np.random.default_rng(0)
    >>> result = mmd_test(rng.normal(size=(30, 2)), rng.normal(size=(60, 2)))
    >>> result.n_forget, result.n_retain, bool(result.p_value > 0.05)
    (30, 60, True)
    """

    statistic: float
    p_value: float
    bandwidth: float
    n_forget: int
    n_retain: int

    def to_dict(self):
        """Plain-Python dict of the fields, for JSON.

        Returns
        -------
        fields : dict
            Field name to value.
        """
        return _as_dict(self)


def mmd_test(X_forget, X_retain, *, n_permutations=200, max_samples=1000, random_state=0):
    """Test whether forget and retain rows are drawn from the same distribution.

    A random forget set passes (large p-value); a forget set that is a
    recognisable subpopulation fails. Each sample is subsampled (seeded) to at
    most ``max_samples`` rows; the bandwidth is the median pairwise distance of
    the pooled rows. All permutations are evaluated with one matrix product.
    Reads the retain rows it is given (the privacy remark of [1]_).

    Parameters
    ----------
    X_forget : {array-like, sparse matrix} of shape (n_forget, n_features)
        Forget rows.
    X_retain : {array-like, sparse matrix} of shape (n_retain, n_features)
        Retain rows (a CSR matrix is densified one chunk at a time).
    n_permutations : int, default=200
        Number of label permutations.
    max_samples : int, default=1000
        Largest number of rows used from each sample.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsampling and the permutations.

    Returns
    -------
    result : MMDTest

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from skunlearn.diagnostics import mmd_test
    >>> rng = np.random.default_rng(0)
    >>> same = mmd_test(rng.normal(size=(40, 2)), rng.normal(size=(80, 2)))
    >>> shifted = mmd_test(rng.normal(size=(40, 2)) + 2.0, rng.normal(size=(80, 2)))
    >>> bool(same.p_value > 0.05), bool(shifted.p_value < 0.01)
    (True, True)
    """
    rng = check_random_state(random_state)
    X_forget = _subsample(
        check_array(X_forget, dtype=np.float64, accept_sparse="csr"), max_samples, rng
    )
    X_retain = _subsample(
        check_array(X_retain, dtype=np.float64, accept_sparse="csr"), max_samples, rng
    )
    pooled = np.vstack([X_forget, X_retain])
    squared = _squared_distances(pooled)
    bandwidth = float(np.sqrt(np.median(squared[np.triu_indices(len(pooled), 1)]) / 2.0))
    K = np.exp(-squared / (2.0 * max(bandwidth, 1e-12) ** 2))
    labels = np.r_[
        np.full(len(X_forget), 1.0 / len(X_forget)), np.full(len(X_retain), -1.0 / len(X_retain))
    ]
    signs = np.column_stack([labels] + [rng.permutation(labels) for _ in range(n_permutations)])
    with threadpool_limits(limits=1, user_api="blas"):
        stats = np.einsum("ij,ij->j", signs, K @ signs)
    return MMDTest(
        statistic=float(stats[0]),
        p_value=float((1 + np.sum(stats[1:] >= stats[0])) / (1 + n_permutations)),
        bandwidth=bandwidth,
        n_forget=len(X_forget),
        n_retain=len(X_retain),
    )


def _subsample(X, max_samples, rng):
    """At most ``max_samples`` rows of ``X`` (seeded), as a dense array."""
    if X.shape[0] > max_samples:
        X = X[np.sort(rng.choice(X.shape[0], max_samples, replace=False))]
    return dense_rows(X)


def _squared_distances(X):
    norms = np.einsum("ij,ij->i", X, X)
    return np.maximum(norms[:, None] + norms[None, :] - 2.0 * X @ X.T, 0.0)


@dataclass
class HoeffdingCheck:
    """Lemma 1 of "Ascent Fails to Forget": forget against held-out accuracy.

    See Lemma 1 of [1]_.

    Parameters
    ----------
    forget_accuracy, test_accuracy : float
        Accuracies on the forget rows and on held-out rows.
    gap : float
        ``|test_accuracy - forget_accuracy|``.
    band : float
        Hoeffding half-width ``sqrt(log(2 / (1 - confidence)) / (2 |F|))``.
    confidence : float
        Probability that a random forget set of the oracle stays in the band.

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    Returned by :func:`hoeffding_check`:

    >>> import numpy as np
    >>> from skunlearn import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> from skunlearn.diagnostics import hoeffding_check
    >>> check = hoeffding_check(clf, X[:20], y[:20], X[100:], y[100:])
    >>> bool(check.within_band), round(check.band, 3)
    (True, 0.304)
    """

    forget_accuracy: float
    test_accuracy: float
    gap: float
    band: float
    confidence: float

    @property
    def within_band(self):
        """The forget set looks like held-out data to this model."""
        return self.gap <= self.band

    def to_dict(self):
        """Plain-Python dict of the fields, for JSON.

        Returns
        -------
        fields : dict
            Field name to value, and ``within_band``.
        """
        return {**_as_dict(self), "within_band": self.within_band}


def hoeffding_check(estimator, X_forget, y_forget, X_test, y_test, *, confidence=0.95):
    """Compare forget and held-out accuracy against the Hoeffding band of Lemma 1.

    Lemma 1 of [1]_: the oracle never saw a random forget set F, so its forget accuracy equals
    its test accuracy up to ``P(|Acc_T - Acc_F| >= eps) <= 2 exp(-2 |F| eps^2)``.
    An unlearned model whose forget accuracy falls below the band has been
    damaged, not made to forget. Reads only the forget and test rows.

    Parameters
    ----------
    estimator : classifier
        Any fitted scikit-learn classifier.
    X_forget, y_forget : array-like
        Forget rows and labels.
    X_test, y_test : array-like
        Held-out rows and labels.
    confidence : float, default=0.95
        Coverage of the band.

    Returns
    -------
    result : HoeffdingCheck

    References
    ----------
    .. [1] I. Mavrothalassitis, P. Puigdemont, N. I. Levi, V. Cevher,
       "Ascent Fails to Forget", NeurIPS 2025, arXiv:2509.26427.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skunlearn.diagnostics import hoeffding_check
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X[:300], y[:300])
    >>> check = hoeffding_check(clf, X[:50], y[:50], X[300:], y[300:])
    >>> round(check.band, 3)
    0.192
    """
    if not is_classifier(estimator):
        raise ValueError("hoeffding_check compares accuracies: it needs a classifier.")
    forget = accuracy_score(y_forget, estimator.predict(X_forget))
    test = accuracy_score(y_test, estimator.predict(X_test))
    band = float(np.sqrt(np.log(2.0 / (1.0 - confidence)) / (2.0 * len(y_forget))))
    return HoeffdingCheck(float(forget), float(test), abs(float(test - forget)), band, confidence)
