"""TwiML that points a call at the app's relay or stream route, bound to the call.

::

    @hooks.call()
    def incoming(call):
        return connect_relay(call.call_sid, "https://example.com",
                             welcome_greeting="Hi! How can I help?",
                             parameters={"customer": "42"})

gives ``<Response><Connect><ConversationRelay url="wss://example.com/twilio/relay/CA…"
welcomeGreeting="Hi! How can I help?"><Parameter name="customer" value="42"/>…``. The
CallSid is in the URL's path, so Twilio's signature of the upgrade covers it and the session
is bound to this call (see :mod:`twhooks.realtime.verify`). Values for the session go in
``<Parameter>``\\ s, which arrive in ``setup.custom_parameters`` / ``start.custom_parameters``:
Twilio strips a stream URL's query string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import TwiMLError
from ..twiml import VoiceResponse
from .verify import CALL_SID, websocket_base

__all__ = ["connect_relay", "connect_stream", "websocket_url"]


def websocket_url(kind: str, call_sid: str, public_url: str, url_prefix: str = "/twilio") -> str:
    """``wss://host/<prefix>/<kind>/<CallSid>``, the URL of a call's session.

    :param kind: ``"relay"`` or ``"stream"``.
    :param public_url: the app's public base URL (``TWHOOKS_PUBLIC_URL``), ``https://``
        (made ``wss://``) or already ``wss://``.
    :raises TwiMLError: *call_sid* is not a CallSid.
    """
    if not CALL_SID.match(call_sid):
        raise TwiMLError(f"not a CallSid: {call_sid[:40]!r}")
    prefix = url_prefix.strip("/")
    path = f"/{prefix}/{kind}/{call_sid}" if prefix else f"/{kind}/{call_sid}"
    return websocket_base(public_url) + path


def connect_relay(
    call_sid: str,
    public_url: str,
    *,
    url_prefix: str = "/twilio",
    parameters: Mapping[str, str] | None = None,
    action: str | None = None,
    response: VoiceResponse | None = None,
    **attributes: Any,
) -> VoiceResponse:
    """``<Connect><ConversationRelay url="wss://…/relay/<CallSid>">`` in a voice response.

    :param parameters: ``<Parameter>`` name/value pairs, received in ``setup``.
    :param action: the ``<Connect action>`` URL, called with ``HandoffData`` when the session
        ends.
    :param response: the response to add to; a new one by default.
    :param attributes: more ``<ConversationRelay>`` attributes (``welcome_greeting``,
        ``voice``, ``language``, ``dtmf_detection``...), snake_case.
    """
    response = response if response is not None else VoiceResponse()
    connect = response.connect(action=action)
    relay = connect.conversation_relay(
        url=websocket_url("relay", call_sid, public_url, url_prefix), **attributes
    )
    for name, value in (parameters or {}).items():
        relay.parameter(name=name, value=value)
    return response


def connect_stream(
    call_sid: str,
    public_url: str,
    *,
    url_prefix: str = "/twilio",
    parameters: Mapping[str, str] | None = None,
    action: str | None = None,
    response: VoiceResponse | None = None,
    **attributes: Any,
) -> VoiceResponse:
    """``<Connect><Stream url="wss://…/stream/<CallSid>">``: a bidirectional Media Stream.

    Same parameters as :func:`connect_relay`; *attributes* go on ``<Stream>``
    (``status_callback``, ``track``...).
    """
    response = response if response is not None else VoiceResponse()
    connect = response.connect(action=action)
    stream = connect.stream(
        url=websocket_url("stream", call_sid, public_url, url_prefix), **attributes
    )
    for name, value in (parameters or {}).items():
        stream.parameter(name=name, value=value)
    return response
