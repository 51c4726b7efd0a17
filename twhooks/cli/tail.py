"""``twhooks tail URL``: the inspector's live list in a terminal, for servers without a browser.

It polls the inspector's feed (``<URL>/feed.json``) and prints one line per webhook. Every
value comes from a webhook, so control characters are shown escaped: a message body cannot
move the cursor or retitle the terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["add_parser", "format_row", "run"]

#: How often the feed is read, in seconds.
DEFAULT_INTERVAL = 1.0


def add_parser(commands: Any) -> None:
    """Add ``tail`` to the ``twhooks`` command's subparsers."""
    tail = commands.add_parser(
        "tail",
        help="print the inspector's live list of webhooks",
        description="Print the webhook inspector's live list, one line per webhook, as they "
        "arrive. URL is the inspector's, such as http://127.0.0.1:5000/twilio/_inspector.",
    )
    tail.add_argument("url", metavar="URL", help="the inspector's URL")
    tail.add_argument(
        "--password",
        default=None,
        help="the inspector's password (default: $TWHOOKS_INSPECTOR_PASSWORD)",
    )
    tail.add_argument("--kind", help="only this kind of webhook")
    tail.add_argument("--verdict", help="only this signature verdict (valid, invalid…)")
    tail.add_argument("--number", help="only webhooks from or to this number")
    tail.add_argument("--sid", help="only webhooks about this message or call")
    tail.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL, help="seconds between reads"
    )
    tail.add_argument("--once", action="store_true", help="print the recent webhooks and stop")


def _clean(value: Any, limit: int = 60) -> str:
    text = str(value)
    shown = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def format_row(row: dict[str, Any]) -> str:
    """One feed row as one terminal line."""
    handler = row.get("handler") or "-"
    line = (
        f"{_clean(row.get('time', ''), 8)}  #{row.get('id')}  "
        f"{_clean(row.get('kind', ''), 18):<18} "
        f"{_clean(row.get('verdict', ''), 18):<8} {row.get('status')}  "
        f"{_clean(row.get('from', ''), 24)} -> {_clean(row.get('to', ''), 24)}  "
        f"{_clean(handler, 40)}  {row.get('duration_ms')} ms"
    )
    if row.get("why"):
        line += f" ({_clean(row['why'], 40)})"
    if row.get("body"):
        line += f'  "{_clean(row["body"])}"'
    if row.get("reason"):
        line += f"  refused: {_clean(row['reason'], 120)}"
    return line


def run(
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``twhooks tail``; returns the exit status."""
    out = sys.stdout if out is None else out
    import requests  # only once the command is known, as the other commands do

    password = args.password or os.environ.get("TWHOOKS_INSPECTOR_PASSWORD")
    base = args.url.rstrip("/")
    feed = base + "/feed.json"
    session = requests.Session()
    if password:
        session.auth = ("twhooks", password)
    filters = {
        name: getattr(args, name)
        for name in ("kind", "verdict", "number", "sid")
        if getattr(args, name)
    }
    last = 0
    first = True
    try:
        while True:
            try:
                response = session.get(feed, params={**filters, "after": last}, timeout=15)
            except requests.RequestException as error:
                print(f"twhooks tail: {feed}: {error}", file=sys.stderr)
                if args.once:
                    return 1
                sleep(max(args.interval, 1.0))
                continue
            if response.status_code == 401:
                print(
                    "twhooks tail: the inspector wants its password: pass --password or set "
                    "TWHOOKS_INSPECTOR_PASSWORD",
                    file=sys.stderr,
                )
                return 1
            if response.status_code == 429:
                wait = response.headers.get("Retry-After", "?")
                print(
                    "twhooks tail: too many wrong passwords from this address: the inspector "
                    f"refuses it for {wait} s more",
                    file=sys.stderr,
                )
                return 1
            if response.status_code == 403:
                print(
                    "twhooks tail: the inspector refused (403): it is behind the app's own "
                    "login (TWHOOKS_INSPECTOR_AUTHORIZE), which a terminal cannot pass",
                    file=sys.stderr,
                )
                return 1
            if response.status_code != 200 or "json" not in response.headers.get(
                "Content-Type", ""
            ):
                print(
                    f"twhooks tail: {feed} answered {response.status_code}, not the "
                    "inspector's feed: is URL the inspector's (…/_inspector) and is "
                    "TWHOOKS_INSPECTOR on?",
                    file=sys.stderr,
                )
                return 1
            data = response.json()
            if first and not data.get("history", True):
                print(
                    "twhooks tail: the app records no history (TWHOOKS_HISTORY = False)",
                    file=sys.stderr,
                )
            first = False
            for row in reversed(data.get("rows", [])):
                print(format_row(row), file=out, flush=True)
            last = max(last, int(data.get("last", 0)))
            if args.once:
                return 0
            sleep(args.interval)
    except KeyboardInterrupt:
        return 0
