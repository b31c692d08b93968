"""The command line's shape: the commands, their options and the words ``--help`` gives for them.

A module of its own so that ``main.py`` reads as what runs the commands, and the options of every
command can be read in one place (``run``, ``backfill``, ``export``, ``chart``, ``status``, ``report``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "wxcloud-archive"  # the program's name: its usage line, and the first word of every message it prints
JSON_HELP = "print the full answer (and any error) as JSON, for scripts, instead of the summary for people"
SPAN_HELP = "a span back from today such as 90d, 12w, 6m, 1y"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=NAME,
        description="Keep WeChat's analysis reports in your own database.",
        epilog="exit status: 0 everything asked for is archived (or written), "
        "1 work was left or failed (run again, or see status), "
        "2 bad input or configuration, 130 interrupted",
    )
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="archive what is missing, as the daily timer does")
    backfill = commands.add_parser("backfill", help="archive a chosen range, with a progress bar")
    backfill.add_argument(
        "--since", required=True, help=f"first day: yyyymmdd, or {SPAN_HELP} (periods beginning on or after it)"
    )
    backfill.add_argument(
        "--until", help="last day yyyymmdd (periods ending on or before it; default: the newest closed one)"
    )
    backfill.add_argument(
        "--api",
        action="append",
        metavar="NAME",
        help="a report, getDailyRetain or analysis.getDailyRetain, repeatable (default: WX_ARCHIVE_APIS, else all ten)",
    )
    backfill.add_argument(
        "--fan-out",
        action="store_true",
        help="send the work to the deployed archive function (one asynchronous SCF Invoke per app) "
        "and follow its progress here",
    )
    backfill.add_argument(
        "--function", default="archiveAnalysis", help="with --fan-out: the deployed archive function's name"
    )
    backfill.add_argument("--no-wait", action="store_true", help="with --fan-out: return once the work is sent")
    export = commands.add_parser("export", help="archived results to stdout")
    chart = commands.add_parser("chart", help="a line chart of one metric over the periods")
    for sub in (export, chart):
        sub.add_argument(
            "--api",
            required=True,
            metavar="NAME",
            help="a report, such as getDailyVisitTrend or analysis.getDailyVisitTrend",
        )
        sub.add_argument("--since", help=f"first day: yyyymmdd, or {SPAN_HELP}")
        sub.add_argument("--until", help="last day yyyymmdd")
        sub.add_argument("--appid", help="whose results (default: WX_APPID, or the only appid in the archive)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument(
        "--with-settled",
        action="store_true",
        help="CSV: add a settled column (false: WeChat may still fill the period in)",
    )
    state = commands.add_parser(
        "status", help="is each report archived up to its newest finished period? (exit 1 when not)"
    )
    state.add_argument(
        "--api",
        action="append",
        metavar="NAME",
        help="cloud-call name, repeatable (default: WX_ARCHIVE_APIS, else all ten)",
    )
    state.add_argument(
        "--since",
        help=f"first day of the range checked: yyyymmdd, or {SPAN_HELP} "
        "(default: WX_ARCHIVE_SINCE, else the earliest since a run was asked for, else 1y)",
    )
    state.add_argument(
        "--appid",
        help="whose archive (default: every app of WX_ARCHIVE_APPS, else WX_APPID, else every appid archived)",
    )
    state.add_argument("--format", choices=("table", "json"), default="table", help="json: the same as --json")
    report = commands.add_parser("report", help="one self-contained HTML report of the archive (opens offline)")
    report.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    report.add_argument("--since", help=f"first day: yyyymmdd, or {SPAN_HELP} (default: the oldest archived)")
    report.add_argument("--until", help="last day yyyymmdd (default: the newest archived)")
    report.add_argument("--appid", help="whose archive (default: WX_APPID, or the only appid in the archive)")
    report.add_argument("--lang", choices=("zh", "en"), default="zh", help="labels and number format (default zh)")
    chart.add_argument("--metric", required=True, help="a column of the CSV export, such as visitUv")
    chart.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="pick one row per period (long-form reports)",
    )
    chart.add_argument("--out", required=True, type=Path, help="the PNG file to write")
    for sub in commands.choices.values():  # --json before or after the command: SUPPRESS keeps the one given before
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=JSON_HELP)
    return parser
