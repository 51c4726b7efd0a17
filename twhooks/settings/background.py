"""The settings of background handlers: :attr:`Settings.background
<twhooks.settings.Settings.background>` (see :doc:`/background`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .defaults import Reader

__all__ = ["BackgroundSettings"]


@dataclass(frozen=True, slots=True)
class BackgroundSettings:
    """Where background handlers run.

    :param runner: ``TWHOOKS_RUNNER``: ``"thread"``, ``"rq"``, ``"celery"``, a runner, or
        ``"package.module:factory"`` (:func:`~twhooks.background.runner_for` checks it).
    :param threads: ``TWHOOKS_RUNNER_THREADS``: how many jobs the thread runner runs at once.
    :param queue_size: ``TWHOOKS_RUNNER_QUEUE``: how many jobs may wait in the thread runner.
    :param job_ttl: ``TWHOOKS_JOB_TTL``: how long a finished job is remembered (a retry of
        it within this time is skipped), in seconds.
    """

    runner: Any = "thread"
    threads: int = 4
    queue_size: int = 1000
    job_ttl: float = 86400.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BackgroundSettings:
        """Read ``TWHOOKS_RUNNER``, ``TWHOOKS_RUNNER_THREADS``, ``TWHOOKS_RUNNER_QUEUE`` and
        ``TWHOOKS_JOB_TTL``.

        :raises ~twhooks.ConfigurationError: a number is not positive.
        """
        get = Reader(config)
        return cls(
            runner=get("TWHOOKS_RUNNER") or "thread",
            threads=get.positive_int("TWHOOKS_RUNNER_THREADS"),
            queue_size=get.positive_int("TWHOOKS_RUNNER_QUEUE"),
            job_ttl=get.positive_number("TWHOOKS_JOB_TTL"),
        )
