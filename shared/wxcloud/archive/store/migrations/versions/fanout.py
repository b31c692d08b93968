"""Revision ``fanout``: the lease table, so that the workers of a fanned-out run (and the runs
that dispatch them) never archive the same app at once.

``{prefix}lease`` holds one row per piece of work being done (``work_key``: an appid): who holds
it (``holder``: the SCF request id of the worker, or ``handoff:<token>`` while a worker hands the
app on to the one it invoked next), since when, and until when (``expires_at``, UTC): a worker
that dies leaves its lease to expire, and the next one takes it over.

Written out here rather than taken from ``tables.py`` (a revision must keep creating what it
created when ``tables.py`` moves on). It creates the table only when it is missing, so it can run
again over its own half-done work (each CREATE TABLE commits on its own on MySQL and MariaDB).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import BigInteger, Column, DateTime, String, inspect

from wxcloud.archive.store.schema import PREFIX_OPTION

revision = "fanout"
down_revision = "settling"

KEY_LENGTH = 191  # the longest key MySQL indexes in utf8mb4 without a prefix


def upgrade() -> None:
    prefix = op.get_context().opts[PREFIX_OPTION]
    name = f"{prefix}lease"
    if name in set(inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        name,
        Column("work_key", String(KEY_LENGTH), primary_key=True),
        Column("holder", String(KEY_LENGTH), nullable=False),
        Column("run_id", BigInteger()),
        Column("taken_at", DateTime(), nullable=False),
        Column("expires_at", DateTime(), nullable=False),
        comment="wxcloud archive: who is archiving what right now (the workers of a fanned-out run)",
    )
