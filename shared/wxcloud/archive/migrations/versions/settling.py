"""Revision ``settling``: results know when they were fetched and whether WeChat can know more; the
revision table and the run ledger.

The first release stored each period once and froze it, but WeChat's retention reports fill in
over up to 30 days after the period, so some of what it stored is incomplete. This revision adds to
``{prefix}result`` the columns the new code decides re-fetches by (``fetched_on``, ``fetches``,
``settled``), fills them for the rows already there so that exactly the periods fetched before they
could be complete are asked again (the table's comment now says it keeps the latest result), and
creates ``{prefix}revision`` and ``{prefix}run``.

The rows already there get:

* ``fetched_on``: the Beijing day (UTC+8) of ``fetched_at``, computed in SQL;
* ``fetches``: 1 (the column's default: the first release fetched each period once);
* ``settled``: whether the report's period had settled on that day
  (``REPORTS[api].settling.settles_on(period) <= fetched_on``); that rule is Python's
  (``reports.Settling``, months of unequal length included), so it is computed per row here, and
  written back in batches of keys. A row of an API this release does not archive: settled.

The table definitions are written out here, not taken from ``tables.py``: a revision must keep
creating what it created when ``tables.py`` has moved on (a test checks that an upgraded archive
and a new one have the same tables today).

It can run again over its own half-done work (on MySQL and MariaDB each ``ALTER TABLE`` and
``CREATE TABLE`` commits on its own): it adds only missing columns and tables, and fills only rows
whose ``fetched_on`` is still empty; its data changes come after all its DDL and commit together
with the version stamp, so ``fetched_on IS NULL`` marks exactly the rows still to fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alembic import op
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    Interval,
    String,
    Text,
    false,
    func,
    inspect,
    literal_column,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy import column as column_of
from sqlalchemy import table as table_of
from sqlalchemy.dialects import mysql
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import TypeEngine

from wxcloud.archive.reports import REPORTS
from wxcloud.archive.schema import PREFIX_OPTION
from wxcloud.dates import parse_yyyymmdd
from wxcloud.periods import Period

revision = "settling"
down_revision = "released"

DATE = 8  # yyyymmdd
NAME_LENGTH = 64
BATCH = 200  # keys per UPDATE: 800 bound values, within every SQLite's limit

Key = tuple[str, str, str, str]  # appid, api, begin_date, end_date


def upgrade() -> None:
    prefix = op.get_context().opts[PREFIX_OPTION]
    connection = op.get_bind()
    results = f"{prefix}result"
    present = {column["name"] for column in inspect(connection).get_columns(results)}
    for new in (
        Column("fetched_on", String(DATE)),
        Column("fetches", Integer(), nullable=False, server_default="1"),
        Column("settled", Boolean(), nullable=False, server_default=false()),
    ):
        if new.name not in present:
            op.add_column(results, new)
    if connection.dialect.name != "sqlite":  # SQLite keeps no comments
        op.create_table_comment(results, "wxcloud archive: the latest cloud-call result per (appid, api, period), exactly as returned")
    tables = set(inspect(connection).get_table_names())
    if f"{prefix}revision" not in tables:
        _create_revision_table(f"{prefix}revision")
    if f"{prefix}run" not in tables:
        _create_run_table(f"{prefix}run")
    _fill(connection, results)


def _fill(connection: Connection, name: str) -> None:
    """``fetched_on`` and ``settled`` of the rows that have no ``fetched_on`` yet (``fetches`` has
    its default): the keys and Beijing days read in one query, ``settled`` written per value in
    batches of keys, ``fetched_on`` last, in one statement."""
    results = table_of(
        name,
        *(column_of(key, String()) for key in ("appid", "api", "begin_date", "end_date")),
        column_of("fetched_at", DateTime()),
        column_of("fetched_on", String()),
        column_of("settled", Boolean()),
    )
    key = tuple_(results.c.appid, results.c.api, results.c.begin_date, results.c.end_date)
    day = _beijing_day(connection.dialect.name, results.c.fetched_at)
    unfilled = results.c.fetched_on.is_(None)
    rows = connection.execute(select(results.c.appid, results.c.api, results.c.begin_date, results.c.end_date, day.label("day")).where(unfilled))
    settled: dict[bool, list[Key]] = {True: [], False: []}
    for appid, api, begin_date, end_date, fetched_on in rows.all():
        settled[_settled(api, begin_date, end_date, fetched_on)].append((appid, api, begin_date, end_date))
    for value, keys in settled.items():
        for batch in _batches(keys):
            connection.execute(update(results).where(unfilled, key.in_(batch)).values(settled=value))
    connection.execute(update(results).where(unfilled).values(fetched_on=day))


def _settled(api: str, begin_date: str, end_date: str, fetched_on: str) -> bool:
    """Whether WeChat could know no more about the period on ``fetched_on`` than it answered."""
    report = REPORTS.get(api)
    begin, end = parse_yyyymmdd(begin_date), parse_yyyymmdd(end_date)
    if report is None or begin is None or end is None:  # nothing this release would ask again
        return True
    return f"{report.settling.settles_on(Period(begin, end)):%Y%m%d}" <= fetched_on


def _beijing_day(dialect: str, fetched_at: ColumnElement[Any]) -> ColumnElement[str]:
    """``fetched_at`` (UTC, without a zone) as the Beijing day yyyymmdd, in the dialect's SQL."""
    if dialect == "sqlite":  # SQLAlchemy stores a DateTime as 'YYYY-MM-DD HH:MM:SS.ffffff', which strftime reads
        return func.strftime("%Y%m%d", fetched_at, "+8 hours", type_=String())
    if dialect == "postgresql":
        return func.to_char(fetched_at + literal_column("interval '8 hours'", Interval()), "YYYYMMDD", type_=String())
    return func.date_format(func.date_add(fetched_at, text("INTERVAL 8 HOUR")), "%Y%m%d", type_=String())


def _batches(keys: Sequence[Key]) -> list[list[Key]]:
    return [list(keys[start : start + BATCH]) for start in range(0, len(keys), BATCH)]


def _long_text() -> TypeEngine[Any]:
    return Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _id() -> Column[Any]:
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)


def _period_key() -> list[Column[Any]]:
    return [
        Column("appid", String(NAME_LENGTH), nullable=False),
        Column("api", String(NAME_LENGTH), nullable=False),
        Column("begin_date", String(DATE), nullable=False),
        Column("end_date", String(DATE), nullable=False),
    ]


def _create_revision_table(name: str) -> TableClause:
    return op.create_table(
        name,
        _id(),
        *_period_key(),
        Column("result", _long_text(), nullable=False),
        Column("fetched_at", DateTime(), nullable=False),
        Column("fetched_on", String(DATE)),
        Column("replaced_at", DateTime(), nullable=False),
        Column("revised", Boolean(), nullable=False),
        comment="wxcloud archive: every result a later answer replaced",
    )


def _create_run_table(name: str) -> TableClause:
    return op.create_table(
        name,
        _id(),
        Column("appid", String(NAME_LENGTH)),
        Column("run_trigger", String(16), nullable=False),
        Column("today", String(DATE)),
        Column("started_at", DateTime(), nullable=False, server_default=func.now()),
        Column("ended_at", DateTime()),
        Column("outcome", String(16), nullable=False),
        Column("summary", _long_text()),
        Column("error", Text()),
        comment="wxcloud archive: the run ledger",
    )
