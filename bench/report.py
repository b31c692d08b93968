"""The HTML report of a year of all ten reports: how long it takes to write and how big it is.

    .venv/bin/python bench/report.py [--rounds 3] [--days 365]

A year (``--days``) of every archived report is fetched from the WeChat emulator into a fresh
SQLite file (not timed), then ``wxcloud.archive.present.report.render`` makes the report ``--rounds``
times. The baselines are the report's budgets: written in under 5 s, and under 3 MB so it still
travels as a mail attachment. ``rows()`` returns ``(figure, ours, baseline, ratio)`` like
bench/archive.py; a ratio above 1 is within budget by that factor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.archive.present.report import render  # noqa: E402

from devtools.sample_archive import filled_archive  # noqa: E402
from devtools.wechat_emulator import DEFAULT_APPID  # noqa: E402

Row = tuple[str, float, float, float]  # figure, ours, baseline, ratio
SECONDS_BUDGET = 5.0
MB_BUDGET = 3.0


def rows(rounds: int = 3, days: int = 365) -> list[Row]:
    with tempfile.TemporaryDirectory() as workdir:
        archive = filled_archive(Path(workdir), days)
        try:
            times, size = [], 0
            for _ in range(rounds):
                started = time.perf_counter()
                size = len(render(archive, DEFAULT_APPID, lang="zh").encode("utf-8"))
                times.append(time.perf_counter() - started)
        finally:
            archive.close()
    seconds, megabytes = statistics.median(times), size / 1_000_000
    return [
        (
            f"report of {days} days of all ten reports, written in (s; budget)",
            round(seconds, 2),
            SECONDS_BUDGET,
            round(SECONDS_BUDGET / seconds, 1),
        ),
        (
            f"report of {days} days of all ten reports, size (MB; budget)",
            round(megabytes, 2),
            MB_BUDGET,
            round(MB_BUDGET / megabytes, 1),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    from bench.archive import render as render_table

    print(render_table(rows(args.rounds, args.days)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
