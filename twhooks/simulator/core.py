"""The :class:`Simulator`: signs webhooks the way Twilio does and sends them."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Mapping
from hashlib import sha256
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

from .. import payloads
from ..exceptions import SimulationError
from ..kinds import KINDS
from ..signature import compute_signature
from .call import SimulatedCall
from .conversation import SimulatedConversation
from .reply import Element, TwimlAnswer, http_error, read_twiml
from .wire import CookieJar, Request, Response, Transport

__all__ = ["Simulator"]

_USER_AGENT = "TwilioProxy/1.1"
# What may stay unescaped in a path and a query (RFC 3986, as urllib3 sends them); "%"
# keeps the escapes already there.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _on_the_wire(part: str, safe: str) -> str:
    """*part* of a URL as HTTP clients send it: escaped where needed, escapes uppercase."""
    escaped = quote(_STRAY_PERCENT.sub("%25", part), safe=safe)
    return _ESCAPE.sub(lambda match: match.group().upper(), escaped)


_FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"


class Simulator:
    """Sends webhooks to an app the way Twilio does.

    :param transport: sends a :class:`Request`, returns the app's :class:`Response`.
    :param auth_token: the token that signs every request; ``None`` sends them unsigned.
    :param base_url: relative URLs given to any method are resolved against it.
    :param account_sid: the ``AccountSid`` of every webhook.
    :param shared_key: ``(key id, secret)`` of a Webhooks shared key: requests are then
        signed with HMAC-SHA256 and carry ``X-Twilio-Webhooks-Signature-Settings``, as
        with a Twilio Webhooks rule, instead of being signed with the auth token.
    """

    def __init__(
        self,
        transport: Transport,
        auth_token: str | None,
        *,
        base_url: str | None = None,
        account_sid: str = payloads.TEST_ACCOUNT_SID,
        shared_key: tuple[str, str] | None = None,
    ) -> None:
        self.transport = transport
        self._auth_token = auth_token
        self._shared_key = shared_key
        self.base_url = base_url
        self.account_sid = account_sid
        # Twilio keeps message cookies per (From, To) pair, whoever asks.
        self._pair_cookies: dict[tuple[str, str], CookieJar] = {}

    def __repr__(self) -> str:
        signed = "signed" if self._auth_token or self._shared_key else "unsigned"
        return f"<{type(self).__name__} {self.base_url or ''} {signed}>"

    def url_for(self, url: str) -> str:
        """*url* resolved against :attr:`base_url`, as it goes on the wire.

        A fragment (``#rc=3``, Twilio's connection overrides) never reaches the app, and
        characters a URL cannot carry (spaces, ``é``, ``<``) are percent-encoded, as an HTTP
        client sends them: the signature must cover the URL the app receives. Escapes
        already there are kept as they are (``%7E`` stays ``%7E``).
        """
        if self.base_url:
            url = urljoin(self.base_url, url)
        scheme, netloc, path, query, _ = urlsplit(url)
        if scheme not in {"http", "https"} or not netloc:
            raise SimulationError(f"not an http(s) URL: {url!r}", url=url)
        userinfo, at, host = netloc.rpartition("@")
        netloc = userinfo + at + host.lower()  # HTTP clients send the host in lowercase
        path = _on_the_wire(path, _PATH_SAFE)
        query = _on_the_wire(query, _QUERY_SAFE)
        return urlunsplit((scheme, netloc, path, query, ""))

    def build_request(
        self,
        url: str,
        params: Mapping[str, payloads.Value],
        *,
        method: str = "POST",
        cookies: CookieJar | None = None,
    ) -> Request:
        """A signed :class:`Request` of *params* to *url*, as Twilio would send it.

        Numbers and booleans in *params* are written as Twilio does (``true``, ``30007``).
        """
        method = method.upper()
        url = self.url_for(url)
        pairs = tuple((name, payloads.wire_value(name, value)) for name, value in params.items())
        if method == "GET":
            if pairs:
                url += ("&" if urlsplit(url).query else "?") + urlencode(pairs)
            pairs = ()
        headers = {
            "User-Agent": _USER_AGENT,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "X-Home-Region": "us1",
        }
        if method != "GET":
            headers["Content-Type"] = _FORM_TYPE
        # A GET carries its parameters in the URL: nothing is appended to it.
        signed = dict(pairs) if method != "GET" else None
        if self._shared_key is not None:
            key_id, secret = self._shared_key
            headers["X-Twilio-Webhooks-Signature-Settings"] = f"key={key_id},algorithm=HMAC_SHA256"
            headers["X-Twilio-Signature"] = compute_signature(
                secret, url, signed, algorithm="HMAC_SHA256"
            )
        elif self._auth_token is not None:
            headers["X-Twilio-Signature"] = compute_signature(self._auth_token, url, signed)
        cookie = cookies.header() if cookies is not None else None
        if cookie:
            headers["Cookie"] = cookie
        return Request(method, url, pairs, headers)

    def request(
        self,
        url: str,
        params: Mapping[str, payloads.Value],
        *,
        method: str = "POST",
        cookies: CookieJar | None = None,
    ) -> Response:
        """Send one signed webhook; the cookies it sets go into *cookies*."""
        request = self.build_request(url, params, method=method, cookies=cookies)
        return self.deliver(request, cookies=cookies)

    def deliver(self, request: Request, *, cookies: CookieJar | None = None) -> Response:
        """Send a built *request* as it is (again, for a retry); cookies set go into *cookies*."""
        response = self.transport(request)
        if cookies is not None:
            cookies.update(response.set_cookies)
        return dataclasses.replace(response, request=request)

    def send(
        self,
        url: str,
        params: Mapping[str, payloads.Value],
        *,
        method: str = "POST",
        answer: str | None = "messaging",
    ) -> TwimlAnswer:
        """Send one webhook and read the answer, without following anything in it.

        :param answer: the TwiML expected in the answer, ``"messaging"`` or ``"voice"`` (a
            plain-text answer is then a message, or said before hanging up); ``None`` for a
            callback, whose answer only needs a 2xx status.
        """
        response = self.request(url, params, method=method)
        twiml: Element | None = None
        error: str | None = None
        if answer is not None:
            twiml, error = read_twiml(response, voice=answer == "voice")
        elif not response.ok:
            error = http_error(response)
        verbs = list(twiml.children) if twiml is not None else []
        return TwimlAnswer(
            responses=[response], verbs=verbs, document=response, twiml=twiml, error=error
        )

    def webhook(
        self,
        kind: str,
        url: str,
        *,
        method: str = "POST",
        params: payloads.Overrides | None = None,
        **fields: Any,
    ) -> TwimlAnswer:
        """Send one webhook of *kind* with realistic fields, and read the answer.

        :param kind: the name of a kind of :data:`twhooks.kinds.KINDS`: ``message``,
            ``message_status``, ``call``, ``call_status``, ``recording_status``,
            ``transcription``, ``conference_status`` or ``amd`` (a dashed spelling such as
            ``message-status`` and the 0.1 names ``recording`` and ``conference`` work too).
        :param params: fields by Twilio's names, set last (``None`` removes one).
        :param fields: keyword arguments of the kind's factory in :mod:`twhooks.payloads`
            (``status="failed"``, ``error_code=30007``), or any field in snake case; numbers
            and booleans are written as Twilio does.
        :raises SimulationError: for an unknown *kind*.
        """
        name = payloads.kind_for(kind)
        values = payloads.webhook(name, account_sid=self.account_sid, params=params, **fields)
        if KINDS[name].routing == "batch":  # Event Streams: a JSON array of CloudEvents
            return self.post_events(url, [values])
        return self.send(url, values, method=method, answer=KINDS[name].answer)

    def build_json_request(self, url: str, body: bytes) -> Request:
        """A signed ``POST`` of the JSON *body* to *url*, as Twilio signs a body that is not a
        form: ``bodySHA256=<hex SHA-256 of the body>`` added to the URL's query, and the
        signature computed over that URL with no parameters appended."""
        url = self.url_for(url)
        url += ("&" if urlsplit(url).query else "?") + "bodySHA256=" + sha256(body).hexdigest()
        headers = {
            "User-Agent": _USER_AGENT,
            "Content-Type": "application/json",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        }
        if self._shared_key is not None:
            key_id, secret = self._shared_key
            headers["X-Twilio-Webhooks-Signature-Settings"] = f"key={key_id},algorithm=HMAC_SHA256"
            headers["X-Twilio-Signature"] = compute_signature(
                secret, url, None, algorithm="HMAC_SHA256"
            )
        elif self._auth_token is not None:
            headers["X-Twilio-Signature"] = compute_signature(self._auth_token, url, None)
        return Request("POST", url, (), headers, raw=body)

    def post_events(self, url: str, events: list[dict[str, Any]]) -> TwimlAnswer:
        """Send *events* (CloudEvents, such as :func:`twhooks.payloads.cloud_event` builds)
        to an Event Streams sink at *url* in one signed request; its answer only needs a
        2xx status."""
        response = self.deliver(self.build_json_request(url, json.dumps(events).encode()))
        error = None if response.ok else http_error(response)
        return TwimlAnswer(
            responses=[response], verbs=[], document=response, twiml=None, error=error
        )

    def conversation(
        self,
        url: str,
        *,
        from_: str = payloads.TEST_USER_NUMBER,
        to: str = payloads.TEST_APP_NUMBER,
        method: str = "POST",
        status_callback: str | None = None,
    ) -> SimulatedConversation:
        """One person texting one number whose messaging webhook is *url*.

        Conversations of the same (From, To) pair share their cookies, as on Twilio.

        :param status_callback: where every reply's delivery statuses go (a Messaging
            Service's status callback); a ``<Message statusCallback>`` wins.
        """
        return SimulatedConversation(
            self,
            url,
            from_=from_,
            to=to,
            method=method,
            status_callback=status_callback,
            cookies=self._pair_cookies.setdefault((from_, to), CookieJar()),
        )

    def call(
        self,
        url: str,
        *,
        from_: str = payloads.TEST_USER_NUMBER,
        to: str = payloads.TEST_APP_NUMBER,
        method: str = "POST",
        status_callback: str | None = None,
        params: payloads.Overrides | None = None,
    ) -> SimulatedCall:
        """One phone call to a number whose voice webhook is *url* (not started yet).

        :param status_callback: where the call's ``completed`` status goes when it ends.
        :param params: fields every webhook of the call carries, by Twilio's names
            (``{"CallerName": "Ana"}``, a SIP call's ``SipHeader_X-…``).
        """
        return SimulatedCall(
            self,
            url,
            from_=from_,
            to=to,
            method=method,
            status_callback=status_callback,
            params=params,
        )
