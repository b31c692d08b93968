"""Where the archive is kept: ``Archive`` (one database, read and written period by period), its
tables, views and schema, the database URL and its sources, and the schema's migrations.

Imports ``kept`` only, of the archive's wings.
"""

from __future__ import annotations

from .archive import Archive
from .records import Revision, Stored, StoreOutcome

__all__ = ["Archive", "Revision", "StoreOutcome", "Stored"]
