"""A local Twilio API for tests and development: :class:`FakeTwilioApi`.

A real HTTP server on ``127.0.0.1`` (a thread of the test process) that answers
``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` as Twilio does:

- it checks HTTP basic auth (the account SID and its auth token, or an API key and its
  secret) and answers ``401`` with Twilio's error JSON (code 20003) otherwise;
- it checks the form (``To``; ``From`` or ``MessagingServiceSid``; ``Body`` or ``MediaUrl``)
  with Twilio's error codes (21604, 21603, 21602, 21617), and answers 21610 for a number
  :meth:`~FakeTwilioApi.opt_out` marked;
- it records every message it accepted (:attr:`~FakeTwilioApi.messages`) and answers ``201``
  with the message's JSON;
- it answers ``429`` (with ``Retry-After``) or ``500`` when told to
  (:meth:`~FakeTwilioApi.fail_next`);
- it posts the status callbacks of each accepted message to its ``StatusCallback``, signed as
  Twilio signs them (``X-Twilio-Signature`` over the URL and the form, with the auth token:
  :func:`~twhooks.signature.compute_signature`), ``queued`` → ``sent`` → ``delivered`` by
  default, one after the other, from a thread of its own.

Point an app at it with ``TWILIO_API_BASE_URL`` (:meth:`~FakeTwilioApi.config` gives every
setting). The pytest fixture ``twilio_api`` starts one per test.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import queue
import secrets
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import requests

from ..signature import compute_signature

__all__ = ["Callback", "FakeMessage", "FakeTwilioApi"]

#: The statuses posted for each accepted message, by default.
DEFAULT_STATUSES = ("queued", "sent", "delivered")

_ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}


@dataclass(frozen=True)
class FakeMessage:
    """A message the fake API accepted."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str | None
    media_urls: tuple[str, ...]
    status_callback: str | None
    messaging_service_sid: str | None
    #: The user name of the request's basic auth (the account SID, or the API key's SID).
    auth_user: str
    #: Every form field as received, in order.
    params: tuple[tuple[str, str], ...] = field(repr=False)
    #: When it was received (``time.monotonic()``).
    received_at: float = field(repr=False, default=0.0)


@dataclass(frozen=True)
class Callback:
    """A status callback the fake API posted."""

    sid: str
    status: str
    url: str
    params: Mapping[str, str]
    #: The app's answer (``None``: it could not be reached).
    response_status: int | None
    error: str | None = None


@dataclass
class _Failure:
    status: int
    code: int
    retry_after: str | None
    count: int


class FakeTwilioApi:
    """A fake of Twilio's Messages resource on a real HTTP server; a context manager.

    :param account_sid: the account (``AC…``); a fixed test one by default.
    :param auth_token: its auth token (which also signs the status callbacks); random by
        default.
    :param api_keys: API keys accepted too, ``{key_sid: secret}``.
    :param statuses: the statuses posted to each message's ``StatusCallback``, in order
        (``()``: none; :meth:`post_status` posts them by hand).
    :param callback_delay: the pause before each status callback, in seconds.
    :param answer_delay: the pause before each answer, in seconds (a slow API: concurrent
        senders then overlap).
    :param port: the port to listen on (``0``: a free one).
    """

    def __init__(
        self,
        *,
        account_sid: str = "AC" + "f" * 32,
        auth_token: str | None = None,
        api_keys: Mapping[str, str] | None = None,
        statuses: Sequence[str] = DEFAULT_STATUSES,
        callback_delay: float = 0.0,
        answer_delay: float = 0.0,
        port: int = 0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token or secrets.token_hex(16)
        self.api_keys = dict(api_keys or {})
        self.statuses = tuple(statuses)
        self.callback_delay = callback_delay
        self.answer_delay = answer_delay
        self.port = port
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._messages: list[FakeMessage] = []
        self._callbacks: list[Callback] = []
        self._attempts: list[tuple[float, int]] = []
        self._failures: list[_Failure] = []
        self._opted_out: set[str] = set()
        self._count = 0
        self._outbox: queue.Queue[tuple[FakeMessage, str, int | None] | None] = queue.Queue()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTwilioApi:
        """Start the server (on a free port of 127.0.0.1) and its callback thread."""
        if self._server is not None:
            return self
        api = self

        class Handler(_Handler):
            fake = api

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="fake-twilio-api"),
            threading.Thread(target=self._post_callbacks, name="fake-twilio-callbacks"),
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        return self

    def stop(self) -> None:
        """Stop the server, then the callback thread once it posted the callbacks queued
        (waiting at most 10 s for them)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        self._outbox.put(None)
        for thread in self._threads:
            thread.join(10)

    def __enter__(self) -> FakeTwilioApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, for ``TWILIO_API_BASE_URL`` (``http://127.0.0.1:PORT``)."""
        if self._server is None:
            raise RuntimeError("FakeTwilioApi is not started: call start() or use `with`")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def config(self) -> dict[str, str]:
        """The settings that point an app at this fake: ``TWILIO_ACCOUNT_SID``,
        ``TWILIO_AUTH_TOKEN`` and ``TWILIO_API_BASE_URL``."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_API_BASE_URL": self.url,
        }

    # -- what it was sent --------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """The messages accepted, in order (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def callbacks(self) -> list[Callback]:
        """The status callbacks posted, in order (a copy)."""
        with self._lock:
            return list(self._callbacks)

    @property
    def attempts(self) -> list[tuple[float, int]]:
        """Every request to the Messages resource: ``(time.monotonic(), status answered)``."""
        with self._lock:
            return list(self._attempts)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[FakeMessage]:
        """Wait until at least *count* messages were accepted.

        :raises TimeoutError: fewer after *timeout* seconds.
        """
        return self._wait(lambda: self._messages, count, timeout, "messages")

    def wait_for_callbacks(self, count: int, timeout: float = 10.0) -> list[Callback]:
        """Wait until at least *count* status callbacks were posted (answered or not).

        :raises TimeoutError: fewer after *timeout* seconds.
        """
        return self._wait(lambda: self._callbacks, count, timeout, "status callbacks")

    def _wait(self, items: Any, count: int, timeout: float, what: str) -> list[Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(items()) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"FakeTwilioApi: {len(items())} {what} after {timeout:g} s, not {count}"
                    )
                self._changed.wait(remaining)
            return list(items())

    # -- what it answers ---------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 429,
        *,
        times: int = 1,
        retry_after: float | str | None = None,
        code: int | None = None,
    ) -> None:
        """Answer the next *times* requests with *status* and Twilio's error JSON.

        :param retry_after: the ``Retry-After`` header (seconds, or an HTTP date as text).
        :param code: Twilio's error code (by default 20429 for a 429, 20500 otherwise).
        """
        if code is None:
            code = 20429 if status == 429 else 20500
        after = None if retry_after is None else _header_value(retry_after)
        with self._lock:
            self._failures.append(_Failure(status, code, after, times))

    def opt_out(self, number: str) -> None:
        """Answer 21610 (unsubscribed recipient) to messages to *number*."""
        with self._lock:
            self._opted_out.add(number)

    def reset(self) -> None:
        """Forget the messages, callbacks, failures and opt-outs."""
        with self._lock:
            self._messages.clear()
            self._callbacks.clear()
            self._attempts.clear()
            self._failures.clear()
            self._opted_out.clear()

    def post_status(
        self, sid: str, status: str, *, error_code: int | None = None, url: str | None = None
    ) -> Callback:
        """Post one signed status callback of message *sid* now (to its ``StatusCallback``,
        or *url*), and wait for the answer."""
        message = self._message(sid)
        target = url or message.status_callback
        if not target:
            raise ValueError(f"message {sid} has no StatusCallback: give url=")
        return self._post(message, target, status, error_code)

    def _message(self, sid: str) -> FakeMessage:
        with self._lock:
            for message in self._messages:
                if message.sid == sid:
                    return message
        raise KeyError(f"FakeTwilioApi accepted no message {sid}")

    # -- the server's side -------------------------------------------------------------------

    def _authenticate(self, header: str | None) -> str | None:
        """The user name of a valid basic auth *header* (``None``: not valid)."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if user == self.account_sid:
            expected = self.auth_token
        elif user in self.api_keys:
            expected = self.api_keys[user]
        else:
            return None
        return user if hmac.compare_digest(password.encode(), expected.encode()) else None

    def _answer(
        self, path: str, auth: str | None, form: list[tuple[str, str]]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The status, JSON and headers for a POST to *path*."""
        user = self._authenticate(auth)
        if user is None:
            return _error(20003, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/"
        if path.partition("?")[0] != prefix + "Messages.json":
            return _error(20404)
        with self._lock:
            failure = self._failures[0] if self._failures else None
            if failure is not None:
                failure.count -= 1
                if failure.count <= 0:
                    self._failures.pop(0)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return _error(failure.code, status=failure.status, headers=headers)
        fields = dict(form)
        to, from_ = fields.get("To"), fields.get("From")
        service = fields.get("MessagingServiceSid")
        body = fields.get("Body")
        media = tuple(value for name, value in form if name == "MediaUrl")
        if not to:
            return _error(21604)
        if not from_ and not service:
            return _error(21603)
        if body is None and not media:
            return _error(21602)
        if body is not None and len(body) > 1600:
            return _error(21617)
        with self._lock:
            if to in self._opted_out:
                opted_out = True
            else:
                opted_out = False
                self._count += 1
                prefix_ = "MM" if media else "SM"
                sid = prefix_ + uuid.uuid4().hex
        if opted_out:
            return _error(21610)
        message = FakeMessage(
            sid=sid,
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            body=body,
            media_urls=media,
            status_callback=fields.get("StatusCallback"),
            messaging_service_sid=service,
            auth_user=user,
            params=tuple(form),
            received_at=time.monotonic(),
        )
        with self._lock:
            self._messages.append(message)
            self._changed.notify_all()
        if message.status_callback:
            for status in self.statuses:
                self._outbox.put((message, status, None))
        return 201, _message_json(message), {}

    def _record_attempt(self, status: int) -> None:
        with self._lock:
            self._attempts.append((time.monotonic(), status))

    def _post_callbacks(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            message, status, error_code = item
            if self.callback_delay:
                time.sleep(self.callback_delay)
            assert message.status_callback is not None
            self._post(message, message.status_callback, status, error_code)

    def _post(
        self, message: FakeMessage, url: str, status: str, error_code: int | None
    ) -> Callback:
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": "2010-04-01",
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message.to,
            "From": message.from_ or "",
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        headers = {
            "X-Twilio-Signature": compute_signature(self.auth_token, url, params),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        try:
            response = requests.post(url, data=params, headers=headers, timeout=15)
            callback = Callback(message.sid, status, url, params, response.status_code)
        except requests.RequestException as error:
            callback = Callback(message.sid, status, url, params, None, str(error))
        with self._lock:
            self._callbacks.append(callback)
            self._changed.notify_all()
        return callback


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilioApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: what a test needs is in .messages and .attempts

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        form = parse_qsl(raw, keep_blank_values=True)
        if self.fake.answer_delay:
            time.sleep(self.fake.answer_delay)
        status, body, headers = self.fake._answer(
            self.path, self.headers.get("Authorization"), form
        )
        self.fake._record_attempt(status)
        self._send(status, body, headers)

    def do_GET(self) -> None:
        user = self.fake._authenticate(self.headers.get("Authorization"))
        prefix = f"/2010-04-01/Accounts/{self.fake.account_sid}/Messages/"
        path = self.path.partition("?")[0]
        if user is None:
            self._send(*_error(20003))
            return
        if path.startswith(prefix) and path.endswith(".json"):
            try:
                message = self.fake._message(path[len(prefix) : -len(".json")])
            except KeyError:
                pass
            else:
                self._send(200, _message_json(message), {})
                return
        self._send(*_error(20404))

    def _send(self, status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _error(
    code: int, *, status: int | None = None, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    default_status, message = _ERRORS.get(code, (status or 400, "Error"))
    status = status or default_status
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return status, body, dict(headers or {})


def _message_json(message: FakeMessage) -> dict[str, Any]:
    now = formatdate(usegmt=True)
    account, sid = message.account_sid, message.sid
    return {
        "sid": sid,
        "account_sid": account,
        "api_version": "2010-04-01",
        "to": message.to,
        "from": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "body": message.body or "",
        "status": "accepted" if message.messaging_service_sid else "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": str(len(message.media_urls)),
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "USD",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
    }


def _header_value(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)
