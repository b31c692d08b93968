"""Replies that are not what we asked for: redirects, absurd values, text that echoes our request,
and WX_API_BASE_URL values that would send the token somewhere it should not go."""

from __future__ import annotations

import json

import pytest
from wxcloud import ConfigurationError, WxSettings

from tests.support.hostile_servers import (
    DATA_PATH,
    GOOD_DATA,
    TOKEN_PATH,
    HostileServer,
    call,
    echo_request_line,
    json_reply,
    make_client,
    redirect,
    reply,
)


def assert_utf8_json(result: dict[str, object]) -> None:
    json.dumps(result, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_and_is_a_retried_transport_error(status: int) -> None:
    with HostileServer() as server:
        elsewhere = f"{server.url}/elsewhere?access_token=stolen"
        server.on(DATA_PATH, redirect(elsewhere, status))
        result = call(make_client(server.url))
    assert result["errCode"] == -1, result
    assert f"HTTP {status}" in str(result["errMsg"])
    assert len(server.requests_to(DATA_PATH)) == 3  # retried like any transport error
    assert server.requests_to("/elsewhere") == []


def test_a_redirect_then_the_real_reply_succeeds() -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, redirect("/x"), json_reply(GOOD_DATA))
        result = call(make_client(server.url))
    assert result["errCode"] == 0, result


def test_a_redirected_token_request_is_not_followed() -> None:
    with HostileServer() as server:
        server.on(TOKEN_PATH, redirect(f"{server.url}/steal"))
        result = call(make_client(server.url))
    assert result["errCode"] == -1 and server.requests_to("/steal") == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"access_token": "T-ABSURD", "expires_in": ' + "9" * 400 + "}", -601001),
        ('{"access_token": "T-ABSURD", "expires_in": 1e308}', -601001),
        ('{"access_token": "T-ABSURD", "expires_in": 99999999999}', -601001),
    ],
)
def test_an_absurd_expires_in_is_601001(body: str, code: int) -> None:
    with HostileServer() as server:
        server.on(TOKEN_PATH, reply(200, body))
        result = call(make_client(server.url))
    assert result["errCode"] == code, result
    assert "T-ABSURD" not in json.dumps(result)
    assert_utf8_json(result)


def test_deeply_nested_reply_is_601001_not_an_internal_error() -> None:
    nested = '{"list": ' + "[" * 600 + "]" * 600 + "}"
    with HostileServer() as server:
        server.on(DATA_PATH, reply(200, nested))
        result = call(make_client(server.url))
    assert result["errCode"] == -601001, result
    assert_utf8_json(result)


def test_deeply_nested_reply_through_the_handler_answers_in_the_cloud_call_shape(tmp_path: object) -> None:
    from pathlib import Path

    from wxcloud import FunctionApp
    from wxcloud.analysis import Analysis

    from tests.support.wechat import write_config

    nested = '{"list": ' + '{"a": ' * 600 + "1" + "}" * 600 + "}"
    with HostileServer() as server:
        server.on(DATA_PATH, reply(200, nested))
        client = make_client(server.url)
        app = FunctionApp(
            Analysis.getMonthlyVisitTrend, (write_config(Path(str(tmp_path))),), client_factory=lambda p: client
        )
        result = app.handle({"beginDate": "20170301", "endDate": "20170331"}, {"time_limit_in_ms": 5000})
    assert result["errCode"] == -601001, result
    assert_utf8_json(result)


@pytest.mark.parametrize(
    "body",
    [
        '{"errcode": 45009, "errmsg": "quota \\ud800 exceeded"}',
        '{"errcode": 45009, "errmsg": "\\udfff"}',
        '{"list": [{"ref_date": "\\ud83d"}]}',
        '{"list": [{"\\udc00": 1}]}',
        b'{"errcode": 45009, "errmsg": "raw \xed\xa0\x80 surrogate"}',
    ],
)
def test_lone_surrogates_never_make_an_unencodable_answer(body: str | bytes) -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, reply(200, body))
        result = call(make_client(server.url))
    assert_utf8_json(result)
    assert result["errCode"] in {45009, 0, -601001}, result


def test_an_enormous_errmsg_is_cut() -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, json_reply({"errcode": 45009, "errmsg": "x" * 1_000_000}))
        result = call(make_client(server.url))
    assert result["errCode"] == 45009
    assert len(str(result["errMsg"])) < 10_000


def test_a_text_plain_page_echoing_the_request_url_comes_back_with_the_token_masked() -> None:
    with HostileServer() as server:
        server.on(DATA_PATH, echo_request_line("text/plain"))
        result = call(make_client(server.url))
        (sent,) = server.requests_to(DATA_PATH)
    assert result["errCode"] == 0, result
    token = server.issued[0]
    assert sent.query["access_token"] == token  # the token went out, percent-encoded
    assert "access_token=" in str(result["result"])
    for form in forms(token):
        assert form not in str(result["result"]), form


def test_an_invalid_json_page_echoing_the_token_in_any_encoding_is_masked() -> None:
    template = "{{broken {target} | html &#61; {target} | token {token}"
    with HostileServer() as server:

        def behaviour(srv: HostileServer, request: object, conn: object) -> None:
            import html

            token = srv.issued[-1]
            target = request.target  # type: ignore[attr-defined]
            page = template.format(target=html.escape(target), token=html.escape(token)).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(page), page)
            )  # type: ignore[attr-defined]

        server.on(DATA_PATH, behaviour)
        result = call(make_client(server.url))
    assert result["errCode"] == -601001
    for form in forms(server.issued[0]):
        assert form not in str(result["errMsg"]), form


def test_a_success_reply_carrying_our_token_has_it_masked() -> None:
    with HostileServer() as server:

        def behaviour(srv: HostileServer, request: object, conn: object) -> None:
            body = json.dumps(
                {"list": [], "echo": srv.issued[-1], "escaped": "".join(f"\\u{ord(c):04x}" for c in srv.issued[-1])}
            )
            body = body.replace("\\\\u", "\\u")
            data = body.encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)
            )  # type: ignore[attr-defined]

        server.on(DATA_PATH, behaviour)
        result = call(make_client(server.url))
    assert result["errCode"] == 0
    text = json.dumps(result, ensure_ascii=False)
    assert server.issued[0] not in text and "***" in text


def forms(secret: str) -> list[str]:
    import html
    from urllib.parse import quote, quote_plus

    return sorted(
        {
            secret,
            quote(secret, safe=""),
            quote(secret),
            quote_plus(secret),
            html.escape(secret),
            html.escape(quote(secret, safe="")),
        }
    )


# ---- WX_API_BASE_URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.weixin.qq.com",
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://[::1]:9000",
        "http://localhost:1234/",
    ],
)
def test_base_urls_that_are_accepted(url: str) -> None:
    assert WxSettings.from_env({"WX_API_BASE_URL": url}).api_base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://api.weixin.qq.com", "http://10.0.0.5", "http://localhost.evil.example", "http://128.0.0.1"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WxSettings.from_env({"WX_API_BASE_URL": url})
    assert caught.value.err_code == -601001
    assert "WX_ALLOW_INSECURE_BASE_URL" in caught.value.err_msg


def test_plain_http_to_a_remote_host_can_be_allowed_explicitly() -> None:
    env = {"WX_API_BASE_URL": "http://wechat-gateway.internal", "WX_ALLOW_INSECURE_BASE_URL": "1"}
    assert WxSettings.from_env(env).api_base_url == "http://wechat-gateway.internal"


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2-PASSWORD@api.weixin.qq.com",
        "https://hunter2-PASSWORD@api.weixin.qq.com",
        "http://u:hunter2-PASSWORD@127.0.0.1:1",
    ],
)
def test_credentials_in_the_base_url_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WxSettings.from_env({"WX_API_BASE_URL": url})
    assert caught.value.err_code == -601001 and "hint: [" in caught.value.err_msg
    assert "hunter2-PASSWORD" not in caught.value.err_msg and "hunter2-PASSWORD" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["ftp://api.weixin.qq.com", "https://", "not a url", "https://x.com/?a=1", "https://u:hunter2-PASSWORD@[::1"]
)
def test_an_invalid_base_url_is_reported_without_userinfo(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WxSettings.from_env({"WX_API_BASE_URL": url})
    assert caught.value.err_code == -601001 and "hint: [" in caught.value.err_msg
    assert "hunter2-PASSWORD" not in caught.value.err_msg


def test_a_redirect_on_the_fast_path_is_a_transport_error_not_a_crash() -> None:
    """A plain token takes the transport's fast path (a request built without requests'
    preparation), where requests' redirect bookkeeping used to fail with an AttributeError."""
    import time

    from wxcloud.tokens import AccessToken

    with HostileServer() as server:
        server.on(DATA_PATH, redirect("/elsewhere"))
        client = make_client(server.url)
        client.tokens.store.save(client.settings.appid, AccessToken("PLAIN-token_0123456789", time.time() + 7200))
        result = call(client)
    assert result["errCode"] == -1 and "HTTP 302" in str(result["errMsg"]), result
