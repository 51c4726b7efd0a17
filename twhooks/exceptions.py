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
    ├── HandlerError                    a webhook handler is misconfigured
    ├── ConfigurationError              the app's twhooks settings cannot work (500)
    ├── RunnerUnavailable               a background job cannot be queued (503)
    ├── UnreadableParams                form parameters in a container twhooks cannot read
    ├── SimulationError                 a simulated Twilio session cannot go on
    │   └── TooManyDocuments            over 50 TwiML documents in one session (Redirect loop)
    ├── TwilioApiError                  Twilio's REST API refused a request, or gave no answer
    ├── DeliveryTimeout                 a message did not reach a status in time (TimeoutError)
    ├── DeliveryFailed                  a message waited for ended failed or undelivered
    └── RequestError                    the HTTP request cannot be read (400)
        ├── RequestTooLarge             the body is over the size limit (413)
        └── UnsignedBody                a body no signature covers (400, 415)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "BodyHashMismatch",
    "ConfigurationError",
    "DeliveryFailed",
    "DeliveryTimeout",
    "HandlerError",
    "InvalidNesting",
    "InvalidSignature",
    "InvalidText",
    "MissingSignature",
    "RequestError",
    "RequestTooLarge",
    "RunnerUnavailable",
    "SignatureError",
    "SimulationError",
    "TooManyDocuments",
    "TwhooksError",
    "TwiMLError",
    "TwiMLLimitExceeded",
    "TwiMLParseError",
    "TwilioApiError",
    "UnknownAccount",
    "UnreadableParams",
    "UnsignedBody",
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


class ConfigurationError(TwhooksError, ValueError):
    """The app's twhooks settings cannot work: no auth token, a token of the wrong type.

    Raised when the settings are read (``init_app``); the message names the setting and never
    shows its value.
    """


class RunnerUnavailable(TwhooksError):
    """A background job cannot be queued: its queue is down or full. The webhook is answered
    ``503`` (Twilio retries it, or tries the fallback URL).

    :param runner: the runner's name (``"thread"``, ``"rq"``).
    :param reason: what was wrong, safe to log.
    """

    def __init__(self, runner: str, reason: str) -> None:
        super().__init__(f"the {runner} runner cannot queue the job: {reason}")
        self.runner = runner
        self.reason = reason


class RequestError(TwhooksError):
    """The HTTP request itself cannot be used: a bad ``Content-Length``, a truncated body.

    :param reason: a short sentence saying what was wrong, safe to log.
    """

    #: The HTTP status a server should answer with.
    status_code: int = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RequestTooLarge(RequestError):
    """The request body is over the configured size limit; it was not read.

    :param reason: a short sentence saying what was wrong, safe to log.
    :param limit: the limit in bytes.
    :param length: the announced ``Content-Length``, ``None`` for a chunked body.
    """

    status_code = 413

    def __init__(self, reason: str, *, limit: int, length: int | None = None) -> None:
        super().__init__(reason)
        self.limit = limit
        self.length = length


class UnsignedBody(RequestError):
    """The request carries a body that no signature covers, so it is refused unread.

    A ``GET`` with a body, a multipart body, or a body that is neither a form nor bound to the
    URL by ``bodySHA256``: its fields could be anything, whatever the signature says.

    :param reason: what the body was, safe to log.
    :param status_code: ``400``, or ``415`` for a body type Twilio never signs.
    """

    def __init__(self, reason: str, status_code: int = 400) -> None:
        super().__init__(f"{reason}; no signature covers it")
        self.status_code = status_code


class UnreadableParams(TwhooksError, TypeError):
    """Form parameters were handed over in a container twhooks cannot read correctly (a
    ``str``, values that are not text, a mapping whose repeated values it cannot list).

    Signing only some of the values would refuse a valid request, or worse, so twhooks
    refuses to guess. A programming error, not a bad request: the message says what to pass.
    """


class SimulationError(TwhooksError):
    """A simulated Twilio session (:mod:`twhooks.testing`, the ``twhooks`` command) cannot go on.

    Raised for a step that makes no sense at that point of the session — pressing keys
    when no ``<Gather>`` is waiting, going on with a call that has ended.

    :param reason: a short sentence saying what was wrong.
    :param url: the URL of the TwiML document the session was at, if any.
    """

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


class TooManyDocuments(SimulationError):
    """The app made Twilio fetch more TwiML documents in one session than Twilio allows.

    Twilio stops a messaging session after 50 documents (error 14106); twhooks applies the
    same limit to each step of a call, where a ``<Redirect>`` loop would never end.
    """


class TwilioApiError(TwhooksError):
    """Twilio's REST API refused a request (its error JSON read), or gave no answer.

    :param message: Twilio's ``message`` (or what went wrong on the way).
    :param status: the HTTP status; ``None`` when no answer came (connection refused, timeout).
    :param code: Twilio's error code (``21610``: the recipient opted out; ``20429``: too many
        requests), ``None`` when the answer carried none.
    :param more_info: Twilio's ``more_info`` link to the error's page.
    :param retry_after: the seconds a ``429``/``503`` asked to wait (``Retry-After``), when
        the client gave up rather than wait that long.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        more_info: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.more_info = more_info
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status is not None else "no answer"
        code = f", error {self.code}" if self.code is not None else ""
        return f"Twilio API: {self.message} ({where}{code})"

    def __repr__(self) -> str:
        return f"TwilioApiError({self.message!r}, status={self.status!r}, code={self.code!r})"


class DeliveryTimeout(TwhooksError, TimeoutError):
    """A message did not reach the status waited for in time
    (:meth:`Deliveries.wait <twhooks.store.Deliveries.wait>`).

    :param sid: the message's SID.
    :param status: the status waited for.
    :param last: its furthest status when the time ran out (``None``: none known).
    :param timeout: how long it waited, in seconds.
    """

    def __init__(self, sid: str, status: str, last: str | None, timeout: float) -> None:
        super().__init__(
            f"message {sid} did not reach {status!r} within {timeout:g} s "
            f"(its furthest status: {last or 'none known'})"
        )
        self.sid = sid
        self.status = status
        self.last = last
        self.timeout = timeout


class DeliveryFailed(TwhooksError):
    """A message waited for (:meth:`Deliveries.wait <twhooks.store.Deliveries.wait>`) ended
    in a failure — ``failed``, ``undelivered`` or ``canceled`` — instead of the status waited
    for.

    :param delivery: its :class:`~twhooks.store.Delivery` (``status``, ``error_code``,
        ``history``).
    :param status: the status waited for.
    """

    def __init__(self, delivery: Any, status: str) -> None:
        code = f" (error {delivery.error_code})" if delivery.error_code else ""
        super().__init__(
            f"message {delivery.sid} ended {delivery.status}{code} instead of reaching {status!r}"
        )
        self.delivery = delivery
        self.status = status
