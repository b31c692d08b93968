"""Fixtures of the Tencent Cloud tests: a loopback endpoint of the module's own, standing in for SSM
or for SCF's API, as each test scripts it."""

from __future__ import annotations

from tests.support.tencentcloud_http import loopback_fixture

server = loopback_fixture("server")
