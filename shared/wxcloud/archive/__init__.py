"""The archive: every closed period of the analysis reports, kept in a database of your own.

WeChat answers one period per request and keeps no history for you; a dashboard wants a year of
it. The archive fetches each closed period, stores the exact cloud-call result (and flat rows for
SQL) in SQLite, PostgreSQL or MySQL, asks again only while WeChat can still tell more (retention
fills in over 30 days, weeks and months), and answers from there afterwards:

* ``Archive(url)``: persistence (``store``, ``results``, ``stored``, ``revisions``, ``fetched_on``);
* ``ReadThrough(archive, client)``: ``get``, a cloud call answered from the archive when it can;
* ``plan``: which periods an archive keeps (``periods``), lacks (``missing``), asks for (``due``);
* ``run_job``: fetch what is missing, a few periods at a time, within a time budget;
* ``ArchiveFunction``: the SCF function ``functions/archiveAnalysis`` (daily timer, manual runs);
* ``Ledger``: the run ledger every run writes; ``status.status`` (``Status``): is each report fresh?
* ``python -m wxcloud.archive`` / ``wxcloud-archive``: run, backfill, export, chart, status.

Needs the ``archive`` extra (SQLAlchemy, psycopg, PyMySQL); ``chart`` also needs matplotlib.
"""

from __future__ import annotations

from . import plan
from .function import ArchiveFunction
from .job import ApiTally, Job, Summary, run_job
from .ledger import Ledger, Run
from .readthrough import ReadThrough
from .reports import REPORTS, Report, Settling, Shape
from .status import Status
from .store import Archive, DatabaseError, NotStored, Revision, Stored, StoreOutcome

__all__ = [
    "REPORTS",
    "ApiTally",
    "Archive",
    "ArchiveFunction",
    "DatabaseError",
    "Job",
    "Ledger",
    "NotStored",
    "ReadThrough",
    "Report",
    "Revision",
    "Run",
    "Settling",
    "Shape",
    "Status",
    "StoreOutcome",
    "Stored",
    "Summary",
    "plan",
    "run_job",
]
