"""The deadline holds whatever the server does: replies trickled byte by byte (status line, headers
or body), a chunked reply that never ends, a trickled token reply. Every one of them keeps each
socket read well inside the read timeout, so only a wall-clock bound on the whole exchange ends
them; the call must answer -604102 before its deadline (plus a small slack for answering).
"""

from __future__ import annotations

import time

import pytest
from wxcloud.deadline import Deadline

from tests.support.hostile_servers import (
    DATA_PATH,
    GOOD_DATA,
    TOKEN_PATH,
    Behaviour,
    HostileServer,
    call,
    chunked_forever,
    head,
    json_reply,
    make_client,
    trickle,
)

pytestmark = pytest.mark.slow  # each test waits out a deadline: out of ``dev.py test --fast``

BUDGET = 1.5
SLACK = 0.5  # answering after the deadline fired: thread wake-up, closing the socket, the error value

DATA_BODY = b'{"list": []}' + b" " * 200


def trickled_body() -> Behaviour:
    return trickle(head(200, length=len(DATA_BODY)), DATA_BODY)


def trickled_headers() -> Behaviour:
    return trickle(head(200, length=len(DATA_BODY), extra="X-Padding: " + "p" * 200), DATA_BODY, headers_too=True)


TOKEN_BODY = b'{"access_token": "TRICKLED-TOKEN-0123456789", "expires_in": 7200}'

CASES: dict[str, tuple[str, Behaviour]] = {
    "body trickled byte by byte": (DATA_PATH, trickled_body()),
    "status line and headers trickled": (DATA_PATH, trickled_headers()),
    "chunked reply that never ends": (DATA_PATH, chunked_forever()),
    "token reply trickled": (TOKEN_PATH, trickle(head(200, length=len(TOKEN_BODY)), TOKEN_BODY)),
    "token headers trickled": (TOKEN_PATH, trickle(head(200, length=len(TOKEN_BODY)), TOKEN_BODY, headers_too=True)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_reply_cannot_outlast_the_deadline(name: str) -> None:
    path, behaviour = CASES[name]
    with HostileServer() as server:
        server.on(path, behaviour)
        client = make_client(server.url, connect=1.0, read=1.0)
        started = time.monotonic()
        result = call(client, Deadline(time.monotonic() + BUDGET))
        elapsed = time.monotonic() - started
        client.close()
    assert result["errCode"] == -604102, result
    assert "hint: [" in str(result["errMsg"])
    assert elapsed < BUDGET + SLACK, f"answered after {elapsed:.2f}s"


def test_without_a_deadline_an_attempt_is_bounded_by_connect_plus_read() -> None:
    """No invocation deadline (a library call): the configured timeouts, read together as the
    attempt's wall-clock budget, still end a trickle; the retries then run out as usual."""
    with HostileServer() as server:
        server.on(DATA_PATH, trickled_body())
        client = make_client(server.url, connect=0.2, read=0.3)
        started = time.monotonic()
        result = call(client)
        elapsed = time.monotonic() - started
        client.close()
    assert result["errCode"] == -1, result
    assert len(server.requests_to(DATA_PATH)) == 3
    assert elapsed < 3 * 0.5 + SLACK


def test_a_cut_short_last_attempt_that_times_out_is_604102_not_minus_1() -> None:
    """Every attempt stalls (no byte at all). Connect 0.3 s + read 0.3 s: the first two attempts
    end by their read timeout at 0.3 s and 0.6 s; the last gets the 0.4 s left, less than its
    configured 0.6 s, and times out too. The deadline ran out: -604102, not the last attempt's -1."""
    from wxcloud.retry import RetryPolicy

    from tests.support.hostile_servers import hang

    with HostileServer() as server:
        server.on(DATA_PATH, hang)
        for _ in range(3):
            client = make_client(server.url, connect=0.3, read=0.3, retry=RetryPolicy(total=2, backoff_factor=0.0))
            result = call(client, Deadline(time.monotonic() + 1.0))
            client.close()
            assert result["errCode"] == -604102, result
            assert "read timeout" in str(result["errMsg"])


def test_a_slow_but_steady_reply_inside_the_budget_still_succeeds() -> None:
    body = json_reply(GOOD_DATA)
    with HostileServer() as server:
        server.on(DATA_PATH, body)
        client = make_client(server.url)
        result = call(client, Deadline(time.monotonic() + BUDGET))
        client.close()
    assert result["errCode"] == 0, result
