"""Verify a WebSocket upgrade from Twilio, and the CallSid it is bound to.

Twilio signs the upgrade request of a ConversationRelay or Media Streams socket like a
webhook, over the ``wss://`` URL of the TwiML. Two forms are in use, and both are accepted
(:func:`signed_forms`):

- **the URL with its query**, as written, and no parameters: a GET webhook's form, what
  Twilio's samples and earlier SDKs validate (a URL without a query, the only kind Media
  Streams allow, is signed so in either form);
- **the URL without its query, the query's parameters folded in as form fields are**
  (sorted by name, ``name + value``, decoded): the form Twilio's agent SDK validates
  (twilio-agent-connect-python, PR #16). A repeated name or a blank value is folded as a
  form field's is (every value, blanks too); the SDK's own reading (the first value of each
  name, blanks dropped) is accepted as well where it differs.

Both are tried with and without the default port and the URL's other known variants
(:func:`twhooks.urls.url_variants`: a bare ``?``, the query's escapes). Nothing else is: a
signature over the URL *without* its query, for an upgrade that has one, is refused, so the
query's values are as authenticated as the path.

The signature alone proves that Twilio opened *some* session to that URL; it does not say
for which call, and a signature over a fixed URL would let whoever saw one upgrade open any
number of sockets. So twhooks puts the CallSid in the
URL's *path* (Media Streams drop a query string): ``wss://example.com/twilio/relay/CA…``.
The signature then covers the CallSid, the session is bound to it, and the first message
(``setup`` or ``start``) must name the same call or the socket is closed before any handler
runs. Since Twilio opens one socket per ``<Connect>``, a second socket for a live call is
refused too (see :mod:`twhooks.realtime.lifecycle`).

The URL is rebuilt the way the webhook one is (:func:`twhooks.wsgi.request_url`): from the
public URL when the app has one (``https://`` becoming ``wss://``), else from the ``Host``
header, always as ``wss://`` because Twilio connects only over TLS (a TLS-terminating proxy
shows the app a plain ``ws://`` request). Nothing here knows WSGI servers or ASGI apps
beyond reading the request's parts from an environ or a scope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from ..exceptions import SignatureError
from ..signature import SignatureVerifier
from ..urls import redact, split_authority
from ..wsgi import quote_path, wsgi_decode
from .errors import UpgradeRefused

__all__ = [
    "CALL_SID",
    "SignedForm",
    "Upgrade",
    "signed_forms",
    "signed_urls",
    "verify_upgrade",
    "websocket_base",
]

#: A URL and the parameters folded after it in the signed string (``None``: none).
SignedForm = tuple[str, "list[tuple[str, str]] | None"]

#: A CallSid as Twilio writes it: ``CA`` and 32 lowercase hex digits.
CALL_SID = re.compile(r"CA[0-9a-f]{32}\Z")

_WS_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What verification needs of a WebSocket upgrade request, from any server.

    :param secure: whether the server saw a TLS connection.
    :param host: the ``Host`` header.
    :param root: where the app is mounted (``SCRIPT_NAME`` / ``root_path``), escaped.
    :param path: the path within the app, escaped as on the wire.
    :param query: the raw query string.
    :param signature: the ``X-Twilio-Signature`` header, if any.
    :param settings: the ``X-Twilio-Webhooks-Signature-Settings`` header, if any.
    """

    secure: bool
    host: str
    root: str
    path: str
    query: str
    signature: str | None
    settings: str | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> Upgrade:
        """The upgrade of a WSGI request (flask-sock, gunicorn, werkzeug)."""
        root = environ.get("SCRIPT_NAME", "")
        return cls(
            secure=environ.get("wsgi.url_scheme") in ("https", "wss"),
            host=environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            root=quote_path(root.rstrip("/")) if root else "",
            path=quote_path(environ.get("PATH_INFO", "")),
            query=wsgi_decode(environ.get("QUERY_STRING", "")),
            signature=environ.get("HTTP_X_TWILIO_SIGNATURE"),
            settings=environ.get("HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"),
        )

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any]) -> Upgrade:
        """The upgrade of an ASGI ``websocket`` scope (Quart, any ASGI app)."""
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            key = name.decode("latin-1").lower()
            if key not in headers:  # the first of a repeated header, as WSGI servers keep it
                headers[key] = value.decode("latin-1")
        root = scope.get("root_path", "")
        raw = scope.get("raw_path")
        path = raw.decode("latin-1") if raw else quote_path(scope.get("path", ""))
        if root and path.startswith(root):
            path = path[len(root) :]
        query = scope.get("query_string", b"")
        return cls(
            secure=scope.get("scheme") in ("https", "wss"),
            host=headers.get("host", ""),
            root=quote_path(root.rstrip("/")) if root else "",
            path=wsgi_decode(path.partition("?")[0]),
            query=wsgi_decode(query.decode("latin-1")),
            signature=headers.get("x-twilio-signature"),
            settings=headers.get("x-twilio-webhooks-signature-settings"),
        )


def websocket_base(public_url: str | None, host: str = "", root: str = "") -> str:
    """``wss://host[/base]`` for the app: from *public_url* if given, else from *host*."""
    if public_url:
        scheme, sep, rest = public_url.rstrip("/").partition("://")
        if sep:
            return f"{_WS_SCHEMES.get(scheme.lower(), 'wss')}://{rest}"
        return f"wss://{rest}"
    return f"wss://{host}{root}"


def signed_urls(upgrade: Upgrade, public_url: str | None = None) -> list[str]:
    """The URLs Twilio may have signed for *upgrade*, in the order worth trying.

    The ``wss://`` URL built from *public_url* or the ``Host`` header; with the default port
    443 added or removed; and, with no public URL and a plain connection, the ``ws://`` URL
    as the server saw it (a local test or a terminal client, never Twilio).
    """
    tail = upgrade.path + (f"?{upgrade.query}" if upgrade.query else "")
    bases = [websocket_base(public_url, upgrade.host, upgrade.root)]
    if not public_url and not upgrade.secure:
        bases.append(f"ws://{upgrade.host}{upgrade.root}")
    urls: list[str] = []
    for base in bases:
        for url in (base + tail, _toggle_port(base) + tail):
            if url not in urls:
                urls.append(url)
    return urls


def _toggle_port(base: str) -> str:
    parts = split_authority(base)
    if parts is None:
        return base
    scheme, userinfo, host, port, rest = parts
    default = {"wss": ":443", "ws": ":80"}.get(scheme)
    if port:
        return f"{scheme}://{userinfo}{host}{rest}" if port == default else base
    return f"{scheme}://{userinfo}{host}{default or ''}{rest}"


def signed_forms(upgrade: Upgrade, public_url: str | None = None) -> list[SignedForm]:
    """What Twilio may have signed for *upgrade*: ``(url, params)`` pairs, in the order worth
    trying (see the module's docstring).

    For each URL of :func:`signed_urls`: the URL with its query and no parameters; then, if
    it has a query, the URL without it with the query's parameters, as form fields are
    folded, and as Twilio's agent SDK reads them if that differs.
    """
    forms: list[SignedForm] = []
    query = upgrade.query
    folded: list[list[tuple[str, str]]] = []
    if query:
        fields = parse_qsl(query, keep_blank_values=True)
        first = [(name, values[0]) for name, values in parse_qs(query).items()]
        folded = [fields] if sorted(set(first)) == sorted(set(fields)) else [fields, first]
    for url in signed_urls(upgrade, public_url):
        forms.append((url, None))
        if query:
            bare = url.partition("?")[0]
            forms.extend((bare, params) for params in folded if params)
    return forms


def verify_upgrade(
    verifier: SignatureVerifier,
    upgrade: Upgrade,
    call_sid: str | None,
    *,
    public_url: str | None = None,
) -> str:
    """Check the upgrade's signature and the CallSid in its path; return the URL that matched.

    :param call_sid: the CallSid the route took from the URL's path; ``None`` checks the
        signature only (a middleware that does not know the routes).
    :raises UpgradeRefused: ``403`` for a CallSid that is not one, a missing or wrong
        signature; the reason names the URLs tried, never a token.
    """
    if call_sid is not None and not CALL_SID.match(call_sid):
        raise UpgradeRefused(
            "the URL's last segment is not a CallSid (CA + 32 hex digits); point the TwiML "
            "at the session with twhooks.realtime.twiml so the socket is bound to its call",
            code="invalid_call_sid",
        )
    forms = signed_forms(upgrade, public_url)
    first: SignatureError | None = None
    for url, params in forms:
        try:
            verifier.verify(url, params, upgrade.signature, settings=upgrade.settings)
        except SignatureError as error:
            first = first or error
            if upgrade.signature is None:
                break
            continue
        return url
    assert first is not None
    tried = [redact(url) + (" + its query as fields" if params else "") for url, params in forms]
    raise UpgradeRefused(
        f"{first.reason} [{first.code}]; URLs tried: {', '.join(tried)}",
        url=redact(forms[0][0]),
        code=first.code,
    )
