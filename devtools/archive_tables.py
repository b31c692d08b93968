"""Dropping an archive's tables from a database: how the tests and the benchmarks clean up.

Why apart: the archive itself never drops what it made (its tables hold the only copy of answers
WeChat no longer gives); only throwaway archives on shared test servers are dropped, after a test
or a bench run, and the views must go before the tables they read.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table, create_engine
from wxcloud.archive.store.schema import version_table
from wxcloud.archive.store.tables import Tables
from wxcloud.archive.store.views import drop_views

__all__ = ["drop_tables"]


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
