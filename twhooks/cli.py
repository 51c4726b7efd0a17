"""The ``twhooks`` command: play Twilio's part against a running app, no phone needed.

::

    twhooks chat URL        text the app: each line is a message, the replies are printed
    twhooks call URL        call the app: hear its <Say>, answer its <Gather> and <Record>
    twhooks send KIND URL [Field=value ...]
                            one webhook of any kind; prints the status and the body

Every request is signed with ``--auth-token`` (or ``$TWILIO_AUTH_TOKEN``) over *URL*, which
must be the URL the app believes Twilio calls (see ``TWHOOKS_PUBLIC_URL``). When stdin is
not a terminal, each line of it is one input, so sessions can be scripted.

The command talks HTTP (with ``requests``) to any app, local or deployed, whatever its
framework.
"""

from __future__ import annotations

import argparse
import contextlib
import http
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

import requests

from . import __version__, payloads
from .exceptions import SimulationError
from .simulator import (
    DialInfo,
    GatherInfo,
    Reply,
    Request,
    Response,
    SimulatedCall,
    SimulatedConversation,
    Simulator,
    spoken_text,
)

__all__ = ["RequestsTransport", "main"]

#: Twilio gives up on a webhook after 15 seconds.
DEFAULT_TIMEOUT = 15.0
_CONNECT_TIMEOUT = 10.0
_FORBIDDEN_HINT = (
    "the app refused the request's signature (HTTP 403). Check that --auth-token or "
    "$TWILIO_AUTH_TOKEN holds the app's auth token, and that URL is the URL the app "
    "believes Twilio calls: behind a proxy or tunnel, set TWHOOKS_PUBLIC_URL in the app "
    "(or trust X-Forwarded-* headers with ProxyFix) and use that public URL here."
)


class CommandError(Exception):
    """A failure the command reports in one line on stderr, with exit status 1."""


class RequestsTransport:
    """Sends simulated webhooks over real HTTP with ``requests``.

    :param timeout: seconds to wait for an answer (Twilio waits 15).
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def __call__(self, request: Request) -> Response:
        # A new session each time: a shared cookie jar would mix the conversations'
        # cookies, which the simulator keeps apart itself.
        try:
            with requests.Session() as session:
                prepared = session.prepare_request(
                    requests.Request(
                        request.method,
                        request.url,
                        data=request.body or None,
                        headers=dict(request.headers),
                    )
                )
                # requests normalises escapes (%7E becomes ~): send the URL that was signed.
                prepared.url = request.url
                answer = session.send(
                    prepared,
                    timeout=(min(_CONNECT_TIMEOUT, self.timeout), self.timeout),
                    allow_redirects=False,
                )
        except requests.exceptions.Timeout:
            raise CommandError(
                f"no answer from {request.url} within {self.timeout:g} s "
                "(Twilio gives up after 15 s)"
            ) from None
        except requests.exceptions.InvalidURL as error:
            raise CommandError(f"not a valid URL: {request.url} ({error})") from None
        except requests.exceptions.ConnectionError:
            raise CommandError(
                f"cannot connect to {request.url}: is the app running at that address?"
            ) from None
        except requests.exceptions.RequestException as error:
            raise CommandError(f"request to {request.url} failed: {error}") from None
        content_type = answer.headers.get("Content-Type", "")
        if "charset=" not in content_type.lower():
            # requests would guess ISO-8859-1 for text/*; Twilio reads TwiML as UTF-8.
            answer.encoding = "utf-8"
        return Response(
            url=request.url,
            status_code=answer.status_code,
            content_type=content_type,
            text=answer.text,
            headers=dict(answer.headers),
            # requests folds repeated headers into one; Set-Cookie must stay apart.
            set_cookies=tuple(answer.raw.headers.getlist("Set-Cookie")),
        )


class _Terminal:
    """Prompts and output; inputs come from stdin one line at a time."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        # input() reads sys.stdin and writes to sys.stdout: only for the real terminal.
        self.interactive = stdin is sys.stdin and stdout is sys.stdout and stdin.isatty()
        if self.interactive:
            with contextlib.suppress(ImportError):  # not on every platform
                import readline  # noqa: F401

    def say(self, line: str = "") -> None:
        print(line, file=self.stdout, flush=True)

    def ask(self, prompt: str) -> str | None:
        """The next line of input, ``None`` at the end of input (Ctrl-D)."""
        if self.interactive:
            try:
                return input(prompt)  # line editing and history, with readline
            except EOFError:
                self.say()  # end the prompt's line after Ctrl-D
                return None
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\r\n")
        self.say(prompt + line)  # echo, so the output reads as a transcript
        return line

    def lines(self, prompt: str) -> Iterator[str]:
        while (line := self.ask(prompt)) is not None:
            yield line


def _check(reply: Reply) -> None:
    """Raise :class:`CommandError` when Twilio could not use the app's answer."""
    document = reply.document
    if document is not None and document.status_code == http.HTTPStatus.FORBIDDEN:
        raise CommandError(_FORBIDDEN_HINT)
    if reply.error:
        detail = ""
        if document is not None and document.status_code >= 500:
            detail = " (the app failed: see its log)"
        elif document is not None and 300 <= document.status_code < 400:
            location = document.headers.get("Location", "?")
            detail = f" (redirected to {location}: give the final URL)"
        elif document is not None and document.status_code in {404, 405}:
            detail = (
                " (no webhook there: twhooks serves /twilio/messages and /twilio/voice "
                "under its URL prefix)"
            )
        raise CommandError(f"Twilio could not use the answer: {reply.error}{detail}")


# Most specific first: a transcription callback carries the call's CallStatus too.
_STATUS_FIELDS = {
    "TranscriptionStatus": "transcription",
    "RecordingStatus": "recording",
    "MessageStatus": "message status",
    "CallStatus": "call status",
}


def _report_callbacks(term: _Terminal, reply: Reply, errors: list[str]) -> None:
    """One line per callback URL: ``[message status] queued, sent, delivered → URL: 204``."""
    groups: dict[tuple[str, str], list[Response]] = {}
    for callback in reply.status_callbacks:
        kind, _ = _status_of(callback)
        groups.setdefault((kind, callback.url), []).append(callback)
    for (kind, url), callbacks in groups.items():
        codes = sorted({callback.status_code for callback in callbacks})
        statuses = ", ".join(_status_of(callback)[1] for callback in callbacks)
        answers = ", ".join(f"HTTP {code}" for code in codes)
        term.say(f"  [{kind}] {statuses} → {url}: {answers}")
        errors.extend(
            f"the {kind} callback {url} answered HTTP {callback.status_code}"
            for callback in callbacks
            if not callback.ok
        )


def _status_of(callback: Response) -> tuple[str, str]:
    """What kind of callback it was, and the status it carried."""
    sent = dict(callback.request.params) if callback.request else {}
    for name, kind in _STATUS_FIELDS.items():
        if name in sent:
            return kind, sent[name]
    return "callback", "?"


# -- chat ---------------------------------------------------------------------------------


_MEDIA_COMMAND = "/media "


def _message(line: str) -> tuple[str, list[str]]:
    """The body and media URLs of a typed line: ``/media URL… [text]`` attaches media."""
    if not line.startswith(_MEDIA_COMMAND):
        return line, []
    words = line[len(_MEDIA_COMMAND) :].split()
    media = [word for word in words if word.startswith(("http://", "https://"))]
    return " ".join(word for word in words if word not in media), media


def _chat(args: argparse.Namespace, simulator: Simulator, term: _Terminal) -> list[str]:
    conversation: SimulatedConversation = simulator.conversation(
        args.url,
        from_=args.from_,
        to=args.to,
        method=args.method,
        status_callback=args.status_callback,
    )
    term.say(
        f"Texting {conversation.url} from {args.from_} to {args.to}. Type a message and "
        f"press Enter ({_MEDIA_COMMAND}URL [text] sends an MMS); Ctrl-D ends."
    )
    errors: list[str] = []
    for line in term.lines("> "):
        body, media = _message(line)
        reply = conversation.send(body, media=media)
        _check(reply)
        if not reply.outgoing:
            term.say("  (no reply)")
        for message in reply.outgoing:
            term.say(f"< {message.body}" if message.body else "<")
            for url in message.media:
                term.say(f"  [media] {url}")
        for warning in reply.warnings:
            term.say(f"  [warning] {warning}")
        _report_callbacks(term, reply, errors)
    return errors


# -- call ---------------------------------------------------------------------------------


def _describe(verb_tag: str, attrs: dict[str, str], text: str) -> str:
    if verb_tag == "Pause":
        return f"  (pause {attrs.get('length', '1')} s)"
    if verb_tag in {"Hangup", "Reject"}:
        return f"  [{verb_tag.lower()}]"
    if verb_tag == "Play" and "digits" in attrs:
        text = f"{text} (keys {attrs['digits']})".strip()
    loop = attrs.get("loop")
    if verb_tag in {"Say", "Play"} and loop and loop != "1":
        text += " (until hangup)" if loop == "0" else f" (x{loop})"
    return f"  [{verb_tag.lower()}] {text}".rstrip()


def _print_verbs(term: _Terminal, reply: Reply) -> None:
    for verb in reply.verbs:
        attrs = dict(verb.attrs)
        if verb.tag == "Gather":
            gather = GatherInfo.from_element(verb)
            for child in verb.children:
                term.say(_describe(child.tag, dict(child.attrs), spoken_text(child)))
            term.say(f"  [gather] {' or '.join(gather.input)}" + _digits_note(gather))
        elif verb.tag == "Record":
            term.say("  [record] (beep)" if attrs.get("playBeep") != "false" else "  [record]")
        elif verb.tag == "Dial":
            targets = ", ".join(DialInfo.from_element(verb).targets) or "?"
            term.say(f"  [dial] {targets}")
        else:
            term.say(_describe(verb.tag, attrs, spoken_text(verb)))


def _digits_note(gather: GatherInfo) -> str:
    return f", {gather.num_digits} digit(s)" if gather.num_digits else ""


_KEYS = set("0123456789*#")
_DIAL_OUTCOMES = ("completed", "busy", "no-answer", "failed", "canceled")


def _answer(term: _Terminal, call: SimulatedCall) -> Reply | None:
    """Ask the caller's next move at the verb the call waits at; ``None`` = hang up."""
    waiting = call.waiting_for
    if waiting is None:  # pragma: no cover - a call that goes on always waits at a verb
        raise CommandError("the call waits for nothing")
    if waiting.tag == "Gather":
        gather = GatherInfo.from_element(waiting)
        speech = "speech" in gather.input
        prompt = "keys or words> " if speech else "keys> "
        while (line := term.ask(prompt)) is not None:
            line = line.strip()
            if not line:
                return call.no_input()
            if set(line) <= _KEYS and "dtmf" in gather.input:
                return call.press(line)
            if speech:
                return call.say(line)
            term.say("  this <Gather> takes keys only (0-9, * and #); Enter alone for none")
            if not term.interactive:
                raise CommandError(f"the <Gather> takes keys only, not {line!r}")
        return None
    if waiting.tag == "Record":
        line = term.ask("say (Enter ends the recording; alone: silence)> ")
        if line is None:
            return None
        if not line.strip():
            return call.no_input()
        return call.record(duration=max(1, len(line.split())), transcript=line)
    if waiting.tag == "Dial":
        while (line := term.ask("dial outcome [completed]/busy/no-answer/failed> ")) is not None:
            outcome = line.strip() or "completed"
            if outcome in _DIAL_OUTCOMES:
                return call.end_dial(outcome)
            term.say(f"  the outcome is one of: {', '.join(_DIAL_OUTCOMES)}")
            if not term.interactive:
                raise CommandError(f"not a dial outcome: {outcome!r}")
        return None
    raise CommandError(f"cannot go on at <{waiting.tag}>")  # pragma: no cover


def _call(args: argparse.Namespace, simulator: Simulator, term: _Terminal) -> list[str]:
    call = simulator.call(
        args.url,
        from_=args.from_,
        to=args.to,
        method=args.method,
        status_callback=args.status_callback,
    )
    term.say(f"Calling {call.url} from {args.from_} to {args.to}. Ctrl-D hangs up.")
    errors: list[str] = []
    reply: Reply | None = call.start()
    while reply is not None:
        _print_verbs(term, reply)
        _check(reply)
        _report_callbacks(term, reply, errors)
        if call.ended:
            term.say(f"Call ended ({call.end_reason}).")
            return errors
        reply = _answer(term, call)
    reply = call.hangup()
    _report_callbacks(term, reply, errors)
    term.say("Call ended (you hung up).")
    return errors


# -- send ---------------------------------------------------------------------------------


def _send(args: argparse.Namespace, simulator: Simulator, term: _Terminal) -> list[str]:
    fields: dict[str, str | None] = {}
    for item in args.fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CommandError(f"a field is Name=value, not {item!r}")
        fields[name] = value
    reply = simulator.webhook(args.kind, args.url, method=args.method, params=fields)
    document = reply.document
    assert document is not None
    phrase = _phrase(document.status_code)
    term.say(f"HTTP {document.status_code} {phrase}".rstrip())
    if document.text:
        term.say(document.text.rstrip("\n"))
    if document.status_code == http.HTTPStatus.FORBIDDEN:
        raise CommandError(_FORBIDDEN_HINT)
    if not document.ok:
        raise CommandError(f"the app answered HTTP {document.status_code}")
    return []


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


# -- the command line -----------------------------------------------------------------------


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twhooks",
        description="Play Twilio's part against your app: signed webhooks, no phone needed.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  export TWILIO_AUTH_TOKEN=...   # the app's auth token\n"
        "  twhooks chat http://127.0.0.1:5000/twilio/messages\n"
        "  twhooks call http://127.0.0.1:5000/twilio/voice --status-callback /twilio/voice/status\n"
        "  twhooks send amd http://127.0.0.1:5000/twilio/voice/amd AnsweredBy=machine_start",
    )
    parser.add_argument("--version", action="version", version=f"twhooks {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--auth-token",
        metavar="TOKEN",
        default=None,
        help="the app's auth token (default: $TWILIO_AUTH_TOKEN)",
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
    people = argparse.ArgumentParser(add_help=False)
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
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser(
        "chat", parents=[common, people], help="text the app (each input line is a message)"
    )
    chat.add_argument("url", metavar="URL", help="the app's messaging webhook URL")
    chat.add_argument(
        "--status-callback",
        metavar="URL",
        help="send every reply's delivery statuses there (a <Message statusCallback> wins)",
    )

    call = commands.add_parser("call", parents=[common, people], help="call the app")
    call.add_argument("url", metavar="URL", help="the app's voice webhook URL")
    call.add_argument("--status-callback", metavar="URL", help="send the call's final status there")

    kinds = "\n".join(
        f"  {kind.name:15} {kind.summary} (twhooks route {kind.path})"
        for kind in payloads.KINDS.values()
    )
    send = commands.add_parser(
        "send",
        parents=[common],
        help="send one webhook of any kind",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Send one signed webhook with realistic fields; print the answer.",
        epilog=f"kinds:\n{kinds}\n\nexample:\n  twhooks send message-status "
        "http://127.0.0.1:5000/twilio/messages/status MessageStatus=failed",
    )
    send.add_argument(
        "kind", metavar="KIND", choices=list(payloads.KINDS), help="the kind of webhook"
    )
    send.add_argument("url", metavar="URL", help="where to send it")
    send.add_argument(
        "fields", metavar="Field=value", nargs="*", help="set a field (Twilio's name)"
    )
    send.add_argument("--method", choices=["POST", "GET"], default="POST")
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace, Simulator, _Terminal], list[str]]] = {
    "chat": _chat,
    "call": _call,
    "send": _send,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``twhooks`` command; returns the exit status (0 success, 1 failure, 2 usage)."""
    args = _parser().parse_args(argv)
    token = args.auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
    if not token and not args.unsigned:
        print(
            "twhooks: no auth token: pass --auth-token or set TWILIO_AUTH_TOKEN "
            "(or --unsigned to send unsigned requests)",
            file=sys.stderr,
        )
        return 2
    # Relative URLs (--status-callback /twilio/voice/status) are on the app's host.
    simulator = Simulator(
        RequestsTransport(args.timeout), None if args.unsigned else token, base_url=args.url
    )
    term = _Terminal(sys.stdin, sys.stdout)
    try:
        errors = _COMMANDS[args.command](args, simulator, term)
    except (CommandError, SimulationError) as error:
        print(f"twhooks: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    for problem in errors:
        print(f"twhooks: error: {problem}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
