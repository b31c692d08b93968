"""Archive throughput: periods fetched and stored per second, concurrent run vs sequential.

    .venv/bin/python bench/archive.py [--rounds 3] [--periods 365] [--latency-ms 50]

Each round archives ``--periods`` periods into a fresh SQLite file from the WeChat emulator on
loopback, once with one fetch at a time (the baseline: what a loop over periods does) and once
with the default 4 in flight, interleaved round by round. On loopback a fetch costs about a
millisecond, which no real deployment sees, so the same comparison is also run with every
datacube reply delayed by ``--latency-ms`` (a round trip from SCF to WeChat's API); that is the
figure that says how long a year of daily reports takes. The daily visit trend is archived,
``--periods`` days back. Medians are printed;
``rows()`` returns them as ``(figure, ours, baseline, ratio)`` for other tools.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.archive import Archive, Job, run_job  # noqa: E402
from wxcloud.archive.fetch.answer import app_json  # noqa: E402
from wxcloud.client import OpenApiClient  # noqa: E402
from wxcloud.dates import beijing_today  # noqa: E402
from wxcloud.permissions import Permissions  # noqa: E402
from wxcloud.settings import WxSettings  # noqa: E402

from devtools.wechat_emulator import ANALYSIS_PATHS, DEFAULT_APPID, DEFAULT_SECRET, Fault, WeChatEmulator  # noqa: E402

Row = tuple[str, float, float, float]  # figure, ours, baseline, ratio
CONCURRENCY = 4


API = "analysis.getDailyVisitTrend"


def _one_run(emulator: WeChatEmulator, workdir: Path, job: Job, path: str, concurrency: int, latency: float) -> float:
    """Periods per second of one run into a fresh database (the token is fetched before timing)."""
    settings = WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url)
    client = OpenApiClient(settings, permissions=Permissions.allow(*job.apis))
    client.tokens.get()
    archive = Archive(f"sqlite:///{tempfile.mkstemp(suffix='.sqlite3', dir=workdir)[1]}")
    archive.ensure_schema()
    emulator.clear()
    if latency:
        emulator.add_fault(path, Fault.delay(latency), times=10_000)
    try:
        started = time.perf_counter()
        summary = run_job(archive, client, job, concurrency=concurrency)
        elapsed = time.perf_counter() - started
    finally:
        emulator.clear()
        archive.close()
        client.close()
    stored, periods = summary.total("stored"), sum(tally.periods for tally in summary.apis.values())
    if stored != periods:
        raise RuntimeError(f"the run stored {stored} of {periods} periods: {app_json(summary)}")
    return stored / elapsed


def latencies(latency_ms: float) -> tuple[tuple[str, float], ...]:
    """The settings a throughput is measured at, named: loopback, where a fetch costs about a
    millisecond, and every WeChat reply delayed by ``latency_ms`` (given in seconds here), what a
    deployment sees."""
    return (("loopback", 0.0), (f"{latency_ms:g} ms WeChat latency", latency_ms / 1000))


def interleaved(rounds: int, *, ours: Callable[[], float], baseline: Callable[[], float]) -> tuple[float, float]:
    """The medians of ``rounds`` runs of ours and of the baseline, the baseline first in each round:
    interleaved, so that a machine slowing down halfway slows both alike."""
    fast: list[float] = []
    slow: list[float] = []
    for _ in range(rounds):
        slow.append(baseline())
        fast.append(ours())
    return statistics.median(fast), statistics.median(slow)


def ratio_row(figure: str, fast: float, slow: float) -> Row:
    """A throughput row: ours, the baseline, and how many times ours is the baseline."""
    return (figure, round(fast, 1), round(slow, 1), round(fast / slow, 2))


def rows(rounds: int = 3, periods: int = 365, latency_ms: float = 50.0) -> list[Row]:
    today = beijing_today(datetime.now(timezone.utc))
    api, path = API, ANALYSIS_PATHS[API]
    job = Job((api,), today - timedelta(days=periods), today)
    results: list[Row] = []
    with WeChatEmulator() as emulator, tempfile.TemporaryDirectory() as workdir:
        for label, latency in latencies(latency_ms):
            fast, slow = interleaved(
                rounds,
                ours=partial(_one_run, emulator, Path(workdir), job, path, CONCURRENCY, latency),
                baseline=partial(_one_run, emulator, Path(workdir), job, path, 1, latency),
            )
            results.append(ratio_row(f"{api} periods/s, {label} ({CONCURRENCY} in flight vs 1)", fast, slow))
            if latency:
                results.append(
                    (
                        f"{periods} periods, {label} (s)",
                        round(periods / fast, 2),
                        round(periods / slow, 2),
                        round(slow / fast, 2),
                    )
                )
    return results


def render(table: Sequence[tuple[str, Any, Any, float]]) -> str:
    """A Markdown table of ``(figure, ours, baseline, ratio)`` rows, the benches' common shape."""
    lines = ["| figure | ours | baseline | ratio |", "|---|---|---|---|"]
    lines += [f"| {figure} | {ours} | {baseline} | {ratio}x |" for figure, ours, baseline, ratio in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--periods", type=int, default=365)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    print(render(rows(args.rounds, args.periods, args.latency_ms)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
