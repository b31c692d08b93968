"""The world of the fan-out tests (tests/archive/function/): three apps, one archive, the emulator,
SCF's queue of asynchronous events behind a loopback Invoke endpoint, and the function as deployed.
The fixtures ``scf`` and ``fleet`` of that folder's conftest.py build it for a test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text
from werkzeug import Request, Response
from wxcloud import CloudCredentials
from wxcloud.archive.plan import periods

from devtools.archive_tables import fetch_counts
from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import Db, function, timer
from tests.support.tencentcloud_http import api_answer, api_error, endpoint_of, invoke_params

ROLE = CloudCredentials("AKIDrole000000000001", "role-secret-key-0001", "role-session-token-0001")
REGION = "ap-guangzhou"
APIS = ("analysis.getDailyVisitTrend", "analysis.getWeeklyRetain", "analysis.getMonthlyVisitTrend")
DAILY_PATH = "/datacube/getweanalysisappiddailyvisittrend"
FIRED = datetime(2026, 6, 15, 3, 0, tzinfo=timezone.utc)  # 11:00 in Beijing
TODAY = date(2026, 6, 15)
SINCE = date(2026, 4, 1)
APPS = {f"wxfanout{index:010d}": f"fanout-secret-{index}-{uuid.uuid4().hex}" for index in (1, 2, 3)}
TOKEN = "0123456789abcdef" * 2  # a hand-off token of the right shape, handed to no event


def scf_event_queue(queue: list[dict[str, Any]], refuse: list[str]) -> Callable[[Request], Response]:
    """SCF's Invoke for asynchronous events: the signed call checked, the event queued, the
    invocation's request id answered at once; or the error named in ``refuse``."""

    def answer(request: Request) -> Response:
        params = invoke_params(request, region=REGION, secret_id=ROLE.secret_id, token=ROLE.token)
        assert (params["FunctionName"], params["InvocationType"], params["Namespace"]) == (
            "archiveAnalysis",
            "Event",
            "default",
        )
        if refuse:
            return api_error(refuse[0], "you are not authorized to perform operation (scf:InvokeFunction)")
        queue.append(json.loads(params["ClientContext"]))
        return api_answer(
            {"Result": {"RetMsg": "", "ErrMsg": "", "InvokeResult": 0, "FunctionRequestId": str(uuid.uuid4())}}
        )

    return answer


@dataclass
class Fleet:
    """Three apps, one archive, the emulator, SCF's queue, and the function as deployed."""

    db: Db
    wechat: WeChatEmulator
    scf: HTTPServer
    queue: list[dict[str, Any]] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    single: bool = False  # one app, configured as WX_APPID and WX_APPSECRET
    time_limit_ms: int = (
        20_000  # of every invocation (a loaded machine must not cut a worker short before it stores anything)
    )

    @property
    def apps(self) -> dict[str, str]:
        return dict(list(APPS.items())[:1]) if self.single else APPS

    @property
    def env(self) -> dict[str, str]:
        appid, secret = next(iter(APPS.items()))
        return {
            **self.db.env(),
            "WX_APPID": appid if self.single else "",
            "WX_APPSECRET": secret if self.single else "",
            "WX_ARCHIVE_APPS": "" if self.single else json.dumps(APPS),
            "WX_API_BASE_URL": self.wechat.url,
            "WX_ARCHIVE_APIS": ",".join(APIS),
            "WX_ARCHIVE_SINCE": f"{SINCE:%Y%m%d}",
            "WX_ARCHIVE_SLICE_DAYS": "30",
            "TENCENTCLOUD_SECRETID": ROLE.secret_id,
            "TENCENTCLOUD_SECRETKEY": ROLE.secret_key,
            "TENCENTCLOUD_SESSIONTOKEN": ROLE.token or "",
            "TENCENTCLOUD_REGION": REGION,
            "SCF_FUNCTIONNAME": "archiveAnalysis",
            "WX_SCF_ENDPOINT": endpoint_of(self.scf),
        }

    def handler(self, wall_clock: Callable[[], float] | None = None) -> Any:
        handler = function(self.env, wall_clock=wall_clock or FIRED.timestamp)
        handler.sleep = lambda _seconds: None
        return handler

    def dispatch(self) -> dict[str, Any]:
        answer = self.handler()(
            timer(FIRED.strftime("%Y-%m-%dT%H:%M:%SZ")),
            {"request_id": "dispatcher", "time_limit_in_ms": self.time_limit_ms},
        )
        self.answers.append(answer)
        return answer

    def deliver(self, event: dict[str, Any], wall_clock: Callable[[], float] | None = None) -> dict[str, Any]:
        context = {"request_id": f"worker-{uuid.uuid4().hex[:8]}", "time_limit_in_ms": self.time_limit_ms}
        answer = self.handler(wall_clock)(event, context)
        self.answers.append(answer)
        assert answer["errCode"] == 0, answer
        return answer

    def drain(
        self, order: Callable[[list[dict[str, Any]]], dict[str, Any]] = lambda queue: queue.pop(0)
    ) -> list[dict[str, Any]]:
        """Deliver events until SCF's queue is empty (the workers add theirs); every event delivered."""
        delivered = []
        while self.queue:
            event = order(self.queue)
            delivered.append(event)
            self.deliver(event)
        return delivered

    def expected(self) -> set[tuple[str, str, str, str]]:
        return {
            (appid, api, period.begin_date, period.end_date)
            for appid in self.apps
            for api in APIS
            for period in periods(api, SINCE, TODAY)
        }

    def stored(self) -> dict[tuple[str, str, str, str], int]:
        """Every stored period, and how many times it was fetched."""
        return fetch_counts(self.db.url, self.db.prefix)

    def datacube_requests(self) -> int:
        return sum(1 for request in self.wechat.received if request.path.startswith("/datacube/"))

    def assert_each_period_stored_once(self, *, requests_exact: bool = True) -> None:
        stored = self.stored()
        assert set(stored) == self.expected(), "periods missing or extra"
        assert set(stored.values()) == {1}, "a period was stored from more than one fetch"
        if requests_exact:
            assert self.datacube_requests() == len(stored), "WeChat was asked for a period more than once"
        texts = json.dumps(self.answers)
        assert not any(secret in texts for secret in APPS.values())


def expire_leases(db: Db, appid: str | None = None) -> None:
    """Time passes for the leases, by the database's clock: each one's end moved an hour back."""
    engine = create_engine(db.url)
    try:
        with engine.begin() as connection:
            where = "" if appid is None else f" WHERE work_key = '{appid}'"
            connection.execute(text(f"UPDATE {db.prefix}lease SET expires_at = '2000-01-01 00:00:00'{where}"))
    finally:
        engine.dispose()
