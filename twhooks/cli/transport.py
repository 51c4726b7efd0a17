"""The ``twhooks`` command's HTTP: :class:`RequestsTransport` sends the simulator's requests."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from ..simulator import Request, Response
from . import DEFAULT_TIMEOUT, CommandError

__all__ = ["RequestsTransport"]

_CONNECT_TIMEOUT = 10.0


class RequestsTransport:
    """Sends simulated webhooks over real HTTP with ``requests``.

    :param timeout: seconds to wait for an answer (Twilio waits 15).
    :param forward: ``(public base URL, address)``: a request for a URL under the public
        base URL (``https://abc.ngrok.app``) is sent to the same path at the address
        (``http://127.0.0.1:5000``), as a tunnel or a proxy forwards it, with the
        ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` headers they add. Its signature
        stays the one of the public URL.
    """

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT, *, forward: tuple[str, str] | None = None
    ) -> None:
        self.timeout = timeout
        self.forward = (forward[0].rstrip("/"), forward[1].rstrip("/")) if forward else None

    def destination(self, request: Request) -> tuple[str, dict[str, str]]:
        """Where *request* goes, and with which headers."""
        headers = dict(request.headers)
        if self.forward is None:
            return request.url, headers
        public, address = self.forward
        rest = request.url[len(public) :]
        if not request.url.startswith(public) or rest[:1] not in ("/", "?", ""):
            return request.url, headers  # elsewhere: sent as it is
        scheme, netloc = urlsplit(public)[:2]
        userinfo, at, host = netloc.rpartition("@")
        headers.setdefault("X-Forwarded-Proto", scheme)
        headers.setdefault("X-Forwarded-Host", host)
        if at:  # Twilio sends the URL's credentials as basic authentication: keep them
            address_scheme, address_netloc = urlsplit(address)[:2]
            address = f"{address_scheme}://{userinfo}@{address_netloc}"
        return address + rest, headers

    def __call__(self, request: Request) -> Response:
        url, headers = self.destination(request)
        # A new session each time: a shared cookie jar would mix the conversations'
        # cookies, which the simulator keeps apart itself.
        try:
            with requests.Session() as session:
                prepared = session.prepare_request(
                    requests.Request(
                        request.method, url, data=request.body or None, headers=headers
                    )
                )
                # requests normalises escapes (%7E becomes ~): send the URL that was signed.
                prepared.url = url
                answer = session.send(
                    prepared,
                    timeout=(min(_CONNECT_TIMEOUT, self.timeout), self.timeout),
                    allow_redirects=False,
                )
        except requests.exceptions.Timeout:
            raise CommandError(
                f"no answer from {url} within {self.timeout:g} s (Twilio gives up after 15 s)"
            ) from None
        except requests.exceptions.InvalidURL as error:
            raise CommandError(f"not a valid URL: {url} ({error})") from None
        except requests.exceptions.ConnectionError:
            raise CommandError(
                f"cannot connect to {url}: is the app running at that address?"
            ) from None
        except requests.exceptions.RequestException as error:
            raise CommandError(f"request to {url} failed: {error}") from None
        content_type = answer.headers.get("Content-Type", "")
        if "charset=" not in content_type.lower():
            # requests would guess ISO-8859-1 for text/*; Twilio reads TwiML as UTF-8.
            answer.encoding = "utf-8"
        return Response(
            url=request.url,
            status_code=answer.status_code,
            content_type=content_type,
            text=answer.text,
            headers=dict(answer.headers),
            # requests folds repeated headers into one; Set-Cookie must stay apart.
            set_cookies=tuple(answer.raw.headers.getlist("Set-Cookie")),
        )
