"""The datacube's figures: what the ten ``analysis`` APIs answer for a period, and which periods
each accepts.

Why it exists: the client and the archive are tested against replies that behave like WeChat's,
so the data must agree across APIs the way WeChat's does. Every figure is a share of the users
of :mod:`devtools.wechat_emulator.visits` (one day's numbers, a deterministic function of the
appid and the day; a period's, made of its days): a week's sessions are its days' sessions and
its users lie between its busiest day's and their sum at a steady ratio to it, a retain reply's
key 0 is the trend's user count for the same period, a distribution adds up to the day's
sessions, the pages (:mod:`~devtools.wechat_emulator.pages`) to its views, a portrait
(:mod:`~devtools.wechat_emulator.portraits`) to its users. Retention reports a key only once its
later day is over (``Known``), and :func:`revised` is how a period's figures change after the fact.

The period rules here (:data:`ENDPOINTS`: which begin/end pairs a path accepts, its
``ref_date``) are the emulator's own statement of WeChat's documentation, written apart from
``shared/wxcloud`` on purpose: an oracle that copied the code under test would agree with its
mistakes. Standard library only; nothing here knows HTTP or the server.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from devtools.wechat_emulator import endpoints
from devtools.wechat_emulator.pages import visit_page
from devtools.wechat_emulator.portraits import user_portrait
from devtools.wechat_emulator.visits import Unit, figures, retention, split, split_capped, users_so_far, ymd

__all__ = ["ANALYSIS_PATHS", "ENDPOINTS", "MONTHLY_VISIT_TREND_PATH", "Endpoint", "revised"]


DatacubeGenerator = Callable[[str, date, date, str], dict[str, Any]]
"""``(appid, begin, end, ref_date) -> the reply``; must be deterministic."""

Known = Callable[[date], bool]
"""Whether WeChat has computed a Beijing day yet: the day is over and its computation has run
(:meth:`WeChatEmulator._data_ready`'s rule, at the moment of the request)."""

TimedGenerator = Callable[[str, date, date, str, Known], dict[str, Any]]
"""``(appid, begin, end, ref_date, known) -> the reply``: what an endpoint runs. Only retention
looks at ``known``; every other reply is complete once its period is answered at all."""


@dataclass(frozen=True)
class _Period:
    """A period rule: which (begin, end) pairs a path accepts (else 61501) and its ``ref_date``."""

    accepts: Callable[[date, date], bool]
    ref_date: Callable[[date, date], str]


_DAY = _Period(lambda b, e: b == e, lambda b, e: ymd(b))
_WEEK = _Period(lambda b, e: b.weekday() == 0 and (e - b).days == 6, lambda b, e: f"{ymd(b)}-{ymd(e)}")
_MONTH = _Period(
    lambda b, e: b.day == 1 and (e.year, e.month, e.day) == (b.year, b.month, calendar.monthrange(b.year, b.month)[1]),
    lambda b, e: f"{b.year:04d}{b.month:02d}",
)
# The portrait takes 1, 7 or 30 days ending anywhere. Whether WeChat's ref_date names the range or
# its first day is not settled; the emulator names one day as "yyyymmdd", a range as "yyyymmdd-yyyymmdd".
_PORTRAIT = _Period(
    lambda b, e: (e - b).days in (0, 6, 29),
    lambda b, e: ymd(b) if b == e else f"{ymd(b)}-{ymd(e)}",
)


def _visit_trend(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """Daily, weekly and monthly visit trend: one row with WeChat's derived averages."""
    fig = figures(appid, begin, end)
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
    fig = figures(appid, begin, end)
    row = {
        "ref_date": ref,
        "visit_total": users_so_far(appid, end.toordinal()),
        "share_pv": fig.share_pv,
        "share_uv": fig.share_uv,
    }
    return {"list": [row]}


Later = Callable[[date, date, int], tuple[date, date]]
"""``(begin, end, k) -> the k-th period after begin..end``, the one retention key ``k`` is about."""


def _days_later(begin: date, end: date, k: int) -> tuple[date, date]:
    """Daily retention key ``k``: the day ``k`` days after the day."""
    return end + timedelta(days=k), end + timedelta(days=k)


def _weeks_later(begin: date, end: date, k: int) -> tuple[date, date]:
    """Weekly retention key ``k``: the ``k``-th Monday..Sunday week after the week."""
    return begin + timedelta(days=7 * k), end + timedelta(days=7 * k)


def _months_later(begin: date, end: date, k: int) -> tuple[date, date]:
    """Monthly retention key ``k``: the ``k``-th natural month after the month."""
    year, month = divmod(begin.year * 12 + begin.month - 1 + k, 12)
    return date(year, month + 1, 1), date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def _retain(keys: tuple[int, ...], later: Later) -> TimedGenerator:
    """A retain endpoint reporting ``keys`` (days, weeks or months after the period), each key only
    once it has happened.

    Key 0 is the period's new / active users exactly as its visit trend reports them; key ``k``
    those of them who came again in the ``k``-th later day (week, month), as
    :func:`~devtools.wechat_emulator.visits.retention` counts them: fewer as ``k`` grows, new
    ones never more than active ones, never more than that later period's returning users. That is
    a number WeChat can only have once the later period (``later(begin, end, k)``) is over in
    Beijing and computed: ``known`` says so. Keys not known yet are left out of both lists, as
    WeChat leaves them out, so the morning after a day its retention is key 0 alone and fills in
    over 30 days.

    Why not always send every key: an emulator that knows the future would let an archive that
    stores the first answer and never asks again pass its tests, while against WeChat it would
    keep a day's key 0 forever. A known key's value is a function of (appid, period, key) only --
    every key is computed, whatever is then left out -- so an early and a late answer agree on
    the keys they share.
    """

    def generate(appid: str, begin: date, end: date, ref: str, known: Known) -> dict[str, Any]:
        fig = figures(appid, begin, end)
        periods: list[tuple[int, tuple[date, date]]] = []
        for k in keys[1:]:
            try:
                periods.append((k, later(begin, end, k)))
            except (OverflowError, ValueError):  # past date.max: that period never comes, nor any after it
                break
        new, active = retention(
            appid,
            fig,
            (end - begin).days + 1,
            [(k, figures(appid, *span)) for k, span in periods],
            Unit("retain", appid, ref).between(0.9, 1.1),
        )
        shown = [True] + [known(span[1]) for _, span in periods]

        def items(first: int, values: list[int]) -> list[dict[str, int]]:
            pairs = zip(keys, [first, *values], shown, strict=False)  # keys past date.max have no value: zip stops
            return [{"key": k, "value": value} for k, value, show in pairs if show]

        return {"ref_date": ref, "visit_uv_new": items(fig.visit_uv_new, new), "visit_uv": items(fig.visit_uv, active)}

    return generate


def _complete(generate: DatacubeGenerator) -> TimedGenerator:
    """An endpoint whose whole reply exists once its period is over, so it ignores ``known``."""

    def timed(appid: str, begin: date, end: date, ref: str, known: Known) -> dict[str, Any]:
        return generate(appid, begin, end, ref)

    return timed


# WeChat's access-source keys are scene groups 1..36 or so; which exist does not matter here.
_SOURCE_KEYS = tuple(range(1, 37))
# The buckets of access_staytime_info (seconds: 0-2, 3-5, 6-10, 11-20, 21-30, 31-50, 51-100, >100)
# and of access_depth_info (pages: 1, 2, 3, 4, 5, 6-10, >10), as their lower bounds.
_STAY_FROM = (0.0, 2.5, 5.5, 10.5, 20.5, 30.5, 50.5, 100.5)
_DEPTH_FROM = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 11.0)


def _bucket_weights(chance_from: Callable[[float], float], lower: tuple[float, ...]) -> list[int]:
    """Integer weights of buckets given the chance of a value at least each bucket's lower bound."""
    above = [chance_from(bound) for bound in lower] + [0.0]
    return [1 + int((above[i] - above[i + 1]) * 2**40) for i in range(len(lower))]


def _visit_distribution(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """The day's sessions (and users) by source, stay time and depth; keys with 0 are left out.

    Sources: the app's own mix (a few doors dominate, as in a real app), varied a little from day
    to day; users come through the same doors as their sessions, so a source's users never exceed
    its sessions. Stay and depth: the day's sessions spread around its averages (stay exponential
    with mean ``stay_time_session``, pages geometric with mean ``visit_depth``).
    """
    fig = figures(appid, begin, end)
    usual, today = (
        Unit("distribution", appid, "source").weights(len(_SOURCE_KEYS), skew=6.0),
        Unit("distribution", appid, ref, "source"),
    )
    doors = [round(weight * today.between(0.8, 1.2)) + 1 for weight in usual]
    sessions = split(fig.session_cnt, doors)
    mean_stay, mean_depth = fig.stay_seconds / fig.session_cnt, fig.visit_pv / fig.session_cnt
    longer = 1.0 - 1.0 / mean_depth  # the chance a session goes on to one more page
    indexes = {
        "access_source_session_cnt": (_SOURCE_KEYS, sessions),
        "access_staytime_info": (
            tuple(range(1, 9)),
            split(fig.session_cnt, _bucket_weights(lambda s: math.exp(-s / mean_stay), _STAY_FROM)),
        ),
        "access_depth_info": (
            tuple(range(1, 8)),
            split(fig.session_cnt, _bucket_weights(lambda n: longer ** (n - 1), _DEPTH_FROM)),
        ),
        "access_source_visit_uv": (
            _SOURCE_KEYS,
            split_capped(fig.visit_uv, doors, sessions),
        ),  # undocumented, but WeChat sends it
    }
    return {
        "ref_date": ref,
        "list": [
            {"index": index, "item_list": [{"key": k, "value": v} for k, v in zip(keys, values, strict=True) if v]}
            for index, (keys, values) in indexes.items()
        ],
    }


@dataclass(frozen=True)
class Endpoint:
    """One datacube path: its cloud-call name, its period rule, and the generator of its reply."""

    name: str
    period: _Period
    generate: TimedGenerator


_ANSWERED = (
    Endpoint("analysis.getDailySummary", _DAY, _complete(_daily_summary)),
    Endpoint("analysis.getDailyVisitTrend", _DAY, _complete(_visit_trend)),
    Endpoint("analysis.getWeeklyVisitTrend", _WEEK, _complete(_visit_trend)),
    Endpoint("analysis.getMonthlyVisitTrend", _MONTH, _complete(_visit_trend)),
    Endpoint("analysis.getDailyRetain", _DAY, _retain((0, 1, 2, 3, 4, 5, 6, 7, 14, 30), _days_later)),
    Endpoint("analysis.getWeeklyRetain", _WEEK, _retain((0, 1, 2, 3, 4), _weeks_later)),
    Endpoint("analysis.getMonthlyRetain", _MONTH, _retain((0, 1), _months_later)),
    Endpoint("analysis.getVisitDistribution", _DAY, _complete(_visit_distribution)),
    Endpoint("analysis.getVisitPage", _DAY, _complete(visit_page)),
    Endpoint("analysis.getUserPortrait", _PORTRAIT, _complete(user_portrait)),
)


def _path(name: str) -> str:
    """The path WeChat's table (:mod:`~devtools.wechat_emulator.endpoints`) gives the cloud call ``name``."""
    endpoint = endpoints.by_name(name)
    if endpoint is None:
        raise ValueError(f"{name} is not in the emulator's table of WeChat's endpoints")
    return endpoint.path


ENDPOINTS: dict[str, Endpoint] = {_path(endpoint.name): endpoint for endpoint in _ANSWERED}
"""Datacube path -> its period rule and reply: the paths are those of WeChat's table, written there alone."""

ANALYSIS_PATHS: dict[str, str] = {endpoint.name: path for path, endpoint in ENDPOINTS.items()}
"""Cloud-call name (``"analysis.getDailyVisitTrend"``) -> the datacube path the emulator serves it on."""

MONTHLY_VISIT_TREND_PATH = ANALYSIS_PATHS["analysis.getMonthlyVisitTrend"]


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
