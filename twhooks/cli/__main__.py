"""``python -m twhooks.cli``: the ``twhooks`` command."""

import sys

from . import main

sys.exit(main())
