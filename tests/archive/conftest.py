"""What every test of the archive takes: the watch for the database password (and WeChat's secrets)
in every answer of the archive function and every log line (``no_db_password_anywhere``, with the
databases ``db`` and ``sqlite_db``, in tests/conftest.py: a few tests elsewhere run the archive too)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_db_password(no_db_password_anywhere: list[str]) -> None:
    """Applies the password watch to each test of the folder."""
