#!/usr/bin/env python3
"""The project's five commands (test with a quick loop of its own), runnable with nothing but python3:

    python3 dev.py --help                   this text (an unknown command: a line naming it, then this; exit 2)
    python3 dev.py demo [--api NAME] [...]  make one cloud call locally (an analysis function, or any
                                            name of the catalogue) and print its result; demo --help
    python3 dev.py test [pytest args]       run the whole test suite
    python3 dev.py test --fast [...]        the quick loop: the suite but its slow, browser and PostgreSQL/MariaDB
                                            tests (-m "not slow and not browser and not servers"; SQLite stays)
    python3 dev.py check                    lint, format, types for 3.10, dead code (ruff, ruff format, mypy, vulture)
    python3 dev.py bench [--rounds N]       benchmarks against their baselines (bench/run.py)
    python3 dev.py archive COMMAND [...]    the archive CLI (python -m wxcloud.archive): run, backfill,
                                            export, chart, report, status; run and backfill use the
                                            built-in WeChat emulator on the checkout's own .data/ when
                                            nothing of yours is configured, and --emulator elsewhere

Each creates (or refreshes) the virtualenv ``.venv`` from the pinned requirements first, then
runs inside it, installing only what the command needs: ``demo`` the runtime requirements
(requirements.txt), ``archive`` those and the archive's (requirements-archive.txt), ``test``,
``check`` and ``bench`` the whole development set (requirements-dev.txt, which includes both), so
the first ``demo`` of a fresh clone does not wait for the test and lint tools. Each set is
installed again only when its requirement files change (a stamp per set in ``.venv``), so repeated
runs start at once; a larger set installed later adds only what is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
ARCHIVE_REQUIREMENTS = ROOT / "requirements-archive.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
# Each set of requirements is a file to install and every file its digest covers (the file and
# those it includes with -r); a set includes every set whose files are all among its own.
SETS: dict[str, tuple[Path, ...]] = {
    "runtime": (REQUIREMENTS,),
    "archive": (ARCHIVE_REQUIREMENTS, REQUIREMENTS),
    "dev": (DEV_REQUIREMENTS, ARCHIVE_REQUIREMENTS, REQUIREMENTS),
}
NEEDS = {"demo": "runtime", "archive": "archive", "test": "dev", "check": "dev", "bench": "dev"}
# What ``test --fast`` leaves out (the markers of pyproject.toml): a third of the suite's time or less.
FAST = "--fast"
FAST_MARKERS = "not slow and not browser and not servers"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def stamp(name: str) -> Path:
    return VENV / f".requirements-{name}.sha256"


def digest(name: str) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in SETS[name])).hexdigest()


def ensure_venv(name: str = "dev") -> Path:
    """``.venv`` with the requirement set ``name`` installed: at once when its stamp says so, else
    pip installs what is missing (what a smaller set installed before is kept, not reinstalled)."""
    python = venv_python()
    wanted = digest(name)
    if python.exists() and stamp(name).exists() and stamp(name).read_text().strip() == wanted:
        return python
    print(f"dev.py: preparing {VENV.name} for {name} ({SETS[name][0].name} changed or missing)...", file=sys.stderr)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(SETS[name][0])], check=True)
    for other, files in SETS.items():  # this set, and the smaller ones it includes, are installed
        if set(files) <= set(SETS[name]):
            stamp(other).write_text(digest(other))
    return python


def ensure_chromium() -> None:
    """Debian's Chromium and its driver for the report's browser tests, installed with apt where
    this runs as root and apt is there; elsewhere those tests skip visibly (and fail in CI)."""
    import shutil

    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            "dev.py: chromium and chromium-driver are missing (apt-get install chromium chromium-driver): the "
            "report's browser tests will skip",
            file=sys.stderr,
        )
        return
    print("dev.py: installing chromium and chromium-driver for the report's browser tests...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.call(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, env=env) == 0:
        subprocess.call(
            ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver", "fonts-wqy-microhei"],
            stdout=subprocess.DEVNULL,
            env=env,
        )


# What names a database, an app or a WeChat of the user's own: with any of them set, the emulator's
# made-up figures could land among real ones, so it is never started for them unasked.
OWN_ARCHIVE = ("WX_ARCHIVE_URL", "WX_ARCHIVE_URL_SSM_NAME", "WX_ARCHIVE_SQLITE")
OWN_WECHAT = (
    "WX_APPID",
    "WX_APPSECRET",
    "WX_APPSECRET_SSM_NAME",
    "WX_ARCHIVE_APPS",
    "WX_ARCHIVE_APPS_SSM_NAME",
    "WX_PLATFORM_TOKEN_URL",
    "WX_API_BASE_URL",
)
EMULATOR = "--emulator"


def archive(python: Path, args: list[str], env: dict[str, str]) -> int:
    """``python -m wxcloud.archive ARGS`` in the venv, in the caller's directory. The archive is the
    checkout's ``.data/wx_analysis.sqlite3`` unless ``WX_ARCHIVE_URL``, ``WX_ARCHIVE_URL_SSM_NAME``
    or ``WX_ARCHIVE_SQLITE`` names another.

    ``run`` and ``backfill`` call WeChat with the credentials of the environment (``WX_APPID`` and
    ``WX_APPSECRET`` or ``WX_APPSECRET_SSM_NAME``, or the apps of ``WX_ARCHIVE_APPS`` or its SSM
    name). Without them they go to the built-in WeChat emulator (started for the command on a free
    loopback port, stopped after it), but only when nothing else is named either (``OWN_ARCHIVE``,
    ``OWN_WECHAT``): then the made-up figures land in the checkout's own ``.data/``, never in a
    database of the user's. Credentials missing while something is named is a mistake, not a wish
    for made-up figures: exit 2, one line saying what to set, nothing written. ``--emulator``
    (``dev.py archive --emulator run``, anywhere among the arguments) is the deliberate way to
    send the emulator's figures to the archive named, even beside credentials (which it sets
    aside). Every run's row in the ledger keeps the WeChat it asked (``base_url``), so the
    emulator's figures stay recognisable. The line saying that the emulator is used, and where its
    figures go, is the CLI's to print (``WXCLOUD_ARCHIVE_STARTING``) once the run begins, after its
    checks and never with ``--json``: bad input is answered by its error alone. The commands that only read
    (``status``, ``export``, ``chart``, ``report``) and ``backfill --fan-out`` (the deployed function calls WeChat)
    never start it."""
    env = _importable(env)
    emulator_asked = EMULATOR in args
    args = [arg for arg in args if arg != EMULATOR]
    named = [name for name in (*OWN_ARCHIVE, *OWN_WECHAT) if env.get(name, "").strip()]
    if not any(
        name in named for name in OWN_ARCHIVE
    ):  # the default archive is the checkout's, wherever the command is run from
        env["WX_ARCHIVE_URL"] = f"sqlite:///{ROOT / '.data' / 'wx_analysis.sqlite3'}"
    command = [str(python), "-m", "wxcloud.archive", *args]
    if (
        "-h" in args or "--help" in args
    ):  # the CLI's help, which does not know of dev.py's one flag, then a line about it
        code = call(command, env=env)
        print(
            f"\ndev.py: {EMULATOR} (anywhere among the arguments) runs run and backfill against the built-in WeChat "
            "emulator, storing its made-up figures in the archive your environment names; without it the emulator is "
            "used only when nothing of yours is configured, and only into the checkout's own .data/"
        )
        return code
    verb = next((arg for arg in args if not arg.startswith("-")), None)
    fetching = verb in {"run", "backfill"} and "--fan-out" not in args
    if emulator_asked and not fetching:
        what = (
            "backfill --fan-out has the deployed function call WeChat"
            if verb == "backfill"
            else f"{verb or 'this'} only reads the archive"
        )
        print(f"dev.py: --emulator is for run and backfill, the commands that call WeChat; {what}", file=sys.stderr)
        return 2
    has_app = bool(env.get("WX_APPID", "").strip())
    has_secret = bool(env.get("WX_APPSECRET", "").strip() or env.get("WX_APPSECRET_SSM_NAME", "").strip())
    credentials = (has_app and has_secret) or bool(
        env.get("WX_ARCHIVE_APPS", "").strip() or env.get("WX_ARCHIVE_APPS_SSM_NAME", "").strip()
    )
    if not fetching or (credentials and not emulator_asked):
        return call(command, env=env)
    if named and not emulator_asked:
        needed = (
            "WX_APPSECRET (or WX_APPSECRET_SSM_NAME)"
            if has_app
            else "WX_APPID"
            if has_secret
            else "WX_APPID and WX_APPSECRET (or WX_ARCHIVE_APPS for several apps)"
        )
        print(
            f"dev.py: {', '.join(named)} {'is' if len(named) == 1 else 'are'} set but the WeChat credentials are not: "
            f"set {needed} to archive your app's reports, or run python3 dev.py archive {EMULATOR} {verb} ... to store "
            "the WeChat emulator's made-up figures there deliberately; nothing was written",
            file=sys.stderr,
        )
        return 2
    return _with_emulator(
        python, command, env, own_archive=any(name in named for name in OWN_ARCHIVE), asked=emulator_asked
    )


def _with_emulator(python: Path, command: list[str], env: dict[str, str], *, own_archive: bool, asked: bool) -> int:
    """``command`` against the WeChat emulator, started on a free loopback port and stopped after:
    its app's credentials in place of any of the environment's (its apps, SSM names and base URL
    set aside, so that no real secret reaches it)."""
    from devtools.wechat_emulator import DEFAULT_APPID, DEFAULT_SECRET

    aside = ("WX_APPSECRET_SSM_", "WX_ARCHIVE_APPS_SSM_", "WX_PLATFORM_TOKEN_")
    env = {name: value for name, value in env.items() if name not in OWN_WECHAT and not name.startswith(aside)}
    # in a session of its own: a Ctrl-C at the terminal interrupts the run, which ends in its own
    # way, and not the emulator under it (stopped here once the run has ended)
    emulator = subprocess.Popen(
        [str(python), "-m", "devtools.wechat_emulator", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert emulator.stdout is not None
        found = re.search(r"https?://\S+", emulator.stdout.readline())
        if found is None:
            print("dev.py: the WeChat emulator did not start", file=sys.stderr)
            return 1
        into = (
            "the archive your environment names"
            if own_archive
            else f"the checkout's own {ROOT / '.data' / 'wx_analysis.sqlite3'}"
        )
        why = f"{EMULATOR} given" if asked else "set WX_APPID and WX_APPSECRET to archive your app's reports"
        env.update(
            WX_APPID=DEFAULT_APPID,
            WX_APPSECRET=DEFAULT_SECRET,
            WX_API_BASE_URL=found.group(0),
            WXCLOUD_ARCHIVE_STARTING=(
                f"dev.py: WeChat emulator at {found.group(0)}: made-up figures into {into} ({why})"
            ),
        )
        return call(command, env=env)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


def call(command: list[str], **options: Any) -> int:
    """``command``'s exit status, waited for whatever happens here. A Ctrl-C at the terminal reaches
    the whole process group: the command (``demo``, the archive CLI) ends in its own way (the CLI
    says "interrupted" and exits 130), and this waits for it and passes its status on, without a
    traceback of its own (``subprocess.call`` would kill the command and raise). A command ended by
    a signal (one interrupted before it could catch it) is 128 + the signal's number, as a shell says."""
    child = subprocess.Popen(command, **options)
    while True:
        try:
            status = child.wait()
        except KeyboardInterrupt:
            continue
        return 128 - status if status < 0 else status


def _importable(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the checkout's packages importable (``wxcloud`` and ``devtools``), for the
    commands that run in the caller's directory (``demo``, ``archive``): their relative paths
    (``--out``, ``--data @file``, an SQLite URL) are the caller's, not the checkout's."""
    return {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "shared"), str(ROOT), env.get("PYTHONPATH")])),
    }


def pytest_args(args: list[str]) -> list[str]:
    """pytest's arguments for ``test ARGS``: ``--fast`` (anywhere among them) becomes ``-m
    FAST_MARKERS``, joined with a marker expression of the caller's own (``-m EXPR``, ``-mEXPR``)
    rather than replacing it or replaced by it (pytest keeps the last ``-m`` alone). argparse reads
    the ``-m`` as pytest does; every other argument goes on as it was, in its place."""
    if FAST not in args:
        return args
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("-m", dest="expressions", action="append", default=[])
    given, rest = parser.parse_known_args([arg for arg in args if arg != FAST])
    expressions = [FAST_MARKERS, *given.expressions]
    return [
        "-m",
        " and ".join(f"({expression})" for expression in expressions) if given.expressions else FAST_MARKERS,
        *rest,
    ]


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):  # asked for: the usage on stdout, and success
        print(__doc__)
        return 0
    if not argv or argv[0] not in NEEDS:
        if argv:
            print(f"dev.py: unknown command {argv[0][:80]!r}; the commands are {', '.join(NEEDS)}", file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_venv(NEEDS[command])
    env = dict(os.environ)
    if command == "demo":
        return call([str(python), "-m", "devtools.demo", *rest], env=_importable(env))
    if command == "check":
        ruff = subprocess.call(
            [str(python), "-m", "ruff", "check", "--target-version", "py310", "."], cwd=ROOT, env=env
        )
        # the layout ruff format gives, so that formatting stays once done
        formatted = subprocess.call([str(python), "-m", "ruff", "format", "--check", "."], cwd=ROOT, env=env)
        mypy = subprocess.call([str(python), "-m", "mypy", "--python-version", "3.10"], cwd=ROOT, env=env)
        dead = subprocess.call(  # what it flags is removed, or its reason written in the whitelist
            [
                str(python),
                "-m",
                "vulture",
                "shared",
                "functions",
                "devtools",
                "bench",
                "tests",
                "--min-confidence",
                "60",
            ],
            cwd=ROOT,
            env=env,
        )
        return ruff or formatted or mypy or dead
    if command == "archive":
        return archive(python, rest, env)
    if command == "bench":
        subprocess.call([str(python), str(ROOT / "devtools" / "install_wxsdk.py")], cwd=ROOT, env=env)  # node baseline
        return subprocess.call([str(python), str(ROOT / "bench" / "run.py"), *rest], cwd=ROOT, env=env)
    if FAST not in rest:  # --fast leaves the browser tests out: no Chromium to install for them
        ensure_chromium()
    node_check = subprocess.call([str(python), str(ROOT / "devtools" / "install_wxsdk.py")], cwd=ROOT, env=env)
    if node_check != 0:
        print("dev.py: wx-server-sdk is not installed; its differential tests will be skipped", file=sys.stderr)
    return subprocess.call([str(python), "-m", "pytest", *pytest_args(rest)], cwd=ROOT, env=env)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (
        KeyboardInterrupt
    ):  # a Ctrl-C outside a command (preparing .venv, starting the emulator): a line, not a traceback
        print("dev.py: interrupted", file=sys.stderr)
        sys.exit(130)
