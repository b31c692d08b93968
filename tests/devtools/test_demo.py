"""The README's first command: ``python3 dev.py demo`` invokes a function as SCF would, or calls any
API of the catalogue through the library with a sample event, against the built-in emulator when no
credentials are configured; stdout is the cloud-call result alone."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.checkout import ROOT, run_python


def demo(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WX_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "shared"), str(ROOT)])  # as dev.py runs it, in any directory
    return run_python("-m", "devtools.demo", *args, cwd=cwd, env=env)


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
        (
            ("--api", "analysis.getDailyRetain", "--begin", "20240304", "--end", "20240304"),
            "getDailyRetain",
            {"beginDate": "20240304", "endDate": "20240304"},
        ),
        (
            ("--api", "getDailyRetain", "--begin", "20240304", "--end", "20240304"),
            "getDailyRetain",
            {"beginDate": "20240304", "endDate": "20240304"},
        ),
        (
            ("--api", "analysis.getMonthlyRetain", "--month", "2024-02"),
            "getMonthlyRetain",
            {"beginDate": "20240201", "endDate": "20240229"},
        ),
    ],
)
def test_demo_prints_the_result_against_the_emulator(
    args: tuple[str, ...], api: str, event: dict[str, str] | None
) -> None:
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


@pytest.mark.slow
def test_demo_uploads_the_bytes_of_its_data_in_the_forwarding_functions_forms(tmp_path: Path) -> None:
    """An upload in --data is written as functions/openapi takes it, base64 or Node's Buffer JSON;
    the emulator answers 87014 for an image whose bytes hold a risky word, 0 for another, so the
    answer shows which bytes arrived."""
    risky, clean = b"\x89PNG\r\n\x1a\n a risky-word inside", b"\x89PNG\r\n\x1a\n nothing to see"
    forms = {
        "base64": lambda body: {"contentType": "image/png", "base64": base64.b64encode(body).decode()},
        "buffer": lambda body: {"contentType": "image/png", "value": {"type": "Buffer", "data": list(body)}},
    }
    for form in forms.values():
        for body, code in ((risky, 87014), (clean, 0)):
            proc = demo("--api", "security.imgSecCheck", "--data", json.dumps({"media": form(body)}))
            assert json.loads(proc.stdout)["errCode"] == code, proc.stderr
            assert f'"media": {{"contentType": "image/png", "value": "<{len(body)} bytes>"}}' in proc.stderr
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"media": forms["base64"](risky)}))
    proc = demo("--api", "security.imgSecCheck", "--data", f"@{event}")
    assert proc.returncode == 1 and json.loads(proc.stdout)["errCode"] == 87014, proc.stderr
    proc = demo(
        "--api",
        "security.imgSecCheck",
        "--data",
        json.dumps({"media": {"contentType": "image/png", "base64": "not base64!"}}),
    )
    assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
    assert "--data: the file media: base64 is not standard base64" in proc.stderr


def test_demo_checks_out_before_any_call_and_names_it_absolutely(tmp_path: Path) -> None:
    (tmp_path / "a-folder").mkdir()
    for out, reason in (
        ("a-folder", "it is a folder"),
        ("missing/code.png", f"its folder {tmp_path / 'missing'} does not exist"),
    ):
        proc = demo("--api", "wxacode.getUnlimited", "--out", out, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert (
            proc.stderr.strip()
            == f"python3 dev.py demo: --out {tmp_path / out} cannot be written: {reason}; choose a writable path"
        )
    proc = demo("--api", "security.msgSecCheck", "--out", "nothing.png", cwd=tmp_path)
    assert (
        proc.returncode == 0
        and f"nothing written to {tmp_path / 'nothing.png'}: the result holds no bytes" in proc.stderr
    )
    assert not (tmp_path / "nothing.png").exists()


def test_demo_needs_no_archive_requirements_to_check_its_out(tmp_path: Path) -> None:
    """dev.py installs the runtime requirements alone for demo: SQLAlchemy (which the archive's
    package imports) is not there, and the --out check reads the archive's path rules without it."""
    block = (
        "import runpy, sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'sqlalchemy':\n"
        "            raise ImportError('no SQLAlchemy here: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "sys.argv = ['demo', *sys.argv[1:]]\n"
        "runpy.run_module('devtools.demo', run_name='__main__')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WX_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "shared"), str(ROOT)])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_python("-c", block, *args, cwd=tmp_path, env=env)

    refused = run("--api", "wxacode.getUnlimited", "--out", str(tmp_path))
    assert refused.returncode == 2 and "cannot be written: it is a folder" in refused.stderr, refused.stderr
    saved = run("--api", "wxacode.getUnlimited", "--out", "code.png")
    assert saved.returncode == 0 and (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG"), saved.stderr
    assert "sqlalchemy" not in saved.stderr.lower()


def test_dev_py_demo_reads_and_writes_paths_where_the_user_stands(tmp_path: Path) -> None:
    """``python3 dev.py demo`` from another directory: a relative --out lands there, a relative
    @FILE is read there, and the messages name the absolute paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WX_")}
    here = tmp_path.resolve()

    def dev_py(*args: str) -> subprocess.CompletedProcess[str]:
        return run_python(str(ROOT / "dev.py"), "demo", *args, cwd=here, env=env, timeout=300)

    made = dev_py("--api", "wxacode.getUnlimited", "--out", "code.png")
    assert made.returncode == 0, made.stderr
    code = (here / "code.png").read_bytes()
    assert (
        code.startswith(b"\x89PNG")
        and f"written to {here / 'code.png'}" in made.stderr
        and not (ROOT / "code.png").exists()
    )
    (here / "event.json").write_text(
        json.dumps({"img": {"contentType": "image/png", "base64": base64.b64encode(code).decode()}})
    )
    scanned = dev_py(
        "--api", "img.scanQRCode", "--data", "@event.json"
    )  # the code read back: the upload's bytes arrived whole
    assert scanned.returncode == 0, scanned.stderr
    assert "scene=id=42" in json.loads(scanned.stdout)["codeResults"][0]["data"]
    missing = dev_py("--api", "img.scanQRCode", "--data", "@nothing.json")
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"python3 dev.py demo: --data @{here / 'nothing.json'} cannot be read: No such file or directory"
    )


def test_demo_takes_an_event_of_your_own_and_reports_a_failure() -> None:
    proc = demo("--api", "security.msgSecCheck", "--data", '{"content": "a risky-word", "version": 1}')
    result = json.loads(proc.stdout)
    assert proc.returncode == 1 and list(result) == ["errCode", "errMsg"] and result["errCode"] == 87014
    assert result["errMsg"].startswith("openapi.security.msgSecCheck:fail risky content rid: ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--api", "zzzzzzzz"),
            "--api 'zzzzzzzz' names no cloud call: give an analysis function (getDailyRetain, getDailySummary, ",
        ),
        (
            ("--api", "security.msgSecCheckk"),
            "--api 'security.msgSecCheckk' names no cloud call; did you mean security.msgSecCheck, ",
        ),
        (("--api", "getDailyRetian"), "did you mean getDailyRetain, "),  # in the form it was written: bare,
        (("--api", "analysis.getDailyRetian"), "did you mean analysis.getDailyRetain, "),  # or in full
        (("--api", "msgSecChek"), "did you mean security.msgSecCheck"),
        (
            ("--api", "security.msgSecCheck", "--month", "2024-02"),
            "--month, --begin and --end are for the analysis reports",
        ),
        (("--api", "security.msgSecCheck", "--data", "[1]"), "--data must be a JSON object"),
        (
            ("--api", "getMonthlyRetain", "--month", "2024-02", "--begin", "20240201"),
            "--month names a whole month and --begin/--end name the dates: give one or the other (the newest period "
            "of getMonthlyRetain: --begin ",
        ),
        (
            ("--api", "getDailyRetain", "--begin", "20240304"),
            "--begin and --end go together: give both, such as --begin ",
        ),
        (("--api", "getDailyRetain", "--end", "20240304"), "--begin and --end go together"),
        (
            ("--api", "getDailyRetain", "--month", "2024-02"),
            "--month is for the monthly reports (getMonthlyRetain and getMonthlyVisitTrend); getDailyRetain covers "
            "one day: give its dates, such as --begin ",
        ),
        (("--api", "getUserPortrait", "--month", "2024-02"), "getUserPortrait covers 1, 7 or 30 days"),
        (
            ("--api", "getMonthlyVisitTrend", "--month", "2024-13"),
            "--month 2024-13: month 13 is out of range, a month is 01 to 12 (such as 2026-10)",
        ),
        (("--api", "getMonthlyVisitTrend", "--month", "0000-05"), "--month 0000-05: year 0000 is out of range"),
        (("--api", "getMonthlyVisitTrend", "--month", "October"), "--month must look like 2026-10, got 'October'"),
        (
            ("--api", "getMonthlyVisitTrend", "--data", "{}", "--month", "2024-02"),
            "--data is the whole event, and --month would be ignored",
        ),
    ],
)
def test_demo_refuses_what_it_cannot_call_in_one_line(args: tuple[str, ...], message: str) -> None:
    proc = demo(*args)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert (
        proc.stderr.startswith("python3 dev.py demo: ")
        and message in proc.stderr
        and len(proc.stderr.strip().splitlines()) == 1
    ), proc.stderr
    assert "target:" not in proc.stderr  # refused before any emulator or call


def test_demo_usage_names_the_command_the_user_runs() -> None:
    proc = demo("--help")
    assert (
        proc.returncode == 0 and proc.stdout.startswith("usage: python3 dev.py demo ") and "demo.py" not in proc.stdout
    )


def test_dev_py_help_and_an_unknown_command() -> None:
    def dev_py(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "dev.py"), *args], capture_output=True, text=True, timeout=60, check=False
        )

    helped = dev_py("--help")
    assert helped.returncode == 0 and "python3 dev.py demo" in helped.stdout and helped.stderr == ""
    assert dev_py("-h").stdout == helped.stdout
    unknown = dev_py("deploy")
    assert unknown.returncode == 2 and unknown.stdout == ""
    first, *usage = unknown.stderr.splitlines()
    assert first == "dev.py: unknown command 'deploy'; the commands are demo, archive, test, check, bench"
    assert "\n".join(usage).strip() == helped.stdout.strip()
