"""Verify a Twilio webhook straight from a WSGI environ.

These helpers rebuild the URL Twilio requested, read the body without letting a client
exhaust memory, and build the framework-free :class:`~twhooks.request.WebhookRequest` that
:func:`~twhooks.request.verify_request` checks. They are used by
:class:`~twhooks.middleware.TwilioSignatureMiddleware` and by the Flask extension, and know
nothing of Flask themselves.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from .exceptions import RequestError, RequestTooLarge
from .forms import parse_form
from .request import Alternates, VerifiedRequest, WebhookRequest, verify_request
from .signature import SignatureVerifier, keep_bare_query

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

#: The characters left unescaped when a path is rebuilt from ``PATH_INFO``: werkzeug's set
#: without "%" -- PATH_INFO is already decoded, so a "%" in it came from "%25" on the wire.
PATH_SAFE = "!$&'()*+,/:;=@"

# A path made only of characters that stay as they are through decoding and escaping.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~\-!$&'()*+,/:;=@]*\Z")

_FORM_TYPE = "application/x-www-form-urlencoded"

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
    # A signed URL may end in a bare "?"; the server's empty query string hides it.
    return keep_bare_query(url, environ.get("RAW_URI") or environ.get("REQUEST_URI"))


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
    mimetype, charset = _content_type(environ)
    return _parse(body, charset, len(body) + 1) if mimetype == _FORM_TYPE else []


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


def _basic_auth(environ: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic`` header, ``None`` without one."""
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


def _with_userinfo(url: str, user: str, password: str) -> str:
    """*url* with ``user:password@``, escaped as in the URL configured in the Twilio console."""
    scheme, sep, rest = url.partition("://")
    userinfo = f"{quote(user, safe=_USERINFO_SAFE)}:{quote(password, safe=_USERINFO_SAFE)}"
    return f"{scheme}{sep}{userinfo}@{rest}" if sep else url


# What RFC 3986 lets stand unescaped in a user name or password (unreserved and sub-delims).
_USERINFO_SAFE = "-._~!$&'()*+,;="


# The headers twhooks reads on every request, by the name it asks for.
_ENVIRON_KEYS = {
    name: "HTTP_" + name.upper().replace("-", "_")
    for name in (
        "x-twilio-signature",
        "x-twilio-webhooks-signature-settings",
        "i-twilio-idempotency-token",
    )
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
    url = request_url(environ, public_url)
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    query = environ.get("QUERY_STRING") or ""
    if query:
        query = wsgi_decode(query)
    mimetype, charset = _content_type(environ)
    body = b""
    form: list[tuple[str, str]] = []
    if read:
        body = read_body(environ, max_body_size)
        if body and mimetype == _FORM_TYPE and method not in ("GET", "HEAD"):
            form = _parse(body, charset, max_params)
    params = form
    if method in ("GET", "HEAD") and query:
        params = _parse(query.encode("utf-8"), "utf-8", max_params)
    return WebhookRequest(
        method=method,
        url=url,
        path=quote_path(environ.get("PATH_INFO", "")),
        query=query,
        headers=EnvironHeaders(environ),
        body=body,
        mimetype=mimetype,
        form=form,
        params=params,
        alternates=lambda: _alternates(environ, url, public_url),
        unhandled_proxy=(
            ("HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ)
            and "werkzeug.proxy_fix.orig" not in environ
        ),
    )


def _alternates(environ: Mapping[str, Any], url: str, public_url: str | None) -> Alternates:
    """The other URLs worth trying for a request that reached us as *url*, and the secrets
    among them: the path as sent on the wire, and ``user:pass@`` of a basic-auth header."""
    others: list[tuple[str, str]] = []
    raw = _raw_path_url(environ, public_url)
    if raw is not None and raw != url:
        others.append((raw, raw))
    secrets: tuple[str, ...] = ()
    auth = _basic_auth(environ)
    if auth is not None:
        user, password = auth
        secrets = tuple(s for s in (password, quote(password, safe=_USERINFO_SAFE)) if s)
        for candidate in (url, *(o for o, _ in others)):
            others.append((_with_userinfo(candidate, user, password), candidate))
    return tuple(others), secrets


def _parse(data: bytes, charset: str, max_params: int) -> list[tuple[str, str]]:
    count = data.count(b"&") + 1
    if count > max_params:
        raise RequestTooLarge(
            f"{count} parameters are over the limit of {max_params}", limit=max_params
        )
    return parse_form(data, charset)  # an unknown or unusable charset: RequestError


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
