"""The app's one :class:`~twhooks.TwilioHooks`, created unbound like any Flask extension.

``sms`` and ``voice`` register their handlers on it at import time; ``create_app`` binds it
to each app with ``hooks.init_app(app)``.
"""

from __future__ import annotations

import logging
from typing import Any

from twhooks import Call, MessagingResponse, TwilioHooks, VoiceResponse

hooks = TwilioHooks()

logger = logging.getLogger(__name__)


@hooks.error
def apologise(error: Exception, event: Any) -> MessagingResponse | VoiceResponse:
    """A failing handler still gets the caller a polite answer (the error is logged)."""
    if isinstance(event, Call):
        voice = VoiceResponse()
        voice.say("Sorry, something went wrong. Please call again later.")
        voice.hangup()
        return voice
    reply = MessagingResponse()
    reply.message("Sorry, something went wrong on our side. Please try again later.")
    return reply
