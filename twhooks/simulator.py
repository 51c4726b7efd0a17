"""Play Twilio's part against an app: signed webhooks, cookies, and the TwiML walk.

A :class:`Simulator` sends webhooks the way Twilio does — signed with the auth token, with
Twilio's headers and the cookies of the conversation — through a *transport*, a callable
that turns a :class:`Request` into a :class:`Response`. The Flask test client
(:mod:`twhooks.testing`) and ``requests`` (the ``twhooks`` command) are two transports;
the walk is the same for both:

- a :class:`SimulatedConversation` is one person texting one of the app's numbers: each
  message is a webhook; the ``<Message>`` replies are collected, ``<Redirect>`` is
  followed (50 documents at most, as Twilio does), and a ``statusCallback`` gets the
  message's delivery statuses;
- a :class:`SimulatedCall` is one phone call: the app's TwiML is walked verb by verb
  until the caller has to act (``<Gather>``, ``<Record>``, ``<Dial>``) or the call ends
  (``<Hangup>``, ``<Reject>``, the end of the document).

Each step returns a :class:`Reply`: what the app answered, and what Twilio did with it.
This module knows nothing of Flask or of any HTTP library.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from . import payloads
from .exceptions import SimulationError, TooManyDocuments, TwiMLError
from .signature import compute_signature
from .twiml import parse

__all__ = [
    "MAX_DOCUMENTS",
    "CookieJar",
    "DialInfo",
    "GatherInfo",
    "OutgoingMessage",
    "RecordInfo",
    "Reply",
    "Request",
    "Response",
    "SimulatedCall",
    "SimulatedConversation",
    "Simulator",
    "Transport",
    "spoken_text",
]

#: Twilio fetches at most this many TwiML documents in one messaging session.
MAX_DOCUMENTS = 50

_USER_AGENT = "TwilioProxy/1.1"
_FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
_XML_TYPES = {"text/xml", "application/xml"}
# The verbs during which nothing is asked of the caller: Twilio plays them and goes on.
_PASSIVE_VERBS = {"Say", "Play", "Pause", "Sms", "Start", "Stop", "Echo"}


@dataclass(frozen=True)
class Request:
    """One webhook request, signed and ready to send.

    :param url: the full URL, query string included; the fragment is never sent.
    :param params: the form fields of a POST (a GET carries them in :attr:`url`).
    """

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"

    @property
    def body(self) -> bytes:
        """The form-encoded body (empty for a GET)."""
        return urlencode(self.params).encode("utf-8") if self.method != "GET" else b""


@dataclass(frozen=True)
class Response:
    """What the app answered to one :class:`Request`."""

    url: str
    status_code: int
    content_type: str
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)
    set_cookies: tuple[str, ...] = ()
    #: The request this answers (set by :meth:`Simulator.request`).
    request: Request | None = None

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.content_type or '-'} from {self.url}>"

    @property
    def ok(self) -> bool:
        """``True`` for a 2xx status, the only kind Twilio counts as a success."""
        return 200 <= self.status_code < 300


#: Sends a :class:`Request` and returns the app's :class:`Response`.
Transport = Callable[[Request], Response]


class CookieJar:
    """The cookies Twilio keeps for one conversation (SMS) or one call (voice).

    Only names and values are kept: Twilio sends every cookie back to the app's webhooks
    whatever its path, and forgets it when the app deletes it or it expires.
    """

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def update(self, set_cookie_headers: Iterable[str]) -> None:
        """Store (or delete) the cookies of ``Set-Cookie`` header values."""
        now = datetime.now(timezone.utc)
        for header in set_cookie_headers:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(header)
            except CookieError:
                continue  # a browser would ignore a malformed cookie too
            for name, morsel in cookie.items():
                if _expired(morsel["max-age"], morsel["expires"], now):
                    self._values.pop(name, None)
                else:
                    self._values[name] = morsel.value

    def header(self) -> str | None:
        """The ``Cookie`` header to send, ``None`` when there is no cookie."""
        if not self._values:
            return None
        return "; ".join(f"{name}={value}" for name, value in self._values.items())

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every cookie, as Twilio does after four hours."""
        self._values.clear()

    def __repr__(self) -> str:
        # Cookie values are the app's signed session: show names only.
        return f"CookieJar({sorted(self._values)!r})"


def _expired(max_age: str, expires: str, now: datetime) -> bool:
    if max_age:
        try:
            return int(max_age) <= 0
        except ValueError:
            return False
    if expires:
        try:
            return parsedate_to_datetime(expires) <= now
        except (TypeError, ValueError):
            return False
    return False


# -- reading TwiML -------------------------------------------------------------------------


class _Element(Protocol):
    """The part of :mod:`twhooks.twiml`'s parsed elements the walk relies on."""

    @property
    def tag(self) -> str: ...
    @property
    def attrs(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str | None: ...
    @property
    def children(self) -> Sequence[_Element]: ...
    @property
    def content(self) -> Sequence[str | _Element]: ...


def _text(element: _Element) -> str:
    """The element's own text, stripped."""
    return (element.text or "").strip()


def spoken_text(element: _Element) -> str:
    """All the text of a ``<Say>``, SSML children included."""
    parts = [item if isinstance(item, str) else spoken_text(item) for item in element.content]
    return " ".join("".join(parts).split())


def _child_texts(element: _Element, tag: str) -> list[str]:
    return [_text(child) for child in element.children if child.tag == tag]


@dataclass(frozen=True)
class OutgoingMessage:
    """A ``<Message>`` the app replied with."""

    body: str
    media: tuple[str, ...]
    attrs: Mapping[str, str]

    @property
    def to(self) -> str | None:
        """The ``to`` attribute (the sender of the incoming message when absent)."""
        return self.attrs.get("to")

    @property
    def from_(self) -> str | None:
        """The ``from`` attribute (the number that was texted when absent)."""
        return self.attrs.get("from")

    @property
    def status_callback(self) -> str | None:
        """The ``statusCallback`` attribute, as written."""
        return self.attrs.get("statusCallback")

    @classmethod
    def from_element(cls, element: _Element) -> OutgoingMessage:
        bodies = _child_texts(element, "Body")
        body = "".join(bodies) if bodies else _text(element)
        return cls(body, tuple(_child_texts(element, "Media")), dict(element.attrs))


@dataclass(frozen=True)
class GatherInfo:
    """A ``<Gather>``: where its input goes and what it says while it waits."""

    action: str | None
    method: str
    input: tuple[str, ...]
    says: tuple[str, ...]
    plays: tuple[str, ...]
    attrs: Mapping[str, str]

    @property
    def num_digits(self) -> int | None:
        """``numDigits`` as a number, ``None`` when not set."""
        value = self.attrs.get("numDigits")
        return int(value) if value and value.isdigit() else None

    @classmethod
    def from_element(cls, element: _Element) -> GatherInfo:
        attrs = dict(element.attrs)
        return cls(
            action=attrs.get("action"),
            method=attrs.get("method", "POST").upper(),
            input=tuple(attrs.get("input", "dtmf").split()),
            says=tuple(spoken_text(child) for child in element.children if child.tag == "Say"),
            plays=tuple(_child_texts(element, "Play")),
            attrs=attrs,
        )


@dataclass(frozen=True)
class RecordInfo:
    """A ``<Record>``: where the recording goes."""

    action: str | None
    method: str
    attrs: Mapping[str, str]

    @property
    def transcribe(self) -> bool:
        """``True`` when the recording is transcribed."""
        return self.attrs.get("transcribe") == "true" or "transcribeCallback" in self.attrs

    @classmethod
    def from_element(cls, element: _Element) -> RecordInfo:
        attrs = dict(element.attrs)
        return cls(attrs.get("action"), attrs.get("method", "POST").upper(), attrs)


_DIAL_NOUNS = ("Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application")


@dataclass(frozen=True)
class DialInfo:
    """A ``<Dial>``: who is dialed and where the outcome goes."""

    targets: tuple[str, ...]
    action: str | None
    method: str
    attrs: Mapping[str, str]

    @classmethod
    def from_element(cls, element: _Element) -> DialInfo:
        attrs = dict(element.attrs)
        targets = [_text(child) for child in element.children if child.tag in _DIAL_NOUNS]
        if not targets and _text(element):
            targets = [_text(element)]
        return cls(tuple(targets), attrs.get("action"), attrs.get("method", "POST").upper(), attrs)


class Reply:
    """What happened in one step of a simulated session.

    A step is one webhook and everything Twilio did with the answer: the documents it
    fetched (more than one when ``<Redirect>`` was followed) and the verbs it carried
    out, in order. :attr:`messages`, :attr:`says`… list what the person texting or
    calling got in this step; :attr:`twiml` is the whole last document.

    ::

        reply = conversation.send("HELP")
        assert reply.messages == ["Reply BAL for your balance."]
    """

    def __init__(
        self,
        *,
        responses: Sequence[Response],
        verbs: Sequence[_Element],
        document: Response | None,
        twiml: _Element | None,
        error: str | None = None,
        callbacks: Sequence[Response] = (),
    ) -> None:
        #: The responses of this step, webhook first, then each redirect.
        self.responses: tuple[Response, ...] = tuple(responses)
        #: The top-level verbs Twilio carried out, in order.
        self.verbs: tuple[_Element, ...] = tuple(verbs)
        #: The response of the document the session is at (maybe of an earlier step).
        self.document = document
        #: The parsed root (``<Response>``) of that document, ``None`` if it is not TwiML.
        self.twiml = twiml
        #: Why Twilio could not use the answer (``"HTTP 500"``, ``"not TwiML …"``), or ``None``.
        self.error = error
        #: The responses to the status callbacks this step triggered.
        self.status_callbacks: tuple[Response, ...] = tuple(callbacks)

    # -- the HTTP side --
    @property
    def status_code(self) -> int | None:
        """The HTTP status of the last document, ``None`` if there was none."""
        return self.document.status_code if self.document else None

    @property
    def text(self) -> str:
        """The raw body of the last document."""
        return self.document.text if self.document else ""

    @property
    def url(self) -> str | None:
        """The URL of the last document."""
        return self.document.url if self.document else None

    @property
    def ok(self) -> bool:
        """``True`` when Twilio could use every document of the step."""
        return self.error is None

    # -- what Twilio did --
    def _verbs(self, tag: str) -> list[_Element]:
        return [verb for verb in self.verbs if verb.tag == tag]

    @property
    def outgoing(self) -> list[OutgoingMessage]:
        """Every ``<Message>`` sent, with its media and attributes."""
        return [OutgoingMessage.from_element(verb) for verb in self._verbs("Message")]

    @property
    def messages(self) -> list[str]:
        """The text of every ``<Message>`` sent."""
        return [message.body for message in self.outgoing]

    @property
    def media(self) -> list[str]:
        """The media URLs of every ``<Message>`` sent."""
        return [url for message in self.outgoing for url in message.media]

    def _heard(self, tag: str) -> list[str]:
        heard: list[str] = []
        for verb in self.verbs:
            nested = verb.children if verb.tag == "Gather" else [verb]
            heard.extend(spoken_text(element) for element in nested if element.tag == tag)
        return heard

    @property
    def says(self) -> list[str]:
        """What was read aloud (``<Say>``, inside a ``<Gather>`` too), in order."""
        return self._heard("Say")

    @property
    def plays(self) -> list[str]:
        """The URLs of the audio played (``<Play>``, inside a ``<Gather>`` too)."""
        return self._heard("Play")

    @property
    def gathers(self) -> list[GatherInfo]:
        """Every ``<Gather>`` reached."""
        return [GatherInfo.from_element(verb) for verb in self._verbs("Gather")]

    @property
    def records(self) -> list[RecordInfo]:
        """Every ``<Record>`` reached."""
        return [RecordInfo.from_element(verb) for verb in self._verbs("Record")]

    @property
    def dials(self) -> list[DialInfo]:
        """Every ``<Dial>`` reached."""
        return [DialInfo.from_element(verb) for verb in self._verbs("Dial")]

    @property
    def redirects(self) -> list[str]:
        """The URL of every ``<Redirect>`` followed, as written."""
        return [_text(verb) for verb in self._verbs("Redirect")]

    @property
    def hangup(self) -> bool:
        """``True`` when the app hung up (``<Hangup>``)."""
        return bool(self._verbs("Hangup"))

    @property
    def rejected(self) -> bool:
        """``True`` when the app rejected the call (``<Reject>``)."""
        return bool(self._verbs("Reject"))

    def __repr__(self) -> str:
        tags = " ".join(verb.tag for verb in self.verbs)
        error = f" error={self.error!r}" if self.error else ""
        return f"<Reply {self.status_code} [{tags}]{error}>"


def _read_twiml(response: Response, *, voice: bool) -> tuple[_Element | None, str | None]:
    """The parsed document of *response*, or why Twilio could not use it."""
    if not response.ok:
        return None, f"HTTP {response.status_code} from {response.url}"
    media_type = response.content_type.split(";")[0].strip().lower()
    text = response.text
    if media_type == "text/plain" or (not text.strip() and not voice):
        # Twilio sends a plain-text answer as the reply message, or reads it aloud and
        # hangs up; an empty answer to a message means "no reply".
        if not text.strip():
            text = "<Response/>"
        elif voice:
            text = f"<Response><Say>{escape(text)}</Say><Hangup/></Response>"
        else:
            text = f"<Response><Message>{escape(text)}</Message></Response>"
    elif media_type not in _XML_TYPES:
        shown = media_type or "no Content-Type"
        return None, f"not TwiML ({shown}) from {response.url}"
    try:
        root: _Element = parse(text, "voice" if voice else "messaging")
    except TwiMLError as error:
        return None, f"not TwiML ({error}) from {response.url}"
    if root.tag != "Response":
        return None, f"not TwiML (root element <{root.tag}>) from {response.url}"
    return root, None


# -- the simulator ------------------------------------------------------------------------


class Simulator:
    """Sends webhooks to an app the way Twilio does.

    :param transport: sends a :class:`Request`, returns the app's :class:`Response`.
    :param auth_token: the token that signs every request; ``None`` sends them unsigned.
    :param base_url: relative URLs given to any method are resolved against it.
    :param account_sid: the ``AccountSid`` of every webhook.
    """

    def __init__(
        self,
        transport: Transport,
        auth_token: str | None,
        *,
        base_url: str | None = None,
        account_sid: str = payloads.TEST_ACCOUNT_SID,
    ) -> None:
        self.transport = transport
        self._auth_token = auth_token
        self.base_url = base_url
        self.account_sid = account_sid

    def __repr__(self) -> str:
        signed = "signed" if self._auth_token else "unsigned"
        return f"<{type(self).__name__} {self.base_url or ''} {signed}>"

    def url_for(self, url: str) -> str:
        """*url* resolved against :attr:`base_url`, without a fragment.

        A fragment (``#rc=3``, Twilio's connection overrides) never reaches the app.
        """
        if self.base_url:
            url = urljoin(self.base_url, url)
        scheme, netloc, path, query, _ = urlsplit(url)
        if scheme not in {"http", "https"} or not netloc:
            raise SimulationError(f"not an http(s) URL: {url!r}", url=url)
        return urlunsplit((scheme, netloc, path, query, ""))

    def build_request(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        method: str = "POST",
        cookies: CookieJar | None = None,
    ) -> Request:
        """A signed :class:`Request` of *params* to *url*, as Twilio would send it."""
        method = method.upper()
        url = self.url_for(url)
        pairs = tuple(params.items())
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
        if self._auth_token is not None:
            # A GET carries its parameters in the URL: nothing is appended to it.
            signed = dict(pairs) if method != "GET" else None
            headers["X-Twilio-Signature"] = compute_signature(self._auth_token, url, signed)
        cookie = cookies.header() if cookies is not None else None
        if cookie:
            headers["Cookie"] = cookie
        return Request(method, url, pairs, headers)

    def request(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        method: str = "POST",
        cookies: CookieJar | None = None,
    ) -> Response:
        """Send one signed webhook; the cookies it sets go into *cookies*."""
        request = self.build_request(url, params, method=method, cookies=cookies)
        response = self.transport(request)
        if cookies is not None:
            cookies.update(response.set_cookies)
        return dataclasses.replace(response, request=request)

    def send(
        self, url: str, params: Mapping[str, str], *, method: str = "POST", voice: bool = False
    ) -> Reply:
        """Send one webhook and read the answer, without following anything in it.

        :param voice: read a plain-text answer as Twilio Voice would (said, then hang up).
        """
        response = self.request(url, params, method=method)
        twiml: _Element | None = None
        error: str | None = None
        if response.ok and not response.text.strip():
            pass  # status callbacks answer 204 No Content; nothing to read
        else:
            twiml, error = _read_twiml(response, voice=voice)
        verbs = list(twiml.children) if twiml is not None else []
        return Reply(responses=[response], verbs=verbs, document=response, twiml=twiml, error=error)

    def webhook(
        self,
        kind: str,
        url: str,
        *,
        method: str = "POST",
        params: payloads.Overrides | None = None,
        **fields: Any,
    ) -> Reply:
        """Send one webhook of *kind* with realistic fields, and read the answer.

        :param kind: a name of :data:`twhooks.payloads.KINDS`: ``message``,
            ``message-status``, ``call``, ``call-status``, ``recording``,
            ``transcription``, ``conference`` or ``amd``.
        :param params: fields by Twilio's names, set last (``None`` removes one).
        :param fields: keyword arguments of the kind's factory in :mod:`twhooks.payloads`
            (``status="failed"``, ``message_sid=…``), or any field in snake case.
        :raises KeyError: for an unknown *kind*.
        """
        if kind in {"message", "message-status", "call"}:
            fields.setdefault("account_sid", self.account_sid)
        else:
            # Voice callbacks repeat the fields of the call they belong to.
            fields.setdefault("call", payloads.incoming_call(account_sid=self.account_sid))
        values = payloads.KINDS[kind].factory(params=params, **fields)
        return self.send(url, values, method=method, voice=kind.startswith("call"))

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

        :param status_callback: where every reply's delivery statuses go (a Messaging
            Service's status callback); a ``<Message statusCallback>`` wins.
        """
        return SimulatedConversation(
            self, url, from_=from_, to=to, method=method, status_callback=status_callback
        )

    def call(
        self,
        url: str,
        *,
        from_: str = payloads.TEST_USER_NUMBER,
        to: str = payloads.TEST_APP_NUMBER,
        method: str = "POST",
        status_callback: str | None = None,
    ) -> SimulatedCall:
        """One phone call to a number whose voice webhook is *url* (not started yet).

        :param status_callback: where the call's ``completed`` status goes when it ends.
        """
        return SimulatedCall(
            self, url, from_=from_, to=to, method=method, status_callback=status_callback
        )


@dataclass
class _Step:
    """What one step collects while it walks."""

    responses: list[Response] = field(default_factory=list)
    verbs: list[_Element] = field(default_factory=list)
    callbacks: list[Response] = field(default_factory=list)
    documents: int = 0


class SimulatedConversation:
    """One person (:attr:`from_`) texting one of the app's numbers (:attr:`to`).

    Cookies the app sets are kept for this pair, as Twilio does, so a dialog spread over
    several messages works as it would with a real phone.
    """

    def __init__(
        self,
        simulator: Simulator,
        url: str,
        *,
        from_: str,
        to: str,
        method: str = "POST",
        status_callback: str | None = None,
    ) -> None:
        self.simulator = simulator
        self.url = simulator.url_for(url)
        self.from_ = from_
        self.to = to
        self.method = method.upper()
        self.status_callback = status_callback
        self.cookies = CookieJar()
        self.messaging_service_sid = payloads.new_sid("MG")
        #: Every :class:`Reply` of the conversation, oldest first.
        self.history: list[Reply] = []

    def __repr__(self) -> str:
        return f"<SimulatedConversation {self.from_} → {self.to} at {self.url}>"

    def send(
        self,
        body: str = "",
        *,
        media: Sequence[str | tuple[str, str]] = (),
        params: payloads.Overrides | None = None,
        **fields: str,
    ) -> Reply:
        """Text *body* (and *media*) to the app; return what it answered.

        Extra fields are set as in :func:`twhooks.payloads.incoming_message`.

        :raises TooManyDocuments: after 50 documents (a ``<Redirect>`` loop).
        """
        message = payloads.incoming_message(
            body,
            from_=self.from_,
            to=self.to,
            media=media,
            account_sid=self.simulator.account_sid,
            messaging_service_sid=self.messaging_service_sid,
            params=params,
            **fields,
        )
        step = _Step()
        url, method = self.url, self.method
        document: Response | None = None
        twiml: _Element | None = None
        error: str | None = None
        while True:
            if step.documents == MAX_DOCUMENTS:
                raise TooManyDocuments(
                    f"more than {MAX_DOCUMENTS} TwiML documents for one message "
                    "(Twilio error 14106): is there a <Redirect> loop?",
                    url=url,
                )
            document = self.simulator.request(url, message, method=method, cookies=self.cookies)
            step.documents += 1
            step.responses.append(document)
            twiml, error = _read_twiml(document, voice=False)
            if twiml is None:
                break
            redirect = self._carry_out(twiml, document.url, step)
            if redirect is None:
                break
            url, method = redirect
        reply = Reply(
            responses=step.responses,
            verbs=step.verbs,
            document=document,
            twiml=twiml,
            error=error,
            callbacks=step.callbacks,
        )
        self.history.append(reply)
        return reply

    def _carry_out(self, twiml: _Element, base: str, step: _Step) -> tuple[str, str] | None:
        for verb in twiml.children:
            step.verbs.append(verb)
            if verb.tag == "Message":
                step.callbacks.extend(self._deliver(OutgoingMessage.from_element(verb), base))
            elif verb.tag == "Redirect":
                return urljoin(base, _text(verb)), verb.attrs.get("method", "POST").upper()
        return None

    def _deliver(self, message: OutgoingMessage, base: str) -> list[Response]:
        """Send the delivery statuses of a reply to its status callback, if it has one."""
        target = message.status_callback or self.status_callback
        if not target:
            return []
        url = urljoin(base, target)
        sid = payloads.new_sid("MM" if message.media else "SM")
        return [
            self.simulator.request(
                url,
                payloads.message_status(
                    status,
                    message_sid=sid,
                    from_=message.from_ or self.to,
                    to=message.to or self.from_,
                    account_sid=self.simulator.account_sid,
                    messaging_service_sid=self.messaging_service_sid,
                ),
            )
            for status in ("queued", "sent", "delivered")
        ]


class SimulatedCall:
    """One phone call from :attr:`from_` to the app's number :attr:`to`.

    The app's TwiML is carried out verb by verb, as Twilio does: what is said and
    played is collected, ``<Redirect>`` is followed at once, and the call waits at a
    ``<Gather>``, ``<Record>`` or ``<Dial>`` (:attr:`waiting_for`) for the caller's next
    move — :meth:`press`, :meth:`say`, :meth:`no_input`, :meth:`record`,
    :meth:`end_dial` — or :meth:`hangup`. The call ends at ``<Hangup>``, ``<Reject>``
    or the end of a document; its status callback (if any) then gets ``completed``.
    """

    def __init__(
        self,
        simulator: Simulator,
        url: str,
        *,
        from_: str,
        to: str,
        method: str = "POST",
        status_callback: str | None = None,
    ) -> None:
        self.simulator = simulator
        self.url = simulator.url_for(url)
        self.from_ = from_
        self.to = to
        self.method = method.upper()
        self.status_callback = status_callback
        self.cookies = CookieJar()
        #: The fields every webhook of this call repeats (``CallSid``, numbers…).
        self.params = payloads.incoming_call(from_=from_, to=to, account_sid=simulator.account_sid)
        #: The verb the call is waiting at (a parsed element), ``None`` when not waiting.
        self.waiting_for: _Element | None = None
        #: ``None`` while the call goes on, then why it ended: ``"hangup"`` (the app),
        #: ``"rejected"``, ``"completed"`` (end of the document), ``"caller hung up"``,
        #: ``"error"`` (an answer Twilio could not use) or ``"<Verb> is not simulated"``.
        self.end_reason: str | None = None
        #: Every :class:`Reply` of the call, oldest first.
        self.history: list[Reply] = []
        self._document: Response | None = None
        self._twiml: _Element | None = None
        self._verbs: Sequence[_Element] = ()
        self._position = 0
        self._started_at: float | None = None

    def __repr__(self) -> str:
        state = self.end_reason or (self.waiting_for.tag if self.waiting_for else "not started")
        return f"<SimulatedCall {self.params['CallSid']} {self.from_} → {self.to} ({state})>"

    @property
    def call_sid(self) -> str:
        """The ``CallSid`` of every webhook of this call."""
        return self.params["CallSid"]

    @property
    def started(self) -> bool:
        """``True`` once :meth:`start` was called."""
        return self._started_at is not None

    @property
    def ended(self) -> bool:
        """``True`` once the call is over."""
        return self.end_reason is not None

    @property
    def document_url(self) -> str | None:
        """The URL of the TwiML document the call is at."""
        return self._document.url if self._document else None

    # -- the caller's moves --
    def start(self) -> Reply:
        """Place the call: the voice webhook, then the walk up to the first wait."""
        if self.started:
            raise SimulationError("the call has already started", url=self.url)
        self._started_at = time.monotonic()
        return self._step(self.url, self.method, self.params)

    def press(self, digits: str, *, finished_on_key: str = "") -> Reply:
        """Press keys at the waiting ``<Gather>``: ``Digits`` go to its action."""
        gather = self._gather("dtmf")
        params = payloads.gather_result(
            self._fields(), digits=digits, finished_on_key=finished_on_key
        )
        return self._step(*self._action(gather.action, gather.method), params)

    def say(self, speech: str, *, confidence: float = 0.92) -> Reply:
        """Speak at the waiting ``<Gather>``: ``SpeechResult`` goes to its action."""
        gather = self._gather("speech")
        params = payloads.gather_result(self._fields(), speech=speech, confidence=confidence)
        return self._step(*self._action(gather.action, gather.method), params)

    def no_input(self) -> Reply:
        """Stay silent until the waiting ``<Gather>`` times out.

        Twilio then goes on with the verb after it, or posts an empty result to the
        action when ``actionOnEmptyResult`` is ``true``.
        """
        gather = self._gather(None)
        if gather.attrs.get("actionOnEmptyResult") == "true":
            params = payloads.gather_result(self._fields(), digits="")
            return self._step(*self._action(gather.action, gather.method), params)
        return self._go_on()

    def record(self, *, duration: int = 5, finish_key: str = "#", transcript: str = "") -> Reply:
        """Leave a recording at the waiting ``<Record>``, ended with *finish_key*.

        The recording goes to its action; its ``recordingStatusCallback`` and
        ``transcribeCallback`` (with *transcript*) are called too, if set.
        """
        record = RecordInfo.from_element(self._waiting("Record", "record"))
        params = payloads.record_result(self._fields(), duration=duration, digits=finish_key)
        base = self.document_url or self.url
        reply = self._step(*self._action(record.action, record.method), params)
        # Twilio posts the action first; the recording and its transcription come later.
        callbacks = self._recording_callbacks(record, base, params, transcript)
        reply.status_callbacks += tuple(callbacks)
        return reply

    def end_dial(self, status: str = "completed", *, duration: int = 42) -> Reply:
        """End the waiting ``<Dial>`` with *status* (``completed``, ``busy``, ``no-answer``…).

        The outcome goes to its action; without one, the call goes on after the ``<Dial>``.
        """
        dial = DialInfo.from_element(self._waiting("Dial", "end_dial"))
        if dial.action is None:
            return self._go_on()
        params = payloads.dial_result(self._fields(), status=status, duration=duration)
        return self._step(*self._action(dial.action, dial.method), params)

    def hangup(self) -> Reply:
        """Hang up (the caller); the status callback gets ``completed``."""
        self._check_live("hangup")
        step = _Step()
        self._end("caller hung up", step)
        return self._reply(step, None)

    # -- the walk --
    def _check_live(self, move: str) -> None:
        if not self.started:
            raise SimulationError(f"call.{move}(): the call has not started; call start() first")
        if self.ended:
            raise SimulationError(
                f"call.{move}(): the call has ended ({self.end_reason})", url=self.document_url
            )

    def _waiting(self, tag: str, move: str) -> _Element:
        self._check_live(move)
        verb = self.waiting_for
        if verb is None or verb.tag != tag:
            at = f"<{verb.tag}>" if verb is not None else "nothing"
            raise SimulationError(
                f"call.{move}() needs a waiting <{tag}>, but the call is waiting at {at}",
                url=self.document_url,
            )
        return verb

    def _gather(self, kind: str | None) -> GatherInfo:
        move = {"dtmf": "press", "speech": "say", None: "no_input"}[kind]
        gather = GatherInfo.from_element(self._waiting("Gather", move))
        if kind is not None and kind not in gather.input:
            raise SimulationError(
                f"call.{move}(): the <Gather> takes input={' '.join(gather.input)!r}, not {kind}",
                url=self.document_url,
            )
        return gather

    def _fields(self) -> dict[str, str]:
        return dict(self.params)

    def _action(self, action: str | None, method: str) -> tuple[str, str]:
        # Without an action, Twilio requests the current document's URL again.
        base = self.document_url or self.url
        return (urljoin(base, action) if action else base), method

    def _step(self, url: str, method: str, params: Mapping[str, str]) -> Reply:
        step = _Step()
        fetch: tuple[str, str] | None = (url, method)
        error: str | None = None
        while fetch is not None:
            url, method = fetch
            if step.documents == MAX_DOCUMENTS:
                raise TooManyDocuments(
                    f"more than {MAX_DOCUMENTS} TwiML documents in one step of the call: "
                    "is there a <Redirect> loop?",
                    url=url,
                )
            fields = dict(params) if step.documents == 0 else self._in_progress()
            response = self.simulator.request(url, fields, method=method, cookies=self.cookies)
            step.documents += 1
            step.responses.append(response)
            twiml, error = _read_twiml(response, voice=True)
            self._document, self._twiml = response, twiml
            if twiml is None:
                self._end("error", step)
                break
            self._verbs, self._position = twiml.children, 0
            fetch = self._walk(step)
        return self._reply(step, error)

    def _go_on(self) -> Reply:
        step = _Step()
        self._position += 1
        fetch = self._walk(step)
        if fetch is None:
            return self._reply(step, None)
        reply = self._step(*fetch, self._in_progress())
        reply.verbs = tuple(step.verbs) + reply.verbs
        return reply

    def _in_progress(self) -> dict[str, str]:
        fields = self._fields()
        fields["CallStatus"] = "in-progress"
        return fields

    def _walk(self, step: _Step) -> tuple[str, str] | None:
        """Carry out verbs from the current position; a redirect to fetch, or ``None``."""
        self.waiting_for = None
        while self._position < len(self._verbs):
            verb = self._verbs[self._position]
            step.verbs.append(verb)
            if verb.tag in _PASSIVE_VERBS:
                self._position += 1
            elif verb.tag in {"Gather", "Record", "Dial"}:
                self.waiting_for = verb
                return None
            elif verb.tag == "Redirect":
                return self._action(_text(verb), verb.attrs.get("method", "POST").upper())
            elif verb.tag == "Hangup":
                self._end("hangup", step)
                return None
            elif verb.tag == "Reject":
                self._end("rejected", step, status=verb.attrs.get("reason", "rejected"))
                return None
            else:
                self._end(f"<{verb.tag}> is not simulated", step)
                return None
        self._end("completed", step)
        return None

    def _end(self, reason: str, step: _Step, *, status: str = "completed") -> None:
        self.end_reason = reason
        self.waiting_for = None
        if not self.status_callback:
            return
        if status != "completed":
            # A rejected call is never answered: twhooks reports it as busy, or as
            # no-answer for reason="rejected".
            status = "busy" if status == "busy" else "no-answer"
        started = self._started_at if self._started_at is not None else time.monotonic()
        params = payloads.call_status(
            self._fields(), status=status, duration=int(time.monotonic() - started)
        )
        base = self.document_url or self.url
        step.callbacks.append(self.simulator.request(urljoin(base, self.status_callback), params))

    def _recording_callbacks(
        self, record: RecordInfo, base: str, params: Mapping[str, str], transcript: str
    ) -> list[Response]:
        callbacks = []
        recording_sid = params["RecordingSid"]
        duration = int(params["RecordingDuration"])
        if "recordingStatusCallback" in record.attrs:
            fields = payloads.recording_status(
                self._fields(), duration=duration, recording_sid=recording_sid
            )
            url = urljoin(base, record.attrs["recordingStatusCallback"])
            method = record.attrs.get("recordingStatusCallbackMethod", "POST")
            callbacks.append(self.simulator.request(url, fields, method=method))
        if "transcribeCallback" in record.attrs:
            fields = payloads.transcription(
                self._fields(), text=transcript, recording_sid=recording_sid
            )
            url = urljoin(base, record.attrs["transcribeCallback"])
            callbacks.append(self.simulator.request(url, fields))
        return callbacks

    def _reply(self, step: _Step, error: str | None) -> Reply:
        reply = Reply(
            responses=step.responses,
            verbs=step.verbs,
            document=self._document,
            twiml=self._twiml,
            error=error,
            callbacks=step.callbacks,
        )
        self.history.append(reply)
        return reply
