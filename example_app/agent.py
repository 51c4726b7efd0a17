"""A voice agent over ConversationRelay that answers with a canned, streamed reply.

A call to ``/twilio/voice/agent`` is connected to the agent: Twilio transcribes what the
caller says and sends it over a WebSocket; the agent streams its answer back word by word,
stops when the caller talks over it, and hands the call to a person when asked. Swap
:func:`canned_reply` for a language model's token stream and it is a real agent.

Mount it on the example app's extension, which must serve sockets (``pip install
'twhooks[voice]'``)::

    from example_app.agent import register
    register(hooks)          # adds @hooks.call("agent"), @hooks.relay(), @hooks.call("agent_done")

then point a Twilio number's voice URL at ``https://<public host>/twilio/voice/agent``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from flask import current_app, request

from twhooks import Call, VoiceResponse
from twhooks.realtime import RelaySession, SessionRecord, connect_relay

logger = logging.getLogger(__name__)

GREETING = "Hi! This is the Acme assistant. How can I help?"

#: Seconds between two words of the canned reply: a language model's pace.
WORD_DELAY = 0.03


def canned_reply(prompt: str) -> Iterator[str]:
    """The agent's answer to *prompt*, word by word, as a model would stream it."""
    answer = (
        f"You asked: {prompt.rstrip('?.!')}. We are open nine to five, Monday to Friday, "
        "and you can reach a person any time by saying human."
    )
    for word in answer.split(" "):
        time.sleep(WORD_DELAY)
        yield word + " "


def _public_url() -> str:
    """Where Twilio reaches this app: ``TWHOOKS_PUBLIC_URL``, else the request's host over
    TLS (Twilio opens sockets over ``wss://`` only)."""
    return str(current_app.config.get("TWHOOKS_PUBLIC_URL") or f"https://{request.host}")


def register(hooks: Any) -> None:
    """Add the agent's call steps, relay handler and end hook to *hooks*."""

    @hooks.call("agent")
    def start(call: Call) -> VoiceResponse:
        """Connect the call to the agent; ``agent_done`` runs when the session ends."""
        return connect_relay(
            call.sid,
            _public_url(),
            welcome_greeting=GREETING,
            action=hooks.step_url("agent_done"),
            parameters={"line": "support"},
        )

    @hooks.relay()
    def agent(session: RelaySession) -> None:
        """Answer every prompt with the canned reply; hand over when asked for a human."""
        session.data["line"] = session.setup.custom_parameters.get("line", "")
        for prompt in session.prompts():
            if "human" in prompt.text.lower():
                session.end({"reason": "caller asked for a human", "said": prompt.text})
                return
            if not session.say(canned_reply(prompt.text)):
                heard = session.last_interrupt.utterance if session.last_interrupt else ""
                logger.info("call %s interrupted the agent after %r", session.call_sid, heard)

    @hooks.call("agent_done")
    def done(call: Call) -> VoiceResponse:
        """The ``<Connect action>`` callback: a handoff goes to a person, else goodbye."""
        reply = VoiceResponse()
        if call.params.get("HandoffData"):
            reply.say("Connecting you to a person.")
            reply.dial("+14155550123")
        else:
            reply.say("Goodbye!")
        return reply

    @hooks.session_end
    def log_session(record: SessionRecord) -> None:
        """Every session's end, however it ended (hang-up, handoff, error, shutdown)."""
        logger.info(
            "agent session for %s ended (%s): %d in, %d out, %d error(s)",
            record.call_sid,
            record.close_reason,
            record.received,
            record.sent,
            len(record.errors),
        )
