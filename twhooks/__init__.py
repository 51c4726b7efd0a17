"""twhooks: receive Twilio webhooks in Flask apps.

The public API is re-exported here; each name lives in a module of its own.
"""

from .exceptions import BodyHashMismatch as BodyHashMismatch
from .exceptions import HandlerError as HandlerError
from .exceptions import InvalidNesting as InvalidNesting
from .exceptions import InvalidSignature as InvalidSignature
from .exceptions import InvalidText as InvalidText
from .exceptions import MissingSignature as MissingSignature
from .exceptions import SignatureError as SignatureError
from .exceptions import TwhooksError as TwhooksError
from .exceptions import TwiMLError as TwiMLError
from .exceptions import TwiMLLimitExceeded as TwiMLLimitExceeded
from .exceptions import TwiMLParseError as TwiMLParseError
from .exceptions import UnknownAccount as UnknownAccount
from .exceptions import UnsupportedAlgorithm as UnsupportedAlgorithm

__version__ = "0.1.0"
