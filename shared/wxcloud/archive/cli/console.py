"""The archive CLI's words for people: a run's summary as a table and one verdict, an error as
one line and its hint. ``--json`` gives machines the full JSON instead (``cli/main.py``).

Why a module of its own: the CLI stays a parser and a dispatcher, and the function's runtime
package never imports this one (nor rich, which it uses: the ``archive`` extra brings rich for
the command line; the function's requirements leave it out, no terminal ever sees its output).
The tables are drawn by rich, which colours them on a terminal only (``NO_COLOR`` is honoured)
and draws plain text into a pipe or a file; what is printed is drawn from the run's typed
summary, the one the JSON is written from, so the two can never tell different stories.

What a run's table counts, per report (and per app when the run had several):

* stored: asked and archived for the first time;
* re-asked: archived before, asked again because WeChat could tell more (refreshed, revised);
* up to date: archived already, nothing to ask;
* missing: not archived yet (not ready at WeChat, deferred or stopped by the daily quota, left
  for a later run);
* stopped: the periods a stopped report left (the daily quota);
* failed: periods WeChat or the database refused.

Under the table, a line per stopped report (or app) says why it stopped (``quota (45009)``), then
the errors; the verdict gives the periods in all. The table fits a terminal of 80 columns (a
report's name without ``analysis.``, an appid, six counts), so that nothing of it is cut.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from ...errors import PlatformError, WxCloudError
from ..fetch.outcomes import ApiTally, AppSummary, RunSummary
from ..kept.reports import NAMESPACE

MISSING = ("notReady", "deferred", "leftForLater", "stoppedByQuota")  # what a period not archived may be
MISSING_WORDS = {
    "notReady": "not ready at WeChat yet",
    "stoppedByQuota": "stopped by the daily quota",
    "deferred": "deferred to keep the daily quota",
    "leftForLater": "left for a later run",
}
ERRORS_SHOWN = 5  # error lines under the table: the first few say what went wrong


@dataclass
class Row:
    """One line of a run's table: a report, or an app's reports together."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, tally: ApiTally) -> None:
        for key, value in (("periods", tally.periods), *tally.counts.items()):
            self.counts[key] = self.counts.get(key, 0) + value

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    @property
    def missing(self) -> int:
        return sum(self[key] for key in MISSING if key != "stoppedByQuota")


def short(api: str) -> str:
    """A report's name in a table: without the namespace every archived report shares."""
    return api[len(NAMESPACE) :] if api.startswith(NAMESPACE) else api


def _apps(run: RunSummary, single: bool) -> dict[str, AppSummary]:
    """A run app by app: the one app's part under no name (a run of ``WX_APPID``), or each app's."""
    if not single:
        return dict(run.apps)
    app = next(iter(run.apps.values()), None)
    return {} if app is None else {"": app}


def _reports(apps: Mapping[str, AppSummary]) -> list[Row]:
    rows: dict[str, Row] = {}
    for app in apps.values():
        for api, tally in app.apis.items():
            rows.setdefault(api, Row(short(api))).add(tally)
    return list(rows.values())


def _app_rows(apps: Mapping[str, AppSummary]) -> list[Row]:
    rows = []
    for appid, app in apps.items():
        row = Row(appid)
        for tally in app.apis.values():
            row.add(tally)
        rows.append(row)
    return rows


def _number(value: int) -> str:
    return f"{value:,}" if value else "-"


COLUMNS = ("stored", "re-asked", "up to date", "missing", "stopped", "failed")  # the periods in all: the verdict's


def _table(title: str, first: str, rows: Iterable[Row]) -> Any:
    """The counts of each row, two spaces between the columns: 76 columns wide with the longest
    report's name (20) and six counts, so an 80-column terminal shows it whole."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=escape(title),
        title_justify="left",
        title_style="bold",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column(first, no_wrap=True)
    for heading in COLUMNS:
        table.add_column(heading, justify="right", no_wrap=True)
    for row in rows:
        failed = _number(row["failed"])
        table.add_row(
            escape(row.name),
            _number(row["stored"]),
            _number(row["refreshed"] + row["revised"]),
            _number(row["upToDate"]),
            _number(row.missing),
            _number(row["stoppedByQuota"]),
            f"[red]{failed}[/]" if row["failed"] else failed,
        )
    return table


FILE_WIDTH = (
    160  # into a pipe or a file: a table is as wide as it needs (up to this), not the 80 columns of no terminal
)


@contextmanager
def _console(out: IO[str]) -> Iterator[Any]:
    """rich's console for ``out``: drawn straight to a terminal (its width, its colours); for a
    pipe or a file, plain text without the spaces rich pads each line with."""
    from rich.console import Console

    if out.isatty():
        yield Console(file=out, highlight=False, emoji=False, soft_wrap=False)
        return
    drawn = io.StringIO()
    yield Console(file=drawn, highlight=False, emoji=False, soft_wrap=False, width=FILE_WIDTH, color_system=None)
    out.write("".join(line.rstrip() + "\n" for line in drawn.getvalue().splitlines()))


def run_summary(run: RunSummary, out: IO[str], *, command: str, database: str, single: bool) -> None:
    """A run (``run``, ``backfill``) for people: a table per report (and one per app when the run
    had several), the errors, and one line of verdict; ``database``: where it archived;
    ``single``: a run of ``WX_APPID`` (its app is not named)."""
    with _console(out) as console:
        _draw_run(console, run, command, database, single)


def _draw_run(console: Any, run: RunSummary, command: str, database: str, single: bool) -> None:
    from rich.markup import escape

    if single and not run.apps and run.running:  # the one app is a worker's right now: nothing was asked
        why = next(iter(run.running.values()))
        console.print(
            f"[yellow bold]skipped:[/] {escape(why)}; nothing was asked. Run `{command}` again once it ends, "
            "or see `status`",
            soft_wrap=True,
        )
        return
    apps = _apps(run, single)
    several = len(apps) > 1 or bool(run.running)
    days = {} if run.job is None else run.job.days()
    span = f"{command} {days.get('since')} to {days.get('until') or 'the newest closed period'}"
    if several:
        console.print(_table(f"{span}, by app", "app", _app_rows(apps)))
        console.print()
    console.print(_table(f"{span}, all apps by report" if several else span, "report", _reports(apps)))
    notes = list(_notes(run, apps))
    for note in notes[:ERRORS_SHOWN]:
        console.print(escape(note), style="red", soft_wrap=True)
    if len(notes) > ERRORS_SHOWN:
        console.print(f"... and {len(notes) - ERRORS_SHOWN} more (--json shows every one)", style="red")
    style, word, verdict = _verdict(run, apps, command)
    console.print(f"[{style} bold]{word}:[/]{escape(verdict)}", soft_wrap=True)
    console.print(f"archive: {escape(database)}", style="dim", soft_wrap=True)


def _notes(run: RunSummary, apps: Mapping[str, AppSummary]) -> Iterable[str]:
    """The stops and errors of a run, one line each: the database's, each stopped app's, each
    report's, why it stopped and then its errors (without the API's name, which the line's own
    name makes redundant)."""
    if run.database_error is not None:
        yield f"database: {run.database_error.reason}"
    for appid, app in apps.items():
        who = f"{appid}, " if appid else ""
        if app.stopped is not None and not app.errors:
            yield f"{appid or 'the app'}: stopped, {app.stopped}"
        for error in app.errors:
            yield f"{appid or 'the app'}: stopped, {error.code} {error.said}"
        for api, tally in app.apis.items():
            if tally.stopped is not None:
                left = tally.counts["stoppedByQuota"]
                yield f"{who}{short(api)}: stopped, {tally.stopped}" + (
                    f"; {left:,} period(s) left for a later run" if left else ""
                )
            for error in tally.errors:
                yield f"{who}{short(api)}: {error.code} {error.said}"
    for appid, why in run.running.items():
        yield f"{appid}: skipped, {why}"


def _verdict(run: RunSummary, apps: Mapping[str, AppSummary], command: str) -> tuple[str, str, str]:
    """(style, word, the rest of the verdict line) of a run: complete, behind or failed, with what to do."""
    totals = Row("")
    for app in apps.values():
        for tally in app.apis.values():
            totals.add(tally)
    reports = len({api for app in apps.values() for api in app.apis})
    whose = f" for {len(apps)} apps" if len(apps) > 1 else ""
    periods = totals["periods"]
    left = periods - totals["stored"] - totals["refreshed"] - totals["revised"] - totals["upToDate"]
    stopped = {appid or "the app": app.stopped for appid, app in apps.items() if app.stopped is not None}
    if run.database_error is not None or totals["failed"] or stopped:
        parts = [f"{totals['failed']:,} period(s) failed"] if totals["failed"] else []
        parts += [f"{appid} stopped ({why})" for appid, why in stopped.items()]
        parts += ["the database failed"] if run.database_error is not None else []
        return (
            "red",
            "failed",
            (
                f" {', '.join(parts)}; {left:,} of {periods:,} periods not archived. Fix what the errors above say, "
                f"then run `{command}` again (what is stored is kept)"
            ),
        )
    if run.complete:
        return (
            "green",
            "complete",
            f" {periods:,} periods of {reports} report{'s' if reports != 1 else ''} archived{whose}",
        )
    why = [f"{totals[key]:,} {MISSING_WORDS[key]}" for key in MISSING if totals[key]]
    if run.running:
        why.append(f"{len(run.running)} app(s) left to another run")
    later = "tomorrow" if totals["stoppedByQuota"] or totals["deferred"] else "later"
    return (
        "yellow",
        "behind",
        (
            f" {left:,} of {periods:,} periods not archived yet ({', '.join(why) or 'see above'}); "
            f"run `{command}` again {later}, or see `status`"
        ),
    )


def fan_out_summary(report: Mapping[str, Any], out: IO[str]) -> None:
    """``backfill --fan-out``'s answer for people: what was sent, and what is left."""
    from rich.markup import escape

    sent = report.get("fanOut") or {}
    unsent = sent.get("notSent", 0) + len(sent.get("failed") or {})
    left = report.get("left")
    with _console(out) as console:
        console.print(
            f"sent the work of {sent.get('sent', 0)} app(s), {sent.get('periods', 0):,} period(s) due; "
            f"{sent.get('running', 0)} app(s) already had a worker, {sent.get('upToDate', 0)} had nothing due",
            soft_wrap=True,
        )
        for appid, error in (sent.get("failed") or {}).items():
            console.print(escape(f"{appid} not sent: {error}"), style="red", soft_wrap=True)
        if unsent:
            console.print(
                f"[red bold]failed:[/] {unsent} app(s) could not be sent; run `backfill --fan-out` again",
                soft_wrap=True,
            )
        elif left:
            console.print(
                f"[yellow bold]behind:[/] {left:,} period(s) left (not ready, quota or failures); see `status`, "
                "then run `backfill --fan-out` again",
                soft_wrap=True,
            )
        elif left is None and (sent.get("sent") or sent.get("running")):
            console.print(
                "[green bold]sent:[/] the workers archive in the background; `status` follows them", soft_wrap=True
            )
        else:
            console.print("[green bold]complete:[/] every period asked for is archived", soft_wrap=True)


def error_lines(exc: WxCloudError, name: str) -> list[str]:
    """An error for people: ``<name>: <what>`` and, when it says what to do, ``hint: <that>``.

    A platform error's hint is its whole message (its reason is the code's generic text), which
    names the problem, then what to do after ``; ``; WeChat's own error is its code and message."""
    if isinstance(exc, PlatformError) and exc.hint:
        what, _, cure = exc.hint.partition("; ")
        return [f"{name}: {what}", *([f"hint: {cure}"] if cure else [])]
    return [f"{name}: {exc.err_code} {exc.reason}", *([f"hint: {exc.hint}"] if exc.hint else [])]
