"""The archive on SCF: the ``archiveAnalysis`` function (timer and manual runs), its fan-out over
asynchronous invocations, and the per-app leases that let only a lease holder's events run.

Imports every wing before it (``kept``, ``store``, ``plan``, ``fetch``, ``observe``); only ``cli``,
the terminal's edge, imports it (a backfill's leases, and its fan-out sent and followed from a
terminal), and nothing here imports ``cli``.
"""

from __future__ import annotations
