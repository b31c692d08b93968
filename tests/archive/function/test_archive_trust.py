"""What an invoker of the archive function can and cannot make it do with a worker's event, and
what the leases guarantee whatever the invokers and their clocks do.

Against the same world as the fan-out tests (``test_archive_fanout.py``): the real SCF SDK sending
to a loopback SCF endpoint, the WeChat emulator, the three databases, and a WeCom stand-in on
loopback that records every alert. A worker's event is trusted only when it proves the app's lease
was handed to it: forged, changed or stale events do nothing (no lease row, no ledger row, no
request to WeChat, no alert). A run's day never runs ahead of the function's own Beijing day. Every
event a dispatcher sends is one its workers accept. A run that does the work itself leaves an app a
worker holds alone. Of many takers of one lease at once exactly one wins, on the database's clock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from wxcloud.archive import Archive, Job
from wxcloud.archive.errors import RetryLater
from wxcloud.archive.function.fanout import MAX_SLICES, WORK_KEY, Work, slices_of
from wxcloud.archive.function.leases import Leases
from wxcloud.archive.kept.reports import EARLIEST

from tests.support.archive import HOOK_PATH, Db, function, timer
from tests.support.fleet import APIS, APPS, FIRED, SINCE, TODAY, TOKEN, Fleet
from tests.support.tencentcloud_http import loopback_fixture

MONTHLY = "analysis.getMonthlyVisitTrend"


# ---- the world: the fleet, with alerts to a recording WeCom stand-in -----------------------------


hook = loopback_fixture("hook")


@pytest.fixture
def alerted(fleet: Fleet, hook: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every alert the fleet's function posts, as its markdown text."""
    posted: list[str] = []

    def robot(request: Request) -> Response:
        posted.append(json.loads(request.get_data())["markdown"]["content"])
        return Response(json.dumps({"errcode": 0, "errmsg": "ok"}), content_type="application/json")

    hook.clear()
    hook.expect_request(HOOK_PATH, method="POST").respond_with_handler(robot)
    webhook = f"http://127.0.0.1:{hook.port}{HOOK_PATH}?key=trust-test-key"
    plain = Fleet.env
    monkeypatch.setattr(Fleet, "env", property(lambda self: {**plain.fget(self), "WX_ARCHIVE_ALERT_WEBHOOK": webhook}))  # type: ignore[attr-defined]
    yield posted
    hook.clear()


def rows(db: Db, table: str) -> list[Any]:
    return db.rows(f"SELECT * FROM {{prefix}}{table}")


def worker_event(appid: str, **work: Any) -> dict[str, Any]:
    return {
        WORK_KEY: {
            "appid": appid,
            "today": f"{TODAY:%Y%m%d}",
            "apis": list(APIS),
            "slices": [[f"{SINCE:%Y%m%d}", None]],
            "handoff": TOKEN,
            **work,
        }
    }


# ---- events that prove nothing do nothing ---------------------------------------------------------


def test_a_forged_worker_event_for_an_app_the_function_keeps_does_nothing(fleet: Fleet, alerted: list[str]) -> None:
    with Archive(fleet.db.url, prefix=fleet.db.prefix) as archive:
        archive.ensure_schema()  # the tables exist, as they do once the function has run
    before = fleet.datacube_requests()
    appid = next(iter(APPS))
    for event in (
        worker_event(appid),  # a token of the right shape that no lease was handed to
        worker_event(appid, today="99991231", slices=[["20170101", None]]),  # the whole calendar, a day far ahead
        worker_event(appid, proven=True, hop=3),
    ):
        answer = fleet.deliver(event)
        assert answer["skipped"] == "nothing done: the event holds no lease of it", answer
    assert rows(fleet.db, "lease") == [] and rows(fleet.db, "run") == []
    assert fleet.datacube_requests() == before and fleet.queue == [] and alerted == []


@pytest.mark.slow
def test_a_dispatched_event_changed_on_its_way_finds_no_lease_and_the_event_as_sent_still_does(
    fleet: Fleet, alerted: list[str]
) -> None:
    fleet.dispatch()
    event = fleet.queue.pop(0)
    appid = event[WORK_KEY]["appid"]
    tomorrow = f"{TODAY + timedelta(days=1):%Y%m%d}"
    changed = [
        {**event[WORK_KEY], "today": tomorrow},
        {**event[WORK_KEY], "proven": True},
        {**event[WORK_KEY], "slices": [["20170101", None]]},
        {**event[WORK_KEY], "apis": [MONTHLY]},
        {**event[WORK_KEY], "handoff": "f" * 32},
    ]
    for work in changed:
        assert fleet.deliver({WORK_KEY: work})["skipped"] == "nothing done: the event holds no lease of it"
    assert not any(key[0] == appid for key in fleet.stored()) and fleet.datacube_requests() == 0
    assert fleet.deliver(event)["totals"]["stored"] > 0  # the event as its dispatcher sent it
    fleet.drain()
    fleet.assert_each_period_stored_once()
    assert alerted == []


def test_an_event_for_an_app_the_function_does_not_keep_is_refused_before_anything_is_written(
    fleet: Fleet, alerted: list[str]
) -> None:
    fleet.dispatch()  # the tables, and leases handed to the dispatched events
    leases_before, runs_before = len(rows(fleet.db, "lease")), len(rows(fleet.db, "run"))
    stranger = "wx__bold__title_of_the_callers_choosing"
    answer = fleet.handler()(worker_event(stranger), {"request_id": "stranger", "time_limit_in_ms": 10_000})
    assert answer["errCode"] == -501007 and "not one of WX_ARCHIVE_APPS" in answer["errMsg"]
    assert stranger not in json.dumps(answer)
    assert len(rows(fleet.db, "lease")) == leases_before and len(rows(fleet.db, "run")) == runs_before
    assert alerted == []


def test_an_event_for_another_function_with_one_app_is_refused_too(fleet: Fleet, alerted: list[str]) -> None:
    fleet.single = True
    answer = fleet.handler()(
        worker_event("wxnotthisfunction01"), {"request_id": "stranger", "time_limit_in_ms": 10_000}
    )
    assert (
        answer["errCode"] == -501007
        and "does not archive (WX_APPID)" in answer["errMsg"]
        and "wxnotthisfunction01" not in answer["errMsg"]
    )
    assert alerted == []


# ---- a run's day -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_dispatcher_a_day_ahead_never_gets_a_period_stored_as_known_on_a_day_still_to_come(fleet: Fleet) -> None:
    ahead = FIRED + timedelta(days=1)
    handler = fleet.handler(wall_clock=ahead.timestamp)  # its host's clock is a day fast, and so is its timer
    answer = handler(timer(ahead.strftime("%Y-%m-%dT%H:%M:%SZ")), {"request_id": "ahead", "time_limit_in_ms": 10_000})
    assert answer["today"] == f"{TODAY + timedelta(days=1):%Y%m%d}" and answer["fanOut"]["sent"] == 3
    fleet.drain()  # the workers' clocks say TODAY
    stored = rows(fleet.db, "result")
    assert stored and max(row.fetched_on for row in stored) == f"{TODAY:%Y%m%d}"
    assert [
        row for row in rows(fleet.db, "run") if row.run_trigger == "worker" and row.today != f"{TODAY:%Y%m%d}"
    ] == []


def test_a_timer_whose_time_is_ahead_of_the_clock_runs_for_the_clocks_day(fleet: Fleet) -> None:
    fleet.single = True
    clock = datetime(2026, 6, 15, 15, 59, 0, tzinfo=timezone.utc)  # 23:59 in Beijing
    fired = clock + timedelta(minutes=2)  # 00:01 of the next Beijing day
    handler = fleet.handler(wall_clock=clock.timestamp)
    answer = handler(timer(fired.strftime("%Y-%m-%dT%H:%M:%SZ")), {"request_id": "early", "time_limit_in_ms": 10_000})
    assert answer["errCode"] == 0 and answer["today"] == "20260615", answer


def test_archive_store_never_records_a_day_after_the_answer_came(sqlite_db: Db) -> None:
    from wxcloud.periods import Period

    archive = sqlite_db.archive()
    fetched_at = datetime(2026, 6, 15, 3, 0, tzinfo=timezone.utc)
    period = Period(date(2026, 6, 1), date(2026, 6, 7))
    result = {
        "refDate": "20260601-20260607",
        "visitUvNew": [{"key": 0, "value": 1}],
        "visitUv": [{"key": 0, "value": 2}],
        "errMsg": "openapi.analysis.getWeeklyRetain:ok",
        "errCode": 0,
    }
    archive.store(
        "wx1", "analysis.getWeeklyRetain", period, result, fetched_at=fetched_at, fetched_on=date(2026, 12, 31)
    )
    stored = archive.stored("wx1", "analysis.getWeeklyRetain", period)
    assert stored is not None and stored.fetched_on == date(2026, 6, 15) and stored.settled is False


# ---- every event a dispatcher sends is one its workers accept ----------------------------------


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    slice_days=st.integers(7, 366),
    since=st.dates(EARLIEST, TODAY - timedelta(days=40)),
    until=st.one_of(st.none(), st.dates(TODAY - timedelta(days=30), date(9999, 12, 31))),
)
def test_every_slice_a_dispatcher_plans_is_one_its_workers_accept(
    slice_days: int, since: date, until: date | None
) -> None:
    job = Job((MONTHLY, "analysis.getWeeklyVisitTrend"), since, TODAY, until)
    slices = slices_of(job, slice_days)
    assert 1 <= len(slices) <= MAX_SLICES
    work = Work("wx1", TODAY, job.apis, tuple(reversed(slices)), until).handed()
    while True:  # the first worker's event, and each one a worker hands on
        event = json.loads(json.dumps(work.to_event()))
        assert Work.from_event(event[WORK_KEY]) == work
        if len(work.slices) == 1:
            break
        work = Work(work.appid, work.today, work.apis, work.slices[1:], work.until, hop=work.hop + 1).handed()


@pytest.mark.slow
def test_a_backfill_since_2017_in_slices_of_a_week_is_dispatched_and_archived_by_its_workers(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.single = True
    plain = Fleet.env
    week_slices = {"WX_ARCHIVE_SLICE_DAYS": "7", "WX_ARCHIVE_SINCE": "20170101", "WX_ARCHIVE_APIS": MONTHLY}
    monkeypatch.setattr(Fleet, "env", property(lambda self: {**plain.fget(self), **week_slices}))  # type: ignore[attr-defined]
    answer = fleet.dispatch()
    assert answer["fanOut"]["sent"] == 1, answer
    assert len(fleet.queue[0][WORK_KEY]["slices"]) <= MAX_SLICES
    delivered = fleet.drain()
    assert all(answer["errCode"] == 0 and "skipped" not in answer for answer in fleet.answers[1:]), fleet.answers[-1]
    assert len(delivered) > 1
    monthly = {key for key in fleet.stored() if key[1] == MONTHLY}
    assert len(monthly) == (2026 - 2017) * 12 + 5  # January 2017 to May 2026


# ---- a run that does the work itself respects the leases --------------------------------------


def test_a_run_that_does_the_work_itself_leaves_an_app_held_by_a_worker_alone(fleet: Fleet, alerted: list[str]) -> None:
    held, *others = list(APPS)
    env = {**fleet.env, "WX_ARCHIVE_FAN_OUT": "off"}
    archive = Archive(fleet.db.url, prefix=fleet.db.prefix)
    try:
        assert Leases(archive).take(held, "handoff:" + "a" * 64, 600)  # a chain's worker is on its way
    finally:
        archive.close()
    handler = function(env, wall_clock=FIRED.timestamp)
    answer = handler(timer(FIRED.strftime("%Y-%m-%dT%H:%M:%SZ")), {"request_id": "timer", "time_limit_in_ms": 60_000})
    assert set(answer["apps"]) == set(others) and set(answer["running"]) == {held} and answer["complete"] is False
    assert not any(key[0] == held for key in fleet.stored())
    assert {key[0] for key in fleet.stored()} == set(others)
    outcomes = {row.appid: row.outcome for row in rows(fleet.db, "run")}
    assert outcomes == {held: "skipped", **dict.fromkeys(others, "complete")}
    assert alerted == []  # a worker has it: nothing needs attention
    assert not Leases(Archive(fleet.db.url, prefix=fleet.db.prefix)).held(others)  # the run let its leases go


def test_a_run_of_one_app_held_by_a_worker_fetches_nothing(fleet: Fleet) -> None:
    fleet.single = True
    appid = next(iter(APPS))
    archive = Archive(fleet.db.url, prefix=fleet.db.prefix)
    try:
        assert Leases(archive).take(appid, "handoff:" + "b" * 64, 600)
    finally:
        archive.close()
    handler = function({**fleet.env, "WX_ARCHIVE_FAN_OUT": "off"}, wall_clock=FIRED.timestamp)
    answer = handler(timer(FIRED.strftime("%Y-%m-%dT%H:%M:%SZ")), {"request_id": "timer", "time_limit_in_ms": 60_000})
    assert answer["skipped"].startswith(f"another worker is archiving {appid} until "), answer
    assert fleet.stored() == {} and fleet.datacube_requests() == 0


# ---- leases: one winner of many, on the database's clock ---------------------------------------


@pytest.mark.slow
def test_of_many_takers_of_one_lease_at_once_exactly_one_wins_and_none_fails(db: Db) -> None:
    takers = 10
    archives = [db.archive() for _ in range(takers)]
    for archive in archives:
        archive.ensure_schema()
    for round_ in range(15):
        key = f"wxrace{round_:04d}"
        if round_ % 2:  # half the rounds race for a lease that exists and has expired
            assert Leases(archives[0]).take(key, "old", 0.0)
        start = threading.Barrier(takers)
        won: list[bool] = []
        failed: list[BaseException] = []

        def take(
            index: int,
            key: str = key,
            start: threading.Barrier = start,
            won: list[bool] = won,
            failed: list[BaseException] = failed,
        ) -> None:
            try:
                start.wait()
                won.append(Leases(archives[index]).take(key, f"taker-{index}", 600))
            except BaseException as exc:
                failed.append(exc)

        threads = [threading.Thread(target=take, args=(index,)) for index in range(takers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failed == [], f"round {round_}: {failed[0]!r}"
        assert sorted(won) == [False] * (takers - 1) + [True], f"round {round_}"


def test_copies_of_one_event_delivered_at_once_run_one_worker_and_the_rest_do_nothing(fleet: Fleet) -> None:
    fleet.single = True
    fleet.dispatch()
    event = fleet.queue.pop(0)
    copies = 6
    start = threading.Barrier(copies)
    answers: list[dict[str, Any]] = []

    def deliver() -> None:
        start.wait()
        try:
            answers.append(fleet.handler()(event, {"request_id": "copy", "time_limit_in_ms": 10_000}))
        except RetryLater:  # a copy that found the lease held by the worker of the same event: SCF tries it again later
            answers.append({"errCode": 0, "retryLater": True})

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(answer["errCode"] == 0 for answer in answers) and len(answers) == copies
    # one worker; each other copy either met it holding the lease (SCF is to try again) or came after it handed on
    assert sum("totals" in answer for answer in answers) == 1
    assert all(
        "retryLater" in answer or answer.get("skipped") == "nothing done: the event holds no lease of it"
        for answer in answers
        if "totals" not in answer
    )
    assert [row.outcome for row in rows(fleet.db, "run") if row.run_trigger == "worker"] == ["complete"]


def test_a_worker_whose_clock_is_hours_ahead_does_not_take_a_lease_that_is_still_held(fleet: Fleet) -> None:
    fleet.dispatch()
    event = fleet.queue.pop(0)
    appid = event[WORK_KEY]["appid"]
    archive = Archive(fleet.db.url, prefix=fleet.db.prefix)
    try:  # a worker of this event holds the lease for ten minutes more
        assert Leases(archive).take_handed(appid, Work.from_event(event[WORK_KEY]).digest(), "first", 600)
    finally:
        archive.close()
    hours_ahead = FIRED.timestamp() + 5 * 3600
    with pytest.raises(RetryLater, match="its lease is held by a worker of this event"):
        fleet.handler(lambda: hours_ahead)(event, {"request_id": "ahead", "time_limit_in_ms": fleet.time_limit_ms})
    assert fleet.datacube_requests() == 0


def test_a_malformed_worker_event_posts_no_alert_either(fleet: Fleet, alerted: list[str]) -> None:
    for work in ({"appid": "wx_callers_title", "today": "tomorrow"}, "not an object", {"appid": "wx1", "handoff": "x"}):
        answer = fleet.handler()({WORK_KEY: work}, {"request_id": "malformed", "time_limit_in_ms": 10_000})
        assert answer["errCode"] == -501007
    assert alerted == []


@pytest.mark.slow
def test_a_manual_run_until_the_end_of_the_calendar_is_dispatched_like_any_other(fleet: Fleet) -> None:
    fleet.single = True
    answer = fleet.handler()(
        {"since": "20260101", "until": "99991231"}, {"request_id": "manual", "time_limit_in_ms": fleet.time_limit_ms}
    )
    assert answer["errCode"] == 0 and answer["fanOut"]["sent"] == 1, answer
    assert (
        len(fleet.queue[0][WORK_KEY]["slices"]) <= 6
    )  # slices of 30 days from January to the run's day, not to the year 9999
    fleet.drain()
    assert {key[1] for key in fleet.stored()} == set(APIS)


def test_a_refused_manual_event_goes_to_its_invoker_alone_and_a_refused_timer_is_alerted_without_its_text(
    fleet: Fleet, alerted: list[str]
) -> None:
    fleet.single = True
    text = "URGENT rotate the key at evil example"
    answer = fleet.handler()({"since": text}, {"request_id": "manual", "time_limit_in_ms": fleet.time_limit_ms})
    assert answer["errCode"] == -501007 and alerted == []
    answer = fleet.handler()(
        {**timer(FIRED.strftime("%Y-%m-%dT%H:%M:%SZ")), "Message": text},
        {"request_id": "t", "time_limit_in_ms": 20_000},
    )
    assert answer["errCode"] == -501007 and len(alerted) == 1
    assert "timer's event was refused" in alerted[0] and "URGENT" not in alerted[0] and "evil" not in alerted[0]


def test_one_app_without_its_appid_is_a_clear_configuration_error_and_its_run_is_recorded(fleet: Fleet) -> None:
    fleet.single = True
    plain = Fleet.env
    env = {**plain.fget(fleet), "WX_APPID": "", "WX_ARCHIVE_FAN_OUT": "off"}  # type: ignore[attr-defined]
    answer = function(env, wall_clock=FIRED.timestamp)(
        timer(FIRED.strftime("%Y-%m-%dT%H:%M:%SZ")), {"time_limit_in_ms": 20_000}
    )
    assert answer["errCode"] == -601001 and "WX_APPID" in answer["errMsg"], answer
    assert [row.outcome for row in rows(fleet.db, "run")] == ["failed"] and rows(fleet.db, "lease") == []
