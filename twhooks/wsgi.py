"""Verify a Twilio webhook straight from a WSGI environ.

These helpers read the body without letting a client exhaust memory, and build the
framework-free :class:`~twhooks.request.WebhookRequest` that
:func:`~twhooks.request.verify_request` checks from the parts of the environ
(:meth:`~twhooks.request.WebhookRequest.build` rebuilds the URL Twilio requested). They are used by
:class:`~twhooks.middleware.TwilioSignatureMiddleware` and by the Flask extension, and know
nothing of Flask themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from .exceptions import RequestError, RequestTooLarge
from .request import (
    FORM_TYPE,
    PATH_SAFE,
    VerifiedRequest,
    WebhookRequest,
    content_type,
    host_of,
    parse_params,
    rebuild_url,
    url_path,
    verify_request,
)
from .signature import SignatureVerifier

__all__ = [
    "ENVIRON_KEY",
    "PATH_SAFE",
    "EnvironHeaders",
    "VerifiedRequest",
    "form_params",
    "quote_path",
    "read_body",
    "request_url",
    "verified_request",
    "verify_environ",
    "webhook_request",
    "wsgi_decode",
]

#: Where :func:`verify_environ` stores its :class:`VerifiedRequest` in the environ.
ENVIRON_KEY = "twhooks.verified_request"

_CHUNK = 64 * 1024


def wsgi_decode(value: str) -> str:
    """A PEP 3333 "bytes as latin-1" string decoded as the UTF-8 it really is."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        # Some servers decode already; keep their text, minus lone surrogates
        # (surrogateescape) that no URL can carry and that UTF-8 cannot encode.
        raw = value.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def _text(value: str) -> str:
    """:func:`wsgi_decode`, at once for the usual ASCII value."""
    return value if value.isascii() else wsgi_decode(value)


def quote_path(wsgi_path: str) -> str:
    """A ``PATH_INFO`` or ``SCRIPT_NAME`` value escaped again for a URL (see
    :data:`~twhooks.request.PATH_SAFE`)."""
    return url_path(_text(wsgi_path))


def request_url(environ: Mapping[str, Any], public_url: str | None = None) -> str:
    """The URL Twilio requested, rebuilt from *environ*.

    ``scheme://host[:port]`` + ``SCRIPT_NAME`` + ``PATH_INFO`` (escaped again the way
    werkzeug does) + ``?`` + the raw ``QUERY_STRING``. The query string is never decoded or
    re-escaped, since Twilio signed it exactly as it sent it.

    :param public_url: the public base URL of the app, such as ``"https://example.com"`` or
        ``"https://example.com/base"``; when given it replaces the scheme, host, port and
        ``SCRIPT_NAME`` seen by the server (behind a TLS-terminating proxy).
    """
    return rebuild_url(
        environ.get("wsgi.url_scheme", "http"),
        _host(environ),
        _text(environ.get("SCRIPT_NAME", "")),
        _text(environ.get("PATH_INFO", "")),
        _text(environ.get("QUERY_STRING") or ""),
        _raw_target(environ),
        public_url,
    )


def _host(environ: Mapping[str, Any]) -> str:
    """``host[:port]`` of the request as the server saw it."""
    return host_of(
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME", ""),
        str(environ.get("SERVER_PORT", "")),
        environ.get("wsgi.url_scheme", "http"),
    )


def _raw_target(environ: Mapping[str, Any]) -> str | None:
    """The request target as sent, if the server tells it (gunicorn and uWSGI do)."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    return _text(str(target)) if target else None


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """Read the request body, at most *limit* bytes, and leave it readable again.

    A ``Content-Length`` over *limit* is refused before anything is read. A body without a
    length is read only if the server says it is terminated (chunked transfer encoding,
    ``wsgi.input_terminated``), and at most ``limit + 1`` bytes of it. Afterwards
    ``wsgi.input`` is a fresh :class:`io.BytesIO` over the body and ``CONTENT_LENGTH`` its
    length, so the application can read it as if nothing happened.

    :raises RequestTooLarge: the body is over *limit*.
    :raises RequestError: ``Content-Length`` is not a number, or the body is shorter than it.
    """
    stream = environ.get("wsgi.input")
    raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if raw_length:
        if not (raw_length.isascii() and raw_length.isdigit()):
            raise RequestError(f"invalid Content-Length {raw_length[:20]!r}")
        if len(raw_length) > 18:  # not worth converting: no limit is that large
            raise RequestTooLarge(
                f"body of {raw_length[:20]}... bytes is over the limit", limit=limit
            )
        length = int(raw_length)
        if length > limit:
            raise RequestTooLarge(
                f"body of {length} bytes is over the {limit}-byte limit",
                limit=limit,
                length=length,
            )
        body = _read(stream, length)
        if len(body) < length:
            raise RequestError(f"body ended after {len(body)} of {length} bytes")
    elif environ.get("wsgi.input_terminated"):
        body = _read(stream, limit + 1)
        if len(body) > limit:
            raise RequestTooLarge(f"chunked body is over the {limit}-byte limit", limit=limit)
    else:
        # Without a length WSGI forbids reading past the end: there is no body.
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _read(stream: Any, size: int) -> bytes:
    """Up to *size* bytes from *stream*, fewer if it ends first."""
    if stream is None:
        return b""
    try:
        # A webhook body is a few hundred bytes: one read, usually.
        chunk = stream.read(min(size, _CHUNK))
        if not chunk:
            return b""
        if len(chunk) >= size:
            return bytes(chunk)
        chunks = [chunk]
        remaining = size - len(chunk)
        while remaining > 0:
            chunk = stream.read(min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except Exception as error:
        # A client that hangs up mid-body, a closed stream, a malformed chunked body (servers
        # raise their own parse errors): the request cannot be used, the server is fine.
        raise RequestError(f"body could not be read: {type(error).__name__}") from error
    return b"".join(chunks)


def form_params(environ: Mapping[str, Any], body: bytes) -> list[tuple[str, str]]:
    """The parameters of *body* if the request is ``application/x-www-form-urlencoded``.

    Any other body (JSON, none) has no form parameters: ``[]``. The ``charset`` parameter of
    the Content-Type picks the decoding, UTF-8 by default.
    """
    if not body:
        return []
    mimetype, charset = content_type(str(environ.get("CONTENT_TYPE", "")))
    return parse_params(body, charset, len(body) + 1) if mimetype == FORM_TYPE else []


# The headers twhooks reads on every request, by the name it asks for.
_ENVIRON_KEYS = {
    "content-type": "CONTENT_TYPE",
    **{
        name: "HTTP_" + name.upper().replace("-", "_")
        for name in (
            "x-twilio-signature",
            "x-twilio-webhooks-signature-settings",
            "i-twilio-idempotency-token",
            "x-forwarded-proto",
            "x-forwarded-host",
        )
    },
}


class EnvironHeaders(Mapping[str, str]):
    """The request headers of a WSGI environ by case-insensitive name, without copying."""

    __slots__ = ("_environ",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self._environ = environ

    @staticmethod
    def _key(name: str) -> str:
        key = _ENVIRON_KEYS.get(name)
        if key is None:
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
        return key

    def __getitem__(self, name: str) -> str:
        return str(self._environ[self._key(name)])

    def get(self, name: str, default: Any = None) -> Any:
        return self._environ.get(self._key(name), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._environ

    def __iter__(self) -> Iterator[str]:
        for key in self._environ:
            if key.startswith("HTTP_"):
                yield key[5:].replace("_", "-").lower()
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                yield key.replace("_", "-").lower()

    def __len__(self) -> int:
        return sum(1 for _ in self)


def webhook_request(
    environ: dict[str, Any],
    *,
    public_url: str | None = None,
    max_body_size: int = 1 << 20,
    max_params: int = 1000,
    read: bool = True,
) -> WebhookRequest:
    """The :class:`~twhooks.request.WebhookRequest` of a WSGI environ.

    The body is read (see :func:`read_body`; it stays readable from ``wsgi.input``) and a form
    body parsed, unless *read* is false (a request refused anyway for its missing signature,
    or verified already).

    :param public_url: see :func:`request_url`.
    :param max_body_size: the largest body accepted, in bytes.
    :param max_params: the most parameters accepted; more are refused before they are
        parsed, so that refusing a forged request stays cheap.
    :raises RequestError: the body cannot be read or parsed (:class:`RequestTooLarge` if too
        large or with too many parameters).
    """
    body = read_body(environ, max_body_size) if read else b""
    return WebhookRequest.build(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        scheme=environ.get("wsgi.url_scheme", "http"),
        host=_host(environ),
        root_path=_text(environ.get("SCRIPT_NAME", "")),
        path=_text(environ.get("PATH_INFO", "")),
        raw_target=_raw_target(environ),
        query=_text(environ.get("QUERY_STRING") or ""),
        headers=EnvironHeaders(environ),
        body=body,
        public_url=public_url,
        max_params=max_params,
        proxy_fixed="werkzeug.proxy_fix.orig" in environ,
    )


def verify_environ(
    verifier: SignatureVerifier,
    environ: dict[str, Any],
    *,
    public_url: str | None = None,
    max_body_size: int = 1 << 20,
    max_params: int = 1000,
) -> VerifiedRequest:
    """Read, parse and verify the webhook request in *environ*.

    Builds the request with :func:`webhook_request` and verifies it with
    :func:`twhooks.request.verify_request`: a body no signature covers is refused, form
    bodies are signed parameter by parameter, any other body through the ``bodySHA256``
    query parameter, and a GET has its parameters in the URL. When the URL does not match,
    the path exactly as the client sent it (``RAW_URI``/``REQUEST_URI``) and, with an
    ``Authorization: Basic`` header, the URL with its ``user:pass@`` are tried too.

    The result is also stored in ``environ["twhooks.verified_request"]`` (see
    :func:`verified_request`), so a later layer need not read or parse the body again. The
    body stays readable from ``wsgi.input``.

    :raises SignatureError: the request is not a valid Twilio webhook.
    :raises RequestError: the body cannot be read, is too large, or no signature covers it.
    """
    request = webhook_request(
        environ,
        public_url=public_url,
        max_body_size=max_body_size,
        max_params=max_params,
        read="HTTP_X_TWILIO_SIGNATURE" in environ,
    )
    result = verify_request(verifier, request)
    environ[ENVIRON_KEY] = result
    return result


def verified_request(environ: Mapping[str, Any]) -> VerifiedRequest | None:
    """The :class:`VerifiedRequest` an earlier :func:`verify_environ` stored, if any."""
    result = environ.get(ENVIRON_KEY)
    return result if isinstance(result, VerifiedRequest) else None
