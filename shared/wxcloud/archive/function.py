"""The SCF function ``archiveAnalysis``: a daily timer (and manual runs) keeping the archive complete.

    main_handler = ArchiveFunction.deployed(__file__)

Each invocation archives, for every API of ``WX_ARCHIVE_APIS``, the closed periods since
``WX_ARCHIVE_SINCE`` that are not stored yet, as of the timer's ``Time`` (Beijing time; now for a
manual run). A manual run's event may narrow it: ``{"since": "20250101", "until": "20250131",
"apis": ["analysis.getDailyVisitTrend"]}`` (all optional; the timer's ``Message`` may hold the same).

The order matters: configuration first, then the database (created tables, read what is stored),
then the WeChat credentials and ``config.json`` permissions, and only then a WeChat call. So a
typo, an unreachable database or a missing permission costs no quota and answers one clear
error value (-601001, -501007 or -604101, with a hint, never the database password).

Every run that reaches its database is recorded in the run ledger (``ledger.py``): when it
started and ended, its trigger and day, its summary or its error. A run that needs attention
(failed, stopped by quota, left work behind) posts one alert to the team's WeCom group when a
webhook is configured (``alerts.py``); the fetching keeps the few seconds that takes back.

It returns (and logs as its one JSON line) the run's summary. A timer run never raises, even when
work was left for later: SCF retries a failed asynchronous invocation only twice, one and two
minutes later, which is too soon for what leaves work behind (61503 clears within hours, 45009 the
next day, a run cut by its time limit would only be cut again), and the next daily run resumes
exactly where this one stopped, since what is stored is fetched again only when WeChat can tell
more. A run left
incomplete says so (``complete: false``, WARNING level) and CLS alarms can watch for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..client import OpenApiClient
from ..dates import beijing_today
from ..deadline import Deadline
from ..errors import ConfigurationError, InvalidParameters, shown
from ..scf.events import is_timer, timer_fired, timer_message
from ..scf.handler import Frame, ScfHandler, config_candidates
from ..settings import appid_from_env
from .alerts import notify
from .job import Job, Summary, run_job
from .ledger import Ledger, Trigger, finish
from .options import OPTIONS, job_for, options_of
from .reports import EARLIEST
from .settings import ArchiveSettings
from .sources import open_archive
from .store import Archive

NAME = "archiveAnalysis"
# Kept back from SCF's time limit: the last commit, the summary and its log line.
SAFETY_MARGIN_SECONDS = 1.0
# How far a timer's Time may be ahead of the function's clock (the clocks of SCF's hosts differ a little).
TIMER_LEAD = timedelta(days=1)
# Kept back from the fetching for the alert a run that needs attention posts (when one is configured).
ALERT_BUDGET_SECONDS = 5.0
# The least time left in which the run's end is written to the ledger (one UPDATE): with less, the
# run stays "running" there, as one that died would, rather than be killed half way.
LEDGER_SECONDS = 0.5



@dataclass(frozen=True)
class Request:
    trigger: Trigger  # "timer" or "direct"
    now: datetime  # the timer's Time, or the invocation's start
    options: dict[str, Any]


@dataclass
class _Run:
    """What a run has reached so far, for what comes after it (the log line, the ledger, the alert)."""

    trigger: Trigger
    summary: Summary | None = None
    recorded: tuple[Ledger, int] | None = field(default=None, repr=False)
    settings: ArchiveSettings | None = None
    appid: str | None = None


class ArchiveFunction(ScfHandler):
    name = NAME
    safety_margin = SAFETY_MARGIN_SECONDS

    _archive: tuple[ArchiveSettings, Archive] | None = None  # the settings' archive, kept for warm invocations

    @classmethod
    def deployed(cls, index_file: str | Path) -> ArchiveFunction:
        return cls(config_candidates(index_file))

    def respond(self, event: Any, frame: Frame) -> dict[str, Any]:
        """The run's summary in the cloud-call shape, or the error value that stopped it first."""
        deadline = frame.deadline
        run = _Run("timer" if is_timer(event) else "direct")
        result, _ = self.answer(lambda: self._run(event, deadline, run))
        self._log(frame, run.trigger, result, run.summary)  # first: the line CLS watches, whatever comes after
        if run.recorded is not None and (deadline is None or deadline.remaining() > LEDGER_SECONDS):
            finish(*run.recorded, result)
        if run.settings is not None:  # (without its settings, a run knows no webhook either)
            notify(run.settings, run.appid or "-", result, deadline=deadline, budget=ALERT_BUDGET_SECONDS)
        return result

    def _run(self, event: Any, deadline: Deadline | None, run: _Run) -> dict[str, Any]:
        request = self._request(event)
        run.trigger = request.trigger
        settings = run.settings = ArchiveSettings.from_env(self.environ)
        job = job_for(settings, beijing_today(request.now), request.options)
        archive = self._archive_for(settings, deadline)
        archive.ensure_schema()  # the database answers before anything is asked of WeChat
        ledger = Ledger(archive)
        run.appid = appid_from_env(self.environ)  # whose run, for the ledger and the alert
        run.recorded = ledger, ledger.start(appid=run.appid, trigger=run.trigger, today=job.today)
        client = self._ready_client(job, deadline)
        work_deadline = _keep_back(deadline, ALERT_BUDGET_SECONDS) if settings.alerts_configured else deadline
        summary = run.summary = run_job(archive, client, job, concurrency=settings.concurrency, deadline=work_deadline, monotonic=self.monotonic)
        return {"errCode": 0, "errMsg": f"{NAME}:ok", **summary.to_json()}

    def _request(self, event: Any) -> Request:
        now = datetime.fromtimestamp(self.wall_clock(), timezone.utc)
        if is_timer(event):
            fired = timer_fired(event)
            _check_fired(fired, now, event.get("Time"))
            options = timer_message(event, f"a JSON object of {', '.join(OPTIONS)}")
            return Request("timer", fired, options_of({} if options is None else options))
        return Request("direct", now, options_of({} if event is None else event))

    def _archive_for(self, settings: ArchiveSettings, deadline: Deadline | None) -> Archive:
        """The archive of these settings, kept for warm invocations (its pool with it)."""
        if self._archive is not None and self._archive[0] == settings:
            return self._archive[1]
        archive = open_archive(settings, deadline=deadline)
        if self._archive is not None:
            self._archive[1].close()
        self._archive = (settings, archive)
        return archive

    def _ready_client(self, job: Job, deadline: Deadline | None) -> OpenApiClient:
        """The function's client (built by the first invocation, the appsecret read from SSM within
        its ``deadline`` when so configured), checked for what every fetch needs."""
        client = self.client(deadline)
        unset = client.settings.unset()
        if unset:
            raise ConfigurationError(f"{' and '.join(unset)} must be set in the function's environment")
        if client.permissions is not None:
            for name in job.apis:
                client.permissions.check(name)
        return client

    def _log(self, frame: Frame, trigger: str, result: dict[str, Any], summary: Summary | None) -> None:
        ok = result.get("errCode") == 0
        complete = summary is not None and summary.complete and summary.total("failed") == 0
        level = logging.INFO if ok and complete else logging.WARNING if ok else logging.ERROR
        fields: dict[str, Any] = {"function": NAME, "trigger": trigger, "outcome": "ok" if ok else "error"}
        if ok:
            fields.update({key: result[key] for key in ("today", "since", "until", "complete", "deadlineReached", "totals", "apis")})
            if "databaseError" in result:
                fields["databaseError"] = result["databaseError"]
        else:
            fields.update(errCode=result.get("errCode"), errMsg=result.get("errMsg"))
        self.log(frame, level, fields)


def _keep_back(deadline: Deadline | None, seconds: float) -> Deadline | None:
    """``deadline`` moved ``seconds`` earlier: the time kept for what comes after the work."""
    return None if deadline is None else Deadline(deadline.expires_at - seconds, deadline.monotonic)


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
