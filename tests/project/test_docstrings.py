"""numpydoc consistency of every public docstring, as scikit-learn's
``sklearn/tests/test_docstrings.py`` checks its own with ``numpydoc.validate``.

For every public class and function (``tests/public_api.py``) and every public
method a class defines in skunlearn: the documented parameters match the
signature (PR01, PR02), a function or method that returns something documents
it (RT01), the summary line is well formed (SS01-SS06), and every class and
function has an Examples section (EX01; methods are exempt).
"""

import re

import pytest
from public_api import public_methods, public_objects

validate = pytest.importorskip("numpydoc.validate").validate

CHECKS = {"PR01", "PR02", "RT01", "SS01", "SS02", "SS03", "SS04", "SS05", "SS06"}
TOP_LEVEL_CHECKS = CHECKS | {"EX01"}

OBJECTS = public_objects()
METHODS = [method for path in OBJECTS for method in public_methods(path)]


def _errors(import_path, checks):
    result = validate(import_path)
    return [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code in checks and not _newer_sklearn_parameter(import_path, code, message)
    ]


def _newer_sklearn_parameter(import_path, code, message):
    """A PR02 for parameters that the installed scikit-learn's class of the same name lacks:
    the transformers subclass scikit-learn's and take its signature, and their docstrings
    document the newest scikit-learn's (e.g. ``MaxAbsScaler(clip=...)``, 1.8)."""
    if code != "PR02" or not import_path.startswith("skunlearn.preprocessing."):
        return False
    import inspect

    import sklearn.preprocessing

    names = set(re.findall(r"'(\w+)'", message))
    base = getattr(sklearn.preprocessing, import_path.rsplit(".", 1)[1], None)
    return base is not None and not names & set(inspect.signature(base).parameters)


def test_the_walk_finds_the_public_api():
    # Guards against an empty walk passing every check vacuously.
    assert "skunlearn.linear_model.LogisticRegression" in OBJECTS
    assert "skunlearn.diagnostics.unlearning_report" in OBJECTS
    assert "skunlearn.linear_model.LogisticRegression.unlearn" in METHODS


@pytest.mark.parametrize("import_path", OBJECTS)
def test_class_and_function_docstrings(import_path):
    errors = _errors(import_path, TOP_LEVEL_CHECKS)
    assert not errors, f"{import_path}:\n" + "\n".join(errors)


@pytest.mark.parametrize("import_path", METHODS)
def test_method_docstrings(import_path):
    errors = _errors(import_path, CHECKS)
    assert not errors, f"{import_path}:\n" + "\n".join(errors)
