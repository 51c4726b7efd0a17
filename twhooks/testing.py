"""Test a twhooks app the way Twilio uses it: signed webhooks, cookies and parsed replies.

::

    from twhooks.testing import TwilioTestClient

    def test_help(app):
        client = TwilioTestClient(app)
        reply = client.conversation().send("HELP")
        assert reply.messages == ["Reply BAL for your balance."]

    def test_menu(app):
        call = TwilioTestClient(app).call()
        reply = call.start()
        assert reply.gathers[0].says == ["Press 1 for sales."]
        reply = call.press("1")

Every request is signed with the app's ``TWILIO_AUTH_TOKEN`` (the first one of a list)
over the URL Twilio would use: ``TWHOOKS_PUBLIC_URL`` when set, else the test client's
``http://localhost``. Paths default to the twhooks routes under ``TWHOOKS_URL_PREFIX``.
The pytest plugin (:mod:`twhooks.pytest_plugin`) provides the client as the
``twilio_client`` fixture.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Flask

from . import payloads
from .kinds import KINDS
from .simulator import (
    Request,
    Response,
    SimulatedCall,
    SimulatedConversation,
    Simulator,
    TwimlAnswer,
)

__all__ = ["FlaskTransport", "TwilioTestClient"]

_DEFAULT_PREFIX = "/twilio"


class _Default(enum.Enum):
    """The default of an argument whose ``None`` means something else."""

    ROUTE = "the twhooks route"


class FlaskTransport:
    """Sends simulated webhooks to a Flask app through its test client (no network).

    The test client's own cookie jar is off: the simulator keeps Twilio's cookies, per
    conversation and per call.

    :param app: the Flask app.
    :param base_url: the public base URL of the app, path included
        (``https://example.com/base``); what follows it in a request's URL is the path the
        app routes, as behind a proxy that strips the base path.
    """

    def __init__(self, app: Flask, base_url: str = "http://localhost") -> None:
        self._client = app.test_client(use_cookies=False)
        self.base_url = base_url.rstrip("/")

    def __call__(self, request: Request) -> Response:
        body = urlencode(request.params) if request.method != "GET" else None
        base, path = self.base_url, request.url[len(self.base_url) :]
        if not request.url.startswith(self.base_url) or path[:1] not in ("/", "?", ""):
            base, path = "", request.url
        # The base URL sets the scheme and host the app sees, as a proxy would.
        result = self._client.open(
            path,
            base_url=base or None,
            method=request.method,
            data=body,
            headers=dict(request.headers),
        )
        try:
            return Response(
                url=request.url,
                status_code=result.status_code,
                content_type=result.headers.get("Content-Type", ""),
                text=result.get_data(as_text=True),
                headers=dict(result.headers),
                set_cookies=tuple(result.headers.getlist("Set-Cookie")),
            )
        finally:
            # The end of the response, as for a real client: the app's close callbacks run.
            result.close()


def _base_url(app: Flask) -> str:
    public: str | None = app.config.get("TWHOOKS_PUBLIC_URL")
    if public:
        return public.rstrip("/")
    server_name = app.config.get("SERVER_NAME")
    if server_name:
        return f"{app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server_name}"
    return "http://localhost"


def _auth_token(app: Flask, account_sid: str) -> str | None:
    """The token Twilio signs *account_sid*'s webhooks with, by the app's settings."""
    tokens: Any = None
    accounts = app.config.get("TWHOOKS_ACCOUNT_TOKENS")
    # A subaccount's webhooks are signed with the subaccount's own token.
    if isinstance(accounts, Mapping):
        tokens = accounts.get(account_sid)
    elif callable(accounts):
        tokens = accounts(account_sid)
    if tokens is None:
        tokens = app.config.get("TWILIO_AUTH_TOKEN")
    if tokens is None or isinstance(tokens, str):
        return tokens
    # During a rotation Twilio signs with the primary token: the first of the list.
    first: str | None = next(iter(tokens), None)
    return first


class TwilioTestClient(Simulator):
    """Plays Twilio against a Flask app in tests.

    :param app: the Flask app (with :class:`twhooks.TwilioHooks`).
    :param auth_token: signs the requests; the app's ``TWILIO_AUTH_TOKEN`` by default.
        Give another token to test that the app refuses forged requests.
    :param base_url: the scheme and host Twilio would call; by default
        ``TWHOOKS_PUBLIC_URL``, else ``SERVER_NAME``, else ``http://localhost``.
    :param account_sid: the ``AccountSid`` of every webhook; a subaccount listed in
        ``TWHOOKS_ACCOUNT_TOKENS`` signs with its own token.
    :param shared_key: ``(key id, secret)`` to sign with a Webhooks shared key
        (HMAC-SHA256, see ``TWHOOKS_SHARED_KEYS``) instead of the auth token.
    """

    def __init__(
        self,
        app: Flask,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        account_sid: str = payloads.TEST_ACCOUNT_SID,
        shared_key: tuple[str, str] | None = None,
    ) -> None:
        base_url = base_url or _base_url(app)
        super().__init__(
            FlaskTransport(app, base_url),
            auth_token if auth_token is not None else _auth_token(app, account_sid),
            base_url=base_url,
            account_sid=account_sid,
            shared_key=shared_key,
        )
        prefix: str = app.config.get("TWHOOKS_URL_PREFIX", _DEFAULT_PREFIX)
        #: The twhooks URL prefix of the app (``/twilio`` by default).
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""

    def url_for(self, url: str) -> str:
        """*url* made absolute; a path starting with ``/`` goes under the base URL's path."""
        if url.startswith("/") and not url.startswith("//") and self.base_url:
            url = self.base_url.rstrip("/") + url
        return super().url_for(url)

    def path_for(self, kind: str) -> str:
        """The path of the twhooks route of *kind* (a name of :data:`twhooks.kinds.KINDS`).

        :raises SimulationError: no kind has that name.
        """
        return self.prefix + KINDS[payloads.kind_for(kind)].path

    def conversation(
        self,
        url: str | None = None,
        *,
        from_: str = payloads.TEST_USER_NUMBER,
        to: str = payloads.TEST_APP_NUMBER,
        method: str = "POST",
        status_callback: str | None = None,
    ) -> SimulatedConversation:
        """One person texting the app; *url* defaults to the ``/messages`` route.

        ::

            conversation = client.conversation(from_="+14155550100")
            conversation.send("ORDER")
            reply = conversation.send("2 pizzas")  # the app's cookies came back
        """
        return super().conversation(
            url or self.path_for("message"),
            from_=from_,
            to=to,
            method=method,
            status_callback=status_callback,
        )

    def call(
        self,
        url: str | None = None,
        *,
        from_: str = payloads.TEST_USER_NUMBER,
        to: str = payloads.TEST_APP_NUMBER,
        method: str = "POST",
        status_callback: str | _Default | None = _Default.ROUTE,
        params: payloads.Overrides | None = None,
    ) -> SimulatedCall:
        """One phone call to the app; *url* defaults to the ``/voice`` route.

        :param status_callback: where the ``completed`` status goes when the call ends;
            the ``/voice/status`` route by default, ``None`` for no status callback.
        :param params: fields every webhook of the call carries, by Twilio's names
            (``{"CallerName": "Ana"}``).
        """
        if isinstance(status_callback, _Default):
            status_callback = self.path_for("call_status")
        return super().call(
            url or self.path_for("call"),
            from_=from_,
            to=to,
            method=method,
            status_callback=status_callback,
            params=params,
        )

    def webhook(
        self,
        kind: str,
        url: str | None = None,
        *,
        method: str = "POST",
        params: payloads.Overrides | None = None,
        **fields: Any,
    ) -> TwimlAnswer:
        """Send one webhook of *kind* to *url* (the twhooks route of *kind* by default).

        See :meth:`twhooks.simulator.Simulator.webhook`.

        ::

            reply = client.webhook("message_status", message_sid=sid, status="delivered")
            assert reply.status_code == 204
        """
        return super().webhook(
            kind, url or self.path_for(kind), method=method, params=params, **fields
        )
