"""twhooks.quart.TwilioHooks: the Flask extension's webhooks on Quart, over a real Hypercorn
server on 127.0.0.1, signed by the official SDK."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import requests
from _hypercorn import HypercornServer
from _signing import TOKEN, official_signature
from quart import Quart, Response, abort, request

from twhooks.exceptions import ConfigurationError
from twhooks.quart import TwilioHooks
from twhooks.twiml import MessagingResponse

SMS = {
    "AccountSid": "AC" + "1" * 32,
    "MessageSid": "SM" + "2" * 32,
    "From": "+14155550100",
    "To": "+14155550199",
    "Body": "hello",
    "NumMedia": "0",
}
CALL = {
    "AccountSid": "AC" + "1" * 32,
    "CallSid": "CA" + "3" * 32,
    "From": "+14155550100",
    "To": "+14155550199",
    "CallStatus": "ringing",
    "Direction": "inbound",
}


def make_app(**config: Any) -> tuple[Quart, TwilioHooks]:
    app = Quart(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["SECRET_KEY"] = "test-secret"
    app.config.update(config)
    return app, TwilioHooks(app)


def post(
    server: HypercornServer,
    path: str,
    params: Mapping[str, str],
    *,
    signed: bool = True,
    headers: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    url = server.url + path
    all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    if signed:
        all_headers["X-Twilio-Signature"] = official_signature(url, params)
    all_headers.update(headers or {})
    return (session or requests).post(url, data=params, headers=all_headers, timeout=10)


def test_async_message_handler_answers_twiml(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()

    @hooks.message()
    async def reply(msg: Any) -> str:
        await asyncio.sleep(0)
        return f"You said {msg.body}"

    response = post(serve(app), "/twilio/messages", SMS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.content == (
        b'<?xml version="1.0" encoding="UTF-8"?><Response><Message>You said hello'
        b"</Message></Response>"
    )


def test_plain_handler_runs_off_the_event_loop(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()
    threads: list[str] = []
    loops: list[bool] = []

    @hooks.call()
    def answer(call: Any) -> Any:
        threads.append(threading.current_thread().name)
        try:
            asyncio.get_running_loop()
            loops.append(True)
        except RuntimeError:
            loops.append(False)  # a worker thread: no event loop runs here
        return MessagingResponse() if call.sid == "never" else "Hello caller"

    response = post(serve(app), "/twilio/voice", CALL)
    assert response.status_code == 200
    assert b"<Say>Hello caller</Say>" in response.content
    assert threads and threads[0] != "MainThread"
    assert loops == [False]


@pytest.mark.parametrize(
    ("signed", "headers"),
    [
        pytest.param(False, {}, id="unsigned"),
        pytest.param(False, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, id="forged"),
    ],
)
def test_forged_request_reaches_no_app_code(
    serve: Callable[[Quart], HypercornServer],
    signed: bool,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, hooks = make_app()
    ran: list[str] = []

    @app.before_request
    async def user_guard() -> None:
        ran.append("before_request")

    @hooks.message()
    async def reply(msg: Any) -> str:
        ran.append("handler")
        return "no"

    with caplog.at_level(logging.WARNING, "twhooks"):
        response = post(serve(app), "/twilio/messages", SMS, signed=signed, headers=headers)
    assert response.status_code == 403
    assert ran == []
    assert "Rejected Twilio webhook POST /twilio/messages" in caplog.text


def test_body_stays_readable_for_the_app(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()
    seen: list[Any] = []

    @app.before_request
    async def read_form() -> None:
        seen.append((await request.form).get("Body"))

    @hooks.message()
    async def reply(msg: Any) -> str:
        seen.append((await request.get_data()).count(b"&"))
        return "ok"

    assert post(serve(app), "/twilio/messages", SMS).status_code == 200
    assert seen == ["hello", len(SMS) - 1]


def test_status_callback_and_step_routes(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()
    statuses: list[str] = []

    @hooks.message_status("delivered")
    async def delivered(status: Any) -> None:
        statuses.append(status.status)

    @hooks.call("menu")
    async def menu(call: Any) -> str:
        return f"Menu {call.digits}"

    server = serve(app)
    status = dict(SMS, MessageStatus="delivered")
    response = post(server, "/twilio/messages/status", status)
    assert response.status_code == 204
    assert statuses == ["delivered"]
    response = post(server, "/twilio/voice/menu", dict(CALL, Digits="2"))
    assert b"<Say>Menu 2</Say>" in response.content


def test_conversation_state_in_the_session(serve: Callable[[Quart], HypercornServer]) -> None:
    # In Twilio's cookies, as twhooks 0.1 kept it (the store is the default: test_quart_store).
    app, hooks = make_app(TWHOOKS_CONVERSATIONS="cookie")

    @hooks.message(keyword="order")
    async def order(msg: Any) -> str:
        msg.conversation.goto("size")
        return "Which size?"

    @hooks.message(state="size")
    async def size(msg: Any) -> str:
        msg.conversation.end()
        return f"One {msg.body} coming"

    server = serve(app)
    with requests.Session() as twilio:
        first = post(server, "/twilio/messages", dict(SMS, Body="ORDER"), session=twilio)
        assert b"Which size?" in first.content
        assert "Set-Cookie" in first.headers
        second = post(server, "/twilio/messages", dict(SMS, Body="large"), session=twilio)
    assert b"One large coming" in second.content


def test_retry_gets_the_first_reply_byte_for_byte(
    serve: Callable[[Quart], HypercornServer],
) -> None:
    # Conversations in the cookie: the stored reply must carry its Set-Cookie.
    app, hooks = make_app(TWHOOKS_CONVERSATIONS="cookie")
    runs: list[int] = []

    @hooks.message()
    async def count(msg: Any) -> str:
        runs.append(1)
        msg.conversation.goto(f"seen-{len(runs)}")
        return f"run {len(runs)}"

    server = serve(app)
    token = {"I-Twilio-Idempotency-Token": "0b6c7bb8-8a4b-4b0e-9f27-5c3a5d1f0c11"}
    first = post(server, "/twilio/messages", SMS, headers=token)
    retry = post(server, "/twilio/messages", SMS, headers=token)
    assert runs == [1]
    assert retry.content == first.content
    assert retry.headers.get("Set-Cookie") == first.headers.get("Set-Cookie") is not None


@pytest.mark.parametrize("answer", ["streamed", "http error"])
def test_retry_gets_a_streamed_or_error_reply_byte_for_byte(
    serve: Callable[[Quart], HypercornServer], answer: str
) -> None:
    """The stored bytes of a response that is not a plain body: a Quart response streamed
    from a generator, and werkzeug's page for an HTTP error raised by the handler."""
    app, hooks = make_app()
    runs: list[int] = []

    @hooks.message()
    async def reply(msg: Any) -> Any:
        runs.append(1)
        if answer == "http error":
            abort(409)

        async def chunks() -> Any:
            yield b"<Response><Message>part one, "
            yield f"run {len(runs)}</Message></Response>".encode()

        return Response(chunks(), content_type="text/xml")

    server = serve(app)
    token = {"I-Twilio-Idempotency-Token": f"tok-{answer}"}
    first = post(server, "/twilio/messages", SMS, headers=token)
    retry = post(server, "/twilio/messages", SMS, headers=token)
    assert runs == [1]
    assert first.status_code == retry.status_code == (409 if answer == "http error" else 200)
    assert retry.content == first.content
    assert b"run 1" in first.content or answer == "http error"


def test_unhandled_error_goes_to_quart(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()
    caught: list[BaseException] = []

    @app.errorhandler(500)
    async def oops(error: Any) -> tuple[str, int]:
        caught.append(getattr(error, "original_exception", error))
        return "sorry", 500

    @hooks.message()
    async def broken(msg: Any) -> str:
        raise LookupError("no such customer")

    response = post(serve(app), "/twilio/messages", SMS)
    assert response.status_code == 500
    assert response.text == "sorry"
    assert isinstance(caught[0], LookupError)


def test_error_handler_answers(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app()

    @hooks.message()
    async def broken(msg: Any) -> str:
        raise LookupError("no such customer")

    @hooks.error
    async def apologise(error: Exception, event: Any) -> str:
        return "Something went wrong, try later."

    response = post(serve(app), "/twilio/messages", SMS)
    assert response.status_code == 200
    assert b"Something went wrong" in response.content


def test_public_url_and_callback_url(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app(TWHOOKS_PUBLIC_URL="https://sms.example.com")

    @hooks.message()
    async def reply(msg: Any) -> str:
        return hooks.callback_url("message_status", external=True)

    server = serve(app)
    url = "https://sms.example.com/twilio/messages"
    headers = {"X-Twilio-Signature": official_signature(url, SMS)}
    response = post(server, "/twilio/messages", SMS, signed=False, headers=headers)
    assert response.status_code == 200
    assert b"https://sms.example.com/twilio/messages/status" in response.content


def test_too_large_body_is_413(serve: Callable[[Quart], HypercornServer]) -> None:
    app, hooks = make_app(TWHOOKS_MAX_BODY_SIZE=100)
    hooks.message()(lambda msg: "no")
    response = post(serve(app), "/twilio/messages", dict(SMS, Body="x" * 500))
    assert response.status_code == 413


def test_missing_token_is_a_configuration_error() -> None:
    app = Quart(__name__)
    with pytest.raises(ConfigurationError, match="TWILIO_AUTH_TOKEN"):
        TwilioHooks(app)


def test_retry_after_a_failure_runs_again_at_once(
    serve: Callable[[Quart], HypercornServer],
) -> None:
    app, hooks = make_app()
    runs: list[int] = []

    @hooks.message()
    async def flaky(msg: Any) -> str:
        runs.append(1)
        if len(runs) == 1:
            raise LookupError("first try fails")
        return "second try"

    server = serve(app)
    token = {"I-Twilio-Idempotency-Token": "5d3f1a52-7c1e-4a8e-9d0b-2f7e4c6b8a90"}
    assert post(server, "/twilio/messages", SMS, headers=token).status_code == 500
    retry = post(server, "/twilio/messages", SMS, headers=token)
    assert retry.status_code == 200
    assert b"second try" in retry.content
    assert runs == [1, 1]


def test_the_test_client_works_on_quart() -> None:
    from twhooks.quart import TwilioTestClient

    app, hooks = make_app()

    @hooks.message(keyword="order")
    async def order(msg: Any) -> str:
        msg.conversation.goto("size")
        return "Which size?"

    @hooks.message(state="size")
    async def size(msg: Any) -> str:
        msg.conversation.end()
        return f"One {msg.body} coming"

    @hooks.call()
    async def answer(call: Any) -> str:
        return "Hello from Quart"

    client = TwilioTestClient(app)
    conversation = client.conversation()
    assert conversation.send("ORDER").messages == ["Which size?"]
    assert conversation.send("large").messages == ["One large coming"]
    forged = TwilioTestClient(app, auth_token="wrong")
    assert forged.conversation().send("ORDER").status_code == 403
    assert client.webhook("message-status", MessageStatus="delivered").status_code == 204
    assert client.call().start().says == ["Hello from Quart"]


def test_behind_the_asgi_middleware_the_request_is_verified_once(
    serve: Callable[[Quart], HypercornServer],
) -> None:
    from twhooks.asgi import TwilioSignatureMiddleware

    app, hooks = make_app()
    verified: list[Any] = []

    @hooks.message()
    async def reply(msg: Any) -> str:
        verified.append(request.scope.get("twhooks.verified_request"))
        return "ok"

    app.asgi_app = TwilioSignatureMiddleware(app.asgi_app, TOKEN, protect=["/twilio"])  # type: ignore[method-assign]
    server = serve(app)
    assert post(server, "/twilio/messages", SMS).status_code == 200
    assert verified[0].params == list(SMS.items())
    assert post(server, "/twilio/messages", SMS, signed=False).status_code == 403
    assert len(verified) == 1


def test_an_answer_of_the_apps_own_is_logged_and_not_kept_for_retries(
    serve: Callable[[Quart], HypercornServer], caplog: pytest.LogCaptureFixture
) -> None:
    app, hooks = make_app()
    runs: list[str] = []
    guard = {"on": True}

    @hooks.message()
    async def answer(msg: Any) -> str:
        runs.append(msg.body)
        return "hello"

    @app.before_request
    async def too_many() -> Response | None:
        return Response("slow down", status=429) if guard["on"] else None

    server = serve(app)
    token = {"I-Twilio-Idempotency-Token": "9a1f3c2e-0000-4b0e-9f27-5c3a5d1f0c11"}
    with caplog.at_level(logging.WARNING, logger="twhooks"):
        assert post(server, "/twilio/messages", SMS, headers=token).status_code == 429
        assert post(server, "/twilio/messages", SMS).status_code == 429
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "/twilio/messages answered 429 before twhooks" in line
    guard["on"] = False
    retry = post(server, "/twilio/messages", SMS, headers=token)
    assert retry.status_code == 200 and runs == ["hello"]
