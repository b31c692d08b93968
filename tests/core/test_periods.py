"""The period rules of the ten analysis APIs, checked before any request, with the wall clock pinned.

Each case goes through the real client (validation, hints, the error value) against the emulator,
which must never see a request for a date the rules reject.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from wxcloud import (
    DAY,
    MONTH,
    PORTRAIT,
    WEEK,
    Analysis,
    OpenApiClient,
    Period,
    PeriodKind,
    Permissions,
    WxCloudError,
    WxSettings,
    all_apis,
    find_api,
)

from devtools.wechat_emulator import WeChatEmulator

DAILY = [
    "analysis.getDailySummary",
    "analysis.getDailyVisitTrend",
    "analysis.getDailyRetain",
    "analysis.getVisitDistribution",
    "analysis.getVisitPage",
]
WEEKLY = ["analysis.getWeeklyVisitTrend", "analysis.getWeeklyRetain"]
MONTHLY = ["analysis.getMonthlyVisitTrend", "analysis.getMonthlyRetain"]
PORTRAITS = ["analysis.getUserPortrait"]
ALL = DAILY + WEEKLY + MONTHLY + PORTRAITS


def utc(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def client_at(settings: WxSettings) -> Iterator[Callable[[str], OpenApiClient]]:
    """A client whose wall clock is pinned to an RFC 3339 instant."""
    made: list[OpenApiClient] = []

    def make(instant: str) -> OpenApiClient:
        client = OpenApiClient(
            settings, permissions=Permissions.allow(*ALL), sleep=lambda s: None, wall_clock=lambda: utc(instant)
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def rejected(client: OpenApiClient, api: str, begin: Any, end: Any, emulator: WeChatEmulator) -> WxCloudError:
    spec = find_api(api)
    assert spec is not None
    data: dict[str, Any] = {}
    if begin is not None:
        data["beginDate"] = begin
    if end is not None:
        data["endDate"] = end
    with pytest.raises(WxCloudError) as caught:
        client.call(spec, data)
    assert emulator.received == [], "a rejected period must not reach WeChat"
    assert caught.value.err_msg.startswith(f"openapi.{api}:fail ")
    return caught.value


def test_the_ten_apis_are_declared_with_their_period_kind() -> None:
    kinds = {spec.name: spec.request_model.kind for spec in Analysis.apis.values()}
    expected = {
        **dict.fromkeys(DAILY, DAY),
        **dict.fromkeys(WEEKLY, WEEK),
        **dict.fromkeys(MONTHLY, MONTH),
        **dict.fromkeys(PORTRAITS, PORTRAIT),
    }
    assert kinds == expected
    assert len({spec.path for spec in Analysis.apis.values()}) == 10


@pytest.mark.parametrize("api", ALL)
@pytest.mark.parametrize(
    ("begin", "end", "hint"),
    [
        (None, "20240101", "beginDate is required"),
        ("20240101", None, "endDate is required"),
        ("2024-01-01", "20240101", "beginDate '2024-01-01' is not yyyymmdd"),
        ("20240230", "20240230", "beginDate '20240230' is not a calendar date"),
        ("20230229", "20230229", "beginDate '20230229' is not a calendar date"),  # 2023 is no leap year
        ("20240101", 20240101, "endDate must be a string yyyymmdd, got int 20240101"),
        ("２０２４０１０１", "20240101", "is not yyyymmdd"),  # full-width digits
    ],
)
def test_dates_that_are_not_yyyymmdd_are_61500(
    client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, api: str, begin: Any, end: Any, hint: str
) -> None:
    error = rejected(client_at("2026-11-29T04:00:00Z"), api, begin, end, emulator)
    assert error.err_code == 61500 and hint in error.err_msg


@pytest.mark.parametrize("api", DAILY)
def test_daily_apis_take_one_day(client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, api: str) -> None:
    error = rejected(client_at("2026-11-29T04:00:00Z"), api, "20241230", "20241231", emulator)
    assert error.err_code == 61501
    assert (
        "beginDate and endDate must be the same day, such as beginDate 20241230 and endDate 20241230" in error.err_msg
    )


@pytest.mark.parametrize("api", WEEKLY)
@pytest.mark.parametrize(
    ("begin", "end", "hint"),
    [
        (
            "20241231",
            "20250106",
            "beginDate 20241231 is a Tuesday; for its week send beginDate 20241230 and endDate 20250105",
        ),
        ("20241230", "20250104", "endDate must be 20250105, the Sunday after beginDate 20241230; got 20250104"),
        ("20241230", "20250112", "endDate must be 20250105"),
        (
            "20240229",
            "20240306",
            "beginDate 20240229 is a Thursday; for its week send beginDate 20240226 and endDate 20240303",
        ),
    ],
)
def test_weekly_apis_take_monday_to_sunday(
    client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, api: str, begin: str, end: str, hint: str
) -> None:
    error = rejected(client_at("2026-11-29T04:00:00Z"), api, begin, end, emulator)
    assert error.err_code == 61501 and hint in error.err_msg


@pytest.mark.parametrize("api", MONTHLY)
@pytest.mark.parametrize(
    ("begin", "end", "hint"),
    [
        (
            "20240202",
            "20240229",
            "beginDate 20240202 is not the first day of a month; for that month send beginDate 20240201 and endDate "
            "20240229",
        ),
        (
            "20240201",
            "20240228",
            "endDate must be 20240229, the last day of the month beginDate 20240201 starts; got 20240228",
        ),
        ("20230201", "20230301", "endDate must be 20230228"),
    ],
)
def test_monthly_apis_take_one_natural_month(
    client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, api: str, begin: str, end: str, hint: str
) -> None:
    error = rejected(client_at("2026-11-29T04:00:00Z"), api, begin, end, emulator)
    assert error.err_code == 61501 and hint in error.err_msg


@pytest.mark.parametrize(
    ("begin", "end"),
    [("20240101", "20240102"), ("20240101", "20240109"), ("20240102", "20240101"), ("20240101", "20240201")],
)
def test_a_portrait_covers_1_7_or_30_days(
    client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, begin: str, end: str
) -> None:
    error = rejected(client_at("2026-11-29T04:00:00Z"), "analysis.getUserPortrait", begin, end, emulator)
    assert error.err_code == 61501
    assert "a user portrait covers 1, 7 or 30 days (endDate - beginDate is 0, 6 or 29)" in error.err_msg
    assert f"1 day (beginDate {end} and endDate {end})" in error.err_msg


# Beijing midnight is 16:00 UTC: one second before it, Beijing's "today" is still the day before.
@pytest.mark.parametrize(
    ("now", "api", "begin", "end", "hint"),
    [
        (
            "2026-11-28T16:00:00Z",
            "analysis.getDailyVisitTrend",
            "20261129",
            "20261129",
            "the day 20261129..20261129 is not over yet in Beijing time; the latest WeChat can report is beginDate "
            "20261128 and endDate 20261128",
        ),
        (
            "2026-11-28T15:59:59Z",
            "analysis.getVisitPage",
            "20261128",
            "20261128",
            "the latest WeChat can report is beginDate 20261127 and endDate 20261127",
        ),
        (
            "2026-11-28T15:59:59Z",
            "analysis.getDailySummary",
            "20261201",
            "20261201",
            "the day 20261201..20261201 is not over yet",
        ),
        (
            "2024-12-31T20:00:00Z",
            "analysis.getWeeklyRetain",
            "20241230",
            "20250105",
            "the week 20241230..20250105 is not over yet in Beijing time; the latest WeChat can report is beginDate "
            "20241223 and endDate 20241229",
        ),
        (
            "2025-01-05T15:59:59Z",
            "analysis.getWeeklyVisitTrend",
            "20241230",
            "20250105",
            "the week 20241230..20250105 is not over yet",
        ),
        (
            "2024-02-29T16:00:00Z",
            "analysis.getMonthlyRetain",
            "20240301",
            "20240331",
            "202403 is not over yet in Beijing time; the latest month WeChat can report is 202402 (beginDate "
            "20240201 and endDate 20240229)",
        ),
        (
            "2024-02-29T15:59:59Z",
            "analysis.getMonthlyVisitTrend",
            "20240201",
            "20240229",
            "the latest month WeChat can report is 202401",
        ),
        (
            "2026-11-28T16:00:00Z",
            "analysis.getUserPortrait",
            "20261123",
            "20261129",
            "a user portrait must end yesterday (20261128) or earlier in Beijing time; the latest of the "
            "same span is beginDate 20261122 and endDate 20261128",
        ),
    ],
)
def test_a_period_not_over_in_beijing_time_is_61503_with_the_latest_valid_one(
    client_at: Callable[[str], OpenApiClient],
    emulator: WeChatEmulator,
    now: str,
    api: str,
    begin: str,
    end: str,
    hint: str,
) -> None:
    error = rejected(client_at(now), api, begin, end, emulator)
    assert error.err_code == 61503 and error.reason == "data not ready, please try later"
    assert hint in error.err_msg


@pytest.mark.parametrize(
    ("now", "api", "begin", "end"),
    [
        (
            "2026-11-28T16:00:00Z",
            "analysis.getDailyVisitTrend",
            "20261128",
            "20261128",
        ),  # yesterday in Beijing since 1 s
        (
            "2025-01-05T16:00:00Z",
            "analysis.getWeeklyRetain",
            "20241230",
            "20250105",
        ),  # a week across the new year, just over
        ("2024-02-29T16:00:00Z", "analysis.getMonthlyVisitTrend", "20240201", "20240229"),  # a leap February, just over
        ("2026-11-28T16:00:00Z", "analysis.getUserPortrait", "20261030", "20261128"),  # 30 days ending yesterday
        (
            "2026-11-28T16:00:00Z",
            "analysis.getDailySummary",
            "20000101",
            "20000101",
        ),  # old periods are WeChat's to judge
    ],
)
def test_a_period_just_over_is_sent(
    client_at: Callable[[str], OpenApiClient], emulator: WeChatEmulator, now: str, api: str, begin: str, end: str
) -> None:
    spec = find_api(api)
    assert spec is not None
    try:
        client_at(now).call(spec, {"beginDate": begin, "endDate": end})
    except WxCloudError as exc:  # the emulator runs on today's clock and judges for itself
        assert exc.err_code not in (61500, 61501) or emulator.received
    sent = [r.json() for r in emulator.requests_to(spec.path)]
    assert sent == [{"begin_date": begin, "end_date": end}]


# ---- the period kinds themselves ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "today", "latest"),
    [
        (DAY, date(2024, 3, 1), Period(date(2024, 2, 29), date(2024, 2, 29))),
        (DAY, date(2025, 1, 1), Period(date(2024, 12, 31), date(2024, 12, 31))),
        (WEEK, date(2025, 1, 6), Period(date(2024, 12, 30), date(2025, 1, 5))),  # Monday: last week just ended
        (WEEK, date(2025, 1, 5), Period(date(2024, 12, 23), date(2024, 12, 29))),  # Sunday: this week not over
        (MONTH, date(2024, 3, 1), Period(date(2024, 2, 1), date(2024, 2, 29))),
        (MONTH, date(2025, 1, 31), Period(date(2024, 12, 1), date(2024, 12, 31))),
        (PORTRAIT, date(2024, 3, 1), Period(date(2024, 1, 31), date(2024, 2, 29))),
    ],
)
def test_latest_is_the_newest_period_over(kind: PeriodKind, today: date, latest: Period) -> None:
    assert kind.latest(today) == latest
    assert kind.problem(latest.begin, latest.end) is None
    assert kind.not_over(latest, today) is None


@pytest.mark.parametrize("kind", [DAY, WEEK, MONTH, PORTRAIT])
def test_series_tiles_history_without_gaps_or_overlap(kind: PeriodKind) -> None:
    first, today = date(2023, 12, 27), date(2025, 3, 3)
    periods = list(kind.series(first, today))
    assert periods, "a year has periods of every kind"
    assert all(p.begin >= first and p.end < today for p in periods)
    assert all(kind.problem(p.begin, p.end) is None for p in periods)
    assert periods == sorted(periods, key=lambda p: (p.end, p.end - p.begin))  # oldest first
    spans = {(p.end - p.begin).days + 1 for p in periods}
    assert kind is not PORTRAIT or spans == {1, 7, 30}
    for span in (
        spans if kind is PORTRAIT else [None]
    ):  # a portrait's spans are three series, each tiling history on its own
        tiles = [p for p in periods if span is None or (p.end - p.begin).days + 1 == span]
        assert all((b.begin - a.end).days == 1 for a, b in itertools.pairwise(tiles))
    assert periods[-1] == kind.latest(today) if kind is not PORTRAIT else periods[-1].end == DAY.latest(today).end


def test_portraits_of_7_and_30_days_start_on_mondays_and_every_30_days_from_the_epoch() -> None:
    periods = list(PORTRAIT.series(date(2024, 12, 31), date(2025, 3, 3)))
    weeks = [p for p in periods if (p.end - p.begin).days == 6]
    months = [p for p in periods if (p.end - p.begin).days == 29]
    assert weeks[0] == Period(date(2025, 1, 6), date(2025, 1, 12)) and all(p.begin.weekday() == 0 for p in weeks)
    assert all((p.begin - date(2017, 1, 1)).days % 30 == 0 for p in months) and months[0].begin == date(2025, 1, 19)
    assert (
        list(PORTRAIT.series(months[0].begin, months[0].end + timedelta(days=1)))[-1] == months[0]
    )  # the same spans from any first day


def test_series_starts_at_the_first_whole_period() -> None:
    assert next(WEEK.series(date(2024, 12, 31), date(2025, 2, 1))) == Period(date(2025, 1, 6), date(2025, 1, 12))
    assert next(MONTH.series(date(2024, 2, 2), date(2025, 2, 1))) == Period(date(2024, 3, 1), date(2024, 3, 31))
    assert next(MONTH.series(date(2024, 2, 1), date(2025, 2, 1))) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert list(DAY.series(date(2024, 1, 1), date(2024, 1, 1))) == []


def test_a_timer_asks_each_api_for_its_own_latest_period() -> None:
    fired = datetime(2025, 1, 5, 16, 30, tzinfo=timezone.utc)  # Monday 6 January, 00:30 in Beijing
    asked = {spec.name: spec.request_model.scheduled(fired) for spec in all_apis()}
    assert asked["analysis.getDailyVisitTrend"] == {"beginDate": "20250105", "endDate": "20250105"}
    assert asked["analysis.getWeeklyRetain"] == {"beginDate": "20241230", "endDate": "20250105"}
    assert asked["analysis.getMonthlyVisitTrend"] == {"beginDate": "20241201", "endDate": "20241231"}
    assert asked["analysis.getUserPortrait"] == {"beginDate": "20241207", "endDate": "20250105"}
