"""What the WSGI and ASGI signature middlewares share: their settings, their verifier, which
paths they protect and how they refuse.

:class:`SignatureMiddlewareBase` is the constructor of :class:`twhooks.middleware.
TwilioSignatureMiddleware` (WSGI) and :class:`twhooks.asgi.TwilioSignatureMiddleware` (ASGI);
each adds only its own ``__call__``. This module knows nothing of WSGI, ASGI or any web
framework.

A refusal is observed as the dispatcher's are (:mod:`twhooks.observability`): its log records
carry the webhook's fields (``kind``, ``request_id``, ``outcome="refused"``), one line ends it
on ``twhooks.webhooks``, and, when on, it is a span (``twhooks <kind>``, or ``twhooks
refused`` at a path of no twhooks route) and counted (``twhooks_refusals_total{reason}``,
``twhooks_webhooks_total{kind, outcome="refused"}``). A middleware knows no routes: the kind of
a refusal is that of the twhooks route its path is under one of the protected prefixes
(``/twilio/messages``: ``message``), else none (the metrics' label ``unknown``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from .exceptions import ConfigurationError, RequestError, SignatureError
from .kinds import KINDS
from .observability import observers_for
from .refusals import refuse
from .replies import Reply
from .request import WebhookRequest
from .settings.observability import ObservabilitySettings
from .signature import SignatureVerifier, TokenLookup

__all__ = [
    "SignatureMiddlewareBase",
    "middleware_verifier",
    "prefixes",
    "public_base",
    "under_prefixes",
]

#: The logger of both middlewares' refusals.
logger = logging.getLogger("twhooks.middleware")

App = TypeVar("App")

#: The voice sockets' kinds: their routes are ``<prefix>/<kind>/<CallSid>``.
SOCKET_KINDS = ("relay", "stream")


class SignatureMiddlewareBase(Generic[App]):
    """The settings of a signature middleware around *app*; see the two middlewares for
    the parameters.

    :raises ConfigurationError: no auth token, *token_lookup* or *shared_keys* was given.
    """

    def __init__(
        self,
        app: App,
        auth_token: str | Sequence[str] | None = None,
        *,
        protect: Iterable[str] = ("/",),
        public_url: str | None = None,
        token_lookup: TokenLookup | None = None,
        shared_keys: Mapping[str, str] | Callable[[str], str | None] | None = None,
        max_body_size: int = 1 << 20,
        max_params: int = 1000,
        tracing: Any = None,
        metrics: Any = False,
        metrics_route: str | None = None,
        metrics_password: str | None = None,
    ) -> None:
        self.app = app
        self.verifier = middleware_verifier(
            type(self).__name__, auth_token, token_lookup, shared_keys
        )
        self.protect = prefixes(protect)
        #: The public base URL, without a trailing slash (``None``: none given).
        self.public_url = public_base(public_url)
        self.max_body_size = max_body_size
        self.max_params = max_params
        #: Traces and metrics, as ``TWHOOKS_TRACING``, ``TWHOOKS_METRICS``,
        #: ``TWHOOKS_METRICS_ROUTE`` and ``TWHOOKS_METRICS_PASSWORD`` set them for the
        #: extension.
        self.observability = ObservabilitySettings.from_values(
            tracing,
            metrics,
            metrics_route,
            metrics_password,
            names=("tracing=", "metrics=", "metrics_route=", "metrics_password="),
        )
        self.observers = observers_for(self.observability)
        #: The protected prefixes without their trailing slash (``"/"`` is ``""``).
        self.bases = frozenset(prefix.rstrip("/") for prefix in self.protect)
        #: The kind of each path a twhooks route would have under a protected prefix.
        self.kinds = {base + kind.path: kind.name for base in self.bases for kind in KINDS.values()}

    def kind_of(self, local_path: str) -> str | None:
        """The kind of the twhooks route at *local_path* (under the app's mount point) under
        a protected prefix — a voice socket's ``relay``/``stream`` too —, else ``None``."""
        kind = self.kinds.get(local_path)
        if kind is None:
            head, _, call_sid = local_path.rpartition("/")
            socket = head.rpartition("/")[2]
            if socket in SOCKET_KINDS and call_sid and head[: -len(socket) - 1] in self.bases:
                return socket
        return kind

    def refuse(
        self,
        error: SignatureError | RequestError,
        method: str,
        path: str,
        request: WebhookRequest | None,
        *,
        local_path: str = "",
        started: float | None = None,
    ) -> Reply:
        """The answer to a request refused for *error*, logged once (see
        :mod:`twhooks.refusals`) and observed (see above).

        :param local_path: the path under the app's mount point (decoded), whose twhooks
            route gives the refusal its kind.
        :param started: when the request was received (:func:`time.perf_counter`).
        """
        reason = error.code if isinstance(error, SignatureError) else f"status_{error.status_code}"
        observed = self.observers.refusing(self.kind_of(local_path), reason, started)
        reply = refuse(
            error,
            method=method,
            path=path,
            request=request,
            public_url=self.public_url,
            logger=logger,
        )
        self.observers.refused(observed, reply.status)
        return reply


def middleware_verifier(
    name: str,
    auth_token: str | Sequence[str] | None,
    token_lookup: TokenLookup | None,
    shared_keys: Mapping[str, str] | Callable[[str], str | None] | None,
) -> SignatureVerifier:
    """The verifier of a signature middleware (WSGI or ASGI) called *name*.

    :raises ConfigurationError: no auth token, *token_lookup* or *shared_keys*: an unset
        environment variable, typically; better a crash at start-up than every webhook
        refused in production.
    """
    tokens = [auth_token] if isinstance(auth_token, str) else list(auth_token or ())
    if not any(tokens) and token_lookup is None and shared_keys is None:
        raise ConfigurationError(
            f"{name} needs an auth token (or token_lookup or shared_keys); without one "
            "every webhook would be refused"
        )
    return SignatureVerifier(auth_token, token_lookup=token_lookup, shared_keys=shared_keys)


def public_base(public_url: str | None) -> str | None:
    """*public_url* without its trailing slash; ``None`` for none or an empty one (the URL
    the request arrived at is then used)."""
    return (public_url.rstrip("/") or None) if public_url else None


def prefixes(protect: Iterable[str] | str) -> tuple[str, ...]:
    """The path prefixes of *protect*, normalized (``"twilio/"`` is ``"/twilio"``)."""
    if isinstance(protect, str):
        protect = (protect,)
    return tuple("/" + p.strip("/") for p in protect)


def under_prefixes(path: str, protected: tuple[str, ...]) -> bool:
    """Whether *path* (decoded) is under one of the *protected* prefixes."""
    path = path or "/"
    while "//" in path:
        # Routers that merge slashes would send "//twilio/sms" to "/twilio/sms".
        path = path.replace("//", "/")
    return any(
        prefix == "/" or path == prefix or path.startswith(prefix + "/") for prefix in protected
    )
