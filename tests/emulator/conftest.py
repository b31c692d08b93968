"""Fixtures of the emulator's tests: one emulator of three apps per module, its clock pinned at NOON,
asked over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from devtools.wechat_emulator import WeChatEmulator
from tests.support.analysis import APPS, Api, Clock


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    """One emulator for the read-only tests (many hundreds of requests), clock pinned at NOON."""
    with WeChatEmulator(APPS, clock=Clock()) as emulator, requests.Session() as session:
        yield Api(emulator, session)
