"""The archive's database: a SQLAlchemy engine from a URL, errors that never show its password.

A URL carries the database password, and both SQLAlchemy and the drivers quote what they were
given in their exception texts (an unparsable URL is repeated whole), keep it in exception
frames' local variables, and chain one exception to the next. So every failure here becomes a
``ConfigurationError`` (-601001) built from safe parts only: the URL rendered with
``render_as_string(hide_password=True)``, the driver's message with the password masked, and it
is raised *outside* the ``except`` block that caught the original, so neither ``__cause__`` nor
``__context__`` keeps the driver's exception (and its frames) attached.

Pools are small on purpose: every SCF instance holds its own connections, and a TencentDB
instance allows a few hundred in all. One connection, one more under concurrent stores; checked
before use (``pool_pre_ping``), since a warm instance may find its connection closed by the server.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import StaticPool

from ... import paths
from ...errors import ConfigurationError
from ...extras import install_line
from ...variables import WX_ARCHIVE_URL
from ..errors import DatabaseUnreachable

SUPPORTED = "sqlite:///path/file.sqlite3, postgresql+psycopg://user:password@host:5432/db or mysql+pymysql://user:password@host:3306/db"

# The drivers the `archive` extra installs, used when a URL names a backend without a driver
# (postgresql:// would otherwise mean psycopg2, mysql:// mysqlclient, neither installed).
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
_BACKENDS = ("sqlite", "postgresql", "mysql", "mariadb")

CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server is reported within this, not after the function's time limit
QUERY_TIMEOUT_SECONDS = 30
SQLITE_BUSY_SECONDS = 30  # another process writing the same file: wait for it rather than fail


def parse_url(text: str, source: str = WX_ARCHIVE_URL.name) -> URL:
    """The URL, with a default driver filled in, or a -601001 that does not repeat ``text``."""
    url: URL | None
    try:
        url = make_url(text)
    except (ArgumentError, ValueError, TypeError):
        url = None
    scheme = text.partition("://")[0] if "://" in text else ""
    del text  # not in this frame's locals when the error below is raised
    if url is None:
        shown = f" (it starts with {scheme!r}://)" if re.fullmatch(r"[A-Za-z0-9+_.-]{1,40}", scheme) else ""
        raise ConfigurationError(f"{source} is not a SQLAlchemy database URL{shown}; use one such as {SUPPORTED}")
    if url.get_backend_name() not in _BACKENDS:
        raise ConfigurationError(
            f"{source} names the database {url.get_backend_name()!r}; the archive supports {SUPPORTED}"
        )
    if url.drivername in _DEFAULT_DRIVERS:
        url = url.set(drivername=_DEFAULT_DRIVERS[url.drivername])
    return url


def shown(url: URL) -> str:
    """The URL as errors and logs may show it."""
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The absolute path of a SQLite file database (None: another database, or one in memory)."""
    if url.get_backend_name() != "sqlite" or (url.database or "") in {"", ":memory:"}:
        return None
    return paths.absolute(url.database or "")


def sqlite_has_table(path: Path, name: str) -> bool | None:
    """Whether the SQLite file at ``path`` has table ``name``, asked on a read-only connection
    that changes nothing in it (not even its journal mode); None when it cannot be read so."""
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_SECONDS)
    except sqlite3.Error:
        return None
    try:
        return (
            connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
            is not None
        )
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def create(url: URL, *, read_only: bool = False) -> Engine:
    """An engine with small pools and bounded waits; no connection is made yet. ``read_only``:
    a SQLite file's folder is not created (a reading command makes nothing on disk)."""
    backend = url.get_backend_name()
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 280}
    if backend == "sqlite":
        database = url.database or ""
        if database in {
            "",
            ":memory:",
        }:  # one connection shared by every thread, or each thread would see its own empty database
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            path = paths.absolute(database)
            unusable = paths.sqlite_problem(path)
            if unusable is None and not read_only:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    unusable = f"its folder cannot be created ({type(exc).__name__}: {exc.strerror})"
            if unusable is not None:
                raise ConfigurationError(
                    f"the SQLite archive {paths.shown(path)} cannot be used: {unusable}; "
                    "set WX_ARCHIVE_SQLITE or WX_ARCHIVE_URL to a writable place"
                )
            options.update(
                pool_size=1, max_overflow=1, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
            )
    else:
        options.update(pool_size=1, max_overflow=1, pool_timeout=QUERY_TIMEOUT_SECONDS)
        if url.get_driver_name() == "psycopg":
            options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        elif url.get_driver_name() == "pymysql":
            options["connect_args"] = {
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "read_timeout": QUERY_TIMEOUT_SECONDS,
                "write_timeout": QUERY_TIMEOUT_SECONDS,
            }
    problem: str | None = None
    try:
        engine = create_engine(url, **options)
    except (NoSuchModuleError, ImportError) as exc:  # a driver that is not installed
        problem = (
            f"{shown(url)} needs a database driver that is not installed ({type(exc).__name__}: "
            f"{without_password(str(exc), url)[:120]})"
        )
    except (ArgumentError, TypeError) as exc:
        problem = f"{shown(url)} cannot be used: {without_password(str(exc), url)[:200]}"
    if problem is not None:
        raise ConfigurationError(
            f"{problem}; use one of {SUPPORTED}, whose drivers the 'archive' extra brings: {install_line('archive')}"
        )
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


WRITE = "wxcloud_archive_write"  # execution option of a connection that is about to write


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Transactions are ours to begin (SQLAlchemy's recipe for pysqlite, whose own BEGIN comes
    late and never before DDL), and WAL lets readers go on while one run writes."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # noqa: S110 - a read-only or in-memory database keeps its journal mode
        pass
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """A writing transaction takes SQLite's write lock at once (``BEGIN IMMEDIATE``): two runs
    creating the tables or storing a period queue up on the busy timeout, where a deferred
    transaction would read first and then fail to upgrade (or create a table the other just made)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE) else "BEGIN")


def without_password(text: str, url: URL) -> str:
    """``text`` with the URL's password (as given, and URL-encoded) replaced by ***."""
    password = url.password
    if password:
        secret = str(password)
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            if form:
                text = text.replace(form, "***")
    return text


def describe(exc: BaseException, url: URL) -> str:
    """A database failure in one line: the driver's own message (password masked), not
    SQLAlchemy's text, which appends the statement and its parameters."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    message = without_password(" ".join(lines[:2]), url) if lines else type(original).__name__
    return f"{type(original).__name__}: {message[:300]}"


# Deadlock and serialization failures: the database undid the transaction, which can simply run again.
_CONFLICT_SQLSTATES = {"40001", "40P01"}  # PostgreSQL
_CONFLICT_ERRNOS = {1213, 1205}  # MySQL / MariaDB: deadlock, lock wait timeout


def conflicting(exc: BaseException) -> bool:
    """Whether ``exc`` is a write that met another transaction's and was undone: worth repeating."""
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) in _CONFLICT_SQLSTATES:
        return True
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int) and args[0] in _CONFLICT_ERRNOS:
        return True
    return "database is locked" in str(original or "")


# A row the database will not hold (a value out of its range or its character set, too long, against
# a constraint): the failure of the period it belongs to, not of the database, which takes other rows.
_REFUSED_SQLSTATE_CLASSES = {
    "22",
    "23",
    "54",
}  # PostgreSQL: data exception, integrity constraint violation, program limit exceeded
_REFUSED_ERRNOS = {  # MySQL / MariaDB (PyMySQL raises several of these as OperationalError)
    1048,  # column cannot be null
    1062,  # duplicate entry
    1153,  # packet bigger than max_allowed_packet
    1264,
    1690,  # out of range value
    1265,
    1292,  # data truncated, incorrect value
    1300,
    1366,
    1977,  # invalid character string, incorrect string value, character the column's charset lacks
    1367,  # illegal value
    1406,  # data too long
    1451,
    1452,  # foreign key
    3140,
    4038,  # invalid JSON text (MySQL, MariaDB)
    3819,
    4025,  # check constraint failed (MySQL, MariaDB)
}


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the database (or its driver, while binding the values) refusing the rows
    of one write, as opposed to the database failing: a connection lost or refused, a table
    missing, privileges, a deadlock are not refusals."""
    if isinstance(exc, (DataError, IntegrityError, UnicodeError, OverflowError)):
        return True
    original = getattr(exc, "orig", None)
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate[:2] in _REFUSED_SQLSTATE_CLASSES:
        return True
    args: tuple[Any, ...] = getattr(original, "args", ())
    return bool(args) and isinstance(args[0], int) and args[0] in _REFUSED_ERRNOS


def unreachable(exc: SQLAlchemyError, url: URL) -> ConfigurationError:
    """The error for a database that cannot be used; raise it outside the ``except`` block."""
    kind = DatabaseUnreachable if isinstance(exc, OperationalError) else ConfigurationError
    return kind(
        f"the archive database {shown(url)} cannot be used: {describe(exc, url)}; check the URL, that the server is up "
        "and reachable from the function (same VPC), the user's password and privileges "
        "(CREATE TABLE, CREATE VIEW and ALTER TABLE on first use, then SELECT, INSERT, UPDATE and DELETE)"
    )
