"""The one exception tree of twhooks.

Every error twhooks raises on purpose derives from :class:`TwhooksError`.
Each instance carries what is needed to diagnose it, and never a secret:
auth tokens and signing keys do not appear in messages, attributes or reprs.

::

    TwhooksError
    ├── SignatureError                  a webhook failed X-Twilio-Signature verification
    │   ├── MissingSignature            no X-Twilio-Signature header
    │   ├── InvalidSignature            the signature matches none of the URL variants
    │   ├── BodyHashMismatch            bodySHA256 in the URL is not the body's hash
    │   ├── UnsupportedAlgorithm        the signature settings name an unknown algorithm
    │   └── UnknownAccount              no auth token or key is known for the request
    ├── TwiMLError                      a TwiML document cannot be built or read
    │   ├── InvalidNesting              a child the parent element cannot hold
    │   ├── InvalidText                 text or attribute value XML cannot carry
    │   ├── TwiMLLimitExceeded          a document over one of Twilio's limits
    │   └── TwiMLParseError             text that is not TwiML
    └── HandlerError                    a webhook handler is misconfigured
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BodyHashMismatch",
    "HandlerError",
    "InvalidNesting",
    "InvalidSignature",
    "InvalidText",
    "MissingSignature",
    "SignatureError",
    "TwhooksError",
    "TwiMLError",
    "TwiMLLimitExceeded",
    "TwiMLParseError",
    "UnknownAccount",
    "UnsupportedAlgorithm",
]


class TwhooksError(Exception):
    """Base class of every error twhooks raises on purpose."""


class SignatureError(TwhooksError):
    """A webhook request failed signature verification.

    :param reason: a short sentence saying what was wrong, safe to log.
    :param url: the URL the signature was computed over (the first variant).
    :param tried: every URL variant that was tried, in order.
    """

    #: A stable machine-readable code for the failure kind.
    code: str = "signature_error"

    def __init__(self, reason: str, *, url: str | None = None, tried: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.tried: tuple[str, ...] = tuple(tried)

    def __str__(self) -> str:
        if not self.tried:
            return self.reason
        return f"{self.reason} (tried: {', '.join(self.tried)})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!r}, url={self.url!r}, tried={self.tried!r})"


class MissingSignature(SignatureError):
    """The request carries no ``X-Twilio-Signature`` header."""

    code = "missing_signature"


class InvalidSignature(SignatureError):
    """The signature matches none of the URL variants with any known token."""

    code = "invalid_signature"


class BodyHashMismatch(SignatureError):
    """The ``bodySHA256`` query parameter is missing or not the SHA-256 of the body."""

    code = "body_hash_mismatch"


class UnsupportedAlgorithm(SignatureError):
    """``X-Twilio-Webhooks-Signature-Settings`` names an algorithm twhooks does not know."""

    code = "unsupported_algorithm"


class UnknownAccount(SignatureError):
    """No auth token (or shared key) is known for the request's account or key id."""

    code = "unknown_account"


class TwiMLError(TwhooksError, ValueError):
    """A TwiML document cannot be built, rendered or read."""


class InvalidNesting(TwiMLError):
    """An element was nested in a parent that cannot hold it (``<Dial>`` in ``<Gather>``)."""


class InvalidText(TwiMLError):
    """Text or an attribute value holds characters XML cannot carry (control characters)."""


class TwiMLLimitExceeded(TwiMLError):
    """A document is over one of Twilio's limits (a 1,600-character message, a 64 kB body)."""


class TwiMLParseError(TwiMLError):
    """Text handed to :func:`twhooks.twiml.parse` is not well-formed TwiML."""


class HandlerError(TwhooksError):
    """A webhook handler or its registration is misconfigured."""
