"""An archive run's alert as words: which outcomes of a run deserve a message, and what to advise
for each. How a text from elsewhere is masked and shown is ``masking.py``'s; what posts the message
is ``webhook.py``; when it is posted, ``alerts.notify``.

The message is written from the run's typed result (``RunSummary``): each app's stop and errors,
each report's counts, the database's failure, the time limit, what a dispatcher could not send.
No count, stop or code is read back from a text (a failed run's errMsg alone is looked at, for
the words that call for the database's advice); the texts that came from elsewhere (an appid, a
report's name, WeChat's or the database's words) are masked for secrets (``masking.clean``: tokens,
credentials, and the webhook's key in each encoding) and made plain text (``masking.markdown_text``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errcodes import INVALID_PARAM, JS_ERROR, NO_PERMISSION, OPENAPI_TIMEOUT, SYSTEM_ERROR
from ...variables import WX_ARCHIVE_URL
from ..fetch.outcomes import ApiTally, AppSummary, Dispatch, ErrorRecord, RunSummary
from .masking import Conceal, clean, markdown_text

# WeCom refuses markdown content over 4096 bytes (UTF-8); room is kept for the closing note.
MESSAGE_LIMIT = 4096
_NOTE_ROOM = 120
_TEXT_LIMIT = 160  # characters of one error text
_NAME_LIMIT = 60  # characters of a report's name or an appid
_WHO_LIMIT = 200  # characters of the apps a title names
_NAMED_APPS = 3  # apps a title names before "and N more"


# What to do, by error code (the first error of a report, or a failed run's errCode).
ADVICE: dict[int, str] = {
    45009: "daily quota spent; the next run resumes, or lower WX_ARCHIVE_APIS",
    45011: "minute quota hit; the next run resumes, or lower WX_ARCHIVE_CONCURRENCY",
    48001: "the API is not authorised for this Mini Program: authorise it or remove it from WX_ARCHIVE_APIS",
    61500: "WeChat refused the dates: check WX_ARCHIVE_SINCE",
    61501: "WeChat no longer keeps these periods: move WX_ARCHIVE_SINCE later",
    40001: "WeChat refused the access token: check WX_APPSECRET (or its SSM secret)",
    40125: "WeChat refused the appsecret: check WX_APPSECRET (or its SSM secret)",
    JS_ERROR: "WeChat or the network failed; the next run retries",
    61504: "WeChat was busy; the next run retries",
    OPENAPI_TIMEOUT: "raise the function's timeout or narrow the run",
    NO_PERMISSION: "declare the archived APIs in the function's config.json",
    INVALID_PARAM: "fix the run's event or the timer's Message",
    SYSTEM_ERROR: "fix the function's configuration as the hint says",
}
DATABASE_ADVICE = "check WX_ARCHIVE_URL (or its SSM secret) and that the database accepts the function's connections"
FAN_OUT_ADVICE = "give the function's role scf:InvokeFunction on the function itself, or set WX_ARCHIVE_FAN_OUT=off"
DEADLINE_ADVICE = "raise the function's timeout or narrow the run"


# ---- the message ---------------------------------------------------------------------------------


def message_for(run: RunSummary, *, conceal: Conceal = (), unnamed: str = "") -> str | None:
    """One short WeCom markdown message about a run that needs attention; None for a healthy run.

    A run that failed says so, with its error value's code and text; a run of one app names each
    of its reports that needs attention, why the app or the report stopped, the database's
    failure, the time limit and what a dispatcher could not send; a run over several apps is one
    message with each app that needs attention (those that are fine left out). Periods WeChat has
    not computed yet (``notReady``) alone are no reason: the next run gets them. ``unnamed``: who
    the title names when the run names no app (it failed before it knew them). Every text that
    came from elsewhere is masked (tokens, secrets, URL passwords, and each of ``conceal``: the
    webhook's key), cut short and made plain text (``markdown_text``), and the whole stays under
    WeCom's 4096-byte limit. One message, not one per app: a robot takes 20 a minute, and a
    fleet's bad day is one event."""
    names = run.named()
    who_raw = names[0] if len(names) == 1 else named(names) if names else unnamed
    who = _shown(who_raw, _WHO_LIMIT, conceal) or "(no appid)"
    if run.failure is not None:
        return _failure_message(who, run.failure, conceal)
    fanned = _fan_out_line(run.fan_out, conceal)
    if len(names) <= 1:
        app = run.apps.get(names[0]) if names else None
        return _app_message(who, app, run, fanned, conceal)
    parts = [
        message
        for appid, app in run.apps.items()
        if (message := _app_message(_shown(appid, _WHO_LIMIT, conceal), app, run, None, conceal)) is not None
    ]
    if fanned is None and len(parts) <= 1:
        return parts[0] if parts else None
    title = f"**archiveAnalysis: {len(parts)} of {len(names)} apps need attention**"
    return _assemble(title, ([fanned] if fanned else []) + [line for part in parts for line in part.splitlines()])


def named(apps: Sequence[str]) -> str:
    """The apps a title names: the first few, and how many more."""
    shown = ", ".join(app[:_NAME_LIMIT] for app in apps[:_NAMED_APPS])
    return f"{shown} and {len(apps) - _NAMED_APPS} more" if len(apps) > _NAMED_APPS else shown


def _failure_message(who: str, failure: ErrorRecord, conceal: Conceal) -> str:
    """A run that answered an error value: its code, its text and what to do."""
    raw = failure.message or "no errMsg"
    database = failure.code == SYSTEM_ERROR and ("database" in raw.lower() or WX_ARCHIVE_URL.name in raw)
    advice = DATABASE_ADVICE if database else _advice(failure.code)
    line = f"- the run failed: `{_shown(raw, _TEXT_LIMIT * 2, conceal)}` → {advice}"
    return _assemble(f"**archiveAnalysis {who}: the run failed ({failure.code})**", [line])


def _app_message(who: str, app: AppSummary | None, run: RunSummary, fanned: str | None, conceal: Conceal) -> str | None:
    """The message of one app's part of ``run`` (``fanned``: what the run could not send to
    workers, said once in this message); None when nothing needs attention."""
    lines: list[str] = []
    if app is not None and app.stopped is not None:
        first = app.errors[0] if app.errors else None
        shown_error = f" `{_shown(_plain(first), _TEXT_LIMIT, conceal)}`" if first is not None else ""
        lines.append(
            f"- the app stopped, {_shown(str(app.stopped), 40, conceal)}:{shown_error} → {_advice(app.stopped.code)}"
        )
    if fanned is not None:
        lines.append(fanned)
    database_error = app.database_error if app is not None else None
    if database_error is not None:
        lines.append(f"- database: `{_shown(database_error.reason, _TEXT_LIMIT, conceal)}` → {DATABASE_ADVICE}")
    deadline_reached = app is not None and app.deadline_reached and not run.handed_on
    tallies = {} if app is None else app.apis
    affected = [
        _report_line(
            name,
            tally,
            database_error=database_error is not None,
            deadline_reached=deadline_reached,
            handed_on=run.handed_on,
            conceal=conceal,
        )
        for name, tally in tallies.items()
    ]
    report_lines = [line for line in affected if line is not None]
    if deadline_reached:
        left = sum(tally.counts["leftForLater"] for tally in tallies.values())
        lines.append(f"- time limit reached, {left} period(s) left for the next run → {DEADLINE_ADVICE}")
    if not lines and not report_lines:
        return None
    day = "" if run.job is None else _shown(f"{run.job.today:%Y%m%d}", 8, conceal)
    title = f"**archiveAnalysis {who}{f', run of {day}' if day else ''}: needs attention**"
    return _assemble(title, lines + report_lines)


def _fan_out_line(fanned: Dispatch | None, conceal: Conceal = ()) -> str | None:
    """What a dispatcher could not send to workers, and what to do; None when it sent everything."""
    if fanned is None or fanned.complete:
        return None
    first = next(iter(fanned.failed.values()), None)
    shown_error = f" `{_shown(str(first), _TEXT_LIMIT, conceal)}`" if first is not None else ""
    left = len(fanned.not_sent) + len(fanned.failed)
    return f"- fan-out: the work of {left} app(s) was not sent to workers{shown_error} → {FAN_OUT_ADVICE}"


def _report_line(
    name: str,
    tally: ApiTally,
    *,
    database_error: bool,
    deadline_reached: bool,
    handed_on: bool = False,
    conceal: Conceal = (),
) -> str | None:
    """``- **name**: what happened, `first error` → what to do``; None when nothing needs doing
    (``handed_on``: a worker's periods left for later are its successor's, not left behind)."""
    failed, quota = tally.counts["failed"], tally.counts["stoppedByQuota"]
    later = 0 if handed_on else tally.counts["leftForLater"]
    stop = tally.stopped
    if not (failed or quota or later or stop):
        return None
    stopped = "" if stop is None else _shown(str(stop), 40, conceal)
    first = tally.errors[0] if tally.errors else None
    code = first.code if first is not None else None if stop is None else stop.code
    left = quota + later
    if stop is not None and stop.kind == "quota":
        what = f"stopped by {stopped}, {left} period(s) left behind"
    elif stop is not None:
        what = f"stopped, {stopped}: {failed} period(s) failed, {left} left behind"
    elif failed:
        what = f"{failed} period(s) failed" + (f", {left} left behind" if left else "")
    else:
        what = f"left behind {left} period(s)"
    parts = [f"- **{_shown(name, _NAME_LIMIT, conceal)}**: {what}"]
    if first is not None:
        parts.append(f"`{_shown(_plain(first), _TEXT_LIMIT, conceal)}`")
    if code is not None:
        parts.append(f"→ {_advice(code)}")
    elif database_error:
        parts.append("(database error above)")
    elif deadline_reached:
        parts.append("(time limit)")
    return " ".join(parts)


def _plain(error: ErrorRecord) -> str:
    """An error as a message quotes it: its code and what was said, without the API's name."""
    return f"{error.code} {error.said}"


def _assemble(title: str, lines: list[str]) -> str:
    """Title and lines, cut to fit WeCom's limit with a note of how many lines were left out."""
    text = title
    for index, line in enumerate(lines):
        candidate = f"{text}\n{line}"
        if len(candidate.encode("utf-8")) > MESSAGE_LIMIT - _NOTE_ROOM:
            more = len(lines) - index
            return f"{text}\n… and {more} more line(s), see the function's log"
        text = candidate
    return text


def _advice(code: int) -> str:
    return ADVICE.get(code, "see the function's log for the details")


def _shown(text: str, limit: int, conceal: Conceal = ()) -> str:
    """A text from elsewhere as the message shows it: ``clean``, then ``markdown_text``."""
    return markdown_text(clean(text, limit, conceal))
