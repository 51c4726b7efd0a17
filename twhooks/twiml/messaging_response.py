"""The official module's name for :mod:`twhooks.twiml.messaging`.

Code written for twilio.twiml.messaging_response only needs its import line changed::

    from twhooks.twiml.messaging_response import ...
"""

from .messaging import *  # noqa: F403
from .messaging import __all__ as __all__
