"""One ``wrk`` run against a server of the server benchmarks, and what it printed."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from typing import NamedTuple


class WrkRun(NamedTuple):
    rate: float  #: requests a second
    p99: float  #: in ms
    done: int  #: requests answered
    bad: int  #: non-2xx/3xx answers


def run_wrk(port: int, seconds: int, script: str, headers: Sequence[str] = ()) -> WrkRun:
    """``wrk`` (1 thread, 4 connections) on 127.0.0.1:*port* for *seconds*, the requests made
    by the Lua *script*, with the form's Content-Type and *headers* (``"Name: value"``)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    options = [value for header in headers for value in ("-H", header)]
    try:
        out = subprocess.run(
            ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", lua.name, *options,
             "-H", "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True, timeout=seconds + 30,
        ).stdout  # fmt: skip
    finally:
        os.unlink(lua.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(\w+)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkRun(rate, p99, done, int(bad.group(1)) if bad else 0)
