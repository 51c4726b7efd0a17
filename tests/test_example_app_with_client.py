"""The example app, tested the way its users would test theirs: with twhooks.flask.testing.

The ``app`` fixture is all the pytest plugin needs; ``twilio_client``,
``twilio_conversation`` and ``twilio_call`` come from :mod:`twhooks.pytest_plugin`.
"""

from __future__ import annotations

import pytest
from flask import Flask

from example_app import create_app
from example_app.sms import HELP
from twhooks.flask.testing import TwilioTestClient
from twhooks.simulator import SimulatedCall, SimulatedConversation

MENU = "For our opening hours, press 1. To leave a voicemail, press 2."


@pytest.fixture
def app() -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "TWILIO_AUTH_TOKEN": "example-test-token",
            "EXAMPLE_DASHBOARD_PASSWORD": "test-password",
        }
    )


def dashboard(app: Flask) -> str:
    page = app.test_client().get("/dashboard", auth=("me", "test-password"))
    assert page.status_code == 200
    return page.get_data(as_text=True)


# -- the SMS chatbot ----------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["HELP", "help", " Info ", "?"])
def test_help(twilio_conversation: SimulatedConversation, keyword: str) -> None:
    assert twilio_conversation.send(keyword).messages == [HELP]


def test_add_reads_the_numbers_from_the_pattern(
    twilio_conversation: SimulatedConversation,
) -> None:
    assert twilio_conversation.send("add 2 3 -4").messages == ["2 + 3 + -4 = 1"]


def test_sign_up_dialog_across_messages(twilio_conversation: SimulatedConversation) -> None:
    talk = twilio_conversation
    assert talk.send("JOIN").messages == ["Welcome! What is your name?"]
    assert talk.send("Ana").messages == ["Nice to meet you, Ana. How old are you?"]
    assert talk.send("old enough").messages == ["Please send your age as a number, like 42."]
    assert talk.send("42").messages == ["Thanks Ana, you are signed up (42). Text ME to check."]
    assert talk.send("ME").messages == ["You are Ana, 42."]


def test_each_phone_has_its_own_dialog(twilio_client: TwilioTestClient) -> None:
    ana = twilio_client.conversation(from_="+14155550101")
    bob = twilio_client.conversation(from_="+14155550102")
    ana.send("JOIN")
    bob.send("JOIN")
    ana.send("Ana")
    assert bob.send("Bob").messages == ["Nice to meet you, Bob. How old are you?"]
    assert ana.send("30").messages == ["Thanks Ana, you are signed up (30). Text ME to check."]
    assert bob.send("25").messages == ["Thanks Bob, you are signed up (25). Text ME to check."]
    assert ana.send("ME").messages == ["You are Ana, 30."]
    stranger = twilio_client.conversation(from_="+14155550103")
    assert stranger.send("ME").messages == ["I don't know you yet. Text JOIN to sign up."]


def test_a_lost_cookie_loses_no_dialog(twilio_conversation: SimulatedConversation) -> None:
    twilio_conversation.send("JOIN")
    twilio_conversation.cookies.clear()  # Twilio drops cookies now and then
    reply = twilio_conversation.send("Ana")  # the dialog's state is in the shared store
    assert reply.messages == ["Nice to meet you, Ana. How old are you?"]


def test_reset_forgets_the_profile(twilio_conversation: SimulatedConversation) -> None:
    for body in ("JOIN", "Ana", "42"):
        twilio_conversation.send(body)
    twilio_conversation.send("RESET")
    assert twilio_conversation.send("ME").messages == [
        "I don't know you yet. Text JOIN to sign up."
    ]


def test_mms_media_is_echoed_back(twilio_conversation: SimulatedConversation) -> None:
    pictures = ["https://example.com/a.jpg", "https://example.com/b.png"]
    reply = twilio_conversation.send(media=pictures)
    assert reply.messages == ["Thanks for the 2 attachment(s)! Here it is back."]
    assert reply.media == pictures


def test_whatsapp_messages_are_echoed(twilio_client: TwilioTestClient) -> None:
    reply = twilio_client.conversation(from_="whatsapp:+34600111222").send("hola")
    assert reply.messages == ["You said: hola\nText HELP for what I can do."]


def test_a_forged_message_is_refused(app: Flask) -> None:
    forger = TwilioTestClient(app, auth_token="not-the-token")
    reply = forger.conversation().send("HELP")
    assert reply.status_code == 403
    assert reply.messages == []


# -- the delivery status page ---------------------------------------------------------------


def test_replies_delivery_statuses_reach_the_dashboard(
    app: Flask, twilio_client: TwilioTestClient
) -> None:
    talk = twilio_client.conversation(status_callback="/twilio/messages/status")
    reply = talk.send("HELP")
    assert [callback.status_code for callback in reply.status_callbacks] == [204, 204, 204]
    sent = reply.status_callbacks[0].request
    assert sent is not None
    sid = dict(sent.params)["MessageSid"]
    page = dashboard(app)
    assert sid in page
    assert '<td class="status">delivered</td>' in page


def test_a_late_status_never_moves_a_message_back(
    app: Flask, twilio_client: TwilioTestClient
) -> None:
    sid = "SM" + "5" * 32
    for status in ("sent", "delivered", "sent"):
        reply = twilio_client.webhook("message-status", status=status, message_sid=sid)
        assert reply.status_code == 204
    page = dashboard(app)
    assert '<td class="status">delivered</td>' in page
    assert '<td class="history">sent → delivered</td>' in page  # each status once


def test_a_failed_message_shows_its_error_code(app: Flask, twilio_client: TwilioTestClient) -> None:
    twilio_client.webhook("message-status", status="undelivered", error_code="30007")
    page = dashboard(app)
    assert '<td class="status">undelivered</td>' in page
    assert "<td>30007</td>" in page


# -- the phone menu -------------------------------------------------------------------------


def test_the_call_opens_with_the_menu(twilio_call: SimulatedCall) -> None:
    reply = twilio_call.start()
    assert reply.says == [f"Thanks for calling the twhooks example. {MENU}"]
    [gather] = reply.gathers
    assert (gather.action, gather.num_digits) == ("/twilio/voice/menu", 1)


def test_opening_hours_then_hang_up(twilio_call: SimulatedCall) -> None:
    twilio_call.start()
    reply = twilio_call.press("1")
    assert reply.says == ["We are open Monday to Friday, nine to five. Goodbye!"]
    assert reply.hangup
    assert twilio_call.end_reason == "hangup"
    assert reply.status_callbacks[0].status_code == 204


def test_a_wrong_key_repeats_the_menu(twilio_call: SimulatedCall) -> None:
    twilio_call.start()
    reply = twilio_call.press("7")
    assert reply.says == [
        "Sorry, that is not an option.",
        f"Thanks for calling the twhooks example. {MENU}",
    ]
    assert reply.redirects == ["/twilio/voice"]


def test_silence_repeats_the_menu(twilio_call: SimulatedCall) -> None:
    twilio_call.start()
    reply = twilio_call.no_input()
    assert reply.says[0] == "We did not get your choice."
    assert reply.gathers and twilio_call.waiting_for is not None


def test_voicemail_all_the_way_to_goodbye_and_the_dashboard(
    app: Flask, twilio_client: TwilioTestClient
) -> None:
    call = twilio_client.call(from_="+12125550123")
    call.start()
    reply = call.press("2")
    assert reply.says == ["Please leave a message after the beep. Press the pound key when done."]
    [record] = reply.records
    assert record.action == "/twilio/voice/voicemail"
    assert record.transcribe
    reply = call.record(duration=14, transcript="Please call me back about my order.")
    assert reply.says == ["Thanks, we got your message. Goodbye!"]
    assert reply.hangup and call.ended
    # The call's status, then the recording and its transcription, all answered 204.
    assert [callback.status_code for callback in reply.status_callbacks] == [204, 204, 204]
    page = dashboard(app)
    assert call.call_sid in page
    assert "+12125550123" in page
    assert "<td>14</td>" in page
    assert "Please call me back about my order." in page


def test_a_silent_voicemail_says_goodbye(twilio_call: SimulatedCall) -> None:
    twilio_call.start()
    twilio_call.press("2")
    reply = twilio_call.no_input()
    assert reply.says == ["We did not get a message. Goodbye!"]
    assert reply.hangup


def test_hanging_up_during_the_voicemail_keeps_it(
    app: Flask, twilio_client: TwilioTestClient
) -> None:
    call = twilio_client.call(from_="+12125550177")
    call.start()
    call.press("2")
    call.hangup()
    assert call.call_sid in dashboard(app)


def test_hanging_up_at_the_menu(twilio_call: SimulatedCall) -> None:
    twilio_call.start()
    reply = twilio_call.hangup()
    assert twilio_call.end_reason == "caller hung up"
    assert reply.status_callbacks[0].status_code == 204
