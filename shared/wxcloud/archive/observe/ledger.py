"""The run ledger: every archive run (timer, manual invoke, CLI) as one row of the run table.

A run is recorded once its database answers (a run that fails before, on its configuration or an
unreachable database, cannot be written down; its error value and log line say why), as
``running``, and finished with its outcome: ``complete`` (everything asked for is archived and up
to date), ``incomplete`` (work was left for a later run, or periods failed), ``failed`` (the
run answered an error value), ``dispatched`` (the run sent its work to workers, ``function/fanout.py``,
which record runs of their own) or ``skipped`` (a worker found another one archiving its app).
A run over several apps has one row per app. Its summary is the run's JSON summary, its error the error value's
code and message: texts that the archive already keeps free of secrets (the appsecret, tokens
and the database password never reach an error value), so the ledger is as safe to read as the
function's log line. Each row also says where the run asked WeChat (``base_url``: the scheme, host
and port of ``WX_API_BASE_URL``, else WeChat's own ``https://api.weixin.qq.com``; never a path,
query or userinfo), so that figures a run fetched from the WeChat emulator, or from a gateway,
stay recognisable as such. A run that dies (SCF's time limit, a killed process) stays ``running`` with
no end: ``status`` shows it as such.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Literal

from sqlalchemy import Connection, select

from ...settings import DEFAULT_API_BASE_URL, url_origin
from ..errors import DatabaseError
from ..fetch.answer import app_record
from ..fetch.outcomes import RunSummary
from ..kept.storable import storable, storable_text
from ..store.archive import Archive
from ..store.tables import BASE_URL_LENGTH

logger = logging.getLogger("wxcloud")

Trigger = Literal["timer", "direct", "cli", "worker"]
RunOutcome = Literal["running", "complete", "incomplete", "failed", "dispatched", "skipped"]


@dataclass(frozen=True)
class Run:
    id: int
    appid: str | None
    trigger: str
    today: str | None
    started_at: datetime  # UTC, naive as the database keeps it
    ended_at: datetime | None
    outcome: str
    summary: dict[str, Any] | None
    error: str | None
    base_url: str | None = None  # scheme://host[:port] of the WeChat it asked (None: recorded before this was kept)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trigger": self.trigger,
            "baseUrl": self.base_url,
            "today": self.today,
            "startedAt": _iso(self.started_at),
            "endedAt": None if self.ended_at is None else _iso(self.ended_at),
            "outcome": self.outcome,
            "error": self.error,
        }


def base_url_of(given: str) -> str | None:
    """Where a run asks WeChat, as the ledger keeps it: ``scheme://host[:port]`` of
    ``WX_API_BASE_URL`` as ``given`` (``FunctionConfig.api_base_url``; WeChat's own when empty),
    lower-case; never its path, query string or userinfo. None for a value that is no http(s) URL
    (the run fails on it before any call)."""
    value = given.strip() or DEFAULT_API_BASE_URL
    origin = url_origin(value)  # urlsplit gives the scheme and host lower-case
    return origin[:BASE_URL_LENGTH] if origin is not None and origin.startswith(("http://", "https://")) else None


def outcome_of(run: RunSummary, appid: str | None) -> RunOutcome:
    """The outcome of ``appid``'s part of ``run`` (None: a run that failed before it knew its apps)."""
    if run.failure is not None:
        return "failed"
    if appid is not None and appid in run.running:  # a worker was archiving the app
        return "skipped"
    app = run.apps.get(appid) if appid is not None else None
    if app is None:
        return "dispatched" if run.fan_out is not None else "incomplete"  # a dispatcher: its workers do the work
    return "complete" if app.complete and not app.total("failed") else "incomplete"


class Ledger:
    """The run table of ``archive``."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.table = archive.tables.runs

    def start(
        self,
        appids: Sequence[str | None],
        *,
        trigger: Trigger,
        today: date | None,
        base_url: str | None = None,
        started_at: datetime | None = None,
    ) -> dict[str | None, int]:
        """Record the start of a run, one row for each of ``appids`` (a run over several apps has a
        row per app, so that each app's history reads like a run of its own; None: a run that does
        not know its apps yet); appid -> its run id, to ``finish`` it with. ``base_url``: where it
        asks WeChat (``base_url_of``)."""
        moment = _naive_utc(started_at)

        def insert(connection: Connection) -> dict[str | None, int]:
            ids: dict[str | None, int] = {}
            for appid in appids:
                row = {
                    "appid": appid or None,
                    "run_trigger": trigger,
                    "today": None if today is None else f"{today:%Y%m%d}",
                    "started_at": moment,
                    "outcome": "running",
                    "base_url": base_url,
                }
                key = connection.execute(self.table.insert().values(**row)).inserted_primary_key
                assert key is not None  # an insert of one row
                ids[appid] = int(key[0])
            return ids

        return self.archive.write(insert, "recording the run's start")

    def finish(self, rows: Mapping[str | None, int], run: RunSummary) -> dict[int, RunOutcome]:
        """Record how each app's run of ``rows`` (appid -> its run id) ended, from ``run``, in one
        transaction; the outcomes written. A database that fails now costs the ledger its lines,
        not the run its answer (which is returned and logged all the same): one WARNING, and no
        outcome written."""
        moment = _naive_utc(None)  # now
        updates: dict[int, dict[str, Any]] = {}
        for appid, run_id in rows.items():
            outcome = outcome_of(run, appid)
            values: dict[str, Any] = {"ended_at": moment, "outcome": outcome}
            if run.failure is not None:  # texts from WeChat or a driver, held to what every database takes
                values["error"] = storable_text(str(run.failure)[:2000])
            else:
                summary = storable(app_record(run, appid))
                values["summary"] = json.dumps(summary, ensure_ascii=False, allow_nan=False)
            updates[run_id] = values

        def write(connection: Connection) -> None:
            for run_id, values in updates.items():
                connection.execute(self.table.update().where(self.table.c.id == run_id).values(**values))

        try:
            self.archive.write(write, "recording the run's end")
        except DatabaseError as exc:
            logger.warning(
                "the run ledger could not record the end of run(s) %s: %s", ", ".join(map(str, list(updates)[:5])), exc
            )
            return {}
        return {run_id: values["outcome"] for run_id, values in updates.items()}

    def runs(self, appid: str | None = None, limit: int = 20) -> list[Run]:
        """The newest runs first (of ``appid`` and of runs that failed before knowing theirs)."""
        query = select(self.table).order_by(self.table.c.started_at.desc(), self.table.c.id.desc()).limit(limit)
        if appid is not None:
            query = query.where((self.table.c.appid == appid) | self.table.c.appid.is_(None))
        rows = self.archive.read(lambda connection: connection.execute(query).all())
        return [_run(row) for row in rows]

    def last(self, appid: str | None = None) -> Run | None:
        runs = self.runs(appid, limit=1)
        return runs[0] if runs else None


def _run(row: Any) -> Run:
    return Run(
        id=int(row.id),
        appid=row.appid,
        trigger=row.run_trigger,
        today=row.today,
        started_at=row.started_at,
        ended_at=row.ended_at,
        outcome=row.outcome,
        summary=json.loads(row.summary) if row.summary else None,
        error=row.error,
        base_url=row.base_url,
    )


def _naive_utc(moment: datetime | None) -> datetime:
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
