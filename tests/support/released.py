"""What the first release left in users' databases, for the tests of the upgrade in place (and of the
revisions after it): the released code's tables, and the structure of a prefix's tables as the
database describes them, to compare an upgraded archive with a new one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Engine, MetaData, Table, inspect
from wxcloud.archive.store import schema
from wxcloud.archive.store.tables import Tables

UNKNOWN = "analysis.getRetiredReport"  # a report this release does not archive
BEIJING = timedelta(hours=8)


def released_tables(prefix: str) -> list[Table]:
    """The released code's tables (the flat ones are unchanged; of the results table, its columns)."""
    tables = Tables.build(prefix)
    legacy = MetaData()
    results = Table(
        tables.results.name,
        legacy,
        *(
            Column(c.name, c.type, primary_key=c.primary_key)
            for c in tables.results.columns
            if c.name in {"appid", "api", "begin_date", "end_date", "result", "fetched_at"}
        ),
    )
    return [results, *tables.flat.values()]


def structure(engine: Engine, prefix: str) -> dict[str, Any]:
    """Every table of ``prefix`` as the database describes it: columns (type, nullability, default),
    primary key, comment; the prefix written as ``{prefix}`` (PostgreSQL's sequence names hold it)."""
    inspector = inspect(engine)
    described: dict[str, Any] = {}
    for table in [*Tables.build(prefix).metadata.sorted_tables, Table(schema.version_table(prefix), MetaData())]:
        columns = [
            {name: str(value).replace(prefix, "{prefix}") for name, value in column.items()}
            for column in inspector.get_columns(table.name)
        ]
        comment = None if engine.dialect.name == "sqlite" else inspector.get_table_comment(table.name)["text"]
        described[table.name.replace(prefix, "{prefix}")] = (
            columns,
            inspector.get_pk_constraint(table.name)["constrained_columns"],
            comment,
        )
    return described
