"""A client of Twilio's Messages resource, on ``requests``.

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic auth — the
account SID and its auth token, or an API key's SID and secret — and the form fields ``To``,
``From`` or ``MessagingServiceSid``, ``Body``, ``MediaUrl`` (repeated) and ``StatusCallback``.
Twilio answers ``201`` with the message's JSON, or an error as JSON
``{"code", "message", "more_info", "status"}``, raised as
:class:`~twhooks.exceptions.TwilioApiError`. ``429`` and ``5xx`` are tried again
(:mod:`twhooks.rest.retry`).

One :class:`requests.Session` per process: a forked worker (gunicorn, RQ) opens connections
of its own instead of sharing its parent's sockets.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError

from .. import __version__
from ..exceptions import ConfigurationError, TwilioApiError
from ..settings.rest import DEFAULT_API_BASE_URL
from .messages import SentMessage
from .retry import RETRIED_STATUSES, RetryPolicy, parse_retry_after

__all__ = ["DEFAULT_BASE_URL", "MessageSender", "RestClient"]

logger = logging.getLogger("twhooks.rest")

#: Twilio's API (the default of ``TWILIO_API_BASE_URL``).
DEFAULT_BASE_URL = DEFAULT_API_BASE_URL


class MessageSender:
    """What sends one message: :class:`RestClient`, or the adapter of a ``twilio.rest.Client``
    (:class:`~twhooks.rest.sdk.SdkClient`)."""

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
        """Send one message.

        :raises TwilioApiError: Twilio refused it, or could not be reached.
        """
        raise NotImplementedError

    def longest(self) -> float:
        """The longest :meth:`create_message` may take, in seconds (retries included)."""
        raise NotImplementedError


class RestClient(MessageSender):
    """Twilio's Messages resource over ``requests``.

    :param account_sid: the account the messages are sent from (``AC…``), in the URL.
    :param auth_token: the account's auth token; or, with *api_key*, the API key's secret.
    :param api_key: an API key's SID (``SK…``), to authenticate with it instead of the account.
    :param base_url: ``https://api.twilio.com``, or a server of your own
        (:class:`~twhooks.testing.FakeTwilioApi`).
    :param retry: when and how long to retry.
    :param sleep: how to wait between tries (tests measure it).
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not account_sid or not auth_token:
            raise ConfigurationError(
                "sending needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY "
                "and TWILIO_API_SECRET)"
            )
        self.account_sid = account_sid
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._auth = (api_key or account_sid, auth_token)
        self._sleep = sleep
        self._local = threading.local()
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"RestClient({self.account_sid!r}, base_url={self.base_url!r})"

    @property
    def messages_url(self) -> str:
        """The URL messages are created at."""
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _session(self) -> requests.Session:
        # One per thread and process: a Session's pool is not shared across a fork.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None or self._pid != os.getpid():
            self._pid = os.getpid()
            session = requests.Session()
            session.auth = self._auth
            session.headers["User-Agent"] = f"twhooks/{__version__} (python-requests)"
            session.headers["Accept"] = "application/json"
            self._local.session = session
        return session

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
        form: list[tuple[str, str]] = [("To", to)]
        if from_:
            form.append(("From", from_))
        if messaging_service_sid:
            form.append(("MessagingServiceSid", messaging_service_sid))
        if body is not None:
            form.append(("Body", body))
        form.extend(("MediaUrl", url) for url in media_url)
        if status_callback:
            form.append(("StatusCallback", status_callback))
        data = self.post(self.messages_url, form)
        try:
            return SentMessage.from_api(data)
        except ValueError as error:
            raise TwilioApiError(str(error), status=201) from None

    def post(self, url: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """POST *form* to *url*, retried as :attr:`retry` says; the JSON answered.

        :raises TwilioApiError: an error answer (after the retries), or no answer.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session().post(
                    url, data=list(form), timeout=(self.retry.timeout, self.retry.timeout)
                )
            except requests.RequestException as error:
                failure = TwilioApiError(f"{type(error).__name__}: {error}")
                # Only a connection never made is safe to try again: a request that was
                # sent and timed out may have created the message.
                if not _not_sent(error):
                    raise failure from error
                pause = self.retry.pause(attempt, None)
                if pause is None:
                    raise failure from error
                logger.warning(
                    "Twilio API %s: %s; trying again in %.2f s (try %d of %d)",
                    url,
                    failure.message,
                    pause,
                    attempt + 1,
                    self.retry.retries + 1,
                )
                self._sleep(pause)
                continue
            if response.status_code < 300:
                return _json(response)
            error_ = _error(response)
            if response.status_code not in RETRIED_STATUSES:
                raise error_
            pause = self.retry.pause(attempt, error_.retry_after)
            if pause is None:
                raise error_
            logger.warning(
                "Twilio API %s answered %s%s; trying again in %.2f s (try %d of %d)",
                url,
                response.status_code,
                f" (Retry-After: {error_.retry_after:g} s)"
                if error_.retry_after is not None
                else "",
                pause,
                attempt + 1,
                self.retry.retries + 1,
            )
            self._sleep(pause)


def _not_sent(error: requests.RequestException) -> bool:
    """Whether *error* happened before the request was sent (no connection made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError) or not error.args:
        return False
    reason = getattr(error.args[0], "reason", None)
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise TwilioApiError(
            f"the answer is not a JSON object: {response.text[:200]!r}",
            status=response.status_code,
        )
    return data


def _error(response: requests.Response) -> TwilioApiError:
    """Twilio's error JSON read into an exception (an answer of another shape too)."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = response.text.strip()[:200] or response.reason or "error"
        return TwilioApiError(text, status=response.status_code, retry_after=retry_after)
    code = data.get("code")
    return TwilioApiError(
        str(data.get("message") or response.reason or "error"),
        status=response.status_code,
        code=int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None,
        more_info=data.get("more_info") if isinstance(data.get("more_info"), str) else None,
        retry_after=retry_after,
    )
