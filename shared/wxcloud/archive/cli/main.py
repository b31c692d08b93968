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
from datetime import datetime, timezone
from typing import IO, Any

from ... import paths
from ...dates import beijing_today
from ...errcodes import INVALID_PARAM, JS_ERROR, SYSTEM_ERROR
from ...errors import ConfigurationError, WxCloudError, calling
from ..apps import App
from ..config import ArchiveConfig
from ..fetch.answer import cloud_call_answer, dispatch_json
from ..fetch.clients import app_client
from ..fetch.outcomes import ErrorRecord, RunSummary
from ..fetch.runner import run_apps
from ..function.leases import RUN, Leases, held_apps
from ..observe.ledger import Ledger, base_url_of
from ..plan.job import Job
from ..plan.options import chosen_since, job_for
from ..plan.window import windowed
from ..settings import ArchiveSettings
from ..store.archive import Archive
from ..store.sources import open_archive
from .parser import NAME, _parser
from .progress import _progress_bar
from .read import _chart, _export, _report, _status

LEASE_SECONDS = 300.0  # the apps' leases a CLI run holds, renewed while it runs: a killed run's expire within this


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
        named = [config.appid] if apps is None else [app.appid for app in apps]
        rows = ledger.start(named, trigger="cli", today=job.today, base_url=base_url_of(config.function.api_base_url))
        appids = tuple(appid for appid in rows if appid)
        try:
            job = windowed(archive, list(appids), job, chosen=chosen_since(settings, options))
            one = _clients(None, config) if apps is None else None  # WX_APPID and its secret, checked before any lease
            with held_apps(
                Leases(archive),
                list(appids),
                f"{RUN}cli:{secrets.token_hex(4)}",
                LEASE_SECONDS,
                renew_every=LEASE_SECONDS / 3,
            ) as (mine, running):
                if one is not None and not mine:  # the one app is a worker's right now
                    skipped = RunSummary(job, running=dict(running), appids=appids)
                    _ended(ledger, rows, settings, skipped)
                    _answer(args, skipped, out, _where(archive), single=True)
                    return 1
                clients = (
                    one if one is not None else _clients([app for app in (apps or ()) if app.appid in mine], config)
                )
                _starting(args, err, config)
                summary = _archive(archive, clients, job, settings, err)
                summary.running = dict(running)
                summary.appids = appids
        except WxCloudError as exc:
            _ended(ledger, rows, settings, RunSummary(job, appids=appids, failure=ErrorRecord.of(exc)))
            raise
        except KeyboardInterrupt:
            interrupted = ErrorRecord(JS_ERROR, "interrupted; every period stored so far is kept", NAME)
            ledger.finish(rows, RunSummary(job, appids=appids, failure=interrupted))
            raise
        _ended(ledger, rows, settings, summary)
        where = _where(archive)
    finally:
        archive.close()
    _answer(args, summary, out, where, single=source is None)
    return 0 if summary.complete and summary.total("failed") == 0 else 1


def _starting(args: argparse.Namespace, err: IO[str], config: ArchiveConfig) -> None:
    """The line ``dev.py`` gives for a run (``WXCLOUD_ARCHIVE_STARTING``: that the WeChat asked is its emulator, and
    where its made-up figures go), printed once the run begins: after every check of the input,
    the configuration and the database, so that a refused command prints its error alone. Never
    with ``--json``, whose stderr is the error value or nothing."""
    note = config.starting
    if note and not args.json:
        print(note, file=err)


def _answer(args: argparse.Namespace, run: RunSummary, out: IO[str], where: str, *, single: bool) -> None:
    """A run's answer: the summary for people (``console.py``), or the full JSON with ``--json``."""
    if args.json:
        print(json.dumps(cloud_call_answer(run, NAME, single=single), ensure_ascii=False, indent=2), file=out)
        return
    from .console import run_summary

    run_summary(run, out, command=args.command, database=where, single=single)


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
    from ..function.fanout import dispatch, plan_work

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
        planned = plan_work(archive, appids, job, settings.slice_days)
        sent = dispatch(planned, invoker=invoker, leases=Leases(archive), per_minute=settings.fan_out_per_minute)
        report: dict[str, Any] = {"errCode": 0, "errMsg": f"{NAME}:ok", **job.days(), "fanOut": dispatch_json(sent)}
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

    from ..function.fanout import plan_work

    bar = _progress_bar(err)
    if bar is not None:
        bar.plan(total)
    left, last_change = total, time.monotonic()
    try:
        while left:
            time.sleep(FOLLOW_SECONDS)
            now_left = plan_work(archive, appids, job, settings.slice_days).periods
            if now_left != left:
                if bar is not None:
                    bar.advance(max(left - now_left, 0))
                else:
                    print(f"{NAME}: {total - now_left} of {total} period(s) archived", file=err)
                left, last_change = now_left, time.monotonic()
            elif not Leases(archive).held(appids) and time.monotonic() - last_change > STALLED_SECONDS:
                print(
                    f"{NAME}: the workers stopped with {left} period(s) left (not ready, quota, or failures): see "
                    "`status`",
                    file=err,
                )
                break
    finally:
        if bar is not None:
            bar.close()
    return left


def _ended(ledger: Ledger, rows: dict[str | None, int], settings: ArchiveSettings, run: RunSummary) -> None:
    """A run's end: in the ledger, and an alert when it needs attention (as the function's runs)."""
    from ..observe.alerts import notify

    ledger.finish(rows, run)
    notify(settings.alerts, run, deadline=None)


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
