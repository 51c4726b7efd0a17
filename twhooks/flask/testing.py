"""Test a twhooks app the way Twilio uses it: signed webhooks, cookies and parsed replies.

::

    from twhooks.flask.testing import TwilioTestClient

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

from flask import Flask

from ..simulator import Request, Response
from ..simulator.app import AppSimulator

__all__ = ["FlaskTransport", "TwilioTestClient"]


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
        body = request.body if request.method != "GET" else None
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


class TwilioTestClient(AppSimulator):
    """Plays Twilio against a Flask app in tests.

    :param app: the Flask app (with :class:`twhooks.TwilioHooks`).
    :param auth_token: signs the requests; the app's ``TWILIO_AUTH_TOKEN`` by default.
        Give another token to test that the app refuses forged requests.
    :param base_url: the scheme and host Twilio would call; by default
        ``TWHOOKS_PUBLIC_URL``, else ``SERVER_NAME``, else ``http://localhost``.
    :param account_sid: the ``AccountSid`` of every webhook: by default the app's
        ``TWILIO_ACCOUNT_SID``, else :data:`twhooks.payloads.TEST_ACCOUNT_SID`; a subaccount
        listed in ``TWHOOKS_ACCOUNT_TOKENS`` signs with its own token.
    :param shared_key: ``(key id, secret)`` to sign with a Webhooks shared key
        (HMAC-SHA256, see ``TWHOOKS_SHARED_KEYS``) instead of the auth token.

    Its methods are those of :class:`~twhooks.simulator.app.AppSimulator`.
    """

    def __init__(
        self,
        app: Flask,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        account_sid: str | None = None,
        shared_key: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(
            app,
            lambda base_url: FlaskTransport(app, base_url),
            auth_token=auth_token,
            base_url=base_url,
            account_sid=account_sid,
            shared_key=shared_key,
        )
