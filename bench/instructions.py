"""Run *N* signed SMS webhooks through one app, for ``bench/instructions.sh`` (callgrind).

    python bench/instructions.py CONFIG N

CONFIG: ``default`` or ``memory``, with any of ``_notrace`` (``TWHOOKS_TRACING`` off),
``_nohist`` (``TWHOOKS_HISTORY`` off), ``_noclaim`` (``TWHOOKS_DEDUPLICATE`` off); or
``floor`` (the two ``sqlite3`` writes alone). ``BYSIZE=1`` in the environment makes the
history go in batches of 100 only (not every 100 ms), as at a bench's rate: under callgrind,
50 times slower, batches would otherwise go by time, a few records each.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

import bench_request as b

from twhooks.store import history_buffer


def main(config: str, count: int) -> None:
    if os.environ.get("BYSIZE"):
        defaults = history_buffer.HistoryBuffer.__init__.__kwdefaults__
        assert defaults is not None
        defaults["interval"] = 30.0
    environ, body = b.make_environ()
    if config == "floor":
        run = b.sqlite_floor(tempfile.mkdtemp(prefix="twhooks-bench-"))
    else:
        settings: dict[str, Any] = {}
        if "_notrace" in config:
            settings["TWHOOKS_TRACING"] = False
        if "_nohist" in config:
            settings["TWHOOKS_HISTORY"] = False
        if "_noclaim" in config:
            settings["TWHOOKS_DEDUPLICATE"] = False
        store = "memory://" if config.startswith("memory") else None
        run = b.runner(b.twhooks_app(store, **settings), environ, body)
    for _ in range(count):
        run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
