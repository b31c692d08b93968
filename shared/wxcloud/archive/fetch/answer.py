"""A run's result as JSON: the one serializer of ``RunSummary`` for the edges (the function's
answer and its log line, the CLI's ``--json``, the ledger's summary column).

Every stage before the edge holds the typed result (``outcomes.py``); this module alone writes the
shapes users and tests read: one app's answer (``app_json``: the days, ``complete``,
``deadlineReached``, ``totals``, ``apis``, and ``databaseError``, ``stopped``, ``errors`` and
``quota`` when there are), a run over several apps (``run_json``: the same with ``apps`` holding
each app's part without the days), with the texts of a stop (``quota (45009)``) and of an error
(``45009 <errMsg>``) as their types write them (``Stop``, ``ErrorRecord``), and the quota plan's
part as the plan writes it (``QuotaPlan.to_json``).
"""

from __future__ import annotations

from typing import Any

from .outcomes import OUTCOMES, ApiTally, AppSummary, Dispatch, RunSummary

OK = 0


def tally_json(tally: ApiTally) -> dict[str, Any]:
    data: dict[str, Any] = {"periods": tally.periods}
    data.update(tally.counts.items())
    if tally.stopped:
        data["stopped"] = str(tally.stopped)
    if tally.errors:
        data["errors"] = [str(error) for error in tally.errors]
    return data


def app_json(summary: AppSummary) -> dict[str, Any]:
    """One app's part of a run, as a run of that app alone answers it."""
    periods = sum(tally.periods for tally in summary.apis.values())
    data = _head(summary.job.days(), periods, summary)
    data["apis"] = {name: tally_json(tally) for name, tally in summary.apis.items()}
    if summary.database_error:
        data["databaseError"] = summary.database_error.reason
    if summary.stopped:
        data["stopped"] = str(summary.stopped)
        data["errors"] = [str(error) for error in summary.errors]
    if summary.quota is not None:
        data["quota"] = summary.quota.to_json()
    return data


def run_json(run: RunSummary) -> dict[str, Any]:
    """A run over several apps: what they add up to, and each app's part (its days left out: the
    run says them once)."""
    periods = sum(sum(t.periods for t in app.apis.values()) for app in run.apps.values())
    data = _head(_days(run), periods, run)
    data["apps"] = {appid: _app_part(app) for appid, app in run.apps.items()}
    if run.running:
        data["running"] = dict(run.running)
    if run.database_error:
        data["databaseError"] = run.database_error.reason
    return data


def dispatch_json(fanned: Dispatch) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sent": len(fanned.sent),
        "periods": sum(fanned.sent.values()),
        "running": len(fanned.running),
        "upToDate": fanned.up_to_date,
        "notSent": len(fanned.not_sent),
    }
    if fanned.failed:
        data["failed"] = {appid: str(error) for appid, error in list(fanned.failed.items())[:5]}
    return data


def cloud_call_answer(run: RunSummary, name: str, *, single: bool) -> dict[str, Any]:
    """The run's answer in the cloud-call shape (``name``: the function's, for ``errMsg``): its
    error value when it failed; else one app's shape (``single``: a run of ``WX_APPID``) or the
    shape of a run over several apps, with what a dispatcher sent (``fanOut``) and what the edge
    added (``extra``)."""
    if run.failure is not None:
        return {"errCode": run.failure.code, "errMsg": run.failure.message}
    ok: dict[str, Any] = {"errCode": OK, "errMsg": f"{name}:ok"}
    if single:
        body = _app_body(run, next(iter(run.named()), None), days_when_running=True)
    elif run.dispatched:
        body = {**_days(run), "complete": False}
    else:
        body = run_json(run)
    fan_out = {} if run.fan_out is None else {"fanOut": dispatch_json(run.fan_out)}
    return {**ok, **body, **fan_out, **run.extra}


def app_record(run: RunSummary, appid: str | None) -> dict[str, Any]:
    """What the ledger keeps of ``appid``'s part of ``run`` (its row's summary): the answer a run of
    that app alone would give, without ``errCode`` and ``errMsg``."""
    one = len(run.named()) == 1  # a run of this app alone: its row keeps the run's answer
    body = _app_body(run, appid, days_when_running=one)
    shown = run.fan_out is not None and (run.dispatched or one)
    fan_out = {"fanOut": dispatch_json(run.fan_out)} if shown and run.fan_out is not None else {}
    return {**body, **fan_out, **run.extra}


def _app_body(run: RunSummary, appid: str | None, *, days_when_running: bool) -> dict[str, Any]:
    """``appid``'s part of ``run`` as an answer of that app alone gives it: its summary; or, for an
    app a worker holds right now, why it was skipped (with the run's days when ``days_when_running``);
    or, for an app the run never reached, the days and ``complete: false``."""
    if appid is not None and appid in run.apps:
        return app_json(run.apps[appid])
    if appid is not None and appid in run.running:  # the app is a worker's right now
        body = {**_days(run), "complete": False} if days_when_running and run.job is not None else {}
        body["skipped"] = run.running[appid]
        return body
    return {**_days(run), "complete": False}


def _head(days: dict[str, Any], periods: int, part: AppSummary | RunSummary) -> dict[str, Any]:
    """What an app's answer and a run's begin with, in this order: the days, whether complete,
    whether the deadline came, and the totals (``periods`` due, then each outcome's count)."""
    totals: dict[str, int] = {"periods": periods}
    totals.update((outcome, part.total(outcome)) for outcome in OUTCOMES)
    return {**days, "complete": part.complete, "deadlineReached": part.deadline_reached, "totals": totals}


def _days(run: RunSummary) -> dict[str, Any]:
    return {} if run.job is None else run.job.days()


def _app_part(summary: AppSummary) -> dict[str, Any]:
    """An app's summary inside a run's: what the run already says once (its days) left out."""
    data = app_json(summary)
    for key in ("today", "since", "until", "databaseError"):
        data.pop(key, None)
    return data


def app_line(summary: AppSummary) -> dict[str, Any]:
    """One app's part of a run's log line: whether it is complete, its counts that are not 0, and
    why it stopped."""
    line: dict[str, Any] = {"complete": summary.complete}
    line.update((outcome, count) for outcome in OUTCOMES if (count := summary.total(outcome)))
    if summary.stopped:
        line["stopped"] = str(summary.stopped)
    return line
