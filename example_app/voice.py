"""The phone menu: incoming call → menu → opening hours, or voicemail → goodbye.

Every ``action`` is built with :meth:`~twhooks.TwilioHooks.step_url`, so the next request
comes back to the matching ``@hooks.call("<step>")`` handler.
"""

from __future__ import annotations

import logging

from twhooks import Call, CallStatus, RecordingStatus, Transcription, VoiceResponse

from .hooks import hooks
from .store import current as dashboard

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
    if call.sid:
        entry = dashboard().voicemail(call.sid, call.from_)
        entry.recording_url = call.recording_url
        entry.duration = call.recording_duration
    response = VoiceResponse()
    response.say("Thanks, we got your message. Goodbye!")
    response.hangup()
    return response


@hooks.recording_status("completed")
def recording_done(status: RecordingStatus) -> None:
    if status.call_sid:
        entry = dashboard().voicemail(status.call_sid)
        entry.recording_url = status.recording_url
        entry.duration = status.recording_duration


@hooks.transcription("completed")
def transcribed(transcription: Transcription) -> None:
    if transcription.call_sid:
        dashboard().voicemail(transcription.call_sid).transcript = transcription.text


@hooks.call_status("completed", "busy", "no-answer", "failed", "canceled")
def call_ended(status: CallStatus) -> None:
    logger.info("call %s ended: %s after %ss", status.sid, status.status, status.call_duration)
