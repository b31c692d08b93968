"""The SCF function ``archiveAnalysis``: a daily timer (and manual runs) keeping the archive complete.

    main_handler = ArchiveFunction.deployed(__file__)

Each invocation archives, for every API of ``WX_ARCHIVE_APIS`` and every app (``WX_APPID``, or
the apps of ``WX_ARCHIVE_APPS``: ``apps.py``), the closed periods since ``WX_ARCHIVE_SINCE`` (else
the archive's window, the earliest since its runs were asked for, else a year: ``window.py``) that
are not stored yet (or that WeChat can tell more of now), as of the timer's ``Time`` (Beijing
time; now for a manual run). When that is more than fits in the invocation, and the function may
invoke itself, the run is a *dispatcher*: it sends each app's work to a *worker*, an asynchronous
invocation of this same function with an ``{"archiveWork": ...}`` event, and ends (``fanout.py``).
A manual run's event may narrow it: ``{"since": "20250101", "until": "20250131", "apis":
["analysis.getDailyVisitTrend"]}`` (all optional; the timer's ``Message`` may hold the same).

The order matters: configuration first, then the database (created tables, read what is stored),
then the WeChat credentials and ``config.json`` permissions, and only then a WeChat call. So a
typo, an unreachable database or a missing permission costs no quota and answers one clear
error value (-601001, -501007 or -604101, with a hint, never the database password).

Every run that reaches its database is recorded in the run ledger (``ledger.py``): when it
started and ended, its trigger and day, where it asked WeChat (scheme, host and port of
``WX_API_BASE_URL``: the emulator's figures stay recognisable), its summary or its error. A run that needs attention
(failed, stopped by quota, left work behind) posts one alert to the team's WeCom group when a
webhook is configured (``alerts.py``); the fetching keeps the few seconds that takes back.

It returns (and logs as its one JSON line) the run's summary: one app's, or ``apps`` with each
app's part, or what a dispatcher sent (``fanOut``). A timer run never raises, even when
work was left for later: SCF retries a failed asynchronous invocation only twice, one and two
minutes later, which is too soon for what leaves work behind (61503 clears within hours, 45009 the
next day, a run cut by its time limit would only be cut again), and the next daily run resumes
exactly where this one stopped, since what is stored is fetched again only when WeChat can tell
more. A worker raises only for what SCF's retry of its event can cure (``RetryLater``), decided
as every asynchronous invocation decides it (``wxcloud.errors.retry_later``): the database or a
secret unreachable, a transient failure. A run left incomplete says so
(``complete: false``, WARNING level) and CLS alarms can watch for it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ...client import OpenApiClient
from ...dates import beijing_today
from ...deadline import Deadline
from ...errors import ConfigurationError, InvalidParameters, WxCloudError, retry_later, shown
from ...permissions import load_permissions
from ...scf.events import is_timer, timer_fired, timer_message
from ...scf.handler import Frame, ScfHandler, config_candidates
from ..apps import App
from ..config import ArchiveConfig
from ..errors import RetryLater
from ..fetch.clients import AppClients
from ..fetch.outcomes import OUTCOMES, RunSummary, Summary
from ..fetch.runner import run_apps
from ..kept.reports import EARLIEST
from ..observe.alerts import notify, notify_apps
from ..observe.ledger import Ledger, Trigger, base_url_of, finish_all
from ..plan.job import Job
from ..plan.options import OPTIONS, chosen_since, job_for, options_of
from ..plan.window import windowed
from ..settings import ArchiveSettings
from ..store.archive import Archive
from ..store.sources import open_archive
from .fanout import (
    HANDOFF_SECONDS,
    INVOKE_SECONDS,
    LEASE_MARGIN_SECONDS,
    WORK_KEY,
    Dispatch,
    Invoker,
    Work,
    dispatch,
    fits,
    plan,
)
from .leases import HANDOFF, RUN, Leases, held_apps

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
# A worker's lease when SCF gave no time limit (a local call): SCF's longest timeout.
WORKER_LEASE_SECONDS = 900.0


@dataclass(frozen=True)
class Request:
    trigger: Trigger  # "timer", "direct" or "worker"
    now: datetime  # the timer's Time, or the invocation's start
    options: dict[str, Any]
    work: Work | None = None  # a worker's share of a fanned-out run


@dataclass
class _Run:
    """What a run has reached so far, for what comes after it (the log line, the ledger, the alert)."""

    trigger: Trigger
    summary: Summary | RunSummary | None = None
    ledger: Ledger | None = field(default=None, repr=False)
    rows: dict[str | None, int] = field(default_factory=dict)  # appid -> its row in the ledger
    settings: ArchiveSettings | None = None
    appid: str | None = None  # the one app's (None: several apps)
    retry_later: bool = False  # a worker's event whose own worker holds the lease: SCF is to deliver it again later

    def app_results(self, result: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
        """Each app's answer, from the run's: its own part of a run over several apps (the shape
        one app's run answers), or the run's answer itself."""
        if result.get("errCode") != 0 or not isinstance(self.summary, RunSummary):
            return {appid: result for appid in self.rows}
        answers: dict[str | None, dict[str, Any]] = {}
        for appid in self.rows:
            if appid in self.summary.apps:
                answers[appid] = {"errCode": 0, "errMsg": result["errMsg"], **self.summary.apps[appid].to_json()}
            elif appid in self.summary.running:
                answers[appid] = {"errCode": 0, "errMsg": result["errMsg"], "skipped": self.summary.running[appid]}
            else:
                answers[appid] = result
        return answers


class ArchiveFunction(ScfHandler):
    name = NAME
    safety_margin = SAFETY_MARGIN_SECONDS

    _archive: tuple[ArchiveSettings, Archive] | None = None  # the settings' archive, kept for warm invocations
    _apps: AppClients | None = None  # the clients of several apps, kept for warm invocations
    invoker: Invoker | None = (
        None  # how it invokes itself (None: SCF Invoke, from the environment); tests set their own
    )
    sleep: Callable[[float], None] = staticmethod(time.sleep)  # between a dispatcher's invokes

    @classmethod
    def deployed(cls, index_file: str | Path) -> ArchiveFunction:
        return cls(config_candidates(index_file))

    def respond(self, event: Any, frame: Frame) -> dict[str, Any]:
        """The run's summary in the cloud-call shape, or the error value that stopped it first."""
        deadline = frame.deadline
        # A worker's event is one before it is read: a malformed one is a worker's too, and posts nothing.
        run = _Run(
            "timer" if is_timer(event) else "worker" if isinstance(event, dict) and WORK_KEY in event else "direct"
        )
        config = ArchiveConfig.from_env(self.environ)  # once per invocation: a warm one reads what is set now
        result, error = self.answer(lambda: self._run(event, deadline, run, config, frame.request_id))
        self._log(frame, run.trigger, result, run.summary)  # first: the line CLS watches, whatever comes after
        answers = run.app_results(result)
        if run.ledger is not None and (deadline is None or deadline.remaining() > LEDGER_SECONDS):
            finish_all(run.ledger, {row: answers[appid] for appid, row in run.rows.items()})
        alerted = _alerted(run, result, error)
        if alerted is not None:
            alerts = config.alerts  # read on its own: a run that failed on its configuration still alerts
            if run.rows and set(run.rows) != {run.appid}:  # several apps: each one's part, and once what was not sent
                apart = {
                    appid or "-": {key: value for key, value in answer.items() if key != "fanOut"}
                    for appid, answer in answers.items()
                }
                notify_apps(alerts, apart, fan_out=result.get("fanOut"), deadline=deadline, budget=ALERT_BUDGET_SECONDS)
            else:  # (no appid yet: the title names the apps of the environment)
                notify(alerts, run.appid, alerted, deadline=deadline, budget=ALERT_BUDGET_SECONDS)
        if run.trigger == "worker" and error is not None and retry_later(error):
            raise RetryLater(f"{result['errCode']} {result['errMsg']}")
        if run.retry_later:
            raise RetryLater(f"{result.get('skipped')}: SCF tries the event again later")
        return result

    def _run(
        self, event: Any, deadline: Deadline | None, run: _Run, config: ArchiveConfig, request_id: Any = None
    ) -> dict[str, Any]:
        request = self._request(event)
        run.trigger = request.trigger
        settings = run.settings = config.settings.get()
        if request.work is not None:
            return self._work(request.work, settings, deadline, run, request_id, config)
        own_day = beijing_today(datetime.fromtimestamp(self.wall_clock(), timezone.utc))
        # A timer's periods come from its firing time, but never from a day this clock has not reached:
        # a timer's Time ahead of it (a host's clock, a crafted event) stores nothing as known too early.
        job = job_for(settings, min(beijing_today(request.now), own_day), request.options)
        source = config.apps.get()
        archive = self._archive_for(settings, deadline)
        archive.ensure_schema()  # the database answers before anything is asked of WeChat
        ledger = run.ledger = Ledger(archive)
        # where its figures come from: WeChat, a gateway or the emulator
        base_url = base_url_of(config.function.api_base_url)
        apps: tuple[App, ...] = ()
        if source is None:  # one app: WX_APPID
            run.appid = config.appid  # whose run, for the ledger and the alert
            run.rows = {
                run.appid: ledger.start(appid=run.appid, trigger=run.trigger, today=job.today, base_url=base_url)
            }
        else:
            try:
                apps = source.load(deadline=deadline)
            except WxCloudError:
                run.rows = {None: ledger.start(appid=None, trigger=run.trigger, today=job.today, base_url=base_url)}
                raise
            run.rows = ledger.start_many(
                [app.appid for app in apps], trigger=run.trigger, today=job.today, base_url=base_url
            )
        # No since given: the archive's window (what earlier runs were asked for); the since recorded.
        job = windowed(
            archive, [appid for appid in run.rows if appid], job, chosen=chosen_since(settings, request.options)
        )
        work_deadline = _keep_back(deadline, ALERT_BUDGET_SECONDS) if settings.alerts_configured else deadline
        fanned = self._fan_out(archive, settings, job, [appid for appid in run.rows if appid], work_deadline, config)
        if fanned is not None and (fanned.sent or fanned.running or not fanned.failed):
            return {"errCode": 0, "errMsg": f"{NAME}:ok", **job.days(), "complete": False, "fanOut": fanned.to_json()}
        one = (
            self._ready_client(job, deadline, config) if source is None else None
        )  # WX_APPID and its secret, checked before any lease
        appids = [appid for appid in run.rows if appid]
        holder = f"{RUN}{_request_name(request_id)}:{secrets.token_hex(4)}"
        seconds = (WORKER_LEASE_SECONDS if deadline is None else max(deadline.remaining(), 0.0)) + LEASE_MARGIN_SECONDS
        renew = (
            None if deadline is not None else WORKER_LEASE_SECONDS / 3
        )  # a local run without a time limit keeps its leases fresh
        with held_apps(Leases(archive), appids, holder, seconds, renew_every=renew) as (mine, running):
            if one is not None:
                if not mine:  # the one app is a worker's right now
                    return {
                        "errCode": 0,
                        "errMsg": f"{NAME}:ok",
                        **job.days(),
                        "complete": False,
                        "skipped": running[one.settings.appid],
                    }
                clients = {one.settings.appid: one}
            else:
                clients = self._app_clients(
                    [app for app in apps if app.appid in mine], job, deadline, config, keep_others=bool(running)
                )
            summary = run_apps(
                archive,
                clients,
                job,
                concurrency=settings.concurrency,
                deadline=work_deadline,
                monotonic=self.monotonic,
                quota_reserve=settings.quota_reserve,
            )
        summary.running = dict(running)
        extra = {} if fanned is None else {"fanOut": fanned.to_json()}  # the fan-out that could not be sent, and why
        if source is None:
            run.summary = summary.apps[next(iter(clients))]
            return {"errCode": 0, "errMsg": f"{NAME}:ok", **run.summary.to_json(), **extra}
        run.summary = summary
        return {"errCode": 0, "errMsg": f"{NAME}:ok", **summary.to_json(), **extra}

    def _fan_out(
        self,
        archive: Archive,
        settings: ArchiveSettings,
        job: Job,
        appids: list[str],
        deadline: Deadline | None,
        config: ArchiveConfig,
    ) -> Dispatch | None:
        """When the run's work does not fit in what is left of this invocation, and the function
        may invoke itself: the work sent to workers, one asynchronous invocation per app (None: the
        run does the work itself)."""
        invoker = self._invoker(settings, config)
        if invoker is None or not appids:
            return None
        planned = plan(archive, appids, job, settings.slice_days)
        if fits(planned.periods, deadline, settings.concurrency):
            return None
        return dispatch(
            planned,
            invoker=invoker,
            leases=Leases(archive),
            per_minute=settings.fan_out_per_minute,
            deadline=deadline,
            sleep=self.sleep,
        )

    def _invoker(self, settings: ArchiveSettings, config: ArchiveConfig) -> Invoker | None:
        """How this function invokes itself asynchronously (None: fan-out is off, or this is not SCF)."""
        if settings.fan_out == "off":
            return None
        if self.invoker is not None:
            return self.invoker
        return config.invoker

    def _work(
        self,
        work: Work,
        settings: ArchiveSettings,
        deadline: Deadline | None,
        run: _Run,
        request_id: Any,
        config: ArchiveConfig,
    ) -> dict[str, Any]:
        """A worker of a fanned-out run: its event proven by the app's lease (handed to exactly this
        event), its share of the work, and the next worker invoked for the rest (the lease handed
        on to it). Before anything is written: the app must be one this function archives. An event
        that finds no lease does nothing at all."""
        app = self._kept_app(
            work.appid, deadline, config
        )  # -501007 for an app this function does not keep: nothing written
        digest = work.digest()  # of the event as it came: what its lease was handed to
        own_day = beijing_today(datetime.fromtimestamp(self.wall_clock(), timezone.utc))
        if work.today > own_day:  # never a day still to come here: what it stores is known on this day at most
            work = replace(work, today=own_day, proven=False)
        archive = self._archive_for(settings, deadline)
        archive.ensure_schema()
        leases = Leases(archive)
        holder = f"{_request_name(request_id)}:{secrets.token_hex(4)}"
        seconds = (WORKER_LEASE_SECONDS if deadline is None else max(deadline.remaining(), 0.0)) + LEASE_MARGIN_SECONDS
        if not leases.take_handed(work.appid, digest, holder, seconds):
            if leases.held_by_event(work.appid, digest):
                # SCF's retry of this event while the worker it retries (dead, or a copy still running) holds the
                # lease: raise, so that SCF tries again later, when the lease has expired or the chain has moved on.
                run.retry_later = True
                why = "its lease is held by a worker of this event"
            else:
                why = "the event holds no lease of it"
            return {"errCode": 0, "errMsg": f"{NAME}:ok", "work": work.describe(), "skipped": f"nothing done: {why}"}
        held_as = f"{digest}:{holder}"
        run.appid = work.appid
        ledger = run.ledger = Ledger(archive)
        try:
            row = ledger.start(
                appid=work.appid, trigger="worker", today=work.today, base_url=base_url_of(config.function.api_base_url)
            )
            run.rows = {work.appid: row}
            leases.note_run(work.appid, held_as, row)
            client = self._client_of(app, work.appid, work.job(), deadline, config)
            invoker = self._invoker(settings, config)
            kept = (ALERT_BUDGET_SECONDS if settings.alerts_configured else 0.0) + (
                INVOKE_SECONDS if invoker is not None else 0.0
            )
            summary = run_apps(
                archive,
                {work.appid: client},
                work.job(),
                concurrency=settings.concurrency,
                deadline=_keep_back(deadline, kept),
                monotonic=self.monotonic,
                quota_reserve=settings.quota_reserve,
                yesterday_answered=work.proven,
            ).apps[work.appid]
            run.summary = summary
            after = work.after(summary) if invoker is not None else None
            sent = _hand_on(leases, work.appid, held_as, digest, invoker, after)
        except BaseException:
            _let_go(leases, work.appid, held_as)  # a retry of this same event may take it over
            raise
        return {"errCode": 0, "errMsg": f"{NAME}:ok", **summary.to_json(), "work": work.describe(), "next": sent}

    def _kept_app(self, appid: str, deadline: Deadline | None, config: ArchiveConfig) -> App | None:
        """The app of a worker's event, when this function archives it (None: the one app of
        ``WX_APPID``); else -501007, which does not repeat the event's text."""
        source = config.apps.get()
        if source is None:
            if appid != config.appid:
                raise InvalidParameters(
                    "the event names an app this function does not archive (WX_APPID): it is not for this function"
                )
            return None
        app = next((app for app in source.load(deadline=deadline) if app.appid == appid), None)
        if app is None:
            raise InvalidParameters(
                "the event names an app that is not one of WX_ARCHIVE_APPS: it is not for this function"
            )
        return app

    def _client_of(
        self, app: App | None, appid: str, job: Job, deadline: Deadline | None, config: ArchiveConfig
    ) -> OpenApiClient:
        """The client of the one app a worker archives (``app``, or the function's own)."""
        if app is None:
            client = self._ready_client(job, deadline, config)
            if client.settings.appid != appid:
                raise InvalidParameters(
                    "the event names an app this function does not archive (WX_APPID): it is not for this function"
                )
            return client
        return self._app_clients([app], job, deadline, config, keep_others=True)[appid]

    def _app_clients(
        self,
        apps: Sequence[App],
        job: Job,
        deadline: Deadline | None,
        config: ArchiveConfig,
        *,
        keep_others: bool = False,
    ) -> dict[str, OpenApiClient]:
        """The clients of several apps (kept for warm invocations), checked for what every fetch needs."""
        permissions = load_permissions(self.config_candidates)
        for name in job.apis:
            permissions.check(name)
        if self._apps is None:
            self._apps = AppClients()
        return self._apps.for_apps(
            apps,
            config.function.wechat.get(),
            permissions=permissions,
            deadline=deadline,
            platform=config.function.platform,
            keep_others=keep_others,
        )

    def _request(self, event: Any) -> Request:
        now = datetime.fromtimestamp(self.wall_clock(), timezone.utc)
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

    def _archive_for(self, settings: ArchiveSettings, deadline: Deadline | None) -> Archive:
        """The archive of these settings, kept for warm invocations (its pool with it)."""
        if self._archive is not None and self._archive[0] == settings:
            return self._archive[1]
        archive = open_archive(settings, deadline=deadline)
        if self._archive is not None:
            self._archive[1].close()
        self._archive = (settings, archive)
        return archive

    def _ready_client(self, job: Job, deadline: Deadline | None, config: ArchiveConfig) -> OpenApiClient:
        """The function's client (built by the first invocation, the appsecret read from SSM within
        its ``deadline`` when so configured), checked for what every fetch needs."""
        client = self.client(deadline, config.function)
        unset = client.unset()
        if unset:
            raise ConfigurationError(f"{' and '.join(unset)} must be set in the function's environment")
        if client.permissions is not None:
            for name in job.apis:
                client.permissions.check(name)
        return client

    def _log(self, frame: Frame, trigger: str, result: dict[str, Any], summary: Summary | RunSummary | None) -> None:
        ok = result.get("errCode") == 0
        complete = summary is not None and summary.complete and summary.total("failed") == 0
        level = logging.INFO if ok and complete else logging.WARNING if ok else logging.ERROR
        fields: dict[str, Any] = {"function": NAME, "trigger": trigger, "outcome": "ok" if ok else "error"}
        if ok:
            fields.update({key: result[key] for key in LOGGED if key in result})
            if (
                "fanOut" in result and "totals" not in result
            ):  # a dispatcher: fine when every app with work has a worker
                fanned = result["fanOut"]
                level = logging.INFO if not fanned.get("failed") and not fanned.get("notSent") else logging.WARNING
            if isinstance(summary, RunSummary):  # several apps: each one's outcome in a line, the details in the ledger
                fields["apps"] = {appid: _app_line(app) for appid, app in summary.apps.items()}
            if "databaseError" in result:
                fields["databaseError"] = result["databaseError"]
        else:
            fields.update(errCode=result.get("errCode"), errMsg=result.get("errMsg"))
        self.log(frame, level, fields)


REFUSED_TIMER = "the timer's event was refused (its Time or its Message): check the timer trigger's argument; the function's log has the details"


def _alerted(run: _Run, result: dict[str, Any], error: WxCloudError | None) -> dict[str, Any] | None:
    """What a run's alert is about (None: no alert). Anyone who may invoke the function can send it
    an event, so an event's own text never reaches the team's group: a worker's event that proved
    no lease posts nothing, nor does a manual invoke whose event was refused (its invoker has the
    answer), and a refused timer event is alerted without the text it held."""
    if run.trigger == "worker" and not run.rows:
        return None
    if isinstance(error, InvalidParameters) and not run.rows:
        if run.trigger != "timer":
            return None
        return {"errCode": error.err_code, "errMsg": REFUSED_TIMER}
    return result


def _hand_on(
    leases: Leases, appid: str, holder: str, digest: str, invoker: Invoker | None, after: Work | None
) -> dict[str, Any] | None:
    """Invoke the next worker for ``after`` with the lease handed on to it, or end the app's chain
    (nothing left, or the Invoke failed: the next daily run takes the rest up); what was sent.
    ``digest``: this worker's event's, which no copy of it may use once the chain has moved on."""
    if after is None or invoker is None:
        leases.release(appid, holder, ended=digest)
        return None
    handed = after.handed()
    if not leases.hand_off(appid, holder, handed.digest(), HANDOFF_SECONDS):
        return None  # the lease ran out under this worker and another has it: the rest is its
    try:
        invoker.invoke(handed.to_event(), within=INVOKE_SECONDS)
    except WxCloudError as exc:
        leases.release(appid, f"{HANDOFF}{handed.digest()}")
        return {"failed": f"{exc.err_code} {exc.err_msg}"}
    return after.describe()


def _let_go(leases: Leases, appid: str, holder: str) -> None:
    """Release the lease of a worker that failed, if the database lets it (else it expires)."""
    try:
        leases.release(appid, holder)
    except WxCloudError:
        pass


def _request_name(request_id: Any) -> str:
    """The invocation's request id as a lease holder names it (``local`` outside SCF)."""
    return str(request_id or "local")[:64]


def _app_line(summary: Summary) -> dict[str, Any]:
    """One app's part of the run's log line: whether it is complete, its counts that are not 0, and
    why it stopped."""
    line: dict[str, Any] = {"complete": summary.complete}
    line.update((outcome, count) for outcome in OUTCOMES if (count := summary.total(outcome)))
    if summary.stopped:
        line["stopped"] = summary.stopped
    return line


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
