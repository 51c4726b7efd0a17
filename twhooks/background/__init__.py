"""Background handlers: answer Twilio at once, run the handler on a runner (see
:doc:`/background`).

- :mod:`~twhooks.background.jobs`: :class:`Job`, one handler's run as JSON;
- :mod:`~twhooks.background.runner`: the :class:`Runner` protocol, :class:`ThreadRunner`
  (the default), :func:`runner_for` (``TWHOOKS_RUNNER``);
- :mod:`~twhooks.background.execute`: :func:`run_job`, exactly once, what a worker calls;
  :func:`run_in_app` and :func:`hooks_for` for workers that import the app;
- :mod:`~twhooks.background.enqueue`: the dispatcher's part: the job built and submitted.

No web framework here.
"""

from __future__ import annotations

from .execute import hooks_for as hooks_for
from .execute import run_in_app as run_in_app
from .execute import run_job as run_job
from .jobs import Job as Job
from .jobs import JobFormatError as JobFormatError
from .runner import Runner as Runner
from .runner import ThreadRunner as ThreadRunner
from .runner import runner_for as runner_for

__all__ = [
    "Job",
    "JobFormatError",
    "Runner",
    "ThreadRunner",
    "hooks_for",
    "run_in_app",
    "run_job",
    "runner_for",
]
