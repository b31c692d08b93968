"""The checkout the tests run in: its root, its sample events and documented answers, and what a test
does when a tool it needs is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
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


def run_python(
    *args: str, cwd: Path | str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python *args`` (this interpreter) as a user would run it: in ``cwd``, with ``env``, its
    output captured as text; the exit code for the test to judge."""
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ask_oracle(script: Path, sdk: Path, requests: list[str], timeout: float) -> list[str]:
    """One line of answer per line of ``requests`` from the node ``script`` run over the installed
    wx-server-sdk at ``sdk`` (the differential tests' oracle), in one process for them all."""
    proc = subprocess.run(
        ["node", str(script), str(sdk)],
        input="".join(requests),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"oracle failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    answers = proc.stdout.split("\n")  # not splitlines(): JSON.stringify leaves U+2028 and the like unescaped
    if answers and answers[-1] == "":
        answers.pop()
    assert len(answers) == len(requests), f"oracle answered {len(answers)} of {len(requests)}"
    return answers
