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

Each step returns a :class:`TwimlAnswer`: what the app answered, and what Twilio did with it.
The package knows nothing of Flask or of any HTTP library. Its modules:

- ``wire``: :class:`Request`, :class:`Response`, the transport type, :class:`CookieJar`;
- ``core``: :class:`Simulator`, which builds, signs and sends the requests;
- ``conversation`` and ``call``: the two kinds of session;
- ``reply``: reading an answer as Twilio would, and :class:`TwimlAnswer` (``Reply`` until
  0.3, a deprecated alias for one release).
"""

from typing import Any

from .call import SimulatedCall as SimulatedCall
from .conversation import SimulatedConversation as SimulatedConversation
from .core import Simulator as Simulator
from .reply import MAX_DOCUMENTS as MAX_DOCUMENTS
from .reply import DialInfo as DialInfo
from .reply import GatherInfo as GatherInfo
from .reply import OutgoingMessage as OutgoingMessage
from .reply import RecordInfo as RecordInfo
from .reply import TwimlAnswer as TwimlAnswer
from .reply import deprecated_name
from .reply import spoken_text as spoken_text
from .wire import CookieJar as CookieJar
from .wire import Request as Request
from .wire import Response as Response
from .wire import Transport as Transport

__all__ = [
    "MAX_DOCUMENTS",
    "CookieJar",
    "DialInfo",
    "GatherInfo",
    "OutgoingMessage",
    "RecordInfo",
    "Request",
    "Response",
    "SimulatedCall",
    "SimulatedConversation",
    "Simulator",
    "Transport",
    "TwimlAnswer",
    "spoken_text",
]


def __getattr__(name: str) -> Any:
    return deprecated_name(__name__, name)
