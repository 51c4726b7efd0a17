"""Pure functions over webhook fields: addresses, conversation keys, opt-out keywords."""

from __future__ import annotations

import string
from typing import Literal

__all__ = [
    "HELP_KEYWORDS",
    "OPT_IN_KEYWORDS",
    "OPT_OUT_KEYWORDS",
    "OptKeyword",
    "call_conversation_key",
    "classify_opt_keyword",
    "conversation_key",
    "normalize_address",
]

OptKeyword = Literal["opt_out", "opt_in", "help"]

#: Twilio's default opt-out keywords (the 2024 FCC rule list).
OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
#: Twilio's default opt-in keywords.
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
#: Twilio's default help keywords.
HELP_KEYWORDS = frozenset({"HELP", "INFO"})

_OPT_OUT_TYPES: dict[str, OptKeyword] = {"STOP": "opt_out", "START": "opt_in", "HELP": "help"}
_STRIP = string.whitespace + string.punctuation


def normalize_address(address: str) -> str:
    """*address* as the store keys it: trimmed, inner spaces removed, ``whatsapp:`` dropped.

    Twilio sends a WhatsApp sender as ``whatsapp:+15551234567``; dropping the channel prefix
    (whatever its case) makes one person with one of your numbers one conversation, one
    opt-out and one block-list entry, by SMS or WhatsApp alike.
    """
    address = "".join(address.split())
    if address[:9].lower() == "whatsapp:":
        address = address[9:]
    return address


def conversation_key(from_: str, to: str, account_sid: str | None = None) -> str:
    """The key of the message conversation between *from_* (the person) and *to* (your number).

    :param account_sid: the ``AccountSid`` of the webhook (subaccounts keep apart);
        ``None`` or ``""`` when the app has only one account.
    """
    return f"msg:{account_sid or ''}:{normalize_address(from_)}:{normalize_address(to)}"


def call_conversation_key(call_sid: str) -> str:
    """The key of the conversation of one call (its ``CallSid``)."""
    return f"call:{call_sid}"


def classify_opt_keyword(body: str | None, opt_out_type: str | None = None) -> OptKeyword | None:
    """Whether an incoming message is an opt-out, an opt-in or a help request.

    With Advanced Opt-Out, Twilio says so itself in ``OptOutType`` (``STOP``, ``START``,
    ``HELP``): when present it wins over the body. Otherwise the *whole* message must be one of
    Twilio's default keywords, in any case, with surrounding whitespace and punctuation
    ignored (``"Stop."`` opts out; ``"stop sending me this"`` does not).
    """
    if opt_out_type:
        return _OPT_OUT_TYPES.get(opt_out_type.strip().upper())
    if not body:
        return None
    word = body.strip(_STRIP).upper()
    if word in OPT_OUT_KEYWORDS:
        return "opt_out"
    if word in OPT_IN_KEYWORDS:
        return "opt_in"
    if word in HELP_KEYWORDS:
        return "help"
    return None
