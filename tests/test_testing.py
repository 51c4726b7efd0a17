"""twhooks.flask.testing: the test client plays Twilio against a real Flask app built on twhooks.

The signatures it produces are checked by the official twilio SDK's RequestValidator and by
the app itself; cookies, redirects and callbacks are checked through what the app records.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Response, request, session
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from twhooks import SimulationError, TooManyDocuments, TwilioSignatureMiddleware, payloads
from twhooks.flask import TwilioHooks
from twhooks.flask.testing import FlaskTransport, TwilioTestClient
from twhooks.kinds import KINDS
from twhooks.store import classify_opt_keyword
from twhooks.twiml import MessagingResponse, VoiceResponse

TOKEN = "test-token-0123456789abcdef"


def make_app(**config: Any) -> tuple[Flask, list[dict[str, str]]]:
    """A small app using most of TwiML; every webhook's form is recorded in ``seen``."""
    app = Flask(__name__)
    app.config.update({"SECRET_KEY": "test", "TWILIO_AUTH_TOKEN": TOKEN, **config})
    hooks = TwilioHooks(app)
    seen: list[dict[str, str]] = []

    @app.after_request
    def record(response: Response) -> Response:
        # After the view: twhooks reads the raw body first and leaves it readable again.
        seen.append({"path": request.path, "cookie": request.headers.get("Cookie", "")})
        seen[-1].update(request.values.to_dict())
        if request.is_json:
            seen[-1]["body"] = request.get_data(as_text=True)
        return response

    @hooks.message(keyword="HELP")
    def help_(msg: Any) -> str:
        return "Reply BAL for your balance."

    @hooks.message(keyword="COUNT")
    def count(msg: Any) -> str:
        session["count"] = session.get("count", 0) + 1
        return f"count {session['count']}"

    @hooks.message(keyword="FORGET")
    def forget(msg: Any) -> str:
        session.clear()
        return "forgotten"

    @hooks.message(keyword="PICTURE")
    def picture(msg: Any) -> MessagingResponse:
        reply = MessagingResponse()
        message = reply.message("Here you go", status_callback=hooks.callback_url("message_status"))
        message.media("https://example.com/cat.jpg")
        return reply

    @hooks.message(keyword="MOVE")
    def move(msg: Any) -> MessagingResponse:
        reply = MessagingResponse()
        reply.message("moving")
        reply.redirect("/elsewhere")
        return reply

    @hooks.message()
    def echo(msg: Any) -> str:
        media = ", ".join(item.url for item in msg.media)
        return f"echo {msg.body}" + (f" [{media}]" if media else "")

    @hooks.message_status()
    def status(event: Any) -> None:
        return None

    @hooks.call()
    def incoming(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        reply.play("https://example.com/jingle.mp3")
        gather = reply.gather(num_digits=1, action=hooks.step_url("menu"), input="dtmf speech")
        gather.say("Press 1 or say sales.")
        reply.say("Nothing? Again.")
        reply.redirect(hooks.step_url())
        return reply

    @hooks.call("menu")
    def menu(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        if call.digits == "1" or call.speech_result == "sales":
            reply.say("Leave a message.")
            reply.record(
                action=hooks.step_url("saved"),
                recording_status_callback=hooks.callback_url("recording_status"),
                transcribe_callback=hooks.callback_url("transcription"),
            )
        elif call.digits == "2":
            reply.dial("+14155550123", action=hooks.step_url("dialed"))
        elif call.digits == "3":
            reply.dial("+14155550123")
            reply.say("After the dial.")
        elif call.digits == "9":
            reply.reject(reason="busy")
        else:
            with reply.gather(action_on_empty_result=True, action=hooks.step_url("menu")) as g:
                g.say("Keys only, please.")
        return reply

    @hooks.call("saved")
    def saved(call: Any) -> VoiceResponse:
        reply = VoiceResponse()
        reply.say(f"Got {call.recording_duration} seconds. Goodbye.")
        reply.hangup()
        return reply

    @hooks.call("dialed")
    def dialed(call: Any) -> str:
        return f"The call was {call.dial_call_status}."

    @hooks.call_status()
    @hooks.recording_status()
    @hooks.transcription()
    def callbacks(event: Any) -> None:
        return None

    @app.post("/elsewhere")
    def elsewhere() -> Response:
        moved = MessagingResponse()
        moved.message("moved")
        return Response(str(moved), mimetype="text/xml")

    @app.post("/loop")
    def loop() -> Response:
        return Response("<Response><Redirect>/loop</Redirect></Response>", mimetype="text/xml")

    @app.post("/ssml")
    def ssml() -> Response:
        return Response(
            '<Response><Say voice="Polly.Joanna">Press <emphasis>one</emphasis> now.'
            '<break time="1s"/> Or <say-as interpret-as="digits">12</say-as>.</Say></Response>',
            mimetype="text/xml",
        )

    @app.post("/voice-twiml")
    def voice_twiml() -> Response:
        return Response(
            "<Response><Say>Hello</Say><Message>hi</Message></Response>", mimetype="text/xml"
        )

    @app.post("/plain")
    def plain() -> Response:
        return Response("just text", mimetype="text/plain")

    @app.post("/html")
    def html() -> Response:
        return Response("<html></html>", mimetype="text/html")

    @app.post("/boom")
    def boom() -> Response:
        return Response("oops", status=500)

    return app, seen


@pytest.fixture
def app_and_seen() -> tuple[Flask, list[dict[str, str]]]:
    return make_app()


@pytest.fixture
def client(app_and_seen: tuple[Flask, list[dict[str, str]]]) -> TwilioTestClient:
    return TwilioTestClient(app_and_seen[0])


@pytest.fixture
def seen(app_and_seen: tuple[Flask, list[dict[str, str]]]) -> list[dict[str, str]]:
    return app_and_seen[1]


SIGNER = TwilioTestClient(make_app()[0])


# -- signing ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_requests_are_signed_as_the_official_sdk_expects(
    client: TwilioTestClient, method: str
) -> None:
    request_ = client.build_request(
        "/twilio/voice?attempt=2", payloads.incoming_call(), method=method
    )
    validator = RequestValidator(TOKEN)
    params = dict(request_.params) if method == "POST" else {}
    assert validator.validate(request_.url, params, request_.headers["X-Twilio-Signature"])
    assert request_.url.startswith("http://localhost/twilio/voice?attempt=2")
    assert request_.headers["User-Agent"] == "TwilioProxy/1.1"
    assert request_.headers["I-Twilio-Idempotency-Token"]


# The official SDK splits URLs with urlparse, which drops a ";" that ends the path: the
# alphabet leaves it out so the oracle is not tripped by its own quirk.
PATH_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#?;")
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1)
VALUES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    path=st.text(PATH_CHARS, max_size=20),
    params=st.dictionaries(NAMES, VALUES, max_size=6),
)
def test_any_request_is_signed_as_the_official_sdk_expects(
    path: str, params: dict[str, str]
) -> None:
    request_ = SIGNER.build_request("https://example.com/" + path, params)
    validator = RequestValidator(TOKEN)
    assert validator.validate(request_.url, params, request_.headers["X-Twilio-Signature"])


def test_a_list_of_tokens_signs_with_the_first() -> None:
    app, _ = make_app(TWILIO_AUTH_TOKEN=[TOKEN, "old-token"])
    request_ = TwilioTestClient(app).build_request("/twilio/messages", {"Body": "hi"})
    assert RequestValidator(TOKEN).validate(
        request_.url, {"Body": "hi"}, request_.headers["X-Twilio-Signature"]
    )


def test_a_subaccount_signs_with_its_own_token() -> None:
    subaccount = "AC" + "5" * 32
    app, seen = make_app(TWHOOKS_ACCOUNT_TOKENS={subaccount: ["sub-token", "old-sub-token"]})
    client = TwilioTestClient(app, account_sid=subaccount)
    request_ = client.build_request("/twilio/messages", {"Body": "hi"})
    assert RequestValidator("sub-token").validate(
        request_.url, {"Body": "hi"}, request_.headers["X-Twilio-Signature"]
    )
    assert client.conversation().send("HELP").messages == ["Reply BAL for your balance."]
    assert seen[-1]["AccountSid"] == subaccount


@pytest.mark.parametrize(
    ("secret", "status"), [("key-secret", 200), ("wrong", 403)], ids=["right", "wrong"]
)
def test_signing_with_a_shared_key(secret: str, status: int) -> None:
    app, _ = make_app(TWHOOKS_SHARED_KEYS={"KEY1": "key-secret"})
    client = TwilioTestClient(app, shared_key=("KEY1", secret))
    request_ = client.build_request("/twilio/messages", {"Body": "hi"})
    assert request_.headers["X-Twilio-Webhooks-Signature-Settings"] == (
        "key=KEY1,algorithm=HMAC_SHA256"
    )
    assert client.conversation().send("HELP").status_code == status


def test_the_app_accepts_what_the_client_signs(client: TwilioTestClient) -> None:
    reply = client.conversation().send("HELP")
    assert reply.status_code == 200
    assert reply.ok
    assert reply.messages == ["Reply BAL for your balance."]


def test_a_wrong_token_is_refused_by_the_app(app_and_seen: Any) -> None:
    client = TwilioTestClient(app_and_seen[0], auth_token="not-the-token")
    reply = client.conversation().send("HELP")
    assert reply.status_code == 403
    assert not reply.ok
    assert reply.error is not None and "HTTP 403" in reply.error
    assert "Signature" in reply.error  # the first line of the app's answer says why
    assert reply.messages == []


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://bot.example.com", "https://bot.example.com/twilio/messages"),
        ("https://example.com/base/", "https://example.com/base/twilio/messages"),
    ],
    ids=["host", "host-and-path"],
)
def test_signs_over_the_public_url(public_url: str, expected: str) -> None:
    app, _ = make_app(TWHOOKS_PUBLIC_URL=public_url)
    client = TwilioTestClient(app)
    reply = client.conversation().send("HELP")
    assert reply.url == expected
    assert reply.messages == ["Reply BAL for your balance."]


def test_signs_over_the_server_name() -> None:
    app, _ = make_app(SERVER_NAME="bot.example.com", PREFERRED_URL_SCHEME="https")
    reply = TwilioTestClient(app).conversation().send("HELP")
    assert reply.url == "https://bot.example.com/twilio/messages"
    assert reply.messages == ["Reply BAL for your balance."]


def test_a_call_under_a_public_url_with_a_path() -> None:
    app, seen = make_app(TWHOOKS_PUBLIC_URL="https://example.com/base")
    call = TwilioTestClient(app).call()
    call.start()
    reply = call.press("9")
    assert reply.rejected
    assert [response.url for response in reply.status_callbacks] == [
        "https://example.com/base/twilio/voice/status"
    ]
    assert reply.status_callbacks[0].status_code == 204
    assert seen[-1]["path"] == "/twilio/voice/status"


def test_call_fields_reach_every_webhook_of_the_call(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call(params={"CallerName": "Ana", "SipHeader_X-Team": "blue"})
    call.start()
    call.press("1")
    assert {form["CallerName"] for form in seen} == {"Ana"}
    assert {form["SipHeader_X-Team"] for form in seen} == {"blue"}


@pytest.mark.parametrize(
    "query", ["?name=O'Brien", "?x=a b", "?x=café", "?x=%7E~", "?x=%7e", "?x=[1]", "?x=100%"]
)
def test_any_query_string_is_accepted(client: TwilioTestClient, query: str) -> None:
    reply = client.conversation("/twilio/messages" + query).send("HELP")
    assert reply.status_code == 200


def test_follows_the_url_prefix_setting() -> None:
    app, seen = make_app(TWHOOKS_URL_PREFIX="/hooks/")
    client = TwilioTestClient(app)
    assert client.path_for("message-status") == "/hooks/messages/status"
    assert client.conversation().send("HELP").messages == ["Reply BAL for your balance."]
    assert seen[-1]["path"] == "/hooks/messages"


# -- messaging ----------------------------------------------------------------------------


def test_cookies_are_kept_per_pair_of_numbers(client: TwilioTestClient) -> None:
    ana = client.conversation(from_="+14155550101")
    bob = client.conversation(from_="+14155550102")
    other_number = client.conversation(from_="+14155550101", to="+14155550198")
    assert ana.send("COUNT").messages == ["count 1"]
    assert ana.send("COUNT").messages == ["count 2"]
    assert bob.send("COUNT").messages == ["count 1"]
    assert other_number.send("COUNT").messages == ["count 1"]
    assert ana.send("count").messages == ["count 3"]
    assert "session" in ana.cookies


def test_conversations_of_one_pair_share_their_cookies(client: TwilioTestClient) -> None:
    client.conversation(from_="+14155550101").send("COUNT")
    again = client.conversation(from_="+14155550101")
    assert again.send("COUNT").messages == ["count 2"]


def test_a_deleted_cookie_is_forgotten(client: TwilioTestClient) -> None:
    conversation = client.conversation()
    conversation.send("COUNT")
    conversation.send("FORGET")
    assert "session" not in conversation.cookies
    assert conversation.send("COUNT").messages == ["count 1"]


def test_media_and_fields_reach_the_app(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.conversation(from_="whatsapp:+34600111222").send(
        "look", media=["https://example.com/a.png"], profile_name="Ana"
    )
    assert reply.messages == ["echo look [https://example.com/a.png]"]
    form = seen[-1]
    assert form["From"] == "whatsapp:+34600111222"
    assert form["ProfileName"] == "Ana"
    assert (form["NumMedia"], form["MediaContentType0"]) == ("1", "image/png")


def test_reply_media_and_status_callbacks(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.conversation(from_="+14155550101").send("PICTURE")
    assert reply.messages == ["Here you go"]
    assert reply.media == ["https://example.com/cat.jpg"]
    assert reply.outgoing[0].status_callback == "/twilio/messages/status"
    assert [callback.status_code for callback in reply.status_callbacks] == [204, 204, 204]
    statuses = [form for form in seen if form["path"] == "/twilio/messages/status"]
    assert [form["MessageStatus"] for form in statuses] == ["queued", "sent", "delivered"]
    assert {form["To"] for form in statuses} == {"+14155550101"}
    assert len({form["MessageSid"] for form in statuses}) == 1
    assert statuses[0]["MessageSid"].startswith("MM")


def test_whatsapp_replies_come_from_the_whatsapp_address(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    talk = client.conversation(from_="whatsapp:+34600111222", to="+14155550199")
    assert talk.to == "whatsapp:+14155550199"
    talk.send("PICTURE")
    assert (seen[-1]["From"], seen[-1]["To"]) == ("whatsapp:+14155550199", "whatsapp:+34600111222")


def test_a_conversation_level_status_callback(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    conversation = client.conversation(status_callback="/twilio/messages/status")
    reply = conversation.send("HELP")
    assert len(reply.status_callbacks) == 3
    assert seen[-1]["MessageStatus"] == "delivered"


def test_redirects_are_followed_with_the_same_message(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.conversation().send("MOVE")
    assert reply.messages == ["moving", "moved"]
    assert reply.redirects == ["/elsewhere"]
    assert [response.url for response in reply.responses] == [
        "http://localhost/twilio/messages",
        "http://localhost/elsewhere",
    ]
    assert seen[-1]["Body"] == "MOVE"


def test_a_redirect_loop_stops_after_50_documents(client: TwilioTestClient) -> None:
    with pytest.raises(TooManyDocuments, match="more than 50") as caught:
        client.conversation("/loop").send("hi")
    assert caught.value.url == "http://localhost/loop"


@pytest.mark.parametrize(
    ("path", "messages", "error"),
    [
        ("/plain", ["just text"], None),
        ("/html", [], "not TwiML (text/html)"),
        ("/boom", [], "HTTP 500"),
    ],
)
def test_answers_that_are_not_twiml(
    client: TwilioTestClient, path: str, messages: list[str], error: str | None
) -> None:
    reply = client.conversation(path).send("hi")
    assert reply.messages == messages
    if error is None:
        assert reply.ok
    else:
        assert reply.error is not None and error in reply.error


def test_voice_verbs_in_a_message_reply_are_ignored_with_a_warning(
    client: TwilioTestClient,
) -> None:
    reply = client.conversation("/voice-twiml").send("hi")
    assert reply.messages == ["hi"]
    assert reply.says == []  # in the document, but not carried out
    assert reply.twiml is not None and reply.twiml.children[0].tag == "Say"
    assert reply.warnings == (
        "<Say> is not a messaging verb: Twilio ignores it (warning 12200) in "
        "http://localhost/voice-twiml",
    )


KEYWORDS = {"HELP", "COUNT", "FORGET", "PICTURE", "MOVE"}
BODIES = st.text(
    st.characters(exclude_categories=["Cc", "Cs"], exclude_characters="\ufffe\uffff"),
    max_size=200,
).filter(
    # Twilio's opt-out keywords (STOP, CANCEL…) are answered before any handler.
    lambda body: body.strip().upper() not in KEYWORDS and classify_opt_keyword(body) != "opt_out"
)


@settings(max_examples=200, deadline=None)
@given(body=BODIES)
def test_any_body_goes_through_the_app_and_back_unchanged(body: str) -> None:
    # Fields generated, signed, verified, parsed, answered, rendered and read back.
    reply = SIGNER.conversation().send(body)
    assert reply.status_code == 200
    assert reply.messages == [f"echo {body}"]


def test_history_keeps_every_reply(client: TwilioTestClient) -> None:
    conversation = client.conversation()
    conversation.send("HELP")
    conversation.send("hello")
    assert [reply.messages for reply in conversation.history] == [
        ["Reply BAL for your balance."],
        ["echo hello"],
    ]


# -- voice --------------------------------------------------------------------------------


def test_a_call_stops_at_the_gather_and_presses_into_its_action(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call(from_="+12125550100")
    reply = call.start()
    assert reply.plays == ["https://example.com/jingle.mp3"]
    assert reply.says == ["Press 1 or say sales."]
    [gather] = reply.gathers
    assert (gather.action, gather.num_digits, gather.input) == (
        "/twilio/voice/menu",
        1,
        ("dtmf", "speech"),
    )
    assert call.waiting_for is not None and call.waiting_for.tag == "Gather"
    reply = call.press("1")
    assert reply.says == ["Leave a message."]
    assert seen[-1]["Digits"] == "1"
    assert seen[-1]["CallSid"] == call.call_sid
    assert seen[-1]["CallStatus"] == "in-progress"


@pytest.mark.parametrize(
    ("keys", "digits", "finished_on_key"),
    [("1", "1", ""), ("12", "1", ""), ("#", "", "#"), ("1#", "1", "")],
    ids=["one-key", "num-digits-reached", "finish-key-only", "finish-after-num-digits"],
)
def test_pressed_keys_stop_at_num_digits_or_the_finish_key(
    client: TwilioTestClient,
    seen: list[dict[str, str]],
    keys: str,
    digits: str,
    finished_on_key: str,
) -> None:
    call = client.call()
    call.start()  # a <Gather numDigits="1">
    call.press(keys)
    assert (seen[-1]["Digits"], seen[-1]["FinishedOnKey"]) == (digits, finished_on_key)


def test_the_finish_key_ends_the_digits(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    call.press("7")  # a <Gather> without numDigits
    call.press("1234#56")
    assert (seen[-1]["Digits"], seen[-1]["FinishedOnKey"]) == ("1234", "#")


def test_a_retry_is_the_same_request_again(client: TwilioTestClient) -> None:
    talk = client.conversation()
    first = talk.send("COUNT")
    again = talk.retry()
    original, repeated = first.responses[0].request, again.responses[0].request
    assert original is not None and repeated is not None
    assert repeated == original  # same fields, cookies, signature and idempotency token
    assert again.messages == ["count 1"]  # with the cookies of the original request
    assert talk.send("COUNT").messages == ["count 2"]


def test_nothing_to_retry(client: TwilioTestClient) -> None:
    with pytest.raises(SimulationError, match="no message was sent yet"):
        client.conversation().retry()


def test_speech_goes_to_the_action_as_speech_result(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    reply = call.say("sales", confidence=0.8)
    assert reply.says == ["Leave a message."]
    assert (seen[-1]["SpeechResult"], seen[-1]["Confidence"]) == ("sales", "0.8")


def test_no_input_goes_on_after_the_gather_and_follows_the_redirect(
    client: TwilioTestClient,
) -> None:
    call = client.call()
    call.start()
    reply = call.no_input()
    assert reply.says == ["Nothing? Again.", "Press 1 or say sales."]
    assert reply.redirects == ["/twilio/voice"]
    assert call.waiting_for is not None and call.waiting_for.tag == "Gather"


def test_no_input_with_action_on_empty_result_posts_empty_digits(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    call.press("7")  # a gather with actionOnEmptyResult
    reply = call.no_input()
    assert seen[-1]["Digits"] == ""
    assert reply.says == ["Keys only, please."]


def test_record_posts_the_recording_then_its_callbacks(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    reply = call.press("1")
    assert reply.records[0].action == "/twilio/voice/saved"
    assert reply.records[0].transcribe
    reply = call.record(duration=7, transcript="call me back")
    assert reply.says == ["Got 7 seconds. Goodbye."]
    assert reply.hangup
    assert call.ended and call.end_reason == "hangup"
    paths = [form["path"] for form in seen]
    assert paths[-4:] == [
        "/twilio/voice/saved",
        "/twilio/voice/status",
        "/twilio/voice/recording",
        "/twilio/voice/transcription",
    ]
    assert seen[-1]["TranscriptionText"] == "call me back"
    assert seen[-2]["RecordingSid"] == seen[-4]["RecordingSid"]
    assert seen[-3]["CallStatus"] == "completed"


def test_hanging_up_during_a_recording_still_posts_it(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    call.press("1")
    reply = call.hangup()
    assert call.end_reason == "caller hung up"
    assert [form["path"] for form in seen[-2:]] == ["/twilio/voice/saved", "/twilio/voice/status"]
    assert (seen[-2]["Digits"], seen[-2]["CallStatus"]) == ("hangup", "completed")
    assert reply.responses[0].status_code == 200


def test_recording_nothing_goes_on_with_the_next_verb(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    call.press("1")
    reply = call.no_input()
    assert reply.responses == ()  # the action is not called
    assert call.end_reason == "completed"  # nothing after the <Record> in that document
    assert seen[-1]["path"] == "/twilio/voice/status"


def test_dial_with_an_action_posts_the_outcome(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    reply = call.press("2")
    assert reply.dials[0].targets == ("+14155550123",)
    reply = call.end_dial("busy")
    assert seen[-2]["DialCallStatus"] == "busy"
    assert reply.says == ["The call was busy."]
    assert call.end_reason == "completed"


def test_dial_without_an_action_goes_on_with_the_next_verb(client: TwilioTestClient) -> None:
    call = client.call()
    call.start()
    call.press("3")
    reply = call.end_dial()
    assert reply.says == ["After the dial."]
    assert call.ended


def test_reject_ends_the_call_without_answering(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call()
    call.start()
    reply = call.press("9")
    assert reply.rejected
    assert call.end_reason == "rejected"
    assert seen[-1]["CallStatus"] == "busy"
    assert "CallDuration" not in seen[-1]


def test_the_caller_hangs_up(client: TwilioTestClient, seen: list[dict[str, str]]) -> None:
    call = client.call()
    call.start()
    reply = call.hangup()
    assert call.end_reason == "caller hung up"
    assert reply.status_callbacks[0].status_code == 204
    assert seen[-1]["CallStatus"] == "completed"
    assert seen[-1]["CallDuration"].isdigit()


def test_a_call_without_a_status_callback(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    call = client.call(status_callback=None)
    call.start()
    reply = call.press("9")
    assert call.ended
    assert reply.status_callbacks == ()
    assert seen[-1]["path"] == "/twilio/voice/menu"


def test_cookies_follow_one_call(client: TwilioTestClient, seen: list[dict[str, str]]) -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TWILIO_AUTH_TOKEN=TOKEN)
    hooks = TwilioHooks(app)

    @hooks.call()
    def incoming(call: Any) -> VoiceResponse:
        session["visits"] = session.get("visits", 0) + 1
        reply = VoiceResponse()
        reply.say(f"visit {session['visits']}")
        reply.gather(action=hooks.step_url())
        return reply

    client = TwilioTestClient(app)
    call = client.call()
    assert call.start().says == ["visit 1"]
    assert call.press("1").says == ["visit 2"]
    assert client.call().start().says == ["visit 1"]


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ([], "has not started"),
        (
            ["start", "press 1", "press 1"],
            "needs a waiting <Gather>, but the call is waiting at <Record>",
        ),
        (["start", "press 9", "press 1"], "the call has ended (rejected)"),
        (["start", "press 7", "say sales"], "takes input='dtmf', not speech"),
    ],
    ids=["not-started", "wrong-verb", "ended", "speech-at-dtmf-gather"],
)
def test_moves_that_make_no_sense_raise(
    client: TwilioTestClient, moves: list[str], message: str
) -> None:
    call = client.call()
    with pytest.raises(SimulationError) as caught:
        for move in moves:
            name, _, argument = move.partition(" ")
            getattr(call, name)(*([argument] if argument else []))
        call.press("1")
    assert message in str(caught.value)


def test_says_read_the_text_of_ssml_children(client: TwilioTestClient) -> None:
    reply = client.call("/ssml").start()
    assert reply.says == ["Press one now. Or 12."]


def test_a_plain_text_answer_is_said_then_the_call_hangs_up(client: TwilioTestClient) -> None:
    call = client.call("/plain")
    reply = call.start()
    assert reply.says == ["just text"]
    assert call.end_reason == "hangup"


def test_a_server_error_ends_the_call(client: TwilioTestClient) -> None:
    call = client.call("/boom")
    reply = call.start()
    assert reply.status_code == 500
    assert call.end_reason == "error"


# -- one webhook of any kind ---------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_webhook_of_every_kind_reaches_its_route(
    client: TwilioTestClient, seen: list[dict[str, str]], kind: str
) -> None:
    reply = client.webhook(kind)
    assert reply.status_code is not None and reply.status_code < 500
    assert seen[-1]["path"] == "/twilio" + KINDS[kind].path
    if KINDS[kind].routing == "batch":  # a JSON array of CloudEvents, not a form
        assert json.loads(seen[-1]["body"])[0]["data"]["accountSid"] == payloads.TEST_ACCOUNT_SID
        return
    assert seen[-1]["AccountSid"] == payloads.TEST_ACCOUNT_SID


def test_webhook_fields_by_keyword_and_params(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.webhook(
        "message_status", status="undelivered", message_sid="SM" + "0" * 32, params={"X": "1"}
    )
    assert reply.status_code == 204
    assert (seen[-1]["MessageStatus"], seen[-1]["ErrorCode"], seen[-1]["X"]) == (
        "undelivered",
        "30003",
        "1",
    )


@pytest.mark.parametrize(
    ("path", "ok"), [("/html", True), ("/boom", False)], ids=["html-200", "server-error"]
)
def test_a_callback_answer_only_needs_a_2xx_status(
    client: TwilioTestClient, path: str, ok: bool
) -> None:
    reply = client.webhook("call_status", path)
    assert reply.ok is ok
    assert reply.twiml is None


def test_any_flask_app_behind_the_signature_middleware() -> None:
    # No TwilioHooks: plain Flask views behind twhooks' WSGI middleware.
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.wsgi_app = TwilioSignatureMiddleware(app.wsgi_app, auth_token=TOKEN)

    @app.post("/sms")
    def sms() -> Response:
        reply = MessagingResponse()
        reply.message(f"Got {request.form['Body']}")
        return Response(str(reply), mimetype="text/xml")

    client = TwilioTestClient(app)
    assert client.conversation("/sms").send("hi").messages == ["Got hi"]
    forger = TwilioTestClient(app, auth_token="wrong")
    assert forger.conversation("/sms").send("hi").status_code == 403


def test_flask_transport_keeps_no_cookies_of_its_own() -> None:
    app, seen = make_app()
    transport = FlaskTransport(app)
    client = TwilioTestClient(app)
    request_ = client.build_request("/twilio/messages", payloads.incoming_message("COUNT"))
    first = transport(request_)
    assert first.set_cookies
    transport(client.build_request("/twilio/messages", payloads.incoming_message("COUNT")))
    assert seen[-1]["cookie"] == ""


# -- the kinds' names, and fields of any simple type ------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("message-status", "message_status"), ("recording", "recording_status")],
    ids=["dashed", "name-of-0.1"],
)
def test_older_spellings_of_a_kind_still_work(
    client: TwilioTestClient, seen: list[dict[str, str]], name: str, kind: str
) -> None:
    assert client.path_for(name) == client.path_for(kind) == "/twilio" + KINDS[kind].path
    assert client.webhook(name).status_code is not None
    assert seen[-1]["path"] == "/twilio" + KINDS[kind].path


def test_path_for_an_unknown_kind() -> None:
    app, _ = make_app()
    with pytest.raises(SimulationError, match="unknown kind of webhook 'fax'"):
        TwilioTestClient(app).path_for("fax")


def test_numbers_and_booleans_are_sent_as_twilio_writes_them(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.webhook(
        "message_status",
        status="undelivered",
        error_code=30007,
        num_segments=2,
        params={"Flagged": True, "Price": -0.0075, "Read": False},
    )
    assert reply.status_code == 204  # signed over the same text the app received
    sent = seen[-1]
    assert (sent["ErrorCode"], sent["NumSegments"]) == ("30007", "2")
    assert (sent["Flagged"], sent["Price"], sent["Read"]) == ("true", "-0.0075", "false")


def test_numbers_in_a_conversation_and_a_call(
    client: TwilioTestClient, seen: list[dict[str, str]]
) -> None:
    reply = client.conversation().send("HELP", num_media=0, params={"NumSegments": 1})
    assert reply.messages == ["Reply BAL for your balance."]
    assert (seen[-1]["NumMedia"], seen[-1]["NumSegments"]) == ("0", "1")
    call = client.call(params={"CallerName": "Ana", "StirVerstat": 1})
    call.start()
    assert seen[-1]["StirVerstat"] == "1"


def test_a_field_of_another_type_is_a_clear_error(client: TwilioTestClient) -> None:
    with pytest.raises(SimulationError, match="the field ErrorCode is a str, int, float or bool"):
        client.webhook("message_status", error_code=[30007])
