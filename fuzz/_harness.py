"""What the fuzz targets share: reading choices from the fuzzer's bytes, and running.

Each target is a module with ``fuzz_one(data: bytes)``, which raises only on a bug (an
exception outside twhooks' own tree, or a failed check). Run one with atheris::

    python fuzz/fuzz_forms.py -max_total_time=600        # libFuzzer options after the name

The targets themselves do not need atheris: ``tests/test_fuzz_targets.py`` replays a few
inputs through each, so they keep working between fuzzing runs.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class Data:
    """Choices read from the fuzzer's bytes, front to back; past the end, zeros."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def byte(self) -> int:
        if self._at >= len(self._data):
            return 0
        self._at += 1
        return self._data[self._at - 1]

    def bool(self) -> bool:
        return self.byte() & 1 == 1

    def pick(self, choices: Sequence[T]) -> T:
        return choices[self.byte() % len(choices)]

    def bytes(self, limit: int = 64) -> bytes:
        size = min(self.byte() % (limit + 1), len(self._data) - self._at)
        self._at += max(size, 0)
        return self._data[self._at - max(size, 0) : self._at]

    def text(self, limit: int = 16) -> str:
        """Text from UTF-8 (bad bytes become code points U+DC80..: lone surrogates too)."""
        return self.bytes(limit * 2).decode("utf-8", "surrogateescape")[:limit]

    def rest(self) -> bytes:
        rest = self._data[self._at :]
        self._at = len(self._data)
        return rest


def instrumented(module_name: str) -> Any:
    """Around a target's twhooks imports: when the target runs as the fuzzer (its module is
    ``__main__``), atheris instruments the twhooks modules for coverage (only those: all
    of Flask, lxml's Python side and the SDK would take half a minute to instrument)."""
    if module_name != "__main__":
        return contextlib.nullcontext()
    import atheris

    return atheris.instrument_imports(include=["twhooks"])


def run(fuzz_one: Callable[[bytes], None]) -> None:
    """Fuzz *fuzz_one* with atheris, the command line passed on to libFuzzer."""
    import atheris

    logging.disable(logging.WARNING)  # events log malformed values: expected here
    atheris.Setup(sys.argv, fuzz_one)
    atheris.Fuzz()
