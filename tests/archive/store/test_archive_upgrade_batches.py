"""The upgrade of big archives: the settling revision fills its new columns a batch of rows at a
time, exactly as it would row by row, in memory that does not grow with the table.

The archives here are written by SQL rather than by the released code (``test_archive_upgrade.py``
runs that code for a few hundred rows; hundreds of thousands would take it hours): the released
code's tables (``released_tables``), the results table filled with every report's periods and one
report this release does not archive, for many apps, fetched before and after their periods
settled (so ``settled`` comes out both ways), plus rows whose dates are not days.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, MetaData, String, Table, create_engine, select, text
from wxcloud import Period
from wxcloud.archive import REPORTS
from wxcloud.archive.store import schema
from wxcloud.archive.store.migrations.versions import settling
from wxcloud.archive.store.tables import Tables
from wxcloud.dates import parse_yyyymmdd

from tests.support.archive import Db, make_db
from tests.support.checkout import ROOT
from tests.support.released import BEIJING, UNKNOWN, released_tables

WEEKLY = {"analysis.getWeeklyVisitTrend", "analysis.getWeeklyRetain"}
MONTHLY = {"analysis.getMonthlyVisitTrend", "analysis.getMonthlyRetain"}
APIS = [*sorted(REPORTS), UNKNOWN]
PER_APP = 20_000  # rows of one app: 1,818 periods of each report (five years of days)
FIRST = date(2017, 1, 2)  # a Monday
NOT_DAYS = [("20250230", "20250230"), ("2025091x", "2025091x")]  # stored as they are, settled (nothing asks for them)
CHUNK = 10_000  # rows per INSERT

BIG = 300_000
BUDGET_MB = 256  # the upgrade's peak memory, the Python process's whole resident set
GROWTH_MB = 64  # above the same process with the library imported and connected: a batch's worth, not the table's


def period(api: str, index: int) -> tuple[date, date]:
    if api in WEEKLY:
        begin = FIRST + timedelta(weeks=index)
        return begin, begin + timedelta(days=6)
    if api in MONTHLY:
        year, month = divmod(index, 12)
        begin = date(FIRST.year + year, month + 1, 1)
        return begin, date(begin.year + begin.month // 12, begin.month % 12 + 1, 1) - timedelta(days=1)
    begin = FIRST + timedelta(days=index)
    return begin, begin


def legacy_rows(start: int, stop: int) -> Iterator[dict[str, Any]]:
    """Rows ``start``..``stop`` of an archive as the released code would have stored them: each
    app has every report's periods, each fetched 0 to 44 days after its end, at any hour (UTC)."""
    for number in range(start, stop):
        app, rest = divmod(number, PER_APP)
        api = APIS[rest % len(APIS)]
        begin, end = period(api, rest // len(APIS))
        fetched_at = datetime(end.year, end.month, end.day) + timedelta(days=number * 7919 % 45, hours=number * 31 % 24)
        yield {
            "appid": f"wx{app:016x}",
            "api": api,
            "begin_date": f"{begin:%Y%m%d}",
            "end_date": f"{end:%Y%m%d}",
            "result": '{"list":[]}',
            "fetched_at": fetched_at,
        }


def write_legacy(engine: Engine, prefix: str, count: int) -> None:
    """The released code's tables, and ``count`` results (and the rows whose dates are not days)."""
    legacy = released_tables(prefix)
    results = legacy[0]
    with engine.begin() as connection:
        for table in legacy:
            table.create(connection)
        for start in range(0, count, CHUNK):
            connection.execute(results.insert(), list(legacy_rows(start, min(count, start + CHUNK))))
        odd = datetime(2025, 9, 2, 3)
        connection.execute(
            results.insert(),
            [
                {
                    "appid": "wxffffffffffffffff",
                    "api": "analysis.getDailyRetain",
                    "begin_date": begin,
                    "end_date": end,
                    "result": "{}",
                    "fetched_at": odd,
                }
                for begin, end in NOT_DAYS
            ],
        )


@cache
def settles_on(api: str, begin_date: str, end_date: str) -> str | None:
    report = REPORTS.get(api)
    begin, end = parse_yyyymmdd(begin_date), parse_yyyymmdd(end_date)
    if report is None or begin is None or end is None:
        return None
    return f"{report.settling.settles_on(Period(begin, end)):%Y%m%d}"


def wrong_rows(
    engine: Engine, prefix: str, kept: dict[tuple[str, ...], tuple[str, bool]] | None = None
) -> tuple[int, list[Any]]:
    """How many rows the results table holds, and those whose new columns are not what the rule
    gives row by row (the Beijing day of ``fetched_at``; settled when the period had settled on
    that day, or when this release would never ask for it), or, for a key in ``kept``, what they
    were before the upgrade. Read in a stream: the test process need not hold 300,000 rows."""
    results = Tables.build(prefix).results
    kept = kept or {}
    count, wrong = 0, []
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=CHUNK).execute(
            select(results).order_by(*results.primary_key.columns)
        )
        for row in rows:
            count += 1
            key = (row.appid, row.api, row.begin_date, row.end_date)
            if key in kept:
                expected = kept[key]
            else:
                day = f"{row.fetched_at + BEIJING:%Y%m%d}"
                settles = settles_on(row.api, row.begin_date, row.end_date)
                expected = (day, settles is None or settles <= day)
            if (row.fetched_on, row.settled, row.fetches) != (*expected, 1) and len(wrong) < 10:
                wrong.append(tuple(row))
    return count, wrong


def test_a_big_archive_is_filled_in_batches_exactly_as_row_by_row(db: Db) -> None:
    """More rows than two batches, across apps and reports, on every database (the writes differ
    per dialect); an upgrade stopped halfway with some rows filled already: those are kept as they
    are (``fetched_on IS NULL`` marks the rows to fill), every other row gets what the rule gives."""
    count = 2_500
    assert count > 2 * settling.BATCH
    engine = create_engine(db.url)
    try:
        write_legacy(engine, db.prefix, count)
        versions = Table(
            schema.version_table(db.prefix), MetaData(), Column("version_num", String(32), primary_key=True)
        )
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {db.prefix}result ADD COLUMN fetched_on VARCHAR(8)"))
            connection.execute(text(f"ALTER TABLE {db.prefix}result ADD COLUMN fetches INTEGER DEFAULT 1 NOT NULL"))
            connection.execute(text(f"ALTER TABLE {db.prefix}result ADD COLUMN settled BOOLEAN DEFAULT false NOT NULL"))
            versions.create(connection)
            connection.execute(versions.insert().values(version_num=schema.BASELINE))
            # Filled already, with values the rule would not give: the next run must leave them be.
            filled = connection.execute(
                text(
                    f"UPDATE {db.prefix}result SET fetched_on = '19990101', settled = true WHERE appid = "
                    "'wx0000000000000000' AND api = :api"
                ),
                {"api": "analysis.getDailyRetain"},
            ).rowcount
        assert filled > 100
        kept = {
            ("wx0000000000000000", "analysis.getDailyRetain", f"{begin:%Y%m%d}", f"{end:%Y%m%d}"): ("19990101", True)
            for begin, end in (period("analysis.getDailyRetain", index) for index in range(filled))
        }
        db.archive().ensure_schema()
        rows, wrong = wrong_rows(engine, db.prefix, kept)
        assert (rows, wrong) == (count + len(NOT_DAYS), [])
        with engine.connect() as connection:
            assert schema.revision(connection, db.prefix) == schema.HEAD
            settled = dict(
                connection.execute(text(f"SELECT settled, COUNT(*) FROM {db.prefix}result GROUP BY settled")).all()
            )
        assert min(settled.values()) > count // 20, settled  # both ways, many times
    finally:
        engine.dispose()


@pytest.fixture(name="pg_db", params=["postgresql"])  # the kind as a parameter: the test is marked servers
def pg_db_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    yield from make_db(request.param, tmp_path)


CHILD = """
import json, os, re, sys, time

import alembic.operations, alembic.runtime.migration, alembic.script  # what the upgrade imports: in the baseline too
from sqlalchemy import text
from wxcloud.archive import Archive

archive = Archive(os.environ["WX_ARCHIVE_URL"], prefix=os.environ["WX_ARCHIVE_TABLE_PREFIX"])
with archive.engine.connect() as connection:
    connection.execute(text("SELECT 1"))
started = time.monotonic()
if sys.argv[1] == "upgrade":
    archive.ensure_schema()
with open("/proc/self/status") as status:  # this process's own peak (ru_maxrss also counts the parent's before exec)
    peak_kb = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
print(json.dumps({"peak_mb": peak_kb / 1024, "seconds": time.monotonic() - started}))
"""


def child(db: Db, what: str) -> dict[str, float]:
    """A Python of its own (its peak memory is its own), with only the library on its path."""
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "shared"), **db.env()}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, what], env=environ, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@pytest.mark.slow
def test_an_archive_of_300000_rows_is_upgraded_within_its_memory_budget(pg_db: Db) -> None:
    """The released code's archive with 300,000 results (inserted by SQL) upgraded by a process of
    its own: its peak resident memory stays within ``BUDGET_MB`` and grows by less than
    ``GROWTH_MB`` over the same process that only imported the library and connected (reading all
    rows at once, as the revision once did, took some 220 MB more). Every row comes out as the rule
    gives it. On PostgreSQL only: a minute's work per database on a small machine, and the batching
    is the same loop on every database (the test above runs it on all three)."""
    engine = create_engine(pg_db.url)
    try:
        write_legacy(engine, pg_db.prefix, BIG)
        baseline = child(pg_db, "baseline")
        upgraded = child(pg_db, "upgrade")
        growth = upgraded["peak_mb"] - baseline["peak_mb"]
        figures = f"peak {upgraded['peak_mb']:.0f} MB, {growth:.0f} MB over the baseline, {upgraded['seconds']:.0f} s"
        print(f"upgrade of {BIG} rows: {figures}")
        assert upgraded["peak_mb"] < BUDGET_MB, figures
        assert growth < GROWTH_MB, figures
        rows, wrong = wrong_rows(engine, pg_db.prefix)
        assert (rows, wrong) == (BIG + len(NOT_DAYS), [])
        with engine.connect() as connection:
            assert schema.revision(connection, pg_db.prefix) == schema.HEAD
    finally:
        engine.dispose()
