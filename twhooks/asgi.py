"""ASGI: the webhook request of an ASGI scope, and a middleware that turns away unsigned ones.

:func:`webhook_request` builds the neutral :class:`~twhooks.request.WebhookRequest` from an
ASGI ``http`` scope and its body, with :meth:`~twhooks.request.WebhookRequest.build`, so that
the URL Twilio signed is rebuilt by one piece of code for every server: the public URL, the
mount point, the raw query, the path as sent on the wire, ``user:pass@`` from an
``Authorization: Basic`` header.

:class:`TwilioSignatureMiddleware` is the ASGI counterpart of
:class:`twhooks.middleware.TwilioSignatureMiddleware`, for any ASGI app (Quart, Starlette,
FastAPI...): requests under the protected prefixes must be signed; an ``http`` request is
refused with the same answers and log lines as everywhere in twhooks, and a ``websocket``
upgrade (ConversationRelay, Media Streams) is refused before it is accepted. This module
imports no web framework.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from typing import Any

from .exceptions import RequestError, RequestTooLarge, SignatureError
from .realtime.errors import UpgradeRefused
from .realtime.verify import Upgrade, verify_upgrade
from .replies import Reply
from .request import (
    VerifiedRequest,
    WebhookRequest,
    host_of,
    rebuild_url,
    url_path,
    verify_request,
)
from .verifying import SignatureMiddlewareBase, under_prefixes

__all__ = [
    "SCOPE_KEY",
    "ScopeHeaders",
    "TwilioSignatureMiddleware",
    "read_body",
    "request_url",
    "scope_environ",
    "scope_headers",
    "webhook_request",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("twhooks.middleware")

#: Where the middleware leaves the :class:`~twhooks.request.VerifiedRequest` in the scope.
SCOPE_KEY = "twhooks.verified_request"


def scope_environ(scope: Mapping[str, Any], body: bytes = b"") -> dict[str, Any]:
    """The WSGI environ an ``http`` (or ``websocket``) *scope* maps to, with *body* as input.

    twhooks itself no longer needs it (:func:`webhook_request` builds the request from the
    scope's parts); for code of yours that takes an environ.
    """
    root, path = _paths(scope)
    query = scope.get("query_string", b"").decode("latin-1")
    raw = scope.get("raw_path")
    server = scope.get("server") or ("", None)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.get("method", "GET"),
        # PEP 3333: decoded paths carried as latin-1 strings of their UTF-8 bytes.
        "SCRIPT_NAME": root.encode("utf-8", "surrogateescape").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": str(server[0] or ""),
        "SERVER_PORT": str(server[1] or ""),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.url_scheme": _scheme(scope),
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    if raw:
        target = raw.decode("latin-1")
        environ["RAW_URI"] = f"{target}?{query}" if query else target
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").upper().replace("-", "_")
        if key == "CONTENT_LENGTH":
            continue  # the body is what was read
        if key != "CONTENT_TYPE":
            key = "HTTP_" + key
        text = value.decode("latin-1")
        if key in environ and key != "CONTENT_TYPE":
            text = f"{environ[key]},{text}"
        environ[key] = text
    return environ


class ScopeHeaders(Mapping[str, str]):
    """Request headers by case-insensitive name (see :func:`scope_headers`)."""

    __slots__ = ("_headers",)

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers  # by lower-case name

    def __getitem__(self, name: str) -> str:
        return self._headers[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        return self._headers.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._headers

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)


def scope_headers(scope: Mapping[str, Any], body: bytes = b"") -> ScopeHeaders:
    """The request headers of *scope*: a repeated one joined with ``,`` (but
    ``Content-Type``: the last), and ``Content-Length`` that of *body*, what was read."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in headers and name != "content-type":
            value = f"{headers[name]},{value}"
        headers[name] = value
    headers["content-length"] = str(len(body))
    return ScopeHeaders(headers)


def request_url(scope: Mapping[str, Any], public_url: str | None = None) -> str:
    """The URL Twilio requested, rebuilt from *scope* (see :func:`twhooks.request.rebuild_url`)."""
    root, path = _paths(scope)
    query = _utf8(scope.get("query_string", b""))
    return rebuild_url(
        _scheme(scope),
        _host(scope, scope_headers(scope)),
        _text(root),
        _text(path),
        query,
        _raw_target(scope, query),
        public_url,
    )


def _paths(scope: Mapping[str, Any]) -> tuple[str, str]:
    """``(root_path, path under it)`` of *scope*."""
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return root, path


def _scheme(scope: Mapping[str, Any]) -> str:
    scheme = str(scope.get("scheme", "http"))
    return {"wss": "https", "ws": "http"}.get(scheme, scheme)


def _host(scope: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    server = scope.get("server") or ("", None)
    return host_of(headers.get("host"), str(server[0] or ""), str(server[1] or ""), _scheme(scope))


def _text(path: str) -> str:
    """A scope path as the UTF-8 text its bytes are (a server may pass undecodable bytes as
    surrogates)."""
    return (
        path
        if path.isascii()
        else path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    )


def _log_path(scope: Mapping[str, Any]) -> str:
    """The whole path of *scope*, escaped as in a URL, for log lines."""
    return url_path(_text(scope.get("path", "")))


def _utf8(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _raw_target(scope: Mapping[str, Any], query: str) -> str | None:
    """The path and query as sent (``raw_path``, when the server gives it)."""
    raw = scope.get("raw_path")
    if not raw:
        return None
    target = _utf8(raw)
    return f"{target}?{query}" if query else target


async def read_body(receive: Receive, limit: int, announced: int | None = None) -> bytes:
    """The whole body of an ASGI ``http`` request, at most *limit* bytes.

    :raises RequestTooLarge: the announced or actual length is over *limit*; the rest is
        not read.
    :raises RequestError: the client disconnected before the end of the body.
    """
    if announced is not None and announced > limit:
        raise RequestTooLarge(
            f"Content-Length {announced} is over the limit of {limit} bytes",
            limit=limit,
            length=announced,
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        kind = message.get("type")
        if kind == "http.disconnect":
            raise RequestError("the client disconnected before the end of the body")
        if kind != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(
                f"the body is over the limit of {limit} bytes", limit=limit, length=announced
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def content_length(scope: Mapping[str, Any]) -> int | None:
    """The ``Content-Length`` of *scope*, ``None`` if absent.

    :raises RequestError: it is not a number.
    """
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                length = int(value)
            except ValueError:
                raise RequestError("Content-Length is not a number") from None
            if length < 0:
                raise RequestError("Content-Length is negative")
            return length
    return None


def webhook_request(
    scope: Mapping[str, Any],
    body: bytes,
    *,
    public_url: str | None = None,
    max_body_size: int = 1 << 20,
    max_params: int = 1000,
    read: bool = True,
) -> WebhookRequest:
    """The :class:`~twhooks.request.WebhookRequest` of an ASGI ``http`` *scope* and its *body*.

    Same parameters as :func:`twhooks.wsgi.webhook_request`.
    """
    if not read:
        body = b""  # a request refused anyway for its missing signature, or verified already
    elif len(body) > max_body_size:
        raise RequestTooLarge(
            f"body of {len(body)} bytes is over the {max_body_size}-byte limit",
            limit=max_body_size,
            length=len(body),
        )
    headers = scope_headers(scope, body)
    root, path = _paths(scope)
    query = _utf8(scope.get("query_string", b""))
    return WebhookRequest.build(
        method=str(scope.get("method", "GET")),
        scheme=_scheme(scope),
        host=_host(scope, headers),
        root_path=_text(root),
        path=_text(path),
        raw_target=_raw_target(scope, query),
        query=query,
        headers=headers,
        body=body,
        public_url=public_url,
        max_params=max_params,
    )


def _has_signature(scope: Mapping[str, Any]) -> bool:
    return any(name.lower() == b"x-twilio-signature" for name, _ in scope.get("headers", ()))


class TwilioSignatureMiddleware(SignatureMiddlewareBase[ASGIApp]):
    """Check ``X-Twilio-Signature`` before an ASGI application sees the request.

    Requests under the *protect* path prefixes must carry a valid signature; others pass
    through untouched, as do ``lifespan`` events. A forged ``http`` request gets ``403``
    (a body over *max_body_size* ``413``) without the application being called, with one
    WARNING on the ``twhooks.middleware`` logger saying why. A forged ``websocket`` upgrade
    is refused before it is accepted: with a ``403`` answer where the server supports the
    ASGI ``websocket.http.response`` extension (Hypercorn, Uvicorn), else by closing it
    (the client sees ``403`` too). An accepted ``http`` request reaches the application
    with its body intact and the verified request in ``scope["twhooks.verified_request"]``.

    .. code-block:: python

        app = TwilioSignatureMiddleware(app, os.environ["TWILIO_AUTH_TOKEN"],
                                        protect=["/twilio"], public_url="https://example.com")

    The signature covers the URL Twilio requested; behind a TLS-terminating proxy, pass
    *public_url* (safe: nothing a client sends changes it), or run the server with its
    proxy-headers option for the proxies you trust. A wrong URL makes valid requests fail,
    never forged ones pass. An upgrade is checked over its ``wss://`` URL; binding a socket
    to its call (the CallSid in the path) is the job of the relay and stream routes.

    :param app: the ASGI application to protect.
    :param auth_token: the auth token, or a list of them during a token rotation.
    :param protect: the path prefixes to protect; ``"/"`` (the default) protects everything.
    :param public_url: the public base URL of the app (a trailing slash is dropped).
    :param token_lookup: ``token_lookup(account_sid)`` gives a subaccount's auth token(s).
    :param shared_keys: SharedKey secrets by key id (a mapping or a function).
    :param max_body_size: the largest body accepted, in bytes.
    :param max_params: the most form parameters accepted.
    :param tracing: each refusal a span (``TWHOOKS_TRACING``: ``None``, on when
        ``opentelemetry-api`` is installed; ``True``; ``False``; or a ``TracerProvider``).
    :param metrics: each refusal counted (``TWHOOKS_METRICS``: ``True``, or a
        ``CollectorRegistry``).
    :param metrics_route: a path, such as ``"/metrics"``, where the middleware serves the
        metrics itself, behind *metrics_password* (HTTP basic, any user name).
    :param metrics_password: the password of *metrics_route*.
    :raises ConfigurationError: no auth token, *token_lookup* or *shared_keys* was given, or
        the observability arguments are wrong (a route without a password...).

    Refusals are observed as the extension's are (:doc:`/observability`, "Behind the
    signature middlewares"): log fields, a span, the metrics.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        _, local_path = _paths(scope)
        if kind == "http" and local_path == self.observability.metrics_route:
            await self._metrics(scope, send)
        elif not under_prefixes(local_path, self.protect):
            await self.app(scope, receive, send)
        elif kind == "http":
            await self._http(scope, receive, send, _text(local_path))
        else:
            await self._websocket(scope, receive, send, _text(local_path))

    async def _metrics(self, scope: Scope, send: Send) -> None:
        from .observability.exposition import metrics_reply

        authorization = scope_headers(scope).get("authorization")
        await _send_reply(send, metrics_reply(self.observability, authorization))

    async def _http(self, scope: Scope, receive: Receive, send: Send, local_path: str) -> None:
        started = time.perf_counter()
        method = str(scope.get("method", "GET"))
        path = _log_path(scope)
        request: WebhookRequest | None = None
        try:
            signed = _has_signature(scope)
            # An unsigned request is refused without reading its body.
            body = (
                await read_body(receive, self.max_body_size, content_length(scope))
                if signed
                else b""
            )
            request = webhook_request(
                scope,
                body,
                public_url=self.public_url,
                max_body_size=self.max_body_size,
                max_params=self.max_params,
                read=signed,
            )
            verified = verify_request(self.verifier, request)
        except (SignatureError, RequestError) as error:
            reply = self.refuse(
                error, method, path, request, local_path=local_path, started=started
            )
            await _send_reply(send, reply)
            return
        scope[SCOPE_KEY] = verified
        await self.app(scope, _replay(body, receive), send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, local_path: str) -> None:
        started = time.perf_counter()
        upgrade = Upgrade.from_scope(scope)
        try:
            verify_upgrade(self.verifier, upgrade, None, public_url=self.public_url)
        except UpgradeRefused as refused:
            observed = self.observers.refusing(self.kind_of(local_path), refused.code, started)
            logger.warning(
                "Rejected Twilio WebSocket upgrade %s: %s",
                _log_path(scope),
                refused.reason,
            )
            self.observers.refused(observed, refused.status)
            message = await receive()  # websocket.connect
            if message.get("type") != "websocket.connect":
                return
            await _refuse_websocket(scope, send, refused.status)
            return
        await self.app(scope, receive, send)


def verified_request(scope: Mapping[str, Any]) -> VerifiedRequest | None:
    """What the middleware verified for this request, if it ran."""
    result = scope.get(SCOPE_KEY)
    return result if isinstance(result, VerifiedRequest) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    """*receive* that first gives the body already read, then waits for a disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _send_reply(send: Send, reply: Reply) -> None:
    headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in reply.headers]
    headers.append((b"content-length", str(len(reply.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})


async def _refuse_websocket(scope: Scope, send: Send, status: int) -> None:
    if "websocket.http.response" in (scope.get("extensions") or {}):
        body = b"WebSocket upgrade refused.\n"
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode("ascii")),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
    else:
        # Closing before accepting makes the server answer the upgrade 403.
        await send({"type": "websocket.close", "code": 1008})
