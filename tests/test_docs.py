"""The documentation in docs/: code blocks fit the page, the intersphinx inventories are local."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: The widest code line that fits the page without scrolling sideways.
MAX_COLUMNS = 88

_CODE_DIRECTIVE = re.compile(r"\s*\.\. (code-block|code|sourcecode)::")
_OTHER_DIRECTIVE = re.compile(r"\s*\.\. [\w:-]+::")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of every line inside a literal block or code directive."""
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        is_code = _CODE_DIRECTIVE.match(line) is not None
        if not is_code and (not line.rstrip().endswith("::") or _OTHER_DIRECTIVE.match(line)):
            continue
        base = _indent(line)
        while number < len(lines) and (not lines[number].strip() or _indent(lines[number]) > base):
            yield number + 1, lines[number]
            number += 1


def test_the_scanner_finds_code() -> None:
    text = (
        "Run::\n\n    long line\n\nProse.\n\n"
        ".. note::\n\n   not code\n\n"
        ".. code-block:: sh\n\n   ok\n"
    )
    assert [line.strip() for _, line in code_lines(text) if line.strip()] == ["long line", "ok"]


@pytest.mark.parametrize("page", sorted(DOCS.glob("**/*.rst")), ids=lambda path: path.name)
def test_code_blocks_fit_in_88_columns(page: Path) -> None:
    too_wide = [
        f"{page.name}:{number}: {len(line)} columns"
        for number, line in code_lines(page.read_text(encoding="utf-8"))
        if len(line) > MAX_COLUMNS
    ]
    assert too_wide == []


def test_intersphinx_reads_committed_inventories() -> None:
    namespace: dict[str, object] = {"__file__": str(DOCS / "conf.py")}
    exec(compile((DOCS / "conf.py").read_text(), str(DOCS / "conf.py"), "exec"), namespace)
    mapping = namespace["intersphinx_mapping"]
    assert isinstance(mapping, dict)
    assert set(mapping) == {"python", "flask", "werkzeug"}
    for _, inventory in mapping.values():
        assert Path(inventory).is_file(), inventory  # never fetched from the network
