"""Verify a Twilio webhook straight from a WSGI environ.

These helpers rebuild the URL Twilio requested, read the body without letting a client
exhaust memory, and hand both to a :class:`~twhooks.signature.SignatureVerifier`. They are
used by :class:`~twhooks.middleware.TwilioSignatureMiddleware` and by the Flask extension,
and know nothing of Flask themselves.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from .exceptions import InvalidSignature, RequestError, RequestTooLarge
from .forms import parse_form
from .signature import SignatureVerifier

__all__ = [
    "ENVIRON_KEY",
    "PATH_SAFE",
    "VerifiedRequest",
    "form_params",
    "quote_path",
    "read_body",
    "request_url",
    "verified_request",
    "verify_environ",
    "wsgi_decode",
]

#: Where :func:`verify_environ` stores its :class:`VerifiedRequest` in the environ.
ENVIRON_KEY = "twhooks.verified_request"

#: The characters left unescaped when a path is rebuilt from ``PATH_INFO``: werkzeug's set
#: without "%" -- PATH_INFO is already decoded, so a "%" in it came from "%25" on the wire.
PATH_SAFE = "!$&'()*+,/:;=@"

# A path made only of characters that stay as they are through decoding and escaping.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~\-!$&'()*+,/:;=@]*\Z")

_FORM_TYPE = "application/x-www-form-urlencoded"

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class VerifiedRequest:
    """A request whose signature was checked.

    :param url: the request's URL as verified: rebuilt by :func:`request_url`, or with the
        path as sent on the wire when only that matched; never with ``user:pass@``.
    :param params: the form parameters in the order received (empty for GET and JSON).
    :param body: the raw body.
    """

    url: str
    params: list[tuple[str, str]]
    body: bytes


def wsgi_decode(value: str) -> str:
    """A PEP 3333 "bytes as latin-1" string decoded as the UTF-8 it really is."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        # Some servers decode already; keep their text, minus lone surrogates
        # (surrogateescape) that no URL can carry and that UTF-8 cannot encode.
        raw = value.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def quote_path(wsgi_path: str) -> str:
    """A ``PATH_INFO`` or ``SCRIPT_NAME`` value escaped again for a URL (see :data:`PATH_SAFE`)."""
    if _PLAIN_PATH.match(wsgi_path):
        return wsgi_path  # the usual case: nothing to decode or escape
    return quote(wsgi_decode(wsgi_path), safe=PATH_SAFE)


def request_url(environ: Mapping[str, Any], public_url: str | None = None) -> str:
    """The URL Twilio requested, rebuilt from *environ*.

    ``scheme://host[:port]`` + ``SCRIPT_NAME`` + ``PATH_INFO`` (escaped again the way
    werkzeug does) + ``?`` + the raw ``QUERY_STRING``. The query string is never decoded or
    re-escaped, since Twilio signed it exactly as it sent it.

    :param public_url: the public base URL of the app, such as ``"https://example.com"`` or
        ``"https://example.com/base"``; when given it replaces the scheme, host, port and
        ``SCRIPT_NAME`` seen by the server (behind a TLS-terminating proxy).
    """
    path = quote_path(environ.get("PATH_INFO", ""))
    if public_url:
        url = public_url.rstrip("/") + path
    else:
        root = environ.get("SCRIPT_NAME", "")
        if root:  # an app mounted under a path; most are not
            root = quote_path(root.rstrip("/"))
        url = f"{_origin(environ)}{root}{path}"
    query = environ.get("QUERY_STRING")
    if query:
        url = f"{url}?{wsgi_decode(query)}"
    return url


def _origin(environ: Mapping[str, Any]) -> str:
    """``scheme://host[:port]`` of the request as the server saw it."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != {"https": "443", "http": "80"}.get(scheme):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


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
    except (OSError, ValueError) as error:
        # A client that hangs up mid-body, a closed stream.
        raise RequestError(f"body could not be read: {type(error).__name__}") from error
    return b"".join(chunks)


def form_params(environ: Mapping[str, Any], body: bytes) -> list[tuple[str, str]]:
    """The parameters of *body* if the request is ``application/x-www-form-urlencoded``.

    Any other body (JSON, none) has no form parameters: ``[]``. The ``charset`` parameter of
    the Content-Type picks the decoding, UTF-8 by default.
    """
    if not body:
        return []
    mimetype, charset = _content_type(environ)
    return parse_form(body, charset) if mimetype == _FORM_TYPE else []


def _content_type(environ: Mapping[str, Any]) -> tuple[str, str]:
    """``(mimetype, charset)`` of the request, lower-cased, charset ``utf-8`` by default."""
    return _parse_content_type(str(environ.get("CONTENT_TYPE", "")))


# Clients send the same few Content-Type values over and over (Twilio: one).
@lru_cache(maxsize=64)
def _parse_content_type(header: str) -> tuple[str, str]:
    mimetype, _, rest = header.partition(";")
    charset = "utf-8"
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return mimetype.strip().lower(), charset


def _basic_auth_userinfo(environ: Mapping[str, Any]) -> str | None:
    """``user:pass`` from a ``Authorization: Basic`` header, ``None`` without one."""
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        return base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _with_userinfo(url: str, userinfo: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{userinfo}@{rest}" if sep else url


def verify_environ(
    verifier: SignatureVerifier,
    environ: dict[str, Any],
    *,
    public_url: str | None = None,
    max_body_size: int = 1 << 20,
) -> VerifiedRequest:
    """Read, parse and verify the webhook request in *environ*.

    Form bodies (``application/x-www-form-urlencoded``) are parsed and signed parameter by
    parameter; any other body is verified through the ``bodySHA256`` query parameter; a GET
    has its parameters in the URL already. The result is also stored in
    ``environ["twhooks.verified_request"]`` (see :func:`verified_request`), so a later layer
    need not read or parse the body again. The body stays readable from ``wsgi.input``.

    When the URL does not match, two more are tried before giving up: the path exactly as
    the client sent it, if the server keeps it (``RAW_URI``/``REQUEST_URI``) and it differs
    from the rebuilt one; and, with an ``Authorization: Basic`` header, the URL with its
    ``user:pass@``, since Twilio signs the URL as configured, credentials included.

    :param public_url: see :func:`request_url`.
    :param max_body_size: the largest body accepted, in bytes.
    :raises SignatureError: the request is not a valid Twilio webhook.
    :raises RequestError: the body cannot be read (:class:`RequestTooLarge` if too large).
    """
    url = request_url(environ, public_url)
    signature = environ.get("HTTP_X_TWILIO_SIGNATURE")
    settings = environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS")
    if not signature:
        # Fail before reading a body nobody will use.
        verifier.verify(url, None, signature, settings=settings)
    body = read_body(environ, max_body_size)
    params: list[tuple[str, str]] = []
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method not in ("GET", "HEAD"):
        params = form_params(environ, body)
    try:
        verifier.verify(url, params, signature, body=body, settings=settings)
    except InvalidSignature as error:
        # Only now, on a mismatch, look for other URLs the server's view of the request
        # may have hidden; each gets its own port and query variants.
        tried = list(error.tried)
        for other, shown in _other_urls(environ, url, public_url):
            try:
                verifier.verify(other, params, signature, body=body, settings=settings)
            except InvalidSignature as again:
                tried.extend(again.tried)
            else:
                url = shown
                break
        else:
            raise InvalidSignature(error.reason, url=error.url, tried=tried) from None
    result = VerifiedRequest(url, params, body)
    environ[ENVIRON_KEY] = result
    return result


def _other_urls(
    environ: Mapping[str, Any], url: str, public_url: str | None
) -> Iterator[tuple[str, str]]:
    """``(url to check, url without credentials)`` to try when *url* did not match.

    - the path exactly as the client sent it (``RAW_URI``/``REQUEST_URI``), when it differs
      from the one rebuilt from the decoded ``PATH_INFO`` (``%2D`` for ``-``, lowercase
      escapes, an escaped ``/``);
    - each of those with the ``user:pass@`` of an ``Authorization: Basic`` header, which
      Twilio signs as part of the URL it was configured with.
    """
    urls = [url]
    raw = _raw_path_url(environ, public_url)
    if raw is not None and raw != url:
        urls.append(raw)
        yield raw, raw
    userinfo = _basic_auth_userinfo(environ)
    if userinfo is not None:
        for candidate in urls:
            yield _with_userinfo(candidate, userinfo), candidate


def _raw_path_url(environ: Mapping[str, Any], public_url: str | None) -> str | None:
    """The request URL with the path as sent on the wire, ``None`` if the server hides it."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not target:
        return None
    target = wsgi_decode(str(target))
    if "://" in target:  # absolute-form request target
        target = "/" + target.partition("://")[2].partition("/")[2]
    if not target.startswith("/"):
        return None
    path = target.partition("?")[0].partition("#")[0]
    root = quote_path(environ.get("SCRIPT_NAME", "").rstrip("/"))
    mounted = bool(root) and path.startswith(root)
    if public_url:
        # The public URL's path prefix takes the place of the mount point.
        base = public_url.rstrip("/")
        if mounted:
            path = path[len(root) :]
    else:
        # Servers send the whole target; werkzeug's test client leaves out the mount point.
        base = _origin(environ)
        if not mounted:
            path = root + path
    query = environ.get("QUERY_STRING")
    return f"{base}{path}?{wsgi_decode(query)}" if query else f"{base}{path}"


def verified_request(environ: Mapping[str, Any]) -> VerifiedRequest | None:
    """The :class:`VerifiedRequest` an earlier :func:`verify_environ` stored, if any."""
    result = environ.get(ENVIRON_KEY)
    return result if isinstance(result, VerifiedRequest) else None
