"""The source rewrite of ``tools/sklearn_parity.py`` re-binds every reference it must.

The rewritten code is executed and the names are compared by identity with skunlearn's
objects; line numbers must not move (failure reports cite scikit-learn's lines).
"""

import sys
from pathlib import Path

import pytest
import sklearn.linear_model
import sklearn.pipeline

import skunlearn
import skunlearn.pipeline
import skunlearn.preprocessing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import sklearn_parity  # noqa: E402

SOURCE = """\
from sklearn.linear_model import (
    Lasso,
    LogisticRegression as LR,
)  # a comment after the import
from sklearn import linear_model, preprocessing
import sklearn.pipeline as skpipe
import sklearn.linear_model
from sklearn.linear_model._ridge import Ridge


def build():
    from sklearn.pipeline import make_pipeline

    return make_pipeline(preprocessing.MaxAbsScaler(), linear_model.Ridge())


classes = [skpipe.Pipeline, sklearn.linear_model.LogisticRegression, Lasso]
line = __import__("inspect").currentframe().f_lineno
"""


def test_substitute_rebinds_imports_aliases_and_attributes():
    rewritten, log = sklearn_parity.substitute(SOURCE)
    namespace = {}
    exec(compile(rewritten, "<rewritten>", "exec"), namespace)
    assert namespace["LR"] is skunlearn.LogisticRegression
    assert namespace["Ridge"] is skunlearn.Ridge
    assert namespace["classes"] == [
        skunlearn.pipeline.Pipeline,
        skunlearn.LogisticRegression,
        sklearn.linear_model.Lasso,
    ]
    pipe = namespace["build"]()
    assert type(pipe) is skunlearn.pipeline.Pipeline
    assert [type(step) for _, step in pipe.steps] == [
        skunlearn.preprocessing.MaxAbsScaler,
        skunlearn.Ridge,
    ]
    assert namespace["line"] == len(SOURCE.splitlines())  # lines did not move
    assert len(log) == 7


def test_substitute_leaves_other_names_alone():
    source = "from sklearn.pipeline import FeatureUnion\nfrom sklearn.linear_model import Lasso\n"
    rewritten, log = sklearn_parity.substitute(source)
    assert rewritten == source
    assert log == []
    namespace = {}
    exec(rewritten, namespace)
    assert namespace["FeatureUnion"] is sklearn.pipeline.FeatureUnion


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Ridge.__init__() got an unexpected keyword argument 'solver'",
            "TypeError: Ridge.__init__() got an unexpected keyword argument 'solver'",
        ),
        (
            "Not equal to tolerance rtol=1e-07, atol=1e-10",
            "TypeError: Not equal to tolerance rtol=<n>, atol=<n>",
        ),
        ("Got array([ 1.5, 2. ]) at 0x7f3a", "TypeError: Got array([...]) at 0x?"),
        ("among {'lbfgs', 'auto'}. Got 'sag'", "TypeError: among {'auto', 'lbfgs'}. Got 'sag'"),
    ],
)
def test_cause_masks_numbers_arrays_and_addresses(message, expected):
    assert sklearn_parity.cause({"error_type": "TypeError", "message": message}) == expected
