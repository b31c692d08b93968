"""An archive filled from the WeChat emulator: days of all ten reports in a fresh SQLite file,
as ``dev.py archive backfill`` makes one. What the report's bench and the documentation's pictures draw.

``today`` pins the run's day and the emulator's clock (10:00 that morning in Beijing), so the
pictures are the same on every machine and every day: the emulator's figures are a function of
the appid and the day, and nothing else reads the time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from wxcloud.archive import REPORTS, Archive, Job, run_job
from wxcloud.archive.fetch.answer import app_json
from wxcloud.client import OpenApiClient
from wxcloud.dates import BEIJING, beijing_today
from wxcloud.permissions import Permissions
from wxcloud.settings import WxSettings

from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

SAMPLE_FILE = "sample.sqlite3"  # the archive's file in the folder it is filled in


def morning(today: date) -> datetime:
    """10:00 in Beijing on ``today``: when a pinned run happens (yesterday's data is ready by then)."""
    return datetime.combine(today, time(10), BEIJING)


def filled_archive(workdir: Path, days: int, today: date | None = None) -> Archive:
    """A fresh SQLite archive in ``workdir`` holding ``days`` of all ten reports from the emulator,
    fetched on ``today`` (default: the Beijing day now, with the emulator on the real clock)."""
    pinned = today is not None
    today = today or beijing_today(datetime.now(timezone.utc))
    job = Job(tuple(REPORTS), today - timedelta(days=days), today)
    archive = Archive(f"sqlite:///{workdir / SAMPLE_FILE}")
    stamp = morning(today).timestamp()
    with WeChatEmulator(clock=lambda: stamp) if pinned else WeChatEmulator() as emulator:
        client = OpenApiClient(
            WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url), permissions=Permissions.allow(*job.apis)
        )
        try:
            summary = run_job(archive, client, job, concurrency=4)
        finally:
            client.close()
    if not summary.complete or summary.total("failed"):
        raise RuntimeError(f"the backfill left work: {app_json(summary)['totals']}")
    return archive
