"""Sphinx configuration of skunlearn's documentation.

Build (README): ``pip install ".[docs]" && python -m sphinx -W --keep-going -b html docs
docs/_build/html``. The API reference is generated from the numpydoc docstrings
(``api.rst`` lists every public name; ``tests/project/test_api_reference.py`` checks it),
and the example gallery is rendered by sphinx-gallery, which executes
``examples/plot_*.py`` at build time and embeds their figures and output.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout, installed or not
os.environ.setdefault("MPLBACKEND", "Agg")

import skunlearn  # noqa: E402

project = "skunlearn"
author = "the skunlearn developers"
copyright = "the skunlearn developers"  # noqa: A001
release = version = skunlearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "auto_examples/*.ipynb", "auto_examples/*.py"]
root_doc = "index"

# API reference: one page per public name, members documented by autodoc.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_attributes_as_param_list = True


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document inherited members only when skunlearn defines them.

    ``unlearn`` comes from skunlearn's mixins and is documented on every
    estimator; ``get_params``, ``score`` and the like keep scikit-learn's
    docstrings, documented by scikit-learn.
    """
    module = getattr(obj, "__module__", None) or getattr(
        getattr(obj, "fget", None), "__module__", None
    )
    if module is not None and not module.startswith("skunlearn"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)


# The gallery: every examples/plot_*.py is executed; a failing check makes the
# script exit non-zero, which fails the build.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skunlearn",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "min_reported_time": 5,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skunlearn {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []
html_show_sourcelink = False
