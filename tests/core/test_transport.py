"""The transport's two ways of preparing a request (the fast one for plain ASCII URLs, requests'
full preparation for anything else) send the same thing."""

from __future__ import annotations

import json

import pytest
from wxcloud import Timeouts
from wxcloud.http.transport import Transport, redact

from devtools.wechat_emulator import WeChatEmulator
from tests.support.wechat import PATH

BODY = json.dumps({"begin_date": "20170301", "end_date": "20170331"}).encode()


@pytest.mark.parametrize("token", ["PLAIN_token-0123.abc~", "needs quoting é", "a/b"])
def test_both_preparations_deliver_the_same_request(emulator: WeChatEmulator, token: str) -> None:
    transport = Transport(emulator.url, Timeouts())
    from urllib.parse import quote

    reply = transport.post(
        PATH, BODY, query=f"access_token={quote(token, safe='')}" if " " in token else f"access_token={token}"
    )
    assert reply.status == 200
    (sent,) = emulator.requests_to(PATH)
    assert sent.query["access_token"] == token
    assert sent.body == BODY
    assert sent.headers.get("Content-Type", sent.headers.get("content-type")) == "application/json"
    assert int(sent.headers.get("Content-Length", sent.headers.get("content-length", "0"))) == len(BODY)
    transport.close()


def test_unusual_base_url_takes_the_full_preparation(emulator: WeChatEmulator) -> None:
    transport = Transport(emulator.url.replace("127.0.0.1", "localhost"), Timeouts())
    assert transport.post(PATH, BODY, query="access_token=x").status == 200
    transport = Transport(emulator.url + "/%7E", Timeouts())  # quoting differs: no fast path
    assert not transport._base_is_plain


def test_redact_masks_tokens_and_secrets_in_text() -> None:
    text = "GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CR3T HTTP/1.1 /x?access_token=TOK'"
    assert (
        redact(text)
        == "GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=*** HTTP/1.1 /x?access_token=***'"
    )
