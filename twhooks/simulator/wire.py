"""The HTTP side of the simulator: a request, an answer, a transport, a cookie jar.

Nothing here knows an HTTP library: a *transport* is any callable that sends a
:class:`Request` and returns a :class:`Response` (the Flask test client in
:mod:`twhooks.testing`, ``requests`` in :mod:`twhooks.cli`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode

__all__ = ["CookieJar", "Request", "Response", "Transport"]


@dataclass(frozen=True)
class Request:
    """One webhook request, signed and ready to send.

    :param url: the full URL, query string included; the fragment is never sent.
    :param params: the form fields of a POST (a GET carries them in :attr:`url`).
    """

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    #: The body as sent when it is not a form (the JSON of an Event Streams batch).
    raw: bytes | None = None

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"

    @property
    def body(self) -> bytes:
        """The body: :attr:`raw`, else the form-encoded :attr:`params` (empty for a GET)."""
        if self.raw is not None:
            return self.raw
        return urlencode(self.params).encode("utf-8") if self.method != "GET" else b""


@dataclass(frozen=True)
class Response:
    """What the app answered to one :class:`Request`."""

    url: str
    status_code: int
    content_type: str
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)
    set_cookies: tuple[str, ...] = ()
    #: The request this answers (set by :meth:`Simulator.request`).
    request: Request | None = None

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.content_type or '-'} from {self.url}>"

    @property
    def ok(self) -> bool:
        """``True`` for a 2xx status, the only kind Twilio counts as a success."""
        return 200 <= self.status_code < 300


#: Sends a :class:`Request` and returns the app's :class:`Response`.
Transport = Callable[[Request], Response]


class CookieJar:
    """The cookies Twilio keeps for one conversation (SMS) or one call (voice).

    Only names and values are kept: Twilio sends every cookie back to the app's webhooks
    whatever its path, and forgets it when the app deletes it or it expires.
    """

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def update(self, set_cookie_headers: Iterable[str]) -> None:
        """Store (or delete) the cookies of ``Set-Cookie`` header values."""
        now = datetime.now(timezone.utc)
        for header in set_cookie_headers:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(header)
            except CookieError:
                continue  # a browser would ignore a malformed cookie too
            for name, morsel in cookie.items():
                if _expired(morsel["max-age"], morsel["expires"], now):
                    self._values.pop(name, None)
                else:
                    self._values[name] = morsel.value

    def header(self) -> str | None:
        """The ``Cookie`` header to send, ``None`` when there is no cookie."""
        if not self._values:
            return None
        return "; ".join(f"{name}={value}" for name, value in self._values.items())

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every cookie, as Twilio does after four hours."""
        self._values.clear()

    def __repr__(self) -> str:
        # Cookie values are the app's signed session: show names only.
        return f"CookieJar({sorted(self._values)!r})"


def _expired(max_age: str, expires: str, now: datetime) -> bool:
    if max_age:
        try:
            return int(max_age) <= 0
        except ValueError:
            return False
    if expires:
        try:
            return parsedate_to_datetime(expires) <= now
        except (TypeError, ValueError):
            return False
    return False
