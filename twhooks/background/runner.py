"""Runners: where a background job runs once the webhook is answered.

A runner is anything with the small :class:`Runner` protocol: a ``name``, a ``submit(job)``
that hands a :class:`~twhooks.background.jobs.Job` over without waiting for it, and a
``close()``. ``TWHOOKS_RUNNER`` names one (:func:`runner_for`):

- ``"thread"`` (the default): :class:`ThreadRunner`, a bounded pool of threads in the web
  process, for development, tests and small apps. Jobs queued in a process that dies are
  lost with it (their webhooks were answered): use a real queue when that matters;
- ``"rq"`` and ``"celery"``: the queue you already operate (:mod:`twhooks.background.rq`,
  :mod:`twhooks.background.celery`, imported when named);
- a :class:`Runner` instance, or ``"package.module:factory"``, a function
  ``factory(hooks, settings) -> Runner``: Dramatiq, arq or Procrastinate in ~50 lines.

A ``submit`` that cannot queue the job (the queue is down, the pool is full) raises: the
webhook is then answered ``503``, logged and kept in the dead-letter list (a re-run, or a
retry of Twilio's, queues it again: the job id keeps it from running the handler twice).
No web framework here.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ..exceptions import ConfigurationError, RunnerUnavailable
from .jobs import Job

__all__ = ["Runner", "ThreadRunner", "runner_for"]

logger = logging.getLogger("twhooks.background")


@runtime_checkable
class Runner(Protocol):
    """Runs :class:`~twhooks.background.jobs.Job` objects away from the webhook's request.

    A runner may also say ``blocking = False`` when its ``submit`` does no I/O (the thread
    runner); one that does not say is taken to block, and on an event loop (Quart) its
    ``submit`` is called in a worker thread.
    """

    #: A short name for logs and the history (``"thread"``, ``"rq"``).
    name: str

    def submit(self, job: Job) -> None:
        """Queue *job*; never wait for it to run.

        :raises RunnerUnavailable: (or another error) the job cannot be queued.
        """
        ...

    def close(self, timeout: float | None = None) -> None:
        """Stop taking jobs; wait up to *timeout* seconds for those queued (``None``: all)."""
        ...


#: What runs one job where it is taken: the app's context pushed, then
#: :func:`~twhooks.background.execute.run_job`.
Work = Callable[[Job], object]

_STOP = object()


class ThreadRunner:
    """A bounded pool of threads in this process: the embedded default runner.

    :param work: runs one job (the app's context pushed by it).
    :param threads: how many jobs run at once (``TWHOOKS_RUNNER_THREADS``).
    :param size: how many jobs may wait (``TWHOOKS_RUNNER_QUEUE``); a submit beyond it raises
        :class:`~twhooks.exceptions.RunnerUnavailable` (the webhook is answered ``503``).

    The threads start with the first job, in the process that submits it (a gunicorn worker,
    after the fork: a forked child starts its own). When the process exits, the jobs still
    queued get :data:`EXIT_GRACE` seconds to run (:meth:`close`, at exit); those left then
    are lost, logged with their number.
    """

    name = "thread"
    #: ``submit`` only puts the job in this process's queue: no I/O (see
    #: :func:`~twhooks.store.base.blocks`; a runner that does not say is taken to block).
    blocking = False

    def __init__(self, work: Work, *, threads: int = 4, size: int = 1000) -> None:
        if threads < 1 or size < 1:
            raise ConfigurationError("a thread runner needs at least one thread and one slot")
        self.work = work
        self.threads = threads
        self.size = size
        self._closed = False
        self._reset()

    def _reset(self) -> None:
        """A queue and no threads: at the start, and in a forked child."""
        self._pid = os.getpid()
        self._queue: queue.Queue[Any] = queue.Queue(self.size)
        self._lock = threading.Lock()
        self._started: list[threading.Thread] = []

    def submit(self, job: Job) -> None:
        if self._closed:
            raise RunnerUnavailable(self.name, "the runner is closed")
        self._start()
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise RunnerUnavailable(
                self.name,
                f"its queue is full ({self.size} jobs waiting; TWHOOKS_RUNNER_QUEUE, "
                "TWHOOKS_RUNNER_THREADS)",
            ) from None

    def close(self, timeout: float | None = None) -> None:
        with self._lock:
            self._closed = True
            started = list(self._started) if self._pid == os.getpid() else []
        for _ in started:
            self._queue.put(_STOP)
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in started:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        left = sum(1 for job in list(self._queue.queue) if job is not _STOP)
        if left:
            logger.warning(
                "the thread runner stopped with %d job(s) not run (their webhooks were "
                "answered); use a queue (TWHOOKS_RUNNER = 'rq' or 'celery') to keep them",
                left,
            )

    def _start(self) -> None:
        if self._pid != os.getpid():
            self._reset()  # forked: the parent's threads are not this process's
        if len(self._started) >= self.threads:
            return
        with self._lock:
            if not self._started:
                _at_exit(self)
            while len(self._started) < self.threads:
                thread = threading.Thread(
                    target=self._loop, name=f"twhooks-job-{len(self._started)}", daemon=True
                )
                self._started.append(thread)
                thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            try:
                self.work(job)
            except Exception:  # recorded in the history and the dead-letter list by run_job
                logger.debug("job %s failed in the thread runner", job.id, exc_info=True)


#: How long the thread runner's queued jobs may still run when the process exits (seconds).
EXIT_GRACE = 5.0


def _at_exit(runner: ThreadRunner) -> None:
    """Close *runner* when the process exits (a weak reference: a runner no app uses goes)."""
    ref = weakref.ref(runner)

    def close() -> None:
        found = ref()
        if found is not None and not found._closed:
            found.close(EXIT_GRACE)

    atexit.register(close)


def runner_for(value: Any, hooks: Any, *, settings: Any = None, work: Work | None = None) -> Runner:
    """The runner ``TWHOOKS_RUNNER`` names.

    :param value: ``"thread"`` (or ``None``), ``"rq"``, ``"celery"``, a :class:`Runner`, or
        ``"package.module:factory"`` (``factory(hooks, settings) -> Runner``).
    :param hooks: the app's extension.
    :param settings: the app's :class:`~twhooks.settings.Settings`.
    :param work: for the thread runner, what runs one job (pushes the app's context).
    :raises ConfigurationError: *value* names no runner, or its extra is not installed.
    """
    if value is None or value == "thread":
        if work is None:
            raise ConfigurationError("the thread runner needs the app to run its jobs in")
        background = getattr(settings, "background", None)
        threads = getattr(background, "threads", 4)
        size = getattr(background, "queue_size", 1000)
        return ThreadRunner(work, threads=threads, size=size)
    if value in ("rq", "celery"):
        module = importlib.import_module(f"twhooks.background.{value}")
        made: Runner = module.make_runner(hooks, settings, work=work)
        return made
    if isinstance(value, str) and ":" in value:
        path, _, name = value.partition(":")
        try:
            factory = getattr(importlib.import_module(path), name)
        except (ImportError, AttributeError) as error:
            raise ConfigurationError(
                f"TWHOOKS_RUNNER = {value!r} cannot be imported: {error}"
            ) from None
        value = factory(hooks, settings)
    if isinstance(value, Runner) and not isinstance(value, (str, type)):
        return value
    raise ConfigurationError(
        "TWHOOKS_RUNNER must be 'thread', 'rq', 'celery', a Runner (an object with name, "
        f"submit(job) and close()) or 'package.module:factory', not {value!r}"
    )
