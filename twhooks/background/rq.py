"""The RQ runner (``TWHOOKS_RUNNER = "rq"``): background jobs on RQ, on the app's Redis.

The webhook's process queues the job (:class:`RQRunner`); a worker process runs it::

    twhooks worker rq --app yourapp:app          # or: TWHOOKS_APP=yourapp:app twhooks worker rq

That command loads the app once, then runs RQ's worker on ``TWHOOKS_RQ_QUEUE`` with its
scheduler (which the retries' delays need) and JSON jobs. RQ's own command works too, given
the same options::

    TWHOOKS_APP=yourapp:app rq worker --with-scheduler \\
        --serializer rq.serializers.JSONSerializer --url redis://... twhooks

Each job is one call of :func:`perform` with the job's JSON (no pickle): it runs
:func:`~twhooks.background.execute.run_job` with the app's extension.

**Exactly once.** Twilio's retries of one webhook carry one job id: while its RQ job is
queued or running, a retry queues nothing (RQ's ``unique``). When a job's handler raises, or
its work horse dies (SIGKILL, the OOM killer), RQ runs it again after a delay
(``Retry(max=TWHOOKS_JOB_RETRIES)``); a job whose whole worker died is taken back by another
worker's maintenance once its heartbeat expires (RQ's abandoned jobs, retried the same way).
Every run claims the job in the store first, so the handler completes once and its reply is
sent once (:mod:`twhooks.background.execute`).

Needs ``pip install 'twhooks[rq]'``.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from ..exceptions import ConfigurationError, RunnerUnavailable
from ..extras import require
from .jobs import Job

__all__ = ["RETRY_DELAYS", "RQRunner", "make_runner", "perform", "redis_for"]

logger = logging.getLogger("twhooks.background")

#: Seconds before each retry of a failed job (the last repeats).
RETRY_DELAYS = (1, 5, 30, 120)

#: How long a failed job stays in RQ's FailedJobRegistry (twhooks' dead-letter list keeps it
#: too): 7 days.
FAILURE_TTL = 7 * 86400

#: The statuses of a job that is waiting or running: a retry of its webhook queues nothing.
_PENDING = frozenset({"queued", "started", "scheduled", "deferred"})


def perform(text: str) -> str:
    """Run the job of *text* (:meth:`Job.to_json`) in this worker's app: RQ's job function.

    :returns: ``"done"`` or ``"skipped"`` (the job had finished already).
    :raises Exception: the handler's error, for RQ to retry the job.
    """
    from .worker import run_here

    return run_here(text)


def rq_job_id(job: Job) -> str:
    """The RQ job id of *job*: its id in RQ's alphabet (letters, digits, ``-`` and ``_``)."""
    readable = "".join(c if c.isalnum() or c in "-_" else "-" for c in job.id)
    if readable == job.id.replace(":", "-") and len(readable) <= 100:
        return f"twhooks-{readable}"
    return "twhooks-" + hashlib.sha256(job.id.encode("utf-8", "surrogatepass")).hexdigest()[:40]


class RQRunner:
    """Queue jobs on RQ.

    :param connection: a ``redis.Redis`` client that does not decode responses.
    :param queue: the queue's name (``TWHOOKS_RQ_QUEUE``).
    :param retries: how many times RQ runs a failed job again (``TWHOOKS_JOB_RETRIES``).
    :param timeout: seconds one run may take (``TWHOOKS_JOB_TIMEOUT``).
    """

    name = "rq"

    def __init__(
        self, connection: Any, queue: str = "twhooks", *, retries: int = 3, timeout: float = 300
    ) -> None:
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.connection = connection
        self.queue = Queue(queue, connection=connection, serializer=JSONSerializer)
        self.retries = retries
        self.timeout = max(1, int(timeout))

    def __repr__(self) -> str:
        return f"RQRunner(queue={self.queue.name!r}, retries={self.retries})"

    def submit(self, job: Job) -> None:
        """Queue *job*, unless its RQ job is already waiting or running.

        :raises RunnerUnavailable: Redis cannot be reached (the webhook is answered 503).
        """
        import redis
        from rq.exceptions import DuplicateJobError

        try:
            for _ in range(3):
                try:
                    self._enqueue(job)
                    return
                except DuplicateJobError:
                    if self._pending_or_removed(rq_job_id(job)):
                        return
            raise RunnerUnavailable(self.name, f"job {job.id} is being queued by another worker")
        except redis.RedisError as error:
            raise RunnerUnavailable(
                self.name, f"RQ's Redis failed: {type(error).__name__}: {error}"
            ) from error

    def _enqueue(self, job: Job) -> None:
        from rq import Retry

        retry = None
        if self.retries:
            delays = list(RETRY_DELAYS[: self.retries])
            retry = Retry(max=self.retries, interval=delays)
        self.queue.enqueue_call(
            "twhooks.background.rq.perform",
            args=(job.to_json(),),
            timeout=self.timeout,
            failure_ttl=FAILURE_TTL,
            description=f"twhooks {job.kind} {job.handler}",
            job_id=rq_job_id(job),
            retry=retry,
            unique=True,
        )

    def _pending_or_removed(self, rq_id: str) -> bool:
        """Whether the RQ job *rq_id* is waiting or running (nothing to queue); a job that
        ended (a dead letter run again, a webhook sent again after its job expired) is
        deleted so that it can be queued anew: then ``False``."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RQJob

        try:
            existing = RQJob.fetch(
                rq_id, connection=self.connection, serializer=self.queue.serializer
            )
        except NoSuchJobError:
            return False
        status = existing.get_status(refresh=False)
        if status is not None and str(getattr(status, "value", status)) in _PENDING:
            return True
        existing.delete()
        return False

    def close(self, timeout: float | None = None) -> None:
        """Nothing to wait for: the jobs are in Redis."""


_NO_CLUSTER = (
    "the RQ runner does not run on a Redis Cluster: set TWHOOKS_RQ_REDIS_URL to one server "
    "(or a Sentinel's master, redis+sentinel://)"
)


def redis_for(settings: Any) -> Any:
    """The Redis client of RQ: ``TWHOOKS_RQ_REDIS_URL``, else the Redis store's.

    :raises ConfigurationError: neither is a Redis.
    """
    import redis

    given = settings.queues.rq_redis
    if given is None:
        given = settings.store.url
        client = getattr(given, "client", None)
        if isinstance(client, redis.Redis):  # a RedisStore object: its client (Sentinel too)
            given = client
        elif not (isinstance(given, str) and given.startswith(("redis", "rediss", "unix"))):
            raise ConfigurationError(
                "TWHOOKS_RUNNER = 'rq' needs a Redis: set TWHOOKS_RQ_REDIS_URL (the store, "
                f"TWHOOKS_STORE = {given!r}, is not one)"
            )
    if isinstance(given, redis.Redis) or hasattr(given, "nodes_manager"):
        if not isinstance(given, redis.Redis):
            raise ConfigurationError(_NO_CLUSTER)
        if given.get_encoder().decode_responses:
            raise ConfigurationError(
                "RQ needs a redis.Redis client made without decode_responses=True: set "
                "TWHOOKS_RQ_REDIS_URL"
            )
        return given
    if not isinstance(given, str):
        raise ConfigurationError(
            f"TWHOOKS_RQ_REDIS_URL must be a redis:// URL or a redis.Redis, not {given!r}"
        )
    from ..store.redis_urls import redis_client_for

    if given.partition(":")[0].lower().endswith("+cluster"):
        raise ConfigurationError(_NO_CLUSTER)
    try:
        return redis_client_for(given)  # one server, or the master a Sentinel names
    except ValueError as error:
        raise ConfigurationError(f"RQ's Redis, {given!r}: {error}") from None


def make_runner(hooks: Any, settings: Any, work: Any = None) -> RQRunner:
    """The runner of ``TWHOOKS_RUNNER = "rq"``, from the app's *settings* (*work* is not
    needed: the worker loads the app).

    :raises ConfigurationError: RQ is not installed, or no Redis is named.
    """
    require("rq", "TWHOOKS_RUNNER = 'rq'", "rq")
    queues = settings.queues
    return RQRunner(
        redis_for(settings), queues.rq_queue, retries=queues.retries, timeout=queues.timeout
    )
