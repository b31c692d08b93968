"""What the report shows, gathered from the archive: plain numbers, no HTML, no language.

Kept apart from the page so the figures can be tested against the archive on their own, and so
the page only lays them out. Every section is ``None`` when its reports are not archived, and the
page leaves it out; the sections' types are ``figures.py``'s, which the page reads too.

Figures are WeChat's own, never recomputed: weekly and monthly visits come from their reports
(users of a week are not the sum of its days' users), retention rates are key k over key 0 of
the same stored answer. What is not final is said so: a retention key that is absent because its
later day, week or month is not over (or was not over when the answer was fetched) is *not yet*,
and the cells of a cohort whose stored answer has not settled are *provisional*.

The archive may hold anything: answers stored by older releases, or written by hand, with NaN,
Infinity, numbers beyond a float's range, text where numbers belong, missing keys, or JSON that is
not an object at all. None of it may stop the report or reach the page as a number JavaScript
cannot hold: every figure goes through ``finite_float`` (a finite float, else missing), every sum
through ``_whole`` (a sum beyond a float's range is missing too), an answer that is not an
object counts as an empty one, a period that cannot be one (dates that are not days, before
WeChat's analytics began, not over yet) is left out, and a report whose
stored answers cannot even be decoded is named in ``unreadable`` instead of failing the page.
Lists that may be long (devices, cities, channels) are cut to their top entries plus one
"others" entry, so no archive makes a chart of ten thousand bars.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ....dates import beijing_today, parse_yyyymmdd
from ...errors import EmptyArchive
from ...kept.reports import EARLIEST, REPORTS, Settling
from ...kept.storable import finite_float
from ...plan.due import closed_periods
from ...store.archive import Archive
from ...store.records import Stored
from ..export import rows as shape_rows
from .figures import (
    PORTRAIT_DIMENSIONS,
    Audience,
    Cell,
    CellState,
    Cohort,
    Comparison,
    Kpi,
    Missing,
    Named,
    Overview,
    PageRow,
    Pages,
    ReportData,
    Series,
    Sources,
    Trends,
    Triangle,
)

SUMMARY = "analysis.getDailySummary"
DAILY = "analysis.getDailyVisitTrend"
WEEKLY = "analysis.getWeeklyVisitTrend"
MONTHLY = "analysis.getMonthlyVisitTrend"
RETAIN = {"day": "analysis.getDailyRetain", "week": "analysis.getWeeklyRetain", "month": "analysis.getMonthlyRetain"}
DISTRIBUTION = "analysis.getVisitDistribution"
PAGE = "analysis.getVisitPage"
PORTRAIT = "analysis.getUserPortrait"

# The overview's metrics, in the visit trend's camelCase, and the days each is compared with.
VISIT_METRICS = ("visitUv", "visitPv", "visitUvNew", "sessionCnt", "stayTimeUv", "visitDepth")
COMPARED_DAYS = (1, 7, 30)
# How many cohorts each retention triangle shows (the newest ones): a year of daily cohorts would
# be 365 rows nobody reads. A daily cohort has its 30-day value 31 days later, so 40 rows show ten
# cohorts with one; 30 rows would show none, the whole last column "not yet".
COHORTS = {"day": 40, "week": 12, "month": 12}
TOP_PAGES = 20
TOP_ENTRY_EXIT = 10
TOP_NAMES = 10  # each audience dimension: its top entries, the rest as "others"
TOP_CHANNELS = 15  # visit sources: WeChat knows some 60, most with few sessions
BUCKETS = 20  # stay-time and depth buckets (8 and 7 documented): any more are summed as "others"
DIMENSIONS = 12  # the portrait's lists shown: PORTRAIT_DIMENSIONS first, then any other WeChat sends


def gather(
    archive: Archive, appid: str, since: date | None = None, until: date | None = None, *, now: datetime | None = None
) -> ReportData:
    """Everything the report shows of ``appid`` between ``since`` and ``until`` (default: all
    that is archived). ``EmptyArchive`` when no report of the appid has a period in the range."""
    made_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    today = beijing_today(made_at)
    unreadable: list[str] = []
    stored = {api: _results(archive, appid, api, since, until, today, unreadable) for api in REPORTS}
    present = {api: items for api, items in stored.items() if items}
    if not present and not unreadable:
        raise EmptyArchive(
            f"no archived report of appid {appid} in the range: run `backfill --since yyyymmdd` first, or widen "
            "--since/--until"
        )
    first = min((_begin(item) for items in present.values() for item in items), default=today)
    last = max((_end(item) for items in present.values() for item in items), default=today)
    data = ReportData(appid, since or first, until or last, made_at, today, unreadable=unreadable)
    # the overview compares the newest day with 30 days before: those may lie before ``since``
    lookback = None if since is None else since - timedelta(days=max(COMPARED_DAYS))
    # (an undecodable answer before the range leaves the comparisons to what the range holds)
    daily_all = (_results(archive, appid, DAILY, lookback, until, today, []) or stored[DAILY]) if stored[DAILY] else []
    summary_all = (
        (_results(archive, appid, SUMMARY, lookback, until, today, []) or stored[SUMMARY]) if stored[SUMMARY] else []
    )
    data.overview = _overview(daily_all, summary_all, stored[DAILY], stored[SUMMARY])
    data.trends = _trends(stored[DAILY], stored[WEEKLY], stored[MONTHLY])
    # a triangle shows its newest cohorts up to ``until``, reaching back before ``since`` when the
    # range is shorter: cohorts of the range alone would be too young for their later keys
    retained = {
        api: (_results(archive, appid, api, None, until, today, []) or stored[api]) if stored[api] else []
        for api in RETAIN.values()
    }
    data.retention = [
        triangle
        for unit, api in RETAIN.items()
        for audience in ("visitUvNew", "visitUv")
        if (triangle := _triangle(unit, audience, retained[api], REPORTS[api].settling, today)) is not None
    ]
    data.sources = _sources(stored[DISTRIBUTION])
    data.pages = _pages(stored[PAGE])
    data.audience = _audiences(stored[PORTRAIT])
    data.missing = _missing(present, data.since, data.until, today)
    return data


def _results(
    archive: Archive, appid: str, api: str, since: date | None, until: date | None, today: date, unreadable: list[str]
) -> list[Stored]:
    """The stored periods of ``api`` the report can use: days from WeChat's first (a year-1 period
    would have the missing periods counted from year 1) to the last one over (one ending in year
    9999 would have its retention keys' days beyond any date), each answer an object (one that is
    not counts as empty). A report with answers that cannot be decoded at all (text that is not
    JSON, a number of thousands of digits) is named in ``unreadable``; its other periods are shown."""
    items = archive.results(appid, api, since, until)
    if not all(item.readable for item in items):
        unreadable.append(api)
    usable = []
    for item in items:
        begin, end = parse_yyyymmdd(item.begin_date), parse_yyyymmdd(item.end_date)
        if begin is None or end is None or not EARLIEST <= begin <= end < today:
            continue
        usable.append(item if isinstance(item.result, dict) else replace(item, result={}))
    return usable


def _begin(item: Stored) -> date:
    return item.period.begin


def _end(item: Stored) -> date:
    return item.period.end


def _whole(total: float) -> int | None:
    """A sum of counts as an int; None (missing) when it went beyond a float's range."""
    number = finite_float(total)
    return None if number is None else int(number)


def _first_row(item: Stored) -> dict[str, Any]:
    rows = item.result.get("list")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        return rows[0]
    return {}


def _by_day(items: Iterable[Stored]) -> dict[date, dict[str, Any]]:
    return {_begin(item): _first_row(item) for item in items}


# ---- overview -------------------------------------------------------------------------------


def _overview(
    daily_all: list[Stored], summary_all: list[Stored], daily: list[Stored], summary: list[Stored]
) -> Overview | None:
    """The newest day in the range against 1, 7 and 30 days before (from the archive, even before the range)."""
    if not daily and not summary:
        return None
    trend, totals = _by_day(daily_all), _by_day(summary_all)
    newest = max(_begin(item) for item in [*daily, *summary])
    kpis = []
    figures: list[tuple[str, dict[date, dict[str, Any]]]] = [(metric, trend) for metric in VISIT_METRICS]
    figures.append(("visitTotal", totals))
    for metric, rows in figures:
        value = finite_float(rows.get(newest, {}).get(metric))
        if value is None:
            continue
        comparisons = tuple(
            Comparison(days, finite_float(rows.get(newest - timedelta(days=days), {}).get(metric)))
            for days in COMPARED_DAYS
        )
        kpis.append(Kpi(metric, value, comparisons))
    return Overview(newest, tuple(kpis)) if kpis else None


# ---- trends ---------------------------------------------------------------------------------


def _series(items: list[Stored], label: Any) -> Series | None:
    if not items:
        return None
    labels, values = [], defaultdict(list)
    for item in items:
        row = _first_row(item)
        labels.append(label(item))
        for metric in ("visitUv", "visitPv", "visitUvNew"):
            values[metric].append(finite_float(row.get(metric)))
    return Series(labels, dict(values))


def _trends(daily: list[Stored], weekly: list[Stored], monthly: list[Stored]) -> Trends | None:
    if not (daily or weekly or monthly):
        return None
    return Trends(
        _series(daily, lambda item: f"{_begin(item):%Y-%m-%d}"),
        _series(weekly, lambda item: f"{_begin(item):%m-%d}~{_end(item):%m-%d}"),
        _series(monthly, lambda item: f"{_begin(item):%Y-%m}"),
    )


# ---- retention ------------------------------------------------------------------------------


def _retained(result: dict[str, Any], audience: str) -> dict[int, int]:
    values = {}
    items = result.get(audience)
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or isinstance(item.get("key"), bool) or not isinstance(item.get("key"), int):
            continue
        value = finite_float(item.get("value"))
        if value is not None:
            values[int(item["key"])] = int(value)
    return values


def _triangle(unit: str, audience: str, items: list[Stored], settling: Settling, today: date) -> Triangle | None:
    if not items or settling.keys is None:
        return None
    keys = settling.keys
    cohorts = []
    for item in items[-COHORTS[unit] :]:
        values = _retained(item.result, audience)
        size = values.get(0)
        cells = []
        for key in keys:
            users = values.get(key)
            if users is None:
                cells.append(Cell(key, None, None, _absent(settling, item, key, today)))
                continue
            rate = finite_float(users / size) if size else None
            if rate is not None and finite_float(rate * 100) is None:  # shown as a percentage: must stay a float
                rate = None
            cells.append(Cell(key, rate, users, "final" if item.settled else "provisional"))
        cohorts.append(Cohort(f"{_begin(item):%Y-%m-%d}", size, item.settled, tuple(cells)))
    return Triangle(unit, audience, keys, tuple(cohorts))


def _absent(settling: Settling, item: Stored, key: int, today: date) -> CellState:
    """A key missing from the stored answer: *not yet* when WeChat could not know it when the
    answer was fetched, or cannot today (its later day, week or month was not over); else none."""
    knowable = Settling(settling.unit, (key,)).milestones(item.period)[0]  # the day after that later period
    fetched = item.fetched_on or today
    return "notYet" if knowable > today or knowable > fetched else "none"


# ---- sources, pages, audience -------------------------------------------------------------


def _sources(items: list[Stored]) -> Sources | None:
    if not items:
        return None
    sums: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # ints: exact, and never infinite
    for row in shape_rows(REPORTS[DISTRIBUTION], items):  # the declared shape's rows: (index, key, value)
        key, value = row.get("key"), finite_float(row.get("value"))
        if isinstance(key, int) and not isinstance(key, bool) and value is not None:
            sums[str(row.get("index"))][key] += int(value)

    def named(index: str, by_value: bool) -> list[Named]:
        pairs = [
            Named(key, total) for key, value in sums.get(index, {}).items() if (total := _whole(value)) is not None
        ]
        if by_value:
            return _top(sorted(pairs, key=lambda n: (-n.value, n.key or 0)), TOP_CHANNELS)
        return _top(sorted(pairs, key=lambda n: n.key or 0), BUCKETS)

    return Sources(
        len(items),
        named("access_source_session_cnt", True),
        named("access_staytime_info", False),
        named("access_depth_info", False),
    )


def _top(pairs: list[Named], limit: int) -> list[Named]:
    """The first ``limit``, the rest summed as one "others" entry (left out when that sum is beyond a float)."""
    if len(pairs) <= limit:
        return pairs
    rest = _whole(sum(pair.value for pair in pairs[limit:]))
    return [*pairs[:limit], *([Named(None, rest)] if rest is not None else [])]


def _pages(items: list[Stored]) -> Pages | None:
    if not items:
        return None
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in shape_rows(REPORTS[PAGE], items):  # the declared shape's rows: one per page and day
        if not isinstance(row.get("pagePath"), str):
            continue
        page = totals[row["pagePath"]]
        pv = finite_float(row.get("pageVisitPv")) or 0.0
        for name, column in (
            ("pv", "pageVisitPv"),
            ("uv", "pageVisitUv"),
            ("entries", "entrypagePv"),
            ("exits", "exitpagePv"),
            ("share_pv", "pageSharePv"),
        ):
            page[name] += (
                finite_float(row.get(column)) or 0.0
            )  # a float sum: beyond its range it is infinite, and _whole makes it missing
        stay = finite_float(row.get("pageStaytimePv"))
        if stay is not None and pv:
            page["stay_weighted"] += stay * pv
            page["stay_pv"] += pv
    rows = [
        PageRow(
            path,
            _whole(t["pv"]),
            _whole(t["uv"]),
            finite_float(t["stay_weighted"] / t["stay_pv"]) if t["stay_pv"] else None,
            _whole(t["entries"]),
            _whole(t["exits"]),
            _whole(t["share_pv"]),
        )
        for path, t in totals.items()
    ]
    top = sorted(rows, key=lambda r: (r.pv is None, -(r.pv or 0), r.path))[:TOP_PAGES]
    entries = sorted((r for r in rows if r.entries), key=lambda r: (-(r.entries or 0), r.path))[:TOP_ENTRY_EXIT]
    exits = sorted((r for r in rows if r.exits), key=lambda r: (-(r.exits or 0), r.path))[:TOP_ENTRY_EXIT]
    return Pages(len(items), top, entries, exits)


def _audiences(items: list[Stored]) -> list[Audience]:
    """The newest portrait of each span (1, 7, 30 days; any other span stored by hand too),
    shortest span first."""
    spans: dict[int, list[Stored]] = defaultdict(list)
    for item in items:
        spans[(_end(item) - _begin(item)).days + 1].append(item)
    return [audience for days in sorted(spans) if (audience := _audience(days, max(spans[days], key=_end))) is not None]


def _audience(days: int, newest: Stored) -> Audience | None:
    """One portrait: each dimension's top entries and the others, the known dimensions first,
    then any other list WeChat sent."""
    groups: dict[str, dict[str, list[tuple[str | None, int]]]] = {}
    for audience in ("visitUvNew", "visitUv"):
        dimensions = newest.result.get(audience)
        if not isinstance(dimensions, dict):
            continue
        group: dict[str, list[tuple[str | None, int]]] = {}
        others = sorted(name for name in dimensions if name not in PORTRAIT_DIMENSIONS)
        for dimension in [name for name in PORTRAIT_DIMENSIONS if name in dimensions] + others:
            pairs = _ranked(dimensions[dimension])
            if pairs:
                group[dimension] = pairs
            if len(group) == DIMENSIONS:
                break
        if group:
            groups[audience] = group
    if not groups:
        return None
    return Audience(days, f"{newest.begin_date}..{newest.end_date}", groups)


def _ranked(entries: Any) -> list[tuple[str | None, int]]:
    """One dimension's ``{name, value}`` entries, by users: the top TOP_NAMES and the others (name
    None). Entries of the same name are added up; an entry without a name is named "" (unnamed)."""
    totals: dict[str, int] = defaultdict(int)
    for entry in entries if isinstance(entries, list) else []:
        value = finite_float(entry.get("value")) if isinstance(entry, dict) else None
        if value is None:
            continue
        name = entry.get("name")
        totals[
            name if isinstance(name, str) else str(name) if isinstance(name, int) and not isinstance(name, bool) else ""
        ] += int(value)
    pairs: list[tuple[str | None, int]] = [
        (name, total) for name, value in totals.items() if (total := _whole(value)) is not None
    ]
    pairs.sort(key=lambda pair: -pair[1])
    if len(pairs) <= TOP_NAMES:
        return pairs
    rest = _whole(sum(value for _, value in pairs[TOP_NAMES:]))
    return [*pairs[:TOP_NAMES], *([(None, rest)] if rest is not None else [])]


# ---- missing periods ------------------------------------------------------------------------


def _missing(present: dict[str, list[Stored]], since: date, until: date, today: date) -> list[Missing]:
    """The closed periods of the range that an archived report lacks (reports not archived at all
    are simply not in the report)."""
    missing = []
    for api, items in present.items():
        have = {(item.begin_date, item.end_date) for item in items}
        wanted = closed_periods(REPORTS[api], since, today, until)
        lacking = [period for period in wanted if (period.begin_date, period.end_date) not in have]
        if lacking:
            examples = [
                p.begin_date if p.begin_date == p.end_date else f"{p.begin_date}..{p.end_date}" for p in lacking[:5]
            ]
            missing.append(Missing(api, len(lacking), examples))
    return missing
