"""``Archive``: the archived results of one database, read and written period by period.

    from wxcloud.archive import Archive

    with Archive("postgresql+psycopg://user:password@host/db") as archive:
        archive.results("wx...", "analysis.getDailyVisitTrend")

Persistence only: which periods to ask for is the planner's (``plan/due.py``), answering cloud calls
from the archive is ``ReadThrough``'s (``fetch/readthrough.py``); what a read answers is ``records.py``'s,
and an answer's flat rows ``rows.py``'s. Each stored period is one transaction
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
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from ... import paths
from ...dates import beijing_today, parse_yyyymmdd
from ...errors import ConfigurationError, InvalidParameters, StorageError, WxCloudError
from ...periods import Period
from ..errors import DatabaseError, NothingArchived, RowRefused
from ..kept.reports import Report, report_for
from ..kept.storable import storable, storable_text
from ..settings import ARCHIVE_DEFAULT_TABLE_PREFIX
from . import database, schema
from .records import Revision, Stored, StoreOutcome, decoded, stored_row
from .rows import flat_rows, keeps
from .tables import Tables, insert_new, upsert_newer

__all__ = ["WRITE_ATTEMPTS", "Archive"]

_T = TypeVar("_T")

WRITE_ATTEMPTS = (
    6  # runs (or fan-out workers) writing one period at once may deadlock (MariaDB's gap locks): try again, backing off
)


class Archive:
    """The archive in the database at ``url`` (a SQLAlchemy URL string or ``URL``).

    ``refresh_days`` how many days after its first answer a report that has no retention keys is
    still asked again (``WX_ARCHIVE_REFRESH_DAYS``, default 0: it settles when first answered).
    ``read_only``: for commands that only read; a database (a SQLite file) that does not exist, or
    holds none of the archive's tables, is a ``NothingArchived`` before anything is created
    (SQLite makes its file on the first connect). An older release's tables are still upgraded."""

    def __init__(
        self,
        url: str | URL,
        *,
        prefix: str = ARCHIVE_DEFAULT_TABLE_PREFIX,
        refresh_days: int = 0,
        read_only: bool = False,
    ) -> None:
        problem = None
        try:
            self.url = url if isinstance(url, URL) else database.parse_url(url)
        except ConfigurationError as exc:
            problem = exc
        del url  # the string holds the password: out of this frame's locals before anything is raised
        if problem is not None:
            raise problem
        self.read_only = read_only
        self.engine: Engine = database.create(self.url, read_only=read_only)
        self.tables = Tables.build(prefix)
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
            if self.read_only:
                self._require_tables()
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

    def _require_tables(self) -> None:
        """A ``NothingArchived`` unless the archive's results table is there, looked at without
        creating anything: a SQLite file is looked for before any connect, and read read-only (an
        empty file is no database yet either: SQLite would write its header)."""
        path = database.sqlite_file(self.url)
        if path is not None:
            try:
                empty = path.stat().st_size == 0
            except FileNotFoundError:
                raise NothingArchived(f"{paths.shown(path)} does not exist") from None
            except OSError:
                return  # one it cannot look at: ensure_schema's connect names the problem
            if empty:
                raise NothingArchived(f"{paths.shown(path)} is an empty file")
            present = database.sqlite_has_table(path, self.tables.results.name)
            if present is False:
                raise NothingArchived(f"{paths.shown(path)} has no {self.tables.prefix}* tables")
            return  # None: it could not be read that way; ensure_schema's connect names the problem
        problem: WxCloudError
        try:
            with self.engine.connect() as connection:
                present = inspect(connection).has_table(self.tables.results.name)
        except SQLAlchemyError as exc:
            problem = database.unreachable(exc, self.url)
        else:
            if present:
                return
            problem = NothingArchived(f"{database.shown(self.url)} has no {self.tables.prefix}* tables")
        raise problem

    def _tables_exist_partly(self) -> bool:
        try:
            return bool(
                set(inspect(self.engine).get_table_names())
                & {table.name for table in self.tables.metadata.sorted_tables}
            )
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

    def stored_periods(
        self, appid: str, api: str, since: date | None = None, until: date | None = None
    ) -> set[tuple[str, str]]:
        """``(begin_date, end_date)`` of every archived period of ``api``, begin on or after
        ``since`` and end on or before ``until``."""
        results = self.tables.results
        query = select(results.c.begin_date, results.c.end_date).where(results.c.appid == appid, results.c.api == api)
        query = _between(query, results, since, until)
        return self.read(lambda connection: {(row.begin_date, row.end_date) for row in connection.execute(query)})

    def fetched_on(
        self, appid: str, api: str, since: date | None = None, until: date | None = None
    ) -> dict[tuple[str, str], date | None]:
        """``(begin_date, end_date) -> the Beijing day it was last fetched`` of every archived
        period of ``api`` in the range: what deciding whether WeChat can know more needs."""
        results = self.tables.results
        query = select(results.c.begin_date, results.c.end_date, results.c.fetched_on).where(
            results.c.appid == appid, results.c.api == api
        )
        query = _between(query, results, since, until)
        rows = self.read(lambda connection: connection.execute(query).all())
        return {(row.begin_date, row.end_date): parse_yyyymmdd(row.fetched_on or "") for row in rows}

    def load(self, appid: str, api: str, period: Period) -> dict[str, Any] | None:
        found = self.stored(appid, api, period)
        return None if found is None else found.result

    def stored(self, appid: str, api: str, period: Period) -> Stored | None:
        """The archived answer for ``period``, with when it was fetched; None when there is none."""
        results = self.tables.results
        query = self._stored_query(appid, api).where(
            results.c.begin_date == period.begin_date, results.c.end_date == period.end_date
        )
        row = self.read(lambda connection: connection.execute(query).first())
        return None if row is None else stored_row(api, row)

    def results(self, appid: str, api: str, since: date | None = None, until: date | None = None) -> list[Stored]:
        """Archived periods of ``api``, oldest first, each with its latest answer."""
        results = self.tables.results
        query = _between(self._stored_query(appid, api), results, since, until).order_by(
            results.c.begin_date, results.c.end_date
        )
        rows = self.read(lambda connection: connection.execute(query).all())
        return [stored_row(api, row) for row in rows]

    def _stored_query(self, appid: str, api: str) -> Any:
        results = self.tables.results
        columns = (
            results.c.begin_date,
            results.c.end_date,
            results.c.result,
            results.c.fetched_at,
            results.c.fetched_on,
        )
        return select(*columns, results.c.settled, results.c.fetches).where(
            results.c.appid == appid, results.c.api == api
        )

    def revisions(self, appid: str, api: str, period: Period) -> list[Revision]:
        """The answers for ``period`` that later ones replaced, oldest first."""
        revisions = self.tables.revisions
        query = (
            select(
                revisions.c.result,
                revisions.c.fetched_at,
                revisions.c.fetched_on,
                revisions.c.replaced_at,
                revisions.c.revised,
            )
            .where(revisions.c.appid == appid, revisions.c.api == api)
            .where(revisions.c.begin_date == period.begin_date, revisions.c.end_date == period.end_date)
            .order_by(revisions.c.fetched_at, revisions.c.id)
        )
        rows = self.read(lambda connection: connection.execute(query).all())
        return [
            Revision(
                decoded(row.result),
                row.fetched_at,
                parse_yyyymmdd(row.fetched_on or ""),
                row.replaced_at,
                bool(row.revised),
            )
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

    def read(self, work: Callable[[Connection], _T]) -> _T:
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

    def write(self, work: Callable[[Connection], _T], what: str, *, row_locks_only: bool = False) -> _T:
        """``work`` in one writing transaction (``row_locks_only``: see ``_writing``), made again
        after a deadlock; a failure is a ``DatabaseError`` saying ``what`` failed, without the
        password (and without the driver's exception attached)."""
        problem = None
        for attempt in range(WRITE_ATTEMPTS):
            try:
                self.ensure_schema()
                with self._writing(row_locks_only=row_locks_only) as connection:
                    return work(connection)
            except SQLAlchemyError as exc:
                if attempt + 1 < WRITE_ATTEMPTS and database.conflicting(exc):
                    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
                    continue
                problem = DatabaseError(
                    f"{what} in {database.shown(self.url)} failed: {database.describe(exc, self.url)}"
                )
                break
        assert problem is not None  # every attempt either returned or set it
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
        when it differs. ``fetched_on`` is the Beijing day of the run that fetched it (default, and
        at the latest: that of ``fetched_at``): it decides whether the period has settled and when
        WeChat can know more than this answer.

        ``result`` is stored as the archive's rule makes any answer storable (``storable.py``: NUL
        and lone surrogates become U+FFFD, NaN and Infinity null), the same on every database.
        Raises ``RowRefused`` when the database refuses this period's rows, ``DatabaseError`` when
        it fails, -501007 when ``result`` is not JSON data."""
        report = report_for(api)
        api = report.name  # either form of the name: kept under the full one
        result = storable(result)
        problem: StorageError | InvalidParameters | None = None
        try:
            text = json.dumps(result, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:  # a key json cannot write (a tuple), an integer key too long
            problem = InvalidParameters(
                f"the result of {api} {period} cannot be written as JSON: {storable_text(str(exc))[:200]}"
            )
        if problem is not None:
            raise problem
        moment = (fetched_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        # Never known on a day after the one it was fetched on: a later day would settle the period
        # (or skip a retention key) before WeChat could know it, for good.
        day = min(fetched_on, beijing_today(moment)) if fetched_on is not None else beijing_today(moment)
        key = {"appid": appid, "api": api, "begin_date": period.begin_date, "end_date": period.end_date}
        row = {
            **key,
            "result": text,
            "fetched_at": moment.replace(tzinfo=None),
            "fetched_on": f"{day:%Y%m%d}",
            "settled": report.settling.settles_on(period, self.refresh_days) <= day,
        }
        write = _Write(self.tables, report, key, row, result, flat_rows(report, result, period, key))
        for attempt in range(WRITE_ATTEMPTS):
            try:
                self.ensure_schema()
                with self._writing(row_locks_only=True) as connection:
                    return write.apply(connection)
            except (
                SQLAlchemyError,
                UnicodeError,
                OverflowError,
            ) as exc:  # the latter two: a driver refusing a value while binding it
                if isinstance(exc, SQLAlchemyError) and attempt + 1 < WRITE_ATTEMPTS and database.conflicting(exc):
                    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
                    continue
                kind = RowRefused if database.refused(exc) else DatabaseError
                what = storable_text(database.describe(exc, self.url))
                problem = kind(f"storing {api} {period} in {database.shown(self.url)} failed: {what}")
                break
        assert problem is not None  # every attempt either returned or set it
        raise problem


class _Write:
    """Storing one answer, inside the transaction ``Archive.store`` opens (and repeats after a deadlock)."""

    def __init__(
        self,
        tables: Tables,
        report: Report,
        key: dict[str, str],
        row: dict[str, Any],
        result: dict[str, Any],
        flat: list[dict[str, Any]],
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
        before = decoded(old.result)  # an older release's row may not decode: then it is replaced, as revised
        revised = before is None or not keeps(before, self.result)
        replaced = {
            "result": old.result,
            "fetched_at": old.fetched_at,
            "fetched_on": old.fetched_on,
            "revised": revised,
        }
        connection.execute(
            self.tables.revisions.insert().values(
                **self.key, **replaced, replaced_at=datetime.now(timezone.utc).replace(tzinfo=None)
            )
        )
        return "revised" if revised else "refreshed"

    def _locked(self, connection: Connection) -> Any:
        """The stored row, locked until the transaction ends (SQLite's write lock is already held)."""
        results = self.tables.results
        query = select(results.c.result, results.c.fetched_at, results.c.fetched_on, results.c.fetches)
        query = query.where(*(results.c[name] == value for name, value in self.key.items())).with_for_update()
        return connection.execute(query).first()


def _between(query: Any, results: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        query = query.where(results.c.begin_date >= f"{since:%Y%m%d}")
    if until is not None:
        query = query.where(results.c.end_date <= f"{until:%Y%m%d}")
    return query
