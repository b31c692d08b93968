"""``Archive``: the archived results of one database, read and written period by period.

    from wxcloud.archive import Archive

    archive = Archive("postgresql+psycopg://user:password@host/db")
    archive.get("analysis.getDailyVisitTrend", {"beginDate": "20250101", "endDate": "20250101"})

``get`` answers a closed period from the database without a WeChat call, and fetches and stores
it when it is missing; ``periods`` and ``missing`` list what an archive job would fetch, for
callers who run their own. Each stored period is one transaction (the result and its flat rows),
committed before the next fetch is even looked at, so a run that is killed loses nothing it
fetched, and storing a period that is there already changes nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from ..casing import convert_keys
from ..dates import beijing_today, parse_yyyymmdd
from ..errors import ConfigurationError, InvalidParameters, calling
from ..periods import Period
from ..settings import ARCHIVE_DEFAULT_TABLE_PREFIX
from ..spec import ApiSpec
from . import database, schema
from .reports import EARLIEST, REPORTS, Report
from .tables import Tables, insert_new

if TYPE_CHECKING:
    from ..client import OpenApiClient


T = TypeVar("T")


class DatabaseError(Exception):
    """A database failure during a run, with a message safe to log (password masked)."""


class NotStored(ConfigurationError):
    """``Archive.get`` fetched a result from WeChat but could not store it (-601001). The result
    is not thrown away with the failure: it is ``result``, so a caller can still use it (the quota
    is spent either way), and the next ``get`` of that period fetches it again."""

    def __init__(self, hint: str, result: dict[str, Any]) -> None:
        super().__init__(hint)
        self.result = result


@dataclass(frozen=True)
class Stored:
    """One archived period as the results table holds it."""

    api: str
    begin_date: str
    end_date: str
    result: dict[str, Any]
    fetched_at: datetime


class Archive:
    """The archive in the database at ``url`` (a SQLAlchemy URL string or ``URL``).

    ``client`` makes the WeChat calls of ``get`` (default: one built from the environment on
    first need); ``appid`` is whose results are read and written (default: the client's)."""

    def __init__(
        self,
        url: str | URL,
        *,
        prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX,
        client: OpenApiClient | None = None,
        appid: str | None = None,
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
    def _writing(self) -> Iterator[Connection]:
        """A connection in a transaction meant to write (on SQLite, holding the write lock from the start)."""
        with self.engine.connect() as connection:
            connection.execution_options(**{database.WRITE: True})
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
        return self._read(lambda connection: {(row.begin_date, row.end_date) for row in connection.execute(query)})

    def load(self, appid: str, api: str, period: Period) -> dict[str, Any] | None:
        results = self.tables.results
        query = select(results.c.result).where(
            results.c.appid == appid, results.c.api == api, results.c.begin_date == period.begin_date, results.c.end_date == period.end_date
        )
        text = self._read(lambda connection: connection.execute(query).scalar_one_or_none())
        return None if text is None else dict(json.loads(text))

    def results(self, appid: str, api: str, since: date | None = None, until: date | None = None) -> list[Stored]:
        """Archived periods of ``api``, oldest first."""
        results = self.tables.results
        query = select(results.c.begin_date, results.c.end_date, results.c.result, results.c.fetched_at).where(
            results.c.appid == appid, results.c.api == api
        )
        query = _between(query, results, since, until).order_by(results.c.begin_date, results.c.end_date)
        rows = self._read(lambda connection: connection.execute(query).all())
        return [Stored(api, row.begin_date, row.end_date, json.loads(row.result), row.fetched_at) for row in rows]

    def appids(self) -> list[str]:
        """Every appid with archived results."""
        query = select(self.tables.results.c.appid).distinct().order_by(self.tables.results.c.appid)
        return self._read(lambda connection: [row[0] for row in connection.execute(query)])

    def count(self, appid: str, api: str | None = None) -> int:
        results = self.tables.results
        query = select(func.count()).select_from(results).where(results.c.appid == appid)
        if api is not None:
            query = query.where(results.c.api == api)
        return self._read(lambda connection: int(connection.execute(query).scalar_one()))

    def _read(self, work: Callable[[Connection], T]) -> T:
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

    def store(self, appid: str, api: str, period: Period, result: dict[str, Any], *, fetched_at: datetime | None = None) -> bool:
        """Keep ``result`` for the period, with its flat rows, in one transaction. False when the
        period was archived already (by an earlier run, or by another run a moment ago)."""
        report = report_for(api)
        when = (fetched_at or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
        key = {"appid": appid, "api": api, "begin_date": period.begin_date, "end_date": period.end_date}
        row = {**key, "result": json.dumps(result, ensure_ascii=False, separators=(",", ":")), "fetched_at": when}
        flat = flat_rows(report, result, period, key)
        problem = None
        try:
            self.ensure_schema()
            with self._writing() as connection:
                inserted = insert_new(connection, self.tables.results, [row]) == 1
                if inserted:
                    insert_new(connection, self.tables.for_shape(report.shape), flat)
        except SQLAlchemyError as exc:
            problem = DatabaseError(f"storing {api} {period} in {database.shown(self.url)} failed: {database.describe(exc, self.url)}")
        if problem is not None:
            raise problem
        return inserted

    # ---- the library API ------------------------------------------------------------------------

    def periods(self, api: str, since: date, today: date | None = None, until: date | None = None) -> list[Period]:
        """Every closed period of ``api`` that an archive keeps: begin on or after ``since``, over
        in Beijing time on ``today`` (default: now), end on or before ``until`` (default: any)."""
        kind = _period_kind(report_for(api).spec)
        if since < EARLIEST:  # else a since of year 1 lists some 740,000 days
            shown = since.isoformat().replace("-", "")  # strftime drops the zeros of year 1
            raise InvalidParameters(f"since {shown} is before {EARLIEST:%Y%m%d}, when WeChat's Mini Program analytics begin")
        today = today or beijing_today(datetime.now(timezone.utc))
        if until is not None and until < today:  # the day after until (which may be date.max)
            today = date.fromordinal(until.toordinal() + 1)
        return list(kind.series(since, today))

    def missing(self, api: str, since: date, today: date | None = None, until: date | None = None, *, appid: str | None = None) -> list[Period]:
        """``periods(...)`` that are not archived yet, oldest first."""
        stored = self.stored_periods(appid or self.appid, api, since, until)
        return [period for period in self.periods(api, since, today, until) if (period.begin_date, period.end_date) not in stored]

    def get(self, api: str, data: Any) -> dict[str, Any]:
        """The cloud-call result of ``api`` for ``data`` (``{"beginDate", "endDate"}``): from the
        archive when it has the period, else from WeChat, stored before it is returned. Raises
        ``WxCloudError`` as the cloud call does (a period not over yet is 61503, as there), and
        -601001 (``ConfigurationError``, naming the database without its password) when the
        database fails: before the WeChat call when it cannot be read, so no quota is spent; and
        when the fetched result cannot be stored, ``NotStored``, which carries that result as
        ``.result`` (nothing is stored, so the next ``get`` of the period asks WeChat again)."""
        report = report_for(api)
        client = self.client
        with calling(report.spec.display_name):
            period = _requested_period(report.spec, data, client)
            found = self.load(self.appid, api, period)
        if found is not None:
            return found
        result = client.call(report.spec, data)
        problem = None
        try:
            self.store(self.appid, api, period, result)
        except DatabaseError as exc:
            problem = NotStored(f"{exc}; the result WeChat returned was not archived (it is the error's .result)", result)
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


def _between(query: Any, results: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        query = query.where(results.c.begin_date >= f"{since:%Y%m%d}")
    if until is not None:
        query = query.where(results.c.end_date <= f"{until:%Y%m%d}")
    return query


def _period_kind(spec: ApiSpec[Any, Any]) -> Any:
    return spec.request_model.kind


def _requested_period(spec: ApiSpec[Any, Any], data: Any, client: OpenApiClient) -> Period:
    """The period ``data`` asks for, validated exactly as the cloud call validates it."""
    if not isinstance(data, dict):
        raise InvalidParameters("the call data must be a JSON object such as {\"beginDate\": \"20250101\", \"endDate\": \"20250101\"}")
    snake = {name: value for name, value in convert_keys(data, "camel_to_snake", recursive=False).items() if name in spec.request_model.fields}
    spec.request_model.from_data(snake, now=datetime.fromtimestamp(client.clock(), timezone.utc))
    begin, end = parse_yyyymmdd(snake["begin_date"]), parse_yyyymmdd(snake["end_date"])
    assert begin is not None and end is not None  # validated just above
    return Period(begin, end)
