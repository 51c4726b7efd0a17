"""Event Streams: the same delivery statuses as the status callbacks, from a sink.

Subscribe an Event Streams webhook sink at ``<public URL>/twilio/events`` to the outbound
message types (``com.twilio.messaging.message.*``). twhooks records every message status
event in ``hooks.deliveries`` — the furthest status wins, whichever way it came — so the
dashboard shows them with no code here; this handler only logs the failures, once per event
whatever Twilio resends.
"""

from __future__ import annotations

import logging

from twhooks import CloudEvent, MessageStatusEvent

from .hooks import hooks

logger = logging.getLogger(__name__)


@hooks.event_stream(
    "com.twilio.messaging.message.undelivered", "com.twilio.messaging.message.failed"
)
def on_streamed_failure(event: MessageStatusEvent) -> None:
    status = event.status
    logger.warning(
        "message %s %s (error %s), event %s", status.sid, status.status, status.error_code, event.id
    )


@hooks.event_stream()
def on_other_event(event: CloudEvent) -> None:
    """Every other subscribed type: a line in the log (subscribe only what the app uses)."""
    logger.info("event %s of type %s", event.id, event.type)
