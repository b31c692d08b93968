"""Shared fixtures of the archive tests: a real database of each kind, a fresh set of tables per test.

SQLite always; PostgreSQL (127.0.0.1:5432, user postgres, database test) and MariaDB
(127.0.0.1:3306, root, database test) for real. Each test gets tables of its own (a random prefix)
and drops them afterwards, so parallel runs never collide. A server that cannot be reached fails
the test with a message saying so; ``WX_TEST_SKIP_SERVERS=1`` turns that into a visible skip.

The URLs carry a password (PostgreSQL's trust login ignores it; MariaDB gets a user with it), so
every test also checks that the password never reaches an answer, a log line or an exception.
"""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import watch_answers
from sqlalchemy import create_engine, text
from wxcloud.archive import Archive, ArchiveFunction

from devtools.archive_tables import drop_tables
from devtools.wechat_emulator import DEFAULT_SECRET, WeChatEmulator

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "functions" / "archiveAnalysis" / "config.json"
DB_PASSWORD = "Arch1ve-pw-" + secrets.token_hex(6)  # a throwaway password for the test user
PG_URL = f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:5432/test"
# A user of this session's own: test sessions running at once (developers' and CI's) on the same
# server must not reset each other's password.
MARIADB_USER = "wxarchive_" + secrets.token_hex(4)
MARIADB_URL = f"mysql+pymysql://{MARIADB_USER}:{DB_PASSWORD}@127.0.0.1:3306/test"
MONTHLY = "analysis.getMonthlyVisitTrend"
MONTHLY_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"


def _drop_mariadb_user() -> None:
    try:
        admin = create_engine("mysql+pymysql://root@127.0.0.1:3306/test", connect_args={"connect_timeout": 3})
        with admin.begin() as connection:
            for host in ("127.0.0.1", "localhost", "%"):
                connection.execute(text(f"DROP USER IF EXISTS '{MARIADB_USER}'@'{host}'"))
        admin.dispose()
    except Exception:
        pass


@dataclass(frozen=True)
class Db:
    kind: str
    url: str
    prefix: str
    password: str | None

    opened: list[Archive] = field(default_factory=list, compare=False, repr=False)

    def archive(self, **options: Any) -> Archive:
        archive = Archive(self.url, prefix=self.prefix, **options)
        self.opened.append(archive)  # closed before the tables are dropped, even when a test fails
        return archive

    def env(self) -> dict[str, str]:
        return {"WX_ARCHIVE_URL": self.url, "WX_ARCHIVE_TABLE_PREFIX": self.prefix}

    def scalar(self, sql: str) -> Any:
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def rows(self, sql: str) -> list[Any]:
        """Every row ``sql`` selects, on a connection of its own (``{prefix}`` in it: this test's tables)."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(sql.replace("{prefix}", self.prefix))).all())
        finally:
            engine.dispose()


_ready: dict[str, str | None] = {}  # kind -> why it cannot be used (None: usable)


def _prepare(kind: str) -> str | None:
    """Connect once per session (and give MariaDB its password user); the problem, if any."""
    if kind in _ready:
        return _ready[kind]
    problem = None
    try:
        if kind == "mariadb":
            admin = create_engine("mysql+pymysql://root@127.0.0.1:3306/test", connect_args={"connect_timeout": 3})
            with admin.begin() as connection:
                for host in ("127.0.0.1", "localhost", "%"):
                    connection.execute(text(f"CREATE USER IF NOT EXISTS '{MARIADB_USER}'@'{host}'"))
                    connection.execute(
                        text(f"ALTER USER '{MARIADB_USER}'@'{host}' IDENTIFIED BY :password"), {"password": DB_PASSWORD}
                    )
                    connection.execute(text(f"GRANT ALL PRIVILEGES ON test.* TO '{MARIADB_USER}'@'{host}'"))
            admin.dispose()
            atexit.register(_drop_mariadb_user)
            url = MARIADB_URL
        else:
            url = PG_URL
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        problem = f"{type(exc).__name__}: {str(exc).replace(DB_PASSWORD, '***').splitlines()[0][:200]}"
    _ready[kind] = problem
    return problem


def make_db(kind: str, tmp_path: Path) -> Iterator[Db]:
    prefix = f"wxt{secrets.token_hex(4)}_"
    if kind == "sqlite":
        db = Db(kind, f"sqlite:///{tmp_path / 'archive.sqlite3'}", prefix, None)
        yield db
        for archive in db.opened:
            archive.close()
        return
    problem = _prepare(kind)
    if problem is not None:
        where = (
            "PostgreSQL at 127.0.0.1:5432 (user postgres, db test)"
            if kind == "postgresql"
            else "MariaDB at 127.0.0.1:3306 (root, db test)"
        )
        message = f"{where} is not reachable ({problem})"
        if os.environ.get("WX_TEST_SKIP_SERVERS") == "1":
            pytest.skip(f"{message}; skipped because WX_TEST_SKIP_SERVERS=1")
        pytest.fail(f"{message}; start it, or set WX_TEST_SKIP_SERVERS=1 to skip the server tests")
    db = Db(kind, PG_URL if kind == "postgresql" else MARIADB_URL, prefix, DB_PASSWORD)
    yield db
    for archive in db.opened:
        archive.close()
    drop_tables(db.url, prefix)


@pytest.fixture(name="db", params=["sqlite", "postgresql", "mariadb"])
def db_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    yield from make_db(request.param, tmp_path)


@pytest.fixture(name="sqlite_db")
def sqlite_db_fixture(tmp_path: Path) -> Iterator[Db]:
    yield from make_db("sqlite", tmp_path)


@pytest.fixture(autouse=True)
def no_db_password_anywhere(
    no_secrets_in_logs: Any, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Every archive answer and error, and every log line, is checked for the database password;
    the answers also for the appsecret and every token the emulator issued (the suite's own watch
    covers the logs and the single-API functions' answers)."""
    seen = watch_answers(monkeypatch, ArchiveFunction)
    yield seen
    texts = [*seen, *no_secrets_in_logs.texts]
    leaks = [text for text in texts if DB_PASSWORD in text]
    assert not leaks, f"database password in an answer or a log: {leaks[:2]}"
    wechat_secrets = [DEFAULT_SECRET, *emulator.issued_tokens]
    leaks = [text for text in seen for secret in wechat_secrets if secret in text]
    assert not leaks, f"appsecret or token in an archive answer: {leaks[:2]}"


def frames_locals_text(exc: BaseException) -> str:
    """Every local variable of every frame of ``exc``'s traceback (but the catching test's own) and
    of the exceptions chained to it."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        if current is exc and tb is not None:
            tb = tb.tb_next  # the test's frame, which holds the URL it passed
        while tb is not None:
            parts.extend(f"{name}={value!r}" for name, value in tb.tb_frame.f_locals.items())
            tb = tb.tb_next
        parts.append(str(current))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def function(environ: dict[str, str], **options: Any) -> ArchiveFunction:
    """The deployed function, with the real config.json, reading as its environment the one SCF
    would give it (``function_environment``: the WeChat credentials) with ``environ`` over it."""
    return ArchiveFunction((CONFIG,), environ={**os.environ, **environ}, **options)


def timer(time: str) -> dict[str, Any]:
    return {"Type": "Timer", "TriggerName": "daily", "Time": time, "Message": ""}
