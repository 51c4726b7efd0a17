"""The Flask extension: routes, settings, signature checks, errors and URLs.

Requests are signed with the official twilio SDK (see ``_signing.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from _signing import TOKEN, official_signature, signed_get, signed_post
from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.middleware.proxy_fix import ProxyFix

from twhooks import (
    KINDS,
    Call,
    CallStatus,
    ConfigurationError,
    HandlerError,
    IncomingMessage,
    MessageStatus,
    TwilioHooks,
    TwilioSignatureMiddleware,
)

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

SMS = {
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "To": "+15005550006",
    "Body": "hello",
    "NumMedia": "0",
}
CALL = {
    "CallSid": "CA0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "To": "+15005550006",
    "CallStatus": "ringing",
    "Direction": "inbound",
}
EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def make_app(**config: Any) -> tuple[Flask, TwilioHooks, list[Any]]:
    """An app whose catch-all handlers record the events they get."""
    app = Flask(__name__)
    app.config.update({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": "test-secret", **config})
    hooks = TwilioHooks(app)
    seen: list[Any] = []

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        seen.append(msg)
        return f"You said {msg.body}"

    @hooks.call()
    def incoming(call: Call) -> str:
        seen.append(call)
        return "Hello"

    @hooks.call("menu")
    def menu(call: Call) -> str:
        seen.append(call)
        return f"You pressed {call.digits}"

    @hooks.message_status()
    def on_status(status: MessageStatus) -> None:
        seen.append(status)

    return app, hooks, seen


class TestRoutes:
    EXPECTED = {
        "/twilio/messages": ("twhooks.message", {"GET", "POST"}),
        "/twilio/messages/status": ("twhooks.message_status", {"POST"}),
        "/twilio/voice": ("twhooks.call", {"GET", "POST"}),
        "/twilio/voice/<step>": ("twhooks.call_step", {"GET", "POST"}),
        "/twilio/voice/status": ("twhooks.call_status", {"POST"}),
        "/twilio/voice/recording": ("twhooks.recording_status", {"POST"}),
        "/twilio/voice/transcription": ("twhooks.transcription", {"POST"}),
        "/twilio/voice/conference": ("twhooks.conference_status", {"POST"}),
        "/twilio/voice/amd": ("twhooks.amd", {"POST"}),
    }

    def test_route_table(self) -> None:
        app, _, _ = make_app()
        rules = {
            rule.rule: (rule.endpoint, set(rule.methods or ()) - {"HEAD", "OPTIONS"})
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("twhooks.")
        }
        assert rules == self.EXPECTED
        assert "twhooks" in app.blueprints

    @pytest.mark.parametrize(
        ("prefix", "path"),
        [
            pytest.param("/hooks/", "/hooks/messages", id="trailing-slash"),
            pytest.param("hooks", "/hooks/messages", id="no-leading-slash"),
            pytest.param("", "/messages", id="root"),
        ],
    )
    def test_url_prefix(self, prefix: str, path: str) -> None:
        app, _, _ = make_app(TWHOOKS_URL_PREFIX=prefix)
        response = signed_post(app.test_client(), path, SMS)
        assert response.status_code == 200

    @pytest.mark.parametrize("path", ["/twilio/messages/", "/twilio/voice/menu/"])
    def test_a_trailing_slash_is_accepted(self, path: str) -> None:
        app, _, seen = make_app()
        assert signed_post(app.test_client(), path, SMS).status_code == 200
        assert len(seen) == 1

    def test_init_app_later_and_state_in_app_extensions(self) -> None:
        hooks = TwilioHooks()

        @hooks.message()
        def echo(msg: IncomingMessage) -> str:
            return msg.body

        apps = []
        for token in ("token-one", "token-two"):
            app = Flask(__name__)
            app.config["TWILIO_AUTH_TOKEN"] = token
            hooks.init_app(app)
            apps.append(app)
            assert app.extensions["twhooks"].hooks is hooks
        assert not hasattr(hooks, "app")
        for app, token in zip(apps, ("token-one", "token-two"), strict=True):
            client = app.test_client()
            assert signed_post(client, "/twilio/messages", SMS, token=token).status_code == 200
            assert signed_post(client, "/twilio/messages", SMS, token="other").status_code == 403

    def test_each_webhook_endpoint_knows_its_kind(self) -> None:
        app, _, _ = make_app()
        kinds = app.extensions["twhooks"].kinds
        endpoints = {
            r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("twhooks.")
        }
        assert set(kinds) == endpoints
        assert kinds["twhooks.call_step"] is KINDS["call"]
        assert all(kinds[f"twhooks.{name}"] is kind for name, kind in KINDS.items())

    def test_defaults_are_set_on_the_app(self) -> None:
        app, _, _ = make_app()
        assert app.config["TWHOOKS_VALIDATE"] is True
        assert app.config["TWHOOKS_URL_PREFIX"] == "/twilio"
        assert app.config["TWHOOKS_MAX_BODY_SIZE"] == 1 << 20
        assert app.config["TWHOOKS_DEDUPLICATE"] is True

    def test_decorators_return_the_function_unchanged(self) -> None:
        hooks = TwilioHooks()

        def handler(event: Any) -> None:
            return None

        for decorator in (
            hooks.message(keyword="x"),
            hooks.call("step"),
            hooks.message_status("sent"),
            hooks.call_status("completed"),
            hooks.recording_status("completed"),
            hooks.transcription("completed"),
            hooks.conference_status("participant-join"),
            hooks.amd("human"),
        ):
            assert decorator(handler) is handler
        assert hooks.error(handler) is handler

    @pytest.mark.parametrize("step", ["status", "recording", "transcription", "conference", "amd"])
    def test_reserved_step_names_raise_at_registration(self, step: str) -> None:
        with pytest.raises(HandlerError, match="reserved"):
            TwilioHooks().call(step)(lambda call: None)

    def test_a_typo_in_a_status_raises_at_registration(self) -> None:
        with pytest.raises(HandlerError, match="delivred"):
            TwilioHooks().message_status("delivred")(lambda status: None)

    @pytest.mark.parametrize("decorator", ["call", "message_status", "call_status", "amd"])
    def test_forgetting_the_parentheses_is_a_clear_error(self, decorator: str) -> None:
        with pytest.raises(HandlerError, match="parentheses"):
            getattr(TwilioHooks(), decorator)(lambda event: None)


class TestSignatureChecks:
    def test_valid_signature_runs_the_handler(self) -> None:
        app, _, seen = make_app()
        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 200
        assert [msg.body for msg in seen] == ["hello"]

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param({}, id="missing"),
            pytest.param({"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, id="forged"),
        ],
    )
    def test_bad_signature_is_403_and_no_handler_runs(
        self, headers: dict[str, str], caplog: pytest.LogCaptureFixture
    ) -> None:
        app, _, seen = make_app()
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            response = app.test_client().post("/twilio/messages", data=SMS, headers=headers)
        assert response.status_code == 403
        assert seen == []
        assert "Rejected Twilio webhook POST /twilio/messages" in caplog.text
        assert TOKEN not in caplog.text

    def test_the_rejection_log_names_the_urls_tried(self, caplog: pytest.LogCaptureFixture) -> None:
        app, _, _ = make_app()
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            signed_post(app.test_client(), "/twilio/messages", SMS, token="wrong-token")
        assert "http://localhost/twilio/messages" in caplog.text
        assert "[invalid_signature]" in caplog.text

    def test_a_tampered_parameter_is_rejected(self) -> None:
        app, _, seen = make_app()
        signature = official_signature("http://localhost/twilio/messages", SMS)
        response = app.test_client().post(
            "/twilio/messages",
            data={**SMS, "Body": "tampered"},
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code == 403 and seen == []

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(0, id="zero"),
            pytest.param("false", id="string-false"),
            pytest.param(None, id="none"),
        ],
    )
    def test_only_an_explicit_false_disables_validation(self, value: Any) -> None:
        app, _, _ = make_app(TWHOOKS_VALIDATE=value)
        assert app.test_client().post("/twilio/messages", data=SMS).status_code == 403

    def test_validation_off(self) -> None:
        app, _, seen = make_app(TWHOOKS_VALIDATE=False)
        response = app.test_client().post("/twilio/messages", data=SMS)
        assert response.status_code == 200 and seen[0].body == "hello"

    def test_debug_does_not_disable_validation(self) -> None:
        app, _, _ = make_app(DEBUG=True)
        assert app.test_client().post("/twilio/messages", data=SMS).status_code == 403

    def test_every_rotation_token_is_accepted(self) -> None:
        app, _, _ = make_app(TWILIO_AUTH_TOKEN=["new-primary", TOKEN])
        client = app.test_client()
        for token in ("new-primary", TOKEN):
            assert signed_post(client, "/twilio/messages", SMS, token=token).status_code == 200
        assert signed_post(client, "/twilio/messages", SMS, token="old").status_code == 403

    def test_subaccount_tokens(self) -> None:
        app, _, _ = make_app(TWHOOKS_ACCOUNT_TOKENS={"ACsub": "sub-token"})
        client = app.test_client()
        sub = {**SMS, "AccountSid": "ACsub"}
        assert signed_post(client, "/twilio/messages", sub, token="sub-token").status_code == 200
        assert signed_post(client, "/twilio/messages", sub, token=TOKEN).status_code == 403
        assert signed_post(client, "/twilio/messages", SMS, token=TOKEN).status_code == 200

    def test_subaccount_tokens_from_a_function(self) -> None:
        app, _, _ = make_app(TWHOOKS_ACCOUNT_TOKENS=lambda sid: "sub" if sid == "ACsub" else None)
        sub = {**SMS, "AccountSid": "ACsub"}
        response = signed_post(app.test_client(), "/twilio/messages", sub, token="sub")
        assert response.status_code == 200

    def test_shared_key_signatures(self) -> None:
        # The SDK signs with SHA-1 only: SHA-256 with a SharedKey is computed here by hand,
        # over the same string (URL + sorted name/value pairs).
        url = "http://localhost/twilio/messages"
        signed = url + "".join(name + value for name, value in sorted(SMS.items()))
        digest = hmac.new(b"key-secret", signed.encode(), hashlib.sha256).digest()
        headers = {
            "X-Twilio-Signature": base64.b64encode(digest).decode(),
            "X-Twilio-Webhooks-Signature-Settings": "key=KS1,algorithm=HMAC_SHA256",
        }
        app, _, seen = make_app(TWHOOKS_SHARED_KEYS={"KS1": "key-secret"})
        response = app.test_client().post("/twilio/messages", data=SMS, headers=headers)
        assert response.status_code == 200 and seen
        app, _, _ = make_app(TWHOOKS_SHARED_KEYS={"KS1": "other-secret"})
        response = app.test_client().post("/twilio/messages", data=SMS, headers=headers)
        assert response.status_code == 403

    def test_settings_are_read_once_at_init_app(self) -> None:
        tokens = [TOKEN]
        app, _, _ = make_app(TWILIO_AUTH_TOKEN=tokens)
        client = app.test_client()
        assert signed_post(client, "/twilio/messages", SMS).status_code == 200
        # Changed after init_app: no effect (Flask's extension guide: config is fixed then).
        app.config["TWILIO_AUTH_TOKEN"] = "rotated"
        tokens[0] = "replaced"
        assert signed_post(client, "/twilio/messages", SMS).status_code == 200
        assert signed_post(client, "/twilio/messages", SMS, token="rotated").status_code == 403

    @pytest.mark.parametrize(
        ("config", "message"),
        [
            pytest.param({"TWILIO_AUTH_TOKEN": None}, "TWILIO_AUTH_TOKEN is not set", id="missing"),
            pytest.param({"TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN is not set", id="empty"),
            pytest.param({"TWILIO_AUTH_TOKEN": 12345}, "TWILIO_AUTH_TOKEN must be", id="int"),
            pytest.param(
                {"TWILIO_AUTH_TOKEN": ["ok", ""]}, "TWILIO_AUTH_TOKEN must be", id="empty-in-list"
            ),
            pytest.param(
                {"TWHOOKS_ACCOUNT_TOKENS": 5}, "TWHOOKS_ACCOUNT_TOKENS must", id="accounts"
            ),
            pytest.param({"TWHOOKS_SHARED_KEYS": "k"}, "TWHOOKS_SHARED_KEYS must", id="keys"),
            pytest.param({"TWHOOKS_MAX_BODY_SIZE": "1M"}, "TWHOOKS_MAX_BODY_SIZE must", id="size"),
            pytest.param({"TWHOOKS_PUBLIC_URL": "host.com"}, "TWHOOKS_PUBLIC_URL must", id="url"),
        ],
    )
    def test_a_missing_or_bad_setting_fails_at_init_app_naming_it(
        self, config: dict[str, Any], message: str
    ) -> None:
        app = Flask(__name__)
        app.config.update({"TWILIO_AUTH_TOKEN": TOKEN, **config})
        with pytest.raises(ConfigurationError, match=message) as raised:
            TwilioHooks(app)
        assert TOKEN not in str(raised.value)
        assert "twhooks" not in app.blueprints

    def test_oversize_body_is_413(self, caplog: pytest.LogCaptureFixture) -> None:
        app, _, seen = make_app(TWHOOKS_MAX_BODY_SIZE=100)
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            big = {**SMS, "Body": "x" * 200}
            response = signed_post(app.test_client(), "/twilio/messages", big)
        assert response.status_code == 413 and seen == []
        assert "100-byte limit" in caplog.text

    def test_oversize_body_is_413_without_validation_too(self) -> None:
        app, _, _ = make_app(TWHOOKS_MAX_BODY_SIZE=100, TWHOOKS_VALIDATE=False)
        response = app.test_client().post("/twilio/messages", data={**SMS, "Body": "x" * 200})
        assert response.status_code == 413

    def test_public_url_behind_a_proxy(self) -> None:
        app, _, _ = make_app(TWHOOKS_PUBLIC_URL="https://hooks.example.com")
        client = app.test_client()
        public = signed_post(
            client, "/twilio/messages", SMS, base_url="http://localhost", token=TOKEN,
            headers={"X-Twilio-Signature": official_signature(
                "https://hooks.example.com/twilio/messages", SMS)},
        )  # fmt: skip
        assert public.status_code == 200
        assert signed_post(client, "/twilio/messages", SMS).status_code == 403

    def test_proxy_fix_forwarded_headers(self) -> None:
        app, _, _ = make_app()
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
        signature = official_signature("https://public.example.com/twilio/messages", SMS)
        response = app.test_client().post(
            "/twilio/messages",
            data=SMS,
            headers={
                "X-Twilio-Signature": signature,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "public.example.com",
            },
        )
        assert response.status_code == 200

    def test_signed_get_for_voice(self) -> None:
        app, _, seen = make_app()
        response = signed_get(app.test_client(), "/twilio/voice", CALL)
        assert response.status_code == 200
        assert seen[0].sid == CALL["CallSid"] and seen[0].from_ == CALL["From"]

    def test_requests_verified_by_the_middleware_are_not_checked_twice(self) -> None:
        app, _, seen = make_app(TWILIO_AUTH_TOKEN="not-the-signing-token")
        app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, auth_token=TOKEN
        )
        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 200 and seen[0].body == "hello"

    def test_the_handler_can_still_read_request_form(self) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)

        @hooks.message()
        def echo(msg: IncomingMessage) -> str:
            return request.form["Body"]

        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert b"<Message>hello</Message>" in response.data


class TestEvents:
    def test_idempotency_token_is_on_the_event(self) -> None:
        app, _, seen = make_app()
        signed_post(
            app.test_client(), "/twilio/messages", SMS,
            headers={"I-Twilio-Idempotency-Token": "a1b2c3"},
        )  # fmt: skip
        assert seen[0].idempotency_token == "a1b2c3"

    def test_step_name_is_on_the_call(self) -> None:
        app, _, seen = make_app()
        response = signed_post(app.test_client(), "/twilio/voice/menu", {**CALL, "Digits": "2"})
        assert b"<Say>You pressed 2</Say>" in response.data
        assert (seen[0].step, seen[0].digits) == ("menu", "2")

    @pytest.mark.parametrize(
        ("path", "params", "decorator", "event_type", "field", "value"),
        [
            ("/twilio/voice/status", {"CallStatus": "completed", "CallDuration": "12"},
             "call_status", CallStatus, "call_duration", 12),
            ("/twilio/voice/recording", {"RecordingStatus": "completed", "RecordingSid": "RE1"},
             "recording_status", "RecordingStatus", "sid", "RE1"),
            ("/twilio/voice/transcription",
             {"TranscriptionStatus": "completed", "TranscriptionText": "hi"},
             "transcription", "Transcription", "text", "hi"),
            ("/twilio/voice/conference",
             {"StatusCallbackEvent": "participant-join", "ConferenceSid": "CF1"},
             "conference_status", "ConferenceStatus", "sid", "CF1"),
            ("/twilio/voice/amd", {"AnsweredBy": "human", "MachineDetectionDuration": "900"},
             "amd", "AmdResult", "machine_detection_duration", 900),
        ],
        ids=["call-status", "recording", "transcription", "conference", "amd"],
    )  # fmt: skip
    def test_voice_callbacks_reach_their_decorator(
        self,
        path: str,
        params: dict[str, str],
        decorator: str,
        event_type: Any,
        field: str,
        value: Any,
    ) -> None:
        app, hooks, _ = make_app()
        got: list[Any] = []
        getattr(hooks, decorator)()(got.append)
        response = signed_post(app.test_client(), path, {**CALL, **params})
        assert response.status_code == 204 and response.data == b""
        [event] = got
        name = event_type if isinstance(event_type, str) else event_type.__name__
        assert type(event).__name__ == name
        assert getattr(event, field) == value

    def test_status_handlers_filter_by_value(self) -> None:
        app, hooks, _ = make_app()
        done: list[str] = []
        hooks.call_status("completed", "busy")(lambda status: done.append(status.status))
        client = app.test_client()
        for status in ("ringing", "in-progress", "busy", "completed"):
            signed_post(client, "/twilio/voice/status", {**CALL, "CallStatus": status})
        assert done == ["busy", "completed"]


class TestNoHandler:
    def test_unmatched_message_is_an_empty_response_and_a_hint(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)
        hooks.message(keyword="help")(lambda msg: "help")
        with caplog.at_level(logging.INFO, logger="twhooks"):
            response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert (response.status_code, response.data) == (200, EMPTY)
        assert "no @hooks.message handler matched body 'hello'" in caplog.text
        assert "add @hooks.message() as a catch-all" in caplog.text

    @pytest.mark.parametrize(
        ("path", "params", "hint"),
        [
            ("/twilio/messages", SMS, "no @hooks.message handler is registered"),
            ("/twilio/voice", CALL, "no @hooks.call() handler is registered"),
            ("/twilio/voice/menu", CALL, "no @hooks.call('menu') handler is registered"),
        ],
        ids=["message", "call", "step"],
    )
    def test_nothing_registered(
        self, path: str, params: dict[str, str], hint: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        TwilioHooks(app)
        with caplog.at_level(logging.WARNING, logger="twhooks"):
            response = signed_post(app.test_client(), path, params)
        assert (response.status_code, response.data) == (200, EMPTY)
        assert hint in caplog.text

    def test_get_on_a_post_only_callback_route_is_405(self) -> None:
        app, _, seen = make_app()
        response = signed_get(app.test_client(), "/twilio/voice/status", CALL)
        assert response.status_code == 405 and seen == []

    def test_unhandled_status_is_204(self, caplog: pytest.LogCaptureFixture) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)
        hooks.message_status("delivered")(lambda status: None)
        with caplog.at_level(logging.INFO, logger="twhooks"):
            response = signed_post(
                app.test_client(), "/twilio/messages/status", {"MessageStatus": "sent"}
            )
        assert (response.status_code, response.data) == (204, b"")
        assert "no @hooks.message_status handler for status 'sent'" in caplog.text


def failing_app(**config: Any) -> tuple[Flask, TwilioHooks]:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, **config)
    hooks = TwilioHooks(app)

    @hooks.message()
    def broken(msg: IncomingMessage) -> str:
        raise ZeroDivisionError("boom")

    return app, hooks


class TestErrors:
    def test_a_failing_handler_is_logged_with_sids_and_answered_500(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app, _ = failing_app()
        with caplog.at_level(logging.ERROR, logger="twhooks"):
            response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 500
        [record] = [r for r in caplog.records if r.name == "twhooks.dispatch"]
        assert "@hooks.message handler failing_app.<locals>.broken failed" in record.getMessage()
        assert f"sid={SMS['MessageSid']}" in record.getMessage()
        assert f"account_sid={SMS['AccountSid']}" in record.getMessage()
        assert SMS["From"] not in caplog.text  # phone numbers stay out of the logs

    def test_with_testing_on_the_error_propagates_like_flask(self) -> None:
        app, _ = failing_app(TESTING=True)
        with pytest.raises(ZeroDivisionError):
            signed_post(app.test_client(), "/twilio/messages", SMS)

    def test_an_error_handler_may_answer_with_twiml(self) -> None:
        app, hooks = failing_app()
        handled: list[tuple[str, str | None]] = []

        @hooks.error
        def sorry(error: Exception, event: Any) -> str:
            handled.append((type(error).__name__, event.sid))
            return "Sorry, something went wrong."

        response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 200
        assert b"<Message>Sorry, something went wrong.</Message>" in response.data
        assert handled == [("ZeroDivisionError", SMS["MessageSid"])]

    def test_an_error_handler_returning_none_leaves_the_500(self) -> None:
        app, hooks = failing_app()
        first: list[Exception] = []
        hooks.error(lambda error, event: first.append(error))
        assert signed_post(app.test_client(), "/twilio/messages", SMS).status_code == 500
        assert len(first) == 1

    def test_a_failing_error_handler_is_logged_too(self, caplog: pytest.LogCaptureFixture) -> None:
        app, hooks = failing_app()

        @hooks.error
        def clumsy(error: Exception, event: Any) -> str:
            raise KeyError("worse")

        with caplog.at_level(logging.ERROR, logger="twhooks"):
            response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 500
        assert "@hooks.error handler" in caplog.text and "clumsy failed too" in caplog.text

    def test_conversation_state_without_a_secret_key_says_so(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = Flask(__name__)
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_CONVERSATIONS="cookie")
        hooks = TwilioHooks(app)

        @hooks.message()
        def start(msg: IncomingMessage) -> str:
            assert msg.conversation is not None
            msg.conversation.goto("ask_name")
            return "What is your name?"

        with caplog.at_level(logging.ERROR, logger="twhooks"):
            response = signed_post(app.test_client(), "/twilio/messages", SMS)
        assert response.status_code == 500
        assert "set SECRET_KEY" in caplog.text


class TestUrls:
    @pytest.fixture
    def app(self) -> Flask:
        app, _, _ = make_app()
        return app

    @pytest.fixture
    def hooks(self, app: Flask) -> TwilioHooks:
        return app.extensions["twhooks"].hooks  # type: ignore[no-any-return]

    @pytest.mark.parametrize(
        ("call", "expected"),
        [
            pytest.param(lambda h: h.step_url("menu"), "/twilio/voice/menu", id="relative"),
            pytest.param(lambda h: h.step_url(), "/twilio/voice", id="incoming"),
            pytest.param(
                lambda h: h.step_url("menu", external=True),
                "http://localhost/twilio/voice/menu",
                id="external",
            ),
            pytest.param(
                lambda h: h.step_url("menu", attempt="2"),
                "/twilio/voice/menu?attempt=2",
                id="query",
            ),
            pytest.param(
                lambda h: h.callback_url("message_status"),
                "/twilio/messages/status",
                id="callback",
            ),
            pytest.param(
                lambda h: h.callback_url("call_status", external=True),
                "http://localhost/twilio/voice/status",
                id="callback-external",
            ),
        ],
    )
    def test_urls(
        self, app: Flask, hooks: TwilioHooks, call: Callable[[TwilioHooks], str], expected: str
    ) -> None:
        with app.test_request_context("/"):
            assert call(hooks) == expected

    def test_external_urls_use_the_public_url(self) -> None:
        app, hooks, _ = make_app(TWHOOKS_PUBLIC_URL="https://hooks.example.com/base/")
        with app.test_request_context("/"):
            assert (
                hooks.step_url("menu", external=True, n="1")
                == "https://hooks.example.com/base/twilio/voice/menu?n=1"
            )
            assert hooks.step_url("menu") == "/twilio/voice/menu"

    def test_unknown_step_or_callback_raises(self, app: Flask, hooks: TwilioHooks) -> None:
        with app.test_request_context("/"):
            with pytest.raises(HandlerError, match=r"no @hooks.call\('mneu'\).*'menu'"):
                hooks.step_url("mneu")
            with pytest.raises(HandlerError, match="unknown callback"):
                hooks.callback_url("nope")


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=300)
    | st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=8).map(
        lambda pairs: urlencode(pairs).encode()
    ),
    path=st.sampled_from(
        ["/twilio/messages", "/twilio/messages/status", "/twilio/voice", "/twilio/voice/menu",
         "/twilio/voice/status", "/twilio/voice/conference", "/twilio/voice/amd"]
    ),
)  # fmt: skip
def test_any_body_gets_an_answer_never_a_crash(body: bytes, path: str) -> None:
    """Whatever the body (validation off, so it reaches parsing), the answer is a 2xx."""
    app = Flask(__name__)
    app.config.update(TWHOOKS_VALIDATE=False, SECRET_KEY="s")
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "ok")
    hooks.call("menu")(lambda call: "ok")
    hooks.call()(lambda call: "ok")
    response = app.test_client().post(
        path, data=body, content_type="application/x-www-form-urlencoded; charset=UTF-8"
    )
    assert response.status_code in (200, 204)


class TestKeywordsHandledFirst:
    """A ``@hooks.message(keyword=...)`` for a word the opt-out rules answer first warns at
    registration, naming the decorator to use (issue 23 §5)."""

    @pytest.mark.parametrize(
        ("words", "named", "use"),
        [
            ("STOP", "STOP", "@hooks.opt_out()"),
            (["unsubscribe", "menu"], "UNSUBSCRIBE", "@hooks.opt_out()"),
            (["STOP", "START"], "STOP", "@hooks.opt_out()"),
            ("Start", "START", "@hooks.opt_in()"),
            ("UNSTOP", "UNSTOP", "@hooks.opt_in()"),
        ],
        ids=["stop", "in-a-list", "stop-start", "start", "unstop"],
    )
    def test_an_opt_keyword_warns(self, words: Any, named: str, use: str) -> None:
        hooks = TwilioHooks()
        with pytest.warns(UserWarning, match=re.escape(use)) as caught:
            hooks.message(keyword=words)(lambda msg: "never")
        assert named in str(caught[0].message)
        assert caught[0].filename == __file__  # points at the app's registration

    def test_start_and_stop_never_reach_the_message_handler(self) -> None:
        app = Flask(__name__)
        app.config["TWILIO_AUTH_TOKEN"] = TOKEN
        hooks = TwilioHooks(app)
        ran: list[str] = []
        with pytest.warns(UserWarning, match="STOP: an opt-out"):
            hooks.message(keyword=["STOP", "START"])(lambda msg: ran.append(msg.body))
        signed_post(app.test_client(), "/twilio/messages", {**SMS, "Body": "STOP"})
        signed_post(app.test_client(), "/twilio/messages", {**SMS, "Body": "START"})
        assert ran == []  # what the warning says

    def test_help_warns_only_beside_a_help_handler(self) -> None:
        hooks = TwilioHooks()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            hooks.message(keyword=["HELP", "INFO"])(lambda msg: "help")  # reachable
            hooks.message(keyword="YES")(lambda msg: "yes")  # an ordinary answer
        with pytest.warns(
            UserWarning, match=r"HELP, INFO: a help request: the @hooks\.help\(\) handler"
        ):
            hooks.help()(lambda msg: "help")
        with pytest.warns(UserWarning, match=r"INFO: a help request: the @hooks\.help\(\) handler"):
            hooks.message(keyword="info")(lambda msg: "info")
