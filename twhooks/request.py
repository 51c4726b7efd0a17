"""A webhook request as twhooks sees it, whatever the web framework: build, check, verify.

An adapter turns its framework's request into a :class:`WebhookRequest` with
:meth:`WebhookRequest.build`, from the parts every server gives (method, scheme, host, mount
point, path, query, headers, body): :func:`twhooks.wsgi.webhook_request` from a WSGI environ,
:func:`twhooks.asgi.webhook_request` from an ASGI scope. The URL Twilio signed is rebuilt here,
once for every server (:func:`rebuild_url`), with the other URLs worth trying when it does not
match: the path as sent on the wire, the URL with the ``user:pass@`` of an
``Authorization: Basic`` header. Then :func:`verify_request` checks it:

1. the body must be covered by the signature: a ``GET`` carries none, a multipart body is
   refused, and a body that is not a form needs ``bodySHA256`` in the URL
   (:class:`~twhooks.exceptions.UnsignedBody`) — what no signature covers never reaches the
   app;
2. ``X-Twilio-Signature`` must match the URL (or one of :attr:`WebhookRequest.other_urls`)
   and the form parameters, with one of the app's secrets.

The result is a :class:`VerifiedRequest`. This module knows nothing of any web framework.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from .exceptions import InvalidSignature, RequestTooLarge, SignatureError, UnsignedBody
from .forms import parse_form
from .signature import SignatureVerifier, keep_bare_query
from .urls import query_value

__all__ = [
    "FORM_TYPE",
    "PATH_SAFE",
    "VerifiedRequest",
    "WebhookRequest",
    "host_of",
    "rebuild_url",
    "url_path",
    "verify_request",
]

#: The only body type whose fields Twilio signs one by one.
FORM_TYPE = "application/x-www-form-urlencoded"

#: The characters left unescaped when a path is escaped again for a URL: werkzeug's set
#: without "%" -- the path is decoded, so a "%" in it came from "%25" on the wire.
PATH_SAFE = "!$&'()*+,/:;=@"

# A path made only of characters that stay as they are through decoding and escaping.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~\-!$&'()*+,/:;=@]*\Z")

# What RFC 3986 lets stand unescaped in a user name or password (unreserved and sub-delims).
_USERINFO_SAFE = "-._~!$&'()*+,;="


#: ``(other URLs to try, secrets never to log)``: see :attr:`WebhookRequest.other_urls`.
Alternates = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


@dataclass(slots=True)
class WebhookRequest:
    """One HTTP request to a webhook route, with everything needed to verify and handle it.

    Treat it as read-only (it is not frozen only because building it is on every request's
    path).

    :param method: the HTTP method, upper case.
    :param url: the URL Twilio requested, rebuilt (scheme, host, path, raw query).
    :param path: the path the app routes, escaped as in a URL (for log lines).
    :param query: the raw query string, without ``?``.
    :param headers: the request headers, by case-insensitive name (``x-twilio-signature``).
    :param body: the raw body bytes.
    :param mimetype: the ``Content-Type`` without parameters, lower case (``""`` if none).
    :param form: the form parameters of the body in the order received (``[]`` if none).
    :param params: the webhook's parameters: the form for ``POST``, the query for ``GET``.
    :param alternates: computes, on first use, :attr:`other_urls` and :attr:`secrets` (only a
        request that does not match at first needs them).
    :param unhandled_proxy: a proxy added ``X-Forwarded-*`` headers that nothing applied to
        the URL (no ``ProxyFix``), a likely reason for a signature mismatch.
    """

    method: str
    url: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    mimetype: str
    form: list[tuple[str, str]]
    params: list[tuple[str, str]]
    alternates: Callable[[], Alternates] | None = field(default=None, repr=False)
    unhandled_proxy: bool = False
    _alternates: Alternates | None = field(default=None, init=False, repr=False)

    def _computed(self) -> Alternates:
        if self._alternates is None:
            self._alternates = self.alternates() if self.alternates is not None else ((), ())
        return self._alternates

    @classmethod
    def build(
        cls,
        *,
        method: str,
        scheme: str,
        host: str,
        root_path: str,
        path: str,
        raw_target: str | None,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        public_url: str | None = None,
        max_params: int = 1000,
        proxy_fixed: bool = False,
    ) -> WebhookRequest:
        """The request of these parts, its URL rebuilt and its parameters parsed.

        Every text part is decoded (UTF-8, as the bytes on the wire are).

        :param method: the HTTP method.
        :param scheme: ``http`` or ``https``, as the server saw it.
        :param host: ``host[:port]`` as the server saw it (see :func:`host_of`).
        :param root_path: the path the app is mounted under (``""``: the root).
        :param path: the path the app routes, under *root_path*.
        :param raw_target: the request target exactly as sent (path and query), if the server
            tells it.
        :param query: the query string, never unescaped.
        :param headers: the request headers by case-insensitive name.
        :param body: the body, or ``b""`` when it is not read.
        :param public_url: the public base URL of the app (see :func:`rebuild_url`).
        :param max_params: the most parameters accepted; more are refused before they are
            parsed, so that refusing a forged request stays cheap.
        :param proxy_fixed: something (werkzeug's ``ProxyFix``) already applied the
            ``X-Forwarded-*`` headers to *scheme* and *host*.
        :raises RequestError: the parameters cannot be parsed (:class:`RequestTooLarge` if too
            many).
        """
        method = method.upper()
        url = rebuild_url(scheme, host, root_path, path, query, raw_target, public_url)
        mimetype, charset = content_type(headers.get("content-type") or "")
        form: list[tuple[str, str]] = []
        if body and mimetype == FORM_TYPE and method not in ("GET", "HEAD"):
            form = parse_params(body, charset, max_params)
        params = form
        if method in ("GET", "HEAD") and query:
            params = parse_params(query.encode("utf-8"), "utf-8", max_params)
        return cls(
            method=method,
            url=url,
            path=url_path(path),
            query=query,
            headers=headers,
            body=body,
            mimetype=mimetype,
            form=form,
            params=params,
            alternates=lambda: _alternates(
                url, _raw_path_url(scheme, host, root_path, query, raw_target, public_url), headers
            ),
            unhandled_proxy=(
                ("x-forwarded-proto" in headers or "x-forwarded-host" in headers)
                and not proxy_fixed
            ),
        )

    @property
    def other_urls(self) -> tuple[tuple[str, str], ...]:
        """``(url to check, url to show)`` pairs to try when :attr:`url` does not match: the
        path as sent on the wire, the URL with the ``user:pass@`` of an
        ``Authorization: Basic`` header."""
        return self._computed()[0]

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be logged (such as that basic-auth password)."""
        return self._computed()[1]

    @property
    def signature(self) -> str | None:
        """The ``X-Twilio-Signature`` header."""
        return self.headers.get("x-twilio-signature")

    @property
    def idempotency_token(self) -> str | None:
        """The ``I-Twilio-Idempotency-Token`` header: the same on every retry of a request."""
        return self.headers.get("i-twilio-idempotency-token")


@dataclass(frozen=True)
class VerifiedRequest:
    """A request whose signature was checked.

    :param url: the request's URL as verified: rebuilt, or with the path as sent on the
        wire when only that matched; never with ``user:pass@``.
    :param params: the webhook's parameters in the order received: the form of a ``POST``,
        the query of a ``GET``, none for a JSON body.
    :param body: the raw body.
    """

    url: str
    params: list[tuple[str, str]]
    body: bytes


def check_body_is_signed(request: WebhookRequest) -> None:
    """Refuse a body that no signature covers.

    :raises UnsignedBody: a ``GET`` with a body, a multipart body, or a body that is neither
        a form nor bound to the URL by ``bodySHA256``.
    """
    if not request.body or (
        request.mimetype == FORM_TYPE and request.method not in ("GET", "HEAD")
    ):
        return
    if request.method in ("GET", "HEAD"):
        raise UnsignedBody(f"a {request.method} request carries a {len(request.body)}-byte body")
    if request.mimetype.startswith("multipart/"):
        raise UnsignedBody("a multipart body: Twilio signs form and JSON bodies only", 415)
    if not query_value("?" + request.query, "bodySHA256"):
        # The exact name, with a value: "xbodySHA256=" or "a=bodySHA256=" would leave the
        # body unchecked by the verifier, which binds the body only through this parameter.
        raise UnsignedBody(f"a {request.mimetype or 'untyped'} body without bodySHA256 in the URL")


def verify_request(verifier: SignatureVerifier, request: WebhookRequest) -> VerifiedRequest:
    """Verify *request* (see the module docstring).

    :raises UnsignedBody: a body that no signature covers (400, or 415 for multipart).
    :raises SignatureError: the request is not a valid Twilio webhook; an
        :class:`~twhooks.exceptions.InvalidSignature` lists every URL tried, redacted.
    """
    check_body_is_signed(request)
    signature = request.signature
    settings = request.headers.get("x-twilio-webhooks-signature-settings")
    url = request.url
    form, body = request.form, request.body
    try:
        verifier.verify(url, form, signature, body=body, settings=settings)
    except InvalidSignature as error:
        # Only now, on a mismatch, try the URLs the server's view of the request may hide.
        tried = list(error.tried)
        for other, shown in request.other_urls:
            try:
                verifier.verify(other, form, signature, body=body, settings=settings)
            except InvalidSignature as again:
                tried.extend(again.tried)
            else:
                url = shown
                break
        else:
            raise InvalidSignature(
                error.reason,
                url=error.url,
                tried=[redact_secrets(u, request.secrets) for u in tried],
            ) from None
    except SignatureError as error:
        if request.secrets:
            error.url = redact_secrets(error.url or "", request.secrets) or None
        raise
    return VerifiedRequest(url, request.params, body)


def url_path(path: str) -> str:
    """A decoded path escaped again for a URL (see :data:`PATH_SAFE`)."""
    if _PLAIN_PATH.match(path):
        return path  # the usual case: nothing to escape
    return quote(path, safe=PATH_SAFE)


def host_of(host: str | None, server_name: str, server_port: str, scheme: str) -> str:
    """``host[:port]`` of a request: its ``Host`` header, else the server's name and port
    (the port left out when it is the scheme's default)."""
    if host:
        return host
    if server_port and server_port != {"https": "443", "http": "80"}.get(scheme):
        return f"{server_name}:{server_port}"
    return server_name


def rebuild_url(
    scheme: str,
    host: str,
    root_path: str,
    path: str,
    query: str,
    raw_target: str | None = None,
    public_url: str | None = None,
) -> str:
    """The URL Twilio requested, rebuilt: ``scheme://host`` + the mount point + the path
    (escaped again the way werkzeug does) + ``?`` + the query, never unescaped or escaped
    again, since Twilio signed it exactly as it sent it (the parameters are those of
    :meth:`WebhookRequest.build`).

    :param public_url: the public base URL of the app, such as ``"https://example.com"`` or
        ``"https://example.com/base"``; when given it replaces the scheme, host, port and
        mount point seen by the server (behind a TLS-terminating proxy).
    """
    if public_url:
        url = public_url.rstrip("/") + url_path(path)
    else:
        root = url_path(root_path.rstrip("/")) if root_path else ""  # most apps: none
        url = f"{scheme}://{host}{root}{url_path(path)}"
    if query:
        return f"{url}?{query}"
    # A signed URL may end in a bare "?"; the server's empty query string hides it.
    return keep_bare_query(url, raw_target)


def _alternates(url: str, raw: str | None, headers: Mapping[str, str]) -> Alternates:
    """The other URLs worth trying for a request that reached us as *url*, and the secrets
    among them: *raw*, the URL with the path as sent on the wire, and ``user:pass@`` of a
    basic-auth header."""
    others: list[tuple[str, str]] = []
    if raw is not None and raw != url:
        others.append((raw, raw))
    secrets: tuple[str, ...] = ()
    auth = _basic_auth(headers.get("authorization") or "")
    if auth is not None:
        user, password = auth
        secrets = tuple(s for s in (password, quote(password, safe=_USERINFO_SAFE)) if s)
        for candidate in (url, *(o for o, _ in others)):
            others.append((_with_userinfo(candidate, user, password), candidate))
    return tuple(others), secrets


def _raw_path_url(
    scheme: str,
    host: str,
    root_path: str,
    query: str,
    raw_target: str | None,
    public_url: str | None,
) -> str | None:
    """The request URL with the path as sent on the wire, ``None`` if the server hides it."""
    target = raw_target
    if not target:
        return None
    if "://" in target:  # absolute-form request target
        target = "/" + target.partition("://")[2].partition("/")[2]
    if not target.startswith("/"):
        return None
    path = target.partition("?")[0].partition("#")[0]
    root = url_path(root_path.rstrip("/"))
    mounted = bool(root) and path.startswith(root)
    if public_url:
        # The public URL's path prefix takes the place of the mount point.
        base = public_url.rstrip("/")
        if mounted:
            path = path[len(root) :]
    else:
        # Servers send the whole target; werkzeug's test client leaves out the mount point.
        base = f"{scheme}://{host}"
        if not mounted:
            path = root + path
    if query:
        return f"{base}{path}?{query}"
    return keep_bare_query(f"{base}{path}", raw_target)  # as the rebuilt URL does


def _basic_auth(header: str) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic`` header, ``None`` without one."""
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


# Clients send the same few Content-Type values over and over (Twilio: one).
@lru_cache(maxsize=64)
def content_type(header: str) -> tuple[str, str]:
    """``(mimetype, charset)`` of a ``Content-Type`` header, lower-cased, charset ``utf-8``
    by default."""
    mimetype, _, rest = header.partition(";")
    charset = "utf-8"
    for param in rest.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return mimetype.strip().lower(), charset


def parse_params(data: bytes, charset: str, max_params: int) -> list[tuple[str, str]]:
    """The parameters of a form body or query, at most *max_params* of them.

    :raises RequestTooLarge: more than *max_params*, counted before parsing.
    :raises RequestError: an unknown or unusable charset.
    """
    count = data.count(b"&") + 1
    if count > max_params:
        raise RequestTooLarge(
            f"{count} parameters are over the limit of {max_params}", limit=max_params
        )
    return parse_form(data, charset)


def redact_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """*text* with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
