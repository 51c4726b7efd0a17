"""The Celery runner (``TWHOOKS_RUNNER = "celery"``): background jobs on the app's Celery.

Give twhooks the app's own Celery app, ``TWHOOKS_CELERY = celery_app``: ``init_app``
registers the task ``twhooks.run_job`` on it (:func:`register`), and the workers the app
already runs take the jobs, once they listen on ``TWHOOKS_CELERY_QUEUE``::

    celery -A yourapp worker -Q twhooks          # yourapp imports the web app

Without ``TWHOOKS_CELERY``, twhooks makes a Celery app whose broker is the Redis store's URL;
its worker is ``twhooks worker celery --app yourapp:app``.

The task's argument is the job's JSON (Celery's JSON serializer, no pickle); it runs
:func:`~twhooks.background.execute.run_job` with the app's extension.

**Exactly once.** The task is ``acks_late`` with ``reject_on_worker_lost``: its message is
acknowledged when the run ends, and a run whose pool process died (SIGKILL, the OOM killer)
puts the message back on the queue, where another process takes it at once. A message whose
whole worker died is delivered again after the broker's visibility timeout (Redis:
``broker_transport_options = {"visibility_timeout": ...}``, one hour by default; keep it above
``TWHOOKS_JOB_TIMEOUT``). A handler that raises is retried ``TWHOOKS_JOB_RETRIES`` times with
a growing delay. Every run claims the job in the store first, so the handler completes once
and its reply is sent once (:mod:`twhooks.background.execute`).

Needs ``pip install 'twhooks[celery]'``.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..exceptions import ConfigurationError, RunnerUnavailable
from ..extras import require
from .jobs import Job, JobFormatError

__all__ = ["TASK_NAME", "CeleryRunner", "make_runner", "register"]

logger = logging.getLogger("twhooks.background")

#: The name of twhooks' task on the Celery app.
TASK_NAME = "twhooks.run_job"

#: Seconds before each retry of a failed job (the last repeats).
RETRY_DELAYS = (1, 5, 30, 120)

#: What runs one job (the app's context pushed) for each Celery app (:func:`register`).
_work_of: weakref.WeakKeyDictionary[Any, Callable[[Job], str]] = weakref.WeakKeyDictionary()


def _run(task: Any, text: str) -> str:
    """The task's body: run the job of *text* in the app registered on *task*'s Celery app."""
    from .worker import worker_app

    try:
        job = Job.from_json(text)
    except JobFormatError:
        logger.error("Celery task %s: not a twhooks job", task.request.id, exc_info=True)
        raise
    work = _work_of.get(task.app)
    try:
        if work is None:  # a worker whose Celery app is not the web app's: TWHOOKS_APP
            from .execute import run_in_app

            return run_in_app(worker_app(), job)
        return work(job)
    except Exception as error:
        retries = task.request.retries
        if retries >= (task.max_retries or 0):
            raise
        delay = RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]
        raise task.retry(exc=error, countdown=delay) from error


def register(
    celery_app: Any,
    work: Callable[[Job], str] | None,
    *,
    retries: int = 3,
    timeout: float = 300,
) -> Any:
    """Register twhooks' task on *celery_app*; its jobs run with *work* (what runs one job
    with the app's context pushed), else in the app ``TWHOOKS_APP`` names.

    :returns: the task.
    """
    if work is not None:
        _work_of[celery_app] = work
    task = celery_app.tasks.get(TASK_NAME)
    if task is not None and getattr(task, "_decorated_fun", None) is _run:
        return task
    return celery_app.task(
        name=TASK_NAME,
        bind=True,
        # Acknowledged when the run ends; a run whose process died goes back on the queue.
        acks_late=True,
        reject_on_worker_lost=True,
        ignore_result=True,
        max_retries=retries,
        time_limit=max(1, int(timeout)),
        typing=False,
    )(_run)


class CeleryRunner:
    """Send jobs to Celery.

    :param task: twhooks' task on the app's Celery app (:func:`register`).
    :param queue: the queue's name (``TWHOOKS_CELERY_QUEUE``).
    """

    name = "celery"

    def __init__(self, task: Any, queue: str = "twhooks") -> None:
        self.task = task
        self.celery = task.app
        self.queue = queue

    def __repr__(self) -> str:
        return f"CeleryRunner(app={self.celery.main!r}, queue={self.queue!r})"

    def submit(self, job: Job) -> None:
        """Send *job* to the queue.

        :raises RunnerUnavailable: the broker cannot be reached (the webhook is answered 503).
        """
        from kombu.exceptions import OperationalError

        try:
            self.task.apply_async(
                args=(job.to_json(),),
                queue=self.queue,
                # A broker that is down answers the webhook 503 in about a second, not after
                # Celery's default retries.
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.3},
            )
        except OperationalError as error:
            raise RunnerUnavailable(self.name, f"Celery's broker failed: {error}") from error

    def close(self, timeout: float | None = None) -> None:
        """Nothing to wait for: the jobs are in the broker."""


def default_celery(settings: Any) -> Any:
    """A Celery app of twhooks' own, its broker the Redis store's URL."""
    from celery import Celery

    url = settings.store.url
    client = getattr(url, "client", None)  # a RedisStore object: its server's URL
    if client is not None and hasattr(client, "connection_pool"):
        url = _redis_url(client.connection_pool)
    if not (isinstance(url, str) and url.startswith(("redis://", "rediss://"))):
        raise ConfigurationError(
            "TWHOOKS_RUNNER = 'celery' needs a Celery app: set TWHOOKS_CELERY to the app's "
            f"Celery app (the store, TWHOOKS_STORE = {url!r}, is no Redis to make one on)"
        )
    celery_app = Celery("twhooks", broker=url, set_as_current=False)
    celery_app.conf.update(
        task_default_queue=settings.queues.celery_queue,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
    )
    return celery_app


def _redis_url(pool: Any) -> str | None:
    """The URL of a redis-py connection pool's server (``None``: not a plain TCP one)."""
    kwargs = pool.connection_kwargs
    if "host" not in kwargs:
        return None
    scheme = "rediss" if "ssl" in pool.connection_class.__name__.lower() else "redis"
    user, password = kwargs.get("username") or "", kwargs.get("password") or ""
    auth = f"{quote(user)}:{quote(password)}@" if user or password else ""
    return f"{scheme}://{auth}{kwargs['host']}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def make_runner(
    hooks: Any, settings: Any, work: Callable[[Job], str] | None = None
) -> CeleryRunner:
    """The runner of ``TWHOOKS_RUNNER = "celery"``: registers twhooks' task on
    ``TWHOOKS_CELERY`` (or a Celery app of its own), its jobs run with *work* (the app's
    context pushed; ``runner_for`` passes it).

    :raises ConfigurationError: Celery is not installed, or ``TWHOOKS_CELERY`` is no
        Celery app.
    """
    require("celery", "TWHOOKS_RUNNER = 'celery'", "celery")
    queues = settings.queues
    celery_app = queues.celery if queues.celery is not None else default_celery(settings)
    if not callable(getattr(celery_app, "task", None)) or not hasattr(celery_app, "tasks"):
        raise ConfigurationError(
            f"TWHOOKS_CELERY must be the app's Celery app (celery.Celery), not {celery_app!r}"
        )
    task = register(celery_app, work, retries=queues.retries, timeout=queues.timeout)
    return CeleryRunner(task, queues.celery_queue)
