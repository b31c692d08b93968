"""A loopback HTTP emulator of the WeChat server API used by this project.

Why it exists: the ported ``openapi`` calls must be tested (and benchmarked) against something
that behaves like ``api.weixin.qq.com`` -- same paths, same JSON shapes, same error codes, the
same token-lifetime rules -- without ever contacting WeChat. Mocking ``requests`` would hide the
HTTP layer (timeouts, resets, keep-alive, non-JSON gateway pages), so this is a real HTTP server
on 127.0.0.1, built from the standard library only so it runs anywhere the tests run.

Implemented endpoints (everything else answers errcode 40066 "invalid url", as WeChat does):

* ``POST /cgi-bin/stable_token`` -- one stable token per appid, renewed in its last 300 s,
  ``force_refresh`` with the 30 s debounce.
* ``POST /datacube/getweanalysisappid...`` -- the ten cloud-callable ``analysis`` APIs
  (:data:`ANALYSIS_PATHS`), with WeChat's period rules (61500 / 61501 / 61503) and
  deterministic data that agrees across them: the same (appid, day) always gives the same
  figures, weeks and months are made of their days, retain key 0 is the trend's user count.
  Retention fills in after the fact, as WeChat's does: key ``k`` (days, weeks or months later)
  is in a reply only once that later day, week or month is over in Beijing and computed, by the
  emulator's clock; the morning after a day, its retention is key 0 alone. A key's value never
  depends on when it is asked.

``GET /cgi-bin/token`` is left out on purpose: the library never calls it (each call there kills
the previous token), so it answers 40066 like any unknown path, and a request to it is still
recorded, so tests can assert that nothing asked for it.

Tests steer failures with :class:`Fault` objects queued per path (:meth:`WeChatEmulator.add_fault`),
revise a period's figures after the fact (:meth:`WeChatEmulator.revise`: from then on that period
of that API answers every integer figure ``by`` higher, so a test can prove an archive notices a
revision), move time with the ``clock`` they pass in, and inspect what the client sent through
:attr:`WeChatEmulator.received`.

Run ``python -m devtools.wechat_emulator [--port N]`` to serve by hand.
"""

from __future__ import annotations

import argparse
import calendar
import functools
import hashlib
import itertools
import json
import math
import secrets
import selectors
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # typing.Self is 3.11+; this import never runs, so the module stays stdlib-only
    from typing_extensions import Self

__all__ = [
    "ANALYSIS_PATHS",
    "DEFAULT_APPID",
    "DEFAULT_SECRET",
    "MONTHLY_VISIT_TREND_PATH",
    "Fault",
    "Received",
    "WeChatEmulator",
    "main",
]

DEFAULT_APPID = "wx0000emulator0001"
DEFAULT_SECRET = "emulator-secret-0123456789abcdef"  # public fake test data, not a real secret
MONTHLY_VISIT_TREND_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"

STABLE_TOKEN_PATH = "/cgi-bin/stable_token"

# WeChat really sends this (odd) content type on its JSON replies; clients must cope with it.
JSON_CONTENT_TYPE = "application/json; encoding=utf-8"

# Token-lifetime rules of WeChat's documentation, in seconds.
_STABLE_RENEW_WINDOW = 300  # a stable token in its last 300 s is replaced by a normal request
_FORCE_REFRESH_DEBOUNCE = 30  # force_refresh sooner than this after the last one is a no-op

_BEIJING = timezone(timedelta(hours=8))  # datacube "days" and "months" are Beijing calendar ones

_DEFAULT_HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request exactly as the emulator received it, so tests can assert on the wire format.

    ``path`` excludes the query string; ``query`` keeps the first value of each parameter
    (blank values included); ``headers`` keeps header names as the client spelled them.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON (tests rarely care why)."""
        try:
            return json.loads(self.body)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            return None


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour for one request; build it with the classmethods, not directly.

    The fields are an implementation detail: ``kind`` selects the behaviour and only the fields
    that kind uses are meaningful.
    """

    kind: str
    code: int = 0
    msg: str = ""
    status: int = 200
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    seconds: float = 0.0
    then: Fault | None = None

    @classmethod
    def errcode(cls, code: int, msg: str) -> Fault:
        """Answer 200 with WeChat's error JSON; a fresh rid is appended to ``msg`` per reply."""
        return cls(kind="errcode", code=code, msg=msg)

    @classmethod
    def http(
        cls,
        status: int,
        body: str = _DEFAULT_HTML_502,
        content_type: str = "text/html",
    ) -> Fault:
        """Answer a non-200 status, by default the HTML page a gateway returns on a 502."""
        return cls(kind="reply", status=status, body=body.encode("utf-8"), content_type=content_type)

    @classmethod
    def raw(
        cls,
        body: bytes | str,
        status: int = 200,
        content_type: str = JSON_CONTENT_TYPE,
    ) -> Fault:
        """Answer any bytes: text that is not JSON, an empty body, or a canned JSON document."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return cls(kind="reply", status=status, body=data, content_type=content_type)

    @classmethod
    def delay(cls, seconds: float, then: Fault | None = None) -> Fault:
        """Wait ``seconds`` (interruptible by ``stop()``), then answer normally or with ``then``."""
        if seconds < 0:
            raise ValueError("delay must not be negative")
        return cls(kind="delay", seconds=float(seconds), then=then)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without any reply; SO_LINGER 0 makes the client see a reset."""
        return cls(kind="drop")

    @classmethod
    def expire_tokens(cls) -> Fault:
        """Expire every token issued so far, then handle the request normally (-> 42001)."""
        return cls(kind="expire_tokens")


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


@dataclass
class _Token:
    """Server-side record of one access token; mutable because WeChat's rules revoke tokens."""

    appid: str
    expires_at: float
    invalid: bool = False  # revoked: answers 40001
    expired: bool = False  # forced past expiry: answers 42001 whatever the clock says


@dataclass(frozen=True)
class _Reply:
    """A complete HTTP reply, written to the socket in one ``sendall``."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE


class _ApiError(Exception):
    """Raised inside an endpoint handler to answer a WeChat errcode; keeps handlers linear."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


# --------------------------------------------------------------------------------------------
# Datacube: the ten ``analysis`` endpoints, one table entry each
# --------------------------------------------------------------------------------------------
#
# Every figure comes from one day's numbers, ``_day(appid, day)``, a deterministic function of the
# two; weeks, months and portrait ranges add their days up. That makes the APIs agree with each
# other the way WeChat's do: a week's sessions are its days' sessions, a retain reply's key 0 is
# the trend's user count for the same period, a distribution adds up to the day's sessions.

DatacubeGenerator = Callable[[str, date, date, str], dict[str, Any]]
"""``(appid, begin, end, ref_date) -> the reply``; must be deterministic."""

Known = Callable[[date], bool]
"""Whether WeChat has computed a Beijing day yet: the day is over and its computation has run
(:meth:`WeChatEmulator._data_ready`'s rule, at the moment of the request)."""

TimedGenerator = Callable[[str, date, date, str, Known], dict[str, Any]]
"""``(appid, begin, end, ref_date, known) -> the reply``: what an endpoint runs. Only retention
looks at ``known``; every other reply is complete once its period is answered at all."""

_PAGE_LIMIT = 200  # getVisitPage reports the top 200 pages only


def _ymd(day: date) -> str:
    """``yyyymmdd``; ``strftime("%Y")`` would not zero-pad years below 1000 on every platform."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


@dataclass(frozen=True)
class _Period:
    """A period rule: which (begin, end) pairs a path accepts (else 61501) and its ``ref_date``."""

    accepts: Callable[[date, date], bool]
    ref_date: Callable[[date, date], str]


_DAY = _Period(lambda b, e: b == e, lambda b, e: _ymd(b))
_WEEK = _Period(lambda b, e: b.weekday() == 0 and (e - b).days == 6, lambda b, e: f"{_ymd(b)}-{_ymd(e)}")
_MONTH = _Period(
    lambda b, e: b.day == 1 and (e.year, e.month, e.day) == (b.year, b.month, calendar.monthrange(b.year, b.month)[1]),
    lambda b, e: f"{b.year:04d}{b.month:02d}",
)
# The portrait takes 1, 7 or 30 days ending anywhere. Whether WeChat's ref_date names the range or
# its first day is not settled; the emulator names one day as "yyyymmdd", a range as "yyyymmdd-yyyymmdd".
_PORTRAIT = _Period(
    lambda b, e: (e - b).days in (0, 6, 29),
    lambda b, e: _ymd(b) if b == e else f"{_ymd(b)}-{_ymd(e)}",
)


class _Unit:
    """Deterministic pseudo-random fractions in [0, 1) drawn from a SHA-256 digest.

    Hashing instead of ``random.Random`` keeps the data stable across Python versions, so tests
    and benchmarks written against one interpreter see the same numbers on another.
    """

    def __init__(self, *parts: str) -> None:
        self._seed = "\x00".join(parts).encode("utf-8")
        self._counter = 0

    def next(self) -> float:
        """The next fraction; each call hashes seed + counter, so there is no limit on draws."""
        digest = hashlib.sha256(self._seed + self._counter.to_bytes(4, "big")).digest()
        self._counter += 1
        return int.from_bytes(digest[:8], "big") / 2**64

    def weights(self, count: int, skew: float = 2.0) -> list[int]:
        """``count`` positive integer weights; a higher ``skew`` makes a few of them dominate."""
        return [1 + int(self.next() ** skew * 2**32) for _ in range(count)]


def _split(total: int, weights: list[int]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` that add up to ``total`` exactly.

    Integer floors first, then one leftover unit each to the heaviest weights: for weights in
    descending order the parts come out descending too, which the page list relies on.
    """
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    heaviest = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    for i in heaviest[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class _App:
    """What stays the same for one app: its size and the number of pages it has."""

    new_per_day: float  # >= 10, which keeps every day's new users >= 1 (see _users_so_far)
    returning_per_day: float
    pages: int


@functools.lru_cache(maxsize=1024)
def _app(appid: str) -> _App:
    rnd = _Unit("app-size", appid)
    new_per_day = 10.0 + 2000.0 * rnd.next()
    return _App(new_per_day, new_per_day * (2.0 + 10.0 * rnd.next()), 5 + int(400 * rnd.next()))


_LAUNCH = date(2017, 1, 9).toordinal()  # a Monday: when every emulated app starts to grow
_FIRST_USERS = date(2016, 1, 1).toordinal()  # whence cumulative users are counted (visit_total)
_GROWTH_PER_YEAR = 0.3  # each year adds 30% of the first year's daily new users to every later day
_WEEKLY_NEW = 0.12  # amplitude of the weekly swing of new users (in days' worth of the base rate)


def _level(ordinal: int) -> float:
    """How much bigger than at launch the app is on day ``ordinal``: 1 until launch, then growing
    slowly and steadily (``_GROWTH_PER_YEAR``), so a year of reports shows a trend."""
    return 1.0 + _GROWTH_PER_YEAR * max(0, ordinal - _LAUNCH) / 365.0


def _users_so_far(appid: str, ordinal: int) -> int:
    """The app's cumulative users at the end of day ``ordinal`` (daily summary's ``visit_total``).

    In closed form, so any day's total costs O(1): the integral of a slowly growing daily rate
    (``_level``), a weekly swing (a sine of period 7) and a jitter of
    at most 0.6 of a day's base rate. The swing moves a day's total by at most 0.11 of the base
    rate and the jitter by 0.6, so the total still rises every day by at least 0.29 * 10 users,
    which are that day's new users.
    """
    rate = _app(appid).new_per_day
    grown = max(0, ordinal - _LAUNCH)
    # counted from a year before the launch (the app's users before it grew), not from year 1, so
    # the cumulative total is that of a real app's few years, not of twenty centuries
    smooth = (ordinal - _FIRST_USERS) + _GROWTH_PER_YEAR * grown * grown / 730.0
    weekly = _WEEKLY_NEW * math.sin(2 * math.pi * (ordinal % 7) / 7)
    return math.floor(rate * (smooth + weekly) + 0.6 * rate * _Unit("users", appid, str(ordinal)).next())


@dataclass(frozen=True)
class _Figures:
    """A period's visit figures: sessions, page views and stay time add up over days; users do not."""

    session_cnt: int
    visit_pv: int
    visit_uv: int
    visit_uv_new: int
    stay_seconds: int  # all sessions together
    share_pv: int
    share_uv: int


_WEEKDAY_RETURNING = (0.92, 0.95, 0.97, 1.0, 1.08, 1.2, 1.15)  # Monday..Sunday: busier weekends


@functools.lru_cache(maxsize=1 << 16)
def _day(appid: str, day: date) -> _Figures:
    """One day's figures; ``0 < visit_uv_new <= visit_uv <= session_cnt <= visit_pv`` always."""
    app = _app(appid)
    rnd = _Unit("day", appid, _ymd(day))
    new = _users_so_far(appid, day.toordinal()) - _users_so_far(appid, day.toordinal() - 1)
    level = _level(day.toordinal())  # returning users grow with the app
    uv = new + round(app.returning_per_day * level * _WEEKDAY_RETURNING[day.weekday()] * (0.88 + 0.24 * rnd.next()))
    habits = _Unit("habits", appid)  # how this app is used: the day's figures vary a little around it
    per_user, per_session, stay = 1.2 + 0.8 * habits.next(), 2.5 + 3.0 * habits.next(), 60.0 + 240.0 * habits.next()
    sessions = math.ceil(uv * per_user * (0.9 + 0.2 * rnd.next()))
    share_uv = round(uv * (0.02 + 0.06 * habits.next()) * (0.8 + 0.4 * rnd.next()))
    return _Figures(
        session_cnt=sessions,
        visit_pv=round(sessions * per_session * (0.9 + 0.2 * rnd.next())),
        visit_uv=uv,
        visit_uv_new=new,
        stay_seconds=round(sessions * stay * (0.85 + 0.3 * rnd.next())),
        share_pv=share_uv + round(share_uv * (0.3 + 0.6 * rnd.next())),
        share_uv=share_uv,
    )


def _figures(appid: str, begin: date, end: date) -> _Figures:
    """The figures of ``begin..end``: sums of the days', users counted once per period.

    A period's users lie between the busiest day's (or all its new users, who are different
    people each day) and the sum over its days (nobody came back twice); where in between is
    drawn per period. A single day comes out as that day's own figures.
    """
    days = [_day(appid, begin + timedelta(days=i)) for i in range((end - begin).days + 1)]
    overlap = 0.3 + 0.5 * _Unit("period-users", appid, _ymd(begin), _ymd(end)).next()

    def distinct(low: int, high: int) -> int:
        return low + round((high - low) * overlap)

    new = sum(d.visit_uv_new for d in days)
    return _Figures(
        session_cnt=sum(d.session_cnt for d in days),
        visit_pv=sum(d.visit_pv for d in days),
        visit_uv=distinct(max(new, *(d.visit_uv for d in days)), sum(d.visit_uv for d in days)),
        visit_uv_new=new,
        stay_seconds=sum(d.stay_seconds for d in days),
        share_pv=sum(d.share_pv for d in days),
        share_uv=distinct(max(d.share_uv for d in days), sum(d.share_uv for d in days)),
    )


def _visit_trend(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """Daily, weekly and monthly visit trend: one row with WeChat's derived averages."""
    fig = _figures(appid, begin, end)
    stay_time_session = round(fig.stay_seconds / fig.session_cnt, 4)
    row = {
        "ref_date": ref,
        "session_cnt": fig.session_cnt,
        "visit_pv": fig.visit_pv,
        "visit_uv": fig.visit_uv,
        "visit_uv_new": fig.visit_uv_new,
        "stay_time_uv": round(stay_time_session * fig.session_cnt / fig.visit_uv, 4),
        "stay_time_session": stay_time_session,
        "visit_depth": round(fig.visit_pv / fig.session_cnt, 4),
    }
    return {"list": [row]}


def _daily_summary(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """Cumulative users at the end of the day, and the day's shares."""
    fig = _figures(appid, begin, end)
    row = {"ref_date": ref, "visit_total": _users_so_far(appid, end.toordinal()), "share_pv": fig.share_pv, "share_uv": fig.share_uv}
    return {"list": [row]}


def _days_later(begin: date, end: date, k: int) -> date:
    """The day daily retention key ``k`` is about: ``k`` days after the day."""
    return end + timedelta(days=k)


def _weeks_later(begin: date, end: date, k: int) -> date:
    """The last day of the ``k``-th Monday..Sunday week after the week."""
    return end + timedelta(days=7 * k)


def _months_later(begin: date, end: date, k: int) -> date:
    """The last day of the ``k``-th natural month after the month."""
    year, month = divmod(begin.year * 12 + begin.month - 1 + k, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def _retain(keys: tuple[int, ...], last_day: Callable[[date, date, int], date]) -> TimedGenerator:
    """A retain endpoint reporting ``keys`` (days, weeks or months after the period), each key only
    once it has happened.

    Key 0 is the period's new / active users exactly as its visit trend reports them; each later
    key keeps a decaying share of key 0 and never exceeds it. Key ``k`` counts users who came back
    in the ``k``-th later day (week, month), a number WeChat can only have once that day
    (``last_day(begin, end, k)``, the last day of that later period) is over in Beijing and
    computed: ``known`` says so. Keys not known yet are left out of both lists, as WeChat leaves
    them out, so the morning after a day its retention is key 0 alone and fills in over 30 days.

    Why not always send every key: an emulator that knows the future would let an archive that
    stores the first answer and never asks again pass its tests, while against WeChat it would
    keep a day's key 0 forever. A known key's value is a function of (appid, period, key) only --
    every key is drawn, in order, whatever is then left out -- so an early and a late answer
    agree on the keys they share.
    """

    def generate(appid: str, begin: date, end: date, ref: str, known: Known) -> dict[str, Any]:
        fig = _figures(appid, begin, end)
        rnd = _Unit("retain", appid, ref)
        shown = []
        for k in keys:
            try:
                shown.append(known(last_day(begin, end, k)))
            except (OverflowError, ValueError):  # past date.max: that day never comes
                shown.append(False)

        def curve(first: int) -> list[dict[str, int]]:
            keep = 0.1 + 0.4 * rnd.next()
            later = [min(first, round(first * keep * (0.85 + 0.3 * rnd.next()) / math.sqrt(k or 1))) for k in keys]
            items = [{"key": k, "value": first if k == 0 else value} for k, value in zip(keys, later, strict=True)]
            return [item for item, show in zip(items, shown, strict=True) if show]

        return {"ref_date": ref, "visit_uv_new": curve(fig.visit_uv_new), "visit_uv": curve(fig.visit_uv)}

    return generate


def _complete(generate: DatacubeGenerator) -> TimedGenerator:
    """An endpoint whose whole reply exists once its period is over, so it ignores ``known``."""

    def timed(appid: str, begin: date, end: date, ref: str, known: Known) -> dict[str, Any]:
        return generate(appid, begin, end, ref)

    return timed


# WeChat's access-source keys are scene groups 1..36 or so; which exist does not matter here.
_SOURCE_KEYS = tuple(range(1, 37))
# (index, its keys, the day's figure its values add up to, seed of its weights): the two source
# indexes share weights because users and sessions come through the same doors.
_DISTRIBUTIONS: tuple[tuple[str, tuple[int, ...], str, str], ...] = (
    ("access_source_session_cnt", _SOURCE_KEYS, "session_cnt", "source"),
    ("access_staytime_info", tuple(range(1, 9)), "session_cnt", "staytime"),
    ("access_depth_info", tuple(range(1, 8)), "session_cnt", "depth"),
    ("access_source_visit_uv", _SOURCE_KEYS, "visit_uv", "source"),  # undocumented, but WeChat sends it
)


def _visit_distribution(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """The day's sessions (and users) by source, stay time and depth; keys with 0 are left out."""
    fig = _figures(appid, begin, end)
    indexes = []
    for index, keys, figure, seed in _DISTRIBUTIONS:
        # the app's own mix (a few doors dominate, as in a real app), varied a little from day to day
        usual, today = _Unit("distribution", appid, seed).weights(len(keys), skew=6.0), _Unit("distribution", appid, ref, seed)
        values = _split(getattr(fig, figure), [round(weight * (0.8 + 0.4 * today.next())) + 1 for weight in usual])
        indexes.append({"index": index, "item_list": [{"key": k, "value": v} for k, v in zip(keys, values, strict=True) if v]})
    return {"ref_date": ref, "list": indexes}


_PAGE_SECTIONS = ("index", "goods", "cart", "order", "user", "search", "article", "coupon")


def _page_path(rank: int) -> str:
    """A plausible, unique page path per rank; rank 0 is the home page."""
    section = _PAGE_SECTIONS[rank % len(_PAGE_SECTIONS)]
    return f"pages/{section}/{'index' if rank < len(_PAGE_SECTIONS) else f'detail{rank // len(_PAGE_SECTIONS)}'}"


def _visit_page(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """The day's pages by views, the top 200 only; sessions enter (and leave) on reported pages.

    Page weights fall with rank (Zipf), and ``_split`` keeps descending weights descending, so
    entries + other views come out ordered by rank: the top 200 are ranks 0..199, and giving the
    day's sessions to those ranks only makes ``entrypage_pv`` add up to ``session_cnt``.
    """
    fig = _figures(appid, begin, end)
    rnd = _Unit("pages", appid, ref)
    skew = 0.8 + 0.6 * rnd.next()
    weights = [int(2**48 / (rank + 1) ** skew) for rank in range(_app(appid).pages)]
    shown = min(len(weights), _PAGE_LIMIT)
    entries = _split(fig.session_cnt, weights[:shown])
    views = [e + v for e, v in zip(entries, _split(fig.visit_pv - fig.session_cnt, weights), strict=False)]  # ranks < 200
    views = [v for v in views if v]  # a page nobody opened that day is not listed
    exits = _split(fig.session_cnt, views)  # exit_i <= views_i: sessions <= the views listed
    shares = _split(fig.share_pv, views)
    pages = []
    for rank, (pv, entry, leave, share) in enumerate(zip(views, entries, exits, shares, strict=False)):
        pages.append(
            {
                "page_path": _page_path(rank),
                "page_visit_pv": pv,
                "page_visit_uv": min(pv, fig.visit_uv, max(1, round(pv * (0.35 + 0.5 * rnd.next())))),
                "page_staytime_pv": round(3.0 + 90.0 * rnd.next(), 4),
                "entrypage_pv": entry,
                "exitpage_pv": leave,
                "page_share_pv": share,
                "page_share_uv": min(share, round(share * fig.share_uv / max(fig.share_pv, 1))),
            }
        )
    return {"ref_date": ref, "list": pages}


_Label = tuple[int | None, str]  # (id, name); devices have no id
# Province and city ids are GB/T 2260 codes here; WeChat's own ids are not documented.
_PROVINCES: tuple[tuple[_Label, tuple[_Label, ...]], ...] = (
    ((44, "广东省"), ((4401, "广州"), (4403, "深圳"), (4419, "东莞"))),
    ((33, "浙江省"), ((3301, "杭州"), (3302, "宁波"))),
    ((32, "江苏省"), ((3201, "南京"), (3205, "苏州"))),
    ((11, "北京"), ((1101, "北京"),)),
    ((31, "上海"), ((3101, "上海"),)),
    ((51, "四川省"), ((5101, "成都"),)),
    ((37, "山东省"), ((3701, "济南"), (3702, "青岛"))),
    ((42, "湖北省"), ((4201, "武汉"),)),
)
_PORTRAIT_DIMENSIONS: tuple[tuple[str, tuple[_Label, ...]], ...] = (
    ("genders", ((0, "未知"), (1, "男"), (2, "女"))),
    ("platforms", ((1, "iPhone"), (2, "Android"), (3, "其他"))),
    ("devices", tuple((None, name) for name in ("iPhone 15", "iPhone 13", "HUAWEI Mate 60", "OPPO Reno11", "vivo X100", "Xiaomi 14", "其他"))),
    ("ages", ((0, "未知"), (1, "17岁以下"), (2, "18-24岁"), (3, "25-29岁"), (4, "30-39岁"), (5, "40-49岁"), (6, "50岁以上"))),
)


def _labelled(labels: tuple[_Label, ...], values: list[int]) -> list[dict[str, Any]]:
    """Portrait items; ``id`` only where the label has one, zero values left out."""
    items = [({} if ident is None else {"id": ident}) | {"name": name, "value": v} for (ident, name), v in zip(labels, values, strict=True)]
    return [item for item in items if item["value"]]


def _portrait_group(total: int, rnd: _Unit) -> dict[str, list[dict[str, Any]]]:
    """One group's (new or active users') breakdowns; every dimension adds up to ``total``.

    Cities split their own province's users, so they add up per province as well.
    """
    per_province = _split(total, rnd.weights(len(_PROVINCES)))
    cities = [_labelled(towns, _split(users, rnd.weights(len(towns)))) for (_, towns), users in zip(_PROVINCES, per_province, strict=True)]
    group = {
        "province": _labelled(tuple(province for province, _ in _PROVINCES), per_province),
        "city": [item for items in cities for item in items],
    }
    for dimension, labels in _PORTRAIT_DIMENSIONS:
        group[dimension] = _labelled(labels, _split(total, rnd.weights(len(labels))))
    return group


def _user_portrait(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """Who the range's new and active users are; totals as the visit trend counts the same days."""
    fig = _figures(appid, begin, end)
    return {
        "ref_date": ref,
        "visit_uv_new": _portrait_group(fig.visit_uv_new, _Unit("portrait-new", appid, ref)),
        "visit_uv": _portrait_group(fig.visit_uv, _Unit("portrait-active", appid, ref)),
    }


@dataclass(frozen=True)
class _DatacubeEndpoint:
    """One datacube path: its cloud-call name, its period rule, and the generator of its reply."""

    name: str
    period: _Period
    generate: TimedGenerator


_DATACUBE_ENDPOINTS: dict[str, _DatacubeEndpoint] = {
    "/datacube/getweanalysisappiddailysummarytrend": _DatacubeEndpoint("analysis.getDailySummary", _DAY, _complete(_daily_summary)),
    "/datacube/getweanalysisappiddailyvisittrend": _DatacubeEndpoint("analysis.getDailyVisitTrend", _DAY, _complete(_visit_trend)),
    "/datacube/getweanalysisappidweeklyvisittrend": _DatacubeEndpoint("analysis.getWeeklyVisitTrend", _WEEK, _complete(_visit_trend)),
    MONTHLY_VISIT_TREND_PATH: _DatacubeEndpoint("analysis.getMonthlyVisitTrend", _MONTH, _complete(_visit_trend)),
    "/datacube/getweanalysisappiddailyretaininfo": _DatacubeEndpoint(
        "analysis.getDailyRetain", _DAY, _retain((0, 1, 2, 3, 4, 5, 6, 7, 14, 30), _days_later)
    ),
    "/datacube/getweanalysisappidweeklyretaininfo": _DatacubeEndpoint("analysis.getWeeklyRetain", _WEEK, _retain((0, 1, 2, 3, 4), _weeks_later)),
    "/datacube/getweanalysisappidmonthlyretaininfo": _DatacubeEndpoint("analysis.getMonthlyRetain", _MONTH, _retain((0, 1), _months_later)),
    "/datacube/getweanalysisappidvisitdistribution": _DatacubeEndpoint("analysis.getVisitDistribution", _DAY, _complete(_visit_distribution)),
    "/datacube/getweanalysisappidvisitpage": _DatacubeEndpoint("analysis.getVisitPage", _DAY, _complete(_visit_page)),
    "/datacube/getweanalysisappiduserportrait": _DatacubeEndpoint("analysis.getUserPortrait", _PORTRAIT, _complete(_user_portrait)),
}

ANALYSIS_PATHS: dict[str, str] = {endpoint.name: path for path, endpoint in _DATACUBE_ENDPOINTS.items()}
"""Cloud-call name (``"analysis.getDailyVisitTrend"``) -> the datacube path the emulator serves it on."""


_NOT_FIGURES = frozenset({"key", "id"})  # integers that name an item rather than count anything


def _revised(reply: Any, by: int) -> Any:
    """``reply`` with ``by`` added to every integer figure (see :meth:`WeChatEmulator.revise`).

    Strings (dates, ``ref_date``, ``index``, names, paths) and floats (averages) stay as they
    are, and so do the integers under ``key`` and ``id``, which say what an item is about."""
    if isinstance(reply, dict):
        return {k: v if k in _NOT_FIGURES else _revised(v, by) for k, v in reply.items()}
    if isinstance(reply, list):
        return [_revised(item, by) for item in reply]
    if isinstance(reply, int) and not isinstance(reply, bool):
        return reply + by
    return reply


def _parse_yyyymmdd(value: object) -> date | None:
    """A real calendar date from exactly 8 ASCII digits, else ``None`` (WeChat's 61500)."""
    if not isinstance(value, str) or len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` for anything else (WeChat's 47001)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Threading server that knows its emulator; daemon threads so a hung client never blocks exit."""

    daemon_threads = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], emulator: WeChatEmulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that vanish (timeouts, drops); report real bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, records it, asks the emulator for the reply, writes it in one send.

    ``send_response``/``end_headers`` are avoided on purpose: they write headers and body in
    separate segments, and the client's delayed ACK then costs ~40 ms per request.
    """

    protocol_version = "HTTP/1.1"
    server_version = "WeChatEmulator/1.0"
    disable_nagle_algorithm = True  # StreamRequestHandler.setup() sets TCP_NODELAY from this

    @property
    def _emulator(self) -> WeChatEmulator:
        return cast(_Server, self.server).emulator

    def setup(self) -> None:
        """Register the connection so ``stop()`` can shut down idle keep-alive sockets."""
        super().setup()
        self._emulator._track(self.connection)

    def finish(self) -> None:
        """Unregister the connection however the exchange ended."""
        try:
            super().finish()
        finally:
            self._emulator._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request stderr line: it would slow benchmarks and clutter test output."""

    def _serve(self) -> None:
        """Every method lands here: WeChat routes by path, and so must the 40066 fallback."""
        body = self._read_body()
        if body is None:
            self._reply(_Reply(400, b"", "text/plain"), force_close=True)
            return
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = Received(
            method=self.command,
            path=split.path,
            query=query,
            headers=dict(self.headers.items()),
            body=body,
        )
        reply = self._emulator._handle(request)
        if reply is None:  # a drop fault, or a delay cut short by stop()
            self._drop()
        else:
            self._reply(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

    def _read_body(self) -> bytes | None:
        """Request body by Content-Length or chunked encoding; ``None`` if the framing is bad."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers, up to the blank line
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)  # CRLF after each chunk
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            return None
        if n < 0:
            return None
        data = self.rfile.read(n) if n else b""
        return data if len(data) == n else None

    def _reply(self, reply: _Reply, *, force_close: bool = False) -> None:
        if force_close:
            self.close_connection = True
        body = b"" if self.command == "HEAD" else reply.body  # HEAD: headers only, same length
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Unknown"
        head = (
            f"HTTP/1.1 {reply.status} {phrase}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Date: {self.date_time_string()}\r\n"
            f"Content-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.body)}\r\n"
            f"Connection: {'close' if self.close_connection else 'keep-alive'}\r\n"
            "\r\n"
        )
        try:
            self.connection.sendall(head.encode("latin-1") + body)
        except OSError:  # the client gave up (e.g. its read timeout fired during a delay)
            self.close_connection = True

    def _drop(self) -> None:
        """Abort the connection: linger 0 turns the close into a RST, with no FIN first.

        ``close()`` only marks the socket closed while rfile/wfile hold references; the real
        close (the RST) happens when ``finish()`` releases them, before socketserver's own
        ``shutdown(SHUT_WR)`` could send a FIN (which then fails harmlessly on a closed socket).
        """
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class WeChatEmulator:
    """A WeChat API server on loopback; use as a context manager or ``start()``/``stop()``.

    ``apps`` maps appid -> appsecret. ``clock`` (seconds since the epoch) drives token expiry
    and the Beijing calendar of the datacube, so tests can move time instead of sleeping.
    ``data_ready_at`` (seconds after Beijing midnight) is when yesterday's data becomes
    available: before it, a period that ended yesterday still answers 61503, as WeChat does in
    the morning. The default 0 makes yesterday available from midnight. The same clock and rule
    decide which retention keys a reply has: key ``k`` of a day (week, month) appears once the
    ``k``-th later day (week, month) is ready, so yesterday's daily retention is key 0 alone.

    Test controls: :meth:`add_fault` scripts misbehaviour per path; :meth:`revise` makes one
    period of one API answer changed figures from then on (``revise(api, begin, end, by=1)``,
    ``api`` a cloud-call name or datacube path), as WeChat's late corrections do;
    :meth:`expire_tokens` and :meth:`invalidate_tokens` revoke tokens; :meth:`clear` forgets
    requests and faults, :meth:`reset` also tokens and revisions.
    """

    def __init__(
        self,
        apps: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        token_ttl: int = 7200,
        host: str = "127.0.0.1",
        port: int = 0,
        data_ready_at: float = 0.0,
    ) -> None:
        if not 0.0 <= data_ready_at < 86400.0:
            raise ValueError("data_ready_at is seconds after Beijing midnight, 0 <= data_ready_at < 86400")
        self._data_ready_at = float(data_ready_at)
        self._apps: dict[str, str] = dict(apps) if apps is not None else {DEFAULT_APPID: DEFAULT_SECRET}
        self._clock = clock
        self._token_ttl = int(token_ttl)
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self.received: list[Received] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._tokens: dict[str, _Token] = {}
        self._issued: list[str] = []
        self._stable: dict[str, str] = {}  # appid -> current stable token
        self._last_force: dict[str, float] = {}  # appid -> time of the last effective force_refresh
        self._rids = itertools.count(1)
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""  # kept after stop(), so messages can still name where it was
        self._wake: tuple[socket.socket, socket.socket] | None = None  # see _serve()
        self._connections: set[socket.socket] = set()
        self._revisions: dict[tuple[str, date, date], int] = {}  # (path, begin, end) -> added to its figures

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 picks a free one) and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._stop_event.clear()
        server = _Server((self._host, self._port), self)
        server.timeout = 0  # handle_request() is only called once accept() will not block
        host, port = server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self._url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self._wake = wake = socket.socketpair()
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, wake[0]), name=f"wechat-emulator-{port}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self, server: _Server, wake: socket.socket) -> None:
        """Accept loop that ``stop()`` can wake at once through a socketpair.

        ``serve_forever`` notices ``shutdown()`` only at its poll interval, which costs every
        test that starts an emulator that much again at teardown.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stop_event.is_set():
                for key, _ in selector.select():
                    if key.fileobj is server.socket and not self._stop_event.is_set():
                        server.handle_request()

    def stop(self) -> None:
        """Stop serving and cut open connections; prompt even while a delay fault is sleeping."""
        server, self._server = self._server, None
        wake, self._wake = self._wake, None
        if server is None or wake is None:
            return
        self._stop_event.set()  # also wakes any Fault.delay sleeper, which then drops its request
        wake[1].send(b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive handlers would otherwise wait forever
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        for end in wake:
            end.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to give the client in place of ``https://api.weixin.qq.com``."""
        if not self._url:
            raise RuntimeError("emulator not started")
        return self._url

    # ---- test controls -----------------------------------------------------------------------

    def requests_to(self, path: str) -> list[Received]:
        """Received requests whose path (without query) equals ``path``, in order."""
        with self._lock:
            return [r for r in self.received if r.path == path]

    def clear(self) -> None:
        """Forget received requests and pending faults; tokens stay valid."""
        with self._lock:
            self.received.clear()  # in place: callers may hold a reference to the list
            self._faults.clear()

    def reset(self) -> None:
        """``clear()`` plus forget every token, as if the emulator were new."""
        with self._lock:
            self.clear()
            self._tokens.clear()
            self._issued.clear()
            self._stable.clear()
            self._last_force.clear()
            self._revisions.clear()

    def revise(self, api: str, begin: date, end: date, by: int = 1) -> None:
        """From now on, answer ``begin..end`` of ``api`` with revised figures: ``by`` more.

        WeChat revises recent figures after the fact; this lets a test prove that whatever keeps
        its answers notices. ``api`` is a cloud-call name (``"analysis.getDailyVisitTrend"``) or
        a datacube path. Every integer figure of that one period's reply gets ``by`` added --
        each retention ``value``, each trend, summary, page, distribution and portrait count --
        never a key, ``id``, date, ``ref_date``, ``index`` or the float averages. Other periods
        and other APIs are untouched; revising the same period again adds up; :meth:`reset`
        forgets every revision. A period the API would refuse (61501) is a ValueError, not a
        revision nobody could ever see.
        """
        path = ANALYSIS_PATHS.get(api, api).split("?", 1)[0]
        endpoint = _DATACUBE_ENDPOINTS.get(path)
        if endpoint is None:
            raise ValueError(f"no analysis API {api!r}: use a name of ANALYSIS_PATHS or its datacube path")
        if isinstance(by, bool) or not isinstance(by, int) or by == 0:
            raise ValueError(f"by must be a non-zero int, not {by!r}")
        if not endpoint.period.accepts(begin, end):
            raise ValueError(f"{endpoint.name} never answers {begin}..{end} (61501 date range error)")
        with self._lock:
            total = self._revisions.get((path, begin, end), 0) + by
            if total:
                self._revisions[path, begin, end] = total
            else:  # revised back to the original figures
                self._revisions.pop((path, begin, end), None)

    def add_fault(self, path: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (FIFO with earlier ones)."""
        if times < 0:
            raise ValueError("times must not be negative")
        path = path.split("?", 1)[0]
        with self._lock:
            self._faults.setdefault(path, deque()).extend([fault] * times)

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token ever issued, oldest first (a copy)."""
        with self._lock:
            return list(self._issued)

    def expire_tokens(self) -> None:
        """Make every current token answer 42001, whatever the clock says."""
        with self._lock:
            for token in self._tokens.values():
                token.expired = True

    def invalidate_tokens(self) -> None:
        """Make every current token answer 40001, as after a secret reset."""
        with self._lock:
            for token in self._tokens.values():
                token.invalid = True

    # ---- request handling --------------------------------------------------------------------

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            if self._stop_event.is_set():  # accepted just as stop() collected connections
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _handle(self, request: Received) -> _Reply | None:
        """Record, then apply the next queued fault for the path, else the endpoint's logic."""
        with self._lock:
            self.received.append(request)
            queue = self._faults.get(request.path)
            fault = queue.popleft() if queue else None
        while fault is not None:
            if fault.kind == "errcode":
                return self._error(fault.code, fault.msg)
            if fault.kind == "reply":
                return _Reply(fault.status, fault.body, fault.content_type)
            if fault.kind == "drop":
                return None
            if fault.kind == "expire_tokens":
                self.expire_tokens()
                break
            if fault.kind == "delay":
                if self._stop_event.wait(fault.seconds):
                    return None  # stopping: don't answer from a server that is shutting down
                fault = fault.then
                continue
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return self._route(request)

    def _route(self, request: Received) -> _Reply:
        try:
            if request.path == STABLE_TOKEN_PATH:
                return self._json(self._stable_token(request))
            endpoint = _DATACUBE_ENDPOINTS.get(request.path)
            if endpoint is not None:
                return self._json(self._datacube(request, endpoint))
            raise _ApiError(40066, "invalid url")
        except _ApiError as err:
            return self._error(err.code, err.msg)

    def _rid(self) -> str:
        """A WeChat-style rid (hex 8-8-8): time, randomness, and a counter that makes it unique."""
        stamp = int(self._clock()) & 0xFFFFFFFF
        return f"{stamp:08x}-{secrets.randbits(32):08x}-{next(self._rids) & 0xFFFFFFFF:08x}"

    def _error(self, code: int, msg: str) -> _Reply:
        return self._json({"errcode": code, "errmsg": f"{msg} rid: {self._rid()}"})

    @staticmethod
    def _json(payload: Any) -> _Reply:
        return _Reply(200, json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    def _check_credentials(self, grant_type: object, appid: object, secret: object) -> str:
        """WeChat's order of credential checks; returns the appid once all pass."""
        if grant_type != "client_credential":
            raise _ApiError(40002, "invalid grant_type")
        if not isinstance(appid, str) or appid not in self._apps:
            raise _ApiError(40013, "invalid appid")
        if secret != self._apps[appid]:
            raise _ApiError(40125, "invalid appsecret")
        return appid

    def _issue(self, appid: str, now: float) -> str:
        """Mint a unique token valid for ``token_ttl`` seconds from ``now`` (lock held)."""
        while True:
            token = "EMU_" + secrets.token_urlsafe(48)  # 48 bytes -> 64 url-safe characters
            if token not in self._tokens:
                break
        self._tokens[token] = _Token(appid=appid, expires_at=now + self._token_ttl)
        self._issued.append(token)
        return token

    def _alive(self, token: str | None, now: float) -> _Token | None:
        record = self._tokens.get(token) if token is not None else None
        if record is None or record.invalid or record.expired or now >= record.expires_at:
            return None
        return record

    def _stable_token(self, request: Received) -> dict[str, Any]:
        body = _json_object(request.body)
        if body is None:
            raise _ApiError(47001, f"data format error hint: [{secrets.token_hex(5)}]")
        appid = self._check_credentials(body.get("grant_type"), body.get("appid"), body.get("secret"))
        force = body.get("force_refresh") is True
        with self._lock:
            now = self._clock()
            current = self._stable.get(appid)
            record = self._alive(current, now)
            if force:
                last = self._last_force.get(appid)
                if record is not None and last is not None and now - last < _FORCE_REFRESH_DEBOUNCE:
                    return {"access_token": current, "expires_in": int(record.expires_at - now)}
                if record is not None:
                    record.invalid = True  # force_refresh revokes the previous stable token
                self._last_force[appid] = now
            elif record is not None and record.expires_at - now > _STABLE_RENEW_WINDOW:
                return {"access_token": current, "expires_in": int(record.expires_at - now)}
            # Last 300 s (or none yet): a new token; the old one lives until its own expiry.
            token = self._issue(appid, now)
            self._stable[appid] = token
            return {"access_token": token, "expires_in": self._token_ttl}

    def _authenticate(self, request: Received) -> str:
        """The appid behind ``?access_token=``, or the WeChat error for a bad token."""
        token = request.query.get("access_token", "")
        if not token:
            raise _ApiError(41001, "access_token missing")
        with self._lock:
            now = self._clock()
            record = self._tokens.get(token)
            if record is None or record.invalid:
                raise _ApiError(40001, "invalid credential, access_token is invalid or not latest")
            if record.expired or now >= record.expires_at:
                raise _ApiError(42001, "access_token expired")
            return record.appid

    def _datacube(self, request: Received, endpoint: _DatacubeEndpoint) -> dict[str, Any]:
        appid = self._authenticate(request)
        body = _json_object(request.body)
        if body is None:
            raise _ApiError(47001, "data format error")
        begin = _parse_yyyymmdd(body.get("begin_date"))
        end = _parse_yyyymmdd(body.get("end_date"))
        if begin is None or end is None:
            raise _ApiError(61500, "date format error")
        if not endpoint.period.accepts(begin, end):
            raise _ApiError(61501, "date range error")
        newest = self._newest_ready_day()  # one clock reading: the period and its keys agree
        if not self._data_ready(end, newest):
            raise _ApiError(61503, "data not ready, please try later")
        reply = endpoint.generate(appid, begin, end, endpoint.period.ref_date(begin, end), lambda day: self._data_ready(day, newest))
        with self._lock:
            by = self._revisions.get((request.path, begin, end), 0)
        return _revised(reply, by) if by else reply

    def _newest_ready_day(self) -> date:
        """The last Beijing day WeChat has computed: yesterday once ``data_ready_at`` seconds of
        today have passed, the day before until then."""
        now = datetime.fromtimestamp(self._clock(), _BEIJING)
        since_midnight = now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
        return now.date() - timedelta(days=1 if since_midnight >= self._data_ready_at else 2)

    @staticmethod
    def _data_ready(end: date, newest: date) -> bool:
        """WeChat has a period's data once the period is over in Beijing and, for a period that
        ended yesterday, once the day's computation (``data_ready_at``) has run. The same rule
        decides which retention keys exist: a key's later day must be ready too.

        ``newest`` is :meth:`_newest_ready_day`, read once per request, so that one reply judges
        its period and its keys at the same instant."""
        return end <= newest


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C, for trying the client by hand against a local fake WeChat."""
    parser = argparse.ArgumentParser(description="Loopback emulator of the WeChat server API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free one)")
    args = parser.parse_args(argv)
    emulator = WeChatEmulator(host=args.host, port=args.port).start()
    print(f"WeChat emulator serving at {emulator.url}", flush=True)
    print(f"appid:  {DEFAULT_APPID}", flush=True)
    print(f"secret: {DEFAULT_SECRET}  (fixed fake test value)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
