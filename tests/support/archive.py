"""The archive's world for its tests: a real database of each kind, a fresh set of tables per test
(the fixtures ``db`` and ``sqlite_db`` of tests/conftest.py give them), the function as deployed,
its CLI, and WeCom's answer to its alerts.

SQLite always; PostgreSQL (127.0.0.1:5432, user postgres, database test) and MariaDB
(127.0.0.1:3306, root, database test) for real. Each test gets tables of its own (a random prefix)
and drops them afterwards, so parallel runs never collide. A server that cannot be reached fails
the test with a message saying so; ``WX_TEST_SKIP_SERVERS=1`` turns that into a visible skip.

The URLs carry a password (PostgreSQL's trust login ignores it; MariaDB gets a user with it), so
every test also checks that the password never reaches an answer, a log line or an exception.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from werkzeug import Request, Response
from wxcloud.archive import Archive, ArchiveFunction
from wxcloud.archive.cli.main import main

from devtools.archive_tables import drop_tables
from tests.support.checkout import ROOT

CONFIG = ROOT / "functions" / "archiveAnalysis" / "config.json"
DB_PASSWORD = "Arch1ve-pw-" + secrets.token_hex(6)  # a throwaway password for the test user
PG_URL = f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:5432/test"
# A user of this session's own: test sessions running at once (developers' and CI's) on the same
# server must not reset each other's password.
MARIADB_USER = "wxarchive_" + secrets.token_hex(4)
MARIADB_URL = f"mysql+pymysql://{MARIADB_USER}:{DB_PASSWORD}@127.0.0.1:3306/test"
MONTHLY = "analysis.getMonthlyVisitTrend"
MONTHLY_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"
HOOK_PATH = "/cgi-bin/webhook/send"  # WeCom's group robot webhook, where the alerts are posted


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


def function(environ: dict[str, str], **options: Any) -> ArchiveFunction:
    """The deployed function, with the real config.json, reading as its environment the one SCF
    would give it (``function_environment``: the WeChat credentials) with ``environ`` over it."""
    return ArchiveFunction((CONFIG,), environ={**os.environ, **environ}, **options)


def timer(time: str) -> dict[str, Any]:
    return {"Type": "Timer", "TriggerName": "daily", "Time": time, "Message": ""}


def cli(monkeypatch: pytest.MonkeyPatch, db: Db, *args: str) -> tuple[int, str, str]:
    """The archive's CLI run in-process on ``db``: its exit code, stdout and stderr (never the password)."""
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert DB_PASSWORD not in text
    return code, out.getvalue(), err.getvalue()


def tally(periods: int = 10, **counts: Any) -> dict[str, Any]:
    """One report's tally in a run's answer: ``counts`` over zeros, and what is not counted otherwise stored."""
    data: dict[str, Any] = {
        "periods": periods,
        "stored": 0,
        "refreshed": 0,
        "revised": 0,
        "upToDate": 0,
        "notReady": 0,
        "stoppedByQuota": 0,
        "deferred": 0,
        "leftForLater": 0,
        "failed": 0,
    }
    data.update(counts)
    if "stored" not in counts:
        data["stored"] = periods - sum(v for k, v in counts.items() if isinstance(v, int))
    return data


def wecom_ok(request: Request) -> Response:
    """WeCom's answer to a message it accepted."""
    return Response(json.dumps({"errcode": 0, "errmsg": "ok"}), content_type="application/json")
