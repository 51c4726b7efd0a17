"""Shared state for every worker and host: replay claims, conversations, deliveries, calls,
opt-outs, the block list and the webhook history.

One store holds them all — SQLite by default, PostgreSQL or Redis when one machine is not
enough (:func:`open_store` reads ``TWHOOKS_STORE``). An app uses the facades
(:class:`Deliveries`, :class:`Conversations` …); a backend implements :class:`Store`.
"""

from __future__ import annotations

from .base import Store as Store
from .calls import Calls as Calls
from .conversations import Conversations as Conversations
from .conversations import ConversationSession as ConversationSession
from .deliveries import Deliveries as Deliveries
from .deliveries import StatusUpdate as StatusUpdate
from .errors import LockTimeout as LockTimeout
from .errors import StoreError as StoreError
from .errors import StoreUnavailable as StoreUnavailable
from .history import History as History
from .keys import call_conversation_key as call_conversation_key
from .keys import classify_opt_keyword as classify_opt_keyword
from .keys import conversation_key as conversation_key
from .keys import normalize_address as normalize_address
from .memory import MemoryStore as MemoryStore
from .open import open_store as open_store
from .optouts import Blocklist as Blocklist
from .optouts import OptOuts as OptOuts
from .records import CallEvent as CallEvent
from .records import CallRecord as CallRecord
from .records import ConversationRecord as ConversationRecord
from .records import Delivery as Delivery
from .records import FailedWebhook as FailedWebhook
from .records import HistoryRecord as HistoryRecord
from .records import OptOut as OptOut
from .records import StatusChange as StatusChange
from .settings import STORE_DEFAULTS as STORE_DEFAULTS
from .settings import StoreFacades as StoreFacades

__all__ = [
    "STORE_DEFAULTS",
    "Blocklist",
    "CallEvent",
    "CallRecord",
    "Calls",
    "ConversationRecord",
    "ConversationSession",
    "Conversations",
    "Deliveries",
    "Delivery",
    "FailedWebhook",
    "History",
    "HistoryRecord",
    "LockTimeout",
    "MemoryStore",
    "OptOut",
    "OptOuts",
    "StatusChange",
    "StatusUpdate",
    "Store",
    "StoreError",
    "StoreFacades",
    "StoreUnavailable",
    "call_conversation_key",
    "classify_opt_keyword",
    "conversation_key",
    "normalize_address",
    "open_store",
]
