"""The deadline holds before the reply too: opening the connection cannot outlast the exchange.

Three ways the network stalls a call before a single byte of reply, none of which a per-socket
timeout ends in time:

* a proxy that trickles its answer to CONNECT (an https:// URL through ``HTTPS_PROXY``): each byte
  comes well within the read timeout, so only the wall-clock limit, covering the tunnel's set-up,
  ends it;
* a name whose six addresses all drop SYNs (real sockets on 127.0.0.2-7 whose accept queues are
  full, see ``hostile_servers.black_holes``): tried one after the other with the full connect
  timeout each, they cost six times it;
* a name lookup that stalls: ``getaddrinfo`` takes no timeout at all.

Each runs against the three users of the transport: a WeChat call (its stable_token fetch is the
first exchange), a service provider's client (its platform token service), and the alert
webhook's ``post``. Each must end within its budget (plus a generous slack), with the usual
error: -604102 for a call, False and one WARNING naming the host (never the key) for the alert.

Names resolve through a stand-in for the system's resolver: the test replaces ``socket.getaddrinfo``
(which the transport's lookup calls, as urllib3's does) with one that gives the black-hole name its
loopback addresses, stalls on the stalling name until the test ends (or 10 s, so that a transport
without a bound ends too and fails the bound), and passes every other name to the real one. A real
resolver that stalls, or a real name with many dead addresses, would need the machine's DNS set-up.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from wxcloud.archive.observe.alerts import post
from wxcloud.deadline import Deadline
from wxcloud.http.redaction import Sealed

from tests.support.archive import HOOK_PATH
from tests.support.hostile_servers import TricklingProxy, black_holes, call, make_client

pytestmark = pytest.mark.slow  # each test waits out a stalled connection or lookup: out of ``dev.py test --fast``

BUDGET = 1.5
SLACK = 1.0  # answering after the limit: thread wake-ups, closing sockets, the error value, a loaded machine
STALL = 10.0  # the stalling lookup's own end: far past every bound below
DEAD_ADDRESSES = 6
KEY = "-".join(("5b2e7c1d", "0f3a", "4b6c", "9d8e", "7a6b5c4d3e2f"))


@dataclass
class Resolver:
    """The stand-in for the system's resolver (see the module docstring)."""

    hosts: dict[str, list[str]] = field(default_factory=dict)
    stalling: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
            if host in self.hosts or host in self.stalling:
                self.asked.append(host)
            if host in self.hosts:
                return [
                    (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, int(port)))
                    for ip in self.hosts[host]
                ]
            if host in self.stalling:
                self.release.wait(STALL)
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            return real(host, port, family, type, proto, flags)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Resolver]:
    stand_in = Resolver()
    stand_in.install(monkeypatch)
    yield stand_in
    stand_in.release.set()  # the abandoned lookups end now


@dataclass
class Outcome:
    ok: bool
    detail: str


def wechat(url: str) -> Outcome:
    client = make_client(url, connect=1.0, read=1.0)
    try:
        result = call(client, Deadline(time.monotonic() + BUDGET))
    finally:
        client.close()
    return Outcome(result["errCode"] == -604102, str(result))


def platform(url: str) -> Outcome:
    client = make_client(url, connect=1.0, read=1.0, source="platform")
    try:
        result = call(client, Deadline(time.monotonic() + BUDGET))
    finally:
        client.close()
    return Outcome(result["errCode"] == -604102, str(result))


def alert(url: str) -> Outcome:
    return Outcome(post(Sealed(f"{url}{HOOK_PATH}?key={KEY}"), "hello", timeout=BUDGET) is False, "post")


USERS: dict[str, Callable[[str], Outcome]] = {
    "wechat call": wechat,
    "platform token service": platform,
    "alert webhook": alert,
}


def ends_in_time(user: str, url: str, wxlog: Any) -> float:
    """Runs ``user`` against ``url``; checks its answer and that no log holds the key; the elapsed time."""
    started = time.monotonic()
    outcome = USERS[user](url)
    elapsed = time.monotonic() - started
    assert outcome.ok, outcome.detail
    assert not [text for text in wxlog.texts if KEY in text]
    if user == "alert webhook":
        warnings = [r.getMessage() for r in wxlog.records if r.name == "wxcloud" and r.levelno == logging.WARNING]
        assert any(message.startswith(f"archive alert not delivered to {url}") for message in warnings), warnings
    return elapsed


@pytest.mark.parametrize("user", list(USERS))
def test_a_proxy_that_trickles_its_connect_answer(user: str, monkeypatch: pytest.MonkeyPatch, wxlog: Any) -> None:
    with TricklingProxy() as proxy:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        elapsed = ends_in_time(user, "https://wechat.test", wxlog)
    assert proxy.connects and proxy.connects[0].startswith("CONNECT wechat.test:443 "), proxy.connects
    assert elapsed < BUDGET + SLACK, f"answered after {elapsed:.2f}s"


@pytest.mark.parametrize("user", list(USERS))
def test_a_name_whose_addresses_all_drop_syns(user: str, resolver: Resolver, wxlog: Any) -> None:
    name = f"dead-{uuid.uuid4().hex[:8]}.test"
    with black_holes(DEAD_ADDRESSES) as port:
        resolver.hosts[name] = [f"127.0.0.{index + 2}" for index in range(DEAD_ADDRESSES)]
        elapsed = ends_in_time(user, f"http://{name}:{port}", wxlog)
    assert name in resolver.asked
    assert elapsed < BUDGET + SLACK, f"answered after {elapsed:.2f}s"


@pytest.mark.parametrize("user", list(USERS))
def test_a_name_lookup_that_stalls(user: str, resolver: Resolver, wxlog: Any) -> None:
    name = f"stall-{uuid.uuid4().hex[:8]}.test"  # a fresh name: no other test's abandoned lookup to join
    resolver.stalling.add(name)
    elapsed = ends_in_time(user, f"http://{name}:8080", wxlog)
    assert name in resolver.asked
    assert elapsed < BUDGET + SLACK, f"answered after {elapsed:.2f}s"


def test_a_stalled_lookup_is_shared_not_repeated(resolver: Resolver) -> None:
    """Calls to a name whose lookup stalls wait on the one lookup in flight: a resolver that does
    not answer costs one thread per name, however many calls (and retries) ask for it."""
    name = f"stall-{uuid.uuid4().hex[:8]}.test"
    resolver.stalling.add(name)
    for _ in range(3):
        assert wechat(f"http://{name}:8080").ok  # each call makes three attempts
    assert resolver.asked == [name]
