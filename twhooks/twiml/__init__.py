"""TwiML on lxml: a fast, checked, typed drop-in for ``twilio.twiml``.

::

    from twhooks.twiml import MessagingResponse

    response = MessagingResponse()
    response.message("Thanks, we got it.")
    str(response)
    # '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, we got it.</Message>...'

See :doc:`/twiml` for the guide and the differences from the official builder.
"""

from ._base import MAX_MESSAGE_CHARS as MAX_MESSAGE_CHARS
from ._base import MAX_RESPONSE_BYTES as MAX_RESPONSE_BYTES
from ._base import GenericNode as GenericNode
from ._base import TwiML as TwiML
from .fax import FaxResponse as FaxResponse
from .messaging import MessagingResponse as MessagingResponse
from .parsing import Kind as Kind
from .parsing import parse as parse
from .voice import VoiceResponse as VoiceResponse
