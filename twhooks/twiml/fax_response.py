"""The official module's name for :mod:`twhooks.twiml.fax`.

Code written for twilio.twiml.fax_response only needs its import line changed::

    from twhooks.twiml.fax_response import ...
"""

from .fax import *  # noqa: F403
from .fax import __all__ as __all__
