"""``python -m wxcloud.archive`` (``wxcloud-archive``): the archive from a terminal.

    run                                   what the daily timer does, now
    backfill --since yyyymmdd|1y [--until yyyymmdd] [--api NAME ...] [--fan-out [--function NAME] [--no-wait]]
    export --api NAME [--since] [--until] [--format csv|jsonl]        to stdout
    chart --api NAME --metric NAME [--where COLUMN=VALUE ...] [--since] [--until] --out FILE.png
    status [--api NAME ...] [--since yyyymmdd|1y] [--appid] [--json]   (every app without --appid)
    report --out FILE.html [--since yyyymmdd] [--until yyyymmdd] [--appid] [--lang zh|en]

Every command takes ``--json``, before or after its name. A report is named either way,
``getDailyRetain`` or ``analysis.getDailyRetain`` (``reports.api_name``); an unknown name is
answered with the closest ones. Relative paths are the caller's (the working directory), and
messages name files by their absolute paths.

Configuration is the function's (``WX_APPID``, ``WX_APPSECRET`` or its SSM name, ``WX_ARCHIVE_*``);
without ``WX_ARCHIVE_URL`` the archive is the SQLite file ``.data/wx_analysis.sqlite3``.

For people, by default: ``run`` and ``backfill`` print a table of what became of each report's
periods (stored, re-asked, up to date, missing, stopped, failed; by app too when the run had
several) and one verdict line (complete, behind, failed; ``console.py``), with a progress bar
on stderr when it is a terminal. ``export`` writes its data alone to stdout and one line about
it to stderr; ``chart`` and ``report`` say on stderr which file they wrote. An error is one line
``wxcloud-archive: <what>`` on stderr, and ``hint: <what to do>`` when it says.

For machines, with ``--json``: ``run`` and ``backfill`` print the run's full summary as JSON on
stdout, as the function answers (``{"errCode": 0, "errMsg": "wxcloud-archive:ok", ...}``);
``chart`` and ``report`` print one JSON line of what they wrote on stdout, ``export`` on stderr
(its stdout is the data); ``status`` prints ``{"ok", "behindOrFailed", "fetch",
"nothingArchived", "apps": [...]}`` (one app's object with ``--appid``; ``--format json`` is the
same); an error is the cloud-call error value on stderr (one line, ``{"errCode", "errMsg"}``).

The reading commands (``status``, ``export``, ``chart``, ``report``) never create a database or a
table: with nothing archived yet, ``status`` says every report is behind (exit 1) and the others
name the database and the backfill to run (exit 2).

``status`` tells whether each report is archived up to its newest finished period and what the
last run said. ``backfill --fan-out`` sends the work to the deployed function's workers instead
(one asynchronous SCF Invoke per app, with the keys of ``TENCENTCLOUD_SECRET_ID``/``_KEY``) and
follows their progress over all apps from the archive. ``report`` writes one self-contained HTML
file of the archived reports (the ``report`` extra; an appid with nothing archived in the range
is bad input, exit 2).

Exit status, the same for every command (for cron and CI):

* 0: everything asked for is archived (``status``: every report is up to date), or written;
* 1: work was left (not ready, quota, another run holds the app) or failed, or a call failed outside
  a run's tallies (WeChat's own error, the network): run again, or see ``status``;
* 2: bad input or configuration (a malformed ``WX_ARCHIVE_APPS`` is refused by every command, even
  one that reads only the archive), the same errors the function answers with -501007 / -601001;
* 130: interrupted (Ctrl-C); every period stored so far is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any

from ... import paths
from ...dates import beijing_today
from ...errcodes import INVALID_PARAM, JS_ERROR, SYSTEM_ERROR
from ...errors import ConfigurationError, InvalidParameters, WxCloudError, calling
from ..apps import App
from ..config import ArchiveConfig
from ..errors import NothingArchived
from ..fetch.clients import app_client
from ..fetch.outcomes import Outcome, RunSummary
from ..fetch.runner import run_apps
from ..function.leases import RUN, Leases, held_apps
from ..kept.reports import report_for
from ..observe.ledger import Ledger, base_url_of, finish_all
from ..plan.job import Job
from ..plan.options import chosen_since, job_for
from ..plan.window import windowed
from ..settings import Ago, ArchiveSettings, archive_date, archive_since, since_day
from ..store.archive import Archive
from ..store.sources import open_archive

NAME = "wxcloud-archive"
JSON_HELP = "print the full answer (and any error) as JSON, for scripts, instead of the summary for people"
SPAN_HELP = "a span back from today such as 90d, 12w, 6m, 1y"
LEASE_SECONDS = 300.0  # the apps' leases a CLI run holds, renewed while it runs: a killed run's expire within this


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=NAME,
        description="Keep WeChat's analysis reports in your own database.",
        epilog="exit status: 0 everything asked for is archived (or written), 1 work was left or failed (run again, or see status), "
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
        help="send the work to the deployed archive function (one asynchronous SCF Invoke per app) and follow its progress here",
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
        help=f"first day of the range checked: yyyymmdd, or {SPAN_HELP} (default: WX_ARCHIVE_SINCE, else the earliest since "
        "a run was asked for, else 1y)",
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


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    if args.command == "status" and args.format == "json":  # status's older spelling of --json, for its errors too
        args.json = True
    try:
        with calling(NAME):
            # the command's configuration, read once and passed down
            config = ArchiveConfig.from_env(function_name=getattr(args, "function", None))
            settings = config.settings.get()
            if args.command in {"export", "chart", "report"} or (args.command == "status" and args.appid):
                _check_apps(config)
            if args.command == "backfill" and args.fan_out:
                return _fan_out(args, settings, out, err, config)
            if args.command in {"run", "backfill"}:
                return _run(args, settings, out, err, config)
            archive = open_archive(settings, read_only=True)  # these only read: they never create a database or tables
            try:
                if args.command == "export":
                    return _export(args, archive, out, err, config)
                if args.command == "status":
                    return _status(args, settings, archive, out, config)
                if args.command == "report":
                    return _report(args, archive, out, err, config)
                return _chart(args, archive, out, err, config)
            finally:
                archive.close()
    except WxCloudError as exc:
        if args.json:
            print(json.dumps(exc.to_result(), ensure_ascii=False), file=err)
        else:
            from .console import error_lines

            print("\n".join(error_lines(exc, NAME)), file=err)
        return 2 if exc.err_code in {INVALID_PARAM, SYSTEM_ERROR} else 1
    except KeyboardInterrupt:
        print(f"{NAME}: interrupted; every period stored so far is kept", file=err)
        return 130
    except BrokenPipeError:  # `export ... | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 0


def _run(args: argparse.Namespace, settings: ArchiveSettings, out: IO[str], err: IO[str], config: ArchiveConfig) -> int:
    today = beijing_today(datetime.now(timezone.utc))
    options: dict[str, Any] = {}
    if args.command == "backfill":
        options = {"since": args.since, "until": args.until, "apis": args.api or []}
    job = job_for(settings, today, options, {"since": "--since", "until": "--until", "apis": "--api"})
    source = config.apps.get()
    apps = None if source is None else source.load()  # a malformed configuration: before the archive is touched
    archive = open_archive(settings)
    try:
        archive.ensure_schema()  # before any WeChat call
        ledger = Ledger(archive)
        base_url = base_url_of(config.function.api_base_url)
        if apps is None:
            appid = config.appid
            rows: dict[str | None, int] = {
                appid: ledger.start(appid=appid, trigger="cli", today=job.today, base_url=base_url)
            }
        else:
            rows = ledger.start_many([app.appid for app in apps], trigger="cli", today=job.today, base_url=base_url)
        try:
            job = windowed(archive, [appid for appid in rows if appid], job, chosen=chosen_since(settings, options))
            one = _clients(None, config) if apps is None else None  # WX_APPID and its secret, checked before any lease
            with held_apps(
                Leases(archive),
                [appid for appid in rows if appid],
                f"{RUN}cli:{secrets.token_hex(4)}",
                LEASE_SECONDS,
                renew_every=LEASE_SECONDS / 3,
            ) as (mine, running):
                if one is not None and not mine:  # the one app is a worker's right now
                    skipped = {
                        "errCode": 0,
                        "errMsg": f"{NAME}:ok",
                        **job.days(),
                        "complete": False,
                        "skipped": running[next(iter(one))],
                    }
                    _ended(ledger, rows, settings, {appid: skipped for appid in rows})
                    _answer(args, skipped, out, _where(archive))
                    return 1
                clients = (
                    one if one is not None else _clients([app for app in (apps or ()) if app.appid in mine], config)
                )
                _starting(args, err, config)
                summary = _archive(archive, clients, job, settings, err)
                summary.running = dict(running)
        except WxCloudError as exc:
            _ended(ledger, rows, settings, {appid: exc.to_result() for appid in rows})
            raise
        except KeyboardInterrupt:
            interrupted = {
                "errCode": JS_ERROR,
                "errMsg": f"{NAME}:fail interrupted; every period stored so far is kept",
            }
            finish_all(ledger, dict.fromkeys(rows.values(), interrupted))
            raise
        ok = {"errCode": 0, "errMsg": f"{NAME}:ok"}
        if source is None:
            data = {**ok, **summary.apps[next(iter(clients))].to_json()}
            _ended(ledger, rows, settings, dict.fromkeys(rows, data))
        else:
            data = {**ok, **summary.to_json()}
            _ended(
                ledger,
                rows,
                settings,
                {
                    appid: {**ok, **summary.apps[str(appid)].to_json()}
                    if appid in summary.apps
                    else {**ok, "skipped": running[str(appid)]}
                    for appid in rows
                },
            )
        where = _where(archive)
    finally:
        archive.close()
    _answer(args, data, out, where)
    return 0 if summary.complete and summary.total("failed") == 0 else 1


def _starting(args: argparse.Namespace, err: IO[str], config: ArchiveConfig) -> None:
    """The line ``dev.py`` gives for a run (``WXCLOUD_ARCHIVE_STARTING``: that the WeChat asked is its emulator, and
    where its made-up figures go), printed once the run begins: after every check of the input,
    the configuration and the database, so that a refused command prints its error alone. Never
    with ``--json``, whose stderr is the error value or nothing."""
    note = config.starting
    if note and not args.json:
        print(note, file=err)


def _answer(args: argparse.Namespace, data: dict[str, Any], out: IO[str], where: str) -> None:
    """A run's answer: the summary for people (``console.py``), or the full JSON with ``--json``."""
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return
    from .console import run_summary

    run_summary(data, out, command=args.command, database=where)


def _where(archive: Archive) -> str:
    """The archive's database as a message names it: an SQLite file by its absolute path, any other
    by its URL with the password hidden; then its tables' prefix when it is not the default."""
    from ..settings import tables_note
    from ..store import database

    path = database.sqlite_file(archive.url)
    return (database.shown(archive.url) if path is None else paths.shown(path)) + tables_note(archive.tables.prefix)


def _check_apps(config: ArchiveConfig) -> None:
    """The apps' configuration checked by a command that reads only the archive (``export``,
    ``chart``, ``report``, ``status --appid``): a malformed ``WX_ARCHIVE_APPS`` is refused by every
    command, as the run that reads it would refuse it. One kept in SSM is read only by the commands
    that need its apps."""
    source = config.apps.get()
    if source is not None and source.ssm is None:
        source.load()


def _fan_out(
    args: argparse.Namespace, settings: ArchiveSettings, out: IO[str], err: IO[str], config: ArchiveConfig
) -> int:
    """``backfill --fan-out``: what the function's dispatcher does, from a workstation (the work
    sent to the deployed function, one asynchronous Invoke per app), then the workers' progress
    over all apps, read from the archive, until nothing is due or they stop making progress."""
    from ..function.fanout import dispatch, plan

    today = beijing_today(datetime.now(timezone.utc))
    options = {"since": args.since, "until": args.until, "apis": args.api or []}
    job = job_for(settings, today, options, {"since": "--since", "until": "--until", "apis": "--api"})
    source = config.apps.get()
    appids = (
        [app.appid for app in source.load()] if source is not None else [appid for appid in [config.appid] if appid]
    )
    invoker = config.invoker
    if invoker is None:
        raise ConfigurationError(
            "--fan-out invokes the deployed function: set TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY "
            "(keys that may call scf:InvokeFunction on it) and TENCENTCLOUD_REGION"
        )
    if not appids:
        raise ConfigurationError("set WX_ARCHIVE_APPS (several apps) or WX_APPID: whose archive to fill")
    archive = open_archive(settings)
    try:
        archive.ensure_schema()
        job = windowed(archive, appids, job, chosen=True)  # a backfill's --since, recorded as the window's
        planned = plan(archive, appids, job, settings.slice_days)
        sent = dispatch(planned, invoker=invoker, leases=Leases(archive), per_minute=settings.fan_out_per_minute)
        report: dict[str, Any] = {"errCode": 0, "errMsg": f"{NAME}:ok", **job.days(), "fanOut": sent.to_json()}
        print(f"{NAME}: sent the work of {len(sent.sent)} app(s), {sum(sent.sent.values())} period(s) due", file=err)
        if not args.no_wait and (sent.sent or sent.running):
            report["left"] = _follow(archive, appids, job, settings, planned.periods, err)
    finally:
        archive.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2), file=out)
    else:
        from .console import fan_out_summary

        fan_out_summary(report, out)
    return 0 if sent.complete and not report.get("left") else 1


FOLLOW_SECONDS = 5.0  # how often the workers' progress is read from the archive
STALLED_SECONDS = 120.0  # no progress and no worker holding a lease for this long: they have stopped


def _follow(archive: Archive, appids: list[str], job: Job, settings: ArchiveSettings, total: int, err: IO[str]) -> int:
    """Follow the workers until nothing is due or they stop making progress; what is left due."""
    import time

    from ..function.fanout import plan

    bar = _progress_bar(err)
    if bar is not None:
        bar.plan(total)
    left, last_change = total, time.monotonic()
    try:
        while left:
            time.sleep(FOLLOW_SECONDS)
            now_left = plan(archive, appids, job, settings.slice_days).periods
            if now_left != left:
                if bar is not None:
                    bar.advance(max(left - now_left, 0))
                else:
                    print(f"{NAME}: {total - now_left} of {total} period(s) archived", file=err)
                left, last_change = now_left, time.monotonic()
            elif not Leases(archive).held(appids) and time.monotonic() - last_change > STALLED_SECONDS:
                print(
                    f"{NAME}: the workers stopped with {left} period(s) left (not ready, quota, or failures): see `status`",
                    file=err,
                )
                break
    finally:
        if bar is not None:
            bar.close()
    return left


def _ended(
    ledger: Ledger, rows: dict[str | None, int], settings: ArchiveSettings, results: dict[str | None, dict[str, Any]]
) -> None:
    """A run's end: in the ledger, and an alert when it needs attention (as the function's runs)."""
    from ..observe.alerts import notify_apps

    finish_all(ledger, {row: results[appid] for appid, row in rows.items()})
    notify_apps(settings.alerts, {appid or "-": result for appid, result in results.items()}, deadline=None)


def _archive(
    archive: Archive, clients: dict[str, Any], job: Job, settings: ArchiveSettings, err: IO[str]
) -> RunSummary:
    bar = _progress_bar(err)
    try:
        return run_apps(
            archive,
            clients,
            job,
            concurrency=settings.concurrency,
            progress=bar.update if bar else None,
            on_plan=bar.plan if bar else None,
            quota_reserve=settings.quota_reserve,
        )
    finally:
        if bar:
            bar.close()
        for client in clients.values():
            client.close()


def _clients(apps: Sequence[App] | None, config: ArchiveConfig) -> dict[str, Any]:
    """The client of each app of the run: the one of ``WX_APPID`` (``apps`` None), or each app's."""
    from ...client import OpenApiClient

    settings = config.function.wechat.get()
    if apps is not None:
        return {app.appid: app_client(app, settings, platform=config.function.platform) for app in apps}
    ssm = config.function.appsecret_ssm
    if ssm is not None:
        from ...tencentcloud.ssm import settings_with_secret

        settings = settings_with_secret(settings, ssm)
    unset = settings.unset()
    if unset:
        raise ConfigurationError(
            f"{' and '.join(unset)} must be set (or run it through `python3 dev.py archive`, which uses the emulator)"
        )
    return {settings.appid: OpenApiClient(settings)}


class _Bar:
    """tqdm's bar on a terminal: periods done of those missing, with this run's outcomes."""

    def __init__(self, stream: IO[str]) -> None:
        from tqdm import tqdm

        self._make = tqdm
        self._stream = stream
        self._bar: Any = None
        self._counts: dict[str, int] = {}

    def plan(self, missing: int) -> None:
        self._bar = self._make(
            total=missing, unit="period", file=self._stream, dynamic_ncols=True, desc="archiving", mininterval=0.2
        )

    def update(self, _api: str, outcome: Outcome) -> None:
        if self._bar is None:
            return
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        self._bar.set_postfix(self._counts, refresh=False)
        self._bar.update(1)

    def advance(self, periods: int) -> None:
        if self._bar is not None:
            self._bar.update(periods)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar(stream: IO[str]) -> _Bar | None:
    """A bar on a terminal when tqdm is installed (the archive extra brings it); else none."""
    if not stream.isatty():
        return None
    try:
        return _Bar(stream)
    except ImportError:
        return None


def _appid(args: argparse.Namespace, archive: Archive, config: ArchiveConfig) -> str:
    chosen = args.appid or config.function.wechat.get().appid
    if chosen:
        return str(chosen)
    known = archive.appids()
    if len(known) == 1:
        return known[0]
    if not known:
        from ..observe.status import database_name

        raise InvalidParameters(
            f"nothing is archived yet: {database_name(archive.url)} holds no results; run `backfill --since 1y` first"
        )
    raise InvalidParameters(f"the archive holds several appids ({', '.join(known[:5])}): choose one with --appid")


def _range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    given = archive_since(args.since or "", "--since", InvalidParameters)
    since = None if given is None else since_day(given, beijing_today(datetime.now(timezone.utc)))
    until = archive_date(args.until or "", "--until", InvalidParameters)
    if since and until and until < since:
        raise InvalidParameters(f"--until {args.until} is before --since {args.since}")
    return since, until


def _export(args: argparse.Namespace, archive: Archive, out: IO[str], err: IO[str], config: ArchiveConfig) -> int:
    """The results on stdout (data only: the message, or its JSON line with ``--json``, goes to stderr)."""
    from ..present.export import write_csv, write_jsonl

    report = report_for(args.api, "--api")
    since, until = _range(args)
    appid = _appid(args, archive, config)
    stored = archive.results(appid, report.name, since, until)
    count = (
        write_csv(report, stored, out, with_settled=args.with_settled)
        if args.format == "csv"
        else write_jsonl(appid, stored, out)
    )
    unit = "row" if args.format == "csv" else "line"
    if args.json:
        _wrote(err, appid=appid, api=report.name, format=args.format, periods=len(stored), **{f"{unit}s": count})
    else:
        print(f"{NAME}: {len(stored)} period(s) of {report.name}, {count} {unit}(s)", file=err)
    return 0


def _wrote(stream: IO[str], **facts: Any) -> None:
    """What a command wrote, as one JSON line (``--json``)."""
    print(json.dumps({"errCode": 0, "errMsg": f"{NAME}:ok", **facts}, ensure_ascii=False), file=stream)


def _chart(args: argparse.Namespace, archive: Archive, out: IO[str], err: IO[str], config: ArchiveConfig) -> int:
    from ..present.chart import draw
    from ..present.export import series

    target = paths.output(
        args.out, "--out", make_folder=True
    )  # absolute (the caller's directory), checked before any work
    report = report_for(args.api, "--api")
    since, until = _range(args)
    where = dict(_pair(item) for item in args.where)
    appid = _appid(args, archive, config)
    stored = archive.results(appid, report.name, since, until)
    points = series(report, stored, args.metric, where)
    if not points:
        raise InvalidParameters(
            f"no archived {report.name} period has a value for {args.metric}{_filters(where)}: backfill first, or check --where"
        )
    filters = _filters(where)
    subtitle = f"appid {appid}, {len(points)} periods {points[0].begin_date}..{points[-1].end_date}{filters}"
    draw(points, title=f"{report.name}: {args.metric}", metric=args.metric, subtitle=subtitle, out=target)
    if args.json:
        _wrote(
            out,
            out=str(target),
            appid=appid,
            api=report.name,
            metric=args.metric,
            periods=len(points),
            bytes=target.stat().st_size,
        )
    else:
        print(f"{NAME}: wrote {paths.shown(target)} ({len(points)} periods)", file=err)
    return 0


def _status(
    args: argparse.Namespace, settings: ArchiveSettings, archive: Archive, out: IO[str], config: ArchiveConfig
) -> int:
    """The status of the chosen app (``--appid``), or of every app of the archive's configuration
    (``WX_ARCHIVE_APPS``), or of ``WX_APPID``, or of every appid the archive holds; each over the
    range its runs use (``--since``, else ``WX_ARCHIVE_SINCE``, else the app's window, else a year).
    Nothing archived yet (no database, no tables, no results) is every report behind (exit 1):
    an empty archive in memory stands in for a missing one, so nothing is created."""
    from ..observe.status import database_name, status, write_json, write_json_apps, write_nothing, write_table
    from ..plan.window import kept_since

    today = beijing_today(datetime.now(timezone.utc))
    options = {"since": args.since, "apis": args.api or []}
    job = job_for(settings, today, options, {"since": "--since", "apis": "--api"})
    database_shown = database_name(archive.url)
    nothing: str | None = None
    source = archive
    try:
        held = archive.appids()
    except NothingArchived as exc:  # no database, or not its tables: an empty one in memory stands in for it
        held, nothing = [], exc.what
        source = Archive("sqlite://", prefix=settings.table_prefix)
    if nothing is None and not held:  # the tables, and no results: the ledger may still say why (a run that failed)
        nothing = f"{database_shown} holds no results"
    appids = _status_appids(args, held, config)
    as_json = bool(args.json)
    if not appids:  # nothing archived, no app configured: nothing to name but the database
        write_nothing(str(nothing), database_shown, settings.table_prefix, out, as_json=as_json)
        return 1
    states = []
    chosen = chosen_since(settings, options)
    for appid in appids:
        since, since_from = (
            job.since,
            f"--since {args.since}" if args.since else f"WX_ARCHIVE_SINCE={_as_given(settings.since)}",
        )
        if not chosen:
            kept = kept_since(source, [appid])
            since, since_from = (
                (kept, "the archive's window") if kept is not None else (job.since, "a year: no since recorded")
            )
        states.append(
            status(source, appid, job.apis, since, today, since_from=since_from, database_shown=database_shown)
        )
    if source is not archive:
        source.close()
    if as_json:
        if args.appid:
            write_json(states[0], out)
        else:
            write_json_apps(states, out, nothing)
    else:
        if nothing is not None:
            out.write(f"nothing is archived yet: {nothing}\n\n")
        for index, state in enumerate(states):
            if index:
                out.write("\n")
            write_table(state, out)
    return 1 if any(state.unhealthy for state in states) else 0


def _as_given(since: date | Ago | None) -> str:
    return f"{since:%Y%m%d}" if isinstance(since, date) else str(since)


def _status_appids(args: argparse.Namespace, held: list[str], config: ArchiveConfig) -> list[str]:
    """The apps ``status`` looks at; an ``--appid`` neither archived nor configured is bad input
    (a typo would otherwise show every report behind, and a command that fetches nothing for it)."""
    if args.appid:
        chosen = str(args.appid)
        if chosen in held:
            return [chosen]
        configured = _configured_appids(config)
        if chosen in configured:
            return [chosen]
        archived = f"the archive holds {_listed(held)}" if held else "the archive holds no appid"
        named = (
            f"the configuration names {_listed(configured)}"
            if configured
            else "none is configured (WX_ARCHIVE_APPS, WX_APPID)"
        )
        raise InvalidParameters(f"--appid {chosen[:40]} is unknown: {archived}, and {named}")
    configured = _configured_appids(config)
    return configured or held


def _configured_appids(config: ArchiveConfig) -> list[str]:
    """The appids of the archive's configuration: ``WX_ARCHIVE_APPS`` (or its SSM name), else ``WX_APPID``."""
    return config.configured_appids()


def _listed(appids: Sequence[str]) -> str:
    return ", ".join(appids[:8]) + (f" and {len(appids) - 8} more" if len(appids) > 8 else "")


def _report(args: argparse.Namespace, archive: Archive, out: IO[str], err: IO[str], config: ArchiveConfig) -> int:
    from ..present.report import EmptyArchive, render

    target = paths.output(args.out, "--out")  # before any work; a missing folder is a mistyped path, not one to create
    since, until = _range(args)
    appid = _appid(args, archive, config)
    try:
        document = render(archive, appid, since=since, until=until, lang=args.lang)
    except EmptyArchive as exc:
        raise InvalidParameters(str(exc)) from None
    paths.write(target, document, "--out")
    size = len(document.encode("utf-8"))
    if args.json:
        _wrote(out, out=str(target), appid=appid, bytes=size)
    else:
        print(f"{NAME}: wrote {paths.shown(target)} ({size / 1_000_000:.2f} MB)", file=err)
    return 0


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise InvalidParameters(f"--where takes COLUMN=VALUE, got {text[:40]!r}")
    return name.strip(), value.strip()


def _filters(where: dict[str, str]) -> str:
    return "".join(f", {name}={value}" for name, value in where.items())
