"""Structured log fields: every twhooks record of a webhook carries its kind, SIDs, outcome and
request id; the app's own records get them through the filter; no secret is ever in one."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from _logs import Capture
from _signing import TOKEN, signed_post
from flask import Flask

from twhooks import TwilioHooks
from twhooks.observability import WebhookLogFields, current_webhook
from twhooks.observability.logfields import FIELDS, TWHOOKS_LOGGERS

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "AC" + "a" * 32
MESSAGE = "SM" + "b" * 32
PASSWORD = "s3cret-basic-pass"
SMS = {"AccountSid": ACCOUNT, "MessageSid": MESSAGE, "From": "+15550001111", "Body": "hi"}


def make_app(**config: Any) -> tuple[Flask, TwilioHooks]:
    app = Flask(__name__)
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="k", **config)
    hooks = TwilioHooks(app)
    seen: list[Any] = []
    app.extensions["seen"] = seen

    @hooks.message()
    def reply(msg: Any) -> str:
        seen.append(current_webhook())
        logging.getLogger("myapp").info("handling %s", msg.body)
        if msg.body == "boom":
            raise RuntimeError("boom")
        return "ok"

    return app, hooks


def test_a_handled_webhook_has_its_fields_on_twhooks_and_app_records(capture: Capture) -> None:
    app, _ = make_app()
    response = signed_post(app.test_client(), "/twilio/messages", SMS)
    assert response.status_code == 200
    [line] = capture.of("twhooks.webhooks")
    assert line["kind"] == "message"
    assert line["outcome"] == "handled"
    assert line["account_sid"] == ACCOUNT
    assert line["message_sid"] == MESSAGE
    assert line["handler"].endswith("reply")
    assert line["status"] == 200
    assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
    # The app's own record, during the handler, carries the same request id.
    [own] = capture.of("myapp")
    assert own["request_id"] == line["request_id"]
    assert own["message_sid"] == MESSAGE
    [fields] = app.extensions["seen"]
    assert fields.request_id == line["request_id"] and fields.kind == "message"
    # The thread that served it starts the next request without them.
    assert current_webhook() is None


def test_each_request_has_its_own_request_id(capture: Capture) -> None:
    app, _ = make_app()
    client = app.test_client()
    for _ in range(3):
        signed_post(client, "/twilio/messages", SMS)
    ids = {line["request_id"] for line in capture.of("twhooks.webhooks")}
    assert len(ids) == 3


def test_a_refused_request_logs_refused_without_the_sids_it_claims(capture: Capture) -> None:
    app, _ = make_app()
    response = app.test_client().post(
        "/twilio/messages", data=SMS, headers={"X-Twilio-Signature": "forged"}
    )
    assert response.status_code == 403
    [warning] = capture.of("twhooks.dispatch")
    [line] = capture.of("twhooks.webhooks")
    assert warning["outcome"] == line["outcome"] == "refused"
    assert warning["request_id"] == line["request_id"]
    assert line["kind"] == "message" and line["status"] == 403
    assert "message_sid" not in line and "account_sid" not in line
    assert app.extensions["seen"] == []


def test_a_failed_handler_is_failed(capture: Capture) -> None:
    app, _ = make_app()
    app.testing = False  # the 500, not the exception, reaches the client
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = signed_post(app.test_client(), "/twilio/messages", {**SMS, "Body": "boom"})
    assert response.status_code == 500
    [line] = capture.of("twhooks.webhooks")
    assert line["outcome"] == "failed" and line["status"] == 500


def test_a_retry_is_replayed(capture: Capture) -> None:
    app, _ = make_app()
    client = app.test_client()
    token = {"I-Twilio-Idempotency-Token": "retry-token-1"}
    signed_post(client, "/twilio/messages", SMS, headers=token)
    signed_post(client, "/twilio/messages", SMS, headers=token)
    outcomes = [line["outcome"] for line in capture.of("twhooks.webhooks")]
    assert outcomes == ["handled", "replayed"]
    assert {line["idempotency_token"] for line in capture.of("twhooks.webhooks")} == {
        "retry-token-1"
    }


def test_no_secret_is_ever_in_a_record(capture: Capture) -> None:
    # The auth token, every signature sent, and a password in the public URL (Twilio's
    # basic-auth webhook URLs): in no record's text, attributes or JSON.
    public = f"https://twilio:{PASSWORD}@hooks.example.com"
    app, _ = make_app(TWHOOKS_PUBLIC_URL=public, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    signatures = []
    for body, token in (("hi", TOKEN), ("boom", TOKEN), ("hi", "wrong-token-0123456789")):
        response = signed_post(
            client,
            "/twilio/messages",
            {**SMS, "Body": body},
            token=token,
            base_url=public,
            headers={"I-Twilio-Idempotency-Token": f"t-{body}-{token[:4]}"},
        )
        signatures.append(response.request.headers["X-Twilio-Signature"])
        assert response.status_code in (200, 403, 500)
    forged = client.post("/twilio/messages", data=SMS, headers={"X-Twilio-Signature": "x" * 28})
    assert forged.status_code == 403
    assert len(capture.records) > 6
    secrets = [TOKEN, PASSWORD, *signatures]
    for record, line in zip(capture.records, capture.lines, strict=True):
        text = line + repr(record.__dict__) + record.getMessage()
        for secret in secrets:
            assert secret not in text, (secret, line)


def test_the_json_formatter_writes_one_object_per_record(capture: Capture) -> None:
    app, _ = make_app()
    signed_post(app.test_client(), "/twilio/messages", SMS)
    for line in capture.lines:
        parsed = json.loads(line)
        assert {"time", "level", "logger", "message"} <= parsed.keys()
        assert parsed["time"].endswith("Z")
        assert set(parsed) - {"time", "level", "logger", "message", "exception"} <= {
            *FIELDS,
            "status",
            "duration_ms",
            "reason",
        }


def test_an_attribute_the_record_has_is_kept(capture: Capture) -> None:
    app, hooks = make_app()

    @hooks.message(keyword="MINE")
    def mine(msg: Any) -> str:
        logging.getLogger("myapp").info("mine", extra={"kind": "the app's own"})
        return "ok"

    signed_post(app.test_client(), "/twilio/messages", {**SMS, "Body": "MINE"})
    [own] = capture.of("myapp")
    assert own["kind"] == "the app's own" and own["message_sid"] == MESSAGE


def test_every_twhooks_logger_has_the_filter() -> None:
    named = set()
    for path in (ROOT / "twhooks").rglob("*.py"):
        text = path.read_text()
        named |= set(re.findall(r'getLogger\("(twhooks[\w.]*)"\)', text))
        if "getLogger(__name__)" in text:
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            named.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert named, "no logger found: the scan is broken"
    missing = named - set(TWHOOKS_LOGGERS)
    assert not missing, f"add to TWHOOKS_LOGGERS: {sorted(missing)}"
    for name in TWHOOKS_LOGGERS:
        assert any(isinstance(f, WebhookLogFields) for f in logging.getLogger(name).filters)


def _session_app(framework: str) -> Any:
    """An app whose relay handler logs a line of its own and answers each prompt."""
    from twhooks.realtime.handlers import RealtimeHandlers

    handlers = RealtimeHandlers()
    log = logging.getLogger("myapp")
    if framework == "quart":
        from quart import Quart

        from twhooks.quart import mount_quart

        app: Any = Quart(__name__)

        @handlers.relay()
        async def agent(session: Any) -> None:
            async for prompt in session.prompts():
                log.info("heard %s", prompt.text)
                await session.say("ok")

        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        mount_quart(app, handlers)
    else:
        from twhooks.flask.sockets import mount_flask

        app = Flask(__name__)

        @handlers.relay()
        def sync_agent(session: Any) -> None:
            for prompt in session.prompts():
                log.info("heard %s", prompt.text)
                session.say("ok")

        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        mount_flask(app, handlers)
    return app


@pytest.mark.parametrize("framework", ["flask", "quart"])
def test_a_voice_session_has_its_fields(
    capture: Capture, framework: str, live_server: Any, serve: Any
) -> None:
    # The handler's own records, during a ConversationRelay session, carry its kind, its
    # CallSid (the upgrade's signature covers it) and its AccountSid.
    from twilio.request_validator import RequestValidator

    from twhooks.realtime.testing import RelayCaller, new_call_sid

    app = _session_app(framework)
    server = serve(app) if framework == "quart" else live_server(app)
    call_sid = new_call_sid()
    path = f"127.0.0.1:{server.port}/twilio/relay/{call_sid}"
    signature = str(RequestValidator(TOKEN).compute_signature(f"wss://{path}", {}))
    with RelayCaller(f"ws://{path}", None, signature=signature) as caller:
        caller.say("hello")
        assert caller.answer() == "ok"
    [own] = capture.of("myapp")
    assert own["kind"] == "relay"
    assert own["call_sid"] == call_sid
    assert own["account_sid"].startswith("AC")
    assert re.fullmatch(r"[0-9a-f]{16}", own["request_id"])
