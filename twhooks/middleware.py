"""WSGI middleware that turns away webhook requests Twilio did not sign."""

from __future__ import annotations

import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from .exceptions import RequestError, SignatureError
from .replies import Reply
from .request import verify_request
from .verifying import SignatureMiddlewareBase, under_prefixes
from .verifying import middleware_verifier as middleware_verifier  # where it was until 0.3
from .verifying import prefixes as prefixes  # where it was until 0.3
from .wsgi import ENVIRON_KEY, quote_path, webhook_request, wsgi_decode

if TYPE_CHECKING:
    from _typeshed.wsgi import (
        StartResponse,
        WSGIApplication,  # noqa: F401 (in the base class's string)
        WSGIEnvironment,
    )

__all__ = ["TwilioSignatureMiddleware"]


class TwilioSignatureMiddleware(SignatureMiddlewareBase["WSGIApplication"]):
    """Check ``X-Twilio-Signature`` before a WSGI application sees the request.

    Requests under the *protect* path prefixes must carry a valid signature; others pass
    through untouched. A forged or unsigned request gets ``403 Forbidden`` and a body over
    *max_body_size* gets ``413``, without the application being called. Each refusal is
    logged once at WARNING on the ``twhooks.middleware`` logger with the URL that was
    checked, the variants tried and the reason (never a token). An accepted request reaches
    the application with its body still readable, and the parsed result in
    ``environ["twhooks.verified_request"]``.

    .. code-block:: python

        app.wsgi_app = TwilioSignatureMiddleware(
            app.wsgi_app, os.environ["TWILIO_AUTH_TOKEN"], protect=["/twilio"]
        )

    The signature covers the URL Twilio requested, and behind a reverse proxy that
    terminates TLS the application sees another one (``http://`` instead of ``https://``,
    an internal host or port). There are two ways to give it the public URL. *public_url*
    (``"https://example.com"``) states it outright: nothing a client sends can change it, so
    it is the safe choice when the app has one public address. Werkzeug's ``ProxyFix``
    placed *outside* this middleware rewrites the environ from ``X-Forwarded-Proto`` and
    ``X-Forwarded-Host`` instead, which suits apps served under several names, but only as
    safe as the proxy: configure it with the exact number of proxies in front of the app,
    or a client can forge those headers.

    Neither choice weakens the signature itself: a wrong URL makes valid requests fail, it
    never makes forged ones pass, because the URL is part of what Twilio signed. The
    WARNING line shows the URL that was computed, so a mismatch with the URL configured in
    the Twilio console is visible at a glance.

    :param app: the WSGI application to protect.
    :param auth_token: the auth token, or a list of them during a token rotation.
    :raises ConfigurationError: no auth token, *token_lookup* or *shared_keys* was given (an empty
        environment variable, typically), or the observability arguments are wrong (a route
        without a password...).
    :param protect: the path prefixes to protect; ``"/"`` (the default) protects everything.
    :param public_url: the public base URL of the app, see above (a trailing slash is
        dropped).
    :param token_lookup: ``token_lookup(account_sid)`` gives a subaccount's auth token(s).
    :param shared_keys: SharedKey secrets by key id (a mapping or a function).
    :param max_body_size: the largest body accepted, in bytes.
    :param max_params: the most parameters accepted; more are refused before they are
        parsed, so that refusing a forged request stays cheap.
    :param tracing: each refusal a span (``TWHOOKS_TRACING``: ``None``, on when
        ``opentelemetry-api`` is installed; ``True``; ``False``; or a ``TracerProvider``).
    :param metrics: each refusal counted (``TWHOOKS_METRICS``: ``True``, or a
        ``CollectorRegistry``).
    :param metrics_route: a path, such as ``"/metrics"``, where the middleware serves the
        metrics itself, behind *metrics_password* (HTTP basic, any user name).
    :param metrics_password: the password of *metrics_route*.

    Refusals are observed as the extension's are (:doc:`/observability`, "Behind the
    signature middlewares"): log fields, a span, the metrics.
    """

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # PATH_INFO, not SCRIPT_NAME + PATH_INFO: prefixes are the app's own routes,
        # wherever the app is mounted.
        local_path = wsgi_decode(environ.get("PATH_INFO", ""))
        if local_path == self.observability.metrics_route:
            return self._metrics(environ, start_response)
        if not under_prefixes(local_path, self.protect):
            return self.app(environ, start_response)
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = quote_path(environ.get("PATH_INFO", ""))
        request = None
        try:
            request = webhook_request(
                environ,
                public_url=self.public_url,
                max_body_size=self.max_body_size,
                max_params=self.max_params,
                read="HTTP_X_TWILIO_SIGNATURE" in environ,
            )
            environ[ENVIRON_KEY] = verify_request(self.verifier, request)
        except (SignatureError, RequestError) as error:
            reply = self.refuse(
                error, method, path, request, local_path=local_path, started=started
            )
            return _answer(reply, start_response)
        return self.app(environ, start_response)

    def _metrics(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        from .observability.exposition import metrics_reply

        return _answer(
            metrics_reply(self.observability, environ.get("HTTP_AUTHORIZATION")), start_response
        )


def _answer(reply: Reply, start_response: StartResponse) -> Iterable[bytes]:
    status = f"{reply.status} {HTTPStatus(reply.status).phrase}"
    start_response(status, [*reply.headers, ("Content-Length", str(len(reply.body)))])
    return [reply.body]
