"""The SQL views for BI tools answer the same queries with the same figures on SQLite, PostgreSQL and
MariaDB, are made again harmlessly by a second schema preparation, and follow what is stored."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from wxcloud import Period
from wxcloud.archive import Archive

from tests.support.archive import Db

APPID = "wxviews0000000001"
DAY = date(2026, 3, 10)
NEXT = date(2026, 3, 11)
FETCHED = datetime(2026, 3, 12, 3, 0, tzinfo=timezone.utc)


def fill(archive: Archive) -> None:
    for day, uv in ((DAY, 1000), (NEXT, 1100)):
        ymd = f"{day:%Y%m%d}"
        trend = {
            "list": [
                {
                    "refDate": ymd,
                    "sessionCnt": uv * 2,
                    "visitPv": uv * 5,
                    "visitUv": uv,
                    "visitUvNew": uv // 10,
                    "stayTimeUv": 120.5,
                    "stayTimeSession": 60.25,
                    "visitDepth": 2.5,
                }
            ]
        }
        archive.store(APPID, "analysis.getDailyVisitTrend", Period(day, day), trend, fetched_at=FETCHED)
    archive.store(
        APPID,
        "analysis.getDailySummary",
        Period(DAY, DAY),
        {"list": [{"refDate": "20260310", "visitTotal": 50000, "sharePv": 30, "shareUv": 20}]},
        fetched_at=FETCHED,
    )
    retain = {
        "refDate": "20260310",
        "visitUvNew": [{"key": 0, "value": 100}, {"key": 1, "value": 25}],
        "visitUv": [{"key": 0, "value": 1000}, {"key": 1, "value": 400}],
    }
    archive.store(
        APPID, "analysis.getDailyRetain", Period(DAY, DAY), retain, fetched_at=FETCHED, fetched_on=date(2026, 3, 12)
    )
    distribution = {
        "refDate": "20260310",
        "list": [
            {"index": "access_source_session_cnt", "itemList": [{"key": 2, "value": 70}, {"key": 999, "value": 5}]},
            {"index": "access_staytime_info", "itemList": [{"key": 1, "value": 9}]},
        ],
    }
    archive.store(APPID, "analysis.getVisitDistribution", Period(DAY, DAY), distribution, fetched_at=FETCHED)
    pages = {
        "refDate": "20260310",
        "list": [
            {
                "pagePath": "pages/index/index",
                "pageVisitPv": 300,
                "pageVisitUv": 120,
                "pageStaytimePv": 12.5,
                "entrypagePv": 150,
                "exitpagePv": 90,
                "pageSharePv": 4,
                "pageShareUv": 3,
            },
            {
                "pagePath": "pages/goods/index",
                "pageVisitPv": 80,
                "pageVisitUv": 50,
                "pageStaytimePv": 30.0,
                "entrypagePv": 10,
                "exitpagePv": 40,
                "pageSharePv": 1,
                "pageShareUv": 1,
            },
        ],
    }
    archive.store(APPID, "analysis.getVisitPage", Period(DAY, DAY), pages, fetched_at=FETCHED)


def query(db: Db, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(db.url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql.replace("PFX_", db.prefix)))]
    finally:
        engine.dispose()


def test_the_views_answer_the_same_queries_on_each_database(db: Db) -> None:
    archive = db.archive()
    fill(archive)
    Archive(db.url, prefix=db.prefix).ensure_schema()  # a second preparation (another instance) makes them again

    kpi = query(
        db,
        "SELECT ref_day, uv, pv, sessions, new_users, stay_time_uv, visit_depth, visit_total, share_pv "
        "FROM PFX_v_daily_kpi WHERE appid = 'wxviews0000000001' ORDER BY ref_day",
    )
    assert [(row["ref_day"], row["uv"], row["pv"], row["sessions"], row["new_users"]) for row in kpi] == [
        ("20260310", 1000, 5000, 2000, 100),
        ("20260311", 1100, 5500, 2200, 110),
    ]
    assert float(kpi[0]["stay_time_uv"]) == 120.5 and float(kpi[0]["visit_depth"]) == 2.5
    assert (kpi[0]["visit_total"], kpi[0]["share_pv"]) == (50000, 30)
    assert (kpi[1]["visit_total"], kpi[1]["share_pv"]) == (None, None)  # no summary archived for that day

    cohort = query(
        db,
        "SELECT unit, cohort_begin, retention_key, new_users, active_users, new_rate, active_rate, settled "
        "FROM PFX_v_cohort WHERE appid = 'wxviews0000000001' ORDER BY retention_key",
    )
    assert [
        (row["unit"], row["cohort_begin"], row["retention_key"], row["new_users"], row["active_users"])
        for row in cohort
    ] == [("day", "20260310", 0, 100, 1000), ("day", "20260310", 1, 25, 400)]
    assert [float(row["new_rate"]) for row in cohort] == pytest.approx([1.0, 0.25])
    assert [float(row["active_rate"]) for row in cohort] == pytest.approx([1.0, 0.4])
    assert [bool(row["settled"]) for row in cohort] == [
        False,
        False,
    ]  # fetched two days after: keys up to 30 still to come

    sources = query(
        db,
        "SELECT source_key, channel_zh, channel_en, visits FROM PFX_v_source "
        "WHERE appid = 'wxviews0000000001' AND measure = 'sessions' ORDER BY visits DESC",
    )
    assert [(row["source_key"], row["channel_zh"], row["channel_en"], row["visits"]) for row in sources] == [
        (2, "搜索", "Search", 70),
        (999, None, None, 5),
    ]  # an unknown key keeps its number and has no name

    pages = query(
        db,
        "SELECT page_path, pv, uv, stay_per_view, entries, exits, share_pv FROM PFX_v_page_day "
        "WHERE appid = 'wxviews0000000001' AND ref_day = '20260310' ORDER BY pv DESC",
    )
    assert [
        (row["page_path"], row["pv"], row["uv"], row["entries"], row["exits"], row["share_pv"]) for row in pages
    ] == [("pages/index/index", 300, 120, 150, 90, 4), ("pages/goods/index", 80, 50, 10, 40, 1)]
    assert float(pages[0]["stay_per_view"]) == 12.5


def test_a_cohort_view_follows_the_stored_answer_when_it_settles(db: Db) -> None:
    archive = db.archive()
    fill(archive)
    keys = [0, 1, 2, 3, 4, 5, 6, 7, 14, 30]
    settled = {
        "refDate": "20260310",
        "visitUvNew": [{"key": k, "value": 100 // (k + 1)} for k in keys],
        "visitUv": [{"key": k, "value": 1000 // (k + 1)} for k in keys],
    }
    later = datetime(2026, 4, 20, 3, 0, tzinfo=timezone.utc)
    archive.store(
        APPID, "analysis.getDailyRetain", Period(DAY, DAY), settled, fetched_at=later, fetched_on=date(2026, 4, 20)
    )
    rows = query(
        db,
        "SELECT retention_key, new_rate, settled FROM PFX_v_cohort WHERE appid = 'wxviews0000000001' AND unit = 'day' "
        "ORDER BY retention_key",
    )
    assert [row["retention_key"] for row in rows] == keys
    assert float(rows[-1]["new_rate"]) == pytest.approx(3 / 100)  # 100 // 31 over 100
    assert all(bool(row["settled"]) for row in rows)
