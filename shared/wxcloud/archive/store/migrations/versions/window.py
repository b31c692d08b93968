"""Revision ``window``: the range each app's archive keeps, so that ``run`` and ``status`` agree with
the backfill that filled it.

``{prefix}window`` holds one row per app: ``since`` (yyyymmdd), the earliest since a run of that app
was asked for (a backfill's ``--since``, a manual run's ``since``, ``WX_ARCHIVE_SINCE``, or the year
a first run without one took), and when it last moved earlier. A run or ``status`` given no since
takes it (``window.py``), so a 60-day backfill is followed by runs of those 60 days onward, not of a
year.

An archive upgraded to this revision gets a row for each app it holds: the first day of its oldest
archived period (of a report this release archives), which is where the runs that filled it began;
so its ``status`` checks what it has kept, not a year, and its runs do not narrow it. An app with
nothing archived gets its row from its next run.

Written out here rather than taken from ``tables.py`` (a revision must keep creating what it
created when ``tables.py`` moves on). It creates the table only when it is missing and fills only
the apps that have no row yet, so it can run again over its own half-done work (each CREATE TABLE
commits on its own on MySQL and MariaDB; the rows commit with the version stamp).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from alembic import op
from sqlalchemy import Column, Connection, DateTime, String, func, inspect, select
from sqlalchemy import column as column_of
from sqlalchemy import table as table_of

from wxcloud.archive.kept.reports import EARLIEST, REPORTS
from wxcloud.archive.store.schema import PREFIX_OPTION
from wxcloud.dates import parse_yyyymmdd

revision = "window"
down_revision = "provenance"

DATE = 8  # yyyymmdd
NAME_LENGTH = 64


def upgrade() -> None:
    prefix = op.get_context().opts[PREFIX_OPTION]
    name = f"{prefix}window"
    connection = op.get_bind()
    if name not in set(inspect(connection).get_table_names()):
        op.create_table(
            name,
            Column("appid", String(NAME_LENGTH), primary_key=True),
            Column("since", String(DATE), nullable=False),
            Column("updated_at", DateTime(), nullable=False),
            comment="wxcloud archive: the first day of the range kept per app (the earliest since a run was asked for)",
        )
    _fill(connection, f"{prefix}result", name)


def _fill(connection: Connection, results_name: str, name: str) -> None:
    """A row per app that has archived periods and no row yet: the first day of its oldest
    period of a report this release archives (a row whose dates are not days is passed over).
    One grouped read of the results' primary key: a few rows per app, whatever the table's size."""
    results = table_of(
        results_name, column_of("appid", String()), column_of("api", String()), column_of("begin_date", String())
    )
    windows = table_of(
        name, column_of("appid", String()), column_of("since", String()), column_of("updated_at", DateTime())
    )
    have = set(connection.execute(select(windows.c.appid)).scalars())
    oldest = select(results.c.appid, results.c.api, func.min(results.c.begin_date)).where(
        results.c.api.in_(list(REPORTS))
    )
    earliest: dict[str, date] = {}
    for appid, _api, begin_date in connection.execute(oldest.group_by(results.c.appid, results.c.api)).all():
        day = parse_yyyymmdd(begin_date or "")
        if appid not in have and day is not None and day >= EARLIEST:
            earliest[appid] = min(day, earliest.get(appid, day))
    if earliest:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        connection.execute(
            windows.insert(),
            [{"appid": appid, "since": f"{day:%Y%m%d}", "updated_at": now} for appid, day in earliest.items()],
        )
