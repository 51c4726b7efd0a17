"""docs/configuration.rst and the settings the code reads are the same list.

Every key of the defaults table is documented, every documented key is read, and nothing
outside :mod:`twhooks.settings` reads a setting from an app's config.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from twhooks.settings import DEFAULTS, REMOVED

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "twhooks"
SETTINGS = PACKAGE / "settings"
PAGE = (ROOT / "docs" / "configuration.rst").read_text(encoding="utf-8")

_KEY = re.compile(r"\b(?:TWHOOKS|TWILIO)_[A-Z_]*[A-Z]\b")
#: A section's title and its underline.
_SECTION = re.compile(r"^(\S.*)\n[-=~]{3,}$", re.MULTILINE)


def _documented(section: str | None = None, *, terms: bool = False) -> set[str]:
    """The settings named on the page (in one of its sections); with *terms*, only those
    that a definition is about (a line of their own)."""
    text = PAGE
    if section is not None:
        starts = [(m.group(1), m.start()) for m in _SECTION.finditer(PAGE)]
        ((_, start),) = [(title, at) for title, at in starts if title == section]
        after = [at for _, at in starts if at > start]
        text = PAGE[start : after[0] if after else len(PAGE)]
    if terms:
        return set(re.findall(rf"^``({_KEY.pattern})``$", text, re.MULTILINE))
    return set(_KEY.findall(text))


def _literals(path: Path) -> Iterator[tuple[ast.AST, str]]:
    """Each string constant of *path* that names a setting, with its parent node, outside
    docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _KEY.fullmatch(node.value)
            and not isinstance(parents.get(node), ast.Expr)
        ):
            yield parents[node], node.value


def _reads(path: Path, source: str) -> set[str]:
    """The settings *path* reads from a mapping whose expression mentions *source*
    (``config.get("X")``, ``config["X"]``, ``os.environ.get("X")``), or with a reader
    (``get("X")``, ``get.seconds("X")``)."""
    found = set()
    for parent, key in _literals(path):
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute):
            target = ast.unparse(parent.func.value)
            mapping = parent.func.attr in ("get", "setdefault", "pop") and source in target
            reader = source == "get" and target == "get"  # get.seconds("X") and the like
            if mapping or reader:
                found.add(key)
        elif isinstance(parent, ast.Call) and ast.unparse(parent.func) == source:
            found.add(key)  # get("X")
        elif isinstance(parent, ast.Subscript) and source in ast.unparse(parent.value):
            found.add(key)
    return found


def _settings_reads() -> set[str]:
    found: set[str] = set()
    for path in SETTINGS.glob("*.py"):
        found |= _reads(path, "config") | _reads(path, "get")
    return found


def test_every_default_is_documented() -> None:
    assert set(DEFAULTS) - _documented() == set()


def test_every_default_is_read() -> None:
    assert set(DEFAULTS) - _settings_reads() == set()


def test_every_documented_setting_is_read_or_documented_as_removed() -> None:
    removed = _documented("Removed settings", terms=True)
    assert removed == set(REMOVED)
    command = _documented("The ``twhooks`` command")
    read = _settings_reads() | _command_reads()
    assert _documented() - removed - read == set()
    assert _command_reads() <= command


def test_the_settings_package_reads_every_setting_of_an_app_config() -> None:
    outside = {
        f"{path.relative_to(ROOT)}: {key}"
        for path in PACKAGE.rglob("*.py")
        if SETTINGS not in path.parents
        for key in _reads(path, "config")
    }
    assert outside == set()


def test_the_scanner_finds_reads() -> None:
    assert {"TWILIO_AUTH_TOKEN", "TWHOOKS_CONVERSATION_TTL", "TWHOOKS_VALIDATE"} <= (
        _settings_reads()
    )
    assert "TWHOOKS_PUBLIC_URL" in _command_reads()


def _command_reads() -> set[str]:
    """What the ``twhooks`` command reads from its environment."""
    found: set[str] = set()
    for path in (PACKAGE / "cli").glob("*.py"):
        found |= _reads(path, "environ")
    return found
