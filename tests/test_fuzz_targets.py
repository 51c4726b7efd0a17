"""The fuzz targets in fuzz/ keep working: each replays deterministic inputs and the inputs
that found bugs (issue 12). Fuzzing itself is ``.ci/fuzz`` (atheris), not part of the suite."""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
TARGETS = sorted(path.stem for path in FUZZ.glob("fuzz_*.py"))


def target(name: str) -> Callable[[bytes], None]:
    sys.path.insert(0, str(FUZZ))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(FUZZ))
    fuzz_one: Callable[[bytes], None] = module.fuzz_one
    return fuzz_one


def test_every_target_is_here() -> None:
    expected = ["builder", "events", "forms", "twiml_parse", "verify_environ"]
    assert [f"fuzz_{name}" for name in expected] == TARGETS


@pytest.mark.parametrize("name", TARGETS)
def test_target_runs_on_random_inputs(name: str) -> None:
    fuzz_one = target(name)
    rng = random.Random(name)
    for size in [0, 1, 2, 3, 8, 64, 300] * 30:
        fuzz_one(rng.randbytes(size))


def _forms_input(charset_index: int, body: bytes) -> bytes:
    return bytes([1, charset_index]) + body  # bool() true: a charset from the list


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("fuzz_forms", _forms_input(4, b"\xbdl"), id="cp037-percent"),
        pytest.param("fuzz_forms", _forms_input(13, b"a=1"), id="nul-in-charset"),
        pytest.param("fuzz_forms", _forms_input(5, "a=%41".encode("utf-16")), id="utf-16"),
        pytest.param("fuzz_twiml_parse", b"\x00\x01<Response><Say>x</Say></Response>", id="doc"),
        pytest.param("fuzz_twiml_parse", b"\x00\x01<Response><a:b/></Response>", id="prefix"),
        pytest.param("fuzz_builder", bytes([0, 1, 0, 0, 1, 4, 1, 6, 1, 1, 1, 1]), id="a-ordinal"),
        pytest.param(
            "fuzz_verify_environ",
            bytes.fromhex("00242b2bffffd5d5d5d5ffd5ffff"),
            id="signed-get-with-query-parameters",
        ),
    ],
)
def test_target_passes_the_inputs_that_found_bugs(name: str, data: bytes) -> None:
    target(name)(data)
