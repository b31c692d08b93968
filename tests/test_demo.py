"""The README's first command: ``python3 dev.py demo`` invokes a function as SCF would, or calls any
API of the catalogue through the library with a sample event, against the built-in emulator when no
credentials are configured; stdout is the cloud-call result alone."""

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
        (("--api", "analysis.getDailyRetain", "--begin", "20240304"), "getDailyRetain", {"beginDate": "20240304", "endDate": "20240304"}),
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


def test_demo_calls_any_api_of_the_catalogue_with_a_sample_event() -> None:
    proc = demo("--api", "security.msgSecCheck")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["result"] == {"suggest": "pass", "label": 100} and result["traceId"]
    assert result["errMsg"] == "openapi.security.msgSecCheck:ok" and result["errCode"] == 0
    assert '"content": "Hello from the wxcloud demo", "version": 2' in proc.stderr
    assert "target: built-in WeChat emulator" in proc.stderr


def test_demo_saves_a_binary_result(tmp_path: Path) -> None:
    out = tmp_path / "code.png"
    proc = demo("--api", "wxacode.getUnlimited", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["contentType"] == "image/png" and result["buffer"] == f"<{out.stat().st_size} bytes>"
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and f"written to {out}" in proc.stderr


def test_demo_takes_an_event_of_your_own_and_reports_a_failure() -> None:
    proc = demo("--api", "security.msgSecCheck", "--data", '{"content": "a risky-word", "version": 1}')
    result = json.loads(proc.stdout)
    assert proc.returncode == 1 and list(result) == ["errCode", "errMsg"] and result["errCode"] == 87014
    assert result["errMsg"].startswith("openapi.security.msgSecCheck:fail risky content rid: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--api", "getEverything"), "--api must name a cloud call of the catalogue"),
        (("--api", "security.msgSecCheckk"), "did you mean security.msgSecCheck or "),
        (("--api", "security.msgSecCheck", "--month", "2024-02"), "--month, --begin and --end are for the analysis reports"),
        (("--api", "security.msgSecCheck", "--data", "[1]"), "--data must be a JSON object"),
    ],
)
def test_demo_refuses_what_it_cannot_call_in_one_line(args: tuple[str, ...], message: str) -> None:
    proc = demo(*args)
    assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
