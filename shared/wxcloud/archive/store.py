"""``Archive``: the archived results of one database, read and written period by period.

    from wxcloud.archive import Archive

    archive = Archive("postgresql+psycopg://user:password@host/db")
    archive.get("analysis.getDailyVisitTrend", {"beginDate": "20250101", "endDate": "20250101"})

``get`` answers a settled period from the database without a WeChat call, and fetches and stores
it when it is missing or when WeChat can know more than what is stored (a retention period whose
next key has become knowable since it was fetched); ``periods``, ``missing`` and ``due`` list what
an archive job would fetch, for callers who run their own. Each stored period is one transaction
(the result, its flat rows, and the answer it replaced in the revision table), committed before
the next fetch is even looked at, so a run that is killed loses nothing it fetched.

A period fetched again replaces the stored answer only with a newer one (``tables.upsert_newer``
under the row's lock), so two runs at once never let an older answer overwrite a newer; the
replaced answer is kept in the revision table when it differs.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import Connection, Engine, delete, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from ..casing import convert_keys
from ..dates import beijing_today, parse_yyyymmdd
from ..errors import ConfigurationError, InvalidParameters, StorageError, calling
from ..periods import Period
from ..settings import ARCHIVE_DEFAULT_TABLE_PREFIX
from ..spec import ApiSpec
from . import database, schema
from .reports import EARLIEST, REPORTS, Report
from .tables import Tables, insert_new, upsert_newer

if TYPE_CHECKING:
    from ..client import OpenApiClient


T = TypeVar("T")

StoreOutcome = Literal["stored", "refreshed", "revised", "upToDate"]
"""What storing an answer did: ``stored`` a period that was not there; ``refreshed`` replaced the
stored answer with one that keeps every figure it had (WeChat only added, or nothing changed);
``revised`` replaced it with one that changed a figure WeChat had already given; ``upToDate``: a
newer answer was stored meanwhile (by another run), so this one was dropped."""

WRITE_ATTEMPTS = 3  # two runs writing one period at once may deadlock (MariaDB's gap locks): try again


class DatabaseError(StorageError):
    """A database failure during a run (-601001), with a message safe to log (password masked)."""


class NotStored(StorageError):
    """``Archive.get`` fetched a result from WeChat but could not store it (-601001). The result
    is not thrown away with the failure: it is ``result``, so a caller can still use it (the quota
    is spent either way), and the next ``get`` of that period fetches it again."""

    def __init__(self, hint: str, result: dict[str, Any]) -> None:
        super().__init__(hint)
        self.result = result


@dataclass(frozen=True)
class Stored:
    """One archived period as the results table holds it: the latest answer and when it came."""

    api: str
    begin_date: str
    end_date: str
    result: dict[str, Any]
    fetched_at: datetime
    fetched_on: date | None = None  # the Beijing day of the run that fetched it
    settled: bool = True  # WeChat could know nothing more about the period when it answered
    fetches: int = 1

    @property
    def period(self) -> Period:
        begin, end = parse_yyyymmdd(self.begin_date), parse_yyyymmdd(self.end_date)
        assert begin is not None and end is not None  # written by store() only
        return Period(begin, end)


@dataclass(frozen=True)
class Revision:
    """An answer that a later one replaced: what WeChat said, and when."""

    result: dict[str, Any]
    fetched_at: datetime  # UTC
    fetched_on: date | None
    replaced_at: datetime  # UTC
    revised: bool  # the answer that replaced it changed a figure this one had given


class Archive:
    """The archive in the database at ``url`` (a SQLAlchemy URL string or ``URL``).

    ``client`` makes the WeChat calls of ``get`` (default: one built from the environment on
    first need); ``appid`` is whose results are read and written (default: the client's);
    ``refresh_days`` how many days after its first answer a report that has no retention keys is
    still asked again (``WX_ARCHIVE_REFRESH_DAYS``, default 0: it settles when first answered)."""

    def __init__(
        self,
        url: str | URL,
        *,
        prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX,
        client: OpenApiClient | None = None,
        appid: str | None = None,
        refresh_days: int = 0,
    ) -> None:
        problem = None
        try:
            self.url = url if isinstance(url, URL) else database.parse_url(url)
        except ConfigurationError as exc:
            problem = exc
        del url  # the string holds the password: out of this frame's locals before anything is raised
        if problem is not None:
            raise problem
        self.engine: Engine = database.create(self.url)
        self.tables = Tables.build(prefix)
        self._client = client
        self._appid = appid
        self.refresh_days = refresh_days  # WX_ARCHIVE_REFRESH_DAYS: reports without keys are asked again that many days
        self._schema_ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        url = getattr(self, "url", None)  # also while __init__ is failing (a traceback shows its locals)
        return f"Archive({database.shown(url) if url is not None else '?'!r})"

    # ---- schema and connectivity ---------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the tables that are missing (once per instance); a -601001 naming the database
        (never its password) when it cannot be reached or used."""
        if self._schema_ready:
            return
        with self._lock:
            if self._schema_ready:
                return
            problem = None
            for attempt in range(3):  # two instances creating the tables at once: one wins, the other looks again
                try:
                    with self._writing() as connection:
                        schema.prepare(connection, self.tables)
                    problem = None
                    break
                except SQLAlchemyError as exc:
                    problem = database.unreachable(exc, self.url)
                    if attempt == 2 or not self._tables_exist_partly():
                        break
            if problem is not None:
                raise problem
            self._schema_ready = True

    @contextmanager
    def _writing(self, *, row_locks_only: bool = False) -> Iterator[Connection]:
        """A connection in a transaction meant to write (on SQLite, holding the write lock from
        the start). ``row_locks_only``: on MySQL and MariaDB, READ COMMITTED, whose locking reads
        and deletes lock the rows they find and not the gaps beside them; under REPEATABLE READ,
        runs storing neighbouring periods at once would deadlock on those gaps."""
        with self.engine.connect() as connection:
            options: dict[str, Any] = {database.WRITE: True}
            if row_locks_only and connection.dialect.name in {"mysql", "mariadb"}:
                options["isolation_level"] = "READ COMMITTED"
            connection.execution_options(**options)
            with connection.begin():
                yield connection

    def _tables_exist_partly(self) -> bool:
        try:
            return bool(set(inspect(self.engine).get_table_names()) & {table.name for table in self.tables.metadata.sorted_tables})
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        """Close the pool's connections (the archive can still be used: it reconnects)."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- reading --------------------------------------------------------------------------------

    def stored_periods(self, appid: str, api: str, since: date | None = None, until: date | None = None) -> set[tuple[str, str]]:
        """``(begin_date, end_date)`` of every archived period of ``api``, begin on or after
        ``since`` and end on or before ``until``."""
        results = self.tables.results
        query = select(results.c.begin_date, results.c.end_date).where(results.c.appid == appid, results.c.api == api)
        query = _between(query, results, since, until)
        return self.read(lambda connection: {(row.begin_date, row.end_date) for row in connection.execute(query)})

    def fetched_on(self, appid: str, api: str, since: date | None = None, until: date | None = None) -> dict[tuple[str, str], date | None]:
        """``(begin_date, end_date) -> the Beijing day it was last fetched`` of every archived
        period of ``api`` in the range: what deciding whether WeChat can know more needs."""
        results = self.tables.results
        query = select(results.c.begin_date, results.c.end_date, results.c.fetched_on).where(results.c.appid == appid, results.c.api == api)
        query = _between(query, results, since, until)
        rows = self.read(lambda connection: connection.execute(query).all())
        return {(row.begin_date, row.end_date): parse_yyyymmdd(row.fetched_on or "") for row in rows}

    def load(self, appid: str, api: str, period: Period) -> dict[str, Any] | None:
        found = self.stored(appid, api, period)
        return None if found is None else found.result

    def stored(self, appid: str, api: str, period: Period) -> Stored | None:
        """The archived answer for ``period``, with when it was fetched; None when there is none."""
        results = self.tables.results
        query = self._stored_query(appid, api).where(results.c.begin_date == period.begin_date, results.c.end_date == period.end_date)
        row = self.read(lambda connection: connection.execute(query).first())
        return None if row is None else _stored(api, row)

    def results(self, appid: str, api: str, since: date | None = None, until: date | None = None) -> list[Stored]:
        """Archived periods of ``api``, oldest first, each with its latest answer."""
        results = self.tables.results
        query = _between(self._stored_query(appid, api), results, since, until).order_by(results.c.begin_date, results.c.end_date)
        rows = self.read(lambda connection: connection.execute(query).all())
        return [_stored(api, row) for row in rows]

    def _stored_query(self, appid: str, api: str) -> Any:
        results = self.tables.results
        columns = (results.c.begin_date, results.c.end_date, results.c.result, results.c.fetched_at, results.c.fetched_on)
        return select(*columns, results.c.settled, results.c.fetches).where(results.c.appid == appid, results.c.api == api)

    def revisions(self, appid: str, api: str, period: Period) -> list[Revision]:
        """The answers for ``period`` that later ones replaced, oldest first."""
        revisions = self.tables.revisions
        query = (
            select(revisions.c.result, revisions.c.fetched_at, revisions.c.fetched_on, revisions.c.replaced_at, revisions.c.revised)
            .where(revisions.c.appid == appid, revisions.c.api == api)
            .where(revisions.c.begin_date == period.begin_date, revisions.c.end_date == period.end_date)
            .order_by(revisions.c.fetched_at, revisions.c.id)
        )
        rows = self.read(lambda connection: connection.execute(query).all())
        return [
            Revision(json.loads(row.result), row.fetched_at, parse_yyyymmdd(row.fetched_on or ""), row.replaced_at, bool(row.revised))
            for row in rows
        ]

    def appids(self) -> list[str]:
        """Every appid with archived results."""
        query = select(self.tables.results.c.appid).distinct().order_by(self.tables.results.c.appid)
        return self.read(lambda connection: [row[0] for row in connection.execute(query)])

    def count(self, appid: str, api: str | None = None) -> int:
        results = self.tables.results
        query = select(func.count()).select_from(results).where(results.c.appid == appid)
        if api is not None:
            query = query.where(results.c.api == api)
        return self.read(lambda connection: int(connection.execute(query).scalar_one()))

    def read(self, work: Callable[[Connection], T]) -> T:
        """``work`` on a pooled connection; a failure is a -601001 without the password (raised
        outside the ``except`` block, so the driver's exception is not attached to it)."""
        self.ensure_schema()
        try:
            with self.engine.connect() as connection:
                return work(connection)
        except SQLAlchemyError as exc:
            problem = database.unreachable(exc, self.url)
        raise problem

    # ---- writing --------------------------------------------------------------------------------

    def write(self, work: Callable[[Connection], T], what: str) -> T:
        """``work`` in one writing transaction; a failure is a ``DatabaseError`` saying ``what``
        failed, without the password (and without the driver's exception attached)."""
        problem = None
        try:
            self.ensure_schema()
            with self._writing() as connection:
                return work(connection)
        except SQLAlchemyError as exc:
            problem = DatabaseError(f"{what} in {database.shown(self.url)} failed: {database.describe(exc, self.url)}")
        raise problem

    def store(
        self,
        appid: str,
        api: str,
        period: Period,
        result: dict[str, Any],
        *,
        fetched_at: datetime | None = None,
        fetched_on: date | None = None,
    ) -> StoreOutcome:
        """Keep ``result`` as the period's latest answer, with its flat rows, in one transaction:
        a period not there is stored; one there is replaced unless the stored answer is newer
        (``fetched_at``, default now), and the answer it replaces is kept in the revision table
        when it differs. ``fetched_on`` is the Beijing day of the run that fetched it (default:
        that of ``fetched_at``): it decides whether the period has settled and when WeChat can
        know more than this answer."""
        report = report_for(api)
        moment = (fetched_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        day = fetched_on or beijing_today(moment)
        key = {"appid": appid, "api": api, "begin_date": period.begin_date, "end_date": period.end_date}
        row = {
            **key,
            "result": json.dumps(result, ensure_ascii=False, separators=(",", ":")),
            "fetched_at": moment.replace(tzinfo=None),
            "fetched_on": f"{day:%Y%m%d}",
            "settled": report.settling.settles_on(period, self.refresh_days) <= day,
        }
        write = _Write(self.tables, report, key, row, result, flat_rows(report, result, period, key))
        problem = None
        for attempt in range(WRITE_ATTEMPTS):
            try:
                self.ensure_schema()
                with self._writing(row_locks_only=True) as connection:
                    return write.apply(connection)
            except SQLAlchemyError as exc:
                if attempt + 1 < WRITE_ATTEMPTS and database.conflicting(exc):
                    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
                    continue
                problem = DatabaseError(f"storing {api} {period} in {database.shown(self.url)} failed: {database.describe(exc, self.url)}")
                break
        assert problem is not None  # every attempt either returned or set it
        raise problem

    # ---- the library API ------------------------------------------------------------------------

    def periods(self, api: str, since: date, today: date | None = None, until: date | None = None) -> list[Period]:
        """Every closed period of ``api`` that an archive keeps: begin on or after ``since``, over
        in Beijing time on ``today`` (default: now), end on or before ``until`` (default: any)."""
        return closed_periods(report_for(api), since, today or beijing_today(datetime.now(timezone.utc)), until)

    def missing(self, api: str, since: date, today: date | None = None, until: date | None = None, *, appid: str | None = None) -> list[Period]:
        """``periods(...)`` that are not archived yet, oldest first."""
        stored = self.stored_periods(appid or self.appid, api, since, until)
        return [period for period in self.periods(api, since, today, until) if (period.begin_date, period.end_date) not in stored]

    def due(self, api: str, since: date, today: date | None = None, until: date | None = None, *, appid: str | None = None) -> list[Period]:
        """``periods(...)`` that a run on ``today`` asks WeChat for, oldest first: those not
        archived yet, and those WeChat can know more about than when they were last fetched."""
        today = today or beijing_today(datetime.now(timezone.utc))
        report = report_for(api)
        fetched = self.fetched_on(appid or self.appid, api, since, until)
        return [period for period in self.periods(api, since, today, until) if self.is_due(report, period, fetched, today)]

    def is_due(self, report: Report, period: Period, fetched: dict[tuple[str, str], date | None], today: date) -> bool:
        """Whether a run on ``today`` asks for ``period``, given ``fetched_on(...)``."""
        key = (period.begin_date, period.end_date)
        if key not in fetched:
            return True
        return report.settling.due(period, _last_fetch(period, fetched[key]), today, self.refresh_days)

    def is_settled(self, report: Report, period: Period, fetched: dict[tuple[str, str], date | None]) -> bool:
        """Whether the stored answer for ``period`` is final, given ``fetched_on(...)`` (with this
        archive's refresh window, which the stored ``settled`` flag may predate)."""
        key = (period.begin_date, period.end_date)
        return key in fetched and report.settling.settles_on(period, self.refresh_days) <= _last_fetch(period, fetched[key])

    def get(self, api: str, data: Any) -> dict[str, Any]:
        """The cloud-call result of ``api`` for ``data`` (``{"beginDate", "endDate"}``): from the
        archive when it has the period and WeChat can know nothing more about it now (it has
        settled, or nothing became knowable since it was fetched), else from WeChat, stored before
        it is returned (the newer answer, should another run have stored one meanwhile). Raises
        ``WxCloudError`` as the cloud call does (a period not over yet is 61503, as there), and
        -601001 (``ConfigurationError``, naming the database without its password) when the
        database fails: before the WeChat call when it cannot be read, so no quota is spent; and
        when the fetched result cannot be stored, ``NotStored``, which carries that result as
        ``.result`` (nothing is stored, so the next ``get`` of the period asks WeChat again)."""
        report = report_for(api)
        client = self.client
        with calling(report.spec.display_name):
            period = _requested_period(report.spec, data, client)
            found = self.stored(self.appid, api, period)
        now = datetime.fromtimestamp(client.wall_clock(), timezone.utc)
        today = beijing_today(now)
        if found is not None and not report.settling.due(period, _last_fetch(period, found.fetched_on), today, self.refresh_days):
            return found.result
        result = client.call(report.spec, data)
        # Recorded as knowing today's knowledge only when the answer proves WeChat has computed
        # yesterday (before then, in the morning, yesterday's key would be recorded as known and
        # never asked for again); else as the day before, so the next get asks once more.
        yesterday = today - timedelta(days=1)
        known = today if report.settling.answered_through(period, result) >= yesterday else yesterday
        problem = None
        try:
            if self.store(self.appid, api, period, result, fetched_at=now, fetched_on=known) == "upToDate":
                result = self.load(self.appid, api, period) or result
        except DatabaseError as exc:
            problem = NotStored(f"{exc.hint}; the result WeChat returned was not archived (it is the error's .result)", result)
        if problem is not None:
            with calling(report.spec.display_name):
                raise problem
        return result

    @property
    def client(self) -> OpenApiClient:
        if self._client is None:
            from ..client import OpenApiClient
            from ..settings import WxSettings

            self._client = OpenApiClient(WxSettings.from_env())
        return self._client

    @property
    def appid(self) -> str:
        if self._appid is None:
            self._appid = self.client.settings.appid
            if not self._appid:
                raise ConfigurationError("the archive keeps results per appid: set WX_APPID (or pass appid=)")
        return self._appid


class _Write:
    """Storing one answer, inside the transaction ``Archive.store`` opens (and repeats after a deadlock)."""

    def __init__(
        self, tables: Tables, report: Report, key: dict[str, str], row: dict[str, Any], result: dict[str, Any], flat: list[dict[str, Any]]
    ) -> None:
        self.tables, self.report, self.key, self.row, self.result, self.flat = tables, report, key, row, result, flat

    def apply(self, connection: Connection) -> StoreOutcome:
        results = self.tables.results
        # The insert first: a new period (every one of a backfill) costs no locking read, and a
        # look for a row that is not there would lock the gap where it goes (MariaDB).
        if insert_new(connection, results, [{**self.row, "fetches": 1}]) == 1:
            insert_new(connection, self.tables.for_shape(self.report.shape), self.flat)
            return "stored"
        old = self._locked(connection)
        if old is None:  # stored and deleted again by someone else meanwhile: nothing of ours to replace
            return "upToDate"
        if old.fetched_at > self.row["fetched_at"]:
            return "upToDate"
        upsert_newer(connection, results, {**self.row, "fetches": old.fetches + 1})
        if old.result == self.row["result"]:
            return "refreshed"  # the same answer: its flat rows are those already there
        flat = self.tables.for_shape(self.report.shape)
        connection.execute(delete(flat).where(*(flat.c[name] == value for name, value in self.key.items())))
        insert_new(connection, flat, self.flat)
        revised = not keeps(json.loads(old.result), self.result)
        replaced = {"result": old.result, "fetched_at": old.fetched_at, "fetched_on": old.fetched_on, "revised": revised}
        connection.execute(self.tables.revisions.insert().values(**self.key, **replaced, replaced_at=datetime.now(timezone.utc).replace(tzinfo=None)))
        return "revised" if revised else "refreshed"

    def _locked(self, connection: Connection) -> Any:
        """The stored row, locked until the transaction ends (SQLite's write lock is already held)."""
        results = self.tables.results
        query = select(results.c.result, results.c.fetched_at, results.c.fetched_on, results.c.fetches)
        query = query.where(*(results.c[name] == value for name, value in self.key.items())).with_for_update()
        return connection.execute(query).first()


def keeps(old: Any, new: Any) -> bool:
    """Whether the answer ``new`` still says everything ``old`` said: every field of ``old`` is
    in ``new`` with a value that keeps it, every list item of ``old`` is kept by one of ``new``'s.
    A retention answer that only gained keys keeps the earlier one; one that changed a value
    WeChat had given, or dropped it, does not (a revision)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(name in new and keeps(value, new[name]) for name, value in old.items())
    if isinstance(old, list):
        if not isinstance(new, list):
            return False
        return all((index < len(new) and keeps(item, new[index])) or any(keeps(item, other) for other in new) for index, item in enumerate(old))
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return bool(old == new)


def report_for(api: str) -> Report:
    report = REPORTS.get(api)
    if report is None:
        raise InvalidParameters(f"{str(api)[:60]!r} is not archived; the archive keeps {', '.join(REPORTS)}")
    return report


def flat_rows(report: Report, result: dict[str, Any], period: Period, key: dict[str, str]) -> list[dict[str, Any]]:
    """The flat table's rows of one result: the declared columns, values coerced to their types."""
    rows = []
    for position, item in enumerate(report.shape.rows(result, period.begin_date)):
        row: dict[str, Any] = {**key, "position": position, "ref_date": _text(item.get("refDate"), 32)}
        for column in report.shape.columns:
            value = item.get(column.name)
            row[column.column] = _int(value) if column.type == "int" else _float(value) if column.type == "float" else _text(value, column.length)
        rows.append(row)
    return rows


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return number if -(2**63) <= number < 2**63 else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _text(value: Any, length: int) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)[:length]


def _last_fetch(period: Period, fetched_on: date | None) -> date:
    """When a stored period was fetched; a row without its day (the previous release's, written
    after the upgrade) is taken as fetched on the first day it could be."""
    return fetched_on or period.end + timedelta(days=1)


def _stored(api: str, row: Any) -> Stored:
    fetched_on = parse_yyyymmdd(row.fetched_on or "")
    return Stored(api, row.begin_date, row.end_date, json.loads(row.result), row.fetched_at, fetched_on, bool(row.settled), int(row.fetches))


def _between(query: Any, results: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        query = query.where(results.c.begin_date >= f"{since:%Y%m%d}")
    if until is not None:
        query = query.where(results.c.end_date <= f"{until:%Y%m%d}")
    return query


def closed_periods(report: Report, since: date, today: date, until: date | None = None) -> list[Period]:
    """Every period of ``report`` that begins on or after ``since``, is over in Beijing time on
    ``today`` and ends on or before ``until`` (None: any), oldest first: what an archive keeps."""
    if since < EARLIEST:  # else a since of year 1 lists some 740,000 days
        shown = since.isoformat().replace("-", "")  # strftime drops the zeros of year 1
        raise InvalidParameters(f"since {shown} is before {EARLIEST:%Y%m%d}, when WeChat's Mini Program analytics begin")
    if until is not None and until < today:  # the day after until (which may be date.max)
        today = date.fromordinal(until.toordinal() + 1)
    kind = report.spec.request_model.kind
    return list(kind.series(since, today))


def _requested_period(spec: ApiSpec[Any, Any], data: Any, client: OpenApiClient) -> Period:
    """The period ``data`` asks for, validated exactly as the cloud call validates it."""
    if not isinstance(data, dict):
        raise InvalidParameters("the call data must be a JSON object such as {\"beginDate\": \"20250101\", \"endDate\": \"20250101\"}")
    snake = {name: value for name, value in convert_keys(data, "camel_to_snake", recursive=False).items() if name in spec.request_model.fields}
    spec.request_model.from_data(snake, now=datetime.fromtimestamp(client.wall_clock(), timezone.utc))
    begin, end = parse_yyyymmdd(snake["begin_date"]), parse_yyyymmdd(snake["end_date"])
    assert begin is not None and end is not None  # validated just above
    return Period(begin, end)
