"""twhooks: receive Twilio webhooks in Flask and Quart apps.

The names most apps use are re-exported here; each lives in a module of its own. Names are
imported on first use, so that ``import twhooks`` stays cheap and loads Flask only when a Flask
name (such as :class:`TwilioHooks`) is used.

The public API is this module's ``__all__`` and the ``__all__`` of each public module (they are
named in ``twhooks._PUBLIC_MODULES``); the API reference is generated from those lists. Every
other module, and every name not listed, is internal and may change in any release.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cloudevents import CallStatusEvent as CallStatusEvent
    from .cloudevents import CloudEvent as CloudEvent
    from .cloudevents import MessageStatusEvent as MessageStatusEvent
    from .conversation import Conversation as Conversation
    from .conversations_webhooks import ModifyAction as ModifyAction
    from .conversations_webhooks import RejectAction as RejectAction
    from .dispatch import AsyncDispatcher as AsyncDispatcher
    from .dispatch import Dispatcher as Dispatcher
    from .events import Alert as Alert
    from .events import AmdResult as AmdResult
    from .events import Assignment as Assignment
    from .events import Call as Call
    from .events import CallStatus as CallStatus
    from .events import ConferenceStatus as ConferenceStatus
    from .events import ConversationEvent as ConversationEvent
    from .events import IncomingMessage as IncomingMessage
    from .events import Location as Location
    from .events import MediaItem as MediaItem
    from .events import MessageStatus as MessageStatus
    from .events import Params as Params
    from .events import RecordingStatus as RecordingStatus
    from .events import TaskRouterEvent as TaskRouterEvent
    from .events import Transcription as Transcription
    from .events import WhatsAppInfo as WhatsAppInfo
    from .events import message_status_rank as message_status_rank
    from .exceptions import BodyHashMismatch as BodyHashMismatch
    from .exceptions import ConfigurationError as ConfigurationError
    from .exceptions import DeliveryFailed as DeliveryFailed
    from .exceptions import DeliveryTimeout as DeliveryTimeout
    from .exceptions import HandlerError as HandlerError
    from .exceptions import InvalidNesting as InvalidNesting
    from .exceptions import InvalidSignature as InvalidSignature
    from .exceptions import InvalidText as InvalidText
    from .exceptions import MissingSignature as MissingSignature
    from .exceptions import RequestError as RequestError
    from .exceptions import RequestTooLarge as RequestTooLarge
    from .exceptions import RunnerUnavailable as RunnerUnavailable
    from .exceptions import SignatureError as SignatureError
    from .exceptions import SimulationError as SimulationError
    from .exceptions import TooManyDocuments as TooManyDocuments
    from .exceptions import TwhooksError as TwhooksError
    from .exceptions import TwilioApiError as TwilioApiError
    from .exceptions import TwiMLError as TwiMLError
    from .exceptions import TwiMLLimitExceeded as TwiMLLimitExceeded
    from .exceptions import TwiMLParseError as TwiMLParseError
    from .exceptions import UnknownAccount as UnknownAccount
    from .exceptions import UnreadableParams as UnreadableParams
    from .exceptions import UnsignedBody as UnsignedBody
    from .exceptions import UnsupportedAlgorithm as UnsupportedAlgorithm
    from .flask import TwilioHooks as TwilioHooks
    from .forms import parse_form as parse_form
    from .kinds import KINDS as KINDS
    from .kinds import Kind as Kind
    from .middleware import TwilioSignatureMiddleware as TwilioSignatureMiddleware
    from .observability import JsonFormatter as JsonFormatter
    from .observability import WebhookFields as WebhookFields
    from .observability import WebhookLogFields as WebhookLogFields
    from .observability import current_webhook as current_webhook
    from .realtime import AsyncRelaySession as AsyncRelaySession
    from .realtime import AsyncStreamSession as AsyncStreamSession
    from .realtime import RelaySession as RelaySession
    from .realtime import StreamSession as StreamSession
    from .realtime import connect_relay as connect_relay
    from .realtime import connect_stream as connect_stream
    from .replies import Reply as Reply
    from .request import WebhookRequest as WebhookRequest
    from .request import verify_request as verify_request
    from .rest.messages import SentMessage as SentMessage
    from .settings import Settings as Settings
    from .signature import SignatureVerifier as SignatureVerifier
    from .signature import compute_signature as compute_signature
    from .signature import is_valid_signature as is_valid_signature
    from .signature import keep_bare_query as keep_bare_query
    from .signature import verify_signature as verify_signature
    from .store import Blocklist as Blocklist
    from .store import CallRecord as CallRecord
    from .store import Calls as Calls
    from .store import Conversations as Conversations
    from .store import Deliveries as Deliveries
    from .store import Delivery as Delivery
    from .store import FailedWebhook as FailedWebhook
    from .store import History as History
    from .store import HistoryRecord as HistoryRecord
    from .store import LockTimeout as LockTimeout
    from .store import MemoryStore as MemoryStore
    from .store import OptOuts as OptOuts
    from .store import StatusUpdate as StatusUpdate
    from .store import Store as Store
    from .store import StoreError as StoreError
    from .store import StoreUnavailable as StoreUnavailable
    from .store import classify_opt_keyword as classify_opt_keyword
    from .store import conversation_key as conversation_key
    from .store import open_store as open_store
    from .store.replays import MemoryReplayStore as MemoryReplayStore
    from .store.replays import ReplayStore as ReplayStore
    from .taskrouter import Instruction as Instruction
    from .twiml import FaxResponse as FaxResponse
    from .twiml import MessagingResponse as MessagingResponse
    from .twiml import VoiceResponse as VoiceResponse
    from .wsgi import VerifiedRequest as VerifiedRequest
    from .wsgi import request_url as request_url
    from .wsgi import verified_request as verified_request
    from .wsgi import verify_environ as verify_environ

#: Where each public name lives.
_EXPORTS = {
    "Alert": "events",
    "Assignment": "events",
    "Instruction": "taskrouter",
    "TaskRouterEvent": "events",
    "ConversationEvent": "events",
    "ModifyAction": "conversations_webhooks",
    "RejectAction": "conversations_webhooks",
    "AmdResult": "events",
    "AsyncDispatcher": "dispatch",
    "AsyncRelaySession": "realtime",
    "AsyncStreamSession": "realtime",
    "Blocklist": "store",
    "BodyHashMismatch": "exceptions",
    "Call": "events",
    "CallRecord": "store",
    "CallStatus": "events",
    "Calls": "store",
    "ConferenceStatus": "events",
    "ConfigurationError": "exceptions",
    "DeliveryFailed": "exceptions",
    "DeliveryTimeout": "exceptions",
    "Conversation": "conversation",
    "Conversations": "store",
    "Deliveries": "store",
    "Delivery": "store",
    "Dispatcher": "dispatch",
    "FailedWebhook": "store",
    "FaxResponse": "twiml",
    "HandlerError": "exceptions",
    "History": "store",
    "HistoryRecord": "store",
    "IncomingMessage": "events",
    "CallStatusEvent": "cloudevents",
    "CloudEvent": "cloudevents",
    "MessageStatusEvent": "cloudevents",
    "InvalidNesting": "exceptions",
    "InvalidSignature": "exceptions",
    "InvalidText": "exceptions",
    "KINDS": "kinds",
    "Kind": "kinds",
    "Location": "events",
    "LockTimeout": "store",
    "MediaItem": "events",
    "MemoryReplayStore": "store.replays",
    "MemoryStore": "store",
    "MessageStatus": "events",
    "MessagingResponse": "twiml",
    "MissingSignature": "exceptions",
    "OptOuts": "store",
    "Params": "events",
    "RecordingStatus": "events",
    "RelaySession": "realtime",
    "ReplayStore": "store.replays",
    "Reply": "replies",
    "RequestError": "exceptions",
    "RequestTooLarge": "exceptions",
    "RunnerUnavailable": "exceptions",
    "Settings": "settings",
    "SignatureError": "exceptions",
    "SignatureVerifier": "signature",
    "SimulationError": "exceptions",
    "StatusUpdate": "store",
    "Store": "store",
    "StoreError": "store",
    "StoreUnavailable": "store",
    "StreamSession": "realtime",
    "TooManyDocuments": "exceptions",
    "Transcription": "events",
    "TwhooksError": "exceptions",
    "TwilioApiError": "exceptions",
    "SentMessage": "rest.messages",
    "TwiMLError": "exceptions",
    "TwiMLLimitExceeded": "exceptions",
    "TwiMLParseError": "exceptions",
    "TwilioHooks": "flask",
    "TwilioSignatureMiddleware": "middleware",
    "JsonFormatter": "observability",
    "WebhookFields": "observability",
    "WebhookLogFields": "observability",
    "current_webhook": "observability",
    "UnknownAccount": "exceptions",
    "UnreadableParams": "exceptions",
    "UnsignedBody": "exceptions",
    "UnsupportedAlgorithm": "exceptions",
    "VerifiedRequest": "wsgi",
    "VoiceResponse": "twiml",
    "WebhookRequest": "request",
    "WhatsAppInfo": "events",
    "classify_opt_keyword": "store",
    "compute_signature": "signature",
    "connect_relay": "realtime",
    "connect_stream": "realtime",
    "conversation_key": "store",
    "is_valid_signature": "signature",
    "keep_bare_query": "signature",
    "message_status_rank": "events",
    "open_store": "store",
    "parse_form": "forms",
    "request_url": "wsgi",
    "verified_request": "wsgi",
    "verify_environ": "wsgi",
    "verify_request": "request",
    "verify_signature": "signature",
}

__all__ = sorted(_EXPORTS)

#: The public modules: each one's ``__all__`` is public API, documented in ``docs/api``
#: (``tools/api_docs/gen.py`` writes it from this list). A public module inside another one
#: is a section of its parent's page. Keep this short: an app should need no other module.
_PUBLIC_MODULES = (
    "twhooks",
    "twhooks.twiml",
    "twhooks.twiml.messaging",
    "twhooks.twiml.voice",
    "twhooks.twiml.ssml",
    "twhooks.twiml.fax",
    "twhooks.store",
    "twhooks.store.sqlite",
    "twhooks.store.sql",
    "twhooks.store.redis",
    "twhooks.realtime",
    "twhooks.realtime.messages",
    "twhooks.realtime.audio",
    "twhooks.realtime.resample",
    "twhooks.realtime.shared",
    "twhooks.realtime.testing",
    "twhooks.quart",
    "twhooks.asgi",
    "twhooks.settings",
    "twhooks.background",
    "twhooks.observability",
    "twhooks.inspector",
    "twhooks.flask",
    "twhooks.flask.testing",
    "twhooks.pytest_plugin",
    "twhooks.simulator",
    "twhooks.payloads",
    "twhooks.request_validator",
    "twhooks.rest",
    "twhooks.testing",
)

__version__ = "0.3.0.dev0"


#: Names kept for one release: old name → (module, new name).
_DEPRECATED = {"StoredReply": ("replies", "Reply")}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        import warnings

        home, new = _DEPRECATED[name]
        warnings.warn(
            f"twhooks.{name} is deprecated: use twhooks.{new}", DeprecationWarning, stacklevel=2
        )
        return getattr(importlib.import_module(f".{home}", __name__), new)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'twhooks' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
