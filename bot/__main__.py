"""``python -m bot``: the ``rassegna`` command."""

import sys

from bot.cli import main

sys.exit(main())
