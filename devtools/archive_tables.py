"""Throwaway archives on the test servers: what they stored, and dropping their tables, as the
tests and the benchmarks check and clean up.

Why apart: the archive itself never drops what it made (its tables hold the only copy of answers
WeChat no longer gives); only throwaway archives on shared test servers are dropped, after a test
or a bench run, and the views must go before the tables they read.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table, create_engine, select
from wxcloud.archive.store.schema import version_table
from wxcloud.archive.store.tables import Tables
from wxcloud.archive.store.views import drop_views

__all__ = ["drop_tables", "fetch_counts"]

PeriodKey = tuple[str, str, str, str]  # appid, api, begin_date, end_date


def fetch_counts(url: str, prefix: str) -> dict[PeriodKey, int]:
    """Every period stored in the archive with ``prefix``, and how many times it was fetched: what
    a check that each period was asked for once reads."""
    results = Tables.build(prefix).results
    query = select(results.c.appid, results.c.api, results.c.begin_date, results.c.end_date, results.c.fetches)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    return {(row[0], row[1], row[2], row[3]): int(row[4]) for row in rows}


def drop_tables(url: str, prefix: str) -> None:
    """Drop the archive's tables with ``prefix``, its views and schema version table included."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:  # the views read the tables: they go first
            drop_views(connection, prefix)
        Tables.build(prefix).metadata.drop_all(engine)
        with engine.begin() as connection:
            Table(version_table(prefix), MetaData()).drop(connection, checkfirst=True)
    finally:
        engine.dispose()
