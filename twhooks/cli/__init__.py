"""The ``twhooks`` command: play Twilio's part against a running app, no phone needed.

::

    twhooks chat URL        text the app: each line is a message, the replies are printed
    twhooks call URL        call the app: hear its <Say>, answer its <Gather> and <Record>
    twhooks send KIND URL [Field=value ...]
                            one webhook of any kind; prints the status and the body
    twhooks tail URL        the webhook inspector's live list, one line per webhook
    twhooks rerun URL       the app's failed webhooks, listed or sent again (--store)
    twhooks worker rq|celery --app yourapp:app
                            run the app's background jobs on its queue

Every request is signed with ``--auth-token`` (or ``$TWILIO_AUTH_TOKEN``) over *URL*, or,
with ``--public-url`` (or ``$TWHOOKS_PUBLIC_URL``), over the same path under that public
URL while it is still sent to *URL*, as a tunnel or a proxy forwards Twilio's requests:
the signature must cover the URL the app believes Twilio calls. When stdin is not a
terminal, each line of it is one input, so sessions can be scripted.

The command talks HTTP (with ``requests``) to any app, local or deployed, whatever its
framework. Its modules:

- this one: the command line, parsed without importing the simulator, so that
  ``twhooks --help`` starts at once;
- ``session``: the three sessions (``chat``, ``call``, ``send``) at a terminal;
- ``transport``: :class:`~twhooks.cli.transport.RequestsTransport`, the simulator's HTTP.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from .. import __version__, payloads

__all__ = ["CommandError", "main"]

#: Twilio gives up on a webhook after 15 seconds.
DEFAULT_TIMEOUT = 15.0


class CommandError(Exception):
    """A failure the command reports in one line on stderr, with exit status 1."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose epilog may be written only when the help is shown.

    :param lazy_epilog: returns the epilog; called by :meth:`format_help` (the kinds of
        ``twhooks send`` come from the registry, which imports the events).
    """

    def __init__(self, *args: Any, lazy_epilog: Callable[[], str] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self._lazy_epilog = lazy_epilog

    def format_help(self) -> str:
        if self._lazy_epilog is not None:
            self.epilog = self._lazy_epilog()
        return super().format_help()


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return value


def _kind(text: str) -> str:
    """The registry's name of the kind called *text* (``message-status``, ``recording``…)."""
    from ..exceptions import SimulationError

    try:
        return payloads.kind_for(text)
    except SimulationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _public_url(text: str) -> str:
    scheme, netloc, _, query, fragment = urlsplit(text)
    if scheme not in {"http", "https"} or not netloc or query or fragment:
        raise argparse.ArgumentTypeError(
            f"the app's public base URL, such as https://abc.ngrok.app, not {text!r}"
        )
    return text.rstrip("/")


def _kinds_epilog() -> str:
    from ..kinds import KINDS

    kinds = "\n".join(
        f"  {kind.name:18} {kind.summary} (twhooks route {kind.path})" for kind in KINDS.values()
    )
    return (
        f"kinds:\n{kinds}\n\n"
        "A dashed spelling (message-status) and the names of twhooks 0.1 (recording,\n"
        "conference) work too.\n\n"
        "example:\n  twhooks send message_status "
        "http://127.0.0.1:5000/twilio/messages/status MessageStatus=failed"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twhooks",
        description="Play Twilio's part against your app: signed webhooks, no phone needed.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  export TWILIO_AUTH_TOKEN=...   # the app's auth token\n"
        "  twhooks chat http://127.0.0.1:5000/twilio/messages\n"
        "  twhooks call http://127.0.0.1:5000/twilio/voice --status-callback /twilio/voice/status\n"
        "  twhooks send amd http://127.0.0.1:5000/twilio/voice/amd AnsweredBy=machine_start\n"
        "  twhooks chat http://127.0.0.1:5000/twilio/messages --public-url https://abc.ngrok.app",
    )
    parser.add_argument("--version", action="version", version=f"twhooks {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--auth-token",
        metavar="TOKEN",
        default=None,
        help="the app's auth token (default: $TWILIO_AUTH_TOKEN)",
    )
    common.add_argument(
        "--public-url",
        metavar="URL",
        type=_public_url,
        default=None,
        help="the app's public base URL, as in its TWHOOKS_PUBLIC_URL: requests are signed "
        "for the same path under it, and still sent to the URL given "
        "(default: $TWHOOKS_PUBLIC_URL)",
    )
    common.add_argument(
        "--unsigned", action="store_true", help="send requests without X-Twilio-Signature"
    )
    common.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        default=DEFAULT_TIMEOUT,
        help="seconds to wait for the app (default: 15, as Twilio)",
    )
    people = _Parser(add_help=False)
    people.add_argument(
        "--from",
        dest="from_",
        metavar="NUMBER",
        default=payloads.TEST_USER_NUMBER,
        help=f"who texts or calls (default: {payloads.TEST_USER_NUMBER})",
    )
    people.add_argument(
        "--to",
        metavar="NUMBER",
        default=payloads.TEST_APP_NUMBER,
        help=f"the app's number (default: {payloads.TEST_APP_NUMBER})",
    )
    people.add_argument(
        "--method",
        choices=["POST", "GET"],
        default="POST",
        help="the webhook's method, as configured at Twilio (default: POST)",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    chat = commands.add_parser(
        "chat", parents=[common, people], help="text the app (each input line is a message)"
    )
    chat.add_argument("url", metavar="URL", help="the app's messaging webhook URL")
    chat.add_argument(
        "--status-callback",
        metavar="URL",
        help="send every reply's delivery statuses there (a <Message statusCallback> wins)",
    )
    chat.add_argument(
        "--fake-api",
        metavar="PORT",
        nargs="?",
        type=int,
        const=0,
        default=None,
        help="serve a local Twilio REST API on 127.0.0.1:PORT (no PORT: a free one) and show "
        "the messages the app sends through it (background replies, hooks.send): run the app "
        "with TWILIO_API_BASE_URL=http://127.0.0.1:PORT and the same account SID and token",
    )
    chat.add_argument(
        "--account-sid",
        metavar="SID",
        default=None,
        help="the account the local API serves (default: $TWILIO_ACCOUNT_SID, else a test account)",
    )
    chat.add_argument(
        "--api-wait",
        type=_seconds,
        metavar="SECONDS",
        default=3.0,
        help="with --fake-api: how long to wait for the messages the app sends after a message "
        "it answered with no reply (default: 3)",
    )

    call = commands.add_parser("call", parents=[common, people], help="call the app")
    call.add_argument("url", metavar="URL", help="the app's voice webhook URL")
    call.add_argument("--status-callback", metavar="URL", help="send the call's final status there")

    send = commands.add_parser(
        "send",
        parents=[common],
        help="send one webhook of any kind",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Send one signed webhook with realistic fields; print the answer.",
        lazy_epilog=_kinds_epilog,
    )
    send.add_argument("kind", metavar="KIND", type=_kind, help="the kind of webhook (listed below)")
    send.add_argument("url", metavar="URL", help="where to send it")
    send.add_argument(
        "fields", metavar="Field=value", nargs="*", help="set a field (Twilio's name)"
    )
    send.add_argument("--method", choices=["POST", "GET"], default="POST")
    from .voice import add_cli_commands

    add_cli_commands(commands, common)  # twhooks relay URL, twhooks stream URL
    from .tail import add_parser as add_tail

    add_tail(commands)  # twhooks tail URL
    from .rerun import add_parser as add_rerun

    add_rerun(commands, common)  # twhooks rerun URL --store STORE
    from .worker import add_parser as add_worker

    add_worker(commands)  # twhooks worker rq|celery --app yourapp:app
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``twhooks`` command; returns the exit status (0 success, 1 failure, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    options: list[str] = []
    if argv[:1] == ["worker"]:  # twhooks worker celery … -- OPTIONS of celery worker
        from .worker import split_options

        argv, options = split_options(argv)
    args = _parser().parse_args(argv)
    args.options = options
    if args.command == "tail":  # reads the inspector: no auth token needed
        from .tail import run as tail

        return tail(args)
    if args.command == "worker":  # runs the app's jobs: loads the app, sends nothing
        from .worker import run as worker

        return worker(args)
    token = args.auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
    if args.command == "rerun" and not (args.key or args.all):  # lists: sends nothing
        from .rerun import run as rerun

        return rerun(args, None)
    if not token and not args.unsigned:
        print(
            "twhooks: no auth token: pass --auth-token or set TWILIO_AUTH_TOKEN "
            "(or --unsigned to send unsigned requests)",
            file=sys.stderr,
        )
        return 2
    if args.public_url is None and os.environ.get("TWHOOKS_PUBLIC_URL"):
        try:
            args.public_url = _public_url(os.environ["TWHOOKS_PUBLIC_URL"])
        except argparse.ArgumentTypeError as error:
            print(f"twhooks: $TWHOOKS_PUBLIC_URL: {error}", file=sys.stderr)
            return 2
    if args.command == "chat" and args.account_sid is None:
        args.account_sid = os.environ.get("TWILIO_ACCOUNT_SID") or payloads.TEST_ACCOUNT_SID
    if args.command == "rerun":
        from .rerun import run as rerun

        return rerun(args, None if args.unsigned else token)
    if getattr(args, "realtime", None) is not None:
        from .voice import run as run_realtime

        return run_realtime(
            args, None if args.unsigned else token, sys.stdin, sys.stdout, sys.stderr
        )
    # The simulator, requests and the TwiML parser: imported once the command is known.
    from .session import run

    return run(args, None if args.unsigned else token)
