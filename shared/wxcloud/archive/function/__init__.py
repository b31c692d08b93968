"""The archive on SCF: the ``archiveAnalysis`` function (timer and manual runs), its fan-out over
asynchronous invocations, and the per-app leases that let only a lease holder's events run.

Imports every wing before it (``kept``, ``store``, ``plan``, ``fetch``, ``observe``); ``cli`` is
the other edge, and neither imports the other.
"""

from __future__ import annotations
