"""Data that cannot stall the archive: what one database refuses is stored by one rule on all three
(NUL and lone surrogates become U+FFFD, NaN and Infinity null, numbers beyond a column's range
NULL in the flat tables), reads back the same everywhere, and a row a database still refuses
fails its period alone while the run goes on; a database that fails still stops the run."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool
from wxcloud import InvalidParameters, InvalidResponse, OpenApiClient, Period
from wxcloud.archive import Archive, Job, NotStored, ReadThrough, RowRefused, run_job
from wxcloud.archive.fetch.answer import app_json, tally_json
from wxcloud.archive.store.database import refused

from devtools.wechat_emulator import Fault, WeChatEmulator
from tests.support.archive import DB_PASSWORD, MARIADB_URL, MARIADB_USER, MONTHLY, MONTHLY_PATH, Db, _prepare

TODAY = date(2026, 11, 2)  # October 2026 is the newest closed month
MONTHS = 10
JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31))
PAGE = "analysis.getVisitPage"
DAY = Period(date(2026, 3, 10), date(2026, 3, 10))
FETCHED = datetime(2026, 3, 11, 3, 0, tzinfo=timezone.utc)
OK = {"errMsg": "openapi.analysis.getMonthlyVisitTrend:ok", "errCode": 0}


def monthly_job() -> Job:
    return Job((MONTHLY,), date(2026, 1, 1), TODAY)


def month_reply(ref_date: str, visit_uv: int | str, extra: str = "") -> bytes:
    """A monthly visit trend reply as WeChat's JSON text (``\\u0000`` escapes and all)."""
    return (
        f'{{"list":[{{"refDate":"{ref_date}","sessionCnt":20,"visitPv":50,"visitUv":{visit_uv},"visitUvNew":1,'
        f'"stayTimeUv":12.5,"stayTimeSession":6.25,"visitDepth":2.5}}]{extra}}}'
    ).encode()


def stored_texts(db: Db, table: str, column: str) -> list[str]:
    return [row[0] for row in db.rows(f"SELECT {column} FROM {{prefix}}{table} ORDER BY begin_date")]


def strict_json(text_: str) -> Any:
    """The text as strict JSON: NaN, Infinity and -Infinity are refused, as every other JSON reader does."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text_, parse_constant=refuse)


def assert_every_result_is_json_everywhere(db: Db, table: str = "result") -> None:
    """Each stored result is strict JSON without NUL escapes, and on PostgreSQL its own JSON
    functions read every one (they refuse ``\\u0000`` and NaN)."""
    for stored in stored_texts(db, table, "result"):
        strict_json(stored)
        assert "\\u0000" not in stored and "\x00" not in stored
    if db.kind == "postgresql":
        count = db.scalar(
            f"SELECT count(*) FROM {db.prefix}{table} WHERE jsonb_typeof(CAST(result AS jsonb)) = 'object'"
        )
        assert count == len(stored_texts(db, table, "result"))


# ---- a reply holding NUL, through the emulator -------------------------------------------------------------------


def test_a_reply_holding_nul_is_stored_by_the_rule_and_neither_this_run_nor_the_next_stops_there(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """January's reply holds NUL in a flat column (refDate), in a key and in a value; February to
    October are normal. PostgreSQL refused the NUL, which stopped every run at January as a database
    outage; now January is stored with U+FFFD in its place, the same on every database."""
    emulator.add_fault(MONTHLY_PATH, Fault.raw(month_reply("2026\\u000001", 7, ',"note\\u0000":"a\\u0000b"')))
    archive = db.archive()
    summary = run_job(archive, fast_client, monthly_job(), concurrency=1)
    tally = summary.apis[MONTHLY]
    assert summary.database_error is None and summary.complete, json.dumps(app_json(summary))
    assert (tally.counts["stored"], tally.counts["failed"], tally.errors) == (MONTHS, 0, [])

    results = archive.results(fast_client.settings.appid, MONTHLY)
    assert [item.begin_date for item in results] == [f"2026{month:02d}01" for month in range(1, 11)]
    assert results[0].result == {
        "list": [
            {
                "refDate": "2026\ufffd01",
                "sessionCnt": 20,
                "visitPv": 50,
                "visitUv": 7,
                "visitUvNew": 1,
                "stayTimeUv": 12.5,
                "stayTimeSession": 6.25,
                "visitDepth": 2.5,
            }
        ],
        "note\ufffd": "a\ufffdb",
        **OK,
    }
    assert list(results[0].result) == ["list", "note\ufffd", "errMsg", "errCode"]  # the order WeChat gave, kept
    assert stored_texts(db, "visit_trend", "ref_date")[0] == "2026\ufffd01"
    assert stored_texts(db, "visit_trend", "visit_uv")[0] == 7
    assert_every_result_is_json_everywhere(db)

    emulator.clear()
    again = run_job(archive, fast_client, monthly_job(), concurrency=1)
    assert again.database_error is None and again.complete
    assert again.apis[MONTHLY].counts["upToDate"] == MONTHS
    assert emulator.received == []  # January is archived: nothing is asked again


def test_get_answers_a_reply_holding_nul_as_the_archive_keeps_it(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """The read-through gives the same answer when it fetches the period as when it reads it back."""
    emulator.add_fault(MONTHLY_PATH, Fault.raw(month_reply("202601", 7, ',"note":"x\\u0000y"')))
    archive = db.archive()
    reader = ReadThrough(archive, fast_client)
    fetched = reader.get(MONTHLY, JANUARY.data())
    assert fetched["note"] == "x\ufffdy"
    assert reader.get(MONTHLY, JANUARY.data()) == fetched
    assert archive.results(fast_client.settings.appid, MONTHLY)[0].result == fetched
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1  # the second answer came from the database
    assert_every_result_is_json_everywhere(db)


# ---- Archive.store called directly with what some database refuses -----------------------------------------------

NASTY = {
    "refDate": "20260310",
    "list": [
        {
            "pagePath": "pages/a\x00b/\ud800/😀/页",
            "pageVisitPv": 10**30,
            "pageVisitUv": float("nan"),
            "pageStaytimePv": float("inf"),
            "entrypagePv": 2**63 - 1,
            "exitpagePv": -(2**63),
            "pageSharePv": 1e300,
            "pageShareUv": 10**400,
        },
        {"pagePath": "p" * 600 + "\x00", "pageVisitPv": 1.0, "pageStaytimePv": float("-inf"), "pageVisitUv": 2**63},
    ],
    "k\x00\udfff": [float("nan"), "\udfff", -float("inf"), 1.5],
    "huge": 10**5000,  # more digits than Python writes as text
}
KEPT = {
    "refDate": "20260310",
    "list": [
        {
            "pagePath": "pages/a\ufffdb/\ufffd/😀/页",
            "pageVisitPv": 10**30,
            "pageVisitUv": None,
            "pageStaytimePv": None,
            "entrypagePv": 2**63 - 1,
            "exitpagePv": -(2**63),
            "pageSharePv": 1e300,
            "pageShareUv": 10**400,
        },
        {"pagePath": "p" * 600 + "\ufffd", "pageVisitPv": 1.0, "pageStaytimePv": None, "pageVisitUv": 2**63},
    ],
    "k\ufffd\ufffd": [None, "\ufffd", None, 1.5],
    "huge": None,
}


def test_store_writes_what_some_database_refuses_by_one_rule_and_reads_it_back_the_same_on_all_three(db: Db) -> None:
    archive = db.archive()
    assert archive.store("wxappid", PAGE, DAY, NASTY, fetched_at=FETCHED) == "stored"
    (stored,) = archive.results("wxappid", PAGE)
    assert stored.result == KEPT and list(stored.result) == list(KEPT)
    assert_every_result_is_json_everywhere(db)

    page = archive.tables.flat["page"]
    columns = (
        page.c.page_path,
        page.c.page_visit_pv,
        page.c.page_visit_uv,
        page.c.page_staytime_pv,
        page.c.entrypage_pv,
        page.c.exitpage_pv,
        page.c.page_share_pv,
        page.c.page_share_uv,
    )
    with archive.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(select(*columns).order_by(page.c.position))]
    assert rows == [
        (
            "pages/a\ufffdb/\ufffd/😀/页",
            None,
            None,
            None,
            2**63 - 1,
            -(2**63),
            None,
            None,
        ),  # beyond 64 bits, NaN, infinity: NULL
        ("p" * 512, 1, None, None, None, None, None, None),  # cut to the column's 512 characters
    ]
    views = db.scalar(f"SELECT count(*) FROM {db.prefix}v_page_day WHERE uv IS NULL AND stay_per_view IS NULL")
    assert views == 2  # the views read what is stored

    # A newer answer replaces it through the dialect's upsert (MariaDB: no INSERT IGNORE to soften a refusal),
    # and the replaced one, kept in the revision table, reads back as it was stored.
    newer = {**NASTY, "list": [{**NASTY["list"][0], "pageVisitPv": float("nan")}]}
    assert archive.store("wxappid", PAGE, DAY, newer, fetched_at=FETCHED + timedelta(hours=1)) == "revised"
    assert archive.results("wxappid", PAGE)[0].result == {**KEPT, "list": [{**KEPT["list"][0], "pageVisitPv": None}]}
    assert [revision.result for revision in archive.revisions("wxappid", PAGE, DAY)] == [KEPT]
    assert_every_result_is_json_everywhere(db, "revision")
    # The same answer again: nothing revised (the rule gives the same text every time).
    assert archive.store("wxappid", PAGE, DAY, newer, fetched_at=FETCHED + timedelta(hours=2)) == "refreshed"


def test_store_refuses_a_result_that_is_not_json_data_with_an_error_value(db: Db) -> None:
    archive = db.archive()
    with pytest.raises(InvalidParameters) as caught:
        archive.store("wxappid", PAGE, DAY, {"list": [{"pagePath": {1, 2}}]})
    assert caught.value.err_code == -501007 and "not a set" in caught.value.err_msg
    with pytest.raises(InvalidParameters) as caught:
        archive.store("wxappid", PAGE, DAY, {("a", "b"): 1})
    assert "cannot be written as JSON" in caught.value.err_msg
    assert archive.count("wxappid") == 0


# ---- a row a database still refuses: that period fails, the run goes on ------------------------------------------


def refuse_negative_visitors(db: Db, archive: Archive) -> None:
    """What a DBA might add: the flat table refuses a negative visitor count."""
    archive.ensure_schema()
    table = f"{db.prefix}visit_trend"
    with archive.engine.begin() as connection:
        if db.kind == "sqlite":  # SQLite adds no constraint to a table that exists: a trigger refuses the row instead
            connection.exec_driver_sql(
                f"CREATE TRIGGER {db.prefix}no_negative BEFORE INSERT ON {table} WHEN NEW.visit_uv < 0 "
                "BEGIN SELECT RAISE(ABORT, 'visit_uv must not be negative'); END"
            )
        else:
            connection.exec_driver_sql(
                f"ALTER TABLE {table} ADD CONSTRAINT {db.prefix}no_negative CHECK (visit_uv >= 0)"
            )


def test_a_row_the_database_refuses_fails_its_period_alone_and_the_run_goes_on(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive = db.archive()
    refuse_negative_visitors(db, archive)
    emulator.add_fault(MONTHLY_PATH, Fault.raw(month_reply("202601", -5)))
    summary = run_job(archive, fast_client, monthly_job(), concurrency=1)
    tally = summary.apis[MONTHLY]
    assert summary.database_error is None, summary.database_error  # not an outage
    assert (tally.counts["failed"], tally.counts["stored"], tally.counts["leftForLater"], tally.stopped) == (
        1,
        MONTHS - 1,
        0,
        None,
    )
    (record,) = tally.errors
    error = str(record)
    assert error.startswith(
        "-601001 fail -601001 system error hint: [storing analysis.getMonthlyVisitTrend beginDate 20260101 and endDate "
        "20260131 in "
    ), error
    assert "no_negative" in error or "must not be negative" in error, error
    assert app_json(summary)["apis"][MONTHLY]["errors"] == [error] and not summary.complete
    assert [item.begin_date for item in archive.results(fast_client.settings.appid, MONTHLY)] == [
        f"2026{m:02d}01" for m in range(2, 11)
    ]

    again = run_job(archive, fast_client, monthly_job(), concurrency=1)  # January asked again: a normal answer now
    assert again.complete and again.apis[MONTHLY].counts["stored"] == 1 and again.database_error is None


def test_store_raises_row_refused_and_get_keeps_the_fetched_result(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive = db.archive()
    refuse_negative_visitors(db, archive)
    with pytest.raises(RowRefused) as caught:
        archive.store("wxappid", MONTHLY, JANUARY, {"list": [{"refDate": "202601", "visitUv": -1}]})
    assert caught.value.err_code == -601001 and caught.value.__cause__ is None and caught.value.__context__ is None
    assert archive.count("wxappid") == 0  # the period's result went with its refused flat row

    emulator.add_fault(MONTHLY_PATH, Fault.raw(month_reply("202601", -5, ',"note":"x\\u0000y"')))
    with pytest.raises(NotStored) as refused_get:
        ReadThrough(archive, fast_client).get(MONTHLY, JANUARY.data())
    assert refused_get.value.result["list"][0]["visitUv"] == -5 and refused_get.value.result["note"] == "x\ufffdy"
    assert "storing analysis.getMonthlyVisitTrend" in refused_get.value.err_msg
    assert archive.count(fast_client.settings.appid) == 0


def test_a_database_that_fails_still_stops_the_run(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """A missing table is the database's failure, not the row's: the run stops, as before, and
    asks WeChat for nothing more it could not store."""
    archive = db.archive()
    archive.ensure_schema()
    cascade = " CASCADE" if db.kind == "postgresql" else ""  # PostgreSQL's views hold on to the table
    with archive.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {db.prefix}visit_trend{cascade}")
    summary = run_job(archive, fast_client, monthly_job(), concurrency=1)
    tally = summary.apis[MONTHLY]
    assert summary.database_error is not None and "visit_trend" in summary.database_error.reason
    assert (tally.counts["failed"], tally.counts["leftForLater"], tally.errors) == (0, MONTHS, [])
    assert len(emulator.requests_to(MONTHLY_PATH)) == 1


TABLES = {  # a temporary table of each database's own to refuse rows in
    "postgresql": "CREATE TEMPORARY TABLE wxzz_refusals (v bigint NOT NULL, s varchar(2))",
    "mariadb": "CREATE TEMPORARY TABLE wxzz_refusals (v tinyint NOT NULL, s varchar(2), l varchar(8) CHARACTER SET "
    "latin1, b bigint)",
    "sqlite": "CREATE TEMPORARY TABLE wxzz_refusals (v INTEGER NOT NULL CHECK (v >= 0))",
}
REFUSALS = {  # what each database refuses for the data in it
    "postgresql": [
        "SELECT 1 / 0",  # 22012
        "SELECT CAST('x' AS integer)",  # 22P02
        "SELECT CAST('9223372036854775808' AS bigint)",  # 22003
        'SELECT CAST(\'{"a": "\\u0000"}\' AS jsonb)',  # 22P05: its JSON refuses the NUL escape
        "INSERT INTO wxzz_refusals (v) VALUES (NULL)",  # 23502
        "INSERT INTO wxzz_refusals (v, s) VALUES (1, 'abc')",  # 22001
    ],
    "mariadb": [
        "INSERT INTO wxzz_refusals (v) VALUES (1000)",  # 1264
        "INSERT INTO wxzz_refusals (v, s) VALUES (1, 'abc')",  # 1406
        "INSERT INTO wxzz_refusals (v, l) VALUES (1, '页')",  # 1366
        "INSERT INTO wxzz_refusals (v) VALUES (NULL)",  # 1048
        "INSERT INTO wxzz_refusals (v, b) VALUES (1, 9223372036854775807 + 1)",  # 1690
    ],
    "sqlite": [
        "INSERT INTO wxzz_refusals (v) VALUES (NULL)",
        "INSERT INTO wxzz_refusals (v) VALUES (-1)",
    ],
}
OTHERS = [
    "SELECT * FROM wxzz_missing_table",
    "SELECT missing_column FROM wxzz_refusals",
]  # the database's failures, not the row's


def test_refusals_of_data_are_told_apart_from_failures_of_the_database(db: Db) -> None:
    """The real drivers' errors: what a database refuses in a row (PostgreSQL's classes 22 and 23,
    MariaDB's 1264/1406/1366/1048/1690, SQLite's constraints) against a missing table or column,
    and a server that cannot be reached."""
    engine = create_engine(db.url, poolclass=NullPool)  # a connection (and its temporary table) per statement
    seen: dict[str, bool | None] = {}
    try:
        for statement in [*REFUSALS[db.kind], *OTHERS]:
            with engine.connect() as connection:
                connection.exec_driver_sql(TABLES[db.kind])
                try:
                    connection.exec_driver_sql(statement)
                    seen[statement] = None
                except SQLAlchemyError as exc:
                    seen[statement] = refused(exc)
    finally:
        engine.dispose()
    assert seen == {**dict.fromkeys(REFUSALS[db.kind], True), **dict.fromkeys(OTHERS, False)}

    url = {
        "sqlite": "sqlite:////nonexistent-folder-wxcloud/a/b.sqlite3",
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test",
        "mariadb": "mysql+pymysql://root@127.0.0.1:1/test",
    }[db.kind]
    unreachable = create_engine(url)
    try:
        with pytest.raises(SQLAlchemyError) as caught:
            unreachable.connect()
    finally:
        unreachable.dispose()
    assert not refused(caught.value)


# ---- MariaDB: utf8mb4 tables whatever the database's default ------------------------------------------------------


@pytest.fixture(params=["mariadb"])  # the kind as a parameter: the test is marked servers
def latin1_mariadb(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A MariaDB database whose default character set is latin1 (an older server's default), for
    this test alone; the archive's URL and table prefix in it."""
    problem = _prepare(request.param)
    if problem is not None:
        pytest.fail(f"MariaDB at 127.0.0.1:3306 is not reachable ({problem})")
    name = f"wxt{secrets.token_hex(4)}_latin1"
    admin = create_engine("mysql+pymysql://root@127.0.0.1:3306/test", connect_args={"connect_timeout": 3})
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET latin1")
        for host in ("127.0.0.1", "localhost", "%"):
            connection.execute(text(f"GRANT ALL PRIVILEGES ON {name}.* TO '{MARIADB_USER}'@'{host}'"))
    try:
        yield MARIADB_URL.rsplit("/", 1)[0] + f"/{name}", "wxt_"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


def test_mariadb_tables_hold_any_text_in_a_database_whose_default_is_latin1(latin1_mariadb: tuple[str, str]) -> None:
    url, prefix = latin1_mariadb
    assert DB_PASSWORD in url
    with Archive(url, prefix=prefix) as archive:
        result = {"refDate": "20260310", "list": [{"pagePath": "pages/首页/😀", "pageVisitPv": 3}], "note": "页面 🚀"}
        assert archive.store("wxappid", PAGE, DAY, result, fetched_at=FETCHED) == "stored"
        assert archive.results("wxappid", PAGE)[0].result == result
        page = archive.tables.flat["page"]
        with archive.engine.connect() as connection:
            assert connection.execute(select(page.c.page_path)).scalar_one() == "pages/首页/😀"


# ---- replies and rows that cannot be read ------------------------------------------------------------------------


def test_a_reply_beyond_a_doubles_range_fails_its_period_alone_and_the_next_run_asks_for_it_again(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """WeChat's parser (json-bigint, in the SDK) refuses 1e400, and so does the client: -601001 for
    that period. The periods after it are archived all the same (oldest first: stopping the API
    there would stall its backlog at January on every run)."""
    emulator.add_fault(MONTHLY_PATH, Fault.raw(month_reply("202601", "1e400")))
    archive = db.archive()
    tally = run_job(archive, fast_client, monthly_job(), concurrency=1).apis[MONTHLY]
    assert (tally.counts["failed"], tally.counts["stored"], tally.stopped) == (1, MONTHS - 1, None), tally_json(tally)
    assert tally.errors and str(tally.errors[0]).startswith("-601001 ")
    emulator.clear()
    again = run_job(archive, fast_client, monthly_job(), concurrency=1).apis[MONTHLY]
    assert (again.counts["stored"], again.counts["upToDate"]) == (1, MONTHS - 1)
    assert [request.json() for request in emulator.requests_to(MONTHLY_PATH)] == [
        {"begin_date": "20260101", "end_date": "20260131"}
    ]


def test_unreadable_replies_that_keep_coming_stop_the_api(
    sqlite_db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """A proxy answering HTML in WeChat's place costs three requests, not the whole backlog."""
    emulator.add_fault(MONTHLY_PATH, Fault.raw("<html>sign in to the hotel wifi</html>"), times=MONTHS)
    tally = run_job(sqlite_db.archive(), fast_client, monthly_job(), concurrency=1).apis[MONTHLY]
    assert (tally.counts["failed"], tally.counts["leftForLater"], str(tally.stopped)) == (
        3,
        MONTHS - 3,
        "failed (-601001)",
    )
    assert len(emulator.requests_to(MONTHLY_PATH)) == 3


def test_a_stored_row_that_cannot_be_decoded_is_read_as_unreadable_and_a_new_answer_replaces_it(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    archive = db.archive()
    run_job(archive, fast_client, monthly_job(), concurrency=1)
    engine = create_engine(db.url)
    try:  # a row written by hand, or by something else
        with engine.begin() as connection:
            connection.execute(
                text(f"UPDATE {db.prefix}result SET result = '{{\"list\": [' WHERE begin_date = '20260101'")
            )
            connection.execute(text(f"UPDATE {db.prefix}result SET result = '[1, 2]' WHERE begin_date = '20260201'"))
    finally:
        engine.dispose()
    appid = fast_client.settings.appid
    results = archive.results(appid, MONTHLY)  # one row cannot fail every read of its report
    assert [(item.begin_date, item.readable, item.result) for item in results[:2]] == [
        ("20260101", False, {}),
        ("20260201", False, {}),
    ]
    assert all(item.readable for item in results[2:]) and len(results) == MONTHS
    emulator.clear()
    fetched = ReadThrough(archive, fast_client).get(
        MONTHLY, JANUARY.data()
    )  # not taken for an answer: asked again, and replaced
    assert fetched["list"] and len(emulator.requests_to(MONTHLY_PATH)) == 1
    assert archive.results(appid, MONTHLY)[0].readable and archive.results(appid, MONTHLY)[0].result == fetched
    assert archive.revisions(appid, MONTHLY, JANUARY)[0].result is None  # the unreadable text it replaced


def test_a_binary_reply_to_a_report_fails_its_period_and_the_read_through_raises(
    db: Db, emulator: WeChatEmulator, fast_client: OpenApiClient
) -> None:
    """The SDK takes any reply that is not JSON for a binary success (``{contentType, buffer}``): the
    image APIs answer so. A report never does: a proxy's page in WeChat's place is that period's
    unreadable reply, not an answer to keep."""
    emulator.add_fault(MONTHLY_PATH, Fault.raw("<html>sign in</html>", content_type="text/html"))
    archive = db.archive()
    tally = run_job(archive, fast_client, monthly_job(), concurrency=1).apis[MONTHLY]
    assert (tally.counts["failed"], tally.counts["stored"], tally.stopped) == (1, MONTHS - 1, None), tally_json(tally)
    assert str(tally.errors[0]).startswith(
        "-601001 openapi.analysis.getMonthlyVisitTrend:fail wechat server internal error, the reply is text/html"
    )
    emulator.add_fault(MONTHLY_PATH, Fault.raw("<html>sign in</html>", content_type="text/html"))
    with pytest.raises(InvalidResponse) as caught:
        ReadThrough(archive, fast_client).get(MONTHLY, JANUARY.data())
    assert caught.value.err_msg.startswith(
        "openapi.analysis.getMonthlyVisitTrend:fail wechat server internal error, the reply is text/html"
    )
    assert archive.stored(fast_client.settings.appid, MONTHLY, JANUARY) is None
