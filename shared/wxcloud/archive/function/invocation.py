"""One invocation of the archive function around its run: the request its event makes, what the
run reached (for the log line, the ledger and the alert that follow it), and the log line itself.

Kept apart from ``handler.py``, which runs the work: reading an event (a timer's, a worker's, a
manual one) and recording what became of the run are the edges of an invocation, the same for
every kind of run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...dates import beijing_today
from ...errors import InvalidParameters, WxCloudError, shown
from ...scf.events import is_timer, timer_fired, timer_message
from ..fetch.answer import app_line
from ..fetch.outcomes import ErrorRecord, RunSummary
from ..kept.reports import EARLIEST
from ..observe.ledger import Ledger, Trigger
from ..plan.options import OPTIONS, options_of
from .fanout import WORK_KEY, Work

# How far a timer's Time may be ahead of the function's clock (the clocks of SCF's hosts differ a little).
TIMER_LEAD = timedelta(days=1)
# What of a run's answer its log line carries (an app's details are in the ledger).
LOGGED = (
    "today",
    "since",
    "until",
    "complete",
    "deadlineReached",
    "totals",
    "apis",
    "fanOut",
    "work",
    "next",
    "skipped",
)
REFUSED_TIMER = (
    "the timer's event was refused (its Time or its Message): check the timer trigger's argument; "
    "the function's log has the details"
)


@dataclass(frozen=True)
class Request:
    trigger: Trigger  # "timer", "direct" or "worker"
    now: datetime  # the timer's Time, or the invocation's start
    options: dict[str, Any]
    work: Work | None = None  # a worker's share of a fanned-out run


def trigger_of(event: Any) -> Trigger:
    """Who invoked: a timer, a worker's event (one before it is read: a malformed one is a
    worker's too, and posts nothing), or anyone else."""
    return "timer" if is_timer(event) else "worker" if isinstance(event, dict) and WORK_KEY in event else "direct"


def request_of(event: Any, now: datetime) -> Request:
    """What an event asks for, checked (-501007 with what is wrong)."""
    if is_timer(event):
        fired = timer_fired(event)
        _check_fired(fired, now, event.get("Time"))
        options = timer_message(event, f"a JSON object of {', '.join(OPTIONS)}")
        return Request("timer", fired, options_of({} if options is None else options))
    if isinstance(event, dict) and WORK_KEY in event:
        if len(event) > 1:
            raise InvalidParameters(f"a worker's event holds {WORK_KEY} alone")
        return Request("worker", now, {}, Work.from_event(event[WORK_KEY]))
    return Request("direct", now, options_of({} if event is None else event))


@dataclass
class Invocation:
    """What a run has reached so far, for what comes after it (the log line, the ledger, the alert)."""

    trigger: Trigger
    summary: RunSummary | None = None
    ledger: Ledger | None = field(default=None, repr=False)
    rows: dict[str | None, int] = field(default_factory=dict)  # appid -> its row in the ledger
    appid: str | None = None  # the one app's (None: several apps)
    single: bool = True  # one app's run (WX_APPID, or a worker's): its answer is one app's shape
    retry_later: bool = False  # a worker's event whose own worker holds the lease: SCF is to deliver it again later

    def result(self, answer: dict[str, Any], error: WxCloudError | None) -> RunSummary:
        """The run's result: its own, or, when it answered an error value, that error over the apps
        it had named (``answer``: what it answered, for an error that is not one of ours)."""
        if error is None and answer.get("errCode") == 0:
            assert self.summary is not None  # every run that answers ok has set its result
            return self.summary
        failure = (
            ErrorRecord.of(error) if error is not None else ErrorRecord(int(answer["errCode"]), str(answer["errMsg"]))
        )
        appids = tuple(appid for appid in self.rows if appid) or ((self.appid,) if self.appid else ())
        return RunSummary(None, appids=appids, failure=failure)

    def alerted(self, result: RunSummary, error: WxCloudError | None) -> RunSummary | None:
        """What a run's alert is about (None: no alert). Anyone who may invoke the function can send
        it an event, so an event's own text never reaches the team's group: a worker's event that
        proved no lease posts nothing, nor does a manual invoke whose event was refused (its
        invoker has the answer), and a refused timer event is alerted without the text it held."""
        if self.trigger == "worker" and not self.rows:
            return None
        if isinstance(error, InvalidParameters) and not self.rows:
            if self.trigger != "timer":
                return None
            return RunSummary(None, failure=ErrorRecord(error.err_code, REFUSED_TIMER))
        return result

    def log_fields(self, name: str, answer: dict[str, Any], result: RunSummary) -> tuple[bool, dict[str, Any]]:
        """The run's log line (its fields, and whether it is one to notice: WARNING or ERROR)."""
        ok = result.failure is None
        fields: dict[str, Any] = {"function": name, "trigger": self.trigger, "outcome": "ok" if ok else "error"}
        if result.failure is not None:
            fields.update(errCode=result.failure.code, errMsg=result.failure.message)
            return True, fields
        notice = not (result.complete and result.total("failed") == 0)
        fields.update({key: answer[key] for key in LOGGED if key in answer})
        if result.dispatched and result.fan_out is not None:  # fine when every app with work has a worker
            notice = not result.fan_out.complete
        # several apps: each one's outcome in a line, the details in the ledger
        if not self.single and not result.dispatched:
            fields["apps"] = {appid: app_line(app) for appid, app in result.apps.items()}
        if result.database_error is not None:
            fields["databaseError"] = result.database_error.reason
        return notice, fields


def _check_fired(fired: datetime, now: datetime, raw: Any) -> None:
    """A timer's Time is when it fired: one whose Beijing day leaves the calendar, comes before
    WeChat's analytics, or lies more than ``TIMER_LEAD`` ahead of this clock is no real timer's."""
    try:
        day = beijing_today(fired)
    except (OverflowError, ValueError):  # 9999-12-31T20:00:00Z is already year 10000 in Beijing
        day = None
    if day is None or day < EARLIEST or fired > now + TIMER_LEAD:
        raise InvalidParameters(
            f"the timer event's Time {shown(raw)} is out of range: a timer's Time is when it fired, "
            f"from {EARLIEST:%Y-%m-%d} to at most {TIMER_LEAD.days} day after this function's clock"
        )
