"""What every test of the archive takes: the watch for the database password (and WeChat's secrets)
in every answer of the archive function and every log line (``no_db_password_anywhere``, with the
databases ``db`` and ``sqlite_db``, in tests/conftest.py: a few tests elsewhere run the archive too);
and a client of every report for the runs the tests make by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wxcloud import OpenApiClient, Permissions, RetryPolicy, WxSettings
from wxcloud.archive import REPORTS

from tests.support.clocks import Sleeps


@pytest.fixture(autouse=True)
def _no_db_password(no_db_password_anywhere: list[str]) -> None:
    """Applies the password watch to each test of the folder."""


@pytest.fixture
def fast_client(settings: WxSettings, sleeps: Sleeps) -> Iterator[OpenApiClient]:
    """A client allowed every report, whose retries do not wait."""
    client = OpenApiClient(
        settings, permissions=Permissions.allow(*REPORTS), sleep=sleeps, retry=RetryPolicy(random=lambda: 0.5)
    )
    yield client
    client.close()
