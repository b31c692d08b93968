"""The emulator's analysis figures agree with each other, as WeChat's describe the same people.

Over half a year of days, its weeks and its months, for two apps of different sizes, every reply
fetched over HTTP from an emulator on loopback: a period's users lie between its busiest day's
and the sum of its days' at a steady ratio to that sum; pages, sessions, stay and new users add up
exactly; retention keeps fewer users each later key, and never more than came back; portraits,
sources and pages are shares of the day's (or the range's) users, sessions and views; page entries
fall on the home page and exits on detail pages. Shapes, period rules and retention timing are
``tests/emulator/test_emulator_analysis.py``'s. And the README's first example shows what the demo prints.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.wechat_emulator import DEFAULT_APPID
from tests.support.analysis import (
    APPS,
    BIG_APPID,
    DAILY,
    DAILY_RETAIN,
    DISTRIBUTION,
    MONTHLY,
    MONTHLY_RETAIN,
    PAGE,
    PORTRAIT,
    SMALL_APPID,
    SUMMARY,
    WEEKLY,
    WEEKLY_RETAIN,
    Api,
    days,
    month_end,
    sum_of,
)
from tests.support.checkout import ROOT, run_python

TWO_APPS = (DEFAULT_APPID, BIG_APPID)  # 103 pages, all listed; 383 pages, the list cut at 200
FIRST, LAST = date(2024, 1, 1), date(2024, 6, 30)  # a Monday; half a year of days, weeks and months
MONDAYS = [day for day in days(FIRST, LAST - timedelta(days=6)) if day.weekday() == 0]
MONTHS = [date(2024, month, 1) for month in range(1, 7)]
WEEK_AND_MONTH = [(WEEKLY, MONDAYS, lambda d: d + timedelta(days=6)), (MONTHLY, MONTHS, month_end)]

Rows = dict[tuple[str, date], dict[str, Any]]


@pytest.fixture(scope="module")
def daily(api: Api) -> Rows:
    """Every day's visit trend of both apps, from FIRST to a month after LAST (retention's later days)."""
    return {
        (appid, day): api(DAILY, day, day, appid)["list"][0]
        for appid in TWO_APPS
        for day in days(FIRST, LAST + timedelta(days=31))
    }


def span(daily: Rows, appid: str, begin: date, end: date) -> list[dict[str, Any]]:
    return [daily[appid, day] for day in days(begin, end)]


def spread(ratios: list[float]) -> float:
    """How far apart the largest and smallest ratio are, relative to the smallest."""
    return max(ratios) / min(ratios) - 1


# ------------------------------------------------------------------------------ weeks and months


@pytest.mark.parametrize("appid", TWO_APPS)
@pytest.mark.parametrize(("name", "starts", "end_of"), WEEK_AND_MONTH, ids=["weeks", "months"])
def test_a_periods_users_keep_a_steady_share_of_its_days(
    api: Api, daily: Rows, appid: str, name: str, starts: list[date], end_of: Callable[[date], date]
) -> None:
    """Users who come on several days of a week are one user of the week: the week's users lie
    between its busiest day's and the days' sum, at much the same share of that sum every week."""
    ratios = []
    for first in starts:
        row = api(name, first, end_of(first), appid)["list"][0]
        parts = span(daily, appid, first, end_of(first))
        assert max(part["visit_uv"] for part in parts) <= row["visit_uv"] <= sum_of(parts, "visit_uv"), (name, first)
        ratios.append(row["visit_uv"] / sum_of(parts, "visit_uv"))
    assert spread(ratios) < 0.06, ratios  # steady, not drawn anew per period
    assert max(ratios) < 0.9, ratios  # and users do come back within a period


@pytest.mark.parametrize("appid", TWO_APPS)
def test_a_month_counts_its_users_once_more_than_a_week_does(api: Api, daily: Rows, appid: str) -> None:
    """The longer the period, the more of its days' visits are the same users again."""

    def share(name: str, begin: date, end: date) -> float:
        return float(api(name, begin, end, appid)["list"][0]["visit_uv"]) / sum_of(
            span(daily, appid, begin, end), "visit_uv"
        )

    assert max(share(MONTHLY, first, month_end(first)) for first in MONTHS) < min(
        share(WEEKLY, m, m + timedelta(days=6)) for m in MONDAYS
    )


@pytest.mark.parametrize("appid", TWO_APPS)
@pytest.mark.parametrize(("name", "starts", "end_of"), WEEK_AND_MONTH, ids=["weeks", "months"])
def test_a_periods_counts_are_its_days_sums_and_its_averages_follow(
    api: Api, daily: Rows, appid: str, name: str, starts: list[date], end_of: Callable[[date], date]
) -> None:
    for first in starts:
        row = api(name, first, end_of(first), appid)["list"][0]
        parts = span(daily, appid, first, end_of(first))
        for key in ("session_cnt", "visit_pv", "visit_uv_new"):
            assert row[key] == sum_of(parts, key), (key, first)
        stay = sum(part["stay_time_session"] * part["session_cnt"] for part in parts)  # each day's rounded to 4 places
        assert row["stay_time_session"] * row["session_cnt"] == pytest.approx(
            stay, abs=0.0001 * (row["session_cnt"] + 1)
        )
        assert row["stay_time_uv"] == round(row["stay_time_session"] * row["session_cnt"] / row["visit_uv"], 4)
        assert row["visit_depth"] == round(row["visit_pv"] / row["session_cnt"], 4)


# ------------------------------------------------------------------------------ retention


def next_month(first: date, k: int) -> tuple[date, date]:
    """The ``k``-th natural month after the one ``first`` starts."""
    for _ in range(k):
        first = month_end(first) + timedelta(days=1)
    return first, month_end(first)


RETENTION = [  # (api, its trend, its periods, the k-th later period)
    (
        DAILY_RETAIN,
        DAILY,
        [(day, day) for day in days(FIRST, LAST)],
        lambda b, e, k: (b + timedelta(days=k), e + timedelta(days=k)),
    ),
    (
        WEEKLY_RETAIN,
        WEEKLY,
        [(m, m + timedelta(days=6)) for m in MONDAYS],
        lambda b, e, k: (b + timedelta(days=7 * k), e + timedelta(days=7 * k)),
    ),
    (MONTHLY_RETAIN, MONTHLY, [(m, month_end(m)) for m in MONTHS], lambda b, e, k: next_month(b, k)),
]


@pytest.mark.slow
@pytest.mark.parametrize("appid", TWO_APPS)
@pytest.mark.parametrize(("name", "trend", "periods", "later"), RETENTION, ids=["daily", "weekly", "monthly"])
def test_retention_keeps_fewer_users_each_key_and_no_more_than_came_back(
    api: Api,
    appid: str,
    name: str,
    trend: str,
    periods: list[tuple[date, date]],
    later: Callable[[date, date, int], tuple[date, date]],
) -> None:
    """Key 0 is the period's new (active) users; key k those of them who came in the k-th later
    period: fewer each key, the new among the active, and among that later period's users who
    had come before (its visit_uv minus its visit_uv_new)."""
    for begin, end in periods:
        retain = api(name, begin, end, appid)
        row = api(trend, begin, end, appid)["list"][0]
        new = {item["key"]: item["value"] for item in retain["visit_uv_new"]}
        active = {item["key"]: item["value"] for item in retain["visit_uv"]}
        assert (new[0], active[0]) == (row["visit_uv_new"], row["visit_uv"])
        for group in (new, active):
            assert all(later_ <= earlier for earlier, later_ in itertools.pairwise(group.values())), (begin, retain)
        assert all(new[k] <= active[k] for k in active), retain
        for k in sorted(active)[1:]:
            then = api(trend, *later(begin, end, k), appid)["list"][0]
            assert active[k] <= then["visit_uv"] - then["visit_uv_new"], (begin, k)
        assert 0 < active[1] < active[0] and 0 < new[1] < new[0], retain  # some come back, not all


@pytest.mark.parametrize("appid", TWO_APPS)
def test_daily_retention_fades_over_a_month(api: Api, appid: str) -> None:
    for day in days(FIRST, LAST)[::9]:
        curve = [item["value"] for item in api(DAILY_RETAIN, day, day, appid)["visit_uv"]]
        assert curve[-1] < 0.8 * curve[1] and curve[1] < 0.6 * curve[0], (
            day,
            curve,
        )  # day 30 below day 1, day 1 below day 0


# ------------------------------------------------------------------------------ the daily summary


@pytest.mark.parametrize("appid", TWO_APPS)
def test_visit_total_grows_by_the_days_new_users_and_shares_are_among_its_users(
    api: Api, daily: Rows, appid: str
) -> None:
    before = api(SUMMARY, FIRST - timedelta(days=1), FIRST - timedelta(days=1), appid)["list"][0]["visit_total"]
    for day in days(FIRST, LAST):
        summary, trend = api(SUMMARY, day, day, appid)["list"][0], daily[appid, day]
        assert summary["visit_total"] - before == trend["visit_uv_new"], day
        assert 0 < summary["share_uv"] <= summary["share_pv"] <= trend["visit_pv"], (day, summary)
        assert summary["share_uv"] < trend["visit_uv"] / 5, (day, summary)  # a few of the day's users share
        before = summary["visit_total"]


# ------------------------------------------------------------------------------ sources


def indexes(reply: dict[str, Any]) -> dict[str, dict[int, int]]:
    return {entry["index"]: {item["key"]: item["value"] for item in entry["item_list"]} for entry in reply["list"]}


DEPTH_FROM = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 11}  # access_depth_info keys: at least this many pages
STAY_FROM = {
    1: 0,
    2: 3,
    3: 6,
    4: 11,
    5: 21,
    6: 31,
    7: 51,
    8: 101,
}  # access_staytime_info keys: at least this many seconds


@pytest.mark.parametrize("appid", TWO_APPS)
def test_sources_stay_and_depth_are_shares_of_the_days_sessions(api: Api, daily: Rows, appid: str) -> None:
    for day in days(FIRST, LAST)[::2]:
        found, trend = indexes(api(DISTRIBUTION, day, day, appid)), daily[appid, day]
        sessions, users = found["access_source_session_cnt"], found["access_source_visit_uv"]
        assert sum(sessions.values()) == trend["session_cnt"] and sum(users.values()) == trend["visit_uv"], day
        assert all(users[key] <= sessions.get(key, 0) for key in users), day  # a source's users came in its sessions
        assert (
            sum(found["access_staytime_info"].values())
            == sum(found["access_depth_info"].values())
            == trend["session_cnt"]
        )
        # a session of the "6-10 pages" bucket saw at least 6 pages, ...: the buckets' least views fit in the day's
        assert sum(DEPTH_FROM[key] * count for key, count in found["access_depth_info"].items()) <= trend["visit_pv"], (
            day
        )
        least_stay = sum(STAY_FROM[key] * count for key, count in found["access_staytime_info"].items())
        assert least_stay <= trend["stay_time_session"] * trend["session_cnt"], day


# ------------------------------------------------------------------------------ pages


@pytest.mark.parametrize("appid", [DEFAULT_APPID, BIG_APPID, SMALL_APPID])
def test_pages_share_the_days_views_sessions_stay_and_shares(api: Api, appid: str) -> None:
    for day in days(FIRST, LAST)[::5]:
        trend = api(DAILY, day, day, appid)["list"][0]
        summary = api(SUMMARY, day, day, appid)["list"][0]
        pages = api(PAGE, day, day, appid)["list"]
        assert sum_of(pages, "entrypage_pv") == sum_of(pages, "exitpage_pv") == trend["session_cnt"], day
        assert sum_of(pages, "page_share_pv") == summary["share_pv"], day
        assert all(
            page["entrypage_pv"] <= page["page_visit_pv"] and page["exitpage_pv"] <= page["page_visit_pv"]
            for page in pages
        )
        stay = sum(page["page_visit_pv"] * page["page_staytime_pv"] for page in pages)
        if len(pages) < 200:  # every page anybody opened is listed: they hold all the day's views and stay
            assert sum_of(pages, "page_visit_pv") == trend["visit_pv"], day
            whole = trend["stay_time_session"] * trend["session_cnt"]  # both rounded to 4 places
            assert stay == pytest.approx(whole, abs=0.0001 * (trend["visit_pv"] + trend["session_cnt"])), day
        else:  # the top 200
            assert (
                sum_of(pages, "page_visit_pv") < trend["visit_pv"]
                and stay < trend["stay_time_session"] * trend["session_cnt"]
            )


@pytest.mark.parametrize("appid", [DEFAULT_APPID, BIG_APPID, SMALL_APPID])
def test_sessions_start_on_the_home_page_and_end_on_detail_pages(api: Api, appid: str) -> None:
    details = []
    for day in days(FIRST, LAST)[::5]:
        pages = {page["page_path"]: page for page in api(PAGE, day, day, appid)["list"]}
        home = pages["pages/index/index"]
        assert home["entrypage_pv"] == max(page["entrypage_pv"] for page in pages.values()), day
        assert home["entrypage_pv"] > home["exitpage_pv"], (day, home)
        assert home["entrypage_pv"] > 0.3 * sum(page["entrypage_pv"] for page in pages.values()), (day, home)
        details += [page for path, page in pages.items() if "/detail" in path]
    assert sum_of(details, "exitpage_pv") > 1.5 * sum_of(details, "entrypage_pv")
    assert sum(page["exitpage_pv"] > page["entrypage_pv"] for page in details) > 0.9 * len(details)


# ------------------------------------------------------------------------------ portraits


def totals(group: dict[str, list[dict[str, Any]]]) -> set[int]:
    return {sum_of(items, "value") for items in group.values()}


def items_of(group: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], int]:
    """Each item's users, by dimension and name."""
    return {(dimension, item["name"]): item["value"] for dimension, items in group.items() for item in items}


@pytest.mark.parametrize("appid", TWO_APPS)
def test_a_days_portrait_is_its_users_and_the_new_are_among_them(api: Api, daily: Rows, appid: str) -> None:
    for day in days(FIRST, LAST)[::4]:
        reply, trend = api(PORTRAIT, day, day, appid), daily[appid, day]
        assert totals(reply["visit_uv"]) == {trend["visit_uv"]} and totals(reply["visit_uv_new"]) == {
            trend["visit_uv_new"]
        }, day
        active = items_of(reply["visit_uv"])
        assert all(value <= active.get(item, 0) for item, value in items_of(reply["visit_uv_new"]).items()), day


@pytest.mark.parametrize("appid", TWO_APPS)
@pytest.mark.parametrize("length", [7, 30])
def test_a_ranges_portrait_counts_its_users_as_its_weeks_and_months_do(
    api: Api, daily: Rows, appid: str, length: int
) -> None:
    """A 7 (30) day range that is no natural week (month) has its users by the same rule: between
    its busiest day's and its days' sum, at the share of that sum a natural one has."""
    natural = (
        (WEEKLY, MONDAYS[3], MONDAYS[3] + timedelta(days=6))
        if length == 7
        else (MONTHLY, date(2024, 4, 1), date(2024, 4, 30))
    )
    usual = api(natural[0], natural[1], natural[2], appid)["list"][0]["visit_uv"] / sum_of(
        span(daily, appid, natural[1], natural[2]), "visit_uv"
    )
    for end in days(FIRST + timedelta(days=length), LAST)[::13]:
        begin = end - timedelta(days=length - 1)
        reply, parts = api(PORTRAIT, begin, end, appid), span(daily, appid, begin, end)
        (active,) = totals(reply["visit_uv"])
        assert totals(reply["visit_uv_new"]) == {sum_of(parts, "visit_uv_new")}, end
        assert max(part["visit_uv"] for part in parts) <= active <= sum_of(parts, "visit_uv"), end
        assert active / sum_of(parts, "visit_uv") == pytest.approx(usual, rel=0.05), end
        news = items_of(reply["visit_uv_new"])
        assert all(value <= items_of(reply["visit_uv"]).get(item, 0) for item, value in news.items()), end


@pytest.mark.parametrize("appid", TWO_APPS)
def test_an_apps_audience_is_much_the_same_every_day(api: Api, appid: str) -> None:
    """The share of each gender, platform and age moves a little from day to day, not wholesale."""
    shares: dict[tuple[str, str], list[float]] = {}
    for day in days(FIRST, LAST)[::6]:
        group = api(PORTRAIT, day, day, appid)["visit_uv"]
        for dimension in ("genders", "platforms", "ages"):
            whole = sum_of(group[dimension], "value")
            for item in group[dimension]:
                shares.setdefault((dimension, item["name"]), []).append(item["value"] / whole)
    for item, values in shares.items():
        assert max(values) - min(values) < 0.1, (item, min(values), max(values))
    assert min(shares["genders", "未知"]) < 0.1 < min(shares["genders", "男"])  # few users of unknown gender


@settings(max_examples=30, deadline=None)
@given(
    monday=st.dates(date(2000, 1, 3), date(2025, 5, 26)).map(lambda d: d - timedelta(days=d.weekday())),
    appid=st.sampled_from(sorted(APPS)),
)
def test_any_past_week_is_made_of_its_days(api: Api, monday: date, appid: str) -> None:
    """Any week of any app, not only the half year above: its users within its days' bounds, its
    retention below its users and below those who came back."""
    sunday = monday + timedelta(days=6)
    parts = [api(DAILY, day, day, appid)["list"][0] for day in days(monday, sunday)]
    row = api(WEEKLY, monday, sunday, appid)["list"][0]
    assert max(part["visit_uv"] for part in parts) <= row["visit_uv"] <= sum_of(parts, "visit_uv")
    assert (row["session_cnt"], row["visit_uv_new"]) == (sum_of(parts, "session_cnt"), sum_of(parts, "visit_uv_new"))
    retain = api(WEEKLY_RETAIN, monday, sunday, appid)
    active = [item["value"] for item in retain["visit_uv"]]
    assert active[0] == row["visit_uv"] and all(b <= a for a, b in itertools.pairwise(active))
    if len(active) > 1:
        after = api(WEEKLY, monday + timedelta(days=7), sunday + timedelta(days=7), appid)["list"][0]
        assert active[1] <= after["visit_uv"] - after["visit_uv_new"]


# ------------------------------------------------------------------------------ the docs


def test_the_readmes_first_result_is_what_the_demo_prints() -> None:
    """The README's first example shows the emulator's figures for March 2017; the demo prints them."""
    root = ROOT
    sample = re.search(
        r'^# (\{"list": \[\{"refDate": "201703".*)\n#  (.*)$',
        (root / "README.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert sample is not None, "the README's first example no longer shows a result for 201703"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WX_")}
    proc = run_python("-m", "devtools.demo", "--month", "2017-03", cwd=root, env=env)
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    row = printed["list"][0]
    shown = (
        f'{{"list": [{{"refDate": "{row["refDate"]}", "sessionCnt": {row["sessionCnt"]}, ..., "visitDepth": '
        f"{row['visitDepth']}}}],"
    )
    assert sample[1] == shown
    assert sample[2] == f'"errMsg": "{printed["errMsg"]}", "errCode": {printed["errCode"]}}}'
