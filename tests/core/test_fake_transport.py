"""The in-process fake of WeChat (``support.fake_transport``) answers as scripted and records what
it received, through the library's real ``Transport``: what the unit tests built on it rely on."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from wxcloud.client import CallReport, OpenApiClient
from wxcloud.errors import TransportError
from wxcloud.http.transport import TimedOut
from wxcloud.permissions import Permissions
from wxcloud.retry import RetryPolicy

from tests.support.fake_transport import FakeWeChat, connect_timeout, fake_fixture, read_timeout, refused
from tests.support.wechat import API, PATH, STABLE

EVENT = {"beginDate": "20170301", "endDate": "20170331"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--not-a-boundary\r\n"

fake = fake_fixture()


@pytest.fixture
def client(fake: FakeWeChat) -> Iterator[OpenApiClient]:
    made = fake.client(permissions=Permissions.allow(API), retry=RetryPolicy(total=2, random=lambda: 0.5))
    yield made
    made.close()


def test_the_token_endpoint_answers_the_current_token_and_records_the_request(
    fake: FakeWeChat, client: OpenApiClient
) -> None:
    assert client.analysis.getMonthlyVisitTrend(EVENT) == {
        "errMsg": "openapi.analysis.getMonthlyVisitTrend:ok",
        "errCode": 0,
    }
    token_request, call = fake.received
    assert (token_request.method, token_request.path) == ("POST", STABLE)
    assert token_request.json()["appid"] == fake.appid and token_request.json()["force_refresh"] is False
    assert (call.method, call.path, call.query) == ("POST", PATH, {"access_token": fake.token})
    assert call.headers["content-type"] == "application/json" and call.json() == {
        "begin_date": "20170301",
        "end_date": "20170331",
    }


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (refused, TransportError, "connection failed (ConnectionRefusedError: connection refused)"),
        (connect_timeout, TimedOut, "connect timeout after"),
        (read_timeout, TimedOut, "read timeout after"),
    ],
)
def test_a_scripted_failure_is_the_transports_error_and_is_retried(
    fake: FakeWeChat, client: OpenApiClient, error: Callable[[], BaseException], kind: type[Exception], words: str
) -> None:
    fake.fail(PATH, error, times=None)
    report = CallReport()
    with pytest.raises(kind) as caught:
        client.call(client.analysis.getMonthlyVisitTrend.spec, EVENT, report=report)
    assert words in str(caught.value) and "fake-wechat.invalid" in str(caught.value)
    assert len(fake.requests_to(PATH)) == report.attempts == 3


def test_scripted_replies_are_answered_in_order_then_the_default(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer(PATH, status=502, times=1)
    fake.answer(PATH, {"errcode": 0, "list": [{"ref_date": "201703"}]}, times=1)
    assert client.analysis.getMonthlyVisitTrend(EVENT)["list"] == [{"refDate": "201703"}]  # the 502 retried
    assert "list" not in client.analysis.getMonthlyVisitTrend(EVENT)
    assert len(fake.requests_to(PATH)) == 3


def test_a_multipart_upload_is_recorded_part_by_part(fake: FakeWeChat) -> None:
    client = fake.client()
    fake.answer("/wxa/img_sec_check", {"errcode": 0, "errmsg": "ok"})
    client.security.imgSecCheck({"media": {"contentType": "image/png", "value": PNG}})
    part = fake.only("/wxa/img_sec_check").parts["media"]
    assert (part.name, part.filename, part.content_type, part.data) == ("media", "media.png", "image/png", PNG)
    client.close()


def test_a_renewed_token_is_answered_from_then_on(fake: FakeWeChat, client: OpenApiClient) -> None:
    first = client.tokens.get(timeout=5).token.value
    second = fake.renew_token()
    client.tokens.invalidate(client.tokens.get(timeout=5))
    assert first != second and client.tokens.get(timeout=5).token.value == second
    assert fake.issued_tokens == [first, second]
