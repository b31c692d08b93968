"""What keeping the truth costs: a year's backfill against the released archive, and a year of daily runs.

    .venv/bin/python bench/retention.py [--rounds 3] [--days 365] [--latency-ms 50]

1. Backfill throughput. A year of daily retention (``--days`` days) archived into a fresh SQLite
   file, by this archive and by the released one (the archive of commit ``RELEASED``, taken from
   the repository's history), each in a child process of its own against the same WeChat emulator
   of this process, interleaved round by round; on loopback and with every reply delayed by
   ``--latency-ms``. Storing now takes the row's lock and looks for an answer to replace, which a
   backfill never finds: the figure says what that costs. (Without the history, in a shallow
   clone, this part says so and is left out.)
2. Requests of the daily timer. ``--days`` daily 11:30 runs of the three retention reports against
   the emulator with its clock pinned to each run (it answers only what has happened), then
   requests per period of history for each report, and the requests of the last run (a steady
   day after a year). The baseline is what archivers that re-read a lag window do: every day,
   the last 30 days, 4 weeks and 1 month again (30, 4 and 1 requests per run), counted over the
   same runs; the figures for ours are counted from the requests the emulator received.

``rows()`` returns ``(figure, ours, baseline, ratio)`` rows for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.archive import Archive, Job, plan, run_job  # noqa: E402
from wxcloud.client import OpenApiClient  # noqa: E402
from wxcloud.dates import BEIJING  # noqa: E402
from wxcloud.permissions import Permissions  # noqa: E402
from wxcloud.settings import WxSettings  # noqa: E402

from bench.archive import Row, interleaved, latencies, ratio_row, render  # noqa: E402
from bench.history import extract  # noqa: E402
from devtools.wechat_emulator import ANALYSIS_PATHS, DEFAULT_APPID, DEFAULT_SECRET, Fault, WeChatEmulator  # noqa: E402

RELEASED = "ae57950"  # the archive release that stored each period once
RETENTION = ("analysis.getDailyRetain", "analysis.getWeeklyRetain", "analysis.getMonthlyRetain")
LAG_WINDOW = {"analysis.getDailyRetain": 30, "analysis.getWeeklyRetain": 4, "analysis.getMonthlyRetain": 1}
PER_PERIOD = {
    "analysis.getDailyRetain": "day",
    "analysis.getWeeklyRetain": "week",
    "analysis.getMonthlyRetain": "month",
}

CHILD = """
import sys, time, json
from datetime import date
from wxcloud.archive import Archive, Job, run_job
from wxcloud.client import OpenApiClient
from wxcloud.permissions import Permissions
from wxcloud.settings import WxSettings
url, db, since, today, appid, secret = sys.argv[1:7]
api = "analysis.getDailyRetain"
client = OpenApiClient(WxSettings(appid, secret, url), permissions=Permissions.allow(api))
client.tokens.get()
archive = Archive("sqlite:///" + db)
archive.ensure_schema()
job = Job((api,), date.fromisoformat(since), date.fromisoformat(today))
started = time.perf_counter()
summary = run_job(archive, client, job, concurrency=4)
elapsed = time.perf_counter() - started
print(json.dumps({"stored": summary.total("stored"), "seconds": elapsed}))
"""


def released_code(workdir: Path, commit: str = RELEASED) -> Path | None:
    """The ``shared/`` folder of ``commit`` (the released archive unless told), from the repository's history."""
    tree = extract(commit, workdir, "shared")
    return None if tree is None else tree / "shared"


def _backfill(emulator: WeChatEmulator, shared: Path, workdir: Path, days: int, latency: float) -> float:
    """Periods per second of one backfill of ``days`` days in a child process using ``shared``."""
    today = datetime.now(BEIJING).date()
    db = tempfile.mkstemp(suffix=".sqlite3", dir=workdir)[1]
    emulator.clear()
    if latency:
        emulator.add_fault(ANALYSIS_PATHS["analysis.getDailyRetain"], Fault.delay(latency), times=10_000)
    env = {**os.environ, "PYTHONPATH": str(shared)}
    since = (today - timedelta(days=days)).isoformat()
    args = [sys.executable, "-c", CHILD, emulator.url, db, since, today.isoformat(), DEFAULT_APPID, DEFAULT_SECRET]
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=True)
    finally:
        emulator.clear()
    figures = json.loads(done.stdout)
    if figures["stored"] != days:
        raise RuntimeError(f"the backfill stored {figures['stored']} of {days} days")
    return days / float(figures["seconds"])


def backfill_rows(rounds: int, days: int, latency_ms: float) -> list[Row]:
    results: list[Row] = []
    with WeChatEmulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        released = released_code(workdir)
        if released is None:
            print(
                f"bench: no history of {RELEASED} here (a shallow clone?): the backfill comparison is left out",
                file=sys.stderr,
            )
            return results
        for label, latency in latencies(latency_ms):
            fast, slow = interleaved(
                rounds,
                ours=partial(_backfill, emulator, ROOT / "shared", workdir, days, latency),
                baseline=partial(_backfill, emulator, released, workdir, days, latency),
            )
            figure = f"backfill of {days} days of daily retention, periods/s, {label} (vs the released archive)"
            results.append(ratio_row(figure, fast, slow))
    return results


def daily_runs(days: int) -> tuple[Counter[str], Counter[str], Counter[str], dict[str, int]]:
    """Requests per API over ``days`` daily runs, those of the last run, what the lag window would
    have asked over the same runs, and each API's periods."""
    first = date(2025, 1, 1)
    now = [0.0]
    totals: Counter[str] = Counter()
    last_run: Counter[str] = Counter()
    lag: Counter[str] = Counter()
    with (
        WeChatEmulator(clock=lambda: now[0], data_ready_at=10 * 3600) as emulator,
        tempfile.TemporaryDirectory() as tmp,
    ):
        client = OpenApiClient(
            WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url),
            permissions=Permissions.allow(*RETENTION),
            wall_clock=lambda: now[0],
        )
        archive = Archive(f"sqlite:///{Path(tmp) / 'year.sqlite3'}")
        try:
            for n in range(1, days + 1):
                today = first + timedelta(days=n)
                now[0] = datetime(today.year, today.month, today.day, 11, 30, tzinfo=BEIJING).timestamp()
                emulator.clear()
                job = Job(RETENTION, first, today)
                run_job(archive, client, job, concurrency=4)
                last_run = Counter({api: len(emulator.requests_to(ANALYSIS_PATHS[api])) for api in RETENTION})
                totals.update(last_run)
                # the lag window: the newest period when it is new, and the last N closed ones every day
                for api in RETENTION:
                    closed = plan.periods(api, first, today)
                    lag[api] += min(len(closed), LAG_WINDOW[api])
            periods = {api: archive.count(DEFAULT_APPID, api) for api in RETENTION}
        finally:
            archive.close()
            client.close()
    return totals, last_run, lag, periods


def request_rows(days: int) -> list[Row]:
    totals, last_run, lag, periods = daily_runs(days)
    rows: list[Row] = []
    for api in RETENTION:
        if not periods[api]:  # fewer days than one closed week or month
            continue
        ours, theirs = totals[api] / periods[api], lag[api] / periods[api]
        rows.append(
            (
                f"{api} requests per {PER_PERIOD[api]} of history, {days} daily runs (vs a lag window)",
                round(ours, 2),
                round(theirs, 2),
                round(theirs / ours, 2),
            )
        )
    ours_last, lag_last = sum(last_run.values()), sum(LAG_WINDOW.values())
    rows.append(
        (
            f"retention requests of the daily run after {days} days (3 reports)",
            ours_last,
            lag_last,
            round(lag_last / max(ours_last, 1), 2),
        )
    )
    return rows


def rows(rounds: int = 3, days: int = 365, latency_ms: float = 50.0) -> list[Row]:
    return [*backfill_rows(rounds, days, latency_ms), *request_rows(days)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(render(rows(args.rounds, args.days, args.latency_ms)))
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
