"""An archive filled from the WeChat emulator: days of all ten reports in a fresh SQLite file,
as ``dev.py archive backfill`` makes one. What the report's bench and its screenshot draw."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from wxcloud.archive import REPORTS, Archive, Job, run_job
from wxcloud.client import OpenApiClient
from wxcloud.dates import beijing_today
from wxcloud.permissions import Permissions
from wxcloud.settings import WxSettings

from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator


def filled_archive(workdir: Path, days: int) -> Archive:
    """A fresh SQLite archive in ``workdir`` holding ``days`` of all ten reports from the emulator."""
    today = beijing_today(datetime.now(timezone.utc))
    job = Job(tuple(REPORTS), today - timedelta(days=days), today)
    archive = Archive(f"sqlite:///{workdir / 'sample.sqlite3'}")
    with WeChatEmulator() as emulator:
        client = OpenApiClient(WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url), permissions=Permissions.allow(*job.apis))
        try:
            summary = run_job(archive, client, job, concurrency=4)
        finally:
            client.close()
    if not summary.complete or summary.total("failed"):
        raise RuntimeError(f"the backfill left work: {summary.to_json()['totals']}")
    return archive
