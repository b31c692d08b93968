"""Revision ``window``: the range each app's archive keeps, so that ``run`` and ``status`` agree with
the backfill that filled it.

``{prefix}window`` holds one row per app: ``since`` (yyyymmdd), the earliest since a run of that app
was asked for (a backfill's ``--since``, a manual run's ``since``, ``WX_ARCHIVE_SINCE``, or the year
a first run without one took), and when it last moved earlier. A run or ``status`` given no since
takes it (``window.py``), so a 60-day backfill is followed by runs of those 60 days onward, not of a
year. An archive upgraded to this revision has no rows yet: its runs and ``status`` fall back to a
year before their day, as before, until a run records one.

Written out here rather than taken from ``tables.py`` (a revision must keep creating what it
created when ``tables.py`` moves on). It creates the table only when it is missing, so it can run
again over its own half-done work (each CREATE TABLE commits on its own on MySQL and MariaDB).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, DateTime, String, inspect

from wxcloud.archive.schema import PREFIX_OPTION

revision = "window"
down_revision = "fanout"

DATE = 8  # yyyymmdd
NAME_LENGTH = 64


def upgrade() -> None:
    prefix = op.get_context().opts[PREFIX_OPTION]
    name = f"{prefix}window"
    if name in set(inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        name,
        Column("appid", String(NAME_LENGTH), primary_key=True),
        Column("since", String(DATE), nullable=False),
        Column("updated_at", DateTime(), nullable=False),
        comment="wxcloud archive: the first day of the range kept per app (the earliest since a run was asked for)",
    )
