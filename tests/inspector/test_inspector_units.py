"""The inspector's pure parts: settings, password, CSRF, redaction, summaries, commands."""

from __future__ import annotations

import base64
import shlex
from urllib.parse import parse_qsl

import pytest

from twhooks import ConfigurationError
from twhooks.inspector import InspectorSettings, check_settings
from twhooks.inspector.auth import new_csrf_token, password_matches, same_token
from twhooks.inspector.commands import curl_command, send_command
from twhooks.inspector.redact import redact_url
from twhooks.inspector.summary import Step, pretty, summarize
from twhooks.store import HistoryRecord

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

# -- settings --------------------------------------------------------------------------------


def test_off_by_default() -> None:
    assert check_settings({}, debug=False) == InspectorSettings(False, None)


@pytest.mark.parametrize(
    ("config", "debug", "expected"),
    [
        ({"TWHOOKS_INSPECTOR": True}, True, InspectorSettings(True, None)),
        (
            {"TWHOOKS_INSPECTOR": True, "TWHOOKS_INSPECTOR_PASSWORD": "pw"},
            False,
            InspectorSettings(True, "pw"),
        ),
    ],
    ids=["debug", "password"],
)
def test_on_with_debug_or_a_password(
    config: dict[str, object], debug: bool, expected: object
) -> None:
    assert check_settings(config, debug) == expected


def test_on_without_debug_or_password_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR_PASSWORD"):
        check_settings({"TWHOOKS_INSPECTOR": True}, debug=False)


@pytest.mark.parametrize(
    "config",
    [
        {"TWHOOKS_INSPECTOR": "yes"},
        {"TWHOOKS_INSPECTOR": True, "TWHOOKS_INSPECTOR_PASSWORD": ""},
        {"TWHOOKS_INSPECTOR": True, "TWHOOKS_INSPECTOR_PASSWORD": 1234},
    ],
    ids=["not-bool", "empty-password", "int-password"],
)
def test_malformed_settings(config: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="TWHOOKS_INSPECTOR"):
        check_settings(config, debug=True)


def test_the_settings_never_show_the_password() -> None:
    assert "s3cret" not in repr(InspectorSettings(True, "s3cret"))


# -- password and CSRF -----------------------------------------------------------------------


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (_basic("anyone", "pw:with:colons"), True),
        (_basic("", "pw:with:colons"), True),
        (_basic("anyone", "wrong"), False),
        ("Bearer pw:with:colons", False),
        ("Basic !!!not-base64", False),
        ("Basic " + base64.b64encode(b"no-colon").decode(), False),
        ("", False),
        (None, False),
    ],
    ids=["right", "no-user", "wrong", "bearer", "garbage", "no-colon", "empty", "none"],
)
def test_password_matches(header: str | None, ok: bool) -> None:
    assert password_matches(header, "pw:with:colons") is ok


def test_csrf_tokens() -> None:
    token = new_csrf_token()
    assert len(token) >= 40 and token != new_csrf_token()
    assert same_token(token, token)
    assert not same_token(token, token[:-1] + "x")
    assert not same_token(None, token) and not same_token(token, "") and not same_token("", "")


# -- redaction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://user:secret@example.com/twilio/messages",
            "https://***@example.com/twilio/messages",
        ),
        ("https://secret@example.com:8443/x?a=1", "https://***@example.com:8443/x?a=1"),
        ("https://example.com/x?email=a@b.c", "https://example.com/x?email=a@b.c"),
        ("http://localhost/twilio/voice", "http://localhost/twilio/voice"),
    ],
    ids=["user-password", "user-port", "at-in-query", "plain"],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


# -- summaries -------------------------------------------------------------------------------


def test_summary_of_a_voice_reply() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        '<Gather input="dtmf" numDigits="1" action="/twilio/voice/menu">'
        '<Say voice="alice">Press 1 for sales</Say><!-- a comment --></Gather>'
        '<Play>https://example.com/hold.mp3</Play><Pause length="2"/>'
        "<Dial><Number>+15550001111</Number></Dial>"
        '<Redirect method="POST">/twilio/voice/again</Redirect><Hangup/></Response>'
    )
    assert summarize(xml) == [
        Step("gather", "waits for an answer (input=dtmf, numDigits=1, action=/twilio/voice/menu)"),
        Step("say", "Press 1 for sales (voice=alice)", 1),
        Step("play", "https://example.com/hold.mp3"),
        Step("pause", "2 s of silence"),
        Step("dial", "+15550001111"),
        Step("redirect", "/twilio/voice/again (method=POST)"),
        Step("hangup", "ends the call"),
    ]


def test_summary_of_a_messaging_reply() -> None:
    xml = (
        "<Response><Message>Plain</Message>"
        "<Message><Body>With media</Body><Media>https://example.com/cat.jpg</Media></Message>"
        "</Response>"
    )
    assert summarize(xml) == [
        Step("message", "Plain"),
        Step("message", "With media"),
        Step("media", "https://example.com/cat.jpg"),
    ]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("<Response/>", []),
        ("Thanks!", None),
        ("", None),
        ("<Response><Message>unclosed", None),
        ("<html><body>error</body></html>", None),
        ('<!DOCTYPE r [<!ENTITY x "boom">]><Response><Say>&x;</Say></Response>', None),
    ],
    ids=["empty-response", "text", "empty", "broken", "html", "doctype"],
)
def test_summary_of_what_is_not_twiml(reply: str, expected: object) -> None:
    assert summarize(reply) == expected


def test_pretty_indents_xml_and_leaves_the_rest() -> None:
    assert pretty("<Response><Say>Hi</Say></Response>") == (
        "<Response>\n  <Say>Hi</Say>\n</Response>"
    )
    assert pretty("Forbidden") == "Forbidden"


# -- commands --------------------------------------------------------------------------------


def _record(**kw: object) -> HistoryRecord:
    values: dict[str, object] = {
        "kind": "message",
        "method": "POST",
        "url": "https://user:pw@example.com/twilio/messages",
        "params": {"From": "+15551230000", "Body": "it's <me> & $HOME"},
        "verified": True,
        "verdict": "valid",
        "status": 200,
    }
    values.update(kw)
    return HistoryRecord(**values)  # type: ignore[arg-type]


def test_send_command_round_trips_through_the_shell() -> None:
    words = shlex.split(send_command(_record()))
    assert words == [
        "twhooks",
        "send",
        "message",
        "https://***@example.com/twilio/messages",
        "From=+15551230000",
        "Body=it's <me> & $HOME",
    ]


def test_send_command_of_a_get() -> None:
    record = _record(method="GET", url="http://h/twilio/voice?From=%2B1", params={"From": "+1"})
    assert shlex.split(send_command(record)) == [
        "twhooks",
        "send",
        "message",
        "http://h/twilio/voice",
        "--method=GET",
        "From=+1",
    ]


def test_curl_command_carries_the_params_and_no_secret() -> None:
    command = curl_command(_record())
    assert "pw" not in command.replace("pw:", "")  # no password anywhere
    words = shlex.split(command)
    assert words[:5] == ["curl", "-sS", "-X", "POST", "-H"]
    assert words[5] == "X-Twilio-Signature: $SIGNATURE"  # left for the shell to expand
    assert dict(parse_qsl(words[words.index("--data-raw") + 1])) == _record().params
    assert words[-1] == "https://***@example.com/twilio/messages"
