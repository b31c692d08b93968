"""``status`` for people: the header, the table of the reports, the missing periods of each report
behind and why, one verdict and the command that fetches what is missing.

``observe/status.py`` tells the state (and writes it as JSON); this draws it with rich, which the
``archive`` extra brings for the command line and the function's package leaves out (it never
imports this module). Colours only on a terminal (rich decides).
"""

from __future__ import annotations

from typing import IO, Any

from ..observe.status import MissingRun, Status
from ..settings import tables_note

RANGES_SHOWN = 3  # runs of missing periods of each series a report's line names (the JSON has all)
STATE_STYLE = {"ok": "green", "behind": "yellow"}  # anything failed: red


def write_table(state: Status, out: IO[str]) -> None:
    """The status for a person: a header (appid, range, database, last run), a table of the
    reports, each behind report's missing periods and why, one verdict line and the command
    that fetches what is missing. Colours only on a terminal (rich decides)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, highlight=False, emoji=False, markup=False)
    _line(
        console,
        f"appid {state.appid}, Beijing day {state.today:%Y%m%d}, periods since {state.since:%Y%m%d}"
        + (f" ({state.since_from})" if state.since_from else ""),
    )
    _line(console, f"database: {state.database}{tables_note(state.table_prefix)}")
    _line(console, _last_run(state))
    console.print()
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("report")
    for name in ("stored", "missing", "unsettled"):
        table.add_column(name, justify="right")
    table.add_column("state")
    for report in state.reports:
        style = STATE_STYLE.get(report.state, "red")
        table.add_row(
            report.api.removeprefix("analysis."),
            str(report.stored),
            str(report.missing),
            str(report.unsettled),
            Text(report.state, style=style),
        )
    console.print(table)
    console.print()
    for report in state.reports:
        if report.healthy:
            continue
        name = report.api.removeprefix("analysis.")
        parts = []
        if report.missing:
            first = _first_runs(report.missing_ranges)
            shown = ", ".join(run.shown() for run in first)
            more = len(report.missing_ranges) - len(first)
            parts.append(f"{report.missing} missing: {shown}" + (f" and {more} more run(s)" if more > 0 else ""))
        if report.overdue:
            parts.append(f"{report.overdue} overdue")
        if report.why and (report.missing or report.overdue):
            parts.append(report.why)
        elif report.problem:
            parts.append(report.problem)
        _line(console, f"{name}: " + "; ".join(parts))
    if state.unhealthy:
        _line(console, f"behind or failed: {', '.join(state.unhealthy)}", style="bold red")
    else:
        _line(
            console,
            f"ok: all {len(state.reports)} report(s) archived up to their newest finished period",
            style="bold green",
        )
    fetch = state.fetch()
    if fetch:
        _line(console, f"fetch them: {fetch}")


def _first_runs(runs: list[MissingRun]) -> list[MissingRun]:
    """The first few runs of missing periods of each series (a long gap of days would otherwise
    hide the missing weeks)."""
    taken: dict[int, int] = {}
    first = []
    for run in runs:
        if taken.get(run.days, 0) < RANGES_SHOWN:
            taken[run.days] = taken.get(run.days, 0) + 1
            first.append(run)
    return first


def _line(console: Any, text: str, style: str | None = None) -> None:
    """A line as it is, never wrapped or cut (a person copies the command from it)."""
    console.print(text, style=style, soft_wrap=True, overflow="ignore", crop=False)


def _last_run(state: Status) -> str:
    run = state.last_run
    if run is None:
        return "last run: none recorded"
    ended = "still running (or died)" if run.ended_at is None else f"ended {run.to_json()['endedAt']}"
    text = f"last run: {run.trigger} {run.to_json()['startedAt']}, {ended}, {run.outcome}" + (
        f": {run.error}" if run.error else ""
    )
    return text + (f", WeChat at {state.base_url}" if state.base_url else "")
