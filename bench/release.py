"""No regression against the previous release: today's warm call and archive throughput beside the
release's (``bench.history.RELEASE``), each side in a process of its own, interleaved round by round.

    .venv/bin/python -m bench.release [--rounds 15] [--warm-calls 200] [--periods 120]

The release's modules are not today's (the archive was flat: ``wxcloud.archive.job``, ``.store``,
``.function``...), so neither side runs in this process: each is a ``bench.history.Child`` whose
path starts with its own code, the same script for both, driven by the public names both keep
(``index.main_handler``; ``wxcloud.archive``'s ``Archive``, ``Job``, ``run_job``). Both sides load
and warm up before any timing; then each round asks both, the order alternating, so the machine's
drift falls on both sides alike. The cold start and the fan-out against the release are measured
by bench/run.py's cold start and by bench/fanout.py, with the same extraction of the release.

1. Warm call: ``main_handler`` of the default function, warm, from its package as today's builder
   packages it (bench/run.py builds both packages for the cold start); per round the median of
   ``--warm-calls`` calls against the WeChat emulator of this process, then the median and
   quartiles over rounds.
2. Archive throughput: ``--periods`` days of the daily visit trend into a fresh SQLite file per
   run, the default 4 fetches in flight, on loopback: where a fetch costs a millisecond, what the
   archive's own code costs per period is what the figure shows (with WeChat's latency it would
   be hidden under the waits). Periods per second, median and quartiles over rounds; every run is
   checked to have stored each period.

``warm_row`` and ``archive_row`` return ``(figure, ours, baseline, ratio)`` rows, the spread
beside each median; the ratio is ours over the release's, of the medians: above 1 a slower call,
below 1 fewer periods per second (bench/run.py holds each against its budget).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.dates import beijing_today  # noqa: E402

from bench.history import RELEASE, Child, extract  # noqa: E402
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator  # noqa: E402

Row = tuple[str, str, str, float]  # figure, ours (median [quartiles]), baseline (likewise), ratio of the medians
API = "analysis.getDailyVisitTrend"

WARM = """
import statistics, time
import index
EVENT = {"beginDate": "20170301", "endDate": "20170331"}
CONTEXT = {"request_id": "warm", "time_limit_in_ms": 5000}
def serve(request):
    times = []
    for _ in range(request["calls"]):
        started = time.perf_counter()
        result = index.main_handler(EVENT, CONTEXT)
        times.append(time.perf_counter() - started)
        if result.get("errCode") != 0:
            raise RuntimeError(f"unexpected result {result}")
    return statistics.median(times)
"""

ARCHIVE = """
import tempfile, time
from datetime import date
from wxcloud.archive import Archive, Job, run_job
from wxcloud.client import OpenApiClient
from wxcloud.permissions import Permissions
from wxcloud.settings import WxSettings
url, appid, secret, workdir, api = sys.argv[1:6]
client = OpenApiClient(WxSettings(appid, secret, url), permissions=Permissions.allow(api))
client.tokens.get()
def serve(request):
    archive = Archive("sqlite:///" + tempfile.mkstemp(suffix=".sqlite3", dir=workdir)[1])
    try:
        archive.ensure_schema()
        job = Job((api,), date.fromisoformat(request["since"]), date.fromisoformat(request["today"]))
        started = time.perf_counter()
        run_job(archive, client, job, concurrency=request["concurrency"])
        elapsed = time.perf_counter() - started
        return {"stored": archive.count(appid, api), "seconds": elapsed}
    finally:
        archive.close()
"""


def spread(values: list[float], scale: float, digits: int) -> tuple[float, str]:
    """The median, and ``median [lower quartile-upper quartile]`` to show it with its spread."""
    median = statistics.median(values) * scale
    low, _, high = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else (values[0],) * 3
    return median, f"{round(median, digits)} [{round(low * scale, digits)}-{round(high * scale, digits)}]"


def versus(figure: str, measured: dict[str, list[float]], scale: float) -> Row:
    """The row of ``figure``: ours and the release's (``measured["ours"]``, ``["release"]``, times
    ``scale``), each with its spread, and the ratio of their medians."""
    ours, ours_text = spread(measured["ours"], scale, 1)
    release, release_text = spread(measured["release"], scale, 1)
    return figure, ours_text, release_text, round(ours / release, 3)


def interleaved(sides: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each side measured once per round, the order turning round by round."""
    names = list(sides)
    measured: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(rounds):
        for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
            measured[name].append(sides[name]())
    return measured


def warm_row(emulator: WeChatEmulator, today: Path, release: Path, rounds: int, calls: int) -> Row:
    """Warm ``main_handler`` of today's package against the release's, in µs per call."""
    env = {
        **_base_env(),
        "WX_APPID": DEFAULT_APPID,
        "WX_APPSECRET": DEFAULT_SECRET,
        "WX_API_BASE_URL": emulator.url,
    }
    with Child(WARM, today, env=env) as ours, Child(WARM, release, env=env) as theirs:
        for child in (ours, theirs):  # the token, the connection pool, the lazy imports: before the timing
            child.ask({"calls": 50})
        medians = interleaved(
            {"ours": lambda: float(ours.ask({"calls": calls})), "release": lambda: float(theirs.ask({"calls": calls}))},
            rounds,
        )
    return versus(f"warm invocation of the default function, loopback (µs; vs the release at {RELEASE})", medians, 1e6)


def archive_row(emulator: WeChatEmulator, release_shared: Path, rounds: int, periods: int) -> Row:
    """Periods per second of today's archive against the release's, 4 fetches in flight, on loopback."""
    today = beijing_today(datetime.now(timezone.utc))
    request = {"since": (today - timedelta(days=periods)).isoformat(), "today": today.isoformat(), "concurrency": 4}
    with tempfile.TemporaryDirectory(prefix="bench-release-") as workdir:
        args = (emulator.url, DEFAULT_APPID, DEFAULT_SECRET, workdir, API)
        with (
            Child(ARCHIVE, ROOT / "shared", *args, env=_base_env()) as ours,
            Child(ARCHIVE, release_shared, *args, env=_base_env()) as theirs,
        ):

            def run(child: Child) -> float:
                emulator.clear()  # its log of requests, which would grow round by round
                answer: dict[str, Any] = child.ask(request)
                if answer["stored"] != periods:
                    raise RuntimeError(f"a run on {child.shared} stored {answer['stored']} of {periods} periods")
                return periods / float(answer["seconds"])

            for child in (ours, theirs):  # SQLAlchemy's first statements, the planner's imports
                run(child)
            rates = interleaved({"ours": lambda: run(ours), "release": lambda: run(theirs)}, rounds)
    return versus(f"{API} periods/s, {periods} periods, 4 in flight, loopback (vs the release at {RELEASE})", rates, 1)


def _base_env() -> dict[str, str]:
    """This process's environment without what would configure a child's WeChat behind our back."""
    return {name: value for name, value in os.environ.items() if not name.startswith("WX_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warm-calls", type=int, default=200)
    parser.add_argument("--periods", type=int, default=120)
    args = parser.parse_args(argv)
    from bench.archive import render
    from bench.cloudcall import previous_release_package
    from devtools.build_package import build
    from devtools.functions import DEFAULT_FUNCTION

    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    with WeChatEmulator() as emulator, tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        shared = extract(RELEASE, workdir, "shared")
        package = previous_release_package(workdir, version, RELEASE)
        if shared is None or package is None:
            print(f"bench: no history of {RELEASE} here (a shallow clone?)", file=sys.stderr)
            return 1
        today = build(DEFAULT_FUNCTION, version, workdir / "today", bytecode=True, log=lambda line: None).dir_path
        table = [
            warm_row(emulator, today, package, args.rounds, args.warm_calls),
            archive_row(emulator, shared / "shared", args.rounds, args.periods),
        ]
    print(render(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
