"""``twhooks worker rq|celery --app yourapp:app``: run the app's background jobs.

The worker loads the app (``--app``, else ``$TWHOOKS_APP``) once, before the queue's worker
starts, and takes the queue's settings from the app's own (``TWHOOKS_RQ_QUEUE``,
``TWHOOKS_RQ_REDIS_URL``, ``TWHOOKS_CELERY``…), so that the web processes and the workers
cannot disagree on them (:mod:`twhooks.background.rq`, :mod:`twhooks.background.celery`).

- ``rq``: RQ's worker on the app's queue, with its scheduler (the retries' delays), reading
  JSON jobs; ``--burst`` stops it once the queue is empty.
- ``celery``: Celery's worker on the app's Celery app and queue; the options after ``--``
  go to ``celery worker`` (``--concurrency 4``, ``--pool threads``…).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["MAINTENANCE_INTERVAL", "add_parser", "run", "split_options"]

#: Seconds between the maintenance runs of ``twhooks worker rq`` (RQ's abandoned jobs).
MAINTENANCE_INTERVAL = 60


def add_parser(commands: Any) -> None:
    """Add ``worker`` to the ``twhooks`` command's subparsers."""
    worker = commands.add_parser(
        "worker",
        help="run the app's background jobs (RQ or Celery)",
        description="Load the app and run the worker of its queue: the jobs of its "
        "handlers with background=True.",
        epilog="examples:\n"
        "  twhooks worker rq --app yourapp:app\n"
        "  twhooks worker celery --app 'yourapp:create_app()' -- --concurrency 4\n\n"
        "celery: the options after -- go to 'celery worker'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    worker.add_argument("queue", choices=["rq", "celery"], help="the app's TWHOOKS_RUNNER")
    worker.add_argument(
        "--app",
        default=None,
        help="the app, as module:app or module:create_app() (default: $TWHOOKS_APP)",
    )
    worker.add_argument("--burst", action="store_true", help="rq: stop once the queue is empty")
    worker.add_argument("--name", default=None, help="the worker's name (default: the queue's own)")


def split_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """*argv* of ``twhooks worker …`` without the options after ``--`` (for ``celery
    worker``), and those options."""
    if "--" not in argv:
        return argv, []
    at = argv.index("--")
    return argv[:at], argv[at + 1 :]


def run(args: argparse.Namespace) -> int:
    """Run the worker until it is stopped; its exit status."""
    from ..background.worker import load_app, use_app
    from ..exceptions import ConfigurationError
    from ..settings import settings_of

    spec = args.app or os.environ.get("TWHOOKS_APP")
    if not spec:
        print(
            "twhooks worker: name the app: --app module:app (or set TWHOOKS_APP)", file=sys.stderr
        )
        return 2
    try:
        app = load_app(spec)
        if "twhooks" not in getattr(app, "extensions", {}):
            raise ConfigurationError(
                f"{spec}: {app!r} is not an app with twhooks (TwilioHooks(app) or init_app)"
            )
        use_app(app)
        settings = settings_of(app)
        if args.queue == "rq":
            return _rq(app, settings, args)
        return _celery(app, settings, args)
    except ConfigurationError as error:
        print(f"twhooks worker: {error}", file=sys.stderr)
        return 1


def _rq(app: Any, settings: Any, args: argparse.Namespace) -> int:
    from ..background.execute import hooks_for
    from ..background.rq import make_runner

    runner = make_runner(hooks_for(app), settings)
    from rq import Worker

    worker = Worker(
        [runner.queue],
        connection=runner.connection,
        serializer=runner.queue.serializer,
        name=args.name,
        # A job whose whole worker died is taken back by another's maintenance: every
        # minute, not RQ's default ten.
        maintenance_interval=MAINTENANCE_INTERVAL,
    )
    worked = worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
    return 0 if worked or args.burst else 1


def _celery(app: Any, settings: Any, args: argparse.Namespace) -> int:
    from ..background.celery import make_runner
    from ..background.execute import hooks_for

    hooks = hooks_for(app)
    runner = make_runner(hooks, settings, hooks._job_work(app))
    options = list(getattr(args, "options", []))
    argv = ["worker", "-Q", runner.queue, "--loglevel", "INFO", *options]
    if args.name:
        argv += ["--hostname", args.name]
    runner.celery.worker_main(argv)
    return 0
