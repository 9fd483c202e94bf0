"""Sphinx configuration of skmlp's documentation.

Build from the repository root with
``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

import os
import sys
from pathlib import Path

import skmlp

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # gallery_helpers, named below

project = "skmlp"
author = "the skmlp developers"
copyright = "the skmlp developers, BSD-3-Clause"
version = release = skmlp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"  # `x` renders as code, as in the numpydoc docstrings

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Gallery --------------------------------------------------------------------
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run every script, not only plot_*.py; each in its --quick mode.
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"__init__\.py",
    "reset_argv": "gallery_helpers.reset_argv",
    "within_subsection_order": "gallery_helpers.example_order",
    "doc_module": ("skmlp",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "min_reported_time": 1,
}

# -- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skmlp {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}


# -- Inherited scikit-learn docstrings --------------------------------------------
# The estimators inherit score, get_params, set_params and the metadata-routing
# setters from scikit-learn; their docstrings cross-reference scikit-learn's own
# user guide and glossary, which are not part of this site (and fetching
# scikit-learn's inventory would make the build depend on the network). Those
# references become plain text, so the inherited pages still render in full.
import re  # noqa: E402

_SKLEARN_XREF = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^>]*>)?`")


def _plain_sklearn_xrefs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", "") or ""
    if module.startswith("sklearn.") or "_metadata_requests" in qualname:
        lines[:] = [_SKLEARN_XREF.sub(r"\1", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_xrefs)
