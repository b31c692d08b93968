"""Revision ``released``: the schema the first release of the archive wrote, the baseline.

That release created its tables with ``create_all`` and kept no version table, so there is nothing
to run: ``schema.prepare`` stamps an archive it finds without a version with this revision, then
upgrades it from here. A new database never passes through it (it is created at the head).
"""

from __future__ import annotations

revision = "released"
down_revision: str | None = None


def upgrade() -> None:
    """Nothing: an archive is only ever stamped with this revision."""
