"""The ``twhooks`` command against a twhooks app served over real HTTP on 127.0.0.1.

``twhooks.cli.main`` runs in-process with stdin replaced (not a terminal, so one input per
line) and its output captured; one test runs the installed console script.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request, session

from twhooks import TwilioHooks, TwilioSignatureMiddleware
from twhooks.cli import main
from twhooks.cli.transport import RequestsTransport
from twhooks.kinds import KINDS
from twhooks.simulator import Request
from twhooks.twiml import MessagingResponse, VoiceResponse

TOKEN = "cli-test-token"


def make_app(seen: list[dict[str, str]], **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TWILIO_AUTH_TOKEN=TOKEN, **config)
    hooks = TwilioHooks(app)

    @app.after_request
    def record(response: Response) -> Response:
        seen.append({"path": request.path, **request.values.to_dict()})
        return response

    @hooks.message(keyword="HELP")
    def help_(msg: Any) -> str:
        return "Reply BAL for your balance."

    @hooks.message(keyword="CAT")
    def cat(msg: Any) -> MessagingResponse:
        reply = MessagingResponse()
        reply.message("A cat.").media("https://example.com/cat.jpg")
        return reply

    @hooks.message()
    def count(msg: Any) -> str:
        session["n"] = session.get("n", 0) + 1
        return f"{msg.body} #{session['n']}"

    @hooks.message_status()
    @hooks.call_status()
    @hooks.recording_status()
    def statuses(event: Any) -> None:
        return None

    @hooks.call()
    def incoming(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        gather = reply.gather(num_digits=1, action=hooks.step_url("menu"))
        gather.say("Press 1 to leave a message.")
        reply.say("Goodbye.")
        return reply

    @hooks.call("menu")
    def menu(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        if call.digits == "0":
            reply.dial("+14155550123", action=hooks.step_url("saved"))
            return reply
        reply.say("Speak after the beep.")
        reply.record(
            action=hooks.step_url("saved"),
            recording_status_callback=hooks.callback_url("recording_status"),
        )
        return reply

    @hooks.call("saved")
    def saved(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        if call.dial_call_status:
            reply.say(f"The operator was {call.dial_call_status}.")
            return reply
        reply.say(f"Saved {call.recording_duration} seconds.")
        reply.hangup()
        return reply

    @app.post("/loop")
    def loop() -> Response:
        return Response("<Response><Redirect>/loop</Redirect></Response>", mimetype="text/xml")

    @app.post("/voice-twiml")
    def voice_twiml() -> Response:
        return Response("<Response><Say>Hello</Say></Response>", mimetype="text/xml")

    @app.post("/mixed-twiml")
    def mixed_twiml() -> Response:
        twiml = "<Response><Message>Hi</Message><Say>Hello</Say></Response>"
        return Response(twiml, mimetype="text/xml")

    @app.post("/menu-loop")
    def menu_loop() -> Response:
        # A voice menu that starts again after its <Gather>: a loop when texted.
        twiml = "<Response><Gather><Say>Press 1</Say></Gather><Redirect>/menu-loop</Redirect>"
        return Response(twiml + "</Response>", mimetype="text/xml")

    @app.post("/sms-twiml")
    def sms_twiml() -> Response:
        return Response("<Response><Message>Hi</Message></Response>", mimetype="text/xml")

    @app.post("/sounds")
    def sounds() -> Response:
        return Response(
            '<Response><Say loop="2">Hi</Say><Play digits="1w2"/>'
            '<Play loop="0">https://example.com/hold.mp3</Play><Pause length="3"/></Response>',
            mimetype="text/xml",
        )

    @app.post("/unicode")
    def unicode() -> Response:
        twiml = "<Response><Message>Olá, ça va ✓</Message></Response>".encode()
        return Response(twiml, content_type="text/xml")  # no charset: UTF-8, as Twilio reads

    @app.post("/html")
    def html() -> Response:
        return Response("<html></html>", mimetype="text/html")

    @app.post("/boom")
    def boom() -> Response:
        return Response("oops", status=500)

    @app.post("/slow")
    def slow() -> Response:
        time.sleep(1.5)
        return Response("<Response/>", mimetype="text/xml")

    return app


@pytest.fixture
def seen() -> list[dict[str, str]]:
    return []


@pytest.fixture
def url(live_server: Callable[[Any], Any], seen: list[dict[str, str]]) -> str:
    return str(live_server(make_app(seen)).url)


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run ``twhooks ARGS`` in-process; returns (exit status, stdout, stderr)."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return status, out, err

    return run


def test_chat_sends_each_line_and_keeps_cookies(run: Any, url: str) -> None:
    status, out, err = run("chat", url + "/twilio/messages", stdin="HELP\nhi\nhi\n")
    assert (status, err) == (0, "")
    assert out.splitlines()[1:] == [
        "> HELP",
        "< Reply BAL for your balance.",
        "> hi",
        "< hi #1",
        "> hi",
        "< hi #2",
    ]


def test_chat_prints_media_and_sends_status_callbacks(
    run: Any, url: str, seen: list[dict[str, str]]
) -> None:
    status, out, _ = run(
        "chat",
        url + "/twilio/messages",
        "--from",
        "+447700900123",
        "--status-callback",
        "/twilio/messages/status",
        stdin="CAT\n",
    )
    assert status == 0
    assert "< A cat.\n  [media] https://example.com/cat.jpg\n" in out
    assert (
        f"  [message status] queued, sent, delivered → {url}/twilio/messages/status: HTTP 204\n"
        in out
    )
    assert [form["MessageStatus"] for form in seen[1:]] == ["queued", "sent", "delivered"]
    assert seen[0]["From"] == seen[-1]["To"] == "+447700900123"


def test_a_failing_status_callback_is_reported(run: Any, url: str) -> None:
    status, out, err = run(
        "chat", url + "/twilio/messages", "--status-callback", "/boom", stdin="HELP\n"
    )
    assert status == 1
    assert "< Reply BAL for your balance." in out
    assert f"the message status callback {url}/boom answered HTTP 500" in err


def test_chat_warns_about_voice_verbs_beside_a_message(run: Any, url: str) -> None:
    status, out, _ = run("chat", url + "/mixed-twiml", stdin="hi\n")
    assert status == 0
    assert "< Hi\n  [warning] <Say> is not a messaging verb" in out


def test_twiml_without_a_charset_is_read_as_utf_8(run: Any, url: str) -> None:
    status, out, _ = run("chat", url + "/unicode", stdin="hi\n")
    assert status == 0
    assert "< Olá, ça va ✓\n" in out


def test_chat_stops_a_redirect_loop(run: Any, url: str) -> None:
    status, _, err = run("chat", url + "/loop", stdin="hi\n")
    assert status == 1
    assert "more than 50 TwiML documents" in err


def test_call_walks_the_menu_to_the_recording_and_hangs_up(
    run: Any, url: str, seen: list[dict[str, str]]
) -> None:
    status, out, err = run(
        "call",
        url + "/twilio/voice",
        "--status-callback",
        "/twilio/voice/status",
        stdin="1\nhello there friend\n",
    )
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[1:] == [
        "  [say] Press 1 to leave a message.",
        "  [gather] dtmf, 1 digit(s)",
        "keys> 1",
        "  [say] Speak after the beep.",
        "  [record] (beep)",
        "say (Enter ends the recording; alone: silence)> hello there friend",
        "  [say] Saved 3 seconds.",
        "  [hangup]",
        f"  [call status] completed → {url}/twilio/voice/status: HTTP 204",
        f"  [recording] completed → {url}/twilio/voice/recording: HTTP 204",
        "Call ended (hangup).",
    ]
    assert [form["path"] for form in seen] == [
        "/twilio/voice",
        "/twilio/voice/menu",
        "/twilio/voice/saved",
        "/twilio/voice/status",
        "/twilio/voice/recording",
    ]
    assert len({form["CallSid"] for form in seen}) == 1


def test_call_prints_what_the_caller_hears(run: Any, url: str) -> None:
    status, out, _ = run("call", url + "/sounds")
    assert status == 0
    assert out.splitlines()[1:] == [
        "  [say] Hi (x2)",
        "  [play] (keys 1w2)",
        "  [play] https://example.com/hold.mp3 (until hangup)",
        "  (pause 3 s)",
        "Call ended (completed).",
    ]


def test_call_with_get(run: Any, url: str, seen: list[dict[str, str]]) -> None:
    status, out, _ = run("call", url + "/twilio/voice", "--method", "GET", stdin="\n")
    assert status == 0
    assert "  [say] Goodbye." in out
    assert seen[0]["CallStatus"] == "ringing"  # read from the query string


def test_call_no_input_goes_on_after_the_gather(run: Any, url: str) -> None:
    status, out, _ = run("call", url + "/twilio/voice", stdin="\n")
    assert status == 0
    assert out.splitlines()[-3:] == ["keys> ", "  [say] Goodbye.", "Call ended (completed)."]


def test_call_end_of_input_hangs_up(run: Any, url: str, seen: list[dict[str, str]]) -> None:
    status, out, _ = run(
        "call", url + "/twilio/voice", "--status-callback", "/twilio/voice/status", stdin=""
    )
    assert status == 0
    assert out.splitlines()[-1] == "Call ended (you hung up)."
    assert seen[-1]["CallStatus"] == "completed"


@pytest.mark.parametrize(
    ("outcome", "said"), [("", "completed"), ("busy", "busy"), ("no-answer", "no-answer")]
)
def test_call_asks_how_a_dial_ends(run: Any, url: str, outcome: str, said: str) -> None:
    status, out, _ = run("call", url + "/twilio/voice", stdin=f"0\n{outcome}\n")
    assert status == 0
    assert "  [dial] +14155550123" in out
    assert f"  [say] The operator was {said}." in out


def test_call_refuses_an_unknown_dial_outcome(run: Any, url: str) -> None:
    status, out, err = run("call", url + "/twilio/voice", stdin="0\nmaybe\n")
    assert status == 1
    assert "the outcome is one of: completed, busy" in out
    assert "not a dial outcome: 'maybe'" in err


def test_call_refuses_words_at_a_keys_only_gather(run: Any, url: str) -> None:
    status, _, err = run("call", url + "/twilio/voice", stdin="sales\n")
    assert status == 1
    assert "takes keys only" in err


@pytest.mark.parametrize(
    ("kind", "path", "fields", "expected"),
    [
        ("message", "/twilio/messages", ["Body=HELP"], "Reply BAL for your balance."),
        ("message_status", "/twilio/messages/status", ["MessageStatus=failed"], "HTTP 204"),
        ("call", "/twilio/voice", [], "Press 1 to leave a message."),
        ("call_status", "/twilio/voice/status", ["CallStatus=busy"], "HTTP 204"),
        ("recording_status", "/twilio/voice/recording", [], "HTTP 204"),
        # The spellings of twhooks 0.1 still work: dashes, and the old names.
        ("message-status", "/twilio/messages/status", ["MessageStatus=sent"], "HTTP 204"),
        ("call-status", "/twilio/voice/status", [], "HTTP 204"),
        ("recording", "/twilio/voice/recording", [], "HTTP 204"),
    ],
)
def test_send_one_webhook(
    run: Any,
    url: str,
    seen: list[dict[str, str]],
    kind: str,
    path: str,
    fields: list[str],
    expected: str,
) -> None:
    status, out, _ = run("send", kind, url + path, *fields)
    assert status == 0
    assert expected in out
    for field in fields:
        name, _, value = field.partition("=")
        assert seen[-1][name] == value


QUERIES = [
    "?name=O'Brien",
    "?x=a b",
    "?x=café",
    "?x=%7E~",
    "?x=%7e",
    "?x=[1]",
    '?x=<"|>',
    "?x=100%",
]


@pytest.mark.parametrize("query", QUERIES)
def test_urls_are_signed_as_they_go_on_the_wire(
    run: Any, url: str, seen: list[dict[str, str]], query: str
) -> None:
    status, out, _ = run("send", "message", f"{url}/twilio/messages{query}", "Body=HELP")
    assert status == 0, out
    assert "Reply BAL" in out


def test_send_with_get_signs_the_query_string(run: Any, url: str) -> None:
    status, out, _ = run("send", "call", url + "/twilio/voice?lang=en", "--method", "GET")
    assert status == 0
    assert "Press 1" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chat", "{url}/twilio/messages", "--auth-token", "wrong"], "TWHOOKS_PUBLIC_URL"),
        (["chat", "{url}/html"], "not TwiML (text/html)"),
        (["chat", "{url}/boom"], "HTTP 500"),
        (["call", "{url}/boom"], "the app failed"),
        (["chat", "{url}/slow", "--timeout", "0.3"], "no answer from"),
        (["chat", "http://127.0.0.1:{closed}/twilio/messages"], "cannot connect to"),
        (["chat", "ftp://example.com/x"], "not an http(s) URL"),
        (["chat", "http://exa mple.com:99999/"], "http://exa mple.com:99999/"),
        (["send", "message", "{url}/twilio/messages", "Body"], "a field is Name=value"),
        (["send", "message", "{url}/nowhere"], "the app answered HTTP 404"),
        (["chat", "{url}/"], "no webhook there: twhooks serves /messages and /voice under"),
    ],
    ids=[
        "forbidden",
        "not-twiml",
        "server-error",
        "server-error-call",
        "timeout",
        "refused",
        "bad-scheme",
        "bad-url",
        "bad-field",
        "not-found",
        "not-a-webhook",
    ],
)
def test_errors_are_one_clear_line_and_status_1(
    run: Any, url: str, args: list[str], message: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    argv = [arg.format(url=url, closed=closed) for arg in args]
    status, _, err = run(*argv, stdin="hi\n")
    assert status == 1
    assert err.startswith("twhooks: error: ")
    assert message in err


@pytest.mark.parametrize("timeout", ["0", "-1", "soon", "nan"])
def test_a_bad_timeout_is_a_usage_error(
    run: Any, timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["chat", "http://127.0.0.1:1/", "--timeout", timeout])
    assert stopped.value.code == 2
    assert "a number of seconds above 0" in capsys.readouterr().err


def test_no_token_is_a_usage_error(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    status, _, err = run("chat", "http://127.0.0.1:1/twilio/messages")
    assert status == 2
    assert "no auth token" in err


def test_unsigned_requests_are_refused_by_the_app(
    run: Any, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    status, _, err = run("send", "message", url + "/twilio/messages", "--unsigned")
    assert status == 1
    assert "HTTP 403" in err


# -- against the example app -----------------------------------------------------------------


@pytest.fixture
def example_url(live_server: Callable[[Any], Any]) -> str:
    from example_app import create_app

    config = {"SECRET_KEY": "test", "TWILIO_AUTH_TOKEN": TOKEN, "EXAMPLE_DASHBOARD_PASSWORD": "x"}
    return str(live_server(create_app(config)).url)


def test_chat_with_the_example_app(run: Any, example_url: str) -> None:
    status, out, err = run("chat", example_url + "/twilio/messages", stdin="JOIN\nAna\n42\nME\n")
    assert (status, err) == (0, "")
    assert out.splitlines()[1:] == [
        "> JOIN",
        "< Welcome! What is your name?",
        "> Ana",
        "< Nice to meet you, Ana. How old are you?",
        "> 42",
        "< Thanks Ana, you are signed up (42). Text ME to check.",
        "> ME",
        "< You are Ana, 42.",
    ]


def test_chat_sends_media_with_the_media_command(run: Any, example_url: str) -> None:
    status, out, _ = run(
        "chat",
        example_url + "/twilio/messages",
        stdin="/media https://example.com/cat.jpg look at this\n/media-less text\n",
    )
    assert status == 0
    assert out.splitlines()[1:4] == [
        "> /media https://example.com/cat.jpg look at this",
        "< Thanks for the 1 attachment(s)! Here it is back.",
        "  [media] https://example.com/cat.jpg",
    ]
    assert "< You said: /media-less text" in out


def test_call_the_example_app_to_voicemail(run: Any, example_url: str) -> None:
    status, out, err = run(
        "call",
        example_url + "/twilio/voice",
        "--status-callback",
        "/twilio/voice/status",
        stdin="2\nHi, please call me back.\n",
    )
    assert (status, err) == (0, "")
    assert "keys> 2" in out
    assert "  [say] Thanks, we got your message. Goodbye!" in out
    assert f"  [call status] completed → {example_url}/twilio/voice/status: HTTP 204" in out
    assert f"  [transcription] completed → {example_url}/twilio/voice/transcription" in out
    assert out.splitlines()[-1] == "Call ended (hangup)."


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_an_interactive_session_in_a_real_terminal(url: str) -> None:
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [_console_script(), "chat", url + "/twilio/messages"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        # A dumb terminal: readline then writes no escape codes (bracketed paste…).
        env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "TERM": "dumb"},
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes, after: int = 0) -> int:
        """Read until *marker* shows up after offset *after*; its end offset."""
        nonlocal output
        deadline = time.monotonic() + 20
        while (found := output.find(marker, after)) < 0 and time.monotonic() < deadline:
            try:
                output += os.read(controller, 4096)
            except OSError:  # the terminal closed
                break
        return found + len(marker)

    try:
        prompt = read_until(b"> ")
        os.write(controller, b"HELP\r")
        read_until(b"> ", read_until(b"balance.", prompt))
        os.write(controller, b"\x04")  # Ctrl-D at the prompt ends the chat
        assert process.wait(timeout=20) == 0
        read_until(b"never")  # the rest, until the terminal closes
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode()).replace("\r\n", "\n")
    assert "> HELP\n< Reply BAL for your balance.\n> \n" in text


def _console_script() -> str:
    found = Path(sys.executable).with_name("twhooks")
    if found.exists():
        return str(found)
    script = shutil.which("twhooks")
    if script is None:
        pytest.fail("the twhooks console script is not installed (pip install -e .)")
    return script


def test_the_installed_console_script(url: str) -> None:
    result = subprocess.run(
        [_console_script(), "chat", url + "/twilio/messages"],
        input="HELP\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "< Reply BAL for your balance." in result.stdout


# -- sessions at the wrong kind of webhook -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["chat", "{url}/twilio/voice"],
            "{url}/twilio/voice is twhooks' route for call webhooks — incoming call (and its "
            "named steps, /voice/<step>) — not for incoming text messages; call it with: "
            "twhooks call {url}/twilio/voice",
        ),
        (
            ["chat", "{url}/twilio/messages/status/"],
            "is twhooks' route for message_status webhooks — message status callback — not "
            "for incoming text messages; send one with: twhooks send message_status",
        ),
        (
            ["call", "{url}/twilio/messages"],
            "{url}/twilio/messages is twhooks' route for message webhooks — incoming SMS, "
            "MMS or WhatsApp — not for incoming calls; text it with: "
            "twhooks chat {url}/twilio/messages",
        ),
        (
            ["chat", "{url}/voice-twiml"],
            "{url}/voice-twiml answered voice TwiML (<Say>), not messaging TwiML: is it the "
            "voice webhook? Call it with: twhooks call {url}/voice-twiml",
        ),
        (
            ["chat", "{url}/menu-loop"],
            "is there a <Redirect> loop? The answers hold voice verbs (<Gather>): "
            "is it the voice webhook?",
        ),
        (
            ["call", "{url}/sms-twiml"],
            "{url}/sms-twiml answered messaging TwiML (<Message>), not voice TwiML: is it the "
            "messaging webhook? Text it with: twhooks chat {url}/sms-twiml",
        ),
    ],
    ids=[
        "chat-voice-route",
        "chat-callback-route",
        "call-messages-route",
        "chat-voice-twiml",
        "chat-voice-loop",
        "call-messaging-twiml",
    ],
)
def test_a_session_at_the_wrong_kind_of_webhook_says_so(
    run: Any, url: str, seen: list[dict[str, str]], args: list[str], message: str
) -> None:
    status, _, err = run(*(arg.format(url=url) for arg in args), stdin="hi\n")
    assert status == 1
    assert message.format(url=url) in err
    if "twhooks' route" in message:
        assert seen == []  # nothing was sent


def test_media_without_a_url_prints_the_usage(
    run: Any, url: str, seen: list[dict[str, str]]
) -> None:
    status, out, _ = run("chat", url + "/twilio/messages", stdin="/media\n/media look\nHELP\n")
    assert status == 0
    assert out.splitlines()[1:] == [
        "> /media",
        "  usage: /media URL [URL ...] [text]: sends an MMS with the media at URL",
        "> /media look",
        "  usage: /media URL [URL ...] [text]: sends an MMS with the media at URL",
        "> HELP",
        "< Reply BAL for your balance.",
    ]
    assert [form["Body"] for form in seen] == ["HELP"]


@pytest.fixture
def get_url(live_server: Callable[[Any], Any]) -> str:
    """A messaging webhook that takes GET, behind the signature middleware."""
    app = Flask(__name__)
    app.wsgi_app = TwilioSignatureMiddleware(app.wsgi_app, auth_token=TOKEN)  # type: ignore[method-assign]

    @app.get("/sms")
    def sms() -> Response:
        twiml = f"<Response><Message>got {request.args['Body']}</Message></Response>"
        return Response(twiml, mimetype="text/xml")

    return str(live_server(app).url)


def test_chat_with_get_at_the_twhooks_messages_route(
    run: Any, url: str, seen: list[dict[str, str]]
) -> None:
    status, out, err = run("chat", url + "/twilio/messages", "--method", "GET", stdin="HELP\nhi\n")
    assert (status, err) == (0, "")
    assert "< Reply BAL for your balance." in out
    assert "< hi #1" in out  # the session cookie came back with the next GET
    assert [form["Body"] for form in seen] == ["HELP", "hi"]  # read from the query string


def test_chat_with_get(run: Any, get_url: str) -> None:
    status, out, err = run("chat", get_url + "/sms", "--method", "GET", stdin="hi there\n")
    assert (status, err) == (0, "")
    assert "< got hi there" in out


def test_a_method_the_app_does_not_take_says_so(run: Any, get_url: str) -> None:
    status, _, err = run("chat", get_url + "/sms", stdin="hi\n")
    assert status == 1
    assert "the app takes no POST requests there" in err
    assert "--method" in err
    assert "no webhook there" not in err


# -- an app behind a proxy or tunnel: --public-url ---------------------------------------------

PUBLIC = "https://abc.example.com"


@pytest.fixture
def public_url(live_server: Callable[[Any], Any], seen: list[dict[str, str]]) -> str:
    """The local address of an app that believes Twilio calls it at PUBLIC."""
    return str(live_server(make_app(seen, TWHOOKS_PUBLIC_URL=PUBLIC)).url)


def test_without_the_public_url_the_app_refuses_the_signature(run: Any, public_url: str) -> None:
    status, _, err = run("chat", public_url + "/twilio/messages", stdin="HELP\n")
    assert status == 1
    assert "--public-url" in err


def test_public_url_signs_for_it_and_sends_to_the_url_given(
    run: Any, public_url: str, seen: list[dict[str, str]]
) -> None:
    status, out, err = run(
        "chat",
        public_url + "/twilio/messages?x=1",
        "--public-url",
        PUBLIC + "/",
        "--status-callback",
        "/twilio/messages/status",
        stdin="HELP\n",
    )
    assert (status, err) == (0, "")
    assert out.startswith(f"Texting {PUBLIC}/twilio/messages?x=1 (signed for {PUBLIC}) ")
    assert "< Reply BAL for your balance." in out
    assert f"→ {PUBLIC}/twilio/messages/status: HTTP 204" in out
    assert [form["path"] for form in seen] == ["/twilio/messages"] + 3 * ["/twilio/messages/status"]


def test_public_url_from_the_environment_through_a_call(
    run: Any, public_url: str, monkeypatch: pytest.MonkeyPatch, seen: list[dict[str, str]]
) -> None:
    monkeypatch.setenv("TWHOOKS_PUBLIC_URL", PUBLIC)
    status, out, err = run(
        "call",
        public_url + "/twilio/voice",
        "--status-callback",
        "/twilio/voice/status",
        stdin="1\nhello\n",
    )
    assert (status, err) == (0, "")
    assert "  [say] Saved 1 seconds." in out
    assert f"  [recording] completed → {PUBLIC}/twilio/voice/recording: HTTP 204" in out
    assert [form["path"] for form in seen][:3] == [
        "/twilio/voice",
        "/twilio/voice/menu",
        "/twilio/voice/saved",
    ]


def test_send_with_public_url(run: Any, public_url: str) -> None:
    status, out, _ = run(
        "send", "amd", public_url + "/twilio/voice/amd", "AnsweredBy=fax", "--public-url", PUBLIC
    )
    assert (status, out.splitlines()[0]) == (0, "HTTP 204 No Content")


@pytest.mark.parametrize("public", ["abc.example.com", "ftp://x.example", "https://x.example/?a=1"])
def test_a_bad_public_url_is_a_usage_error(
    run: Any, public: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["chat", "http://127.0.0.1:1/twilio/messages", "--public-url", public])
    assert stopped.value.code == 2
    assert "the app's public base URL" in capsys.readouterr().err


# -- the command line itself -------------------------------------------------------------------


def test_send_lists_the_kinds_by_their_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["send", "--help"])
    out = capsys.readouterr().out
    for kind in KINDS.values():
        assert f"  {kind.name} " in out
    assert not re.search(r"^  (message-status|recording|conference)\s", out, re.MULTILINE)


def test_send_an_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["send", "fax", "http://127.0.0.1:1/"])
    assert stopped.value.code == 2
    assert "unknown kind of webhook 'fax'; one of: message, message_status" in (
        capsys.readouterr().err
    )


def test_help_imports_neither_the_simulator_nor_requests() -> None:
    # What `twhooks --help` costs is what it imports: the sessions come only with a command
    # (beyond what `import twhooks` itself loads).
    code = (
        "import sys\n"
        "import twhooks\n"
        "before = set(sys.modules)\n"
        "from twhooks.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['requests', 'twhooks.simulator', 'twhooks.kinds', 'twhooks.twiml', 'lxml']\n"
        "print(sorted(name for name in heavy if name in set(sys.modules) - before))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("url", "sent_to", "forwarded_host"),
    [
        (f"{PUBLIC}/twilio/messages?x=1", "http://127.0.0.1:5000/twilio/messages?x=1", True),
        (f"{PUBLIC}", "http://127.0.0.1:5000", True),
        (f"{PUBLIC}.evil.example/twilio", f"{PUBLIC}.evil.example/twilio", False),
        ("https://elsewhere.example/x", "https://elsewhere.example/x", False),
    ],
    ids=["under-the-public-url", "the-public-url", "a-longer-host", "elsewhere"],
)
def test_the_transport_forwards_only_what_is_under_the_public_url(
    url: str, sent_to: str, forwarded_host: bool
) -> None:
    transport = RequestsTransport(forward=(PUBLIC + "/", "http://127.0.0.1:5000"))
    target, headers = transport.destination(Request("POST", url, (), {}))
    assert target == sent_to
    assert ("X-Forwarded-Host" in headers) is forwarded_host
    if forwarded_host:
        assert headers["X-Forwarded-Host"] == "abc.example.com"
        assert headers["X-Forwarded-Proto"] == "https"


def test_the_transport_keeps_the_public_urls_credentials() -> None:
    transport = RequestsTransport(forward=("https://u:p@abc.example.com", "http://127.0.0.1:1"))
    target, headers = transport.destination(
        Request("POST", "https://u:p@abc.example.com/twilio/voice", (), {})
    )
    assert target == "http://u:p@127.0.0.1:1/twilio/voice"
    assert headers["X-Forwarded-Host"] == "abc.example.com"
