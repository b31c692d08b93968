"""The archive keeps the truth: retention that settles later is asked again exactly when WeChat can
know more, replaced answers are kept, older answers never overwrite newer ones, and the run ledger
and ``status`` tell what happened. Against the time-faithful emulator (its clock pinned, so it
knows only what has happened) and real databases."""

from __future__ import annotations

import io
import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, text
from wxcloud import OpenApiClient, Period, Permissions, WxSettings
from wxcloud.archive import REPORTS, ReadThrough, Settling, plan
from wxcloud.archive.cli.main import main
from wxcloud.archive.kept.reports import WHOLE
from wxcloud.archive.store.rows import flat_rows, keeps
from wxcloud.dates import BEIJING

from devtools.wechat_emulator import ANALYSIS_PATHS, DEFAULT_APPID, DEFAULT_SECRET, Fault, WeChatEmulator
from tests.support.archive import HOOK_PATH, Db, function, timer
from tests.support.clocks import Sleeps

DAILY_RETAIN = "analysis.getDailyRetain"
WEEKLY_RETAIN = "analysis.getWeeklyRetain"
MONTHLY_RETAIN = "analysis.getMonthlyRetain"
DAILY_TREND = "analysis.getDailyVisitTrend"
RETENTION = (DAILY_RETAIN, WEEKLY_RETAIN, MONTHLY_RETAIN)
ALL_KEYS = {DAILY_RETAIN: [0, 1, 2, 3, 4, 5, 6, 7, 14, 30], WEEKLY_RETAIN: [0, 1, 2, 3, 4], MONTHLY_RETAIN: [0, 1]}
LIFETIME_FETCHES = {DAILY_RETAIN: 10, WEEKLY_RETAIN: 5, MONTHLY_RETAIN: 2}
READY_AT = 10 * 3600  # WeChat has computed yesterday by 10:00 Beijing time
D = date(2026, 3, 10)


def day(d: date) -> Period:
    return Period(d, d)


def at(d: date, hour: int = 11, minute: int = 30) -> float:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=BEIJING).timestamp()


def fired(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def keys_of(result: dict[str, Any]) -> list[int]:
    return [item["key"] for item in result["visitUv"]]


# ---- when a report can know more: the declarations alone --------------------------------------


def test_a_day_of_retention_is_asked_on_the_ten_days_a_key_becomes_knowable() -> None:
    settling = REPORTS[DAILY_RETAIN].settling
    expected = [D + timedelta(days=n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 15, 31)]
    assert list(settling.milestones(day(D))) == expected
    assert settling.settles_on(day(D)) == D + timedelta(days=31)
    # a run every day asks on exactly those days
    asked, last = [], None
    for n in range(1, 60):
        today = D + timedelta(days=n)
        if settling.due(day(D), last, today):
            asked.append(today)
            last = today
    assert asked == expected
    # after missed days, one fetch catches up with every key that became knowable meanwhile
    assert settling.due(day(D), D + timedelta(days=1), D + timedelta(days=20)) is True
    assert settling.due(day(D), D + timedelta(days=20), D + timedelta(days=30)) is False
    assert settling.due(day(D), D + timedelta(days=20), D + timedelta(days=31)) is True
    assert settling.due(day(D), D + timedelta(days=31), date(2030, 1, 1)) is False


def test_weeks_settle_after_four_weeks_and_months_after_one() -> None:
    week = Period(date(2026, 3, 2), date(2026, 3, 8))
    assert list(REPORTS[WEEKLY_RETAIN].settling.milestones(week)) == [
        date(2026, 3, 9) + timedelta(weeks=k) for k in range(5)
    ]
    monthly = REPORTS[MONTHLY_RETAIN].settling
    assert list(monthly.milestones(Period(date(2026, 1, 1), date(2026, 1, 31)))) == [date(2026, 2, 1), date(2026, 3, 1)]
    assert list(monthly.milestones(Period(date(2028, 1, 1), date(2028, 1, 31)))) == [date(2028, 2, 1), date(2028, 3, 1)]
    assert list(monthly.milestones(Period(date(2026, 12, 1), date(2026, 12, 31)))) == [
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert list(monthly.milestones(Period(date(2027, 11, 1), date(2027, 11, 30)))) == [
        date(2027, 12, 1),
        date(2028, 1, 1),
    ]


def test_the_other_reports_settle_when_first_answered_unless_a_refresh_window_is_kept() -> None:
    for name, report in REPORTS.items():
        assert (report.settling is WHOLE) == (name not in RETENTION), name
    assert WHOLE.milestones(day(D)) == (D + timedelta(days=1),)
    assert WHOLE.due(day(D), D + timedelta(days=1), date(2030, 1, 1)) is False
    assert WHOLE.milestones(day(D), refresh_days=3) == tuple(D + timedelta(days=n) for n in (1, 2, 3, 4))
    assert WHOLE.due(day(D), D + timedelta(days=2), D + timedelta(days=3), refresh_days=3) is True
    assert WHOLE.due(day(D), D + timedelta(days=4), D + timedelta(days=9), refresh_days=3) is False
    assert Settling("day", (0, 30)).settles_on(day(D), refresh_days=5) == D + timedelta(days=31)


def test_a_revision_is_a_figure_that_changed_not_one_that_was_added() -> None:
    early = {"refDate": "20260310", "visitUv": [{"key": 0, "value": 50}], "errMsg": "ok"}
    later = {"refDate": "20260310", "visitUv": [{"key": 0, "value": 50}, {"key": 1, "value": 9}], "errMsg": "ok"}
    assert keeps(early, later) and not keeps(later, early)
    assert not keeps(early, {**later, "visitUv": [{"key": 0, "value": 51}, {"key": 1, "value": 9}]})
    pages = {"list": [{"pagePath": "a", "pageVisitPv": 3}, {"pagePath": "b", "pageVisitPv": 2}]}
    assert keeps(pages, {"list": list(reversed(pages["list"]))})  # reordered, nothing changed
    assert not keeps(pages, {"list": pages["list"][:1]})  # a page dropped
    assert not keeps({"n": 1}, {"n": True}) and keeps({"n": 1}, {"n": 1.0})


# ---- days of timer runs against a WeChat that knows only what has happened ---------------------


class PinnedWeChat:
    """The emulator and every clock of the function pinned to one moment that the test moves."""

    def __init__(self, db: Db, sleeps: Sleeps, apis: tuple[str, ...], **env: str) -> None:
        self.now = at(date(2026, 3, 1))
        self.wechat = WeChatEmulator(clock=lambda: self.now, data_ready_at=READY_AT).start()
        self.env = {
            **db.env(),
            "WX_APPID": DEFAULT_APPID,
            "WX_APPSECRET": DEFAULT_SECRET,
            "WX_API_BASE_URL": self.wechat.url,
            "WX_ARCHIVE_APIS": ",".join(apis),
            **env,
        }
        settings = WxSettings(DEFAULT_APPID, DEFAULT_SECRET, self.wechat.url)
        self.client = OpenApiClient(
            settings, permissions=Permissions.allow(*REPORTS), wall_clock=lambda: self.now, sleep=sleeps
        )
        self.handler = function(self.env, client_factory=self._client_for, wall_clock=lambda: self.now)
        self.asked: list[tuple[float, Any]] = []  # (the run's moment, a request it made)

    def _client_for(self, permissions: Permissions) -> OpenApiClient:
        settings = WxSettings(DEFAULT_APPID, DEFAULT_SECRET, self.wechat.url)
        return OpenApiClient(settings, permissions=permissions, wall_clock=lambda: self.now)

    def run(self, moment: float) -> dict[str, Any]:
        self.now = moment
        before = len(self.wechat.received)
        answer = self.handler(timer(fired(moment)), {"time_limit_in_ms": 600_000})
        assert answer["errCode"] == 0, answer
        self.asked.extend((moment, request) for request in self.wechat.received[before:])
        return answer

    def fetches(self, api: str, *, answered: bool = False) -> Counter[tuple[str, str]]:
        """How many requests each period of ``api`` cost in the runs; ``answered``: only those
        WeChat answered with figures (not the 61503 of yesterday's period before it is computed)."""
        counts: Counter[tuple[str, str]] = Counter()
        for moment, request in self.asked:
            if request.path != ANALYSIS_PATHS[api]:
                continue
            body = request.json()
            local = datetime.fromtimestamp(moment, BEIJING)
            not_ready = (
                local.hour * 3600 + local.minute * 60 < READY_AT
                and body["end_date"] == f"{local.date() - timedelta(days=1):%Y%m%d}"
            )
            if not (answered and not_ready):
                counts[(body["begin_date"], body["end_date"])] += 1
        return counts

    def clear(self) -> None:
        """Forget the requests so far (and queued faults)."""
        self.wechat.clear()
        self.asked.clear()

    def close(self) -> None:
        self.client.close()
        self.wechat.stop()


@pytest.fixture
def pinned(db: Db, sleeps: Sleeps) -> Iterator[Callable[..., PinnedWeChat]]:
    made: list[PinnedWeChat] = []

    def make(apis: tuple[str, ...], **env: str) -> PinnedWeChat:
        made.append(PinnedWeChat(db, sleeps, apis, **env))
        return made[-1]

    yield make
    for world in made:
        world.close()


def _schedule() -> list[float]:
    """Daily 11:30 runs from 2 March to 20 May 2026, with a five-day pause, a thirteen-day gap,
    mornings before WeChat has computed yesterday (09:00, some followed by the 11:30 run, some
    alone), and two runs on one day."""
    moments = []
    first, last = date(2026, 3, 2), date(2026, 5, 20)
    pause = {date(2026, 3, 20) + timedelta(days=n) for n in range(5)}
    gap = {date(2026, 4, 10) + timedelta(days=n) for n in range(13)}
    morning_only = {date(2026, 4, 1), date(2026, 5, 1), date(2026, 5, 11)}
    morning_too = {date(2026, 3, 5), date(2026, 4, 27)}
    twice = {date(2026, 3, 12)}
    d = first
    while d <= last:
        if d not in pause and d not in gap:
            if d in morning_only or d in morning_too:
                moments.append(at(d, 9, 0))
            if d not in morning_only:
                moments.append(at(d))
            if d in twice:
                moments.append(at(d, 15, 0))
        d += timedelta(days=1)
    return moments


@pytest.mark.slow
def test_days_of_timer_runs_keep_exactly_what_wechat_knew(db: Db, pinned: Callable[..., PinnedWeChat]) -> None:
    apis = (*RETENTION, DAILY_TREND)
    world = pinned(apis, WX_ARCHIVE_SINCE="20260301")
    totals: Counter[str] = Counter()
    for moment in _schedule():
        answer = world.run(moment)
        for outcome, count in answer["totals"].items():
            totals[outcome] += count
        assert answer["totals"]["failed"] == answer["totals"]["leftForLater"] == 0
    last = date(2026, 5, 20)
    archive = db.archive()
    asked = {api: world.fetches(api) for api in apis}
    answered = {api: world.fetches(api, answered=True) for api in apis}

    for api in RETENTION:
        stored = archive.results(DEFAULT_APPID, api)
        periods = plan.periods(api, date(2026, 3, 1), last)
        assert [(item.begin_date, item.end_date) for item in stored] == [(p.begin_date, p.end_date) for p in periods], (
            api
        )
        settling = REPORTS[api].settling
        for item in stored:
            # exactly what WeChat knows on the day of the last run
            assert item.result == world.client.call(REPORTS[api].spec, item.period.data()), (api, item.begin_date)
            settled = settling.settles_on(item.period) <= last
            assert item.settled is settled, (api, item.begin_date)
            if settled:
                assert (
                    keys_of(item.result) == ALL_KEYS[api]
                    and [k["key"] for k in item.result["visitUvNew"]] == ALL_KEYS[api]
                )
        fetches = answered[api]
        assert max(fetches.values()) <= LIFETIME_FETCHES[api], (api, fetches.most_common(3))
        # a request more only where a morning run asked for the newest period before WeChat had it
        assert all(asked[api][key] - fetches[key] <= 1 for key in asked[api]), api
        settled_fetches = [fetches[(i.begin_date, i.end_date)] for i in stored if i.settled]
        assert settled_fetches and min(settled_fetches) >= 2, api  # asked again, not frozen at the first answer

    # the daily trend settles when first answered: one request per day, plus one 61503 per morning run
    mornings = sum(1 for moment in _schedule() if datetime.fromtimestamp(moment, BEIJING).hour == 9)
    trend = asked[DAILY_TREND]
    assert sum(trend.values()) == len(plan.periods(DAILY_TREND, date(2026, 3, 1), last)) + mornings
    # a day that settled while the runs went on daily asked on each of its ten days, no more
    assert answered[DAILY_RETAIN][("20260301", "20260301")] == 10

    # every replaced answer kept, none of them a revision (WeChat only added keys)
    assert totals["revised"] == 0 and totals["refreshed"] > 0
    revisions = archive.tables.revisions
    with archive.engine.connect() as connection:
        kept = connection.execute(select(revisions.c.api, revisions.c.revised)).all()
    assert len(kept) == totals["refreshed"] and not any(row.revised for row in kept)
    # no stale flat row: each period's rows are its latest answer's
    table = archive.tables.for_shape(REPORTS[DAILY_RETAIN].shape)
    with archive.engine.connect() as connection:
        count = connection.execute(
            select(text("COUNT(*)")).select_from(table).where(table.c.api == DAILY_RETAIN)
        ).scalar()
    expected = sum(
        len(flat_rows(REPORTS[DAILY_RETAIN], i.result, i.period, {}))
        for i in archive.results(DEFAULT_APPID, DAILY_RETAIN)
    )
    assert count == expected


def test_a_run_after_a_long_pause_catches_up_with_one_fetch_per_period(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    world = pinned((DAILY_RETAIN,), WX_ARCHIVE_SINCE="20260301")
    world.run(at(date(2026, 3, 11)))  # ten days, key 0 each
    world.clear()
    answer = world.run(at(date(2026, 4, 30)))  # fifty days later: everything up to 29 April
    assert answer["apis"][DAILY_RETAIN]["refreshed"] == 10 and answer["apis"][DAILY_RETAIN]["stored"] == 50
    assert set(world.fetches(DAILY_RETAIN).values()) == {1}
    archive = db.archive()
    first = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 1)))
    assert first is not None and first.settled and keys_of(first.result) == ALL_KEYS[DAILY_RETAIN]
    assert first.fetches == 2


def test_a_morning_run_before_wechat_computed_yesterday_records_what_it_knew_the_day_before(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    """On 1 April, key 30 of 1 March (the users of 1 March seen again on 31 March) exists only once
    WeChat has computed 31 March. A run at 09:00 must not ask for it (nor record it as known): the
    next run asks, and 1 March settles with all ten keys."""
    world = pinned((DAILY_RETAIN,), WX_ARCHIVE_SINCE="20260301")
    world.run(at(date(2026, 3, 31)))  # 1 March has keys 0..7, 14 (asked on 31 March: key 30 not yet)
    world.clear()
    morning = world.run(at(date(2026, 4, 1), 9, 0))
    tally = morning["apis"][DAILY_RETAIN]
    assert tally["notReady"] >= 2 and world.fetches(DAILY_RETAIN).get(("20260301", "20260301"), 0) == 0
    archive = db.archive()
    stored = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 1)))
    assert stored is not None and not stored.settled and 30 not in keys_of(stored.result)
    world.run(at(date(2026, 4, 2)))
    stored = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 1)))
    assert stored is not None and stored.settled and keys_of(stored.result) == ALL_KEYS[DAILY_RETAIN]


def test_a_revision_by_wechat_is_caught_and_the_answer_it_replaced_kept(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    world = pinned((DAILY_RETAIN, DAILY_TREND), WX_ARCHIVE_SINCE="20260301", WX_ARCHIVE_REFRESH_DAYS="2")
    world.run(at(date(2026, 3, 11)))
    before = db.archive().stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 9)))
    assert before is not None
    world.wechat.revise(DAILY_RETAIN, date(2026, 3, 9), date(2026, 3, 9))
    world.wechat.revise(DAILY_TREND, date(2026, 3, 9), date(2026, 3, 9))  # two days old: inside the window
    world.wechat.revise(DAILY_TREND, date(2026, 3, 1), date(2026, 3, 1))  # long settled: never asked again
    answer = world.run(at(date(2026, 3, 12)))
    assert answer["apis"][DAILY_RETAIN]["revised"] == 1 and answer["apis"][DAILY_TREND]["revised"] == 1
    assert answer["apis"][DAILY_TREND]["refreshed"] == 1  # 10 March, one day old, unchanged
    archive = db.archive()
    (replaced,) = archive.revisions(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 9)))
    assert replaced.result == before.result and replaced.fetched_on == date(2026, 3, 11) and replaced.revised is True
    trend = archive.stored(DEFAULT_APPID, DAILY_TREND, day(date(2026, 3, 1)))
    assert trend is not None and trend.fetches == 1
    assert trend.result != world.client.call(REPORTS[DAILY_TREND].spec, day(date(2026, 3, 1)).data())


# ---- storing: newer answers win, on every database ----------------------------------------------


@pytest.mark.slow
def test_concurrent_stores_leave_the_newest_answer_and_its_rows_only(db: Db) -> None:
    archive = db.archive()
    archive.ensure_schema()
    period = day(date(2026, 3, 10))
    base = datetime(2026, 3, 11, 4, 0, tzinfo=timezone.utc)
    answers = [
        (
            base + timedelta(minutes=n),
            {
                "refDate": "20260310",
                "visitUvNew": [{"key": k, "value": 100 - k} for k in range(n % 5 + 1)],
                "visitUv": [{"key": 0, "value": 500 + n}],
            },
        )
        for n in range(12)
    ]
    random.Random(7).shuffle(answers)
    errors: list[BaseException] = []
    start = threading.Barrier(len(answers))

    def store(moment: datetime, result: dict[str, Any]) -> None:
        writer = db.archive()
        try:
            start.wait()
            writer.store("wxappid", DAILY_RETAIN, period, result, fetched_at=moment, fetched_on=date(2026, 3, 11))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=store, args=answer) for answer in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    newest_moment, newest = max(answers, key=lambda answer: answer[0])
    stored = archive.stored("wxappid", DAILY_RETAIN, period)
    assert stored is not None and stored.result == newest
    assert stored.fetched_at == newest_moment.replace(tzinfo=None)
    table = archive.tables.for_shape(REPORTS[DAILY_RETAIN].shape)
    with archive.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.metric, table.c.item_key, table.c.item_value).order_by(table.c.position)
        ).all()
    expected = flat_rows(REPORTS[DAILY_RETAIN], newest, period, {})
    assert [(row.metric, row.item_key, row.item_value) for row in rows] == [
        (r["metric"], r["item_key"], r["item_value"]) for r in expected
    ]
    revisions = archive.revisions("wxappid", DAILY_RETAIN, period)
    assert all(revision.fetched_at < stored.fetched_at for revision in revisions)
    assert stored.fetches == len(revisions) + 1


# ---- get: a read-through that knows when WeChat can say more ------------------------------------


def test_get_asks_wechat_again_only_when_it_can_know_more(db: Db, pinned: Callable[..., PinnedWeChat]) -> None:
    world = pinned((DAILY_RETAIN,))
    archive = db.archive()
    reader = ReadThrough(archive, world.client)
    data = day(D).data()
    path = ANALYSIS_PATHS[DAILY_RETAIN]
    world.now = at(D + timedelta(days=1))
    assert keys_of(reader.get(DAILY_RETAIN, data)) == [0]
    assert keys_of(reader.get(DAILY_RETAIN, data)) == [0] and len(world.wechat.requests_to(path)) == 1
    world.now = at(D + timedelta(days=3))
    assert keys_of(reader.get(DAILY_RETAIN, data)) == [0, 1, 2] and len(world.wechat.requests_to(path)) == 2
    world.now = at(D + timedelta(days=40))
    assert (
        keys_of(reader.get(DAILY_RETAIN, data)) == ALL_KEYS[DAILY_RETAIN] and len(world.wechat.requests_to(path)) == 3
    )
    world.now = at(D + timedelta(days=400))
    assert (
        keys_of(reader.get(DAILY_RETAIN, data)) == ALL_KEYS[DAILY_RETAIN] and len(world.wechat.requests_to(path)) == 3
    )
    stored = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(D))
    assert stored is not None and stored.settled and stored.fetches == 3


# ---- the run ledger and status ------------------------------------------------------------------


def test_the_timer_keeps_to_the_window_a_manual_run_was_asked_for(db: Db, pinned: Callable[..., PinnedWeChat]) -> None:
    """No WX_ARCHIVE_SINCE: a manual run from 1 March makes that the app's window, and the daily
    timer that follows asks for the new day alone, not for a year before it."""
    world = pinned((DAILY_TREND,))
    world.now = at(date(2026, 3, 10))
    manual = world.handler({"since": "20260301"}, {"time_limit_in_ms": 600_000})
    assert manual["errCode"] == 0 and manual["since"] == "20260301" and manual["apis"][DAILY_TREND]["stored"] == 9
    world.clear()
    answer = world.run(at(date(2026, 3, 11)))
    assert answer["since"] == "20260301" and answer["apis"][DAILY_TREND]["stored"] == 1
    assert list(world.fetches(DAILY_TREND)) == [("20260310", "20260310")]
    from wxcloud.archive.plan.window import kept_since

    assert kept_since(db.archive(), [DEFAULT_APPID]) == date(2026, 3, 1)


def test_the_window_is_written_when_a_run_widens_it_and_not_by_every_run(db: Db) -> None:
    """A run inside the window, the daily timer's, sends the window's table no write at all (each
    would be a write transaction for nothing); a run from further back widens it."""
    from dataclasses import replace

    from sqlalchemy import event
    from wxcloud.archive import Job
    from wxcloud.archive.plan.window import kept_since, windowed

    archive = db.archive()
    archive.ensure_schema()
    job = Job((DAILY_TREND,), date(2026, 3, 1), date(2026, 3, 10))
    windowed(archive, [DEFAULT_APPID], job, chosen=True)
    sent: list[str] = []
    event.listen(archive.engine, "before_cursor_execute", lambda *call: sent.append(call[2]))
    assert windowed(archive, [DEFAULT_APPID], replace(job, since=date(2026, 3, 9)), chosen=False).since == job.since
    assert windowed(archive, [DEFAULT_APPID], replace(job, since=date(2026, 3, 5)), chosen=True).since == date(
        2026, 3, 5
    )
    window = archive.tables.windows.name
    assert sent and not [s for s in sent if window in s and not s.lstrip().upper().startswith("SELECT")]
    windowed(archive, [DEFAULT_APPID], replace(job, since=date(2026, 2, 20)), chosen=True)
    assert kept_since(archive, [DEFAULT_APPID]) == date(2026, 2, 20)


def test_every_run_is_in_the_ledger_with_its_outcome(db: Db, pinned: Callable[..., PinnedWeChat]) -> None:
    world = pinned((DAILY_TREND,), WX_ARCHIVE_SINCE="20260301")
    world.run(at(date(2026, 3, 5)))
    world.wechat.revise(DAILY_TREND, date(2026, 3, 3), date(2026, 3, 3))  # (settled: not asked)
    world.run(at(date(2026, 3, 6), 9, 0))  # before WeChat computed 5 March: incomplete
    broken = function({**world.env, "WX_APPSECRET": ""}, wall_clock=lambda: world.now)
    failed = broken(timer(fired(at(date(2026, 3, 6)))), {})
    assert failed["errCode"] == -601001
    archive = db.archive()
    from wxcloud.archive.observe.ledger import Ledger

    runs = Ledger(archive).runs(DEFAULT_APPID)
    assert [(run.trigger, run.today, run.outcome) for run in runs] == [
        ("timer", "20260306", "failed"),
        ("timer", "20260306", "incomplete"),
        ("timer", "20260305", "complete"),
    ]
    assert runs[0].summary is None and runs[0].error is not None and "WX_APPSECRET" in runs[0].error
    assert runs[1].summary is not None and runs[1].summary["apis"][DAILY_TREND]["notReady"] == 1
    assert all(run.ended_at is not None and run.started_at <= run.ended_at for run in runs)
    assert all(run.appid == DEFAULT_APPID for run in runs)
    with archive.engine.connect() as connection:
        ledger_text = " ".join(
            str(value) for row in connection.execute(select(archive.tables.runs)).all() for value in row
        )
    assert DEFAULT_SECRET not in ledger_text and not any(token in ledger_text for token in world.wechat.issued_tokens)


def _status(monkeypatch: pytest.MonkeyPatch, db: Db, *args: str) -> tuple[int, str, str]:
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    out, err = io.StringIO(), io.StringIO()
    code = main(["status", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_status_says_which_report_is_behind_and_exits_for_cron(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(BEIJING).date()
    since = f"{today - timedelta(days=20):%Y%m%d}"
    monkeypatch.setenv("WX_ARCHIVE_APIS", f"{DAILY_TREND},{DAILY_RETAIN}")
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    assert main(["backfill", "--since", since], stdout=io.StringIO(), stderr=io.StringIO()) == 0

    code, out, _ = _status(monkeypatch, db, "--since", since, "--appid", DEFAULT_APPID, "--format", "json")
    state = json.loads(out)
    assert (
        code == 0
        and state["ok"] is True
        and state["lastRun"]["outcome"] == "complete"
        and state["lastRun"]["trigger"] == "cli"
    )
    trend, retain = state["reports"]
    assert (
        trend["newestArchived"] == trend["newestFinished"] == f"{today - timedelta(days=1):%Y%m%d}"
        and trend["missing"] == 0
    )
    assert trend["unsettled"] == 0 and retain["unsettled"] == 20  # the days younger than their thirty-day key

    code, out, _ = _status(monkeypatch, db, "--since", since)
    assert code == 0 and "getDailyRetain" in out and "last run: cli" in out

    results = db.archive().tables.results
    with db.archive().engine.begin() as connection:
        connection.execute(
            results.delete().where(
                results.c.api == DAILY_TREND, results.c.end_date == f"{today - timedelta(days=3):%Y%m%d}"
            )
        )
    code, out, _ = _status(monkeypatch, db, "--since", since)
    assert code == 1 and "behind or failed: analysis.getDailyVisitTrend\n" in out

    code, _, err = _status(monkeypatch, db, "--since", "2026-13-01", "--json")
    assert code == 2 and "--since" in json.loads(err)["errMsg"]


def test_status_fails_when_the_last_run_failed(
    db: Db, pinned: Callable[..., PinnedWeChat], monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(BEIJING).date()
    since = f"{today - timedelta(days=5):%Y%m%d}"
    world = pinned((DAILY_TREND,), WX_ARCHIVE_SINCE=since)
    monkeypatch.setenv("WX_ARCHIVE_APIS", DAILY_TREND)
    world.run(at(today))
    assert _status(monkeypatch, db, "--since", since)[0] == 0

    results = db.archive().tables.results
    with db.archive().engine.begin() as connection:
        connection.execute(results.delete().where(results.c.end_date == since))
    world.wechat.add_fault(ANALYSIS_PATHS[DAILY_TREND], Fault.errcode(48001, "api unauthorized"))
    answer = world.run(at(today, 12, 0))
    assert answer["apis"][DAILY_TREND]["stopped"] == "failed (48001)"
    code, out, _ = _status(monkeypatch, db, "--since", since, "--appid", DEFAULT_APPID, "--format", "json")
    (report,) = json.loads(out)["reports"]
    assert code == 1 and report["behind"] is True
    assert report["lastRunProblem"].startswith(
        "stopped: failed (48001) (48001 openapi.analysis.getDailyVisitTrend:fail api unauthorized"
    )

    broken = function({**world.env, "WX_ARCHIVE_APIS": "analysis.getNothing"}, wall_clock=lambda: world.now)
    assert broken(timer(fired(at(today, 13, 0))), {})["errCode"] == -601001  # before the database: not in the ledger
    denied = function({**world.env, "WX_APPSECRET": ""}, wall_clock=lambda: world.now)
    assert denied(timer(fired(at(today, 13, 0))), {})["errCode"] == -601001
    world.clear()
    world.run(at(today, 14, 0))  # the missing day is archived again
    code, out, _ = _status(monkeypatch, db, "--since", since, "--appid", DEFAULT_APPID, "--format", "json")
    assert code == 0, out
    denied(timer(fired(at(today, 15, 0))), {})
    code, out, _ = _status(monkeypatch, db, "--since", since)
    assert code == 1 and "the last run failed: -601001" in out and "WX_APPSECRET" in out


# ---- alerts: a run that needs attention tells the team's WeCom group, once ----------------------


HOOK_KEY = "-".join(("7c1e2d3f", "4a5b", "6c7d", "8e9f", "a0b1c2d3e4f5"))  # built, so no frame's source line shows it


def ours(texts: list[str]) -> list[str]:
    """Log lines but those of the loopback webhook itself (werkzeug logs each request it serves)."""
    return [text for text in texts if not text.startswith("werkzeug ")]


@pytest.fixture
def hook() -> Iterator[Any]:
    from tests.support.tencentcloud_http import loopback_server

    with loopback_server() as server:
        yield server


def test_a_run_stopped_by_quota_alerts_the_team_and_a_healthy_run_does_not(
    db: Db, pinned: Callable[..., PinnedWeChat], hook: Any, no_secrets_in_logs: Any
) -> None:
    hook.expect_request(HOOK_PATH).respond_with_json({"errcode": 0, "errmsg": "ok"})
    webhook = f"http://127.0.0.1:{hook.port}{HOOK_PATH}?key={HOOK_KEY}"
    world = pinned((DAILY_TREND, DAILY_RETAIN), WX_ARCHIVE_SINCE="20260301", WX_ARCHIVE_ALERT_WEBHOOK=webhook)
    world.wechat.add_fault(ANALYSIS_PATHS[DAILY_TREND], Fault.errcode(45009, "reach max api daily quota limit"))
    answer = world.run(at(date(2026, 3, 8)))
    assert answer["apis"][DAILY_TREND]["stopped"] == "quota (45009)"
    (posted,) = [request for request, _ in hook.log]
    content = json.loads(posted.get_data())["markdown"]["content"]
    assert DEFAULT_APPID in content and DAILY_TREND in content and "45009" in content and DAILY_RETAIN not in content
    assert DEFAULT_SECRET not in content and not any(token in content for token in world.wechat.issued_tokens)

    answer = world.run(at(date(2026, 3, 9)))  # quota back: everything archived, nothing to say
    assert answer["complete"] is True and len(hook.log) == 1
    texts = [*ours(no_secrets_in_logs.texts), json.dumps(answer)]
    assert not [text for text in texts if HOOK_KEY in text]


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["hangs", "500"])
def test_a_webhook_that_hangs_or_fails_never_fails_the_run(
    sqlite_db: Db, sleeps: Sleeps, hook: Any, no_secrets_in_logs: Any, broken: str
) -> None:
    from tests.support.tencentcloud_http import Stall

    stall = Stall(seconds=20)
    if broken == "hangs":
        hook.expect_request(HOOK_PATH).respond_with_handler(stall)
    else:
        hook.expect_request(HOOK_PATH).respond_with_data("<html>500</html>", status=500)
    world = PinnedWeChat(
        sqlite_db,
        sleeps,
        (DAILY_TREND,),
        WX_ARCHIVE_SINCE="20260301",
        WX_ARCHIVE_ALERT_WEBHOOK=f"http://127.0.0.1:{hook.port}{HOOK_PATH}?key={HOOK_KEY}",
    )
    try:
        world.wechat.add_fault(ANALYSIS_PATHS[DAILY_TREND], Fault.errcode(48001, "api unauthorized"))
        started = datetime.now(timezone.utc)
        answer = world.run(at(date(2026, 3, 8)))
        took = (datetime.now(timezone.utc) - started).total_seconds()
    finally:
        stall.released.set()
        world.close()
    assert answer["errCode"] == 0 and answer["apis"][DAILY_TREND]["stopped"] == "failed (48001)"
    delivered = (
        stall.received if broken == "hangs" else hook.log
    )  # a stalled request is logged by the server only once answered
    assert len(delivered) == 1 and took < 5.0 + 2.0  # the alert's budget, and no more
    warnings = [text for text in no_secrets_in_logs.texts if "alert not delivered" in text]
    assert warnings and "127.0.0.1" in warnings[0]
    assert not [text for text in [*ours(no_secrets_in_logs.texts), json.dumps(answer)] if HOOK_KEY in text]


# ---- what a review found: neighbours stored at once, mornings without proof, a broken environment --


@pytest.mark.slow
def test_runs_storing_neighbouring_periods_at_once_never_fail_on_each_other(db: Db) -> None:
    """A backfill's periods are new and next to each other: on MariaDB, a locking read of a row
    that is not there locks the gap where the neighbours go, and writers deadlock. Four writers
    store 200 neighbouring days each (three in one order, one in the other), new and again."""
    archive = db.archive()
    archive.ensure_schema()
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(200)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        mine = db.archive()
        order = days if n < 3 else list(reversed(days))
        try:
            start.wait()
            for d in order:
                answer = {"refDate": f"{d:%Y%m%d}", "visitUv": [{"key": 0, "value": 100}, {"key": 1, "value": 10 + n}]}
                mine.store(
                    "wxappid", DAILY_RETAIN, day(d), answer, fetched_at=datetime(2026, 3, 2, 3, n, tzinfo=timezone.utc)
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], [str(error)[:300] for error in errors]
    stored = archive.results("wxappid", DAILY_RETAIN)
    assert len(stored) == 200 and all(
        item.result["visitUv"][1]["value"] == 13 for item in stored
    )  # the newest writer's
    assert all(item.fetched_at == datetime(2026, 3, 2, 3, 3) for item in stored)


def test_a_get_in_the_morning_never_settles_a_period_without_its_last_key(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    world = pinned((DAILY_RETAIN,))
    archive = db.archive()
    reader = ReadThrough(archive, world.client)
    data = day(D).data()
    world.now = at(D + timedelta(days=20))
    assert keys_of(reader.get(DAILY_RETAIN, data))[-1] == 14
    world.now = at(D + timedelta(days=31), 9, 0)  # WeChat has not computed D+30 yet: no key 30
    assert 30 not in keys_of(reader.get(DAILY_RETAIN, data))
    stored = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(D))
    assert stored is not None and not stored.settled and stored.fetched_on == D + timedelta(days=30)
    world.now = at(D + timedelta(days=31))
    assert keys_of(reader.get(DAILY_RETAIN, data)) == ALL_KEYS[DAILY_RETAIN]
    stored = archive.stored(DEFAULT_APPID, DAILY_RETAIN, day(D))
    assert stored is not None and stored.settled and stored.fetched_on == D + timedelta(days=31)
    world.now = at(D + timedelta(days=90))
    reader.get(DAILY_RETAIN, data)
    assert len(world.wechat.requests_to(ANALYSIS_PATHS[DAILY_RETAIN])) == 3


def test_a_run_without_proof_that_wechat_computed_yesterday_records_the_day_before(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    """A manual run whose ``until`` ends a month ago, at 09:00 on 1 April: none of its periods
    ended yesterday, so nothing proves WeChat has computed 31 March (key 30 of 1 March)."""
    world = pinned((DAILY_RETAIN,), WX_ARCHIVE_SINCE="20260301")
    world.run(at(date(2026, 3, 31)))
    world.now = at(date(2026, 4, 1), 9, 0)
    answer = world.handler({"since": "20260301", "until": "20260301"}, {"time_limit_in_ms": 60_000})
    assert answer["errCode"] == 0 and answer["apis"][DAILY_RETAIN]["notReady"] == 1
    stored = db.archive().stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 1)))
    assert stored is not None and not stored.settled and 30 not in keys_of(stored.result)
    world.run(at(date(2026, 4, 1)))  # the timer's run proves it, and asks
    stored = db.archive().stored(DEFAULT_APPID, DAILY_RETAIN, day(date(2026, 3, 1)))
    assert stored is not None and stored.settled and keys_of(stored.result) == ALL_KEYS[DAILY_RETAIN]


def test_a_broken_environment_is_an_error_value_in_the_ledger_never_a_raise(
    db: Db, pinned: Callable[..., PinnedWeChat]
) -> None:
    world = pinned((DAILY_TREND,), WX_ARCHIVE_SINCE="20260301")
    broken = function({**world.env, "WX_API_BASE_URL": "http://example.com"}, wall_clock=lambda: world.now)
    world.now = at(date(2026, 3, 5))
    answer = broken(timer(fired(world.now)), {"time_limit_in_ms": 60_000})
    assert answer["errCode"] == -601001 and "WX_API_BASE_URL must be https" in answer["errMsg"]
    from wxcloud.archive.observe.ledger import Ledger

    (run,) = Ledger(db.archive()).runs()
    assert run.outcome == "failed" and run.error is not None and "https" in run.error


def test_status_counts_overdue_periods_and_runs_that_died(
    db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(BEIJING).date()
    since = f"{today - timedelta(days=10):%Y%m%d}"
    monkeypatch.setenv("WX_ARCHIVE_APIS", DAILY_RETAIN)
    for name, value in db.env().items():
        monkeypatch.setenv(name, value)
    assert main(["backfill", "--since", since], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert _status(monkeypatch, db, "--since", since)[0] == 0
    archive = db.archive()
    results = archive.tables.results
    with archive.engine.begin() as connection:  # as if three days were last asked for a week ago
        connection.execute(
            results.update()
            .where(results.c.begin_date >= f"{today - timedelta(days=3):%Y%m%d}")
            .values(fetched_on=f"{today - timedelta(days=9):%Y%m%d}")
        )
    code, out, _ = _status(monkeypatch, db, "--since", since, "--appid", DEFAULT_APPID, "--format", "json")
    (report,) = json.loads(out)["reports"]
    assert code == 1 and report["overdue"] == 3 and report["missing"] == 0 and report["behind"] is True
    assert main(["backfill", "--since", since], stdout=io.StringIO(), stderr=io.StringIO()) == 0  # asks them again
    assert _status(monkeypatch, db, "--since", since)[0] == 0

    from wxcloud.archive.observe.ledger import Ledger

    runs = archive.tables.runs
    with archive.engine.begin() as connection:  # the runs so far were earlier that morning ...
        for run_id, started in connection.execute(select(runs.c.id, runs.c.started_at)).all():
            connection.execute(runs.update().where(runs.c.id == run_id).values(started_at=started - timedelta(hours=5)))
    # ... and the timer's, three hours ago, died without a word
    Ledger(archive).start(
        [DEFAULT_APPID], trigger="timer", today=today, started_at=datetime.now(timezone.utc) - timedelta(hours=3)
    )
    code, out, _ = _status(monkeypatch, db, "--since", since)
    assert code == 1 and "never ended (it died, or is stuck)" in out
