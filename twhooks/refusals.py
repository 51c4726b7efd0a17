"""One refusal policy: what a refused webhook is answered, and the log line that says why.

The Flask extension, the WSGI middleware and any other adapter refuse requests the same way:

- a :class:`~twhooks.exceptions.SignatureError` is a ``403`` and a WARNING naming the URL that
  was checked, every variant tried (passwords redacted) and a hint: behind a proxy that the
  URL does not account for, how to fix the URL; with the URL presumably right, to check the
  auth token;
- a :class:`~twhooks.exceptions.RequestError` (unreadable, too large, or a body no signature
  covers) is its own status (400, 413, 415) and a WARNING with the reason.

The answer never says more than the status needs; the log line says the rest, never a secret.
This module knows nothing of any web framework.
"""

from __future__ import annotations

import logging

from .exceptions import InvalidSignature, RequestError, SignatureError
from .replies import Reply
from .request import WebhookRequest, redact_secrets

__all__ = ["refuse"]

_ANSWERS = {
    400: "Bad request",
    403: "Forbidden: invalid X-Twilio-Signature",
    413: "Request too large",
    415: "Unsupported body type",
}


def refuse(
    error: SignatureError | RequestError,
    *,
    method: str,
    path: str,
    request: WebhookRequest | None = None,
    public_url: str | None,
    logger: logging.Logger,
) -> Reply:
    """Log why a request is refused, once, and return the answer.

    :param method: the request's method, and *path* its path escaped as in a URL (so that a
        decoded newline cannot forge a log line).
    :param request: the request, when it could be read (it holds the secrets to redact).
    """
    method = method[:16]
    if isinstance(error, SignatureError):
        secrets = request.secrets if request is not None else ()
        status = 403
        tried = ", ".join(error.tried) or "-"
        logger.warning(
            "Rejected Twilio webhook %s %s: %s [%s]; URL checked: %s; tried: %s%s",
            method,
            path,
            redact_secrets(error.reason, secrets),
            error.code,
            error.url,
            redact_secrets(tried, secrets),
            _hint(error, request, public_url),
        )
    else:
        status = error.status_code
        logger.warning("Rejected Twilio webhook %s %s: %s", method, path, error.reason)
    return Reply.text(status, _ANSWERS.get(status, "Bad request") + " (see the application log)")


def _hint(error: SignatureError, request: WebhookRequest | None, public_url: str | None) -> str:
    if public_url is None and request is not None and request.unhandled_proxy:
        return (
            "; the request came through a proxy (X-Forwarded-* headers): set the public URL "
            "(TWHOOKS_PUBLIC_URL, or public_url=) or wrap the app in werkzeug's ProxyFix"
        )
    if isinstance(error, InvalidSignature):
        return (
            "; if the URL checked is the one set in the Twilio console, the request was "
            "signed with another secret: check the auth token (TWILIO_AUTH_TOKEN, "
            "TWHOOKS_ACCOUNT_TOKENS for subaccounts)"
        )
    return ""
