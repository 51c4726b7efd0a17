"""Compute and verify ``X-Twilio-Signature``, the HMAC Twilio puts on every webhook.

The signed string is the URL Twilio requested followed by every form parameter, sorted by
name, as ``name + value`` (each distinct value of a repeated name once, sorted). Its HMAC
(SHA-1 with the auth token, or SHA-256 with a shared key), in base64, is the header value.
Non-form bodies are signed through the URL instead: Twilio adds ``bodySHA256=<hex digest>``
to the query string and signs the URL with no parameters.

Twilio is not consistent about the URL it signs (default port or not, how the query string
is escaped), so a signature that does not match the URL as given is checked against a few
variants of it (:func:`twhooks.urls.url_variants`) before the request is rejected. Twilio's
libraries do not agree on the sort order either (code points in Python, UTF-16 code units in
Node.js and Java); a signature made with either is accepted.

This module is pure Python: it knows nothing of WSGI or Flask (see :mod:`twhooks.wsgi` and
:mod:`twhooks.middleware` for those).
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import starmap
from operator import add
from typing import Any

from .exceptions import (
    BodyHashMismatch,
    InvalidSignature,
    MissingSignature,
    SignatureError,
    UnknownAccount,
    UnreadableParams,
    UnsupportedAlgorithm,
)
from .urls import query_value, redact, url_variants

__all__ = [
    "ALGORITHMS",
    "Params",
    "SignatureVerifier",
    "TokenLookup",
    "compute_signature",
    "is_valid_signature",
    "keep_bare_query",
    "signing_string",
    "verify_signature",
]

#: Form parameters: a mapping of names to one value or a list of values; a multi-mapping with
#: ``getall`` (``multidict``, WebOb) or ``getlist`` (werkzeug's ``MultiDict``, Django's
#: ``QueryDict``, Starlette's ``FormData``); or ``(name, value)`` pairs.
Params = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]

#: ``token_lookup(account_sid)``: the auth token(s) of an account, or ``None`` if unknown.
TokenLookup = Callable[[str], str | Sequence[str] | None]

#: The signature algorithms Twilio uses, by the name in the signature settings header.
ALGORITHMS: Mapping[str, str] = {"HMAC_SHA1": "sha1", "HMAC_SHA256": "sha256"}


def signing_string(url: str, params: Params | None = None, *, utf16_order: bool = False) -> str:
    """The string Twilio signs: *url* then ``name + value`` for every parameter.

    Names are sorted in code-point order, as twilio-python does; a repeated name contributes
    each distinct value once, values sorted too. With *utf16_order* they are sorted by UTF-16
    code units instead, as Twilio's Node.js and Java libraries do; the two orders differ only
    where a character above U+FFFF meets one in U+E000-U+FFFF.

    :raises UnreadableParams: *params* is not a container of text twhooks can read.
    """
    if not params:
        return url
    try:
        pairs = set(params if type(params) is list else _pairs(params))
        # Sorting distinct (name, value) tuples orders by name, then by value: exactly
        # Twilio's rule for repeated names, without grouping first. ``add`` takes exactly a
        # name and a value, both str, so anything else is refused rather than signed.
        ordered = sorted(pairs, key=_utf16_key) if utf16_order else sorted(pairs)
        return url + "".join(starmap(add, ordered))
    except TypeError:
        raise _unreadable(params) from None


def _utf16_key(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    name, value = pair
    return name.encode("utf-16-be", "surrogatepass"), value.encode("utf-16-be", "surrogatepass")


def _pairs(params: object) -> list[tuple[str, str]]:
    """Every ``(name, value)`` of *params*, each value of a repeated name included."""
    if isinstance(params, (str, bytes, bytearray)) or not isinstance(params, Iterable):
        raise _unreadable(params)
    # getall first, as the official validator does: a multidict's [] gives the first value.
    values_of = getattr(params, "getall", None) or getattr(params, "getlist", None)
    if values_of is None and not isinstance(params, Mapping):
        return list(params)  # (name, value) pairs, checked as they are joined
    mapping: Any = params
    pairs: list[tuple[str, str]] = []
    for name in dict.fromkeys(mapping):  # a multidict yields a repeated name each time
        values = values_of(name) if values_of is not None else mapping[name]
        if isinstance(values, str):
            pairs.append((name, values))
        elif isinstance(values, (list, tuple)):
            pairs.extend((name, value) for value in values)
        else:
            raise _unreadable(params)
    return pairs


def _unreadable(params: object) -> UnreadableParams:
    return UnreadableParams(
        f"cannot read form parameters from a {type(params).__name__}: pass a mapping of names "
        "to str (or to lists of str), a multi-mapping with getall() or getlist(), or "
        "(name, value) pairs of str"
    )


# Code-point and UTF-16 orders only differ where a string holds a character above U+FFFF.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def keep_bare_query(url: str, request_target: str | None) -> str:
    """*url* with the bare ``?`` that ends the request target as sent, if it had one.

    Twilio signs the URL as configured, and ``https://example.com/sms?`` signs differently
    from ``https://example.com/sms``. A server reports an empty query string either way, so a
    URL rebuilt from it loses the ``?``; the raw request target (WSGI's ``RAW_URI`` or
    ``REQUEST_URI``, ``/sms?``) keeps it.

    :param url: the URL rebuilt from the request.
    :param request_target: the path and query exactly as the client sent them, if known.
    """
    if request_target and request_target.find("?") == len(request_target) - 1 and "?" not in url:
        return url + "?"
    return url


def compute_signature(
    secret: str, url: str, params: Params | None = None, algorithm: str = "HMAC_SHA1"
) -> str:
    """The ``X-Twilio-Signature`` value Twilio would send for this request.

    :param secret: the auth token (or the shared key's secret for ``HMAC_SHA256``).
    :param url: the full URL, exactly as Twilio requested it.
    :param params: the form parameters; ``None`` for a GET or a bodySHA256 request.
    :param algorithm: ``"HMAC_SHA1"`` (auth tokens) or ``"HMAC_SHA256"`` (shared keys).
    :raises UnsupportedAlgorithm: for any other algorithm name.
    """
    digest = _digest_name(algorithm, url)
    message = signing_string(url, params).encode("utf-8", "surrogatepass")
    mac = hmac.digest(secret.encode("utf-8"), message, digest)
    return binascii.b2a_base64(mac, newline=False).decode("ascii")


def _digest_name(algorithm: str, url: str | None = None) -> str:
    try:
        return ALGORITHMS[algorithm.upper()]
    except KeyError:
        raise UnsupportedAlgorithm(
            f"unsupported signature algorithm {_shown(algorithm)}; twhooks knows "
            f"{', '.join(ALGORITHMS)}",
            url=url,
        ) from None


def _shown(value: str, limit: int = 64) -> str:
    """*value* as it may appear in an error: quoted, escaped and cut short.

    Key ids, account SIDs and algorithm names come from the request; ``repr`` keeps a
    newline in them from forging a log line, the limit keeps a huge one out of the log.
    """
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _as_tokens(tokens: str | Sequence[str] | None) -> tuple[str, ...]:
    if tokens is None:
        return ()
    if isinstance(tokens, str):
        return (tokens,) if tokens else ()
    return tuple(t for t in tokens if t)


def _parse_settings(settings: str) -> tuple[str | None, str]:
    """``(key id, algorithm)`` from ``X-Twilio-Webhooks-Signature-Settings``."""
    key: str | None = None
    algorithm = "HMAC_SHA1"
    for part in settings.split(","):
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not value:
            continue
        if name == "key":
            key = value
        elif name == "algorithm":
            algorithm = value
    return key, algorithm


class _Key:
    """One secret and the digest it signs with. Its repr never shows the secret, so that a
    traceback that prints local variables does not either."""

    __slots__ = ("_keyed", "digest")

    def __init__(self, secret: str, digest: str) -> None:
        self.digest = digest
        # The HMAC keyed once (the key's inner and outer blocks hashed): each request
        # copies it, instead of setting the key up again (hmac.digest does, every call).
        self._keyed = hmac.new(secret.encode("utf-8"), digestmod=digest)

    def __repr__(self) -> str:
        return f"<_Key {self.digest}>"

    def sign(self, message: bytes) -> bytes:
        """The base64 HMAC of *message*, as bytes."""
        mac = self._keyed.copy()
        mac.update(message)
        return binascii.b2a_base64(mac.digest(), newline=False)


class SignatureVerifier:
    """Checks ``X-Twilio-Signature`` against one or more secrets.

    :param auth_tokens: the account's auth token, or several during a rotation (primary and
        secondary): a request signed with any of them is valid.
    :param token_lookup: ``token_lookup(account_sid)`` returns the auth token(s) of the account
        named by the request's ``AccountSid`` parameter (subaccounts), or ``None`` to fall back
        to *auth_tokens*.
    :param shared_keys: the secrets of Twilio SharedKeys by key id, as a mapping or a function.
        Used when the request carries ``X-Twilio-Webhooks-Signature-Settings: key=<id>,...``.

    Secrets never appear in errors or the repr.
    """

    def __init__(
        self,
        auth_tokens: str | Sequence[str] | None = None,
        *,
        token_lookup: TokenLookup | None = None,
        shared_keys: Mapping[str, str] | Callable[[str], str | None] | None = None,
    ) -> None:
        self._tokens = _as_tokens(auth_tokens)
        self._token_lookup = token_lookup
        self._shared_keys = shared_keys
        # Auth tokens sign with SHA-1 unless the settings header says otherwise.
        self._sha1_keys = tuple(_Key(t, "sha1") for t in self._tokens)

    def __repr__(self) -> str:
        extras = []
        if self._token_lookup is not None:
            extras.append("token_lookup")
        if self._shared_keys is not None:
            extras.append("shared_keys")
        extra = "".join(f" +{e}" for e in extras)
        return f"<{type(self).__name__} {len(self._tokens)} auth token(s){extra}>"

    def verify(
        self,
        url: str,
        params: Params | None,
        signature: str | None,
        *,
        body: bytes | None = None,
        settings: str | None = None,
    ) -> None:
        """Return if *signature* is valid for the request, raise otherwise.

        The URL as given is checked first; only if it does not match are the variants of
        :func:`~twhooks.urls.url_variants` built and checked, each with every known secret.

        :param url: the full URL Twilio requested, query string as received.
        :param params: the form parameters (``None`` or empty for GET and non-form bodies).
        :param signature: the ``X-Twilio-Signature`` header value.
        :param body: the raw body; needed when the URL carries ``bodySHA256``.
        :param settings: the ``X-Twilio-Webhooks-Signature-Settings`` header value, if any.
        :raises MissingSignature: no signature was given.
        :raises UnsupportedAlgorithm: the settings name an algorithm twhooks does not know.
        :raises UnknownAccount: no secret is known for the account or key id.
        :raises InvalidSignature: the signature matches no URL variant with any secret.
        :raises BodyHashMismatch: the signature is valid but ``bodySHA256`` is not the body's.
        :raises UnreadableParams: *params* is not a container of text twhooks can read.
        """
        if not signature:
            raise MissingSignature("no X-Twilio-Signature header", url=redact(url))
        if params and type(params) is not list:
            params = _pairs(params)  # read twice below: for AccountSid and for signing
        if settings is None and self._token_lookup is None and self._sha1_keys:
            keys = self._sha1_keys  # the usual case: the account's own auth token(s)
        else:
            keys = self._keys_for(url, params, settings)

        body_hash = query_value(url, "bodySHA256") if "bodySHA256" in url else None
        tails: tuple[str, ...] = ("",)
        if params and body_hash is None:
            # (A non-form body is bound to the signature through the URL only.)
            tails = _tails(params)
        expected = signature.encode("utf-8", "replace")
        if not _matches(keys, url, tails, expected):
            tried = url_variants(url)
            for candidate in tried[1:]:
                if _matches(keys, candidate, tails, expected):
                    break
            else:
                raise InvalidSignature(
                    f"signature matches no URL variant with {_count(keys)}",
                    url=redact(url),
                    tried=[redact(u) for u in tried],
                )
        if body_hash is not None:
            actual = hashlib.sha256(body).hexdigest() if body is not None else ""
            if not hmac.compare_digest(
                actual.encode("ascii"), body_hash.lower().encode("utf-8", "replace")
            ):
                reason = (
                    "the URL has bodySHA256 but no body was given"
                    if body is None
                    else "bodySHA256 in the URL is not the SHA-256 of the body"
                )
                raise BodyHashMismatch(reason, url=redact(url), tried=[redact(url)])

    def is_valid(
        self,
        url: str,
        params: Params | None,
        signature: str | None,
        *,
        body: bytes | None = None,
        settings: str | None = None,
    ) -> bool:
        """Whether :meth:`verify` accepts the request (any :class:`SignatureError` is False)."""
        try:
            self.verify(url, params, signature, body=body, settings=settings)
        except SignatureError:
            return False
        return True

    def _keys_for(self, url: str, params: Params | None, settings: str | None) -> tuple[_Key, ...]:
        """The keys that may have signed this request."""
        key_id = None
        digest = "sha1"
        if settings:
            key_id, algorithm = _parse_settings(settings)
            digest = _digest_name(algorithm, redact(url))
        if key_id is not None:
            shared = self._shared_keys
            secret = shared(key_id) if callable(shared) else shared.get(key_id) if shared else None
            if not secret:
                raise UnknownAccount(f"no shared key with id {_shown(key_id)}", url=redact(url))
            return (_Key(secret, digest),)
        tokens = self._tokens
        if self._token_lookup is not None:
            account_sid = _account_sid(params)
            if account_sid:
                found = _as_tokens(self._token_lookup(account_sid))
                if found:
                    return tuple(_Key(t, digest) for t in found)
                if not tokens:
                    raise UnknownAccount(
                        f"no auth token known for account {_shown(account_sid)}", url=redact(url)
                    )
        if not tokens:
            raise UnknownAccount("no auth token configured", url=redact(url))
        if digest == "sha1":
            return self._sha1_keys
        return tuple(_Key(t, digest) for t in tokens)


def _tails(params: Params) -> tuple[str, ...]:
    """What follows the URL in the signed string: the parameters in code-point order, and
    in UTF-16 order too when that differs (Twilio's Node.js and Java libraries sign so)."""
    tail = signing_string("", params)
    if tail.isascii() or not _ASTRAL.search(tail):
        return (tail,)
    other = signing_string("", params, utf16_order=True)
    return (tail,) if other == tail else (tail, other)


def _count(keys: tuple[_Key, ...]) -> str:
    return "1 known secret" if len(keys) == 1 else f"{len(keys)} known secrets"


def _account_sid(params: Params | None) -> str | None:
    if not params:
        return None
    if isinstance(params, Mapping):
        value = params.get("AccountSid")
        if value is None or isinstance(value, str):
            return value
        return value[0] if value else None
    for name, value in params:
        if name == "AccountSid":
            return value
    return None


def _matches(keys: tuple[_Key, ...], url: str, tails: tuple[str, ...], expected: bytes) -> bool:
    found = False
    for tail in tails:
        message = (url + tail).encode("utf-8", "surrogatepass")
        for key in keys:
            # Check every key even after a match so timing does not reveal which one signed.
            found |= hmac.compare_digest(key.sign(message), expected)
    return found


def verify_signature(
    auth_tokens: str | Sequence[str],
    url: str,
    params: Params | None,
    signature: str | None,
    *,
    body: bytes | None = None,
    settings: str | None = None,
) -> None:
    """:meth:`SignatureVerifier.verify` with a one-off verifier for *auth_tokens*."""
    SignatureVerifier(auth_tokens).verify(url, params, signature, body=body, settings=settings)


def is_valid_signature(
    auth_tokens: str | Sequence[str],
    url: str,
    params: Params | None,
    signature: str | None,
    *,
    body: bytes | None = None,
    settings: str | None = None,
) -> bool:
    """:meth:`SignatureVerifier.is_valid` with a one-off verifier for *auth_tokens*."""
    verifier = SignatureVerifier(auth_tokens)
    return verifier.is_valid(url, params, signature, body=body, settings=settings)
