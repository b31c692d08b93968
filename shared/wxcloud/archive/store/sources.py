"""Where the archive's database URL comes from: ``WX_ARCHIVE_URL``, an SSM secret, or a local file.

With ``WX_ARCHIVE_URL_SSM_NAME`` the URL (and its password) never sits in the function's
configuration: it is read once per cold start from Tencent Cloud SSM, exactly as the appsecret is
(the execution role's temporary keys, the function's region, ``WX_SSM_REGION`` / ``WX_SSM_ENDPOINT``
to override). Outside SCF an unset URL means an SQLite file (``.data/wx_analysis.sqlite3`` by
default, ``WX_ARCHIVE_SQLITE`` to move it), so the CLI works with no setup at all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from ...deadline import Deadline
from ...tencentcloud.ssm import read_source
from ..settings import ArchiveSettings
from . import database
from .archive import Archive


def archive_url(settings: ArchiveSettings, *, deadline: Deadline | None = None) -> URL:
    """The configured database URL, parsed (the string is not kept); an SSM read is bounded by
    ``deadline``. No frame that raises here holds the environment (the role's keys) or the URL."""
    if settings.url:
        return database.parse_url(settings.url)
    if settings.url_ssm is not None:
        what = f"the archive URL in {settings.url_ssm.ref}"
        return database.parse_url(read_source(settings.url_ssm, deadline=deadline, what=what), what)
    path = Path(settings.default_sqlite).expanduser().resolve()
    return URL.create("sqlite", database=str(path))


def open_archive(settings: ArchiveSettings, *, deadline: Deadline | None = None, read_only: bool = False) -> Archive:
    """The archive the settings name (not connected yet: ``ensure_schema`` does that).
    ``read_only``: for the commands that only read it, which never create a database or its
    tables (``Archive``: nothing archived there yet is a ``NothingArchived``)."""
    url = archive_url(settings, deadline=deadline)
    return Archive(url, prefix=settings.table_prefix, refresh_days=settings.refresh_days, read_only=read_only)
