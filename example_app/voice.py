"""The phone menu: incoming call → menu → opening hours, or voicemail → goodbye.

Every ``action`` is built with :meth:`~twhooks.TwilioHooks.step_url`, so the next request
comes back to the matching ``@hooks.call("<step>")`` handler.
"""

from __future__ import annotations

import logging

from twhooks import Call, CallStatus, VoiceResponse

from .hooks import hooks

logger = logging.getLogger(__name__)

MENU = "For our opening hours, press 1. To leave a voicemail, press 2."


@hooks.call()
def incoming(call: Call) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(num_digits=1, action=hooks.step_url("menu"), timeout=5)
    gather.say(f"Thanks for calling the twhooks example. {MENU}")
    # No key pressed: Twilio falls through to the next verb.
    response.say("We did not get your choice.")
    response.redirect(hooks.step_url())
    return response


@hooks.call("menu")
def menu(call: Call) -> VoiceResponse:
    response = VoiceResponse()
    if call.digits == "1":
        response.say("We are open Monday to Friday, nine to five. Goodbye!")
        response.hangup()
    elif call.digits == "2":
        response.say("Please leave a message after the beep. Press the pound key when done.")
        response.record(
            action=hooks.step_url("voicemail"),
            max_length=120,
            finish_on_key="#",
            recording_status_callback=hooks.callback_url("recording_status"),
            transcribe=True,
            transcribe_callback=hooks.callback_url("transcription"),
        )
        # Reached only when nothing was recorded.
        response.say("We did not get a message. Goodbye!")
        response.hangup()
    else:
        response.say("Sorry, that is not an option.")
        response.redirect(hooks.step_url())
    return response


@hooks.call("voicemail")
def voicemail(call: Call) -> VoiceResponse:
    response = VoiceResponse()
    response.say("Thanks, we got your message. Goodbye!")
    response.hangup()
    return response


# Recording and transcription callbacks need no handler: twhooks records them in
# hooks.calls, where the dashboard reads them (store.py).


@hooks.call_status("completed", "busy", "no-answer", "failed", "canceled")
def call_ended(status: CallStatus) -> None:
    logger.info("call %s ended: %s after %ss", status.sid, status.status, status.call_duration)
