"""What a sent message is, as Twilio's Messages resource describes it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SentMessage"]


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message Twilio accepted (``201`` from ``POST …/Messages.json``).

    :param sid: its SID (``SM…``/``MM…``), the key of its status callbacks.
    :param status: its status when accepted: ``queued``, or ``accepted`` through a Messaging
        Service; later statuses come in the status callbacks
        (:meth:`hooks.deliveries.wait <twhooks.store.Deliveries.wait>`).
    :param data: Twilio's JSON as answered, for the fields not copied here (``price``,
        ``num_segments``, ``date_created`` …).
    """

    sid: str
    status: str
    to: str
    from_: str | None
    body: str | None
    messaging_service_sid: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> SentMessage:
        """The message of Twilio's JSON answer.

        :raises ValueError: the answer has no ``sid`` (not a message).
        """
        sid = data.get("sid")
        if not isinstance(sid, str) or not sid:
            raise ValueError(f"Twilio's answer names no message sid: {str(data)[:200]}")
        return cls(
            sid=sid,
            status=str(data.get("status") or "queued"),
            to=str(data.get("to") or ""),
            from_=_text(data.get("from")),
            body=_text(data.get("body")),
            messaging_service_sid=_text(data.get("messaging_service_sid")),
            data=dict(data),
        )

    def to_json(self) -> str:
        """Twilio's JSON, as kept for the idempotency key that sent it."""
        data = dict(self.data)
        data.update(
            sid=self.sid,
            status=self.status,
            to=self.to,
            body=self.body,
            messaging_service_sid=self.messaging_service_sid,
        )
        data["from"] = self.from_
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> SentMessage:
        """The message :meth:`to_json` wrote."""
        return cls.from_api(json.loads(text))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
