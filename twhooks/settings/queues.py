"""The queue runners' settings: :attr:`Settings.queues <twhooks.settings.Settings.queues>`.

Read by :mod:`twhooks.background.rq` and :mod:`twhooks.background.celery` when
``TWHOOKS_RUNNER`` names them; checked at start-up like every other setting (a wrong type is
a :class:`~twhooks.ConfigurationError` from ``init_app``, whatever the runner).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigurationError
from .defaults import Reader

__all__ = ["QUEUE_SETTINGS", "QueueSettings"]

#: The names of the queue runners' settings of :data:`~twhooks.settings.defaults.DEFAULTS`.
QUEUE_SETTINGS = (
    "TWHOOKS_JOB_RETRIES",
    "TWHOOKS_JOB_TIMEOUT",
    "TWHOOKS_RQ_QUEUE",
    "TWHOOKS_RQ_REDIS_URL",
    "TWHOOKS_CELERY",
    "TWHOOKS_CELERY_QUEUE",
)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Where the RQ and Celery runners queue their jobs, and how often a job is retried.

    :param retries: ``TWHOOKS_JOB_RETRIES``: how many times the queue runs a job again after
        its handler raised or its worker died (0: never); the handler still runs to the end
        at most once, by the job's claim in the store.
    :param timeout: ``TWHOOKS_JOB_TIMEOUT``: seconds a job may run before its queue stops it
        (RQ's ``job_timeout``, Celery's ``time_limit``).
    :param rq_queue: ``TWHOOKS_RQ_QUEUE``: the RQ queue's name.
    :param rq_redis: ``TWHOOKS_RQ_REDIS_URL``: a URL or a ``redis.Redis`` client; ``None``:
        the Redis store's (``TWHOOKS_STORE``).
    :param celery: ``TWHOOKS_CELERY``: the app's own ``Celery`` app; ``None``: one made by
        twhooks with the Redis store's URL as its broker.
    :param celery_queue: ``TWHOOKS_CELERY_QUEUE``: the Celery queue's name.
    """

    retries: int = 3
    timeout: float = 300.0
    rq_queue: str = "twhooks"
    rq_redis: Any = field(default=None, repr=False)
    celery: Any = field(default=None, repr=False)
    celery_queue: str = "twhooks"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> QueueSettings:
        """Read and check the queue runners' settings in *config*.

        :raises ~twhooks.ConfigurationError: naming the first setting of the wrong type.
        """
        get = Reader(config)
        retries = get("TWHOOKS_JOB_RETRIES")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigurationError(
                f"TWHOOKS_JOB_RETRIES must be a whole number of retries (0 or more), "
                f"not {retries!r}"
            )
        rq_queue = _queue_name("TWHOOKS_RQ_QUEUE", get("TWHOOKS_RQ_QUEUE"))
        celery_queue = _queue_name("TWHOOKS_CELERY_QUEUE", get("TWHOOKS_CELERY_QUEUE"))
        redis = get("TWHOOKS_RQ_REDIS_URL")
        if redis is not None and isinstance(redis, (bytes, int, float)):
            raise ConfigurationError(
                "TWHOOKS_RQ_REDIS_URL must be a redis:// URL or a redis.Redis client, "
                f"not a {type(redis).__name__}"
            )
        return cls(
            retries=retries,
            timeout=get.positive_number("TWHOOKS_JOB_TIMEOUT"),
            rq_queue=rq_queue,
            rq_redis=redis,
            celery=get("TWHOOKS_CELERY"),
            celery_queue=celery_queue,
        )


def _queue_name(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a queue's name (a str), not {value!r}")
    return value
