"""WSGI middleware that turns away webhook requests Twilio did not sign."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from .exceptions import RequestError, SignatureError
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
        environment variable, typically).
    :param protect: the path prefixes to protect; ``"/"`` (the default) protects everything.
    :param public_url: the public base URL of the app, see above (a trailing slash is
        dropped).
    :param token_lookup: ``token_lookup(account_sid)`` gives a subaccount's auth token(s).
    :param shared_keys: SharedKey secrets by key id (a mapping or a function).
    :param max_body_size: the largest body accepted, in bytes.
    :param max_params: the most parameters accepted; more are refused before they are
        parsed, so that refusing a forged request stays cheap.
    """

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self._is_protected(environ):
            return self.app(environ, start_response)
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
            reply = self.refuse(error, method, path, request)
            status = f"{reply.status} {HTTPStatus(reply.status).phrase}"
            headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
            start_response(status, headers)
            return [reply.body]
        return self.app(environ, start_response)

    def _is_protected(self, environ: WSGIEnvironment) -> bool:
        # PATH_INFO, not SCRIPT_NAME + PATH_INFO: prefixes are the app's own routes,
        # wherever the app is mounted.
        return under_prefixes(wsgi_decode(environ.get("PATH_INFO", "")), self.protect)
