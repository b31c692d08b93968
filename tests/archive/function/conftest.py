"""Fixtures of the archive function's tests: SCF's Invoke endpoint on loopback and the fan-out world over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from devtools.wechat_emulator import WeChatEmulator
from tests.support.archive import Db
from tests.support.fleet import APPS, FIRED, Fleet, scf_event_queue
from tests.support.tencentcloud_http import loopback_fixture

scf_fixture = loopback_fixture("scf")  # SCF's Invoke endpoint, for the module's tests


@pytest.fixture(name="fleet")
def fleet_fixture(db: Db, scf: HTTPServer) -> Iterator[Fleet]:
    with WeChatEmulator(APPS, clock=FIRED.timestamp) as wechat:
        world = Fleet(db, wechat, scf)
        scf.clear()
        scf.expect_request("/", method="POST").respond_with_handler(scf_event_queue(world.queue, world.refuse))
        yield world
        scf.clear()
