"""Realistic parameters of every webhook Twilio sends, for tests and the simulator.

Each factory returns the form fields of one webhook as a ``dict`` of Twilio names to
strings, with the defaults a real request would carry: SIDs with the right prefix and
length, E.164 numbers, ``AccountSid``, ``ApiVersion``, the geographic fields, and so on.
Every field can be changed:

- the common ones by a keyword argument (``from_="+14155550100"``, ``body="HELP"``);
- any other by a keyword in snake case, turned into Twilio's name
  (``profile_name="Ana"`` sets ``ProfileName``);
- any field at all by Twilio's own name in ``params``; a ``None`` value there removes the
  field (``params={"FromCity": None}``).

Values may be strings, integers, floats or booleans: they are sent as Twilio writes them
(``error_code=30007`` sends ``ErrorCode=30007``, ``muted=True`` sends ``Muted=true``).

Voice callbacks (gather, record, dial, status…) carry the fields of the call they belong
to: pass the incoming call's parameters as ``call`` to keep one call's SIDs and numbers.

:data:`FACTORIES` holds the factory of each kind of :data:`twhooks.kinds.KINDS`, by the
kind's name; :func:`webhook` builds the fields of any kind by any name
:func:`twhooks.kinds.kind_named` accepts.

This module knows nothing of Flask or HTTP: :mod:`twhooks.testing` and the ``twhooks``
command both build their requests from it.
"""

from __future__ import annotations

import json
import math
import mimetypes
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .exceptions import HandlerError, SimulationError

__all__ = [
    "API_VERSION",
    "CLOUD_EVENT_ATTRIBUTES",
    "FACTORIES",
    "TEST_ACCOUNT_SID",
    "TEST_APP_NUMBER",
    "TEST_USER_NUMBER",
    "Value",
    "alert",
    "amd",
    "assignment",
    "call_status",
    "cloud_event",
    "conference",
    "conversation_event",
    "dial_result",
    "gather_result",
    "incoming_call",
    "incoming_message",
    "kind_for",
    "media_url",
    "message_status",
    "new_sid",
    "record_result",
    "recording_status",
    "taskrouter_event",
    "transcription",
    "twilio_name",
    "webhook",
    "wire_value",
]

#: The only API version Twilio puts in webhooks.
API_VERSION = "2010-04-01"
#: The account every factory uses unless told otherwise.
TEST_ACCOUNT_SID = "AC" + "7e57" * 8
#: The number of the person texting or calling, in the defaults.
TEST_USER_NUMBER = "+14155550100"
#: The Twilio number of the app, in the defaults.
TEST_APP_NUMBER = "+14155550199"

Fields = dict[str, str]
#: A field's value as given: Twilio's text, or a number or a boolean written as Twilio does.
Value = str | int | float | bool
Overrides = Mapping[str, Value | None]

# A few places for the geographic fields Twilio adds when it knows the number's area.
# Twilio writes cities in capitals and leaves unknown fields empty.
_AREAS: dict[str, tuple[str, str, str, str]] = {
    "+1415": ("SAN FRANCISCO", "CA", "94105", "US"),
    "+1212": ("NEW YORK", "NY", "10001", "US"),
    "+1312": ("CHICAGO", "IL", "60601", "US"),
    "+1512": ("AUSTIN", "TX", "78701", "US"),
    "+1206": ("SEATTLE", "WA", "98101", "US"),
    "+1416": ("TORONTO", "ON", "", "CA"),
}
_COUNTRIES: dict[str, str] = {
    "+1": "US",
    "+44": "GB",
    "+33": "FR",
    "+49": "DE",
    "+34": "ES",
    "+39": "IT",
    "+31": "NL",
    "+61": "AU",
    "+81": "JP",
    "+91": "IN",
    "+55": "BR",
    "+52": "MX",
}
_CHANNELS = ("whatsapp:", "rcs:", "messenger:")


def new_sid(prefix: str) -> str:
    """A fresh SID: the two-letter *prefix* and 32 lowercase hex digits (34 characters).

    >>> len(new_sid("SM"))
    34
    """
    if len(prefix) != 2 or not prefix.isalpha():
        raise SimulationError(f"a SID prefix is two letters, not {prefix!r}")
    return prefix.upper() + os.urandom(16).hex()


def twilio_name(keyword: str) -> str:
    """Twilio's name for a snake-case keyword: ``profile_name`` → ``ProfileName``.

    A trailing underscore (``from_``) is dropped, so Python keywords can be used.
    """
    return "".join(part[:1].upper() + part[1:] for part in keyword.rstrip("_").split("_"))


def wire_value(name: str, value: Value) -> str:
    """*value* of the field *name* as Twilio writes it in a webhook.

    Booleans are ``true`` and ``false``, numbers are written in decimal (``30007``,
    ``0.92``), strings are kept as they are.

    :raises SimulationError: *value* is of another type.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise SimulationError(
        f"the field {name} is a str, int, float or bool, not {type(value).__name__}"
    )


def media_url(account_sid: str = TEST_ACCOUNT_SID, message_sid: str | None = None) -> str:
    """A URL shaped like the ones Twilio puts in ``MediaUrlN`` (it serves nothing)."""
    message_sid = message_sid or new_sid("MM")
    return (
        f"https://api.twilio.com/{API_VERSION}/Accounts/{account_sid}"
        f"/Messages/{message_sid}/Media/{new_sid('ME')}"
    )


def _now_rfc2822() -> str:
    import email.utils  # costly to import: not on the ``twhooks`` command's way to --help

    return email.utils.format_datetime(datetime.now(timezone.utc), usegmt=True)


def _bare_number(address: str) -> str:
    """``whatsapp:+14155550100`` → ``+14155550100``."""
    for channel in _CHANNELS:
        if address.startswith(channel):
            return address[len(channel) :]
    return address


def _geography(role: str, number: str) -> Fields:
    """The ``{role}City``, ``{role}State``, ``{role}Zip`` and ``{role}Country`` fields."""
    number = _bare_number(number)
    city = state = zip_code = country = ""
    for prefix, place in _AREAS.items():
        if number.startswith(prefix):
            city, state, zip_code, country = place
            break
    else:
        for prefix, code in sorted(_COUNTRIES.items(), key=lambda item: -len(item[0])):
            if number.startswith(prefix):
                country = code
                break
    return {
        f"{role}City": city,
        f"{role}State": state,
        f"{role}Zip": zip_code,
        f"{role}Country": country,
    }


def _finish(
    fields: Fields,
    params: Overrides | None,
    extra: Mapping[str, Value | None],
    copies: Mapping[str, str] | None = None,
) -> Fields:
    """Apply the snake-case *extra* keywords, then the raw *params* (``None`` deletes).

    :param copies: fields that Twilio sends as a copy of another (``SmsStatus`` of
        ``MessageStatus``): they follow an override of the original unless set themselves.
    """
    changed: set[str] = set()
    overrides = [(twilio_name(keyword), value) for keyword, value in extra.items()]
    for name, value in [*overrides, *(params or {}).items()]:
        changed.add(name)
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = wire_value(name, value)
    for copy, original in (copies or {}).items():
        if original in changed and copy not in changed and original in fields:
            fields[copy] = fields[original]
    return fields


# The GSM 03.38 alphabet; the extension characters take two septets each.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def _segments(body: str) -> int:
    """How many SMS segments *body* takes, as in ``NumSegments``.

    GSM-7 text fits 160 septets in one segment (153 when split); anything else is sent as
    UCS-2: 70 UTF-16 code units (67 when split), an emoji taking two.
    """
    if all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in body):
        units = len(body) + sum(char in _GSM_EXTENSION for char in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return math.ceil(units / multi)


def incoming_message(
    body: str = "",
    *,
    from_: str = TEST_USER_NUMBER,
    to: str = TEST_APP_NUMBER,
    media: Sequence[str | tuple[str, str]] = (),
    message_sid: str | None = None,
    account_sid: str = TEST_ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """An incoming SMS, MMS or WhatsApp message (the webhook of a phone number).

    :param media: media URLs, or ``(url, content_type)`` pairs; the content type of a bare
        URL is guessed from its extension (``image/jpeg`` when unknown).
    :param messaging_service_sid: set when the number belongs to a Messaging Service;
        a fresh ``MG…`` SID is used by default.

    A ``whatsapp:`` sender makes a WhatsApp message: the recipient gets the prefix too,
    and ``ProfileName`` and ``WaId`` are added instead of the geographic fields.
    """
    message_sid = message_sid or new_sid("MM" if media else "SM")
    whatsapp = from_.startswith("whatsapp:")
    if whatsapp and not to.startswith("whatsapp:"):
        to = "whatsapp:" + to
    result: Fields = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsMessageSid": message_sid,
        "MessagingServiceSid": messaging_service_sid or new_sid("MG"),
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": str(len(media)),
        "NumSegments": str(_segments(body)),
        "SmsStatus": "received",
    }
    if whatsapp:
        result["ProfileName"] = "Test User"
        result["WaId"] = _bare_number(from_).lstrip("+")
    else:
        result.update(_geography("From", from_))
        result.update(_geography("To", to))
    for index, item in enumerate(media):
        url, content_type = (item, "") if isinstance(item, str) else item
        if not content_type:
            content_type = mimetypes.guess_type(url)[0] or "image/jpeg"
        result[f"MediaUrl{index}"] = url
        result[f"MediaContentType{index}"] = content_type
    return _finish(result, params, fields, {"SmsSid": "MessageSid", "SmsMessageSid": "MessageSid"})


_MESSAGE_ERRORS = {"failed": "30008", "undelivered": "30003"}


def message_status(
    status: str = "delivered",
    *,
    message_sid: str | None = None,
    from_: str = TEST_APP_NUMBER,
    to: str = TEST_USER_NUMBER,
    account_sid: str = TEST_ACCOUNT_SID,
    messaging_service_sid: str | None = None,
    error_code: Value | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A status callback of a message the app sent (``From`` is the app's number).

    ``failed`` and ``undelivered`` carry an ``ErrorCode`` (30008 and 30003 unless given);
    final carrier statuses carry ``RawDlrDoneDate`` (``YYMMDDhhmm``).
    """
    message_sid = message_sid or new_sid("SM")
    result: Fields = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "From": from_,
        "To": to,
    }
    if messaging_service_sid:
        result["MessagingServiceSid"] = messaging_service_sid
    if error_code is None:
        error_code = _MESSAGE_ERRORS.get(status)
    if error_code is not None:
        result["ErrorCode"] = wire_value("ErrorCode", error_code)
    if status in {"delivered", "undelivered"}:
        result["RawDlrDoneDate"] = datetime.now(timezone.utc).strftime("%y%m%d%H%M")
    return _finish(result, params, fields, {"SmsSid": "MessageSid", "SmsStatus": "MessageStatus"})


def incoming_call(
    *,
    from_: str = TEST_USER_NUMBER,
    to: str = TEST_APP_NUMBER,
    call_sid: str | None = None,
    account_sid: str = TEST_ACCOUNT_SID,
    call_status: str = "ringing",
    direction: str = "inbound",
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """The first webhook of a phone call: ``CallSid``, the numbers and where they are.

    ``Caller``/``Called`` duplicate ``From``/``To`` as Twilio does, with their own
    geographic fields.
    """
    result: Fields = {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid or new_sid("CA"),
        "CallStatus": call_status,
        "Direction": direction,
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
    }
    for role, number in (("From", from_), ("To", to), ("Caller", from_), ("Called", to)):
        result.update(_geography(role, number))
    return _finish(result, params, fields, {"Caller": "From", "Called": "To"})


def _call_fields(call: Mapping[str, str] | None, status: str) -> Fields:
    """The fields of *call* every callback of it repeats, with a new ``CallStatus``."""
    result = dict(call) if call is not None else incoming_call()
    result["CallStatus"] = status
    return result


def gather_result(
    call: Mapping[str, str] | None = None,
    *,
    digits: Value | None = None,
    speech: str | None = None,
    confidence: float = 0.92,
    finished_on_key: str = "",
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """What ``<Gather>`` posts to its action: ``Digits`` or ``SpeechResult`` and ``Confidence``.

    With neither digits nor speech it is the empty result of ``actionOnEmptyResult``.
    """
    result = _call_fields(call, "in-progress")
    if speech is not None:
        result["SpeechResult"] = speech
        result["Confidence"] = f"{confidence:.8f}".rstrip("0").rstrip(".")
    else:
        result["Digits"] = wire_value("Digits", digits) if digits is not None else ""
        result["FinishedOnKey"] = finished_on_key
    return _finish(result, params, fields)


def record_result(
    call: Mapping[str, str] | None = None,
    *,
    duration: int = 5,
    digits: str = "#",
    recording_sid: str | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """What ``<Record>`` posts to its action when the caller stops recording.

    :param digits: the key that ended the recording, or ``hangup``.
    """
    result = _call_fields(call, "in-progress" if digits != "hangup" else "completed")
    recording_sid = recording_sid or new_sid("RE")
    result.update(
        {
            "RecordingSid": recording_sid,
            "RecordingUrl": _recording_url(result["AccountSid"], recording_sid),
            "RecordingDuration": str(duration),
            "Digits": digits,
        }
    )
    return _finish(result, params, fields)


def _recording_url(account_sid: str, recording_sid: str) -> str:
    return f"https://api.twilio.com/{API_VERSION}/Accounts/{account_sid}/Recordings/{recording_sid}"


def recording_status(
    call: Mapping[str, str] | None = None,
    *,
    status: str = "completed",
    duration: int = 5,
    recording_sid: str | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A ``recordingStatusCallback``: ``RecordingStatus`` and the recording's details."""
    base = _call_fields(call, "completed")
    recording_sid = recording_sid or new_sid("RE")
    result: Fields = {
        "AccountSid": base["AccountSid"],
        "CallSid": base["CallSid"],
        "RecordingSid": recording_sid,
        "RecordingUrl": _recording_url(base["AccountSid"], recording_sid),
        "RecordingStatus": status,
        "RecordingDuration": str(duration) if status == "completed" else "-1",
        "RecordingChannels": "1",
        "RecordingStartTime": _now_rfc2822(),
        "RecordingSource": "RecordVerb",
    }
    return _finish(result, params, fields)


def transcription(
    call: Mapping[str, str] | None = None,
    *,
    text: str = "Hello, this is a test message.",
    status: str = "completed",
    recording_sid: str | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A ``transcribeCallback`` of ``<Record transcribe="true">``."""
    result = _call_fields(call, "completed")
    recording_sid = recording_sid or new_sid("RE")
    transcription_sid = new_sid("TR")
    result.update(
        {
            "TranscriptionSid": transcription_sid,
            "TranscriptionText": text if status == "completed" else "",
            "TranscriptionStatus": status,
            "TranscriptionUrl": (
                f"https://api.twilio.com/{API_VERSION}/Accounts/{result['AccountSid']}"
                f"/Transcriptions/{transcription_sid}"
            ),
            "TranscriptionType": "fast",
            "RecordingSid": recording_sid,
            "RecordingUrl": _recording_url(result["AccountSid"], recording_sid),
        }
    )
    return _finish(result, params, fields)


def dial_result(
    call: Mapping[str, str] | None = None,
    *,
    status: str = "completed",
    duration: int = 42,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """What ``<Dial>`` posts to its action when the dialed call ends."""
    result = _call_fields(call, "in-progress")
    answered = status in {"completed", "answered"}
    result.update(
        {
            "DialCallStatus": status,
            "DialCallSid": new_sid("CA"),
            "DialCallDuration": str(duration if answered else 0),
            "DialBridged": "true" if answered else "false",
        }
    )
    return _finish(result, params, fields)


def call_status(
    call: Mapping[str, str] | None = None,
    *,
    status: str = "completed",
    duration: int = 42,
    sequence_number: int = 0,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A call status callback (``call-progress-events``).

    A ``completed`` call carries ``CallDuration`` (seconds) and ``Duration`` (billed
    minutes, rounded up).
    """
    result = _call_fields(call, status)
    result.update(
        {
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(sequence_number),
            "Timestamp": _now_rfc2822(),
        }
    )
    if status == "completed":
        result["CallDuration"] = str(duration)
        result["Duration"] = str(max(1, math.ceil(duration / 60)))
    return _finish(result, params, fields)


def conference(
    event: str = "participant-join",
    *,
    call: Mapping[str, str] | None = None,
    conference_sid: str | None = None,
    friendly_name: str = "test-room",
    sequence_number: int = 1,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A conference ``statusCallback`` event (``participant-join``, ``conference-end``…)."""
    base = _call_fields(call, "in-progress")
    result: Fields = {
        "AccountSid": base["AccountSid"],
        "ConferenceSid": conference_sid or new_sid("CF"),
        "FriendlyName": friendly_name,
        "StatusCallbackEvent": event,
        "SequenceNumber": str(sequence_number),
        "Timestamp": _now_rfc2822(),
    }
    if event.startswith("participant-"):
        result.update(
            {
                "CallSid": base["CallSid"],
                "Muted": "false",
                "Hold": "false",
                "Coaching": "false",
                "EndConferenceOnExit": "false",
                "StartConferenceOnEnter": "true",
            }
        )
    if event == "participant-leave":
        result["ReasonParticipantLeft"] = "participant_hung_up"
    if event == "conference-end":
        result["ReasonConferenceEnded"] = "last-participant-left"
    return _finish(result, params, fields)


def amd(
    call: Mapping[str, str] | None = None,
    *,
    answered_by: str = "human",
    detection_ms: int = 2150,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """An asynchronous answering machine detection result (``asyncAmdStatusCallback``)."""
    base = _call_fields(call, "in-progress")
    result: Fields = {
        "AccountSid": base["AccountSid"],
        "CallSid": base["CallSid"],
        "AnsweredBy": answered_by,
        "MachineDetectionDuration": str(detection_ms),
    }
    return _finish(result, params, fields)


def conversation_event(
    event_type: str = "onMessageAdded",
    *,
    body: str = "Hello from the test client",
    author: str = TEST_USER_NUMBER,
    account_sid: str = TEST_ACCOUNT_SID,
    conversation_sid: str | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A Conversations webhook of *event_type* (``onMessageAdd`` before a message is added,
    ``onMessageAdded`` after…): for a message event, the fields of Twilio's
    ``onMessageAdded`` example (``MessageSid`` only once the message exists)."""
    result: Fields = {
        "AccountSid": account_sid,
        "EventType": event_type,
        "Source": "SMS",
        "ConversationSid": conversation_sid or new_sid("CH"),
        "ChatServiceSid": new_sid("IS"),
        "RetryCount": "0",
        "DateCreated": datetime.now(timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if event_type.startswith("onMessage"):
        result.update(
            {
                "MessagingServiceSid": new_sid("MG"),
                "ParticipantSid": new_sid("MB"),
                "Author": author,
                "Body": body,
                "Attributes": "{}",
            }
        )
        if event_type.endswith("ed"):  # the message exists: it has a SID and an index
            result.update({"MessageSid": new_sid("IM"), "Index": "0"})
    return _finish(result, params, fields)


def taskrouter_event(
    event_type: str = "task.created",
    *,
    account_sid: str = TEST_ACCOUNT_SID,
    workspace_sid: str | None = None,
    task_sid: str | None = None,
    task_attributes: str = '{"type": "support"}',
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A TaskRouter workspace event callback of *event_type*, about a task (a reservation
    and worker event also names the worker and the reservation)."""
    task_sid = task_sid or new_sid("WT")
    resource = event_type.split(".", 1)[0]
    result: Fields = {
        "AccountSid": account_sid,
        "WorkspaceSid": workspace_sid or new_sid("WS"),
        "EventType": event_type,
        "EventDescription": f"{event_type} for the test",
        "ResourceType": resource,
        "ResourceSid": task_sid,
        "Timestamp": str(int(datetime.now(timezone.utc).timestamp())),
        "TaskSid": task_sid,
        "TaskAttributes": task_attributes,
        "TaskQueueSid": new_sid("WQ"),
    }
    if resource in ("reservation", "worker"):
        worker_sid = new_sid("WK")
        result.update({"WorkerSid": worker_sid, "WorkerActivityName": "Available"})
        result["ResourceSid"] = worker_sid if resource == "worker" else new_sid("WR")
        if resource == "reservation":
            result["ReservationSid"] = result["ResourceSid"]
    return _finish(result, params, fields)


def assignment(
    *,
    account_sid: str = TEST_ACCOUNT_SID,
    task_attributes: str = '{"type": "support", "from": "+14155550100"}',
    worker_attributes: str = '{"contact_uri": "client:alice"}',
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A TaskRouter assignment callback: the parameters of Twilio's "Handling Assignment
    Callbacks" page (Timestamp, the workspace, workflow, queue, worker, task and
    reservation)."""
    result: Fields = {
        "Timestamp": str(int(datetime.now(timezone.utc).timestamp())),
        "AccountSid": account_sid,
        "WorkspaceSid": new_sid("WS"),
        "WorkflowSid": new_sid("WW"),
        "TaskQueueSid": new_sid("WQ"),
        "WorkerSid": new_sid("WK"),
        "WorkerAttributes": worker_attributes,
        "TaskSid": new_sid("WT"),
        "TaskAttributes": task_attributes,
        "TaskAge": "12",
        "TaskPriority": "0",
        "ReservationSid": new_sid("WR"),
    }
    return _finish(result, params, fields)


def alert(
    level: str = "Error",
    *,
    error_code: Value = 11200,
    resource_sid: str | None = None,
    account_sid: str = TEST_ACCOUNT_SID,
    payload: Mapping[str, Any] | None = None,
    params: Overrides | None = None,
    **fields: Value | None,
) -> Fields:
    """A Debugger alert webhook: ``Sid``, ``AccountSid``, ``Timestamp``, ``Level``
    (``Error`` or ``Warning``), ``PayloadType`` ``application/json`` and ``Payload``, the JSON
    of ``resource_sid``, ``error_code``, ``more_info`` and, for a webhook that failed,
    ``webhook`` (its request and response).

    :param error_code: the Error Dictionary's code (``11200``: an HTTP retrieval failure).
    :param resource_sid: what the alert is about (a new call's SID by default).
    :param payload: fields of the payload to change or add.
    """
    resource_sid = resource_sid or new_sid("CA")
    body: dict[str, Any] = {
        "resource_sid": resource_sid,
        "service_sid": None,
        "error_code": str(error_code),
        "more_info": {"msg": "An attempt to retrieve content returned an HTTP 500"},
        "webhook": {
            "type": "application/json",
            "request": {
                "url": "https://example.com/twilio/voice",
                "method": "POST",
                "headers": {},
                "parameters": {"CallSid": resource_sid, "AccountSid": account_sid},
            },
            "response": {"status_code": 500, "headers": {}, "body": ""},
        },
        **(payload or {}),
    }
    result: Fields = {
        "Sid": new_sid("NO"),
        "AccountSid": account_sid,
        "Timestamp": datetime.now(timezone.utc)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "Level": level,
        "PayloadType": "application/json",
        "Payload": json.dumps(body),
    }
    return _finish(result, params, fields)


# -- Event Streams -------------------------------------------------------------------------

#: The CloudEvents attributes a ``params`` override of :func:`cloud_event` sets; any other
#: name goes into the event's ``data``.
CLOUD_EVENT_ATTRIBUTES = frozenset(
    {"id", "type", "source", "time", "specversion", "dataschema", "datacontenttype"}
)
_MESSAGE_EVENT = "com.twilio.messaging.message."
_CALL_EVENT = "com.twilio.voice.status-callback.call."


def cloud_event(
    type: str = "com.twilio.messaging.message.delivered",
    *,
    data: Mapping[str, Any] | None = None,
    id: str | None = None,
    account_sid: str = TEST_ACCOUNT_SID,
    params: Mapping[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """One CloudEvent as an Event Streams sink receives it (a JSON object; a sink gets an
    array of them), shaped like the examples of Twilio's event type pages.

    A message status type (``com.twilio.messaging.message.<status>``) gets the
    ``Messaging.MessageStatus`` schema's ``data`` (``messageSid``, ``messageStatus``…); a
    call status type (``com.twilio.voice.status-callback.call.<status>``) the
    ``Voice.WebhookEvent`` schema's, with the status callback's parameters in
    ``data.request.parameters``; any other type an empty ``data`` unless given.

    :param data: the event's ``data``, or fields of the default ``data`` to change.
    :param id: the event's ``id`` (a fresh one by default: Twilio keeps it on redelivery).
    :param params: by name: a CloudEvents attribute (``type``, ``id``, ``source``, ``time``,
        ``dataschema``…) or a field of ``data`` (``errorCode``); ``None`` removes one.
    :param fields: fields of ``data`` in snake case (``error_code=30003``).
    """
    overrides = dict(params or {})
    type = str(overrides.pop("type", None) or type)
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event: dict[str, Any] = {
        "specversion": "1.0",
        "type": type,
        "source": "/2010-04-01/Accounts/" + account_sid,
        "id": id or "EZ" + os.urandom(16).hex(),
        "dataschema": "",
        "datacontenttype": "application/json",
        "time": now,
    }
    body: dict[str, Any]
    if type.startswith(_MESSAGE_EVENT):
        status = type.removeprefix(_MESSAGE_EVENT)
        sid = new_sid("SM")
        event["source"] = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
        event["dataschema"] = "https://events-schemas.twilio.com/Messaging.MessageStatus/8"
        body = {
            "messageSid": sid,
            "timestamp": now,
            "accountSid": account_sid,
            "eventName": type,
            "apiVersion": API_VERSION,
            "from": TEST_APP_NUMBER,
            "to": TEST_USER_NUMBER,
            "messageStatus": status.upper(),
            "numberOfSegments": 1,
        }
        code = _MESSAGE_ERRORS.get(status)
        if code is not None:
            body["errorCode"] = code
    elif type.startswith(_CALL_EVENT):
        status = type.removeprefix(_CALL_EVENT)
        call = incoming_call(account_sid=account_sid)
        callback = {
            **call,
            "CallStatus": "in-progress" if status == "answered" else status,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": "0",
            "Timestamp": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        event["source"] = f"/2010-04-01/Accounts/{account_sid}/Calls/{call['CallSid']}.json"
        event["dataschema"] = "https://events-schemas.twilio.com/Voice.WebhookEvent/2"
        body = {
            "sid": call["CallSid"],
            "timestamp": now,
            "accountSid": account_sid,
            "eventSid": new_sid("VW"),
            "request": {
                "method": "POST",
                "url": "https://example.com/twilio/voice/status",
                "parameters": callback,
            },
        }
    else:
        body = {}
    for name, value in [*((_camel(k), v) for k, v in fields.items()), *(data or {}).items()]:
        body[name] = value
    for name, value in overrides.items():
        target = event if name in CLOUD_EVENT_ATTRIBUTES else body
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    event["data"] = body
    return event


def _camel(keyword: str) -> str:
    """The data schema's name for a snake-case keyword: ``error_code`` → ``errorCode``."""
    head, *rest = keyword.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


#: The factory of every kind of webhook, by its name in :data:`twhooks.kinds.KINDS`.
FACTORIES: Mapping[str, Callable[..., Any]] = {
    "message": incoming_message,
    "message_status": message_status,
    "call": incoming_call,
    "call_status": call_status,
    "recording_status": recording_status,
    "transcription": transcription,
    "conference_status": conference,
    "amd": amd,
    "conversation_event": conversation_event,
    "taskrouter_event": taskrouter_event,
    "assignment": assignment,
    "alert": alert,
    "event_stream": cloud_event,
}
# The kinds whose factory takes the fields of the call they belong to (``call=``).
_CALLBACKS_OF_A_CALL = frozenset(
    {"call_status", "recording_status", "transcription", "conference_status", "amd"}
)


def webhook(
    kind: str,
    *,
    account_sid: str = TEST_ACCOUNT_SID,
    params: Overrides | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The fields of one webhook of *kind*, built by its factory in :data:`FACTORIES`.

    :param kind: a kind's name (``message_status``), its dashed spelling
        (``message-status``) or its 0.1 name (``recording``, ``conference``).
    :param account_sid: the account of the webhook. A voice callback that is not given a
        ``call`` belongs to a new incoming call of this account.
    :param fields: keyword arguments of the factory, or any field in snake case.
    :raises SimulationError: no kind has that name.
    """
    name = kind_for(kind)
    if name in _CALLBACKS_OF_A_CALL:
        # Voice callbacks repeat the fields of the call they belong to.
        fields.setdefault("call", incoming_call(account_sid=account_sid))
    else:
        fields.setdefault("account_sid", account_sid)
    built: dict[str, Any] = FACTORIES[name](params=params, **fields)
    return built


def kind_for(name: str) -> str:
    """The name in :data:`twhooks.kinds.KINDS` of the kind called *name* (any spelling).

    :raises SimulationError: no kind has that name.
    """
    from .kinds import kind_named  # the registry imports the events: only when needed

    try:
        return kind_named(name).name
    except HandlerError as error:
        raise SimulationError(str(error)) from None
