"""What ``import twhooks`` + ``TwilioHooks(app)`` adds to a fresh process, over Flask's own import.

Goal (issue 24): on the default store (no ``TWHOOKS_STORE``, no ``TESTING``: the SQLite file
in the instance folder), at most 60 ms over importing Flask, median of 10 fresh processes.

Each process imports Flask and builds ``Flask(__name__)`` (timed: Flask's own cost), then
imports twhooks and initialises ``TwilioHooks(app)`` with one ``@hooks.message`` handler
(timed: what twhooks adds), and lists which heavy packages got loaded. The configurations run
in alternating rounds so that the machine's noise hits them alike. The processes run with
bytecode caches on (``PYTHONDONTWRITEBYTECODE`` removed, one warm-up process each), as an
installed package has them. Then ``python -X importtime`` names the modules that cost the most
on the default store.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

GOAL_MS = 60.0
RUNS = 10
HEAVY = ("sqlalchemy", "redis", "lxml", "psycopg", "flask_sock", "quart", "asyncio")

_CHILD = """
import sys, time, json
t0, c0 = time.perf_counter(), time.process_time()
import flask
app = flask.Flask("bench", instance_path={instance!r})
t1, c1 = time.perf_counter(), time.process_time()
import twhooks
app.config["TWILIO_AUTH_TOKEN"] = "t" * 32
store = {store!r}
if store is not None:
    app.config["TWHOOKS_STORE"] = store
hooks = twhooks.TwilioHooks(app)

@hooks.message()
def reply(msg):
    return "You said: " + msg.body

t2, c2 = time.perf_counter(), time.process_time()
heavy = sorted({{m.partition(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{
    "flask": (t1 - t0) * 1e3, "twhooks": (t2 - t1) * 1e3,
    "flask_cpu": (c1 - c0) * 1e3, "twhooks_cpu": (c2 - c1) * 1e3, "heavy": heavy,
}}))
"""

#: label → TWHOOKS_STORE (None: not set, the default).
CONFIGURATIONS: dict[str, str | None] = {"default store": None, "memory://": "memory://"}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    env.pop("TESTING", None)
    env.pop("TWHOOKS_STORE", None)
    return env


def _child(store: str | None, instance: str, *flags: str) -> subprocess.CompletedProcess[str]:
    code = _CHILD.format(store=store, instance=instance, heavy=HEAVY)
    return subprocess.run(
        [sys.executable, *flags, "-c", code],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
        cwd=instance,  # twhooks as installed (or from PYTHONPATH), not from the current folder
    )


def _one(store: str | None, instance: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(_child(store, instance).stdout)
    return result


def _importtime(instance: str, top: int = 12) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of the twhooks-side imports, costliest first."""
    stderr = _child(None, instance, "-X", "importtime").stderr
    rows: list[tuple[int, int, str]] = []
    seen_flask = False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, total, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not own.isdigit():
            continue
        if name == "flask":  # what follows Flask's own import is twhooks' (and what it loads)
            seen_flask = True
            continue
        if seen_flask:
            rows.append((int(own), int(total), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        for store in CONFIGURATIONS.values():
            _one(store, instance)  # warm-up: writes the bytecode caches
        samples: dict[str, list[dict[str, object]]] = {label: [] for label in CONFIGURATIONS}
        for _ in range(RUNS):
            for label, store in CONFIGURATIONS.items():
                samples[label].append(_one(store, instance))
        print(
            f"import twhooks + TwilioHooks(app), over importing Flask: "
            f"median of {RUNS} fresh processes (ms; CPU: the process's own CPU time, which "
            "other work on the machine does not inflate)"
        )
        print(
            f"{'configuration':<16}{'flask':>8}{'twhooks':>9}{'min':>7}{'max':>7}"
            f"{'flask CPU':>11}{'twhooks CPU':>13}  loaded"
        )

        def median(runs: list[dict[str, object]], field: str) -> float:
            return statistics.median(float(str(r[field])) for r in runs)

        for label, runs in samples.items():
            ours = [float(str(r["twhooks"])) for r in runs]
            heavy = sorted({name for r in runs for name in r["heavy"]})  # type: ignore[attr-defined]
            print(
                f"{label:<16}{median(runs, 'flask'):>8.1f}{statistics.median(ours):>9.1f}"
                f"{min(ours):>7.1f}{max(ours):>7.1f}{median(runs, 'flask_cpu'):>11.1f}"
                f"{median(runs, 'twhooks_cpu'):>13.1f}  {', '.join(heavy) or '-'}"
            )
        wall = median(samples["default store"], "twhooks")
        cpu = median(samples["default store"], "twhooks_cpu")
        print(
            f"goal: default store <= {GOAL_MS:.0f} ms over Flask: {wall:.1f} ms "
            f"({'met' if wall <= GOAL_MS else 'NOT met'}), {cpu:.1f} ms of CPU "
            f"({'met' if cpu <= GOAL_MS else 'NOT met'})"
        )
        print("costliest imports after Flask's, default store (python -X importtime, ms):")
        print(f"{'self':>8}{'cumulative':>12}  module")
        for own, total, name in _importtime(instance):
            print(f"{own / 1e3:>8.1f}{total / 1e3:>12.1f}  {name}")


if __name__ == "__main__":
    main()
