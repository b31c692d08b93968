"""The archive's tables, as SQLAlchemy Core data, and the two writes that know the dialects.

``{prefix}result`` keeps every archived period whole: ``(appid, api, begin_date, end_date)`` is its
primary key, ``result`` the latest cloud-call result as JSON text (text, not a JSON column type:
MySQL's JSON type reorders keys, and the result is kept as the cloud call returned it, but for
what no database holds alike: ``storable.py``). Beside it:
``fetched_at`` (UTC) and ``fetched_on`` (the Beijing day of the run that fetched it, which decides
whether WeChat can know more now), ``fetches`` (how many times it was asked for) and ``settled``
(WeChat could know nothing more when it answered). The flat tables (one per shape in
``reports.py``) repeat the period's key plus ``position``, the row's place among the rows its
result became, and always hold the rows of the result beside them.

``{prefix}revision`` keeps every result that a later answer replaced, with its own fetch time, so
what WeChat said when stays visible (and whether it ever revises a settled report: ``revised`` is
true when a figure it had already given changed, not when keys were only added).

``{prefix}run`` is the run ledger: one row per run (timer, manual invoke, CLI, fan-out worker) and
app, written when it starts (with where it asks WeChat, ``base_url``) and again when it ends,
with its summary. ``{prefix}lease`` beside it says which app a worker is archiving right now, and
until when (``leases.py``). ``{prefix}window`` holds, per app, the first day of the range the
archive keeps: the earliest since a run of it was asked for (``window.py``), which ``run`` and
``status`` take when no since is given.

Writes that meet another run's are one call each: ``insert_new`` (``INSERT ... ON CONFLICT DO
NOTHING`` on SQLite and PostgreSQL, ``INSERT IGNORE`` on MySQL and MariaDB), and ``upsert_newer``
(``ON CONFLICT DO UPDATE ... WHERE`` / ``ON DUPLICATE KEY UPDATE`` with ``IF``), which replaces a
row only with one fetched at the same time or later, so an older answer never overwrites a newer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    func,
    insert,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import TypeEngine

from ..kept.reports import SHAPES, ColumnType, Shape

DATE = 8  # yyyymmdd
NAME_LENGTH = 64  # appid, api name
KEY_LENGTH = 191  # the longest key MySQL indexes in utf8mb4 without a prefix
BASE_URL_LENGTH = 300  # a run's WeChat, scheme://host[:port] (a DNS name is at most 253 characters)
# On MySQL and MariaDB every table is utf8mb4 whatever the database's default (latin1 or the 3-byte
# utf8 of older servers would refuse Chinese or 4-byte characters, or INSERT IGNORE would turn them
# into "?"), so an archive there holds any text the other databases hold.
MYSQL_TABLE: dict[str, Any] = {"mysql_charset": "utf8mb4"}


def _long_text() -> TypeEngine[Any]:
    return Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _id() -> Column[Any]:
    """An autoincrementing key (SQLite autoincrements only an INTEGER primary key)."""
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)


def _sql_type(kind: ColumnType, length: int) -> TypeEngine[Any]:
    if kind == "int":
        return BigInteger()
    if kind == "float":
        return Double()
    return String(length)


def _period_key() -> list[Column[Any]]:
    return [
        Column("appid", String(NAME_LENGTH), primary_key=True),
        Column("api", String(NAME_LENGTH), primary_key=True),
        Column("begin_date", String(DATE), primary_key=True),
        Column("end_date", String(DATE), primary_key=True),
    ]


@dataclass(frozen=True)
class Tables:
    prefix: str
    metadata: MetaData
    results: Table
    revisions: Table
    runs: Table
    leases: Table
    windows: Table
    flat: dict[str, Table]  # shape's table suffix -> table

    @classmethod
    def build(cls, prefix: str) -> Tables:
        metadata = MetaData()
        results = Table(
            f"{prefix}result",
            metadata,
            *_period_key(),
            Column("result", _long_text(), nullable=False),
            Column("fetched_at", DateTime(), nullable=False),  # UTC
            Column("fetched_on", String(DATE)),  # the Beijing day of the run that fetched it
            Column("fetches", Integer(), nullable=False, server_default="1"),
            Column("settled", Boolean(), nullable=False, server_default=false()),
            **MYSQL_TABLE,
            comment="wxcloud archive: the latest cloud-call result per (appid, api, period), exactly as returned",
        )
        revisions = Table(
            f"{prefix}revision",
            metadata,
            _id(),
            *(Column(column.name, column.type, nullable=False) for column in _period_key()),
            Column("result", _long_text(), nullable=False),
            Column("fetched_at", DateTime(), nullable=False),  # when WeChat gave this (replaced) answer, UTC
            Column("fetched_on", String(DATE)),
            Column("replaced_at", DateTime(), nullable=False),  # when a later answer replaced it, UTC
            Column("revised", Boolean(), nullable=False),  # the later answer changed a figure this one had
            **MYSQL_TABLE,
            comment="wxcloud archive: every result a later answer replaced",
        )
        runs = Table(
            f"{prefix}run",
            metadata,
            _id(),
            Column("appid", String(NAME_LENGTH)),  # unknown when a run fails before its settings are read
            Column(
                "run_trigger", String(16), nullable=False
            ),  # timer, direct (a manual invoke), cli or worker (of a fanned-out run)
            Column("today", String(DATE)),  # the Beijing day the run chose its periods by
            Column("started_at", DateTime(), nullable=False, server_default=func.now()),  # UTC
            Column("ended_at", DateTime()),  # NULL while it runs (or when it died)
            Column("outcome", String(16), nullable=False),  # running, complete, incomplete, failed
            Column("summary", _long_text()),  # the run's JSON summary
            Column("error", Text()),  # errCode errMsg of a failed run (never a secret)
            Column(
                "base_url", String(BASE_URL_LENGTH)
            ),  # scheme://host[:port] of the WeChat it asked (last: a revision added it)
            **MYSQL_TABLE,
            comment="wxcloud archive: the run ledger",
        )
        leases = Table(
            f"{prefix}lease",
            metadata,
            Column("work_key", String(KEY_LENGTH), primary_key=True),  # what is being archived: an appid
            Column("holder", String(KEY_LENGTH), nullable=False),  # the worker's request id, or handoff:<token>
            Column("run_id", BigInteger()),  # the holder's row in the run ledger
            Column("taken_at", DateTime(), nullable=False),  # UTC
            Column("expires_at", DateTime(), nullable=False),  # UTC: after it, anyone may take the lease over
            **MYSQL_TABLE,
            comment="wxcloud archive: who is archiving what right now (the workers of a fanned-out run)",
        )
        windows = Table(
            f"{prefix}window",
            metadata,
            Column("appid", String(NAME_LENGTH), primary_key=True),
            Column(
                "since", String(DATE), nullable=False
            ),  # yyyymmdd: the earliest since a run of the app was asked for
            Column("updated_at", DateTime(), nullable=False),  # UTC: when it last moved earlier
            **MYSQL_TABLE,
            comment="wxcloud archive: the first day of the range kept per app (the earliest since a run was asked for)",
        )
        flat = {shape.table: _flat_table(metadata, prefix, shape) for shape in SHAPES}
        return cls(prefix, metadata, results, revisions, runs, leases, windows, flat)

    def for_shape(self, shape: Shape) -> Table:
        return self.flat[shape.table]


def _flat_table(metadata: MetaData, prefix: str, shape: Shape) -> Table:
    return Table(
        f"{prefix}{shape.table}",
        metadata,
        *_period_key(),
        Column("position", Integer(), primary_key=True, autoincrement=False),
        Column("ref_date", String(32)),
        *(Column(column.column, _sql_type(column.type, column.length)) for column in shape.columns),
        **MYSQL_TABLE,
        comment=f"wxcloud archive: flat {shape.table} rows of the archived results",
    )


def insert_new(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows``, skipping any whose primary key is there already; for a single row, 1 if
    it went in and 0 if it was there (for several, -1: nobody needs the count)."""
    if not rows:
        return 0
    name = connection.dialect.name
    if name == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif name == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    elif name in {"mysql", "mariadb"}:
        statement = insert(table).prefix_with("IGNORE")
    else:  # parse_url admits only the three
        raise ValueError(f"no idempotent insert for the {name} dialect")
    if len(rows) > 1:
        connection.execute(statement, list(rows))
        return -1
    if name == "postgresql":  # psycopg reports no rowcount here: count what RETURNING gives back
        return len(connection.execute(statement.returning(*table.primary_key.columns), rows[0]).all())
    return int(connection.execute(statement, rows[0]).rowcount)


def upsert_newer(connection: Connection, table: Table, row: dict[str, Any], *, newer: str = "fetched_at") -> None:
    """Insert ``row``, or replace the row with its key when ``row[newer]`` is not older than the
    stored one: two runs storing the same period in either order leave the newer answer."""
    name = connection.dialect.name
    keys = {column.name for column in table.primary_key.columns}
    updated = [column for column in row if column not in keys]
    if name in {"postgresql", "sqlite"}:
        dialect: Any = postgresql if name == "postgresql" else sqlite
        statement = dialect.insert(table).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[key] for key in keys],
            set_={column: statement.excluded[column] for column in updated},
            where=statement.excluded[newer] >= table.c[newer],
        )
    elif name in {"mysql", "mariadb"}:
        statement = mysql.insert(table).values(row)
        fresh = table.c[newer] <= statement.inserted[newer]
        # MySQL applies the assignments left to right: the guard column is assigned last, so every
        # IF before it still compares against the stored value.
        ordered = [column for column in updated if column != newer] + [newer]
        statement = statement.on_duplicate_key_update(
            [(column, func.if_(fresh, statement.inserted[column], table.c[column])) for column in ordered]
        )
    else:  # parse_url admits only the three
        raise ValueError(f"no upsert for the {name} dialect")
    connection.execute(statement)
