"""Hostile input, property-based: whatever the event, the answer is a cloud-call result or error,
never an exception; invalid input never reaches WeChat; nothing goes anywhere but WX_API_BASE_URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wxcloud import Analysis, FunctionApp, OpenApiClient, WxCloudError, WxSettings
from wxcloud.errors import retry_later

from devtools.wechat_emulator import DEFAULT_SECRET, WeChatEmulator
from tests.support.wechat import API, DISPLAY

LOCAL_ERRORS = {-501007, 61500, 61501}


class RecordingAdapter(requests.adapters.HTTPAdapter):
    """A real adapter that also notes where each request went (observation, not a mock)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.urls.append(str(request.url))
        return super().send(request, *args, **kwargs)


@pytest.fixture(scope="module")
def hostile(
    emulator: WeChatEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FunctionApp, RecordingAdapter]]:
    from devtools.wechat_emulator import DEFAULT_APPID

    config = tmp_path_factory.mktemp("cfg") / "config.json"
    config.write_text(json.dumps({"permissions": {"openapi": [API]}}))
    client = OpenApiClient(WxSettings(DEFAULT_APPID, DEFAULT_SECRET, emulator.url), sleep=lambda s: None)
    adapter = RecordingAdapter()
    client.transport.session.mount("http://", adapter)
    client.transport.session.mount("https://", adapter)
    app = FunctionApp(Analysis.getMonthlyVisitTrend, (Path(config),), client_factory=lambda p: _with(client, p))
    yield app, adapter
    client.close()


def _with(client: OpenApiClient, permissions: Any) -> OpenApiClient:
    client.permissions = permissions
    return client


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=20,
)

digits = "0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９۰۱۲۳۴۵۶۷۸۹߀"
date_like = (
    st.text(alphabet=digits, min_size=0, max_size=10)
    | st.sampled_from(
        ["20170229", "20170001", "00000101", "20171301", "20170332", "20170301", "20170331", "2017-03-01", "x" * 5000]
    )
    | st.dates().map(lambda d: d.strftime("%Y%m%d"))
    | json_values
)
events_as_text = st.fixed_dictionaries({"beginDate": date_like, "endDate": date_like}).map(
    lambda e: json.dumps(e, default=str)
)
dangerous_keys = st.sampled_from(
    [
        "access_token",
        "accessToken",
        "url",
        "path",
        "host",
        "WX_API_BASE_URL",
        "__proto__",
        "constructor",
        "errcode",
        "begin_date",
        "end_date",
    ]
)
events = (
    json_values
    | st.fixed_dictionaries({"beginDate": date_like, "endDate": date_like}, optional={"extra": json_values})
    | st.dictionaries(
        dangerous_keys | st.text(max_size=20), json_values | st.just("http://evil.example/steal"), max_size=6
    )
    | st.fixed_dictionaries(
        {"Type": st.just("Timer"), "TriggerName": json_values},
        optional={
            "Time": st.datetimes().map(lambda d: d.isoformat() + "Z") | json_values,
            "Message": json_values | events_as_text,
        },
    )
    | st.fixed_dictionaries(
        {"beginDate": st.just("20170301"), "endDate": st.just("20170331")},
        optional={
            "access_token": st.text(max_size=30),
            "url": st.just("http://evil.example/"),
            "path": st.just("/cgi-bin/token"),
        },
    )
)


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(event=events)
@example(event={"Type": "Timer", "TriggerName": "m", "Time": "9999-12-31T23:59:59Z"})
@example(event={"Type": "Timer", "TriggerName": "m", "Time": "0001-01-01T00:00:00-05:00"})
@example(event={"Type": "Timer", "TriggerName": "m", "Message": "[1, 2]"})
@example(event={"Type": "Timer", "TriggerName": "m", "Message": 5, "Time": None})
@example(event={"beginDate": "20170301", "endDate": "20170331", "access_token": "mine", "url": "http://evil.example/"})
def test_any_event_gets_a_cloud_call_answer(
    hostile: tuple[FunctionApp, RecordingAdapter], emulator: WeChatEmulator, event: Any
) -> None:
    app, adapter = hostile
    before_urls, before_received = len(adapter.urls), len(emulator.received)
    try:
        result = app.handle(event, {"request_id": "fuzz", "time_limit_in_ms": 5000})
    except WxCloudError as exc:  # by design only for timers, and only for failures worth retrying
        assert isinstance(event, dict) and event.get("Type") == "Timer", event
        assert retry_later(exc)
        result = exc.to_result()
    assert isinstance(result, dict) and isinstance(result.get("errCode"), int)
    assert isinstance(result.get("errMsg"), str)
    if result["errCode"] == 0:
        assert result["errMsg"] == f"{DISPLAY}:ok"
    else:
        assert set(result) == {"errCode", "errMsg"}
        assert result["errMsg"].startswith(f"{DISPLAY}:fail ")
    if result["errCode"] in LOCAL_ERRORS:
        assert len(emulator.received) == before_received, "invalid input reached WeChat"
        assert len(adapter.urls) == before_urls
    base = urlsplit(emulator.url)
    for url in adapter.urls[before_urls:]:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc), url
        assert parts.path in {"/cgi-bin/stable_token", "/datacube/getweanalysisappidmonthlyvisittrend"}, url
    for sent in emulator.received[before_received:]:
        if sent.path.startswith("/datacube/"):
            body = sent.json()
            assert set(body) == {"begin_date", "end_date"}
            assert all(isinstance(v, str) and v.isascii() and v.isdigit() and len(v) == 8 for v in body.values())
    text = json.dumps(result, ensure_ascii=False)
    assert DEFAULT_SECRET not in text and not any(t in text for t in emulator.issued_tokens)


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet=digits, min_size=8, max_size=8))
def test_only_ascii_digits_pass_as_yyyymmdd(value: str) -> None:
    from wxcloud.dates import parse_yyyymmdd

    if not value.isascii():
        assert parse_yyyymmdd(value) is None
