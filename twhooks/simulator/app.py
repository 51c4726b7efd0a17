"""The simulator aimed at a twhooks app: signed with the app's token, its routes by default.

:class:`AppSimulator` reads what it needs from the app's settings (the token Twilio signs with,
``TWHOOKS_PUBLIC_URL``, ``TWHOOKS_URL_PREFIX``) and sends to the twhooks route of each kind
unless told another URL. The test clients of the Flask and Quart packages
(:class:`twhooks.flask.testing.TwilioTestClient`, :class:`twhooks.quart.testing.TwilioTestClient`)
are this with their framework's transport. It knows nothing of any framework.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from .. import payloads
from ..kinds import KINDS
from ..settings import Settings, settings_of
from .call import SimulatedCall
from .conversation import SimulatedConversation
from .core import Simulator
from .reply import TwimlAnswer
from .wire import Transport

__all__ = ["AppSimulator"]


class _Default(enum.Enum):
    """The default of an argument whose ``None`` means something else."""

    ROUTE = "the twhooks route"


def _base_url(app: Any, settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url
    server_name = app.config.get("SERVER_NAME")
    if server_name:
        return f"{app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server_name}"
    return "http://localhost"


class AppSimulator(Simulator):
    """Plays Twilio against a twhooks app, configured from its settings.

    :param app: the app (Flask or Quart).
    :param transport: builds the transport that reaches the app, from the base URL.

    The other parameters are those of :class:`twhooks.flask.testing.TwilioTestClient`; the
    account defaults to the app's ``TWILIO_ACCOUNT_SID`` (else a fixed test account), the
    token that signs to the one Twilio signs the account's webhooks with, by the app's
    settings, and the base URL to ``TWHOOKS_PUBLIC_URL``, else ``SERVER_NAME``, else
    ``http://localhost``.
    """

    def __init__(
        self,
        app: Any,
        transport: Callable[[str], Transport],
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        account_sid: str | None = None,
        shared_key: tuple[str, str] | None = None,
    ) -> None:
        settings = settings_of(app)
        if account_sid is None:
            account_sid = settings.store.account_sid or payloads.TEST_ACCOUNT_SID
        base_url = base_url or _base_url(app, settings)
        super().__init__(
            transport(base_url),
            auth_token if auth_token is not None else settings.signing_token(account_sid),
            base_url=base_url,
            account_sid=account_sid,
            shared_key=shared_key,
        )
        #: The twhooks URL prefix of the app (``/twilio`` by default).
        self.prefix = settings.url_prefix

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

    def send_events(self, events: list[dict[str, Any]], url: str | None = None) -> TwimlAnswer:
        """Send *events* (CloudEvents, see :func:`twhooks.payloads.cloud_event`) in one signed
        request to *url*, the app's Event Streams route (``/events``) by default.

        ::

            failed = payloads.cloud_event("com.twilio.messaging.message.failed")
            assert client.send_events([failed]).document.ok
        """
        return self.post_events(url or self.path_for("event_stream"), events)
