"""Sphinx configuration for the twhooks documentation.

The docs build without network access (``sphinx-build -W``): intersphinx reads the
inventories of Python, Flask and Werkzeug committed in ``_inventories/`` (see its
``rebuild.py``), and links to their sites.
"""

from pathlib import Path

project = "twhooks"
author = "The twhooks developers"
copyright = "2026, The twhooks developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "myst_parser",  # the changelog is CHANGES.md
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"

_INVENTORIES = Path(__file__).resolve().parent / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(_INVENTORIES / "python.inv")),
    "flask": ("https://flask.palletsprojects.com/en/stable", str(_INVENTORIES / "flask.inv")),
    "werkzeug": (
        "https://werkzeug.palletsprojects.com/en/stable",
        str(_INVENTORIES / "werkzeug.inv"),
    ),
}
# Never reach for an inventory on the network, even if a local one goes missing.
intersphinx_timeout = 1

nitpicky = False
html_theme = "alabaster"
# Wide enough for the 88 columns of code blocks.
html_theme_options = {"page_width": "1040px"}
exclude_patterns = ["_build", "_inventories"]
