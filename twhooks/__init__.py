"""twhooks: receive Twilio webhooks in Flask apps.

The public API is re-exported here; each name lives in a module of its own.
"""

from .conversation import Conversation as Conversation
from .events import AmdResult as AmdResult
from .events import Call as Call
from .events import CallStatus as CallStatus
from .events import ConferenceStatus as ConferenceStatus
from .events import IncomingMessage as IncomingMessage
from .events import Location as Location
from .events import MediaItem as MediaItem
from .events import MessageStatus as MessageStatus
from .events import Params as Params
from .events import RecordingStatus as RecordingStatus
from .events import Transcription as Transcription
from .events import WhatsAppInfo as WhatsAppInfo
from .exceptions import BodyHashMismatch as BodyHashMismatch
from .exceptions import ConfigurationError as ConfigurationError
from .exceptions import HandlerError as HandlerError
from .exceptions import InvalidNesting as InvalidNesting
from .exceptions import InvalidSignature as InvalidSignature
from .exceptions import InvalidText as InvalidText
from .exceptions import MissingSignature as MissingSignature
from .exceptions import RequestError as RequestError
from .exceptions import RequestTooLarge as RequestTooLarge
from .exceptions import SignatureError as SignatureError
from .exceptions import SimulationError as SimulationError
from .exceptions import TooManyDocuments as TooManyDocuments
from .exceptions import TwhooksError as TwhooksError
from .exceptions import TwiMLError as TwiMLError
from .exceptions import TwiMLLimitExceeded as TwiMLLimitExceeded
from .exceptions import TwiMLParseError as TwiMLParseError
from .exceptions import UnknownAccount as UnknownAccount
from .exceptions import UnsupportedAlgorithm as UnsupportedAlgorithm
from .extension import TwilioHooks as TwilioHooks
from .forms import parse_form as parse_form
from .middleware import TwilioSignatureMiddleware as TwilioSignatureMiddleware
from .signature import SignatureVerifier as SignatureVerifier
from .signature import compute_signature as compute_signature
from .signature import is_valid_signature as is_valid_signature
from .signature import verify_signature as verify_signature
from .twiml import FaxResponse as FaxResponse
from .twiml import MessagingResponse as MessagingResponse
from .twiml import VoiceResponse as VoiceResponse
from .wsgi import VerifiedRequest as VerifiedRequest
from .wsgi import verify_environ as verify_environ

__version__ = "0.1.0"
