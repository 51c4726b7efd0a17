"""Sphinx configuration for the twhooks documentation.

The docs build without network access (``sphinx-build -W``): intersphinx reads the
inventories of Python, Flask and Werkzeug committed in ``_inventories/`` (see its
``rebuild.py``), and links to their sites.
"""

import inspect
import sys
from pathlib import Path
from typing import Any

# docs/api is written by tools/api_docs/gen.py; its public_surface.py also serves the build.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "api_docs"))
from public_surface import (
    attribute_comment,
    build_model,
    documented_paths,
    public_modules,
    public_path,
    source_definition,
)

project = "twhooks"
author = "The twhooks developers"
copyright = "2026, The twhooks developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",  # the tables atop the API pages (docs/api is generated)
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "myst_parser",  # the changelog is CHANGES.md
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# The API pages are written by tools/api_docs/gen.py; autosummary only draws their tables.
autosummary_generate = False

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


def _constant_docstring(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """A constant documented where it is re-exported (``twhooks.KINDS``) keeps the ``#:``
    comment of the module that defines it: autodoc reads comments only in the module named,
    and would otherwise show the docstring of the value's type (``dict``)."""
    if what != "data" or inspect.isclass(obj) or inspect.isroutine(obj):
        return
    module, _, attribute = name.rpartition(".")
    found = source_definition(module, attribute)
    comment = attribute_comment(*found) if found else None
    if comment is not None:
        lines[:] = comment
    elif getattr(obj, "__doc__", None) == getattr(type(obj), "__doc__", None):
        lines[:] = []


_DOCUMENTED: dict[object, str] = {}


def _public_reference(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a reference to a public object by one of its internal paths
    (``:class:`twhooks.dispatch.Dispatcher``` in a docstring) to where docs/api documents it
    (``twhooks.Dispatcher``): docstrings may name the module that defines an object."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("twhooks."):
        return None
    if not _DOCUMENTED:
        _DOCUMENTED.update(documented_paths(build_model(public_modules())))
    public = public_path(target, _DOCUMENTED)
    if public is None or public == target:
        return None
    domain = env.domains["py"]
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], public, node, contnode
    )


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _constant_docstring)
    app.connect("missing-reference", _public_reference)
