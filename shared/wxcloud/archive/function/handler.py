"""The SCF function ``archiveAnalysis``: a daily timer (and manual runs) keeping the archive complete.

    main_handler = ArchiveFunction.deployed(__file__)

Each invocation archives, for every API of ``WX_ARCHIVE_APIS`` and every app (``WX_APPID``, or
the apps of ``WX_ARCHIVE_APPS``: ``archive/apps.py``), the closed periods since ``WX_ARCHIVE_SINCE`` (else
the archive's window, the earliest since its runs were asked for, else a year: ``plan/window.py``) that
are not stored yet (or that WeChat can tell more of now), as of the timer's ``Time`` (Beijing
time; now for a manual run). When that is more than fits in the invocation, and the function may
invoke itself, the run is a *dispatcher*: it sends each app's work to a *worker*, an asynchronous
invocation of this same function with an ``{"archiveWork": ...}`` event, and ends (``function/fanout.py``).
A manual run's event may narrow it: ``{"since": "20250101", "until": "20250131", "apis":
["analysis.getDailyVisitTrend"]}`` (all optional; the timer's ``Message`` may hold the same).

The order matters: configuration first, then the database (created tables, read what is stored),
then the WeChat credentials and ``config.json`` permissions, and only then a WeChat call. So a
typo, an unreachable database or a missing permission costs no quota and answers one clear
error value (-601001, -501007 or -604101, with a hint, never the database password).

Every run that reaches its database is recorded in the run ledger (``observe/ledger.py``): when it
started and ended, its trigger and day, where it asked WeChat (scheme, host and port of
``WX_API_BASE_URL``: the emulator's figures stay recognisable), its summary or its error. A run that needs attention
(failed, stopped by quota, left work behind) posts one alert to the team's WeCom group when a
webhook is configured (``observe/alerts.py``); the fetching keeps the few seconds that takes back.

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
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...client import OpenApiClient
from ...dates import beijing_today
from ...deadline import Deadline
from ...errors import ConfigurationError, InvalidParameters, WxCloudError, retry_later
from ...permissions import load_permissions
from ...scf.handler import Frame, ScfHandler, config_candidates
from ..apps import App
from ..config import ArchiveConfig
from ..errors import RetryLater
from ..fetch.answer import cloud_call_answer
from ..fetch.clients import AppClients
from ..fetch.outcomes import Dispatch, ErrorRecord, RunSummary
from ..fetch.runner import run_apps
from ..observe.alerts import notify
from ..observe.ledger import Ledger, base_url_of
from ..plan.job import Job
from ..plan.options import chosen_since, job_for
from ..plan.window import windowed
from ..settings import ArchiveSettings
from ..store.archive import Archive
from ..store.sources import open_archive
from .fanout import HANDOFF_SECONDS, INVOKE_SECONDS, LEASE_MARGIN_SECONDS, Invoker, Work, dispatch, fits, plan_work
from .invocation import Invocation, request_of, trigger_of
from .leases import HANDOFF, RUN, Leases, held_apps

NAME = "archiveAnalysis"
# Kept back from SCF's time limit: the last commit, the summary and its log line.
SAFETY_MARGIN_SECONDS = 1.0
# Kept back from the fetching for the alert a run that needs attention posts (when one is configured).
ALERT_BUDGET_SECONDS = 5.0
# The least time left in which the run's end is written to the ledger (one UPDATE): with less, the
# run stays "running" there, as one that died would, rather than be killed half way.
LEDGER_SECONDS = 0.5
# A worker's lease when SCF gave no time limit (a local call): SCF's longest timeout.
WORKER_LEASE_SECONDS = 900.0


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
        run = Invocation(trigger_of(event))
        config = ArchiveConfig.from_env(self.environ)  # once per invocation: a warm one reads what is set now
        answered, error = self.answer(
            lambda: cloud_call_answer(
                self._run(event, deadline, run, config, frame.request_id), NAME, single=run.single
            )
        )
        result = run.result(answered, error)
        notice, fields = run.log_fields(NAME, answered, result)
        level = logging.ERROR if result.failure is not None else logging.WARNING if notice else logging.INFO
        self.log(frame, level, fields)  # first: the line CLS watches, whatever comes after
        if run.ledger is not None and (deadline is None or deadline.remaining() > LEDGER_SECONDS):
            run.ledger.finish(run.rows, result)
        alerted = run.alerted(result, error)
        if alerted is not None:  # its settings read on their own: a run that failed on its configuration still alerts
            notify(config.alerts, alerted, deadline=deadline, budget=ALERT_BUDGET_SECONDS)
        if run.trigger == "worker" and error is not None and retry_later(error):
            raise RetryLater(f"{answered['errCode']} {answered['errMsg']}")
        if run.retry_later:
            raise RetryLater(f"{answered.get('skipped')}: SCF tries the event again later")
        return answered

    def _run(
        self, event: Any, deadline: Deadline | None, run: Invocation, config: ArchiveConfig, request_id: Any = None
    ) -> RunSummary:
        request = request_of(event, datetime.fromtimestamp(self.wall_clock(), timezone.utc))
        run.trigger = request.trigger
        settings = config.settings.get()
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
            run.rows = ledger.start([run.appid], trigger=run.trigger, today=job.today, base_url=base_url)
        else:
            run.single = False
            try:
                apps = source.load(deadline=deadline)
            except WxCloudError:
                run.rows = ledger.start([None], trigger=run.trigger, today=job.today, base_url=base_url)
                raise
            run.rows = ledger.start(
                [app.appid for app in apps], trigger=run.trigger, today=job.today, base_url=base_url
            )
        appids = [appid for appid in run.rows if appid]
        # No since given: the archive's window (what earlier runs were asked for); the since recorded.
        job = windowed(archive, appids, job, chosen=chosen_since(settings, request.options))
        work_deadline = _keep_back(deadline, ALERT_BUDGET_SECONDS) if settings.alerts_configured else deadline
        fanned = self._fan_out(archive, settings, job, appids, work_deadline, config)
        if fanned is not None and (fanned.sent or fanned.running or not fanned.failed):
            run.summary = RunSummary(job, appids=tuple(appids), fan_out=fanned)
            return run.summary
        one = (
            self._ready_client(job, deadline, config) if source is None else None
        )  # WX_APPID and its secret, checked before any lease
        if one is not None and one.settings.appid != run.appid:  # the run, its ledger row and its answer are one app's
            raise ConfigurationError(
                f"the function's client is for the app {one.settings.appid[:64]}, not WX_APPID's "
                f"({(run.appid or 'unset')[:64]}): give both the same appid"
            )
        holder = f"{RUN}{_request_name(request_id)}:{secrets.token_hex(4)}"
        seconds = (WORKER_LEASE_SECONDS if deadline is None else max(deadline.remaining(), 0.0)) + LEASE_MARGIN_SECONDS
        renew = (
            None if deadline is not None else WORKER_LEASE_SECONDS / 3
        )  # a local run without a time limit keeps its leases fresh
        with held_apps(Leases(archive), appids, holder, seconds, renew_every=renew) as (mine, running):
            if one is not None and not mine:  # the one app is a worker's right now
                summary = RunSummary(job)
            else:
                clients = (
                    {one.settings.appid: one}
                    if one is not None
                    else self._app_clients(
                        [app for app in apps if app.appid in mine], job, deadline, config, keep_others=bool(running)
                    )
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
        summary.appids = tuple(appids)
        summary.fan_out = fanned  # the fan-out that could not be sent, and why
        run.summary = summary
        return summary

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
        planned = plan_work(archive, appids, job, settings.slice_days)
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
        run: Invocation,
        request_id: Any,
        config: ArchiveConfig,
    ) -> RunSummary:
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
            run.summary = RunSummary(
                None, running={work.appid: f"nothing done: {why}"}, extra={"work": work.describe()}
            )
            return run.summary
        held_as = f"{digest}:{holder}"
        run.appid = work.appid
        ledger = run.ledger = Ledger(archive)
        try:
            run.rows = ledger.start(
                [work.appid], trigger="worker", today=work.today, base_url=base_url_of(config.function.api_base_url)
            )
            leases.note_run(work.appid, held_as, run.rows[work.appid])
            client = self._client_of(app, work.appid, work.job(), deadline, config)
            invoker = self._invoker(settings, config)
            kept = (ALERT_BUDGET_SECONDS if settings.alerts_configured else 0.0) + (
                INVOKE_SECONDS if invoker is not None else 0.0
            )
            run.summary = summary = run_apps(
                archive,
                {work.appid: client},
                work.job(),
                concurrency=settings.concurrency,
                deadline=_keep_back(deadline, kept),
                monotonic=self.monotonic,
                quota_reserve=settings.quota_reserve,
                yesterday_answered=work.proven,
            )
            after = work.after(summary.apps[work.appid]) if invoker is not None else None
            sent = _hand_on(leases, work.appid, held_as, digest, invoker, after)
        except BaseException:
            _let_go(leases, work.appid, held_as)  # a retry of this same event may take it over
            raise
        summary.handed_on = isinstance(sent, Work)
        next_one = sent.describe() if isinstance(sent, Work) else None if sent is None else {"failed": str(sent)}
        summary.extra = {"work": work.describe(), "next": next_one}
        return summary

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


def _hand_on(
    leases: Leases, appid: str, holder: str, digest: str, invoker: Invoker | None, after: Work | None
) -> Work | ErrorRecord | None:
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
        return ErrorRecord.of(exc)
    return after


def _let_go(leases: Leases, appid: str, holder: str) -> None:
    """Release the lease of a worker that failed, if the database lets it (else it expires)."""
    try:
        leases.release(appid, holder)
    except WxCloudError:
        pass


def _request_name(request_id: Any) -> str:
    """The invocation's request id as a lease holder names it (``local`` outside SCF)."""
    return str(request_id or "local")[:64]


def _keep_back(deadline: Deadline | None, seconds: float) -> Deadline | None:
    """``deadline`` moved ``seconds`` earlier: the time kept for what comes after the work."""
    return None if deadline is None else Deadline(deadline.expires_at - seconds, deadline.monotonic)
