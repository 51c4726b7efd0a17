"""The architecture page is the map of the package: every module has its row there, and
every row names a module that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.rst"


def modules() -> set[str]:
    """The dotted name of every module of the package (a package by its own name)."""
    found = set()
    for path in (ROOT / "twhooks").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.add(".".join(parts))
    return found


def rows() -> set[str]:
    """The modules the "Where each concern lives" table names, one per row."""
    text = PAGE.read_text()
    table = text.split("Where each concern lives", 1)[1].split("\nAnother adapter", 1)[0]
    return set(re.findall(r"^``(twhooks[\w.]*)``", table, re.MULTILINE))


def test_every_module_has_a_row_on_the_architecture_page() -> None:
    missing = sorted(modules() - rows())
    assert not missing, f"add a row to docs/architecture.rst for: {', '.join(missing)}"


def test_every_row_of_the_architecture_page_names_a_module() -> None:
    stale = sorted(rows() - modules())
    assert not stale, f"docs/architecture.rst names modules that are gone: {', '.join(stale)}"


def test_a_missing_row_is_found(tmp_path: Path) -> None:
    # The check itself can fail: the page without one of its rows misses that module.
    assert "twhooks.dispatch.aio" in rows()
    text = PAGE.read_text().replace("``twhooks.dispatch.aio``", "``twhooks.dispatch.gone``")
    table = text.split("Where each concern lives", 1)[1]
    named = set(re.findall(r"^``(twhooks[\w.]*)``", table, re.MULTILINE))
    assert "twhooks.dispatch.aio" in modules() - named
