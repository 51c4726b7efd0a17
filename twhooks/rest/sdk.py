"""Sending through the app's own ``twilio.rest.Client`` (``TWHOOKS_REST_CLIENT``).

An app that already has a configured client (its own HTTP client, region, edge, proxy) may
give it to twhooks: messages are then created with ``client.messages.create(...)``, and
``twilio``'s ``TwilioRestException`` becomes :class:`~twhooks.exceptions.TwilioApiError`.
``429`` and ``5xx`` are tried again as :class:`~twhooks.rest.retry.RetryPolicy` says, with
its backoff (the SDK's exception carries no ``Retry-After``). twhooks never imports
``twilio`` itself: the client is used as it is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ..exceptions import ConfigurationError, TwilioApiError
from .client import MessageSender
from .messages import SentMessage
from .retry import RETRIED_STATUSES, RetryPolicy

__all__ = ["SdkClient"]

#: The fields of the SDK's ``MessageInstance`` kept in :attr:`SentMessage.data`, by their
#: name in Twilio's JSON.
_FIELDS = {
    "sid": "sid",
    "account_sid": "account_sid",
    "status": "status",
    "to": "to",
    "from": "from_",
    "body": "body",
    "messaging_service_sid": "messaging_service_sid",
    "num_segments": "num_segments",
    "num_media": "num_media",
    "direction": "direction",
    "error_code": "error_code",
    "error_message": "error_message",
}


class SdkClient(MessageSender):
    """A ``twilio.rest.Client`` as twhooks' sender.

    :param client: the app's client (anything with ``messages.create``).
    :raises ConfigurationError: *client* has no ``messages.create``.
    """

    def __init__(
        self,
        client: Any,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not callable(getattr(getattr(client, "messages", None), "create", None)):
            raise ConfigurationError(
                "TWHOOKS_REST_CLIENT must be a twilio.rest.Client (with messages.create), "
                f"not a {type(client).__name__}"
            )
        self.client = client
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"SdkClient({type(self.client).__name__})"

    def longest(self) -> float:
        return self.retry.longest()

    def create_message(
        self,
        *,
        to: str,
        body: str | None = None,
        from_: str | None = None,
        media_url: Sequence[str] = (),
        status_callback: str | None = None,
        messaging_service_sid: str | None = None,
    ) -> SentMessage:
        kwargs: dict[str, Any] = {"to": to}
        for name, value in (
            ("from_", from_),
            ("messaging_service_sid", messaging_service_sid),
            ("body", body),
            ("status_callback", status_callback),
        ):
            if value is not None:
                kwargs[name] = value
        if media_url:
            kwargs["media_url"] = list(media_url)
        attempt = 0
        while True:
            attempt += 1
            try:
                instance = self.client.messages.create(**kwargs)
            except Exception as error:
                failure = _as_api_error(error)
                if failure is None:
                    raise
                pause = (
                    self.retry.pause(attempt, None) if failure.status in RETRIED_STATUSES else None
                )
                if pause is None:
                    raise failure from error
                self._sleep(pause)
                continue
            data = {name: getattr(instance, attr, None) for name, attr in _FIELDS.items()}
            try:
                return SentMessage.from_api(data)
            except ValueError as error:
                raise TwilioApiError(str(error), status=201) from None


def _as_api_error(error: Exception) -> TwilioApiError | None:
    """The SDK's ``TwilioRestException`` as a :class:`TwilioApiError` (``None``: another
    exception, which propagates as it is)."""
    if type(error).__name__ != "TwilioRestException":
        return None
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    return TwilioApiError(
        str(getattr(error, "msg", "") or error),
        status=status if isinstance(status, int) else None,
        code=code if isinstance(code, int) else None,
        more_info=f"https://www.twilio.com/docs/errors/{code}" if code else None,
    )
