"""The public API, derived from the packages' ``__all__``: the one list that the
docstring test and the API-reference test walk.

A public module is every module of the package whose dotted path has no
component starting with ``_``; its public names are its ``__all__``. A name
exported by several modules (``skunlearn.LogisticRegression`` is
``skunlearn.linear_model.LogisticRegression``) is one object, listed once under
its subpackage (the top-level package comes last).
"""

import importlib
import inspect
import pkgutil

import skunlearn


def public_modules():
    """Dotted names of the public modules, ``skunlearn`` last."""
    names = [
        info.name
        for info in pkgutil.walk_packages(skunlearn.__path__, "skunlearn.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    return [*sorted(names), "skunlearn"]


def public_names():
    """``(module, name, object)`` for every name in a public module's ``__all__``."""
    out = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            out.append((module_name, name, getattr(module, name)))
    return out


def public_objects():
    """Import paths of the public classes and functions, each object once."""
    paths, seen = [], set()
    for module_name, name, obj in public_names():
        documented = inspect.isclass(obj) or inspect.isfunction(obj)
        if documented and id(obj) not in seen:
            seen.add(id(obj))
            paths.append(f"{module_name}.{name}")
    return paths


def public_methods(class_path):
    """Import paths of the public methods a public class defines in skunlearn.

    Methods inherited from scikit-learn (``get_params``, ``score``) keep
    scikit-learn's docstrings and are not ours to check.
    """
    module_name, _, name = class_path.rpartition(".")
    cls = getattr(importlib.import_module(module_name), name)
    methods = []
    for attribute, member in inspect.getmembers(cls):
        if attribute.startswith("_") or inspect.isclass(member) or not callable(member):
            continue
        if getattr(member, "__module__", "").startswith("skunlearn"):
            methods.append(f"{class_path}.{attribute}")
    return methods
