"""Installs that work. wxcloud is on no package index: it installs from its checkout (``pip install
'.[archive]'``) or from the wheel ``make dist`` builds. Here:

* every install line of README.md and docs/*.md (a ``pip install ...`` line of a fenced block, or
  inline code) runs as written, at the root of a copy of the working tree, in a fresh virtualenv
  (one per distinct line), and gives what its extras promise: the library and a real cloud call
  (always), the archive's command fetching from the emulator, exporting and writing the report
  (``archive``, ``report``), the chart (``chart``), the Tencent Cloud clients (``scf``, ``ssm``);
* the line a message prints when an extra is missing installs it, pasted where the user stands;
* no text of the repository tells anyone to install wxcloud by name from an index, where the
  name is free for anyone to take.

The virtualenvs install from the package index pip is configured with (the slow part: marked slow).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from wxcloud.dates import beijing_today
from wxcloud.extras import install_line

from devtools.dist import NOT_SOURCE
from tests.support.checkout import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PIP_INSTALL = re.compile(r"^(?:python3?\s+-m\s+)?pip3?\s+install\s")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE = re.compile(r"(`+)(.+?)\1")
# The install line a message prints: the interpreter (quoted when it must be), ``-m pip install`` and its arguments.
PRINTED_LINE = re.compile(r"""(?:'[^']*'|[^\s'"\[\]]+) -m pip install(?: (?:'[^']*'|[^\s'"\]}]+))+""")

# wxcloud named as a requirement: after an installer's command (before a comment), or with extras. Not a
# path or a file that ends in the name (``'/srv/wxcloud[archive]'``, ``dist/wxcloud-0.1.0-py3-none-any.whl``).
NAME = r"(?<![\w./\\-])wxcloud(?![\w.-])"
INDEX_INSTALLS = [
    re.compile(rf"\b(?:pip3?|pipx|uv\s+pip|python3?\s+-m\s+pip)\s+install\b[^\n`#]*?{NAME}", re.I),
    re.compile(rf"\b(?:poetry|pdm|uv)\s+add\b[^\n`#]*?{NAME}", re.I),
    re.compile(rf"{NAME}\s*\[", re.I),
]
TEXT_SUFFIXES = {
    ".py",
    ".pyi",
    ".md",
    ".toml",
    ".txt",
    ".yml",
    ".yaml",
    ".cfg",
    ".ini",
    ".json",
    ".sh",
    ".html",
    ".in",
    ".lock",
}
TEXT_NAMES = {"Makefile", "run", "Dockerfile"}


def install_lines(markdown: str) -> list[str]:
    """The ``pip install`` lines of ``markdown``: whole lines of its fenced blocks (a leading ``$``
    dropped), and inline code spans outside them."""
    found: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            command = line.strip().removeprefix("$ ").strip()
            if PIP_INSTALL.match(command):
                found.append(command)
            continue
        found.extend(span.strip() for _, span in INLINE.findall(line) if PIP_INSTALL.match(span.strip()))
    return found


def _key(line: str) -> str:
    """A line as the shell reads it (comments and spacing dropped): lines that differ only there
    are one line, installed once."""
    return shlex.join(shlex.split(line, comments=True))


def documented_lines() -> dict[str, str]:
    """Each distinct install line of the docs, with the first place it is written."""
    lines: dict[str, str] = {}
    for page in DOCS:
        for line in install_lines(page.read_text(encoding="utf-8")):
            lines.setdefault(_key(line), f"{page.relative_to(ROOT)}: {line}")
    return lines


def _extras(key: str) -> set[str]:
    """The extras a line installs: the ``[a,b]`` of its one requirement."""
    brackets = re.findall(r"\[([\w,\s-]+)\]", key)
    return {extra.strip() for group in brackets for extra in group.split(",") if extra.strip()}


def _text_files() -> Iterator[Path]:
    """The repository's text files: sources, docs, configuration (environments, caches, builds and
    local data are not the repository's)."""
    for directory, subdirectories, files in os.walk(ROOT):
        ignored = NOT_SOURCE(directory, [*subdirectories, *files])
        subdirectories[:] = [name for name in subdirectories if name not in ignored and not name.startswith(".git")]
        for name in files:
            path = Path(directory) / name
            if (
                name not in ignored
                and (path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES)
                and path.stat().st_size < 2_000_000
            ):
                yield path


def index_installs(text: str) -> list[str]:
    """The lines of ``text`` that name wxcloud as a requirement to fetch from an index."""
    return [line.strip() for line in text.splitlines() if any(pattern.search(line) for pattern in INDEX_INSTALLS)]


# --- what the docs say, read without installing anything ---------------------------------------------


def test_the_extractor_reads_fenced_lines_and_inline_code_and_nothing_else() -> None:
    page = """Install it: `pip install '.[archive]'`, or `python3 -m pip install .`; not `pip list`.

```sh
$ pip install '.[chart]'      # with the chart
pip3 install dist/wxcloud-0.1.0-py3-none-any.whl
wxcloud-archive status
```

shared/  the library (`pip install .` installs it)
"""
    assert install_lines(page) == [
        "pip install '.[archive]'",
        "python3 -m pip install .",
        "pip install '.[chart]'      # with the chart",
        "pip3 install dist/wxcloud-0.1.0-py3-none-any.whl",
        "pip install .",
    ]
    assert _key("pip install '.[chart]'      # with the chart") == "pip install '.[chart]'"
    assert _extras("pip install '.[archive, scf]'") == {"archive", "scf"} and _extras("pip install .") == set()


def test_the_docs_install_only_from_the_checkout_or_its_wheel() -> None:
    """Every documented line installs a path (the checkout's root, or the wheel in dist/), and the
    README has the library's line and the archive's."""
    lines = documented_lines()
    assert {"pip install .", "pip install '.[archive]'"} <= set(lines), sorted(lines)
    for key, where in lines.items():
        arguments = [argument for argument in shlex.split(key)[2:] if not argument.startswith("-")]
        assert arguments and all(argument.startswith((".", "/", "dist/")) for argument in arguments), where
    assert any("dist/" in key for key in lines), "the wheel make dist builds has an install line"


def test_the_index_pattern_catches_an_install_by_name_and_spares_paths_and_files() -> None:
    caught = [
        "pip install wxcloud",
        "pip install 'wxcloud[archive]'",
        'pip3 install -U "wxcloud[chart]>=0.1"',
        "python3 -m pip install --upgrade wxcloud==0.1.0",
        "uv pip install wxcloud",
        "pipx install wxcloud",
        "poetry add wxcloud",
        "install wxcloud[archive] and use one of",
        "extra `wxcloud[report]`",
    ]
    spared = [
        "pip install '.[archive]'",
        "pip install 'dist/wxcloud-0.1.0-py3-none-any.whl[archive]'",
        "pip install '/srv/wxcloud[archive]'",
        "pip install . installs it as `wxcloud`",
        "pip install .   # the library: import wxcloud",
        "import wxcloud.archive",
        'name = "wxcloud"',
        "python -m wxcloud.archive --help",
    ]
    assert [line for line in caught if not index_installs(line)] == []
    assert [line for line in spared if index_installs(line)] == []


def test_no_text_tells_anyone_to_install_wxcloud_from_an_index() -> None:
    """Every text file but this one, whose samples above show the forms refused."""
    files = [path for path in _text_files() if path != Path(__file__).resolve()]
    assert ROOT / "README.md" in files and ROOT / "shared" / "wxcloud" / "archive" / "present" / "chart.py" in files
    offending = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offending += [f"{path.relative_to(ROOT)}: {line}" for line in index_installs(text)]
    assert offending == []


def test_the_line_a_checkout_prints_installs_the_checkout_into_this_interpreter() -> None:
    """Run from the checkout (as dev.py runs it), the line names the checkout and this interpreter."""
    assert install_line("chart") == f"{shlex.quote(sys.executable)} -m pip install {shlex.quote(f'{ROOT}[chart]')}"
    assert PRINTED_LINE.search(f"the chart command needs matplotlib: {install_line('chart')}]") is not None


def test_every_command_extra_brings_the_archive() -> None:
    """``report`` and ``chart`` are commands of the archive: each extra brings the archive's
    requirements, so installing it alone gives a working command."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert set(extras["archive"]) <= set(extras["report"]) and set(extras["archive"]) <= set(extras["chart"])
    assert any(requirement.startswith("matplotlib") for requirement in extras["chart"])


# --- the lines, run ------------------------------------------------------------------------------------


class Venv:
    """A fresh virtualenv in which a line ran, at the root of the copy of the checkout."""

    def __init__(self, home: Path, copy: Path) -> None:
        self.home = home
        self.copy = copy
        self.work = home.parent / f"{home.name}-work"  # where the checks run: neither the copy nor the repository
        self.work.mkdir()
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
        self.python = home / "bin" / "python"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of an activated virtualenv (and the WeChat emulator's settings the session set)."""
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
        }
        return {
            **env,
            "VIRTUAL_ENV": str(self.home),
            "PATH": f"{self.home / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            **extra,
        }

    def shell(
        self, line: str, *, cwd: Path | None = None, timeout: float = 900, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", line],
            cwd=cwd or self.work,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run(self, *command: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command), cwd=self.work, env=self.env(**extra), capture_output=True, text=True, timeout=600
        )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as it is (uncommitted changes included), without environments and builds."""
    return Path(shutil.copytree(ROOT, tmp_path_factory.mktemp("checkout") / "wxcloud-checkout", ignore=NOT_SOURCE))


@pytest.fixture(scope="module")
def venvs() -> dict[str, Venv]:
    """One virtualenv per distinct line, made on first use and shared by the tests of this module."""
    return {}


def _installed(key: str, copy: Path, venvs: dict[str, Venv], tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The virtualenv in which the line ``key`` ran (as written, at the copy's root), made once."""
    if key in venvs:
        return venvs[key]
    if "dist/" in key and not list((copy / "dist").glob("wxcloud-*.whl")):
        _ok(subprocess.run(["make", "dist"], cwd=copy, capture_output=True, text=True, timeout=600))
    venv = Venv(tmp_path_factory.mktemp("venv") / "venv", copy)
    _ok(venv.shell(key, cwd=copy))
    venvs[key] = venv
    return venv


def _since() -> str:
    return (beijing_today(datetime.now(timezone.utc)) - timedelta(days=9)).strftime("%Y%m%d")


def _check_library(venv: Venv) -> None:
    """The library alone: imported from the virtualenv, a real cloud call to the emulator."""
    day = (beijing_today(datetime.now(timezone.utc)) - timedelta(days=3)).strftime("%Y%m%d")
    program = (
        "import json, wxcloud; print(wxcloud.__file__); "
        f"print(json.dumps(wxcloud.openapi.analysis.getDailyVisitTrend({{'beginDate': '{day}', 'endDate': '{day}'}})))"
    )
    where, answer = _ok(venv.run(str(venv.python), "-c", program)).splitlines()[-2:]
    assert Path(where).is_relative_to(venv.home), where
    assert json.loads(answer)["errCode"] == 0, answer
    _ok(venv.run(str(venv.python), "-m", "pip", "check"))


def _check_archive(venv: Venv) -> Path:
    """The archive's command: fetch a few days from the emulator into SQLite, export them, write the
    report (its ECharts is package data); the drivers of PostgreSQL and MySQL import. The archive's file."""
    _ok(
        venv.run(
            str(venv.python), "-c", "import wxcloud.archive.cli.main, sqlalchemy, alembic, psycopg, pymysql, tqdm, rich"
        )
    )
    archive = venv.work / "archive.sqlite3"
    url = {"WX_ARCHIVE_URL": f"sqlite:///{archive}"}
    _ok(venv.run("wxcloud-archive", "--help"))
    _ok(venv.run("wxcloud-archive", "backfill", "--since", _since(), "--api", "analysis.getDailyVisitTrend", **url))
    exported = _ok(venv.run("wxcloud-archive", "export", "--api", "analysis.getDailyVisitTrend", **url))
    assert len(exported.splitlines()) >= 8, exported
    _ok(venv.run("wxcloud-archive", "report", "--out", "report.html", **url))
    assert "echarts" in (venv.work / "report.html").read_text(encoding="utf-8").lower()
    return archive


def _chart(venv: Venv, archive: Path) -> subprocess.CompletedProcess[str]:
    return venv.run(
        "wxcloud-archive",
        "chart",
        "--api",
        "analysis.getDailyVisitTrend",
        "--metric",
        "visitUv",
        "--out",
        "visits.png",
        WX_ARCHIVE_URL=f"sqlite:///{archive}",
    )


CHECKS = {
    "scf": "from wxcloud import ScfFunctionCaller; from tencentcloud.scf.v20180416 import models, scf_client",
    "ssm": "from tencentcloud.ssm.v20190923 import models, ssm_client; import wxcloud.tencentcloud.ssm",
}


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(documented_lines()))
def test_each_documented_line_installs_what_it_promises(
    key: str, copy: Path, venvs: dict[str, Venv], tmp_path_factory: pytest.TempPathFactory
) -> None:
    venv = _installed(key, copy, venvs, tmp_path_factory)
    _check_library(venv)
    extras = _extras(key)
    assert extras <= {"archive", "report", "chart", "scf", "ssm"}, (
        f"{documented_lines()[key]}: an extra pyproject.toml does not declare"
    )
    if extras & {"archive", "report", "chart"}:
        archive = _check_archive(venv)
        if "chart" in extras:
            _ok(_chart(venv, archive))
            assert (venv.work / "visits.png").read_bytes().startswith(b"\x89PNG")
    for extra in sorted(extras & set(CHECKS)):
        _ok(venv.run(str(venv.python), "-c", CHECKS[extra]))


def _printed_line(stderr: str) -> str:
    """The install line of a one-line message (plain, or the JSON error value's errMsg)."""
    text = stderr.strip()
    if text.startswith("{"):
        text = json.loads(text)["errMsg"]
    found = PRINTED_LINE.search(text)
    assert found is not None, stderr
    return found.group(0)


@pytest.mark.slow
def test_without_the_archive_extra_the_command_says_in_one_line_how_to_install_it(
    copy: Path, venvs: dict[str, Venv], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """After ``pip install .``, the archive's command (either way of running it) exits 2 with one
    line on stderr whose install line, pasted in another directory, makes it work."""
    venv = _installed("pip install .", copy, venvs, tmp_path_factory)
    lines = set()
    for command in (
        ["wxcloud-archive", "status"],
        [str(venv.python), "-m", "wxcloud.archive", "status"],
        ["wxcloud-archive", "status", "--json"],
    ):
        done = venv.run(*command)
        assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1), done
        assert "sqlalchemy" in done.stderr.lower() and "Traceback" not in done.stderr, done.stderr
        lines.add(_printed_line(done.stderr))
    (line,) = lines
    interpreter, *rest = shlex.split(line)
    assert Path(interpreter).parent == venv.home / "bin" and rest == ["-m", "pip", "install", f"{copy}[archive]"], line
    library = venv.run(str(venv.python), "-c", "import wxcloud.archive")
    assert library.returncode == 1 and "MissingExtra" in library.stderr and line in library.stderr, library.stderr
    _ok(venv.shell(line))
    _ok(venv.run("wxcloud-archive", "--help"))


@pytest.mark.slow
def test_without_the_chart_extra_the_chart_command_names_a_line_that_installs_it(
    copy: Path, venvs: dict[str, Venv], tmp_path_factory: pytest.TempPathFactory
) -> None:
    venv = _installed("pip install '.[archive]'", copy, venvs, tmp_path_factory)
    archive = _check_archive(venv)
    refused = _chart(venv, archive)
    assert refused.returncode == 2 and "matplotlib" in refused.stderr and not (venv.work / "visits.png").exists(), (
        refused
    )
    line = _printed_line(refused.stderr)
    assert f"{copy}[chart]" in line, line
    _ok(venv.shell(line))
    _ok(_chart(venv, archive))
    assert (venv.work / "visits.png").read_bytes().startswith(b"\x89PNG")
