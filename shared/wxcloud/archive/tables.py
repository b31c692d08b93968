"""The archive's tables, as SQLAlchemy Core data, and the one insert that ignores what is there.

``{prefix}result`` keeps every archived period whole: ``(appid, api, begin_date, end_date)`` is its
primary key, ``result`` the exact cloud-call result as JSON text (text, not a JSON column type:
MySQL's JSON type reorders keys, and the result is kept as the cloud call returned it). The flat
tables (one per shape in ``reports.py``) repeat the period's key plus ``position``, the row's
place among the rows its result became, so they are idempotent the same way.

Idempotent writes are one call, ``insert_new``: ``INSERT ... ON CONFLICT DO NOTHING`` on SQLite
and PostgreSQL, ``INSERT IGNORE`` on MySQL and MariaDB. Two runs storing the same period at once
both succeed; the unique key lets exactly one row in, and the other sees 0 rows inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, DateTime, Double, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import TypeEngine

from .reports import SHAPES, ColumnType, Shape

DATE = 8  # yyyymmdd
NAME = 64  # appid, api name


def _sql_type(kind: ColumnType, length: int) -> TypeEngine[Any]:
    if kind == "int":
        return BigInteger()
    if kind == "float":
        return Double()
    return String(length)


def _period_key() -> list[Column[Any]]:
    return [
        Column("appid", String(NAME), primary_key=True),
        Column("api", String(NAME), primary_key=True),
        Column("begin_date", String(DATE), primary_key=True),
        Column("end_date", String(DATE), primary_key=True),
    ]


@dataclass(frozen=True)
class Tables:
    metadata: MetaData
    results: Table
    flat: dict[str, Table]  # shape's table suffix -> table

    @classmethod
    def build(cls, prefix: str) -> Tables:
        metadata = MetaData()
        results = Table(
            f"{prefix}result",
            metadata,
            *_period_key(),
            Column("result", Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=False),
            Column("fetched_at", DateTime(), nullable=False),  # UTC
            comment="wxcloud archive: one cloud-call result per (appid, api, period), exactly as returned",
        )
        flat = {shape.table: _flat_table(metadata, prefix, shape) for shape in SHAPES}
        return cls(metadata, results, flat)

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
        return len(connection.execute(statement.returning(table.c.appid), rows[0]).all())
    return int(connection.execute(statement, rows[0]).rowcount)
