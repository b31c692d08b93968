"""Revision ``provenance``: each run in the ledger says where it asked WeChat.

``{prefix}run`` gets ``base_url``: the scheme, host and port of the WeChat a run called
(``ledger.base_url_of``: ``https://api.weixin.qq.com``, a gateway, or the WeChat emulator on a
loopback port), so that the figures a run fetched from the emulator stay recognisable as made up.
The runs recorded before keep it empty: where they asked was not written down.

Written out here rather than taken from ``tables.py`` (a revision must keep creating what it
created when ``tables.py`` moves on). It adds the column only when it is missing, so it can run
again over its own half-done work (MySQL and MariaDB commit each ``ALTER TABLE`` on its own).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, String, inspect

from wxcloud.archive.store.schema import PREFIX_OPTION

revision = "provenance"
down_revision = "fanout"

BASE_URL_LENGTH = 300  # scheme://host[:port] (a DNS name is at most 253 characters)


def upgrade() -> None:
    prefix = op.get_context().opts[PREFIX_OPTION]
    name = f"{prefix}run"
    if "base_url" in {column["name"] for column in inspect(op.get_bind()).get_columns(name)}:
        return
    op.add_column(name, Column("base_url", String(BASE_URL_LENGTH)))
