"""A webhook request as twhooks sees it, whatever the web framework: build, check, verify.

An adapter turns its framework's request into a :class:`WebhookRequest` (from a WSGI environ:
:func:`twhooks.wsgi.webhook_request`; an ASGI scope can build one the same way), and
:func:`verify_request` checks it:

1. the body must be covered by the signature: a ``GET`` carries none, a multipart body is
   refused, and a body that is not a form needs ``bodySHA256`` in the URL
   (:class:`~twhooks.exceptions.UnsignedBody`) — what no signature covers never reaches the
   app;
2. ``X-Twilio-Signature`` must match the URL (or one of :attr:`WebhookRequest.other_urls`)
   and the form parameters, with one of the app's secrets.

The result is a :class:`VerifiedRequest`. This module knows nothing of any web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .exceptions import InvalidSignature, SignatureError, UnsignedBody
from .signature import SignatureVerifier

__all__ = ["FORM_TYPE", "VerifiedRequest", "WebhookRequest", "verify_request"]

#: The only body type whose fields Twilio signs one by one.
FORM_TYPE = "application/x-www-form-urlencoded"


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
    if "bodySHA256=" not in request.query:
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


def redact_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """*text* with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
