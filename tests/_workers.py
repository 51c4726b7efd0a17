"""Queue worker processes for the tests: an RQ worker (``twhooks worker rq``) and a Celery
worker (``celery -A … worker``), each on the test's own queue and Redis keys, run from the
tests' folder with its output in a log file, and stopped with every process they forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: The line each worker logs once it takes jobs.
READY = {"rq": "Listening on", "celery": " ready.", "twhooks-celery": " ready."}


def command(kind: str, app: str, queue: str) -> list[str]:
    """The command line of a worker of *kind* for *app* (``module:name``) on *queue*:
    ``rq`` (``twhooks worker rq``), ``celery`` (``celery -A app worker``, the app's own
    Celery app) or ``twhooks-celery`` (``twhooks worker celery``, twhooks' Celery app)."""
    if kind == "rq":
        return [sys.executable, "-m", "twhooks.cli", "worker", "rq", "--app", app]
    if kind == "twhooks-celery":
        start = [sys.executable, "-m", "twhooks.cli", "worker", "celery", "--app", app, "--"]
    else:
        start = [sys.executable, "-m", "celery", "-A", app, "worker", "-Q", queue]
    return [
        *start,
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]


def descendants(pid: int) -> list[int]:
    """The processes *pid* started, and theirs (read from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class WorkerProcess:
    """A queue's worker in a process of its own; started when it logs that it is ready."""

    def __init__(self, kind: str, app: str, queue: str, env: dict[str, str], log: Path) -> None:
        self.kind = kind
        self.log = log
        self._log_file = log.open("wb")
        tests = Path(__file__).parent
        python_path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        self.process = subprocess.Popen(
            command(kind, app, queue),
            cwd=tests,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), *python_path]), **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {kind} worker exited: {self.output()}")
            if READY[kind] in self.output():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the {kind} worker did not start in 30 s: {self.output()}")

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the worker (a warm shutdown, then SIGKILL) and every process it started."""
        forked = descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pid in forked + descendants(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._log_file.close()
