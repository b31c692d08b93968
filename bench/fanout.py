"""Fan-out: a fleet's backfill spread over SCF's asynchronous invocations against one invocation
doing it all, with 50 ms of WeChat latency.

    .venv/bin/python bench/fanout.py [--rounds 1] [--apps 20] [--days 90] [--latency-ms 50] [--all-reports]
                                     [--no-release]

Why: a run over many apps that does not fit its invocation sends one event per app to SCF
(``wxcloud/archive/function/fanout.py``), and SCF runs the workers side by side. What that buys is a
wall time, and only a run that stores every period once is worth timing: both runs are checked
against the calendar (each period of each app stored, from one fetch), and a broken run raises.

Both archive ``--apps`` apps (``WX_ARCHIVE_APPS``) ``--days`` days back from the WeChat emulator
(in this process, every request to it, token, quota and datacube, delayed by ``--latency-ms``;
its ``received`` counts the requests), into tables of their own (a random prefix, dropped
afterwards) in PostgreSQL at 127.0.0.1:5432 (user postgres, database test; ``--database-url``):
a server, since the workers write at once, and the same one for both sides so they compare fairly.

* Baseline: the function as deployed (``ArchiveFunction``, the real config.json) with fan-out
  off (``WX_ARCHIVE_FAN_OUT=off``) and no time limit: one invocation archiving every app itself,
  the default 4 fetches in flight, as one invocation would if SCF let it run that long.
* Fanned out: the same function, with a time limit of 300 s that the backfill does not fit, fired by
  the same timer event, on an instance of its own as SCF runs a timer's invocation. It sends one
  asynchronous ``Invoke`` per app, signed by the real tencentcloud SDK, to a loopback SCF endpoint
  in this process, at the default pace (``WX_ARCHIVE_FAN_OUT_PER_MINUTE`` 120: half a second between
  invokes, which is in the figure). The endpoint plays SCF: each event starts at once on an idle
  instance, at most ``--scf-concurrency`` at a time. An instance is a child process that has loaded
  the function before the timing (SCF's cold start, paid on SCF's own machines) and runs each
  invocation with a fresh ``ArchiveFunction`` (its own database pool and WeChat token) and 300 s; a
  worker's event for the rest of its app goes back the same way. Timed from the dispatcher's start
  until it has returned and no invocation is queued or running.
* The release (``bench.history.RELEASE``, unless ``--no-release``): the same fanned-out run with
  the release's own ``shared/`` and config.json (extracted from the history) in every instance,
  the dispatcher's too, in every round beside today's: ``vs_release`` is today's fanned-out wall
  time against the release's, which must not regress (bench/run.py's budget).

Processes, not threads: the archive spends some 3.5 ms of CPU on each period (the fetch parsed
and checked, the store), so 20 workers with 4 fetches in flight each want several cores, and
threads under one GIL measured the interpreter rather than the fan-out. SCF gives each instance
its own CPU; here the instances share this machine's cores (``cpus`` in the results), so on a
small machine the fanned-out figure errs on the slow side, and the workers' times say by how much
(``worker_s_median``, against some 3 s of waiting on WeChat per app).

Reports: a representative subset unless ``--all-reports`` (all ten, portraits of 1, 7 and 30 days
among them, make the baseline some 20 x 670 requests, about three minutes at 50 ms): the daily visit
trend (daily), the weekly and monthly visit trends (a week, a month), and daily retention (keys that
grow with the days). The dispatcher's pacing is the same whatever the reports, so fewer requests per
app mean a smaller speed-up: the subset understates it. ``figures()`` returns the ``(figure, ours,
baseline, ratio)`` rows with what they were measured on, for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from sqlalchemy import create_engine, text  # noqa: E402
from wxcloud.archive import ArchiveFunction  # noqa: E402
from wxcloud.archive.plan.due import periods  # noqa: E402
from wxcloud.dates import beijing_today  # noqa: E402

from bench.history import RELEASE, Child, extract  # noqa: E402
from bench.release import spread  # noqa: E402
from devtools.archive_tables import drop_tables, fetch_counts  # noqa: E402
from devtools.wechat_emulator import ANALYSIS_PATHS, QUOTA_GET_PATH, STABLE_TOKEN_PATH, Fault, WeChatEmulator  # noqa: E402

CONFIG = ROOT / "functions" / "archiveAnalysis" / "config.json"
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUBSET = (
    "analysis.getDailyVisitTrend",
    "analysis.getWeeklyVisitTrend",
    "analysis.getMonthlyVisitTrend",
    "analysis.getDailyRetain",
)
TIME_LIMIT_MS = 300_000  # each invocation's, the dispatcher's too: the backfill does not fit in it
SCF_CONCURRENCY = 32
# The role's keys as SCF gives them to a function (any will do: the endpoint is ours).
ROLE = {
    "TENCENTCLOUD_SECRETID": "AKIDbench00000000001",
    "TENCENTCLOUD_SECRETKEY": "bench-secret-key",
    "TENCENTCLOUD_SESSIONTOKEN": "bench-token",
}
REGION = "ap-guangzhou"
FUNCTION = "archiveAnalysis"


# One SCF instance: a process that has loaded the function (its cold start, before the timing),
# then serves one invocation at a time, each with a fresh ArchiveFunction, as SCF hands them over.
# The function's own log lines go to the instance's log (bench.history.Child).
INSTANCE = """
from pathlib import Path
from wxcloud.archive import ArchiveFunction
from tencentcloud.scf.v20180416 import models, scf_client  # what a worker's Invoke loads
def serve(request):
    event, request_id, limit = request
    return ArchiveFunction((Path(sys.argv[1]),))(event, {"request_id": request_id, "time_limit_in_ms": limit})
"""


@dataclass(frozen=True)
class Code:
    """Which archive runs: a ``shared/`` folder (today's, or a release's from the history) and its function's config."""

    shared: Path
    config: Path

    @classmethod
    def of(cls, tree: Path) -> Code:
        return cls(tree / "shared", tree / "functions" / FUNCTION / "config.json")


TODAY = Code.of(ROOT)


class Instance:
    """One SCF instance (a child process with ``code``'s function loaded), serving one invocation at a time."""

    def __init__(self, environ: dict[str, str], code: Code) -> None:
        self.child = Child(INSTANCE, code.shared, str(code.config), env=environ, path=(ROOT,))

    def ready(self) -> None:
        self.child.ready()

    def invoke(self, event: dict[str, Any], request_id: str = "") -> dict[str, Any]:
        """The function's answer to ``event``; raises what it raised (SCF would retry the event)."""
        answer: dict[str, Any] = self.child.ask([event, request_id or f"worker-{uuid.uuid4().hex[:8]}", TIME_LIMIT_MS])
        return answer

    def stop(self) -> None:
        self.child.close()


class ScfEndpoint(ThreadingHTTPServer):
    """SCF's ``Invoke`` for asynchronous events on loopback: each event is started at once on an
    idle instance, at most ``concurrency`` at a time (queued beyond it); ``warm(n)`` starts ``n``
    instances before the timing, more start (cold) when none is idle; ``idle()`` waits until no
    event is queued or running."""

    daemon_threads = True

    def __init__(self, environ: dict[str, str], concurrency: int, code: Code = TODAY) -> None:
        super().__init__(("127.0.0.1", 0), _InvokeHandler)
        self.environ = environ
        self.code = code
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scf")
        self.instances: list[Instance] = []
        self.spare: queue.SimpleQueue[Instance] = queue.SimpleQueue()
        self.pending = 0
        self.changed = threading.Condition()
        self.answers: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.spans: list[float] = []  # each invocation's wall time, an instance's wait and cold start included

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def warm(self, count: int) -> None:
        started = [Instance(self.environ, self.code) for _ in range(count)]
        self.instances += started
        for instance in started:
            instance.ready()
            self.spare.put(instance)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.pool.shutdown(wait=True)
        for instance in self.instances:
            instance.stop()

    def accept(self, event: dict[str, Any]) -> None:
        with self.changed:  # counted before the Invoke is answered: the sender's run is not over before its event is
            self.pending += 1
        self.pool.submit(self._invocation, event)

    def _instance(self) -> Instance:
        try:
            return self.spare.get_nowait()
        except queue.Empty:  # a cold start, timed: the pool's threads bound how many there are
            instance = Instance(self.environ, self.code)
            with self.changed:
                self.instances.append(instance)
            instance.ready()
            return instance

    def _invocation(self, event: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            instance = self._instance()
            answer = instance.invoke(event)
            self.spare.put(instance)
            with self.changed:
                self.spans.append(time.perf_counter() - started)
                self.answers.append(answer)
        except Exception as exc:
            with self.changed:
                self.failures.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            with self.changed:
                self.pending -= 1
                self.changed.notify_all()

    def idle(self, timeout: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.pending == 0, timeout):
                raise RuntimeError(f"{self.pending} invocations still running after {timeout:.0f} s")


class _InvokeHandler(BaseHTTPRequestHandler):
    server: ScfEndpoint
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        params = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if (
            self.headers.get("X-TC-Action") != "Invoke"
            or params.get("InvocationType") != "Event"
            or params.get("FunctionName") != FUNCTION
        ):
            action, kind = self.headers.get("X-TC-Action"), params.get("InvocationType")
            raise RuntimeError(f"not an asynchronous Invoke of {FUNCTION}: {action} {kind}")
        self.server.accept(json.loads(params["ClientContext"]))
        result = {"RetMsg": "", "ErrMsg": "", "InvokeResult": 0, "FunctionRequestId": str(uuid.uuid4())}
        body = json.dumps({"Response": {"Result": result, "RequestId": str(uuid.uuid4())}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")  # exactly: the SDK reads API errors only under it
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Run:
    """One backfill: its wall time, its WeChat requests, its invocations and their times, the periods it stored."""

    seconds: float
    requests: int
    invocations: int = 1
    dispatch_seconds: float = 0.0
    worker_seconds: tuple[float, ...] = ()  # each worker invocation's wall time
    stored: int = 0


@dataclass(frozen=True)
class Fleet:
    """The apps, the day, the reports and the database both runs share."""

    apps: dict[str, str]
    apis: tuple[str, ...]
    since: date
    fired: datetime
    database_url: str

    def env(self, wechat: WeChatEmulator, prefix: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "WX_APPID": "",
            "WX_APPSECRET": "",
            "WX_LOG_LEVEL": "ERROR",  # a JSON line per invocation is not what the bench prints
            "WX_ARCHIVE_APPS": json.dumps(self.apps),
            "WX_API_BASE_URL": wechat.url,
            "WX_ARCHIVE_APIS": ",".join(self.apis),
            "WX_ARCHIVE_SINCE": f"{self.since:%Y%m%d}",
            "WX_ARCHIVE_URL": self.database_url,
            "WX_ARCHIVE_TABLE_PREFIX": prefix,
            **extra,
        }

    def timer(self) -> dict[str, Any]:
        return {
            "Type": "Timer",
            "TriggerName": "daily",
            "Time": self.fired.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Message": "",
        }

    def expected(self) -> set[tuple[str, str, str, str]]:
        today = beijing_today(self.fired)
        return {
            (appid, api, p.begin_date, p.end_date)
            for appid in self.apps
            for api in self.apis
            for p in periods(api, self.since, today)
        }


def _check(fleet: Fleet, prefix: str, label: str) -> int:
    """Raise unless every period of every app is stored, each from one fetch; how many there are."""
    stored = fetch_counts(fleet.database_url, prefix)
    expected = fleet.expected()
    if set(stored) != expected:
        raise RuntimeError(
            f"{label}: {len(expected - set(stored))} periods missing, {len(set(stored) - expected)} extra"
        )
    refetched = sum(1 for fetches in stored.values() if fetches != 1)
    if refetched:
        raise RuntimeError(f"{label}: {refetched} periods were stored from more than one fetch")
    return len(stored)


@contextmanager
def _tables(url: str) -> Iterator[str]:
    prefix = f"wxbench{secrets.token_hex(4)}_"
    try:
        yield prefix
    finally:
        drop_tables(url, prefix)


def _slow(wechat: WeChatEmulator, latency: float, budget: int) -> None:
    """Every WeChat request of the next ``budget`` per path delayed by ``latency``; the requests so far forgotten."""
    wechat.clear()
    for path in (*ANALYSIS_PATHS.values(), STABLE_TOKEN_PATH, QUOTA_GET_PATH):
        wechat.add_fault(path, Fault.delay(latency), times=budget)


def baseline(fleet: Fleet, wechat: WeChatEmulator, latency: float) -> Run:
    """One invocation, fan-out off, no time limit: every app archived by it, 4 fetches in flight."""
    with _tables(fleet.database_url) as prefix:
        handler = ArchiveFunction((CONFIG,), environ=fleet.env(wechat, prefix, WX_ARCHIVE_FAN_OUT="off"))
        _slow(wechat, latency, 10 * len(fleet.expected()))
        started = time.perf_counter()
        answer = handler(fleet.timer(), {"request_id": "baseline"})
        elapsed = time.perf_counter() - started
        requests = len(wechat.received)
        if answer.get("errCode") != 0 or answer.get("complete") is not True:
            raise RuntimeError(f"the baseline run ended incomplete: {json.dumps(answer)[:500]}")
        return Run(elapsed, requests, stored=_check(fleet, prefix, "the baseline"))


def fanned_out(fleet: Fleet, wechat: WeChatEmulator, latency: float, concurrency: int, code: Code = TODAY) -> Run:
    """The dispatcher with its time limit, then its workers as SCF runs them, until none is left; the
    dispatcher too on an instance of its own (SCF runs the timer's invocation as any other), so that
    the code under test (today's or a release's) runs nowhere else."""
    with _tables(fleet.database_url) as prefix:
        scf = ScfEndpoint({}, concurrency, code)
        serving = threading.Thread(target=scf.serve_forever, name="scf-endpoint", daemon=True)
        serving.start()
        try:
            scf.environ = fleet.env(
                wechat,
                prefix,
                **ROLE,
                TENCENTCLOUD_REGION=REGION,
                SCF_FUNCTIONNAME=FUNCTION,
                WX_SCF_ENDPOINT=scf.url,
            )
            dispatcher = Instance(scf.environ, code)
            scf.instances.append(dispatcher)  # stopped with the others
            scf.warm(min(concurrency, len(fleet.apps) + 1))  # one per app, and one for a hand-off's overlap
            dispatcher.ready()
            _slow(wechat, latency, 10 * len(fleet.expected()))
            started = time.perf_counter()
            answer = dispatcher.invoke(fleet.timer(), "dispatcher")
            dispatched = time.perf_counter() - started
            scf.idle(timeout=1800)
            elapsed = time.perf_counter() - started
            requests = len(wechat.received)
        finally:
            scf.stop()
        sent = answer.get("fanOut", {})
        if (
            answer.get("errCode") != 0
            or sent.get("sent") != len(fleet.apps)
            or sent.get("notSent")
            or sent.get("failed")
        ):
            raise RuntimeError(f"the dispatcher did not send one event per app: {json.dumps(answer)[:500]}")
        if scf.failures:
            raise RuntimeError(f"{len(scf.failures)} invocations raised, the first: {scf.failures[0]}")
        broken = [a for a in scf.answers if a.get("errCode") != 0 or "skipped" in a]
        if broken:
            raise RuntimeError(f"{len(broken)} workers did not archive, the first: {json.dumps(broken[0])[:500]}")
        invocations = 1 + len(scf.answers)
        stored = _check(fleet, prefix, "the fanned-out run")
        return Run(elapsed, requests, invocations, dispatched, tuple(scf.spans), stored)


def reachable(url: str) -> str | None:
    """Why the database cannot be used (None: it can)."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3} if url.startswith("postgresql") else {})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def figures(
    rounds: int = 1,
    apps: int = 20,
    days: int = 90,
    latency_ms: float = 50.0,
    concurrency: int = SCF_CONCURRENCY,
    all_reports: bool = False,
    database_url: str = DATABASE_URL,
    release: bool = True,
) -> dict[str, Any]:
    """The rows and what they were measured on; no rows when the database cannot be reached. With
    ``release``, the release's fan-out (``bench.history.RELEASE``) runs in every round too, and
    ``vs_release`` is the row of today's fanned-out wall time against it."""
    apis = tuple(ANALYSIS_PATHS) if all_reports else SUBSET
    measured: dict[str, Any] = {
        "apps": apps,
        "days": days,
        "reports": len(apis),
        "latency_ms": latency_ms,
        "scf_concurrency": concurrency,
        "rounds": rounds,
        "rows": [],
    }
    problem = reachable(database_url)
    if problem is not None:
        print(f"bench: the fan-out needs a database server ({problem}): left out", file=sys.stderr)
        measured["skipped"] = problem
        return measured
    fired = datetime.now(timezone.utc).replace(microsecond=0)
    fleet = Fleet(
        {f"wxbench{index:010d}": f"bench-secret-{index}-{secrets.token_hex(8)}" for index in range(1, apps + 1)},
        apis,
        beijing_today(fired) - timedelta(days=days),
        fired,
        database_url,
    )
    latency = latency_ms / 1000
    runs: dict[str, list[Run]] = {"fanned": [], "baseline": []}
    with WeChatEmulator(fleet.apps) as wechat, tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        tree = extract(RELEASE, Path(tmp), "shared", f"functions/{FUNCTION}") if release else None
        if release and tree is None:
            print(f"bench: no history of {RELEASE} here: the fan-out against it is left out", file=sys.stderr)
        sides: dict[str, Callable[[], Run]] = {
            "fanned": lambda: fanned_out(fleet, wechat, latency, concurrency),
            "baseline": lambda: baseline(fleet, wechat, latency),
        }
        if tree is not None:
            runs["release"] = []
            sides["release"] = lambda: fanned_out(fleet, wechat, latency, concurrency, Code.of(tree))
        names = list(sides)
        for round_no in range(rounds):  # interleaved, the order turning, so drift falls on every side
            for side in names[round_no % len(names) :] + names[: round_no % len(names)]:
                runs[side].append(sides[side]())
                wechat.clear()
    ours, theirs = runs["fanned"], runs["baseline"]
    fast, slow = statistics.median(r.seconds for r in ours), statistics.median(r.seconds for r in theirs)
    asked, asked_alone = statistics.median(r.requests for r in ours), statistics.median(r.requests for r in theirs)
    label = f"{apps} apps x {days} days, {len(apis)} reports, {latency_ms:g} ms WeChat latency"
    measured["rows"] = [
        (
            f"backfill of {label}, wall time (s; fanned out over SCF vs one invocation)",
            round(fast, 2),
            round(slow, 2),
            round(slow / fast, 2),
        ),
        (
            "WeChat requests of that backfill (fanned out vs one invocation)",
            asked,
            asked_alone,
            round(asked_alone / asked, 2),
        ),
    ]
    if "release" in runs:
        now, now_text = spread([r.seconds for r in ours], 1, 2)
        then, then_text = spread([r.seconds for r in runs["release"]], 1, 2)
        measured["vs_release"] = (
            f"backfill of {label}, fanned out over SCF, wall time (s; vs the release at {RELEASE})",
            now_text,
            then_text,
            round(now / then, 3),
        )
    measured.update(
        periods=ours[-1].stored,
        invocations=ours[-1].invocations,
        dispatch_s=round(statistics.median(r.dispatch_seconds for r in ours), 2),
        worker_s_median=round(statistics.median(ours[-1].worker_seconds), 2),
        worker_s_max=round(max(ours[-1].worker_seconds), 2),
        cpus=os.cpu_count(),
    )
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--apps", type=int, default=20)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--scf-concurrency", type=int, default=SCF_CONCURRENCY)
    parser.add_argument("--all-reports", action="store_true", help="all ten reports (the baseline then takes minutes)")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--no-release", action="store_true", help=f"leave out the fan-out of the release at {RELEASE}")
    args = parser.parse_args(argv)
    from bench.archive import render

    started = time.perf_counter()
    measured = figures(
        args.rounds,
        args.apps,
        args.days,
        args.latency_ms,
        args.scf_concurrency,
        args.all_reports,
        args.database_url,
        not args.no_release,
    )
    print(
        render(
            [tuple(row) for row in [*measured["rows"], *([measured["vs_release"]] if "vs_release" in measured else [])]]
        )
    )
    print({key: value for key, value in measured.items() if key != "rows"})
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
