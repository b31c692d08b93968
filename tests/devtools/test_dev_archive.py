"""``python3 dev.py archive``: the WeChat emulator's made-up figures go to the checkout's own
``.data/`` and nowhere else unless asked for (``--emulator``).

Each test runs ``dev.py`` as a user would, a program started from a directory of their own, with
an environment that has no ``WX_*`` variable but those the test gives. The checkout it runs in is
one of the test's own (``checkout``: a copy of ``dev.py``, everything else linked to this one's),
so that what it writes into its default archive, ``.data/wx_analysis.sqlite3``, is the test's and
never this checkout's. The archives a test names are real: an SQLite file elsewhere, tables of
their own in PostgreSQL and MariaDB; a refused run must leave them without a single table.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from wxcloud.archive import Archive, Ledger

from devtools.wechat_emulator import DEFAULT_APPID
from tests.support.archive import DB_PASSWORD, MONTHLY, Db
from tests.support.checkout import ROOT

# Each test runs dev.py, its interpreter and an emulator: out of ``dev.py test --fast``. The archive
# it runs is watched for the database password.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_db_password_anywhere")]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BACKFILL = ("backfill", "--since", "20250101", "--until", "20250331", "--api", MONTHLY)


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """A checkout of the test's own: ``dev.py`` copied (its ``ROOT`` is where it lies), the code,
    the requirement files and the virtualenv linked to this checkout's, so nothing is installed.
    This checkout's own archive is left as it was."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy2(ROOT / "dev.py", root / "dev.py")
    for name in ("shared", "devtools", ".venv", *(path.name for path in ROOT.glob("requirements*.txt"))):
        if (ROOT / name).exists():
            (root / name).symlink_to(ROOT / name)
    own = ROOT / ".data" / "wx_analysis.sqlite3"
    before = own.stat().st_mtime_ns if own.exists() else None
    yield root
    assert (own.stat().st_mtime_ns if own.exists() else None) == before, f"{own} was written"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Where the user stands: neither checkout."""
    place = tmp_path / "home"
    place.mkdir()
    return place


def dev(checkout: Path, home: Path, *args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``python3 dev.py archive ARGS`` of ``checkout``, run from ``home`` with no ``WX_*`` variable
    of the test session's (its WeChat credentials among them) but ``environ``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WX_")}
    return subprocess.run(
        [sys.executable, str(checkout / "dev.py"), "archive", *args],
        cwd=home,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=300,
    )


def tables(db: Db) -> list[str]:
    engine = create_engine(db.url)
    try:
        return [name for name in inspect(engine).get_table_names() if name.startswith(db.prefix)]
    finally:
        engine.dispose()


def runs(url: str, prefix: str = "wx_analysis_") -> list[tuple[str, str | None, str | None]]:
    archive = Archive(url, prefix=prefix)
    try:
        return [(run.trigger, run.appid, run.base_url) for run in Ledger(archive).runs()]
    finally:
        archive.close()


def test_without_anything_named_the_emulator_fills_the_checkouts_own_archive(checkout: Path, home: Path) -> None:
    """The README's backfill and chart, from anywhere: the backfill runs against the emulator into the
    checkout's ``.data/`` and says so; the chart only reads and starts no emulator."""
    backfill = dev(checkout, home, *BACKFILL)
    assert backfill.returncode == 0, backfill.stderr
    default = checkout / ".data" / "wx_analysis.sqlite3"
    assert (
        "dev.py: WeChat emulator at http://127.0.0.1:" in backfill.stderr
        and f"the checkout's own {default}" in backfill.stderr
    )
    assert default.is_file() and list(home.iterdir()) == []
    ((trigger, appid, base_url),) = runs(f"sqlite:///{default}")
    assert (
        (trigger, appid) == ("cli", DEFAULT_APPID) and base_url is not None and base_url.startswith("http://127.0.0.1:")
    )

    drawn = dev(checkout, home, "chart", "--api", MONTHLY, "--metric", "visitUv", "--out", "visits.png")
    assert drawn.returncode == 0, drawn.stderr
    assert "emulator" not in drawn.stderr and (home / "visits.png").read_bytes().startswith(PNG_MAGIC)


def test_an_archive_of_ones_own_without_credentials_is_refused_untouched(db: Db, checkout: Path, home: Path) -> None:
    """WX_ARCHIVE_URL names a database (an SQLite file elsewhere, a PostgreSQL or MariaDB
    database) and no WeChat credentials are set: exit 2, one line saying what to set and how to
    ask for the emulator, not a table created anywhere. With ``--emulator`` the same command runs,
    and its runs say which WeChat they asked."""
    for command in (BACKFILL, ("run",)):
        refused = dev(checkout, home, *command, **db.env())
        assert refused.returncode == 2 and refused.stdout == ""
        (line,) = refused.stderr.splitlines()
        assert line.startswith(
            "dev.py: WX_ARCHIVE_URL is set but the WeChat credentials are not: set WX_APPID and WX_APPSECRET"
        )
        assert f"python3 dev.py archive --emulator {command[0]} ..." in line and line.endswith("nothing was written")
        assert DB_PASSWORD not in line and db.url not in line
    if db.kind == "sqlite":  # not even an empty file (before anything here opens it)
        assert not Path(db.url.removeprefix("sqlite:///")).exists()
    assert tables(db) == []
    assert not (checkout / ".data").exists() and list(home.iterdir()) == []

    emulated = dev(checkout, home, "--emulator", *BACKFILL, **db.env())
    assert emulated.returncode == 0, emulated.stderr
    assert "made-up figures into the archive your environment names (--emulator given)" in emulated.stderr
    assert DB_PASSWORD not in emulated.stderr + emulated.stdout
    ((trigger, appid, base_url),) = runs(db.url, db.prefix)
    assert (
        (trigger, appid) == ("cli", DEFAULT_APPID) and base_url is not None and base_url.startswith("http://127.0.0.1:")
    )
    assert not (checkout / ".data").exists()

    status = dev(
        checkout, home, "status", "--api", MONTHLY, "--since", "20250101", **db.env()
    )  # only reads: no emulator
    assert status.returncode in {0, 1} and "emulator" not in status.stderr


@pytest.mark.parametrize(
    ("environ", "named", "needed"),
    [
        ({"WX_ARCHIVE_SQLITE": "mine.sqlite3"}, "WX_ARCHIVE_SQLITE is set", "set WX_APPID and WX_APPSECRET"),
        (
            {"WX_ARCHIVE_URL_SSM_NAME": "wx/archive-url"},
            "WX_ARCHIVE_URL_SSM_NAME is set",
            "set WX_APPID and WX_APPSECRET",
        ),
        ({"WX_APPID": "wx1234567890abcdef"}, "WX_APPID is set", "set WX_APPSECRET (or WX_APPSECRET_SSM_NAME)"),
        ({"WX_APPSECRET_SSM_NAME": "wx/secret"}, "WX_APPSECRET_SSM_NAME is set", "set WX_APPID "),
        (
            {"WX_PLATFORM_TOKEN_URL": "https://tokens.example.com/t"},
            "WX_PLATFORM_TOKEN_URL is set",
            "set WX_APPID and WX_APPSECRET",
        ),
        (
            {"WX_API_BASE_URL": "https://gateway.example.com", "WX_ARCHIVE_URL": "sqlite:///x.sqlite3"},
            "WX_ARCHIVE_URL, WX_API_BASE_URL are set",
            "set WX_APPID and WX_APPSECRET",
        ),
    ],
)
def test_any_app_ssm_or_platform_setting_without_credentials_is_refused_too(
    checkout: Path, home: Path, environ: dict[str, str], named: str, needed: str
) -> None:
    """Whatever names a database, an app, a secret's store or a WeChat of the user's own: without
    the credentials it is a mistake, not a wish for made-up figures. Nothing is written, not even
    the checkout's own archive."""
    refused = dev(checkout, home, *BACKFILL, **environ)
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"dev.py: {named} but the WeChat credentials are not: {needed}"), line
    assert not (checkout / ".data").exists() and list(home.iterdir()) == []


@pytest.mark.parametrize(
    "command", [("status",), ("export", "--api", MONTHLY), ("backfill", "--since", "20250101", "--fan-out")]
)
def test_emulator_is_refused_by_the_commands_that_do_not_call_wechat_here(
    checkout: Path, home: Path, command: tuple[str, ...]
) -> None:
    refused = dev(checkout, home, "--emulator", *command)
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith("dev.py: --emulator is for run and backfill, the commands that call WeChat; ")
    assert not (checkout / ".data").exists()


def test_bad_input_is_answered_by_the_clis_error_alone(checkout: Path, home: Path) -> None:
    """The emulator's line is printed when a run begins, not before the CLI's checks: bad input is
    its error alone, and with --json stderr is the error value and nothing else."""
    refused = dev(checkout, home, "backfill", "--since", "banana")
    assert refused.returncode == 2 and refused.stdout == ""
    (line,) = refused.stderr.splitlines()
    assert line.startswith("wxcloud-archive: --since must be a date yyyymmdd"), refused.stderr
    refused = dev(checkout, home, "backfill", "--since", "banana", "--json")
    assert refused.returncode == 2 and refused.stdout == ""
    assert json.loads(refused.stderr)["errCode"] == -501007, refused.stderr
    assert not (checkout / ".data").exists()

    ran = dev(checkout, home, "--json", *BACKFILL)  # a run for scripts: the JSON on stdout, nothing on stderr
    assert ran.returncode == 0 and ran.stderr == "" and json.loads(ran.stdout)["errMsg"] == "wxcloud-archive:ok"
    ran = dev(checkout, home, *BACKFILL)
    assert ran.returncode == 0 and ran.stderr.startswith("dev.py: WeChat emulator at http://127.0.0.1:"), ran.stderr
    assert (
        ran.stdout.splitlines()[-1] == f"archive: {checkout / '.data' / 'wx_analysis.sqlite3'}"
    )  # the default prefix: not named


def test_the_archives_help_names_the_emulator_flag(checkout: Path, home: Path) -> None:
    for args in (("--help",), ("backfill", "--help")):
        helped = dev(checkout, home, *args)
        assert helped.returncode == 0 and "usage: wxcloud-archive" in helped.stdout
        assert (
            "dev.py: --emulator (anywhere among the arguments) runs run and backfill against the built-in "
            "WeChat emulator" in helped.stdout
        )


@pytest.mark.skipif(os.name != "posix", reason="a process group and SIGINT")
def test_ctrl_c_ends_the_run_as_the_cli_says_and_dev_py_passes_its_status_on(checkout: Path, home: Path) -> None:
    """Ctrl-C at a terminal: SIGINT to the whole process group (dev.py, the CLI, not the emulator in
    its own session) once the run has begun. The CLI says "interrupted" and exits 130; dev.py waits
    for it and exits 130 too, without a traceback of its own."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WX_")}
    process = subprocess.Popen(
        [sys.executable, str(checkout / "dev.py"), "archive", "backfill", "--since", "3y"],
        cwd=home,
        env={**env, "WX_ARCHIVE_CONCURRENCY": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        begun = process.stderr.readline()
        assert begun.startswith("dev.py: WeChat emulator at http://127.0.0.1:"), begun
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert err == "wxcloud-archive: interrupted; every period stored so far is kept\n" and out == ""
