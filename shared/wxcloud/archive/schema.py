"""The archive's schema on first use: the tables created, or an older archive's upgraded in place.

(First version: creates what is missing. The upgrade of archives written by earlier releases
comes next.)
"""

from __future__ import annotations

from sqlalchemy import Connection

from .tables import Tables
from .views import create_views


def prepare(connection: Connection, tables: Tables) -> None:
    """Make the database hold ``tables`` as this release writes them."""
    tables.metadata.create_all(connection, checkfirst=True)
    create_views(connection, tables)
