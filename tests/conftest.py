"""Shared fixtures: small standardised datasets that scikit-learn ships."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.preprocessing import StandardScaler


def _standardised(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def breast_cancer():
    return _standardised(load_breast_cancer)


@pytest.fixture(scope="session")
def wine():
    return _standardised(load_wine)


@pytest.fixture(scope="session")
def iris():
    return _standardised(load_iris)


@pytest.fixture(scope="session")
def diabetes():
    return _standardised(load_diabetes)


def parameters(model):
    """Coefficients and intercepts of a fitted linear model as one vector."""
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def normalised_distance(unlearned, oracle, original):
    """||w_u - w_oracle|| / ||w_original - w_oracle|| (paper-notes section 3)."""
    w_oracle = parameters(oracle)
    effect = np.linalg.norm(parameters(original) - w_oracle)
    return np.linalg.norm(parameters(unlearned) - w_oracle) / effect
