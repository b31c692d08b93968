"""The emulator's analysis APIs asked over plain HTTP, as the emulator's own tests ask them: its apps
of three sizes, the ten API names, a pinned clock, a caller that fetches each app's token and
posts a period, and the date arithmetic the tests read their periods with."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import requests

from devtools.wechat_emulator import ANALYSIS_PATHS, DEFAULT_APPID, DEFAULT_SECRET, WeChatEmulator

BEIJING = timezone(timedelta(hours=8))
# Sunday 2025-06-15, noon in Beijing: yesterday is 2025-06-14, the last finished week is
# 2025-06-02..08 (the current one ends today), the last finished month is May 2025.
NOON = datetime(2025, 6, 15, 12, 0, tzinfo=BEIJING).timestamp()
TODAY = date(2025, 6, 15)

# Three apps of different sizes: the default one; one with more than 200 pages that are all
# visited (the page list is cut at 200); a small one whose rarely seen pages are left out.
BIG_APPID = "wx0004analysis000004"
SMALL_APPID = "wx0003analysis000003"
APPS = {DEFAULT_APPID: DEFAULT_SECRET, BIG_APPID: "big-secret", SMALL_APPID: "small-secret"}

SUMMARY = "analysis.getDailySummary"
DAILY, WEEKLY, MONTHLY = "analysis.getDailyVisitTrend", "analysis.getWeeklyVisitTrend", "analysis.getMonthlyVisitTrend"
DAILY_RETAIN, WEEKLY_RETAIN, MONTHLY_RETAIN = (
    "analysis.getDailyRetain",
    "analysis.getWeeklyRetain",
    "analysis.getMonthlyRetain",
)
DISTRIBUTION, PAGE, PORTRAIT = "analysis.getVisitDistribution", "analysis.getVisitPage", "analysis.getUserPortrait"
RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")


class Clock:
    """A settable clock: the datacube's "today" is the Beijing date of ``now``."""

    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Api:
    """Calls the emulator's analysis paths by cloud-call name, with a token per app."""

    def __init__(self, emulator: WeChatEmulator, session: requests.Session) -> None:
        self.emulator = emulator
        self.session = session
        self.tokens: dict[str, str] = {}
        self.renew()

    def renew(self) -> None:
        """Current tokens, as a client would fetch after moving the clock past their lifetime (the
        stable endpoint hands out a new token once the old one has expired or been expired)."""
        self.tokens = {appid: self._token(appid, secret) for appid, secret in APPS.items()}

    def _token(self, appid: str, secret: str) -> str:
        body = {"grant_type": "client_credential", "appid": appid, "secret": secret}
        return str(
            self.session.post(self.emulator.url + "/cgi-bin/stable_token", json=body, timeout=5).json()["access_token"]
        )

    def post(self, name: str, body: Any, appid: str = DEFAULT_APPID) -> requests.Response:
        url = self.emulator.url + ANALYSIS_PATHS[name]
        return self.session.post(url, params={"access_token": self.tokens[appid]}, json=body, timeout=5)

    def __call__(self, name: str, begin: date | str, end: date | str, appid: str = DEFAULT_APPID) -> Any:
        body = {"begin_date": ymd(begin), "end_date": ymd(end)}
        reply = self.post(name, body, appid).json()
        assert "errcode" not in reply, (name, body, reply)
        return reply

    def error(self, name: str, begin: Any, end: Any) -> tuple[int, str]:
        reply = self.post(name, {"begin_date": begin, "end_date": end}).json()
        assert RID.search(reply["errmsg"]), reply
        return reply["errcode"], RID.sub("", reply["errmsg"])


def ymd(day: date | str) -> str:
    return (
        day if isinstance(day, str) else f"{day.year:04d}{day.month:02d}{day.day:02d}"
    )  # %Y is not zero-padded below 1000


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def sum_of(rows: list[dict[str, Any]], key: str) -> int:
    return sum(row[key] for row in rows)
