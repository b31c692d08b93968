"""Every run in the ledger says which WeChat it asked (``base_url``), on SQLite, PostgreSQL and
MariaDB: the CLI's runs, the function's (one app, several apps) and what the ``provenance``
revision does to an archive recorded before it (its runs keep an empty ``base_url``).

Only ``scheme://host[:port]`` is kept: never the path, query string or userinfo of
``WX_API_BASE_URL``, so the ledger stays as safe to read as the function's log line.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from wxcloud.archive import Ledger
from wxcloud.archive.cli.main import main
from wxcloud.archive.observe.ledger import base_url_of
from wxcloud.archive.store import schema

from devtools.archive_tables import drop_tables
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator
from tests.support.archive import MONTHLY, Db, function, timer
from tests.support.leaks import LogCapture
from tests.support.released import structure

FIRED = "2026-11-02T03:30:00Z"
UPGRADE_LOG = "Running upgrade fanout -> provenance"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("", "https://api.weixin.qq.com"),  # unset: WeChat's own
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("HTTPS://Gateway.Example.COM:8443/wechat/v1", "https://gateway.example.com:8443"),
        ("https://user:pa55word@gateway.example.com/x?key=s3cret#frag", "https://gateway.example.com"),
        ("http://[::1]:9000/", "http://[::1]:9000"),
        ("ftp://files.example.com", None),
        ("not a url", None),
        ("http://127.0.0.1:99999", None),  # a port that is no port: the run fails on it before any call
    ],
)
def test_the_base_url_kept_is_scheme_host_and_port_only(given: str, kept: str | None) -> None:
    assert base_url_of(given) == kept


def test_a_cli_run_records_the_wechat_it_asked(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WX_API_BASE_URL", f"{emulator.url}/")
    out, err = io.StringIO(), io.StringIO()
    assert (
        main(["backfill", "--since", "20250101", "--until", "20250228", "--api", MONTHLY], stdout=out, stderr=err) == 0
    ), err.getvalue()
    run = Ledger(db.archive()).last(DEFAULT_APPID)
    assert run is not None and run.trigger == "cli" and run.outcome == "complete"
    assert run.base_url == emulator.url.rstrip("/") and run.base_url.startswith("http://127.0.0.1:")
    assert run.to_json()["baseUrl"] == run.base_url


def test_a_function_run_records_the_wechat_it_asked(db: Db, emulator: WeChatEmulator) -> None:
    """One app (WX_APPID) and several apps (WX_ARCHIVE_APPS: a row per app, each with it)."""
    env = {**db.env(), "WX_ARCHIVE_APIS": MONTHLY, "WX_ARCHIVE_SINCE": "20260101", "WX_API_BASE_URL": emulator.url}
    answer = function(env, wall_clock=datetime(2026, 11, 2, 3, 30, tzinfo=timezone.utc).timestamp)(
        timer(FIRED), {"time_limit_in_ms": 60_000}
    )
    assert answer["errCode"] == 0, answer
    apps = {DEFAULT_APPID: DEFAULT_SECRET, "wxsecondapp0000001": "s" * 32}
    several = {**env, "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": json.dumps(apps)}
    function(several, wall_clock=datetime(2026, 11, 2, 3, 30, tzinfo=timezone.utc).timestamp)(
        timer(FIRED), {"time_limit_in_ms": 60_000}
    )
    runs = Ledger(db.archive()).runs()
    assert len(runs) == 3 and {run.trigger for run in runs} == {"timer"}
    assert {run.appid for run in runs} == {DEFAULT_APPID, "wxsecondapp0000001"}
    assert {run.base_url for run in runs} == {emulator.url}


@pytest.mark.parametrize("state", ["at fanout", "column added, version not stamped"])
def test_the_provenance_revision_keeps_the_runs_recorded_before_it(
    db: Db, emulator: WeChatEmulator, no_secrets_in_logs: LogCapture, state: str
) -> None:
    """An archive the previous release (at ``fanout``) wrote, with a run in its ledger; and what a
    MySQL or MariaDB upgrade leaves when it stops after its ALTER TABLE (which commits on its own).
    Either is upgraded in place: the old run keeps its row with an empty ``base_url``, the next
    run records its own, and the table is the one a new archive gets."""
    db.archive().ensure_schema()
    engine = create_engine(db.url)
    try:
        with engine.begin() as connection:
            if state == "at fanout":
                connection.execute(text(f"ALTER TABLE {db.prefix}run DROP COLUMN base_url"))
            connection.execute(
                text(
                    f"INSERT INTO {db.prefix}run (appid, run_trigger, today, started_at, ended_at, outcome) "
                    f"VALUES ('{DEFAULT_APPID}', 'timer', '20261101', '2026-11-01 03:30:00', '2026-11-01 03:31:00', "
                    "'complete')"
                )
            )
            connection.execute(text(f"UPDATE {schema.version_table(db.prefix)} SET version_num = 'fanout'"))
    finally:
        engine.dispose()

    archive = db.archive()
    archive.ensure_schema()
    assert sum(record.getMessage().startswith(UPGRADE_LOG) for record in no_secrets_in_logs.records) == 1
    (before,) = Ledger(archive).runs()
    assert (before.today, before.outcome, before.base_url, before.to_json()["baseUrl"]) == (
        "20261101",
        "complete",
        None,
        None,
    )
    run = Ledger(archive).start([DEFAULT_APPID], trigger="cli", today=None, base_url=emulator.url)[DEFAULT_APPID]
    assert Ledger(archive).runs()[0].id == run and Ledger(archive).runs()[0].base_url == emulator.url

    fresh = Db(db.kind, db.url, f"{db.prefix}new_", db.password)
    try:
        fresh.archive().ensure_schema()
        engine = create_engine(db.url)
        try:
            assert structure(engine, db.prefix) == structure(engine, fresh.prefix)
            with engine.connect() as connection:
                assert schema.revision(connection, db.prefix) == schema.HEAD == "window"
        finally:
            engine.dispose()
    finally:
        for opened in fresh.opened:
            opened.close()
        drop_tables(db.url, fresh.prefix)
