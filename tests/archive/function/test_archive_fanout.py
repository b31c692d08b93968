"""Fan-out end to end: a run over several apps that does not fit its invocation sends its work to
SCF as asynchronous invocations of the same function, and every period of every app ends up
stored exactly once, whatever SCF does with the events.

For real: the real tencentcloud SDK signs each ``Invoke`` (``InvocationType=Event``) and sends it
to a loopback SCF endpoint (pytest-httpserver), which queues the event as SCF does; the test plays
SCF's delivery, handing each queued event to the function's handler (the same ``ArchiveFunction``
a deployment runs, with a real database and the WeChat emulator behind it) in the order a scenario
chooses: as sent, each twice, shuffled and late, or to a worker in a child process that is killed
half way. Then the archive is checked against the calendar: each period of each app is there, and
WeChat was asked for it once (a worker killed mid-request may cost the request in flight again,
never a second stored answer).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from wxcloud.archive import Archive
from wxcloud.archive.fetch.answer import dispatch_json
from wxcloud.archive.function.fanout import WORK_KEY

from devtools.wechat_emulator import Fault
from tests.support.archive import Db, function
from tests.support.checkout import ROOT
from tests.support.fleet import APIS, APPS, DAILY_PATH, SINCE, TODAY, TOKEN, Fleet, expire_leases


@pytest.mark.slow
def test_a_run_that_does_not_fit_sends_one_event_per_app_and_the_workers_archive_everything(fleet: Fleet) -> None:
    answer = fleet.dispatch()
    assert answer["fanOut"] == {"sent": 3, "periods": len(fleet.expected()), "running": 0, "upToDate": 0, "notSent": 0}
    assert fleet.datacube_requests() == 0  # the dispatcher asks WeChat nothing
    assert sorted(event[WORK_KEY]["appid"] for event in fleet.queue) == sorted(APPS)
    assert all(len(event[WORK_KEY]["slices"]) == 3 for event in fleet.queue)  # 76 days in slices of 30
    assert fleet.queue[0][WORK_KEY]["slices"][0] == ["20260531", None]  # the newest first
    delivered = fleet.drain()
    assert len(delivered) == 9  # each app's three slices, one worker after the other
    assert all("handoff" in event[WORK_KEY] for event in delivered[3:])
    fleet.assert_each_period_stored_once()
    archive = Archive(fleet.db.url, prefix=fleet.db.prefix)
    try:
        from wxcloud.archive.observe.ledger import Ledger

        runs = Ledger(archive).runs(limit=50)
    finally:
        archive.close()
    assert sorted(run.outcome for run in runs if run.trigger == "timer") == ["dispatched"] * 3
    assert [run.outcome for run in runs if run.trigger == "worker"] == ["complete"] * 9
    again = fleet.dispatch()  # the next day's timer (the same day here): nothing is due, so nothing is sent
    assert "fanOut" not in again and again["complete"] is True and again["totals"]["upToDate"] == len(fleet.expected())
    assert all(
        event[WORK_KEY].get("proven") for event in delivered[3:]
    )  # the newest slice went first and proved yesterday


def test_one_app_configured_alone_fans_its_backfill_out_in_slices(fleet: Fleet) -> None:
    fleet.single = True
    answer = fleet.dispatch()
    assert answer["fanOut"]["sent"] == 1 and answer["fanOut"]["periods"] == len(fleet.expected())
    assert len(fleet.drain()) == 3
    fleet.assert_each_period_stored_once()


@pytest.mark.slow
def test_every_event_delivered_twice_stores_every_period_once(fleet: Fleet) -> None:
    fleet.dispatch()
    twice: list[dict[str, Any]] = []

    def each_twice(queue: list[dict[str, Any]]) -> dict[str, Any]:
        event = queue.pop(0)
        twice.append(event)
        return event

    fleet.drain(each_twice)
    for event in twice:  # SCF delivers each of them again, after the first copies all ran
        answer = fleet.deliver(event)
        assert answer.get("totals", {}).get("stored", 0) == 0
    fleet.drain()  # whatever the copies handed on
    fleet.assert_each_period_stored_once()


@pytest.mark.slow
def test_events_late_and_out_of_order_store_every_period_once(fleet: Fleet) -> None:
    fleet.dispatch()
    shuffle = random.Random(20260615)
    held_back: list[dict[str, Any]] = []

    def shuffled(queue: list[dict[str, Any]]) -> dict[str, Any]:
        event = queue.pop(shuffle.randrange(len(queue)))
        if shuffle.random() < 0.3:
            held_back.append(event)  # this copy comes late, after everything else
        return event

    fleet.drain(shuffled)
    shuffle.shuffle(held_back)
    for event in held_back:
        fleet.deliver(event)
    fleet.drain()
    fleet.assert_each_period_stored_once()


def test_a_copy_delivered_while_its_worker_runs_is_skipped_by_the_lease(fleet: Fleet) -> None:
    from wxcloud.archive.function.fanout import Work
    from wxcloud.archive.function.leases import Leases

    fleet.dispatch()
    first = fleet.queue[0]
    appid = first[WORK_KEY]["appid"]
    archive = Archive(fleet.db.url, prefix=fleet.db.prefix)
    try:  # a worker of this very event has its lease (SCF delivered it twice, the first copy is running)
        assert Leases(archive).take_handed(appid, Work.from_event(first[WORK_KEY]).digest(), "the-first-copy", 600)
    finally:
        archive.close()
    from wxcloud.archive.errors import RetryLater

    with pytest.raises(RetryLater):  # SCF delivers it again later, when the first copy has handed on or died
        fleet.handler()(first, {"request_id": "copy", "time_limit_in_ms": fleet.time_limit_ms})
    assert not any(key[0] == appid for key in fleet.stored())
    # and a dispatcher sends nothing for it while the lease holds (nor for the others, whose events are on their way)
    fleet.queue.clear()
    assert fleet.dispatch()["fanOut"]["running"] == 3
    assert appid not in {event[WORK_KEY]["appid"] for event in fleet.queue}


@pytest.mark.slow
def test_a_worker_killed_half_way_leaves_its_lease_to_expire_and_the_rest_is_taken_over(fleet: Fleet) -> None:
    fleet.dispatch()
    event = fleet.queue.pop(0)
    appid = event[WORK_KEY]["appid"]
    fleet.wechat.add_fault(DAILY_PATH, Fault.delay(0.1), times=10_000)  # slow enough to be caught half way
    child_env = {**os.environ, **fleet.env, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)])}
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from wxcloud.archive import ArchiveFunction\n"
        f"handler = ArchiveFunction((Path({str(ROOT / 'functions' / 'archiveAnalysis' / 'config.json')!r}),))\n"
        "handler(json.loads(sys.argv[1]), {'request_id': 'doomed', 'time_limit_in_ms': 10000})\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, json.dumps(event)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        ends = time.monotonic() + 60
        while sum(1 for key in fleet.stored() if key[0] == appid) < 5:
            assert child.poll() is None, (
                f"the worker ended before it could be killed: {child.stdout.read() if child.stdout else b''!r}"
            )
            assert time.monotonic() < ends, "the worker stored nothing"
            time.sleep(0.05)
        child.kill()
    finally:
        child.wait()
    fleet.wechat.clear()  # the faults go; the requests so far are forgotten too
    stored_by_the_dead = {key for key in fleet.stored() if key[0] == appid}
    assert 5 <= len(stored_by_the_dead) < sum(1 for key in fleet.expected() if key[0] == appid)
    # SCF's retry (or a copy) arrives while the dead worker's lease still holds, even at a worker whose
    # own clock runs far ahead (lease times are the database's): it raises, so that SCF tries it again later
    from wxcloud.archive.errors import RetryLater

    with pytest.raises(RetryLater, match="its lease is held by a worker of this event"):
        fleet.handler(lambda: time.time() + 3 * 3600)(
            event, {"request_id": "retry-1", "time_limit_in_ms": fleet.time_limit_ms}
        )
    # once its lease (time limit + margin) has run out by the database's clock, the retry takes the app over
    expire_leases(fleet.db, appid)
    taken_over = fleet.deliver(event)
    assert taken_over["totals"]["upToDate"] >= len(stored_by_the_dead)
    fleet.drain()
    fleet.assert_each_period_stored_once(requests_exact=False)
    asked_again = fleet.datacube_requests()
    assert asked_again == len(fleet.expected()) - len(
        stored_by_the_dead
    )  # what the dead worker stored is never asked again


def test_a_role_that_may_not_invoke_runs_the_work_itself_and_says_why(fleet: Fleet) -> None:
    fleet.refuse.append("UnauthorizedOperation")
    answer = fleet.dispatch()
    assert answer["fanOut"]["sent"] == 0 and answer["fanOut"]["notSent"] == 2
    assert answer["fanOut"]["failed"][next(iter(answer["fanOut"]["failed"]))].startswith("-601001 ")
    assert "UnauthorizedOperation" in json.dumps(answer["fanOut"])
    assert "totals" in answer and answer["totals"]["stored"] > 0  # the run did what fits itself
    assert fleet.queue == []


def test_a_dispatcher_paces_its_invokes_and_hands_each_app_its_lease(sqlite_db: Db) -> None:
    from wxcloud.archive.function.fanout import Planned, Work, dispatch
    from wxcloud.archive.function.leases import Leases

    sent: list[dict[str, Any]] = []
    slept: list[float] = []

    class Recorder:  # SCF's Invoke, as far as the pacing goes: the events it was given, in order
        def invoke(self, event: Any, *, within: float = 5.0) -> str:
            sent.append(event)
            return "id"

    works = {appid: Work(appid, TODAY, APIS, ((SINCE, None),)) for appid in APPS}
    archive = sqlite_db.archive()
    leases = Leases(archive)
    report = dispatch(
        Planned(works, dict.fromkeys(APPS, 7), ()), invoker=Recorder(), leases=leases, per_minute=30, sleep=slept.append
    )
    assert len(sent) == 3 and slept == [2.0, 2.0]
    assert dispatch_json(report) == {"sent": 3, "periods": 21, "running": 0, "upToDate": 0, "notSent": 0}
    assert set(leases.held(APPS)) == set(APPS)  # each handed to its event
    again = dispatch(
        Planned(works, dict.fromkeys(APPS, 7), ()), invoker=Recorder(), leases=leases, per_minute=30, sleep=slept.append
    )
    assert (
        dispatch_json(again)["running"] == 3 and len(sent) == 3
    )  # nothing sent twice while the events are on their way


@pytest.mark.parametrize(
    "work, problem",
    [
        ({"appid": "wx1", "today": "2026x", "apis": list(APIS), "slices": [["20260401", None]]}, "today"),
        (
            {"appid": "wx1", "today": "20260615", "apis": ["analysis.nothing"], "slices": [["20260401", None]]},
            "not an archivable API",
        ),
        ({"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": []}, "slices"),
        (
            {"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260501", "20260401"]]},
            "ends after it begins",
        ),
        ({"appid": "../x", "today": "20260615", "apis": list(APIS), "slices": [["20260401", None]]}, "appid"),
        ({"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260401", None]], "hop": -1}, "hop"),
        (
            {"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260401", None]], "handoff": "x y"},
            "handoff",
        ),
        (
            {"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260401", None]], "extra": 1},
            "unknown key",
        ),
        (
            {"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260401", None]], "handoff": None},
            "handoff",
        ),
        (
            {
                "appid": "wx1",
                "today": "20260615",
                "apis": list(APIS),
                "slices": [["20260401", None]],
                "handoff": "0" * 8,
            },
            "handoff",
        ),
        (
            {"appid": "wx1", "today": "20260615", "apis": list(APIS), "slices": [["20260701", None]]},
            "begins after the run's day",
        ),
        (
            {
                "appid": "wx1",
                "today": "20260615",
                "apis": list(APIS),
                "slices": [["20260401", "20260501"], ["20160101", "20260401"]],
            },
            "before 20170101",
        ),
    ],
)
def test_a_malformed_worker_event_is_a_clear_error_value(sqlite_db: Db, work: dict[str, Any], problem: str) -> None:
    handler = function({**sqlite_db.env(), "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": json.dumps(APPS)})
    answer = handler({WORK_KEY: {"handoff": TOKEN, **work}}, {"request_id": "r", "time_limit_in_ms": 3000})
    assert answer["errCode"] == -501007 and problem in answer["errMsg"], answer


def test_slices_partition_the_periods_exactly() -> None:
    from wxcloud.archive.function.fanout import slices_of
    from wxcloud.archive.kept.reports import report_for
    from wxcloud.archive.plan import Job

    job = Job(APIS, SINCE, TODAY)
    for api in APIS:
        whole = job.periods(report_for(api))
        parts = [
            period
            for since, before in slices_of(job, 30)
            for period in Job(APIS, since, TODAY, None, before).periods(report_for(api))
        ]
        assert parts == whole, api
    assert slices_of(job, 30)[-1][1] is None and slices_of(job, 30)[0][0] == SINCE
    assert timedelta(days=30) == slices_of(job, 30)[0][1] - SINCE  # type: ignore[operator]


@pytest.mark.slow
def test_backfill_fan_out_from_a_workstation_sends_the_work_and_follows_it_to_the_end(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import threading

    from wxcloud.archive.cli import main as cli

    for name, value in fleet.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "FOLLOW_SECONDS", 0.05)
    monkeypatch.setattr(cli, "beijing_today", lambda _now: TODAY)
    out, err = io.StringIO(), io.StringIO()
    code: list[int] = []
    command = ["backfill", "--since", f"{SINCE:%Y%m%d}", "--fan-out", "--json"]
    runner = threading.Thread(target=lambda: code.append(cli.main(command, stdout=out, stderr=err)))
    runner.start()
    ends = time.monotonic() + 60
    while runner.is_alive() and time.monotonic() < ends:  # SCF delivers what the CLI sent, and what the workers send
        if fleet.queue:
            fleet.deliver(fleet.queue.pop(0))
        else:
            time.sleep(0.01)
    runner.join(5)
    assert code == [0], err.getvalue()
    report = json.loads(out.getvalue())
    assert report["fanOut"]["sent"] == 3 and report["left"] == 0
    fleet.assert_each_period_stored_once()
    # nothing left to send: the second backfill sends nothing and says it is done
    out2 = io.StringIO()
    assert (
        cli.main(
            ["--json", "backfill", "--since", f"{SINCE:%Y%m%d}", "--fan-out", "--no-wait"],
            stdout=out2,
            stderr=io.StringIO(),
        )
        == 0
    )
    assert json.loads(out2.getvalue())["fanOut"] == {"sent": 0, "periods": 0, "running": 0, "upToDate": 3, "notSent": 0}
    out3 = io.StringIO()  # for people: what was sent, and a verdict
    assert cli.main(["backfill", "--since", f"{SINCE:%Y%m%d}", "--fan-out"], stdout=out3, stderr=io.StringIO()) == 0
    assert out3.getvalue().splitlines() == [
        "sent the work of 0 app(s), 0 period(s) due; 0 app(s) already had a worker, 3 had nothing due",
        "complete: every period asked for is archived",
    ]


def test_backfill_fan_out_without_cloud_keys_is_a_clear_error(sqlite_db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from wxcloud.archive.cli import main as cli

    for name, value in {
        **sqlite_db.env(),
        "WX_APPID": "",
        "WX_APPSECRET": "",
        "WX_ARCHIVE_APPS": json.dumps(APPS),
    }.items():
        monkeypatch.setenv(name, value)
    for name in (
        "TENCENTCLOUD_SECRETID",
        "TENCENTCLOUD_SECRETKEY",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()
    assert cli.main(["backfill", "--since", "20260401", "--fan-out"], stdout=io.StringIO(), stderr=err) == 2
    assert "--fan-out invokes the deployed function" in err.getvalue()


def test_a_worker_raises_for_scfs_retry_only_when_a_retry_can_cure_it(sqlite_db: Db) -> None:
    from wxcloud.archive.errors import RetryLater

    from tests.support.leaks import frames_locals_text
    from tests.support.tencentcloud_http import closed_port

    work = {
        "appid": next(iter(APPS)),
        "today": "20260615",
        "apis": list(APIS),
        "slices": [["20260401", None]],
        "handoff": TOKEN,
    }
    password = "Unreachable-pw-" + uuid.uuid4().hex
    unreachable = {"WX_ARCHIVE_URL": f"postgresql+psycopg://postgres:{password}@127.0.0.1:{closed_port()}/test"}
    handler = function({**unreachable, "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": json.dumps(APPS)})
    with pytest.raises(RetryLater) as caught:  # the database may answer in a minute: SCF tries the event again
        handler({WORK_KEY: work}, {"request_id": "r", "time_limit_in_ms": 5000})
    assert caught.value.args[0].startswith("-601001 ") and password not in frames_locals_text(caught.value)
    fine = function(
        {**sqlite_db.env(), "WX_APPID": "", "WX_APPSECRET": "", "WX_ARCHIVE_APPS": json.dumps({"wxother": "s"})}
    )
    answer = fine(
        {WORK_KEY: work}, {"request_id": "r", "time_limit_in_ms": 5000}
    )  # a retry cannot cure this: an answer
    assert answer["errCode"] == -501007
