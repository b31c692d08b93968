"""The libraries under the transport log too: urllib3 (every logger of its hierarchy, at every
level), requests and charset_normalizer. urllib3 quotes the request URL, access token included, in
a WARNING when a server sends headers it cannot parse, and an error tracker's logging integration
records every WARNING with its exception. So every record of those hierarchies is masked before
any handler or tracker sees it: checked here against servers that trickle their headers or send
malformed ones, with the root logger at DEBUG and sentry-sdk's logging integration on."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

from tests.support.hostile_servers import (
    APPSECRET,
    DATA_PATH,
    GOOD_DATA,
    HostileServer,
    call,
    head,
    make_client,
    trickle,
)
from tests.support.leaks import leaks, sentry_envelopes

BODY = json.dumps(GOOD_DATA).encode()


def malformed_headers(server: HostileServer, request: Any, conn: Any) -> None:
    """A reply whose header block holds a line that is no header: urllib3 cannot parse it."""
    conn.sendall(head(200, length=len(BODY), extra="this line is no header\r\n") + BODY)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []
        self.names: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.names.append((record.name, record.levelno))
        self.texts.append(self.format(record))  # the exception's traceback text included


@pytest.fixture
def everything_logged() -> Iterator[tuple[Records, list[str]]]:
    """The root logger at DEBUG with a handler of its own, and sentry with its logging integration
    making an event of every WARNING (local variables on), its envelopes kept as sent."""
    records = Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    try:
        with sentry_envelopes(
            integrations=[LoggingIntegration(level=logging.DEBUG, event_level=logging.WARNING)]
        ) as envelopes:
            yield records, envelopes
    finally:
        root.removeHandler(records)
        root.setLevel(level)


@pytest.mark.slow
@pytest.mark.parametrize(
    "behaviour",
    [malformed_headers, trickle(head(200, length=len(BODY)), BODY, interval=0.05, headers_too=True)],
    ids=["malformed headers", "trickled headers"],
)
def test_no_library_record_holds_the_token(everything_logged: tuple[Records, list[str]], behaviour: Any) -> None:
    records, envelopes = everything_logged
    with HostileServer() as server:
        server.on(DATA_PATH, behaviour)
        client = make_client(server.url, read=0.5)
        call(client)
        client.close()
        tokens = list(server.issued)
    sentry_sdk.flush()
    assert tokens and any(name.startswith("urllib3") for name, _ in records.names), records.names  # urllib3 did log
    found = leaks([*records.texts, *envelopes], [*tokens, APPSECRET])
    assert not found, found[:3]


def test_the_malformed_headers_warning_is_there_and_masked(everything_logged: tuple[Records, list[str]]) -> None:
    """The WARNING the check above is about: urllib3.connection's, naming the URL, token masked."""
    records, _ = everything_logged
    with HostileServer() as server:
        server.on(DATA_PATH, malformed_headers)
        client = make_client(server.url)
        call(client)
        client.close()
    warned = [text for text in records.texts if text.startswith("urllib3.connection WARNING Failed to parse headers")]
    assert warned and "access_token=***" in warned[0], records.texts[-5:]


LIBRARY_LOGGERS = [
    "urllib3",
    "urllib3.contrib.socks",
    "requests",
    "requests.adapters",
    "charset_normalizer",
    "charset_normalizer.api",
]


@pytest.mark.parametrize("name", LIBRARY_LOGGERS)
def test_every_logger_of_the_three_hierarchies_is_masked_even_one_made_later(
    everything_logged: tuple[Records, list[str]], name: str
) -> None:
    records, _ = everything_logged
    token = "TOKEN-" + "made-up-for-this-test-0123456789"
    try:
        raise ValueError(f"http://127.0.0.1/x?access_token={token}")
    except ValueError:
        logging.getLogger(name).warning("url=%s", f"http://127.0.0.1/x?access_token={token}", exc_info=True)
    logging.getLogger("wxcloud-unrelated").debug("access_token=%s", "not-a-library-record")
    mine = [text for text in records.texts if text.startswith(name + " ")]
    assert mine and all(token not in text for text in mine) and "access_token=***" in mine[0]
    assert any(
        "access_token=not-a-library-record" in text for text in records.texts
    )  # only the libraries' records are touched
