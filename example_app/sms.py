"""The SMS chatbot: keywords, a pattern, a sign-up dialog and a media echo.

Try (``twhooks`` simulator or a real phone):

- ``HELP`` — what the bot can do;
- ``ADD 2 3 4`` — a pattern handler using the regex match;
- ``JOIN`` — a three-step dialog (name, then age) remembered across messages by the
  conversation state in the signed session cookie Twilio keeps for each (From, To);
- ``ME`` — what the bot remembers about you; ``RESET`` — forget it;
- anything else — echoed back; a picture (MMS) is sent back to you.

With ``TWHOOKS_RUNNER`` set in the environment (``thread``, ``rq``, ``celery``), the echo runs
in the background: Twilio gets an empty answer at once, and the echo is sent through Twilio's
REST API (``TWILIO_ACCOUNT_SID`` and the auth token, or an API key) — how a bot that calls a
slow model answers.
"""

from __future__ import annotations

import logging
import os

from flask import session

from twhooks import Conversation, IncomingMessage, MessageStatus, MessagingResponse

from .hooks import hooks

logger = logging.getLogger(__name__)

#: Whether the echo runs in the background (read once, when the handlers are registered).
BACKGROUND = bool(os.environ.get("TWHOOKS_RUNNER"))

HELP = (
    "Text JOIN to sign up, ME to see what I remember, ADD 2 3 to add numbers, "
    "RESET to start over. Anything else I echo back."
)


def conversation(msg: IncomingMessage) -> Conversation:
    # The extension always sets it on incoming messages; this keeps type checkers happy.
    assert msg.conversation is not None
    return msg.conversation


@hooks.message(keyword=["HELP", "INFO", "?"])
def help_(msg: IncomingMessage) -> str:
    return HELP


@hooks.message(keyword="RESET")
def reset(msg: IncomingMessage) -> str:
    conversation(msg).end()
    session.pop("profile", None)
    return "Done: I forgot everything about you. Text JOIN to sign up again."


@hooks.message(pattern=r"^(?:add|sum)\s+(-?\d+(?:\s+-?\d+)*)\s*$")
def add(msg: IncomingMessage) -> str:
    assert msg.match is not None
    numbers = [int(n) for n in msg.match.group(1).split()]
    return f"{' + '.join(map(str, numbers))} = {sum(numbers)}"


@hooks.message(keyword=["JOIN", "SIGNUP"])
def join(msg: IncomingMessage) -> str:
    conversation(msg).goto("ask_name")
    return "Welcome! What is your name?"


@hooks.message(state="ask_name")
def ask_name(msg: IncomingMessage) -> str:
    name = msg.body.strip()[:40]
    if not name:
        return "I did not catch that. What is your name?"
    conversation(msg).goto("ask_age", name=name)
    return f"Nice to meet you, {name}. How old are you?"


@hooks.message(state="ask_age")
def ask_age(msg: IncomingMessage) -> str:
    answer = msg.body.strip()
    if not answer.isdigit() or not 0 < int(answer) < 130:
        return "Please send your age as a number, like 42."
    talk = conversation(msg)
    name = talk.data.get("name")
    if name is None:
        # The cookie went missing half-way (it happens): start the dialog again.
        talk.goto("ask_name")
        return "Sorry, I lost track. What is your name?"
    session["profile"] = {"name": name, "age": int(answer)}
    talk.end()
    return f"Thanks {name}, you are signed up ({answer}). Text ME to check."


@hooks.message(keyword="ME")
def me(msg: IncomingMessage) -> str:
    profile = session.get("profile")
    if not profile:
        return "I don't know you yet. Text JOIN to sign up."
    return f"You are {profile['name']}, {profile['age']}."


@hooks.message(background=BACKGROUND)
def echo(msg: IncomingMessage) -> MessagingResponse | str:
    if msg.media:
        reply = MessagingResponse()
        message = reply.message(f"Thanks for the {len(msg.media)} attachment(s)! Here it is back.")
        for item in msg.media:
            message.media(item.url)
        return reply
    if not msg.body.strip():
        return HELP
    return f"You said: {msg.body[:200]}\nText HELP for what I can do."


@hooks.message_status("undelivered", "failed")
def on_failure(status: MessageStatus) -> None:
    """Runs once per message that fails (twhooks records every status in hooks.deliveries,
    shown on /dashboard; a late or repeated callback runs no handler)."""
    logger.warning("message %s %s (error %s)", status.sid, status.status, status.error_code)
