"""Run Python code in a fresh interpreter where some installed packages cannot be imported,
as in an install without the extra that brings them.

A meta-path finder placed first raises :class:`ModuleNotFoundError` for the blocked top-level
names, as the import system does for a package that is not installed (``error.name`` set);
``importlib.util.find_spec`` raises it too, which twhooks reads as "not installed".
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_PRELUDE = """
import json, sys

class _Blocked:
    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _Blocked(BLOCKED))
"""


def run_blocked(code: str, blocked: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run *code* with *blocked* packages missing; it sets ``out`` (a JSON value).

    :returns: ``{"out": out, "loaded": [top-level module names loaded at the end]}``.
    """
    script = (
        f"BLOCKED = {list(blocked)!r}\n"
        + textwrap.dedent(_PRELUDE)
        + textwrap.dedent(code)
        + "\nprint(json.dumps({'out': out, 'loaded': sorted({m.partition('.')[0] "
        "for m in sys.modules})}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded
