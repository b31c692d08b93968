"""The upgrade in place of an archive the released code wrote, on SQLite, PostgreSQL and MariaDB.

Every test starts from what users have: the first release's own code (commit ``ae57950``, taken
from the repository's history with ``git archive``) run as a program against the WeChat emulator,
backfilling all ten reports into the test's database and prefix. Then the timestamps of some
retention periods are set as a daily timer would have stored them (the morning after the period,
before WeChat could know every key) and of others as a late backfill would (long after), and this
release's ``Archive.ensure_schema`` upgrades the tables: no row lost or changed, the new columns
filled, ``settled`` false exactly for the periods fetched before they settled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy import column as column_of
from sqlalchemy import table as table_of
from wxcloud import ConfigurationError
from wxcloud.archive import plan
from wxcloud.archive.store import schema
from wxcloud.archive.store.tables import Tables
from wxcloud.archive.store.views import views_present

from devtools.archive_tables import drop_tables
from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator
from tests.support.archive import DB_PASSWORD, Db, function, timer
from tests.support.checkout import ROOT
from tests.support.leaks import LogCapture
from tests.support.released import BEIJING, UNKNOWN, released_tables, structure

RELEASED = "ae57950"  # the release whose archives this one upgrades
SINCE, UNTIL = "20250901", "20251031"  # 61 days, 8 weeks, 2 months of all ten reports: 386 results
DAILY, WEEKLY, MONTHLY = "analysis.getDailyRetain", "analysis.getWeeklyRetain", "analysis.getMonthlyRetain"
STORED = 61 * 6 + 8 * 2 + 2 * 2  # what the released backfill stores of SINCE..UNTIL
UPGRADE_LOG = "Running upgrade released -> settling"
FIRED = "2026-11-02T03:30:00Z"  # a daily timer's time

Key = tuple[str, str, str, str]  # appid, api, begin_date, end_date


def key(api: str, begin: str, end: str) -> Key:
    return (DEFAULT_APPID, api, begin, end)


def utc(beijing: datetime) -> datetime:
    """The naive UTC time the archive stores for a Beijing wall-clock time."""
    return beijing - BEIJING


def day(text_: str) -> date:
    return datetime.strptime(text_, "%Y%m%d").date()


def at(when: date, hour: int, minute: int = 0) -> datetime:
    return datetime(when.year, when.month, when.day, hour, minute)


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The released library, ``<tmp>/shared/wxcloud``, from the repository's history."""
    where = tmp_path_factory.mktemp("released")
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{RELEASED}^{{commit}}"], capture_output=True, check=False
    )
    if found.returncode != 0:
        pytest.fail(
            f"commit {RELEASED} (the released archive) is not in {ROOT}'s history: these tests need a clone with its "
            "history"
        )
    tree = subprocess.run(
        ["git", "-C", str(ROOT), "archive", RELEASED, "shared/wxcloud"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(where)], input=tree.stdout, check=True)
    return where / "shared"


def released_backfill(
    released: Path, db: Db, emulator: WeChatEmulator, since: str, until: str, *apis: str
) -> dict[str, Any]:
    """``python -m wxcloud.archive backfill`` of the released code (and only it on the path)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(released),
        "WX_APPID": DEFAULT_APPID,
        "WX_APPSECRET": DEFAULT_SECRET,
        "WX_API_BASE_URL": emulator.url,
        **db.env(),
    }
    command = [sys.executable, "-m", "wxcloud.archive", "backfill", "--since", since, "--until", until]
    command += [part for api in apis for part in ("--api", api)]
    done = subprocess.run(
        command, env=env, cwd=released.parent, capture_output=True, text=True, timeout=300, check=False
    )
    assert DB_PASSWORD not in done.stdout + done.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


@dataclass
class Legacy:
    """An archive as the released code left it, and what the upgrade must make of it."""

    engine: Engine
    prefix: str
    before: dict[str, list[tuple[Any, ...]]]  # every table's rows, as the released code wrote them
    unsettled: set[Key]  # the retention periods fetched before they could be complete


@pytest.fixture(name="legacy")
def legacy_fixture(db: Db, released: Path, emulator: WeChatEmulator) -> Iterator[Legacy]:
    summary = released_backfill(released, db, emulator, SINCE, UNTIL)
    stored = {name: (api["stored"], api.get("stopped")) for name, api in summary["apis"].items()}
    assert sum(count for count, _ in stored.values()) == STORED, json.dumps(stored)
    engine = create_engine(db.url)
    try:
        columns = {column["name"] for column in inspect(engine).get_columns(f"{db.prefix}result")}
        assert columns == {"appid", "api", "begin_date", "end_date", "result", "fetched_at"}, (
            "not the released code's results table"
        )
        assert not inspect(engine).has_table(schema.version_table(db.prefix))
        unsettled = age(engine, db.prefix)
        yield Legacy(engine, db.prefix, snapshot(engine, db.prefix), unsettled)
    finally:
        engine.dispose()


def age(engine: Engine, prefix: str) -> set[Key]:
    """Give some results the fetch times a daily timer or a late backfill would have given them
    (the released backfill stored all of them now), and add one of a report this release does not
    archive; the keys that must come out unsettled."""
    results = table_of(
        f"{prefix}result",
        *(column_of(name, String()) for name in ("appid", "api", "begin_date", "end_date")),
        column_of("fetched_at", DateTime()),
    )
    fetched: dict[Key, datetime] = {}
    unsettled: set[Key] = set()
    for offset in range(10):  # 1..10 September, by the timer the morning after: only key 0 known
        first = day(SINCE) + timedelta(days=offset)
        period = key(DAILY, f"{first:%Y%m%d}", f"{first:%Y%m%d}")
        fetched[period] = utc(at(first + timedelta(days=1), 3))  # 19:00 UTC the day before: the Beijing day counts
        unsettled.add(period)
    fetched[key(DAILY, "20250911", "20250911")] = utc(at(date(2025, 10, 11), 23, 30))  # D+30, the day before it settles
    unsettled.add(key(DAILY, "20250911", "20250911"))
    fetched[key(DAILY, "20250912", "20250912")] = utc(
        at(date(2025, 10, 13), 0, 30)
    )  # D+31 in Beijing, still D+30 in UTC
    for offset in range(13, 16):  # a late backfill
        fetched[key(DAILY, f"202509{offset}", f"202509{offset}")] = datetime(2025, 12, 31, 10)
    for begin, end in (("20250901", "20250907"), ("20250908", "20250914")):  # weekly, the Monday after
        fetched[key(WEEKLY, begin, end)] = utc(at(day(end) + timedelta(days=1), 8))
        unsettled.add(key(WEEKLY, begin, end))
    fetched[key(WEEKLY, "20250915", "20250921")] = utc(at(date(2025, 10, 20), 10))  # end + 4 weeks + 1 day: settled
    fetched[key(WEEKLY, "20250922", "20250928")] = utc(at(date(2025, 10, 26), 10))  # a day short of that
    unsettled.add(key(WEEKLY, "20250922", "20250928"))
    fetched[key(MONTHLY, "20250901", "20250930")] = utc(at(date(2025, 10, 1), 9))  # before October was over
    unsettled.add(key(MONTHLY, "20250901", "20250930"))
    fetched[key(MONTHLY, "20251001", "20251031")] = utc(at(date(2025, 12, 1), 9))  # once November was: settled
    fetched[key("analysis.getDailyVisitTrend", "20250901", "20250901")] = utc(
        at(date(2025, 9, 2), 3)
    )  # whole when first answered
    fetched[key("analysis.getDailySummary", "20250902", "20250902")] = utc(at(date(2025, 9, 3), 1))
    with engine.begin() as connection:
        for (appid, api, begin, end), when in fetched.items():
            changed = connection.execute(
                update(results)
                .where(
                    results.c.appid == appid,
                    results.c.api == api,
                    results.c.begin_date == begin,
                    results.c.end_date == end,
                )
                .values(fetched_at=when)
            )
            assert changed.rowcount == 1, (api, begin, end)
        connection.execute(
            text(
                f"INSERT INTO {prefix}result (appid, api, begin_date, end_date, result, fetched_at) VALUES (:appid, "
                ":api, :b, :e, :r, :at)"
            ),
            {
                "appid": DEFAULT_APPID,
                "api": UNKNOWN,
                "b": "20250901",
                "e": "20250901",
                "r": '{"list":[]}',
                "at": utc(at(date(2025, 9, 2), 3)),
            },
        )
    return unsettled


def snapshot(engine: Engine, prefix: str) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in released_tables(prefix)
        }


def assert_upgraded(legacy: Legacy) -> None:
    """Nothing the released code wrote changed or went missing, and the new columns are filled."""
    after = snapshot(legacy.engine, legacy.prefix)
    for name, rows in legacy.before.items():
        assert len(after[name]) == len(rows), name
        assert after[name] == rows, f"{name} changed"
    assert len(after[f"{legacy.prefix}result"]) == STORED + 1  # and the unknown report's
    assert all(len(rows) > 0 for rows in after.values())
    results = Tables.build(legacy.prefix).results
    with legacy.engine.connect() as connection:
        rows = connection.execute(select(results).order_by(*results.primary_key.columns)).all()
        assert schema.revision(connection, legacy.prefix) == schema.HEAD
        versions = (
            connection.execute(text(f"SELECT version_num FROM {schema.version_table(legacy.prefix)}")).scalars().all()
        )
    assert versions == [schema.HEAD]
    for row in rows:
        assert row.fetched_on == f"{row.fetched_at + BEIJING:%Y%m%d}", row
        assert row.fetches == 1
    unsettled = {(row.appid, row.api, row.begin_date, row.end_date) for row in rows if row.settled is False}
    assert all(row.settled in (True, False) for row in rows)
    assert unsettled == legacy.unsettled
    assert any(row.api == UNKNOWN and row.settled for row in rows)
    tables = set(inspect(legacy.engine).get_table_names())
    assert {f"{legacy.prefix}revision", f"{legacy.prefix}run"} <= tables


def statements(engine: Engine) -> list[str]:
    """Every statement ``engine`` sends from now on."""
    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return sent


def upgrade_runs(capture: LogCapture) -> int:
    return sum(record.getMessage().startswith(UPGRADE_LOG) for record in capture.records)


@pytest.mark.slow
def test_an_archive_the_released_code_wrote_is_upgraded_in_place(
    db: Db, legacy: Legacy, released: Path, emulator: WeChatEmulator, no_secrets_in_logs: LogCapture
) -> None:
    archive = db.archive()
    archive.ensure_schema()
    assert upgrade_runs(no_secrets_in_logs) == 1
    assert_upgraded(legacy)
    assert archive.count(DEFAULT_APPID) == STORED + 1  # and this release reads it
    assert (
        archive.load(DEFAULT_APPID, DAILY, plan.periods(DAILY, day("20250901"), until=day("20250901"))[0]) is not None
    )
    from wxcloud.archive.plan.window import kept_since

    assert kept_since(archive, [DEFAULT_APPID]) == day(SINCE)  # its window: where the runs that filled it began

    again = db.archive()  # another instance's first use: finds the head, changes nothing
    sent = statements(again.engine)
    again.ensure_schema()
    assert sent, "the second ensure_schema sent nothing: the statement watch is broken"
    assert not [
        s for s in sent if s.lstrip().split()[0].upper() in {"CREATE", "ALTER", "INSERT", "UPDATE", "DELETE", "DROP"}
    ], sent
    assert upgrade_runs(no_secrets_in_logs) == 1
    assert_upgraded(legacy)

    fresh = f"{db.prefix}new_"  # the same tables, created new: an upgraded archive must not differ from one
    db_fresh = Db(db.kind, db.url, fresh, db.password)
    try:
        db_fresh.archive().ensure_schema()
        assert structure(legacy.engine, db.prefix) == structure(legacy.engine, fresh)
    finally:
        for opened in db_fresh.opened:
            opened.close()
        drop_tables(db.url, fresh)

    # The released code still runs on the upgraded tables (instances of it may still be warm when
    # this release is deployed, and it is what a rollback would deploy).
    summary = released_backfill(released, db, emulator, "20251101", "20251130", "analysis.getMonthlyVisitTrend")
    assert summary["apis"]["analysis.getMonthlyVisitTrend"]["stored"] == 1
    assert archive.count(DEFAULT_APPID) == STORED + 2


@pytest.mark.slow
@pytest.mark.parametrize("start", ["released", "stamped halfway"])
def test_two_instances_upgrading_at_once_both_succeed(
    db: Db, legacy: Legacy, no_secrets_in_logs: LogCapture, start: str
) -> None:
    """Two SCF instances' first runs after the deployment: one upgrades, the other waits for it
    and finds the head; neither fails, and the upgrade runs once. Also from a version table that
    is there already (as every later upgrade starts): on MySQL and MariaDB, a read of it before
    the lock would fix the waiting instance's snapshot, and it would see the old version after."""
    if start == "stamped halfway":
        stop_halfway(legacy)
    archives = [db.archive() for _ in range(2)]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def first_use(archive: Any) -> None:
        try:
            start.wait(timeout=30)
            archive.ensure_schema()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first_use, args=(archive,)) for archive in archives]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert upgrade_runs(no_secrets_in_logs) == 1
    assert_upgraded(legacy)


@pytest.mark.slow
def test_an_upgrade_stopped_halfway_is_finished_by_the_next_run(
    db: Db, legacy: Legacy, no_secrets_in_logs: LogCapture
) -> None:
    """What a MySQL or MariaDB upgrade leaves when its instance dies halfway (each DDL statement
    there commits on its own): the baseline stamped, two of the three columns and one of the two
    tables added, no row filled. The next first use finishes it."""
    stop_halfway(legacy)
    db.archive().ensure_schema()
    assert upgrade_runs(no_secrets_in_logs) == 1
    assert_upgraded(legacy)


def stop_halfway(legacy: Legacy) -> None:
    prefix = legacy.prefix
    with legacy.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {prefix}result ADD COLUMN fetched_on VARCHAR(8)"))
        connection.execute(text(f"ALTER TABLE {prefix}result ADD COLUMN fetches INTEGER DEFAULT 1 NOT NULL"))
        Tables.build(prefix).revisions.create(connection)
        versions = Table(schema.version_table(prefix), MetaData(), Column("version_num", String(32), primary_key=True))
        versions.create(connection)
        connection.execute(versions.insert().values(version_num=schema.BASELINE))


def test_a_new_database_is_created_at_the_head(db: Db, no_secrets_in_logs: LogCapture) -> None:
    archive = db.archive()
    archive.ensure_schema()
    engine = create_engine(db.url)
    try:
        assert set(inspect(engine).get_table_names()) >= {t.name for t in archive.tables.metadata.sorted_tables} | {
            schema.version_table(db.prefix)
        }
        with engine.connect() as connection:
            assert schema.revision(connection, db.prefix) == schema.HEAD
    finally:
        engine.dispose()
    assert upgrade_runs(no_secrets_in_logs) == 0  # created as this release's tables, not migrated up to them


@dataclass(frozen=True)
class OddVersion:
    """A version table Alembic cannot upgrade from, or that cannot say what the tables hold: how
    to make it from an archive at the head, what the refusal must say, and the fix it advises."""

    make: list[str]  # SQL, {v} the version table
    says: list[str]  # in the message, {v} and {p} the version table and the prefix
    fix: list[str]  # SQL, the message's advice


ODD_VERSIONS = {
    "unknown revision": OddVersion(
        ["UPDATE {v} SET version_num = 'from_the_future'"],
        [
            "schema revision 'from_the_future', which this release does not know",
            "it knows released, settling, fanout, provenance, window",
            "deploy that release",
            "UPDATE {v} SET version_num = 'window'",
        ],
        ["UPDATE {v} SET version_num = 'window'"],
    ),
    "stray value": OddVersion(
        ["UPDATE {v} SET version_num = ''"],
        ["schema revision '', which this release does not know", "UPDATE {v} SET version_num = 'window'"],
        ["UPDATE {v} SET version_num = 'window'"],
    ),
    "two rows": OddVersion(
        ["INSERT INTO {v} (version_num) VALUES ('settling')"],
        [
            "{v} holds 2 rows",
            "'window'",
            "'settling'",
            "where it must hold one",
            "DELETE FROM {v} WHERE version_num <> 'window'",
        ],
        ["DELETE FROM {v} WHERE version_num <> 'window'"],
    ),
    "two rows, neither the head": OddVersion(
        ["UPDATE {v} SET version_num = 'released'", "INSERT INTO {v} (version_num) VALUES ('settling')"],
        ["{v} holds 2 rows", "'released'", "'settling'", "keep the row of the revision the tables are at"],
        ["DELETE FROM {v}", "INSERT INTO {v} (version_num) VALUES ('window')"],
    ),
    "empty version table": OddVersion(
        ["DELETE FROM {v}"],
        [
            "tables {p}* record no schema revision ({v} has no row)",
            "not the first release's",
            "{p}result.fetched_on",
            "{p}lease",
            "INSERT INTO {v} (version_num) VALUES ('window')",
        ],
        ["INSERT INTO {v} (version_num) VALUES ('window')"],
    ),
    "no version table": OddVersion(
        ["DROP TABLE {v}"],
        [
            "tables {p}* record no schema revision ({v} is missing)",
            "{p}result.settled",
            "{p}run",
            "CREATE TABLE {v} (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO {v} (version_num) VALUES "
            "('window')",
        ],
        [
            "CREATE TABLE {v} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
            "INSERT INTO {v} (version_num) VALUES ('window')",
        ],
    ),
}


@pytest.mark.parametrize("state", list(ODD_VERSIONS))
def test_a_version_that_cannot_be_upgraded_from_is_refused_untouched_with_what_to_do(db: Db, state: str) -> None:
    """Refused with a -601001 (never -1, an internal error: what Alembic's own exceptions became)
    naming the revisions found and the fix, through ``ensure_schema`` and the deployed function
    alike; nothing changed, the lock let go (a second attempt answers the same), and once the
    advised SQL is run, the archive works again."""
    odd = ODD_VERSIONS[state]
    db.archive().ensure_schema()
    engine = create_engine(db.url)
    versions, prefix = schema.version_table(db.prefix), db.prefix

    def sql(statements: list[str]) -> None:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement.format(v=versions, p=prefix)))

    def described() -> tuple[Any, ...]:
        tables = sorted(
            name for name in inspect(engine).get_table_names() if name.startswith(prefix)
        )  # this test's: others share the database
        with engine.connect() as connection:
            rows = (
                sorted(connection.execute(text(f"SELECT version_num FROM {versions}")).scalars())
                if versions in tables
                else None
            )
        return tuple(tables), rows, structure(engine, prefix) if versions in tables else None

    try:
        sql(odd.make)
        before = described()
        says = [fragment.format(v=versions, p=prefix) for fragment in odd.says]
        for _ in range(2):
            with pytest.raises(ConfigurationError) as caught:
                db.archive().ensure_schema()
            assert caught.value.err_code == -601001
            for fragment in says:
                assert fragment in caught.value.err_msg, caught.value.err_msg
        answer = function({**db.env(), "WX_ARCHIVE_APIS": "analysis.getMonthlyVisitTrend"})(
            timer(FIRED), {"time_limit_in_ms": 30_000}
        )
        assert answer["errCode"] == -601001, answer
        assert answer["errMsg"].startswith("archiveAnalysis:fail -601001 ") and " hint: [" in answer["errMsg"]
        for fragment in says:
            assert fragment in answer["errMsg"], answer["errMsg"]
        assert described() == before
        sql(odd.fix)
        archive = db.archive()
        archive.ensure_schema()
        with engine.connect() as connection:
            assert schema.revision(connection, prefix) == schema.HEAD
        assert archive.count(DEFAULT_APPID) == 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_first_release_archive_whose_first_upgrade_stopped_after_creating_the_version_table_is_upgraded(
    db: Db, legacy: Legacy, no_secrets_in_logs: LogCapture
) -> None:
    """On MySQL and MariaDB the version table's CREATE commits on its own and its first row only
    with the next DDL: an upgrade stopped in between leaves the first release's tables beside an
    empty version table, which is still that release's archive, not an odd version."""
    with legacy.engine.begin() as connection:
        Table(
            schema.version_table(legacy.prefix), MetaData(), Column("version_num", String(32), primary_key=True)
        ).create(connection)
    db.archive().ensure_schema()
    assert upgrade_runs(no_secrets_in_logs) == 1
    assert_upgraded(legacy)


def test_a_creation_stopped_after_recording_its_version_is_finished_by_the_next_run(db: Db) -> None:
    """What MySQL and MariaDB leave when the first run on a new database stops after the version's
    row is committed (with the next CREATE) and before the results table is there: the version at
    the head, the results table and the views missing. The next run creates them."""
    tables = Tables.build(db.prefix)
    engine = create_engine(db.url)
    try:
        with engine.begin() as connection:
            for table in tables.metadata.sorted_tables:
                if table is not tables.results:
                    table.create(connection)
            versions = Table(
                schema.version_table(db.prefix), MetaData(), Column("version_num", String(32), primary_key=True)
            )
            versions.create(connection)
            connection.execute(versions.insert().values(version_num=schema.HEAD))
        archive = db.archive()
        archive.ensure_schema()
        assert archive.count(DEFAULT_APPID) == 0
        assert {table.name for table in tables.metadata.sorted_tables} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert views_present(connection, db.prefix)
    finally:
        engine.dispose()


def test_head_names_the_newest_revision_script() -> None:
    """``schema.HEAD`` spares every cold start at the head the loading of the scripts; it must be
    the head the scripts form, in one line from the baseline."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(schema.MIGRATIONS))
    assert scripts.get_heads() == [schema.HEAD]
    assert [script.revision for script in scripts.walk_revisions()] == [
        schema.HEAD,
        "provenance",
        "fanout",
        "settling",
        schema.BASELINE,
    ]
    assert scripts.get_revision(schema.BASELINE).down_revision is None
