"""Unusual WeChat replies, read the way wx-server-sdk reads them (or deliberately not), and never
quoting a credential back. Each reply is canned: the in-process fake answers it through the real
``Transport`` (no loopback server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wxcloud import OpenApiClient, Permissions, WxCloudError

from tests.support.fake_transport import FakeWeChat, fake_fixture
from tests.support.wechat import API, DISPLAY, EVENT, PATH, STABLE

INVALID_JSON = f"{DISPLAY}:fail wechat server internal error, response body is invalid json: "

fake = fake_fixture()


@pytest.fixture
def client(fake: FakeWeChat) -> Iterator[OpenApiClient]:
    made = fake.client(permissions=Permissions.allow(API))
    yield made
    made.close()


def call(client: OpenApiClient) -> dict[str, object]:
    try:
        return client.analysis.getMonthlyVisitTrend(EVENT)
    except WxCloudError as exc:
        return exc.to_result()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; encoding=utf-8", "text/plain", "text/plain; charset=utf-8"]
)
def test_json_content_types_are_parsed(fake: FakeWeChat, client: OpenApiClient, content_type: str) -> None:
    fake.answer(PATH, text='{"list": []}', content_type=content_type)
    assert call(client) == {"list": [], "errMsg": f"{DISPLAY}:ok", "errCode": 0}


def test_text_plain_that_is_not_json_is_the_sdks_result_object(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer(PATH, text="not json at all", content_type="text/plain")
    assert call(client) == {"result": "not json at all", "errMsg": f"{DISPLAY}:ok", "errCode": 0}


@pytest.mark.parametrize("content_type", ["text/html", "image/jpeg ", ""])
def test_other_content_types_are_a_binary_success_as_the_sdk_returns_them(
    fake: FakeWeChat, client: OpenApiClient, content_type: str
) -> None:
    """wx-server-sdk returns any reply that is neither JSON nor text as ``{contentType, buffer}``,
    whatever the API (it is how the image APIs answer), its content type trimmed."""
    fake.answer(PATH, text='{"list": []}', content_type=content_type)
    assert call(client) == {
        "contentType": content_type.strip(),
        "buffer": b'{"list": []}',
        "errMsg": f"{DISPLAY}:ok",
        "errCode": 0,
    }


def test_an_image_holding_backslashes_and_character_references_is_its_buffer(
    fake: FakeWeChat, client: OpenApiClient
) -> None:
    """An image holds every byte, ``\\u`` and ``&#`` included: its bytes come back, as the SDK's do."""
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\\u0041&#65;&amp;" * 3
    fake.answer(PATH, body=image, content_type="image/png")
    assert call(client) == {"contentType": "image/png", "buffer": image, "errMsg": f"{DISPLAY}:ok", "errCode": 0}


@pytest.mark.parametrize("spelling", ["plain", "json", "html"])
def test_a_binary_reply_that_quotes_the_token_is_601001_and_goes_nowhere(
    fake: FakeWeChat, client: OpenApiClient, spelling: str
) -> None:
    """A portal's page echoing the request URL: no image quotes our access token, as it is or spelt
    with JSON's ``\\u`` escapes or HTML's character references."""
    token = client.tokens.get(timeout=5).token.value
    escaped = "".join(f"\\u{ord(c):04x}" if spelling == "json" else f"&#{ord(c)};" for c in token)
    spelt = token if spelling == "plain" else escaped
    fake.answer(PATH, text=f"<html>you asked for ?access_token={spelt}</html>", content_type="text/html")
    result = call(client)
    assert (
        result["errCode"] == -601001
        and "quotes the request's access token" in str(result["errMsg"])
        and spelt not in str(result)
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"list": [{"visit_depth": NaN}]}',
        '{"list": [{"stay_time_uv": Infinity}]}',
        '{"list": [{"stay_time_uv": -Infinity}]}',
        '{"b": 1E400}',
        '{"__proto__": {"x": 1}}',
        '{"list": [{"constructor": 1}]}',
    ],
)
def test_json_that_json_bigint_rejects_is_601001(fake: FakeWeChat, client: OpenApiClient, body: str) -> None:
    fake.answer(PATH, text=body)
    assert call(client) == {"errCode": -601001, "errMsg": INVALID_JSON + body}


@pytest.mark.parametrize(
    ("body", "err_msg"),
    [
        ('{"errcode": 45009, "errmsg": null}', "null"),
        ('{"errcode": 45009}', "undefined"),
        ('{"errcode": 45009, "errmsg": true}', "true"),
        ('{"errcode": 45009, "errmsg": 12.0}', "12"),
        ('{"errcode": 45009, "errmsg": ["a", null, 1]}', "a,,1"),
        ('{"errcode": 45009, "errmsg": {"a": 1}}', "[object Object]"),
    ],
)
def test_errmsg_is_rendered_as_javascript_renders_it(
    fake: FakeWeChat, client: OpenApiClient, body: str, err_msg: str
) -> None:
    fake.answer(PATH, text=body)
    assert call(client) == {"errCode": 45009, "errMsg": f"{DISPLAY}:fail {err_msg}"}


@pytest.mark.parametrize(
    "body", ['{"errcode": "40001", "errmsg": "x"}', '{"errcode": true}', '{"errcode": 1.5}', '{"errcode": []}']
)
def test_errcode_that_is_not_an_integer_is_601001(fake: FakeWeChat, client: OpenApiClient, body: str) -> None:
    fake.answer(PATH, text=body)
    assert call(client)["errCode"] == -601001


@pytest.mark.parametrize(
    "body",
    ['{"errcode": 0, "errmsg": "ok", "list": []}', '{"errcode": null, "list": []}', '{"errcode": "", "list": []}'],
)
def test_falsy_errcode_is_success(fake: FakeWeChat, client: OpenApiClient, body: str) -> None:
    fake.answer(PATH, text=body)
    assert call(client) == {"list": [], "errMsg": f"{DISPLAY}:ok", "errCode": 0}


def test_a_page_that_echoes_the_url_does_not_leak_the_token(fake: FakeWeChat, client: OpenApiClient) -> None:
    client.analysis.getMonthlyVisitTrend(EVENT)
    token = fake.requests_to(PATH)[0].query["access_token"]
    page = f"<html>blocked by proxy: POST {PATH}?access_token={token}&x=1</html>"
    fake.answer(PATH, text=page)
    result = call(client)
    assert result["errCode"] == -601001
    assert token not in str(result["errMsg"]) and "access_token=***&x=1" in str(result["errMsg"])


def test_a_garbled_token_reply_is_never_quoted(fake: FakeWeChat, client: OpenApiClient) -> None:
    body = '{"access_token":"TOKEN-IN-A-BROKEN-REPLY","expires_in":7200}<!-- injected -->'
    fake.answer(STABLE, text=body)
    result = call(client)
    assert result == {"errCode": -601001, "errMsg": INVALID_JSON + "(not shown: the token endpoint's reply)"}


def test_json_token_fields_are_masked_in_any_quoted_body(fake: FakeWeChat, client: OpenApiClient) -> None:
    fake.answer(PATH, text='{"access_token": "LEAKY\\"TOKEN", "secret":"S" ')
    result = call(client)
    assert result == {"errCode": -601001, "errMsg": INVALID_JSON + '{"access_token": "***", "secret":"***" '}


@pytest.mark.parametrize(("expires_in", "fresh_until"), [(7200, 6900), (301, 150.5), (200, 100), (1, 0.5)])
def test_short_lived_tokens_are_used_for_their_first_half(expires_in: int, fresh_until: float) -> None:
    """A token whose life is shorter than the 300 s refresh margin is still cached, never refetched
    on every call."""
    from wxcloud.tokens import AccessToken

    token = AccessToken.issued("T", 1000.0, expires_in)
    assert token.expires_at == 1000.0 + expires_in
    assert token.fresh(1000.0 + fresh_until - 0.01) and not token.fresh(1000.0 + fresh_until)


@pytest.mark.parametrize("expires_in", ["0", "-5", "true", '"7200"'])
def test_unusable_expires_in_is_an_error(fake: FakeWeChat, client: OpenApiClient, expires_in: str) -> None:
    fake.answer(STABLE, text=f'{{"access_token": "T", "expires_in": {expires_in}}}')
    result = call(client)
    assert result["errCode"] == -601001 and "stable_token reply without a usable access_token and expires_in" in str(
        result["errMsg"]
    )


def test_an_image_holding_backslashes_and_character_references_by_chance_is_a_binary_success(
    fake: FakeWeChat, client: OpenApiClient
) -> None:
    """Real PNG and JPEG bytes hold ``\\`` and ``&#`` by chance: only the token itself, in one of its
    encodings, makes a binary reply a portal's page."""
    image = bytes(range(256)) * 8 + b"\\u0041&#65;"
    fake.answer(PATH, body=image, content_type="image/png")
    assert call(client) == {"contentType": "image/png", "buffer": image, "errMsg": f"{DISPLAY}:ok", "errCode": 0}
