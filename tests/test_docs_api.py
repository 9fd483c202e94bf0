"""Every public name has a page in the API reference (docs/api.rst's autosummary).

Reads the reST source only, so it needs no Sphinx.
"""

import re
from pathlib import Path

import pytest

import skmlp

API_RST = Path(__file__).resolve().parent.parent / "docs" / "api.rst"
NOT_DOCUMENTED = {"__version__"}  # a string, not an object with a page


def autosummary_entries(text):
    """Names listed under the ``.. autosummary::`` directives of a reST text."""
    entries, in_block = set(), False
    for line in text.splitlines():
        if line.startswith(".. autosummary::"):
            in_block = True
            continue
        if in_block:
            if line and not line[0].isspace():  # back at the left margin: block over
                in_block = False
            elif line.strip() and not line.strip().startswith(":"):
                entries.add(line.strip().lstrip("~").rsplit(".", 1)[-1])
    return entries


def test_autosummary_parser_reads_names_and_skips_options():
    text = ".. autosummary::\n   :toctree: generated/\n\n   Foo\n   ~skmlp.Bar\n\nText\n   Baz\n"
    assert autosummary_entries(text) == {"Foo", "Bar"}


@pytest.mark.parametrize("name", sorted(set(skmlp.__all__) - NOT_DOCUMENTED))
def test_public_name_has_an_api_page(name):
    entries = autosummary_entries(API_RST.read_text(encoding="utf-8"))
    assert name in entries, f"skmlp.{name} is public but docs/api.rst does not list it"


def test_api_reference_lists_only_public_names():
    entries = autosummary_entries(API_RST.read_text(encoding="utf-8"))
    assert entries <= set(skmlp.__all__), entries - set(skmlp.__all__)


EXAMPLES = sorted((API_RST.parent.parent / "examples").glob("*.py"))
TITLE = re.compile(r'^"""\n(?P<title>[^\n]+)\n(?P<rule>=+)\n')


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_starts_with_a_gallery_title(path):
    """sphinx-gallery makes the page title from the docstring's first line; without
    an underlined title the page has none and `sphinx-build -W` fails."""
    match = TITLE.match(path.read_text(encoding="utf-8"))
    assert match, f'{path.name} must start with """, a title line and a line of ='
    assert len(match["rule"]) >= len(match["title"]), f"{path.name}: underline too short"
