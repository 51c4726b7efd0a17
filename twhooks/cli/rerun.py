"""``twhooks rerun URL --store STORE``: list the app's failed webhooks, or run them again.

It opens the app's store (the same ``TWHOOKS_STORE`` URL) to read the dead-letter list
(:meth:`History.failed <twhooks.store.History.failed>`), and sends each webhook chosen to
the app at *URL* over HTTP, signed with ``--auth-token`` (``$TWILIO_AUTH_TOKEN``) as Twilio
signs it (:mod:`twhooks.rerun`). The app handles it like any webhook: it is in its history,
and the app takes it off the list once its handler succeeds, or counts one more attempt.

Why the store and not an inspector endpoint: the dead letters matter most in production,
where the inspector is usually off; the store is what the app's workers share already, and
the request still goes through the app's real route and signature check.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from . import DEFAULT_TIMEOUT

if TYPE_CHECKING:  # imported when the command runs: ``twhooks --help`` starts at once
    from ..store import Store
    from ..store.records import FailedWebhook

__all__ = ["add_parser", "run"]


def add_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``rerun`` to the ``twhooks`` command's subparsers."""
    rerun = commands.add_parser(
        "rerun",
        parents=[common],
        help="list the app's failed webhooks, or run them again",
        description="List the webhooks whose handler failed (read from the app's store), "
        "or send them to the app again, signed. URL is the app's base URL, such as "
        "http://127.0.0.1:5000.",
    )
    rerun.add_argument("url", metavar="URL", help="the app's base URL")
    rerun.add_argument(
        "--store",
        required=True,
        metavar="STORE",
        help="the app's TWHOOKS_STORE URL (sqlite:///…, postgresql://…, redis://…)",
    )
    rerun.add_argument("--prefix", default=None, help="the store's table or key prefix")
    which = rerun.add_mutually_exclusive_group()
    which.add_argument("--id", dest="key", metavar="ID", help="run this failed webhook again")
    which.add_argument("--all", action="store_true", help="run every failed webhook again")


def _open(url: str, prefix: str | None) -> Store:
    from ..store.open import open_store

    if prefix is None:
        return open_store(url, instance_path=".")
    if url.startswith(("redis", "rediss", "unix")):
        from ..store.redis import RedisStore

        return RedisStore(url, prefix=prefix)
    from ..store.sql import SQLStore

    if url.startswith(("postgresql:", "postgres:")):
        url = "postgresql+psycopg:" + url.partition(":")[2]
    return SQLStore(url, prefix=prefix)


def _line(failed: FailedWebhook) -> str:
    return (
        f"{failed.key}  {failed.kind or '-':<16} {failed.sid or '-':<34} "
        f"x{failed.attempts}  {failed.error}"
    )


def send(base_url: str, failed: FailedWebhook, token: str | None, timeout: float) -> int:
    """Send *failed* to the app at *base_url*, signed with *token*; the app's status."""
    import requests

    from ..rerun import rerun_request

    signed = rerun_request(failed, token)
    answer = requests.request(
        signed.method,
        base_url.rstrip("/") + signed.path,
        data=signed.body if signed.method != "GET" else None,
        headers=signed.headers,
        timeout=timeout,
        allow_redirects=False,
    )
    return answer.status_code


def run(args: argparse.Namespace, token: str | None, out: TextIO | None = None) -> int:
    """Run ``twhooks rerun``; 0 when every webhook run again succeeded (or was listed)."""
    import requests

    from ..exceptions import ConfigurationError
    from ..store import StoreError
    from ..store.history import History

    out = sys.stdout if out is None else out
    try:
        store = _open(args.store, args.prefix)
    except (ConfigurationError, ValueError) as error:
        print(f"twhooks: --store: {error}", file=sys.stderr)
        return 2
    try:
        history = History(store)
        if args.key:
            found = history.get_failed(args.key)
            if found is None:
                print(f"twhooks: no failed webhook {args.key}", file=sys.stderr)
                return 1
            chosen = [found]
        elif args.all:
            chosen = history.failed(limit=10_000)
        else:
            listed = history.failed(limit=10_000)
            for failed in listed:
                print(_line(failed), file=out)
            print(f"{len(listed)} failed webhook(s)", file=out)
            return 0
    except StoreError as error:
        print(f"twhooks: the store cannot be read: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    failures = 0
    for failed in chosen:
        try:
            status = send(args.url, failed, token, getattr(args, "timeout", DEFAULT_TIMEOUT))
        except requests.RequestException as error:
            print(f"{failed.key}  cannot reach {args.url}: {error}", file=sys.stderr)
            failures += 1
            continue
        verdict = "succeeded" if status < 500 else "failed again"
        failures += status >= 500
        print(f"{failed.key}  {failed.kind or '-'}  {status}  {verdict}", file=out)
    print(f"re-ran {len(chosen)}, {len(chosen) - failures} succeeded", file=out)
    return 1 if failures else 0
