"""Fixtures of the alerts' tests: a WeCom-shaped webhook on loopback, one per test module."""

from __future__ import annotations

from tests.support.tencentcloud_http import loopback_fixture

hook_server = loopback_fixture("hook_server")
