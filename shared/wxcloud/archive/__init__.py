"""The archive: every closed period of the analysis reports, kept in a database of your own.

WeChat answers one period per request and keeps no history for you; a dashboard wants a year of
it. The archive fetches each closed period, stores the exact cloud-call result (and flat rows for
SQL) in SQLite, PostgreSQL or MySQL, asks again only while WeChat can still tell more (retention
fills in over 30 days, weeks and months), and answers from there afterwards:

* ``Archive(url)``: persistence (``store``, ``results``, ``stored``, ``revisions``, ``fetched_on``);
* ``ReadThrough(archive, client)``: ``get``, a cloud call answered from the archive when it can;
* ``plan``: which periods an archive keeps (``periods``), lacks (``missing``), asks for (``due``);
* ``run_job``: fetch what is missing, a few periods at a time, within a time budget; its answer
  is typed (``AppSummary``, one app's part of a ``RunSummary``: counts, ``Stop`` and ``ErrorRecord``
  values), and ``fetch.answer.app_json`` writes it as the function answers it;
* ``ArchiveFunction``: the SCF function ``functions/archiveAnalysis`` (daily timer, manual runs);
* ``Ledger``: the run ledger every run writes; ``status.status`` (``Status``): is each report fresh?
* ``python -m wxcloud.archive`` / ``wxcloud-archive``: run, backfill, export, chart, report, status.

Needs the ``archive`` extra (SQLAlchemy, alembic, psycopg, PyMySQL; installed from the checkout:
``pip install '.[archive]'``); ``chart`` also needs matplotlib (``.[archive,chart]``). Without it,
importing this package raises ``wxcloud.extras.MissingExtra`` (a ``ModuleNotFoundError``) whose
message is the line that installs it; the command prints that line and exits 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..extras import missing_extra, stop_program

try:
    from . import plan
    from .errors import DatabaseError, NotStored, RowRefused
    from .fetch import ApiTally, AppSummary, ErrorRecord, ReadThrough, RunSummary, Stop, Summary, run_job
    from .kept import REPORTS, Report, Settling, Shape
    from .observe import Ledger, Run, Status
    from .plan import Job
    from .store import Archive, Revision, Stored, StoreOutcome
except ModuleNotFoundError as exc:  # SQLAlchemy or alembic: the archive extra is not installed
    missing = missing_extra("archive", exc, "wxcloud.archive")
    if missing is None:
        raise
    stop_program(missing, module="wxcloud.archive", script="wxcloud-archive")  # one line for the command's user
    raise missing from exc

__all__ = [
    "REPORTS",
    "ApiTally",
    "AppSummary",
    "Archive",
    "ArchiveFunction",
    "DatabaseError",
    "ErrorRecord",
    "Job",
    "Ledger",
    "NotStored",
    "ReadThrough",
    "Report",
    "Revision",
    "RowRefused",
    "Run",
    "RunSummary",
    "Settling",
    "Shape",
    "Status",
    "Stop",
    "StoreOutcome",
    "Stored",
    "Summary",
    "plan",
    "run_job",
]

if TYPE_CHECKING:
    from .function.handler import ArchiveFunction


def __getattr__(name: str) -> Any:
    """``ArchiveFunction`` on first use: the CLI and the library never load the SCF handler."""
    if name == "ArchiveFunction":
        from .function.handler import ArchiveFunction

        return ArchiveFunction
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
