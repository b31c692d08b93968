"""The README's first command: ``python3 dev.py demo`` invokes a function as SCF would, against the
built-in emulator when no credentials are configured; stdout is the cloud-call result alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WX_")}
    return subprocess.run([sys.executable, "-m", "devtools.demo", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("args", "api", "event"),
    [
        ((), "getMonthlyVisitTrend", None),
        (("--month", "2024-02"), "getMonthlyVisitTrend", {"beginDate": "20240201", "endDate": "20240229"}),
        (
            ("--api", "getWeeklyRetain", "--begin", "20240304", "--end", "20240310"),
            "getWeeklyRetain",
            {"beginDate": "20240304", "endDate": "20240310"},
        ),
        (("--api", "getUserPortrait"), "getUserPortrait", None),
    ],
)
def test_demo_prints_the_result_against_the_emulator(args: tuple[str, ...], api: str, event: dict[str, str] | None) -> None:
    proc = demo(*args)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["errCode"] == 0 and result["errMsg"] == f"openapi.analysis.{api}:ok"
    assert "target: built-in WeChat emulator" in proc.stderr
    if event is not None:
        assert f"event: {json.dumps(event)}" in proc.stderr


def test_demo_rejects_an_unknown_function() -> None:
    proc = demo("--api", "getEverything")
    assert proc.returncode != 0 and "--api must name one of the functions" in proc.stderr
