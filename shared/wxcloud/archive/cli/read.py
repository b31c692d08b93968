"""The commands that only read the archive: ``export``, ``chart``, ``report`` and ``status``.

None of them creates a database or a table (``main.py`` opens the archive read-only for them):
with nothing archived yet, ``status`` says every report is behind (exit 1) and the others name
the database and the backfill to run (exit 2, bad input). ``export`` writes its data alone to
stdout; ``chart`` and ``report`` write a file; each says what it wrote (``--json``: one JSON line).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import IO, Any

from ... import paths
from ...dates import beijing_today
from ...errors import InvalidParameters
from ..config import ArchiveConfig
from ..errors import NothingArchived
from ..kept.reports import report_for
from ..plan.options import chosen_since, job_for
from ..settings import Ago, ArchiveSettings, archive_date, archive_since, since_day
from ..store.archive import Archive
from .parser import NAME


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
            f"no archived {report.name} period has a value for {args.metric}{_filters(where)}: "
            "backfill first, or check --where"
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
    from ..observe.status import database_name, status, write_json, write_nothing
    from ..plan.window import kept_since
    from .status_table import write_table

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
        write_json(states[0] if args.appid else states, out, nothing)  # --appid: that app's object alone
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
        configured = config.configured_appids()
        if chosen in configured:
            return [chosen]
        archived = f"the archive holds {_listed(held)}" if held else "the archive holds no appid"
        named = (
            f"the configuration names {_listed(configured)}"
            if configured
            else "none is configured (WX_ARCHIVE_APPS, WX_APPID)"
        )
        raise InvalidParameters(f"--appid {chosen[:40]} is unknown: {archived}, and {named}")
    configured = config.configured_appids()
    return configured or held


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
