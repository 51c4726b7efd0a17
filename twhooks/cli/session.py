"""The ``twhooks`` command's sessions at a terminal: ``chat``, ``call`` and ``send``.

Each reads the user's moves from stdin (one line at a time), plays them through a
:class:`~twhooks.simulator.Simulator` and prints what the app answered and what Twilio
did with it. A failure Twilio would see is a :class:`~twhooks.cli.CommandError`.
"""

from __future__ import annotations

import argparse
import contextlib
import http
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from ..exceptions import SimulationError
from ..kinds import KINDS, Kind
from ..simulator import (
    DialInfo,
    GatherInfo,
    Response,
    SimulatedCall,
    SimulatedConversation,
    Simulator,
    TwimlAnswer,
    spoken_text,
)
from ..simulator.wire import Transport
from ..store.keys import normalize_address
from . import CommandError
from .transport import RequestsTransport

if TYPE_CHECKING:
    from ..rest.fake import FakeTwilioApi

__all__ = ["run"]

_FORBIDDEN_HINT = (
    "the app refused the request's signature (HTTP 403). Check that --auth-token or "
    "$TWILIO_AUTH_TOKEN holds the app's auth token, and that the request is signed for the "
    "URL the app believes Twilio calls: behind a proxy or tunnel, give the app's public URL "
    "(its TWHOOKS_PUBLIC_URL) as --public-url, or send to that public URL."
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


def _check(reply: TwimlAnswer) -> None:
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
        elif document is not None and document.status_code == http.HTTPStatus.METHOD_NOT_ALLOWED:
            method = document.request.method if document.request else "this method"
            detail = (
                f" (the app takes no {method} requests there: configure the webhook at "
                "Twilio with a method the app takes, and give it here with --method)"
            )
        elif document is not None and document.status_code == http.HTTPStatus.NOT_FOUND:
            routes = " and ".join(kind.path for kind in KINDS.values() if kind.answer)
            detail = (
                f" (no webhook there: twhooks serves {routes} under its URL prefix, "
                "/twilio by default)"
            )
        raise CommandError(f"Twilio could not use the answer: {reply.error}{detail}")


def _kind_at(url: str) -> Kind | None:
    """The kind whose twhooks route *url* is (by the end of its path), if any."""
    path = urlsplit(url).path.rstrip("/")
    found = [kind for kind in KINDS.values() if path.endswith(kind.path)]
    return max(found, key=lambda kind: len(kind.path), default=None)


def _check_route(url: str, wanted: str) -> None:
    """Refuse to text a voice route, or to call a messaging route, before sending anything.

    :param wanted: the answer the session reads, ``"messaging"`` or ``"voice"``.
    """
    kind = _kind_at(url)
    if kind is None or kind.answer == wanted:
        return
    if kind.answer == "voice":
        hint = f"call it with: twhooks call {url}"
    elif kind.answer == "messaging":
        hint = f"text it with: twhooks chat {url}"
    else:
        hint = f"send one with: twhooks send {kind.name} {url}"
    what = "text messages" if wanted == "messaging" else "calls"
    raise CommandError(
        f"{url} is twhooks' route for {kind.name} webhooks — {kind.summary} — not for "
        f"incoming {what}; {hint}"
    )


#: The verbs of messaging TwiML; any other verb in an answer to a message is a voice verb.
_MESSAGING_VERBS = frozenset({"Message", "Redirect"})


def _voice_verbs(reply: TwimlAnswer) -> list[str]:
    """The verbs of the answer that are not messaging verbs, once each, in order."""
    tags = [verb.tag for verb in reply.twiml.children] if reply.twiml is not None else []
    return list(dict.fromkeys(tag for tag in tags if tag not in _MESSAGING_VERBS))


def _voice_answer(url: str, reply: TwimlAnswer) -> CommandError:
    tags = ", ".join(f"<{tag}>" for tag in _voice_verbs(reply))
    return CommandError(
        f"{url} answered voice TwiML ({tags}), not messaging TwiML: is it the voice "
        f"webhook? Call it with: twhooks call {url}"
    )


# Most specific first: a transcription callback carries the call's CallStatus too.
_STATUS_FIELDS = {
    "TranscriptionStatus": "transcription",
    "RecordingStatus": "recording",
    "MessageStatus": "message status",
    "CallStatus": "call status",
}


def _report_callbacks(term: _Terminal, reply: TwimlAnswer, errors: list[str]) -> None:
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


_MEDIA_COMMAND = "/media"
_MEDIA_USAGE = f"{_MEDIA_COMMAND} URL [URL ...] [text]: sends an MMS with the media at URL"


def _message(line: str) -> tuple[str, list[str]] | None:
    """The body and media URLs of a typed line: ``/media URL… [text]`` attaches media.

    ``None`` for a ``/media`` command without a URL.
    """
    command, _, rest = line.partition(" ")
    if command != _MEDIA_COMMAND:
        return line, []
    words = rest.split()
    media = [word for word in words if word.startswith(("http://", "https://"))]
    if not media:
        return None
    return " ".join(word for word in words if word not in media), media


def _chat(
    args: argparse.Namespace,
    simulator: Simulator,
    term: _Terminal,
    api: FakeTwilioApi | None = None,
) -> list[str]:
    conversation: SimulatedConversation = simulator.conversation(
        args.url,
        from_=args.from_,
        to=args.to,
        method=args.method,
        status_callback=args.status_callback,
    )
    _check_route(conversation.url, "messaging")
    term.say(
        f"Texting {conversation.url}{_signed_for(args)} from {args.from_} to {args.to}. "
        f"Type a message and press Enter ({_MEDIA_COMMAND} URL [text] sends an MMS); "
        "Ctrl-D ends."
    )
    if api is not None:
        term.say(
            f"A local Twilio API listens at {api.url} (account {api.account_sid}): what the "
            "app sends through it is shown here, marked [REST API]; nothing reaches Twilio."
        )
    errors: list[str] = []
    for line in term.lines("> "):
        message = _message(line)
        if message is None:
            term.say(f"  usage: {_MEDIA_USAGE}")
            continue
        body, media = message
        reply = conversation.send(body, media=media)
        _check(reply)
        if not reply.outgoing and _voice_verbs(reply):
            raise _voice_answer(conversation.url, reply)
        sent_by_api = 0
        if api is not None:
            # A background reply comes through the REST API, after the webhook's answer.
            wait = 0.0 if reply.outgoing else args.api_wait
            sent_by_api = _show_api_messages(term, api, args.from_, wait)
        if not reply.outgoing and not sent_by_api:
            term.say("  (no reply)")
        for outgoing in reply.outgoing:
            term.say(f"< {outgoing.body}" if outgoing.body else "<")
            for url in outgoing.media:
                term.say(f"  [media] {url}")
        for warning in reply.warnings:
            term.say(f"  [warning] {warning}")
        _report_callbacks(term, reply, errors)
    if api is not None:
        _show_api_messages(term, api, args.from_, 0.0)  # what came since the last line
    return errors


#: After the first message through the API, how long to wait for the next ones of the burst.
_API_GRACE = 0.3


def _show_api_messages(term: _Terminal, api: FakeTwilioApi, person: str, wait: float) -> int:
    """Print the messages the app sent through the local API that were not printed yet,
    waiting up to *wait* seconds for a first one; how many were printed."""
    shown = _shown.get(id(api), 0)
    deadline = time.monotonic() + wait
    while len(api.messages) <= shown and time.monotonic() < deadline:
        time.sleep(0.02)
    if len(api.messages) > shown and wait:
        time.sleep(_API_GRACE)  # a reply in several messages: its others
    messages = api.messages[shown:]
    _shown[id(api)] = shown + len(messages)
    for message in messages:
        to = "" if normalize_address(message.to) == normalize_address(person) else message.to
        where = f" [REST API{', to ' + to if to else ''}]"
        term.say(f"< {message.body}{where}" if message.body else f"<{where}")
        for url in message.media_urls:
            term.say(f"  [media] {url}")
    return len(messages)


#: How many messages of each local API (by id) the chat printed.
_shown: dict[int, int] = {}


def _signed_for(args: argparse.Namespace) -> str:
    return f" (signed for {args.public_url})" if args.public_url else ""


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


def _print_verbs(term: _Terminal, reply: TwimlAnswer) -> None:
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


def _answer(term: _Terminal, call: SimulatedCall) -> TwimlAnswer | None:
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
    _check_route(call.url, "voice")
    term.say(
        f"Calling {call.url}{_signed_for(args)} from {args.from_} to {args.to}. Ctrl-D hangs up."
    )
    errors: list[str] = []
    first = call.start()
    if first.twiml is not None and any(verb.tag == "Message" for verb in first.twiml.children):
        raise CommandError(
            f"{call.url} answered messaging TwiML (<Message>), not voice TwiML: is it the "
            f"messaging webhook? Text it with: twhooks chat {call.url}"
        )
    reply: TwimlAnswer | None = first
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


def _start_api(args: argparse.Namespace, token: str | None) -> FakeTwilioApi | None:
    """The local Twilio API of ``chat --fake-api``, started (``None``: not asked for).

    It serves the chat's account with the token the chat signs with (the app's own), and
    posts each message's signed status callbacks to the app.

    :raises CommandError: its port is taken.
    """
    port = getattr(args, "fake_api", None)
    if args.command != "chat" or port is None:
        return None
    from ..rest.fake import DEFAULT_STATUSES, FakeTwilioApi

    api = FakeTwilioApi(
        account_sid=args.account_sid,
        auth_token=token or secrets.token_hex(16),
        statuses=getattr(args, "api_statuses", DEFAULT_STATUSES),
        port=port,
    )
    try:
        return api.start()
    except OSError as error:
        raise CommandError(
            f"--fake-api: cannot listen on 127.0.0.1:{port}: {error.strerror}"
        ) from None


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


_COMMANDS: dict[str, Callable[[argparse.Namespace, Simulator, _Terminal], list[str]]] = {
    "chat": _chat,
    "call": _call,
    "send": _send,
}


def run(
    args: argparse.Namespace,
    token: str | None,
    transport: Transport | None = None,
    on_api: Callable[[FakeTwilioApi], Callable[[], None]] | None = None,
) -> int:
    """Run the session of the parsed command line *args*, signed with *token*; the status.

    :param token: the auth token, ``None`` to send unsigned requests.
    :param transport: how requests reach the app: over HTTP by default; ``flask twhooks``
        passes the app's test client (:class:`~twhooks.flask.testing.FlaskTransport`).
    :param on_api: with ``--fake-api``, called with the local API once it listens (``flask
        twhooks chat`` points the app at it); what it returns is called at the end.
    """
    url = args.url
    forward: tuple[str, str] | None = None
    scheme, netloc, path, query, _ = urlsplit(url)
    if args.public_url and scheme in {"http", "https"} and netloc:
        # Sign for the public URL, send to the address given, as a tunnel forwards it.
        url = args.public_url + path + (f"?{query}" if query else "")
        forward = (args.public_url, f"{scheme}://{netloc}")
    args.url = url
    # Relative URLs (--status-callback /twilio/voice/status) are on the app's host.
    if transport is None:
        transport = RequestsTransport(args.timeout, forward=forward)
    simulator = Simulator(transport, token, base_url=url)
    term = _Terminal(sys.stdin, sys.stdout)
    api: FakeTwilioApi | None = None
    restore: Callable[[], None] | None = None
    try:
        api = _start_api(args, token)
        if api is not None and on_api is not None:
            restore = on_api(api)
        if api is not None:
            errors = _chat(args, simulator, term, api)
        else:
            errors = _COMMANDS[args.command](args, simulator, term)
    except (CommandError, SimulationError) as error:
        print(f"twhooks: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    finally:
        if restore is not None:
            restore()
        if api is not None:
            api.stop()
            _shown.pop(id(api), None)
    for problem in errors:
        print(f"twhooks: error: {problem}", file=sys.stderr)
    return 1 if errors else 0
