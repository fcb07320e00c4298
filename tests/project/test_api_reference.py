"""Every public name appears in the API reference (``docs/api.rst``).

The public names are each public module's ``__all__`` (``tests/public_api.py``);
the reference documents a module with ``.. automodule::`` and a name as an
``autosummary`` entry under ``.. currentmodule::``. A name re-exported by
several modules (``skunlearn.Ridge``) is documented once: any documented path
that imports to the same object counts.
"""

import importlib
import inspect
import re
from functools import cache
from pathlib import Path

import pytest
from public_api import public_modules, public_names

API = Path(__file__).resolve().parents[2] / "docs" / "api.rst"
DIRECTIVE = re.compile(r"^\.\. (automodule|currentmodule|autosummary)::\s*(\S*)")
ENTRY = re.compile(r"^   (?!:)(\S+)\s*$")


@cache
def documented():
    """``(modules, paths)`` that ``docs/api.rst`` documents."""
    modules, paths, current, in_summary = set(), set(), None, False
    for line in API.read_text().splitlines():
        directive = DIRECTIVE.match(line)
        if directive:
            kind, target = directive.groups()
            in_summary = kind == "autosummary"
            if kind == "automodule":
                modules.add(target)
            elif kind == "currentmodule":
                current = target
            continue
        if line and not line.startswith(" "):
            in_summary = False
        entry = ENTRY.match(line)
        if in_summary and entry:
            paths.add(f"{current}.{entry.group(1)}")
    return frozenset(modules), frozenset(paths)


@cache
def documented_objects():
    """ids of the objects the documented paths import to."""
    return frozenset(id(_resolve(path)) for path in documented()[1])


def _resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_public_module_has_a_section():
    modules, _ = documented()
    assert set(public_modules()) <= modules, sorted(set(public_modules()) - modules)


def test_every_documented_path_exists():
    _, paths = documented()
    assert len(paths) > 50  # guards against a parser that finds nothing
    for path in paths:
        _resolve(path)  # raises for a stale entry


@pytest.mark.parametrize(
    ("module", "name"), [(module, name) for module, name, _ in public_names()]
)
def test_every_public_name_is_documented(module, name):
    obj = getattr(importlib.import_module(module), name)
    if inspect.ismodule(obj):
        has_section = obj.__name__ in documented()[0]
        assert has_section, f"{module}.{name}: docs/api.rst has no section for it"
    else:
        listed = id(obj) in documented_objects()
        assert listed, f"{module}.{name} is missing from docs/api.rst"
