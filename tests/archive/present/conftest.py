"""Fixtures of the report's tests: a headless Chromium (the tests that take it are marked ``browser``
by tests/conftest.py, and left out of the quick loop)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.checkout import unavailable


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Any]:
    """Headless Chromium for the report's browser tests (``unavailable`` where it is not installed)."""
    from devtools.browser import chromium, executables

    if executables() is None:
        unavailable("chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)")
    with chromium() as driver:
        yield driver
