"""The official module's name for :mod:`twhooks.twiml.voice`.

Code written for twilio.twiml.voice_response only needs its import line changed::

    from twhooks.twiml.voice_response import ...
"""

from .voice import *  # noqa: F403
from .voice import __all__ as __all__
