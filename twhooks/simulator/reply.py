"""What the app answered and what Twilio did with it: :class:`TwimlAnswer` and its parts.

:func:`read_twiml` decides, as Twilio would, whether an answer can be used (a 2xx status,
TwiML or plain text) and parses it with :func:`twhooks.twiml.parse`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from xml.sax.saxutils import escape

from ..exceptions import TwiMLError
from ..twiml import parse
from .wire import Response

__all__ = [
    "MAX_DOCUMENTS",
    "DialInfo",
    "Element",
    "GatherInfo",
    "OutgoingMessage",
    "RecordInfo",
    "Step",
    "TwimlAnswer",
    "http_error",
    "read_twiml",
    "spoken_text",
]

#: Twilio fetches at most this many TwiML documents in one messaging session.
MAX_DOCUMENTS = 50

_XML_TYPES = {"text/xml", "application/xml"}


class Element(Protocol):
    """The part of :mod:`twhooks.twiml`'s parsed elements the walk relies on."""

    @property
    def tag(self) -> str: ...
    @property
    def attrs(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str | None: ...
    @property
    def children(self) -> Sequence[Element]: ...
    @property
    def content(self) -> Sequence[str | Element]: ...


def own_text(element: Element) -> str:
    """The element's own text, stripped."""
    return (element.text or "").strip()


def spoken_text(element: Element) -> str:
    """All the text of a ``<Say>``, SSML children included."""
    parts = [item if isinstance(item, str) else spoken_text(item) for item in element.content]
    return " ".join("".join(parts).split())


def _child_texts(element: Element, tag: str) -> list[str]:
    return [own_text(child) for child in element.children if child.tag == tag]


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
    def from_element(cls, element: Element) -> OutgoingMessage:
        # The body is sent as written, spaces included; URLs are trimmed.
        bodies = [child.text or "" for child in element.children if child.tag == "Body"]
        body = "".join(bodies) if bodies else (element.text or "")
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
    def from_element(cls, element: Element) -> GatherInfo:
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
    def from_element(cls, element: Element) -> RecordInfo:
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
    def from_element(cls, element: Element) -> DialInfo:
        attrs = dict(element.attrs)
        targets = [own_text(child) for child in element.children if child.tag in _DIAL_NOUNS]
        if not targets and own_text(element):
            targets = [own_text(element)]
        return cls(tuple(targets), attrs.get("action"), attrs.get("method", "POST").upper(), attrs)


class TwimlAnswer:
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
        verbs: Sequence[Element],
        document: Response | None,
        twiml: Element | None,
        error: str | None = None,
        callbacks: Sequence[Response] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        #: The responses of this step, webhook first, then each redirect.
        self.responses: tuple[Response, ...] = tuple(responses)
        #: The top-level verbs Twilio carried out, in order.
        self.verbs: tuple[Element, ...] = tuple(verbs)
        #: The response of the document the session is at (maybe of an earlier step).
        self.document = document
        #: The parsed root (``<Response>``) of that document, ``None`` if it is not TwiML.
        self.twiml = twiml
        #: Why Twilio could not use the answer (``"HTTP 500"``, ``"not TwiML …"``), or ``None``.
        self.error = error
        #: The responses to the status callbacks this step triggered.
        self.status_callbacks: tuple[Response, ...] = tuple(callbacks)
        #: What Twilio would warn about in its debugger (a ``<Say>`` in a message reply).
        self.warnings: tuple[str, ...] = tuple(warnings)

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
    def _verbs(self, tag: str) -> list[Element]:
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
        return [own_text(verb) for verb in self._verbs("Redirect")]

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
        return f"<TwimlAnswer {self.status_code} [{tags}]{error}>"


def http_error(response: Response) -> str:
    """``HTTP 403 from URL: <the first line of the body>``, to say why a step failed."""
    if "html" in response.content_type.lower():
        return f"HTTP {response.status_code} from {response.url}"  # an error page: no use
    first_line = response.text.strip().split("\n", 1)[0].strip()
    if len(first_line) > 120:
        first_line = first_line[:117] + "..."
    detail = f": {first_line}" if first_line else ""
    return f"HTTP {response.status_code} from {response.url}{detail}"


def read_twiml(response: Response, *, voice: bool) -> tuple[Element | None, str | None]:
    """The parsed document of *response*, or why Twilio could not use it."""
    if not response.ok:
        return None, http_error(response)
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
        root: Element = parse(text, "voice" if voice else "messaging")
    except TwiMLError as error:
        return None, f"not TwiML ({error}) from {response.url}"
    if root.tag != "Response":
        return None, f"not TwiML (root element <{root.tag}>) from {response.url}"
    return root, None


@dataclass
class Step:
    """What one step of a session collects while it walks, to build its :class:`TwimlAnswer`."""

    responses: list[Response] = field(default_factory=list)
    verbs: list[Element] = field(default_factory=list)
    callbacks: list[Response] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0


def deprecated_name(module: str, name: str) -> Any:
    """The value of a name kept for one release (``Reply``, now :class:`TwimlAnswer`),
    with a :class:`DeprecationWarning`; for the modules' ``__getattr__``."""
    if name != "Reply":
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    warnings.warn(
        f"{module}.Reply is deprecated: it is twhooks.simulator.TwimlAnswer (twhooks.Reply is "
        "the dispatcher's HTTP answer)",
        DeprecationWarning,
        stacklevel=3,
    )
    return TwimlAnswer


def __getattr__(name: str) -> Any:
    return deprecated_name(__name__, name)
