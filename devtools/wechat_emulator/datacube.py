"""The datacube's figures: what the ten ``analysis`` APIs answer for a period, and which periods
each accepts.

Why it exists: the client and the archive are tested against replies that behave like WeChat's,
so the data must agree across APIs the way WeChat's does. Every figure comes from one day's
numbers, ``_day(appid, day)``, a deterministic function of the two; weeks, months and portrait
ranges add their days up, so a week's sessions are its days' sessions, a retain reply's key 0 is
the trend's user count for the same period, a distribution adds up to the day's sessions.
Retention reports a key only once its later day is over (``Known``), and :func:`revised` is how
a period's figures change after the fact.

The period rules here (:data:`ENDPOINTS`: which begin/end pairs a path accepts, its
``ref_date``) are the emulator's own statement of WeChat's documentation, written apart from
``shared/wxcloud`` on purpose: an oracle that copied the code under test would agree with its
mistakes. Standard library only; nothing here knows HTTP or the server.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

__all__ = ["ANALYSIS_PATHS", "ENDPOINTS", "MONTHLY_VISIT_TREND_PATH", "Endpoint", "revised"]

MONTHLY_VISIT_TREND_PATH = "/datacube/getweanalysisappidmonthlyvisittrend"

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
class Endpoint:
    """One datacube path: its cloud-call name, its period rule, and the generator of its reply."""

    name: str
    period: _Period
    generate: TimedGenerator


ENDPOINTS: dict[str, Endpoint] = {
    "/datacube/getweanalysisappiddailysummarytrend": Endpoint("analysis.getDailySummary", _DAY, _complete(_daily_summary)),
    "/datacube/getweanalysisappiddailyvisittrend": Endpoint("analysis.getDailyVisitTrend", _DAY, _complete(_visit_trend)),
    "/datacube/getweanalysisappidweeklyvisittrend": Endpoint("analysis.getWeeklyVisitTrend", _WEEK, _complete(_visit_trend)),
    MONTHLY_VISIT_TREND_PATH: Endpoint("analysis.getMonthlyVisitTrend", _MONTH, _complete(_visit_trend)),
    "/datacube/getweanalysisappiddailyretaininfo": Endpoint(
        "analysis.getDailyRetain", _DAY, _retain((0, 1, 2, 3, 4, 5, 6, 7, 14, 30), _days_later)
    ),
    "/datacube/getweanalysisappidweeklyretaininfo": Endpoint("analysis.getWeeklyRetain", _WEEK, _retain((0, 1, 2, 3, 4), _weeks_later)),
    "/datacube/getweanalysisappidmonthlyretaininfo": Endpoint("analysis.getMonthlyRetain", _MONTH, _retain((0, 1), _months_later)),
    "/datacube/getweanalysisappidvisitdistribution": Endpoint("analysis.getVisitDistribution", _DAY, _complete(_visit_distribution)),
    "/datacube/getweanalysisappidvisitpage": Endpoint("analysis.getVisitPage", _DAY, _complete(_visit_page)),
    "/datacube/getweanalysisappiduserportrait": Endpoint("analysis.getUserPortrait", _PORTRAIT, _complete(_user_portrait)),
}

ANALYSIS_PATHS: dict[str, str] = {endpoint.name: path for path, endpoint in ENDPOINTS.items()}
"""Cloud-call name (``"analysis.getDailyVisitTrend"``) -> the datacube path the emulator serves it on."""


_NOT_FIGURES = frozenset({"key", "id"})  # integers that name an item rather than count anything


def revised(reply: Any, by: int) -> Any:
    """``reply`` with ``by`` added to every integer figure (see :meth:`WeChatEmulator.revise`).

    Strings (dates, ``ref_date``, ``index``, names, paths) and floats (averages) stay as they
    are, and so do the integers under ``key`` and ``id``, which say what an item is about."""
    if isinstance(reply, dict):
        return {k: v if k in _NOT_FIGURES else revised(v, by) for k, v in reply.items()}
    if isinstance(reply, list):
        return [revised(item, by) for item in reply]
    if isinstance(reply, int) and not isinstance(reply, bool):
        return reply + by
    return reply
