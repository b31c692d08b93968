"""The checkout the tests run in: its root, its sample events and documented answers, and what a test
does when a tool it needs is not installed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
EVENTS = TESTS / "events"
DATA = TESTS / "data"


def load_event(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def unavailable(message: str) -> NoReturn:
    """A tool the test needs is not installed: a visible skip here, a failure in CI (which installs it)."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def sdk_unavailable(reason: str) -> NoReturn:
    """node, the pinned wx-server-sdk or what it installs is missing: ``unavailable``, saying how to install them."""
    unavailable(f"{reason}; run `python devtools/install_wxsdk.py` (needs node + npm)")
