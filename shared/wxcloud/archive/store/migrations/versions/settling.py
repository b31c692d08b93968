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
  (``reports.Settling``, months of unequal length included), so it is computed per row here. A
  row of an API this release does not archive, or whose dates are not days: settled.

An archive may hold hundreds of thousands of rows (ten reports, every day since 2017, many apps),
and the upgrade runs in an SCF instance's memory, so the rows are filled ``BATCH`` at a time
(``_fill``): read in primary-key order from where the last batch ended (keyset pagination, not
OFFSET, which would read the table again for every batch), ``settled`` computed, both columns
written by the rows' keys; memory holds one batch whatever the table's size (300,000 rows take
some 10 MB over the process at rest, a test checks it). How each database is written to fastest
differs (``_fill`` says how); the values do not.

The table definitions are written out here, not taken from ``tables.py``: a revision must keep
creating what it created when ``tables.py`` has moved on (a test checks that an upgraded archive
and a new one have the same tables today).

It can run again over its own half-done work (on MySQL and MariaDB each ``ALTER TABLE`` and
``CREATE TABLE`` commits on its own): it adds only missing columns and tables, and fills only rows
whose ``fetched_on`` is still empty; its data changes come after all its DDL and commit together
with the version stamp, and each statement writes ``fetched_on`` and ``settled`` of its rows
together, so ``fetched_on IS NULL`` marks exactly the rows still to fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
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
    and_,
    bindparam,
    false,
    func,
    inspect,
    literal,
    literal_column,
    or_,
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

from wxcloud.archive.kept.reports import REPORTS
from wxcloud.archive.store.schema import PREFIX_OPTION
from wxcloud.dates import parse_yyyymmdd
from wxcloud.periods import Period

revision = "settling"
down_revision = "released"

DATE = 8  # yyyymmdd
NAME_LENGTH = 64
BATCH = 1000  # rows read and written at a time (an IN list of 1,000 keys on MySQL and MariaDB: 4,000 bound values)

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
        op.create_table_comment(
            results, "wxcloud archive: the latest cloud-call result per (appid, api, period), exactly as returned"
        )
    tables = set(inspect(connection).get_table_names())
    if f"{prefix}revision" not in tables:
        _create_revision_table(f"{prefix}revision")
    if f"{prefix}run" not in tables:
        _create_run_table(f"{prefix}run")
    _fill(connection, results)


def _fill(connection: Connection, name: str) -> None:
    """``fetched_on`` and ``settled`` of the rows that have no ``fetched_on`` yet (``fetches`` has
    its default), ``BATCH`` rows at a time in key order (keyset pagination: each read starts in the
    primary key's index after the last key of the batch before, so each costs the same however far
    the fill has come): the batch's keys and Beijing days read, ``settled`` computed per row, both
    columns written by the rows' keys. Memory holds one batch, however many rows the table has;
    and as each statement writes both columns of a row, ``fetched_on IS NULL`` marks exactly the
    rows still to fill at every point. A row another writer adds meanwhile (an instance of the
    first release, on MySQL or MariaDB) is left unfilled, as no statement writes a row it has not
    read, and this release asks for it again (an empty ``fetched_on``: never fetched)."""
    results = table_of(
        name,
        *(column_of(key, String()) for key in ("appid", "api", "begin_date", "end_date")),
        column_of("fetched_at", DateTime()),
        column_of("fetched_on", String()),
        column_of("settled", Boolean()),
    )
    dialect = connection.dialect.name
    keys = (results.c.appid, results.c.api, results.c.begin_date, results.c.end_date)
    day = _beijing_day(dialect, results.c.fetched_at)
    unfilled = results.c.fetched_on.is_(None)
    first = select(*keys, day.label("day")).where(unfilled).order_by(*keys).limit(BATCH)
    last: Key | None = None
    while True:
        rows = connection.execute(first if last is None else first.where(_after(dialect, keys, last))).all()
        if not rows:
            return
        batch = [
            ((appid, api, begin_date, end_date), _settled(api, begin_date, end_date, fetched_on))
            for appid, api, begin_date, end_date, fetched_on in rows
        ]
        if dialect in {"mysql", "mariadb"}:
            # A row-value IN list per value of settled, which they look up in the primary key
            # (PyMySQL would send an executemany of UPDATEs one statement at a time).
            for value in (True, False):
                if chosen := [key for key, settled in batch if settled is value]:
                    connection.execute(
                        update(results).where(unfilled, tuple_(*keys).in_(chosen)).values(settled=value, fetched_on=day)
                    )
        else:
            # One UPDATE per row by its primary key, as one executemany: psycopg pipelines it and
            # SQLite runs it in process. (PostgreSQL's planner makes a row-value IN list a filter
            # over all of the (appid, api)'s rows, and SQLite's is slower still.)
            by_key = update(results).where(unfilled, *(column == bindparam(f"key_{column.name}") for column in keys))
            connection.execute(
                by_key.values(settled=bindparam("to_settled"), fetched_on=day),
                [
                    {"key_appid": k[0], "key_api": k[1], "key_begin_date": k[2], "key_end_date": k[3], "to_settled": v}
                    for k, v in batch
                ],
            )
        if len(rows) < BATCH:
            return
        last = batch[-1][0]


def _after(dialect: str, keys: Sequence[ColumnElement[str]], last: Key) -> ColumnElement[bool]:
    """The keys after ``last`` in the primary key's order, as the database range-scans its index
    for them: a row-value comparison ``(a, b, c, d) > (...)`` on PostgreSQL and SQLite; spelt out
    column by column on MySQL and MariaDB, which scan the whole index for the row-value form."""
    if dialect not in {"mysql", "mariadb"}:
        return tuple_(*keys) > tuple_(*(literal(value, String()) for value in last))
    after = keys[-1] > last[-1]
    for column, value in zip(reversed(keys[:-1]), reversed(last[:-1]), strict=True):
        after = or_(column > value, and_(column == value, after))
    return after


@lru_cache(maxsize=1 << 15)  # every report's periods from 2017 to 2029 (all apps share them), at most some 14 MB
def _settles_on(api: str, begin_date: str, end_date: str) -> str | None:
    """The day (yyyymmdd) the report's period settles; None: nothing this release would ask again
    (a report it does not archive, or dates that are not days). Cached: the apps of an archive
    share their periods, and the rule costs tens of microseconds a row."""
    report = REPORTS.get(api)
    begin, end = parse_yyyymmdd(begin_date), parse_yyyymmdd(end_date)
    if report is None or begin is None or end is None:
        return None
    return f"{report.settling.settles_on(Period(begin, end)):%Y%m%d}"


def _settled(api: str, begin_date: str, end_date: str, fetched_on: str) -> bool:
    """Whether WeChat could know no more about the period on ``fetched_on`` than it answered."""
    settles_on = _settles_on(api, begin_date, end_date)
    return settles_on is None or settles_on <= fetched_on


def _beijing_day(dialect: str, fetched_at: ColumnElement[Any]) -> ColumnElement[str]:
    """``fetched_at`` (UTC, without a zone) as the Beijing day yyyymmdd, in the dialect's SQL."""
    if dialect == "sqlite":  # SQLAlchemy stores a DateTime as 'YYYY-MM-DD HH:MM:SS.ffffff', which strftime reads
        return func.strftime("%Y%m%d", fetched_at, "+8 hours", type_=String())
    if dialect == "postgresql":
        return func.to_char(fetched_at + literal_column("interval '8 hours'", Interval()), "YYYYMMDD", type_=String())
    return func.date_format(func.date_add(fetched_at, text("INTERVAL 8 HOUR")), "%Y%m%d", type_=String())


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
