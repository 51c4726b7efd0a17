"""Test a twhooks Quart app the way Twilio uses it, as :mod:`twhooks.flask.testing` does a
Flask app: signed webhooks, cookies and parsed replies, through the app's test client.

::

    from twhooks.quart.testing import TwilioTestClient

    def test_help(app):
        reply = TwilioTestClient(app).conversation().send("HELP")
        assert reply.messages == ["Reply BAL for your balance."]
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from quart import Quart

from ..simulator import Request as SimRequest
from ..simulator import Response as SimResponse
from ..simulator.app import AppSimulator

__all__ = ["QuartTransport", "TwilioTestClient"]


class QuartTransport:
    """Sends simulated webhooks to a Quart app through its test client (no network).

    The simulator is synchronous: each request runs in an event loop of its own.

    :param app: the Quart app.
    :param base_url: the scheme and host Twilio would call (``https://example.com``).
    """

    def __init__(self, app: Quart, base_url: str = "http://localhost") -> None:
        self._client = app.test_client(use_cookies=False)
        self.base_url = base_url.rstrip("/")

    def __call__(self, request: SimRequest) -> SimResponse:
        scheme, _, rest = request.url.partition("://")
        host, slash, path = rest.partition("/")
        headers = {"Host": host, **request.headers}
        body = urlencode(request.params) if request.method != "GET" else None
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return asyncio.run(self._send(request, slash + path, scheme, headers, body))

    async def _send(
        self,
        request: SimRequest,
        path: str,
        scheme: str,
        headers: dict[str, str],
        body: str | None,
    ) -> SimResponse:
        result = await self._client.open(  # type: ignore[call-arg]  # json is optional
            path or "/", method=request.method, headers=headers, data=body, scheme=scheme
        )
        return SimResponse(
            url=request.url,
            status_code=result.status_code,
            content_type=result.headers.get("Content-Type", ""),
            text=await result.get_data(as_text=True),
            headers=dict(result.headers),
            set_cookies=tuple(result.headers.getlist("Set-Cookie")),
        )


class TwilioTestClient(AppSimulator):
    """:class:`twhooks.flask.testing.TwilioTestClient` for a Quart app: the same conversations,
    calls and webhooks, through the app's test client.

    :param app: the Quart app (with :class:`twhooks.quart.TwilioHooks`).
    :param options: as for the Flask test client (``auth_token``, ``base_url``,
        ``account_sid``, ``shared_key``).
    """

    def __init__(self, app: Quart, **options: Any) -> None:
        super().__init__(app, lambda base_url: QuartTransport(app, base_url), **options)
