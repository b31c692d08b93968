"""Where the archive's database URL comes from: ``WX_ARCHIVE_URL``, an SSM secret, or a local file.

With ``WX_ARCHIVE_URL_SSM_NAME`` the URL (and its password) never sits in the function's
configuration: it is read once per cold start from Tencent Cloud SSM, exactly as the appsecret is
(the execution role's temporary keys, the function's region, ``WX_SSM_REGION`` / ``WX_SSM_ENDPOINT``
to override). Outside SCF an unset URL means an SQLite file (``.data/wx_analysis.sqlite3`` by
default, ``WX_ARCHIVE_SQLITE`` to move it), so the CLI works with no setup at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL

from ..deadline import Deadline
from ..errors import ConfigurationError
from ..secrets import DEFAULT_VERSION, UNBUDGETED_TIMEOUT_SECONDS, SsmSecretRef, read_ssm_secret
from ..settings import ArchiveSettings
from ..tencentcloud import CloudCredentials, CloudEndpoint, region_from_env
from . import database
from .store import Archive


def archive_url(settings: ArchiveSettings, environ: Mapping[str, str] | None = None, *, deadline: Deadline | None = None) -> URL:
    """The configured database URL, parsed (the string is not kept); an SSM read is bounded by
    ``deadline``. No frame that raises here holds the environment (the role's keys) or the URL."""
    if settings.url:
        return database.parse_url(settings.url)
    if settings.url_ssm_name:
        env = os.environ if environ is None else environ
        ref = SsmSecretRef(settings.url_ssm_name, settings.url_ssm_version or DEFAULT_VERSION)
        credentials = CloudCredentials.from_env(env)  # its repr hides the key and the token
        region = region_from_env(env, "WX_SSM_REGION", "TENCENTCLOUD_REGION")
        endpoint = env.get("WX_SSM_ENDPOINT", "").strip() or None
        del env, environ
        if credentials is None:
            raise ConfigurationError(
                f"cannot read the archive URL from {ref}: no Tencent Cloud credentials; give the function an execution role "
                "that may call ssm:GetSecretValue"
            )
        if region is None:
            raise ConfigurationError("no Tencent Cloud region: set WX_SSM_REGION or TENCENTCLOUD_REGION")
        budget = UNBUDGETED_TIMEOUT_SECONDS if deadline is None else deadline.remaining()
        return database.parse_url(read_ssm_secret(ref, credentials, CloudEndpoint(region, endpoint), budget), f"the archive URL in {ref}")
    path = Path(settings.default_sqlite).expanduser().resolve()
    return URL.create("sqlite", database=str(path))


def open_archive(settings: ArchiveSettings, environ: Mapping[str, str] | None = None, *, deadline: Deadline | None = None) -> Archive:
    """The archive the settings name (not connected yet: ``ensure_schema`` does that)."""
    return Archive(archive_url(settings, environ, deadline=deadline), prefix=settings.table_prefix)
