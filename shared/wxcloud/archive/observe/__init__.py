"""Watching the archive: the run ledger, ``status`` (is every report fresh?) and the alerts a run
that needs attention sends (``alerts.notify``: when; ``alert_message``: what it says;
``webhook``: the WeCom robot it is posted to).

Imports ``kept``, ``store``, ``plan`` and ``fetch`` of the archive's wings.
"""

from __future__ import annotations

from .ledger import Ledger, Run
from .status import Status

__all__ = ["Ledger", "Run", "Status"]
