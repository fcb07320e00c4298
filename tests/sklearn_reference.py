"""scikit-learn's LogisticRegression as a reference, whichever supported version is installed.

scikit-learn 1.8 deprecated ``penalty`` in favour of ``l1_ratio`` and ``C=np.inf``;
before it, ``l1_ratio`` is read only with ``penalty="elasticnet"``. :func:`sklearn_logistic`
builds the same objective on either side, so the tests compare against the same model
under the oldest and the newest scikit-learn that ``setup.cfg`` allows.
"""

import numpy as np
import sklearn
from packaging.version import Version
from sklearn import linear_model as sk

SKLEARN_1_8 = Version(sklearn.__version__) >= Version("1.8")


def sklearn_logistic(C=1.0, l1_ratio=0.0, **params):
    """``sklearn.linear_model.LogisticRegression`` with the penalty given as scikit-learn 1.9."""
    if not SKLEARN_1_8:
        if np.isinf(C):
            params["penalty"] = None
        elif l1_ratio == 1:
            params["penalty"] = "l1"
        elif l1_ratio > 0:
            params["penalty"] = "elasticnet"
            params["l1_ratio"] = l1_ratio
        return sk.LogisticRegression(C=1.0 if np.isinf(C) else C, **params)
    return sk.LogisticRegression(C=C, l1_ratio=l1_ratio, **params)
