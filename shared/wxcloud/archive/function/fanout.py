"""Fan-out: a run with more work than fits in its invocation spreads it over SCF's own
asynchronous invocations of the same function, one per app.

SCF is the engine, not a scheduler of ours: the run that finds the work (the *dispatcher*: the
daily timer, a manual invoke, or ``backfill --fan-out`` from a workstation) sends one
asynchronous ``Invoke`` (``InvocationType=Event``) per app that has work due, to the same
function, with an event naming that work (``{"archiveWork": {...}}``, see ``Work``). SCF queues
the events, runs the *workers* side by side (each in an invocation of its own, with its own time
limit), and retries one that raises. Each worker archives its app's share:

* a backfill's range is cut into slices of ``WX_ARCHIVE_SLICE_DAYS`` days (by the day a period
  begins, so slices partition the periods exactly, see ``Job.before``), and a worker archives one
  slice, the newest first: its periods that ended yesterday tell whether WeChat has computed
  yesterday, and the workers after it are told (``proven``), so they record what they store as
  known today (a retention key due today is not asked for again tomorrow). With slices left, or
  with its slice cut short by its time limit after it stored something, it invokes the next
  worker for the rest itself, handing its lease on (``leases.py``): so the slices of one app run
  one after the other, and each worker plans within what is left of the app's daily quota when
  it starts;
* one worker per app at a time, and only a worker the archive sent: the dispatcher takes each
  app's lease before it sends the app's event and hands the lease to that event (a random token
  in the event, a digest of token and work in the lease: ``leases.py``). A worker acts only on an
  event whose digest finds its lease, so a forged event, a changed one, or a copy of one whose
  chain has moved on does nothing: no lease, no ledger row, no WeChat request. The dispatcher
  sends nothing for an app whose lease is held;
* an event delivered twice, late or out of order costs nothing: the lease keeps a copy away while
  the work runs, and a copy arriving after its worker handed on or ended finds no lease to take.
  A worker that dies leaves its lease to expire (the function's time limit and a margin); SCF's
  retry of its event takes over then, or the next daily run dispatches what is left;
* a worker's ``today`` is never after its own Beijing day (a clock ahead, or an event from a
  dispatcher whose timer said so, cannot store a period as known on a day still to come), and its
  ``proven`` is believed only because the event proves it came from the app's chain;
* a range is cut into at most ``MAX_SLICES`` slices (wider ones when ``WX_ARCHIVE_SLICE_DAYS`` is
  small for the range), so every event a dispatcher sends is one its workers accept; a slice a
  worker cannot finish in its invocation is carried on by the next worker of the chain.

The dispatcher spreads its invokes over time (``WX_ARCHIVE_FAN_OUT_PER_MINUTE``), so a fleet's
workers do not all start in the same second, meet WeChat's per-minute quotas and the database's
connection limit together, and logs one line of what it sent. It never waits for the workers.

Why not a queue or a task library (Celery, RQ, SQS-style queues): SCF's asynchronous invocation
already is a queue with retries, per-invocation time limits and scaling, billed per use, and the
database already is the shared state (leases, the ledger, what is stored). A library would add a
broker to run and pay for, and nothing the two do not give.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from ...dates import parse_yyyymmdd
from ...deadline import Deadline
from ...errors import ConfigurationError, InvalidParameters, WxCloudError, shown
from ..fetch.outcomes import ApiTally, AppSummary, Dispatch, ErrorRecord
from ..fetch.runner import due_work
from ..kept.reports import on_or_after_earliest
from ..plan.job import Job
from ..settings import archive_apis
from ..store.archive import Archive
from .leases import HANDOFF, Leases

WORK_KEY = "archiveWork"  # the key of a worker's event
FETCH_SECONDS = 1.0  # one fetch and store, when judging whether work fits an invocation (WeChat answers in well under)
HANDOFF_SECONDS = 300.0  # how long a lease handed on waits for its event to arrive (SCF's queue, its two retries)
LEASE_MARGIN_SECONDS = 60.0  # a worker's lease lasts its time limit and this: a dead worker's expires soon after
INVOKE_SECONDS = 5.0  # the budget of one Invoke; a worker keeps it back to invoke the next
MAX_HOPS = 1000  # workers one app's chain may hand on to: a bound, whatever a bug might do
MAX_SLICES = 400
_APPID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"[0-9a-f]{32,64}")


class Invoker(Protocol):
    """Sends an event to the function asynchronously (``tencentcloud.invoke.ScfAsyncInvoker``)."""

    def invoke(self, event: Mapping[str, Any], *, within: float = ...) -> str: ...


Slice = tuple[
    date, "date | None"
]  # periods beginning on or after the first day and before the second (None: to the end)


@dataclass(frozen=True)
class Work:
    """One app's share of a run: its appid, the run's day and APIs, and the slices of the range
    still to archive (the first is this worker's); ``handoff``: the token of the lease handed on
    to this worker; ``hop``: how many workers came before it in the app's chain."""

    appid: str
    today: date
    apis: tuple[str, ...]
    slices: tuple[Slice, ...]
    until: date | None = None
    handoff: str | None = field(default=None, repr=False)
    hop: int = 0
    proven: bool = False  # a worker before this one saw WeChat answer for the day before ``today``

    def job(self) -> Job:
        since, before = self.slices[0]
        return Job(self.apis, since, self.today, self.until, before)

    def after(self, summary: AppSummary) -> Work | None:
        """What is left for the next worker once this one ended with ``summary``: the same slices
        when its time ran out after it stored something, the next slices when its slice is done;
        None when the app stopped, an API was stopped or deferred (quota: a later day), nothing
        is left, or nothing was stored (another try now would end the same)."""
        if summary.stopped or summary.database_error or self.hop + 1 >= MAX_HOPS:
            return None
        if any(tally.stopped for tally in summary.apis.values()) or summary.total("deferred"):
            return None
        proven = self.proven or summary.yesterday_answered
        if summary.deadline_reached:
            progressed = sum(summary.total(outcome) for outcome in ("stored", "refreshed", "revised")) > 0
            return replace(self, handoff=None, hop=self.hop + 1, proven=proven) if progressed else None
        if len(self.slices) > 1:
            return replace(self, slices=self.slices[1:], handoff=None, hop=self.hop + 1, proven=proven)
        return None

    def handed(self) -> Work:
        """This work with a fresh hand-off token: what the lease is handed to, and the event carries."""
        return replace(self, handoff=secrets.token_hex(16))

    def digest(self) -> str:
        """The proof kept in the lease this work was handed: a SHA-256 over its token and every
        field of the work, so only this event, unchanged, finds the lease (``leases.py``)."""
        if self.handoff is None:
            raise ValueError("a work without a hand-off token has no digest")
        canonical = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(f"{self.handoff}\n{canonical}".encode()).hexdigest()

    def to_event(self) -> dict[str, Any]:
        work: dict[str, Any] = {
            "appid": self.appid,
            "today": f"{self.today:%Y%m%d}",
            "apis": list(self.apis),
            "slices": [
                [f"{since:%Y%m%d}", None if before is None else f"{before:%Y%m%d}"] for since, before in self.slices
            ],
            "until": None if self.until is None else f"{self.until:%Y%m%d}",
            "hop": self.hop,
        }
        if self.proven:
            work["proven"] = True
        if self.handoff is not None:
            work["handoff"] = self.handoff
        return {WORK_KEY: work}

    def describe(self) -> dict[str, Any]:
        """The work as a worker's answer and log line show it (never the hand-off token)."""
        data: dict[str, Any] = dict(self.to_event()[WORK_KEY])
        data.pop("handoff", None)
        return data

    @classmethod
    def from_event(cls, raw: Any) -> Work:
        """The work an event names, checked: anything else is -501007 with what is wrong."""
        if not isinstance(raw, dict):
            raise InvalidParameters(f"{WORK_KEY} must be a JSON object, got {shown(raw)}")
        unknown = sorted(
            str(key)[:20]
            for key in raw
            if key not in {"appid", "today", "apis", "slices", "until", "hop", "handoff", "proven"}
        )
        if unknown:
            raise InvalidParameters(f"{WORK_KEY}: unknown key(s) {', '.join(unknown[:5])}")
        appid = raw.get("appid")
        if not isinstance(appid, str) or not _APPID.fullmatch(appid):
            raise InvalidParameters(f"{WORK_KEY}.appid must be an appid, got {shown(appid)}")
        today = _day(raw.get("today"), "today")
        apis = archive_apis(raw.get("apis") or [], f"{WORK_KEY}.apis", InvalidParameters)
        if not apis:
            raise InvalidParameters(f"{WORK_KEY}.apis must name at least one API")
        slices_raw = raw.get("slices")
        if not isinstance(slices_raw, list) or not 1 <= len(slices_raw) <= MAX_SLICES:
            raise InvalidParameters(f"{WORK_KEY}.slices must be a list of 1 to {MAX_SLICES} [since, before] pairs")
        slices: list[Slice] = []
        for item in slices_raw:
            if not isinstance(item, list) or len(item) != 2:
                raise InvalidParameters(
                    f"{WORK_KEY}.slices: each slice is [since, before] (before may be null), got {shown(item)}"
                )
            since, before = _day(item[0], "slices"), None if item[1] is None else _day(item[1], "slices")
            if before is not None and before <= since:
                raise InvalidParameters(f"{WORK_KEY}.slices: a slice ends after it begins, got {shown(item)}")
            if since > today:
                raise InvalidParameters(f"{WORK_KEY}.slices: a slice begins after the run's day, got {shown(item)}")
            slices.append((since, before))
        until = None if raw.get("until") is None else _day(raw.get("until"), "until")
        hop = raw.get("hop", 0)
        if isinstance(hop, bool) or not isinstance(hop, int) or not 0 <= hop < MAX_HOPS:
            raise InvalidParameters(f"{WORK_KEY}.hop must be a whole number from 0 to {MAX_HOPS - 1}, got {shown(hop)}")
        handoff = raw.get("handoff")
        if not isinstance(handoff, str) or not _TOKEN.fullmatch(handoff):
            raise InvalidParameters(
                f"{WORK_KEY}.handoff must be the hand-off token its dispatcher gave it: "
                "a worker's event comes from the archive alone"
            )
        proven = raw.get("proven", False)
        if not isinstance(proven, bool):
            raise InvalidParameters(f"{WORK_KEY}.proven must be true or false, got {shown(proven)}")
        try:
            work = cls(appid, today, apis, tuple(slices), until, handoff, hop, proven)
            for since, _before in slices:  # every slice's days are within what the archive keeps
                on_or_after_earliest(since, "a slice's first day")
            work.job()
        except WxCloudError as exc:
            raise InvalidParameters(f"{WORK_KEY}: {exc.hint or exc.reason}") from None
        return work


def _day(raw: Any, name: str) -> date:
    day = parse_yyyymmdd(raw) if isinstance(raw, str) else None
    if day is None:
        raise InvalidParameters(f"{WORK_KEY}.{name} must hold dates yyyymmdd, got {shown(raw)}")
    return day


def slices_of(job: Job, days: int) -> list[Slice]:
    """``job``'s range cut into slices of ``days`` days by the day a period begins (wider, when
    that would make more than ``MAX_SLICES``: a worker accepts no more); the last one runs to the
    job's end."""
    last = min(job.until or job.today, job.today)  # no period ends after the run's day, whatever until says
    span = (last - job.since).days + 1
    days = max(days, math.ceil(span / MAX_SLICES))
    starts = [job.since]
    while starts[-1] + timedelta(days=days) <= last:
        starts.append(starts[-1] + timedelta(days=days))
    return [(start, starts[index + 1] if index + 1 < len(starts) else None) for index, start in enumerate(starts)]


@dataclass(frozen=True)
class Planned:
    """The work due for each app (read from the archive, without a WeChat call)."""

    works: dict[str, Work]  # appid -> its work, for the apps with periods due
    due: dict[str, int]  # appid -> periods due
    up_to_date: tuple[str, ...]  # apps with nothing due

    @property
    def periods(self) -> int:
        return sum(self.due.values())


def plan_work(archive: Archive, appids: Sequence[str], job: Job, slice_days: int) -> Planned:
    """Each app's due work, in the slices of ``slice_days`` that hold any."""
    works: dict[str, Work] = {}
    due: dict[str, int] = {}
    fresh: list[str] = []
    slices = slices_of(job, slice_days)
    for appid in appids:
        items = due_work(archive, appid, job, {name: ApiTally() for name in job.apis})
        if not items:
            fresh.append(appid)
            continue
        begins = {item.period.begin for item in items}
        kept = tuple(
            part
            for part in reversed(slices)
            if any(part[0] <= begin and (part[1] is None or begin < part[1]) for begin in begins)
        )
        works[appid] = Work(appid, job.today, job.apis, kept, job.until)
        due[appid] = len(items)
    return Planned(works, due, tuple(fresh))


def fits(periods: int, deadline: Deadline | None, concurrency: int) -> bool:
    """Whether ``periods`` fetches fit in what is left of an invocation (no deadline: they do)."""
    if deadline is None:
        return True
    return periods * FETCH_SECONDS <= deadline.remaining() * concurrency


def dispatch(
    planned: Planned,
    *,
    invoker: Invoker,
    leases: Leases,
    per_minute: int,
    deadline: Deadline | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Dispatch:
    """Send each app's work as an asynchronous event, ``per_minute`` at most: the app's lease
    taken and handed to the event first, an app whose lease is held left to its worker; stops
    sending (and says so) when the deadline comes near or the Invoke is refused for the setup
    (every other one would be refused the same)."""
    report = Dispatch(up_to_date=len(planned.up_to_date))
    pending = list(planned.works.values())
    interval = 60.0 / per_minute
    sent_any = False
    for index, work in enumerate(pending):
        if deadline is not None and deadline.remaining() < INVOKE_SECONDS + (interval if sent_any else 0.0):
            report.not_sent = [each.appid for each in pending[index:]]
            break
        handed = work.handed()
        digest = handed.digest()
        if not leases.take(work.appid, f"{HANDOFF}{digest}", HANDOFF_SECONDS):
            report.running.append(work.appid)
            continue
        if sent_any:
            sleep(interval)
        try:
            invoker.invoke(handed.to_event(), within=INVOKE_SECONDS)
        except ConfigurationError as exc:  # the role may not invoke the function, or it does not exist
            _let_go(leases, work.appid, f"{HANDOFF}{digest}")
            report.failed[work.appid] = ErrorRecord.of(exc)
            report.not_sent = [each.appid for each in pending[index + 1 :]]
            break
        except WxCloudError as exc:
            _let_go(leases, work.appid, f"{HANDOFF}{digest}")
            report.failed[work.appid] = ErrorRecord.of(exc)
            continue
        sent_any = True
        report.sent[work.appid] = planned.due[work.appid]
    return report


def _let_go(leases: Leases, appid: str, holder: str) -> None:
    """Release a lease handed to an event that was not sent, if the database lets it (else it
    expires): the next run need not wait for it."""
    try:
        leases.release(appid, holder)
    except WxCloudError:
        pass
