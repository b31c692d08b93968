"""The window an archive keeps: per app, the first day of the range its runs were asked for.

Why the archive remembers it: a since given once (``backfill --since 60d``) must stay the since of
what follows, or the next ``run`` with none fetches a year the user never asked for, and ``status``
with none counts that year as missing. So every run records the since it was asked for, and the
window (``{prefix}window``, one row per app) keeps the earliest: it only ever grows back in time.

What a run (``windowed``) or ``status`` given no since takes, first that is set:

1. the since of the command or the event (``--since``, a manual run's ``since``);
2. ``WX_ARCHIVE_SINCE`` (a day, or a span such as ``1y`` counted back from the run's day);
3. the app's window: the earliest since any run of it was asked for;
4. a year before the run's Beijing day (``options.default_since``), which the run then records.

A run of several apps takes the earliest window of its apps (one job for all of them), and records
that for each: what the window says is what was asked of the app. To narrow a window, set
``WX_ARCHIVE_SINCE`` (it wins over the window) or delete the app's row; the archived periods before
it stay archived either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timezone

from sqlalchemy import Connection, select

from ...dates import parse_yyyymmdd
from ..store.archive import Archive
from ..store.tables import insert_new
from .job import Job


def kept_since(archive: Archive, appids: Sequence[str]) -> date | None:
    """The earliest window of ``appids`` (None: no run of any of them recorded one)."""
    return _earliest(_windows(archive, appids))


def _earliest(windows: dict[str, date | None]) -> date | None:
    known = [day for day in windows.values() if day is not None]
    return min(known) if known else None


def _windows(archive: Archive, appids: Sequence[str]) -> dict[str, date | None]:
    """The window of each of ``appids`` that has one (None: a day that does not read as one)."""
    if not appids:
        return {}
    table = archive.tables.windows
    query = select(table.c.appid, table.c.since).where(table.c.appid.in_(list(appids)))
    rows = archive.read(lambda connection: connection.execute(query).all())
    return {row[0]: parse_yyyymmdd(row[1]) for row in rows}


def keep(archive: Archive, appids: Sequence[str], since: date) -> None:
    """Record that a run of ``appids`` was asked for the periods since ``since``: each app's window
    becomes the earlier of its own and ``since`` (two runs at once leave the earlier of theirs)."""
    if not appids:
        return
    table = archive.tables.windows
    day = f"{since:%Y%m%d}"
    now = datetime.now(timezone.utc).replace(tzinfo=None)

    def write(connection: Connection) -> None:
        for appid in dict.fromkeys(appids):
            if insert_new(connection, table, [{"appid": appid, "since": day, "updated_at": now}]) == 0:
                connection.execute(
                    table.update().where(table.c.appid == appid, table.c.since > day).values(since=day, updated_at=now)
                )

    archive.write(write, "recording the range the archive keeps")


def windowed(archive: Archive, appids: Sequence[str], job: Job, *, chosen: bool) -> Job:
    """``job`` with the since of the archive's window when the run chose none (``chosen``: a since
    came from the command, the event or ``WX_ARCHIVE_SINCE``), that since recorded for those of
    ``appids`` whose window it widens: a run within the window writes nothing."""
    windows = _windows(archive, appids)
    if not chosen:
        kept = _earliest(windows)
        if kept is not None and kept != job.since:
            job = replace(job, since=kept)
    keep(archive, [appid for appid in appids if (windows.get(appid) or date.max) > job.since], job.since)
    return job
