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

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..client import OpenApiClient
from ..dates import beijing_today
from ..deadline import Deadline
from ..errcodes import JS_ERROR
from ..errors import ConfigurationError, DeadlineExceeded, InvalidParameters, WxCloudError, calling
from ..events import parse_rfc3339
from ..lazy import Once
from ..logs import own_function_logs
from ..permissions import load_permissions
from ..scf import ClientFactory, default_client_factory
from ..settings import appid_from_env, log_level_from_env
from .alerts import notify
from .job import Job, Summary, run_job
from .ledger import Ledger, Trigger, finish
from .options import OPTIONS, job_for, options_of, shown
from .reports import EARLIEST
from .settings import ArchiveSettings
from .sources import open_archive
from .store import Archive

logger = logging.getLogger("wxcloud")

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


class ArchiveFunction:
    def __init__(
        self,
        config_candidates: Sequence[Path],
        *,
        client_factory: ClientFactory | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config_candidates = tuple(config_candidates)
        self.client_factory = client_factory
        self.environ = environ
        self.clock = clock
        self.wall_clock = wall_clock
        self._client: Once[OpenApiClient] = Once()
        self._archive: tuple[ArchiveSettings, Archive] | None = None
        own_function_logs(log_level_from_env(environ))

    @classmethod
    def deployed(cls, index_file: str | Path) -> ArchiveFunction:
        here = Path(index_file).resolve().parent
        return cls((here / "config.json", here.parent.parent / "config.json"))

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        return self.handle(event, context)

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        """The run's summary in the cloud-call shape, or the error value that stopped it first."""
        started = self.clock()
        deadline = Deadline.from_scf_context(context, started=started, margin=SAFETY_MARGIN_SECONDS, clock=self.clock)
        request_id = context.get("request_id") if isinstance(context, dict) else None
        del context  # SCF's context may carry the environment (role keys included): no frame here keeps it
        trigger: Trigger = "timer" if isinstance(event, dict) and event.get("Type") == "Timer" else "direct"
        summary: Summary | None = None
        run: tuple[Ledger, int] | None = None
        settings: ArchiveSettings | None = None
        appid: str | None = None
        try:
            with calling(NAME):
                request = self._request(event)
                trigger = request.trigger
                settings = ArchiveSettings.from_env(self.environ)
                job = job_for(settings, beijing_today(request.now), request.options)
                archive = self._archive_for(settings, deadline)
                archive.ensure_schema()  # the database answers before anything is asked of WeChat
                ledger = Ledger(archive)
                appid = appid_from_env(self.environ)  # whose run, for the ledger and the alert
                run = ledger, ledger.start(appid=appid, trigger=trigger, today=job.today)
                client = self._ready_client(job, deadline)
                work_deadline = _keep_back(deadline, ALERT_BUDGET_SECONDS) if settings.alerts_configured else deadline
                summary = run_job(archive, client, job, concurrency=settings.concurrency, deadline=work_deadline, clock=self.clock)
            result: dict[str, Any] = {"errCode": 0, "errMsg": f"{NAME}:ok", **summary.to_json()}
        except WxCloudError as exc:
            result = exc.to_result()
        except Exception as exc:  # a bug of ours still answers in the cloud-call shape, without its text
            logger.error("unexpected %s in %s", type(exc).__name__, NAME)
            result = {"errCode": JS_ERROR, "errMsg": f"{NAME}:fail internal error ({type(exc).__name__})"}
        self._log(request_id, trigger, result, summary, started)  # first: the line CLS watches, whatever comes after
        if run is not None and (deadline is None or deadline.remaining() > LEDGER_SECONDS):
            finish(*run, result)
        if settings is not None:  # (without its settings, a run knows no webhook either)
            notify(settings, appid or "-", result, deadline=deadline, budget=ALERT_BUDGET_SECONDS)
        return result

    def _request(self, event: Any) -> Request:
        now = datetime.fromtimestamp(self.wall_clock(), timezone.utc)
        if isinstance(event, dict) and event.get("Type") == "Timer":
            fired = parse_rfc3339(event.get("Time"))
            if fired is None:
                got = shown(event.get("Time"))
                raise InvalidParameters(f"the timer event's Time must be an RFC 3339 time such as 2026-11-02T03:00:00Z, got {got}")
            _check_fired(fired, now, event.get("Time"))
            message = event.get("Message")
            options: Any = {}
            if isinstance(message, str) and message.strip():
                try:
                    options = json.loads(message)
                except (ValueError, RecursionError):
                    raise InvalidParameters(f"the timer's Message must be empty or a JSON object of {', '.join(OPTIONS)}") from None
            return Request("timer", fired, options_of(options))
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
        try:
            client = self._client.get(lambda: self._build_client(deadline), timeout=None if deadline is None else deadline.remaining())
        except TimeoutError:
            client = None
        if client is None:
            raise DeadlineExceeded("the time budget ran out waiting for another invocation to build the client")
        missing = client.settings.missing()
        if missing:
            raise ConfigurationError(f"{' and '.join(missing)} must be set in the function's environment")
        if client.permissions is not None:
            for name in job.apis:
                client.permissions.check(name)
        return client

    def _build_client(self, deadline: Deadline | None) -> OpenApiClient:
        permissions = load_permissions(self.config_candidates)
        if self.client_factory is None:
            return default_client_factory(permissions, deadline, self.environ)
        return self.client_factory(permissions)

    def _log(self, request_id: Any, trigger: str, result: dict[str, Any], summary: Summary | None, started: float) -> None:
        ok = result.get("errCode") == 0
        complete = summary is not None and summary.complete and summary.total("failed") == 0
        level = logging.INFO if ok and complete else logging.WARNING if ok else logging.ERROR
        if not logger.isEnabledFor(level):
            return
        line: dict[str, Any] = {"requestId": request_id, "function": NAME, "trigger": trigger, "outcome": "ok" if ok else "error"}
        if ok:
            line.update({key: result[key] for key in ("today", "since", "until", "complete", "deadlineReached", "totals", "apis")})
            if "databaseError" in result:
                line["databaseError"] = result["databaseError"]
        else:
            line.update(errCode=result.get("errCode"), errMsg=result.get("errMsg"))
        line["durationMs"] = round((self.clock() - started) * 1000, 1)
        logger.log(level, json.dumps(line, ensure_ascii=False))


def _keep_back(deadline: Deadline | None, seconds: float) -> Deadline | None:
    """``deadline`` moved ``seconds`` earlier: the time kept for what comes after the work."""
    return None if deadline is None else Deadline(deadline.expires_at - seconds, deadline.clock)


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
