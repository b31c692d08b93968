"""Build the SCF deployment package of one function, or of all of them, for one target CPython.

Usage (``make package`` and ``make packages`` run this)::

    python3.10 devtools/build_package.py [--function NAME ... | --all] [--python-version 3.10] [--out DIR]
        [--no-bytecode]

writes, per function, ``DIR/<name>/`` (what ``deploy/<name>/serverless.yml`` deploys),
``DIR/<name>.zip`` (the same tree, for uploading by hand or by API) and ``DIR/<name>.report.json``.
``DIR`` defaults to ``build`` for SCF's default runtime (3.10) and to ``build/py3.X`` for any other
version, so a package whose compiled wheels are for another CPython never lands where the
deployment files (runtime Python3.10) pick it up. The default function is ``getMonthlyVisitTrend``.

Why it is built this way:

* SCF unpacks the zip to ``/var/user`` with ``PYTHONPATH=/var/user:/opt`` and calls
  ``index.main_handler``, so the function's ``index.py``, its ``config.json`` (see
  ``devtools/functions.py`` for which one), ``wxcloud/`` and the dependencies all sit at the zip root.
* The runtime is CentOS 7 (glibc 2.17) and may differ from the build machine, so the dependencies
  are installed from wheels for the target (``manylinux2014_x86_64``, ``cpXY``), never taken from
  the local environment: ``pip install --require-hashes --no-deps --only-binary=:all: --platform
  ... --target`` from the function's lock (``devtools/lock.py``), so pip itself checks every wheel
  against the lock's hashes. Wheels are kept in ``.cache/wheels/cpXY``: a build whose wheels are
  all there needs no network.
* SCF lets a function write only under ``/tmp``, so without shipped bytecode every cold start
  compiles every module again (measured: it doubles the import time of requests + pydantic). The
  bytecode must come from the target's major.minor, so it is compiled only when this interpreter
  is that version; otherwise the package ships without bytecode and a warning says so. The
  ``.pyc`` files are *unchecked-hash* ones: valid whatever mtimes the zip round trip gives the
  sources (a timestamp pyc would be stale, and ignored, after unpacking). The flip side: a source
  edited in place on SCF (the console editor) keeps running its old bytecode until redeployed.
* Functions that share a lock share one installed and compiled dependency tree per build run:
  ``--all`` installs and compiles each dependency set once and copies it into each package.
* The zip is reproducible: entries sorted, fixed timestamps and modes, files only.
* A package over its size budget fails the build: the size is paid on every cold start (SCF
  downloads and unpacks the package before the first call).

Stdlib + pip only, so it runs with a bare ``python3`` (no virtualenv, no uv). Tests and benchmarks
call :func:`build` and :func:`build_all` in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file (python3 devtools/build_package.py): make `devtools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.functions import DEFAULT_FUNCTION, ROOT, Function, LayoutError, all_functions, function
from devtools.lock import PLATFORM, PYTHON_VERSIONS, LockError, check_lock

DEFAULT_PYTHON_VERSION = "3.10"  # SCF's default runtime, and the deployment files'
LIBRARY_SOURCE = Path("shared") / "wxcloud"
LIBRARY_PACKAGE = "wxcloud"
# Where SCF unpacks the code: recorded as the compile-time path of the bytecode, so tracebacks of
# code objects not loaded through the import system still name the deployed file.
DEPLOY_ROOT = "/var/user"
# Directories that wheels sometimes carry and a function never needs.
PRUNED_DIRS = frozenset({"__pycache__", "tests", "docs"})
# Parts of the library no function runs: the archive's HTML report (the ``report`` extra, with its
# 1.1 MB of vendored ECharts) is made on a desk, never on SCF.
LEFT_OUT = (Path("archive") / "present" / "report",)
# The library's data files, read at run time beside its modules (the wheel ships them as
# package data too: pyproject.toml); everything else of the library that ships is a .py file.
LIBRARY_DATA = (Path("mime_extensions.json"),)
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the zip format's epoch: same bytes for the same inputs
MB = 1_000_000
# Size budgets of a package, zipped and unpacked. The functions that need only the root
# requirements weigh about 4.5 MB zipped; a function whose folder adds a requirements.txt brings
# its own dependencies and gets its own budget below, with the reason.
DEFAULT_BUDGET = (6 * MB, 20 * MB)
BUDGETS: dict[str, tuple[int, int]] = {
    # SQLAlchemy (3.3 MB zipped, with its compiled extensions), psycopg's binary wheel, which
    # bundles libpq, OpenSSL and Kerberos (3.9 MB), and Alembic with Mako (1 MB, the schema
    # upgrades), on top of the 4.5 MB every function carries: 16.5 MB zipped, 50 MB unpacked for
    # CPython 3.10 (18.4 and 56 for 3.11, whose bytecode is larger).
    "archiveAnalysis": (20 * MB, 60 * MB),
}


class BuildError(Exception):
    """A failed build step; the message says what went wrong and what to do."""


@dataclass(frozen=True)
class BuildReport:
    """What was built, for the log, the JSON report and callers such as tests and benchmarks."""

    function: str
    python_version: str
    bytecode: bool
    bytecode_note: str  # why there is or is not bytecode, in words
    lock: str  # the lock the dependencies came from, relative to the repository
    files: int
    unpacked_bytes: int
    zipped_bytes: int
    zip_path: Path
    dir_path: Path

    def to_json(self) -> dict[str, object]:
        return {
            "function": self.function,
            "python_version": self.python_version,
            "bytecode": self.bytecode,
            "lock": self.lock,
            "files": self.files,
            "unpacked_bytes": self.unpacked_bytes,
            "zipped_bytes": self.zipped_bytes,
            "zip_path": str(self.zip_path),
            "dir_path": str(self.dir_path),
        }

    def summary(self) -> str:
        return "\n".join(
            [
                f"{self.function} for CPython {self.python_version} ({PLATFORM})",
                f"  bytecode:  {'yes' if self.bytecode else 'no'} ({self.bytecode_note})",
                f"  lock:      {self.lock}",
                f"  files:     {self.files}",
                f"  unpacked:  {self.unpacked_bytes / MB:.2f} MB ({self.unpacked_bytes} bytes)",
                f"  zipped:    {self.zipped_bytes / MB:.2f} MB ({self.zipped_bytes} bytes)",
                f"  directory: {_show(self.dir_path)}",
                f"  zip:       {_show(self.zip_path)}",
            ]
        )


def default_out(python_version: str, root: Path = ROOT) -> Path:
    """``build`` for the default runtime (where the deployment files look), ``build/py3.X`` otherwise."""
    if python_version == DEFAULT_PYTHON_VERSION:
        return root / "build"
    return root / "build" / f"py{python_version}"


def report_path(out: Path, function_name: str = DEFAULT_FUNCTION) -> Path:
    return out / f"{function_name}.report.json"


def budget(function_name: str) -> tuple[int, int]:
    """The (zipped, unpacked) size limits of the function's package, in bytes."""
    return BUDGETS.get(function_name, DEFAULT_BUDGET)


def cpython_tag(python_version: str) -> str:
    return "cp" + python_version.replace(".", "")


def _show(path: Path) -> str:
    """A path relative to the working directory when it is below it (shorter in the log)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _parse_version(python_version: str) -> tuple[int, int]:
    match = re.fullmatch(r"3\.(\d+)", python_version)
    if not match:
        raise BuildError(f"python version {python_version!r}: expected 3.X, e.g. 3.10")
    return 3, int(match[1])


# ---- pip -------------------------------------------------------------------------------------


def target_options(python_version: str) -> list[str]:
    """pip's options that select wheels for SCF rather than for the machine running pip."""
    return ["--only-binary=:all:", "--platform", PLATFORM, "--implementation", "cp", "--python-version", python_version]


def pip_environment() -> dict[str, str]:
    """The caller's environment (proxies, index mirrors, certificates stay in force) minus pip's
    chatter: no version check, no prompt, no warning about running as root in a container."""
    env = dict(os.environ)
    env.update(
        PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_ROOT_USER_ACTION="ignore", PIP_REQUIRE_VIRTUALENV="0"
    )
    return env


def run_pip(args: Sequence[str], what: str, *, quiet: bool = False) -> bool:
    """Run ``python -m pip args``. ``quiet``: return False on failure, pip's output swallowed;
    otherwise a failure raises :class:`BuildError` naming the step (pip's output is above it)."""
    command = [sys.executable, "-m", "pip", *args]
    output = subprocess.DEVNULL if quiet else None
    completed = subprocess.run(command, env=pip_environment(), stdout=output, stderr=output, check=False)
    if completed.returncode == 0:
        return True
    if quiet:
        return False
    raise BuildError(
        f"{what} failed (pip exit status {completed.returncode}; pip's messages are above). Command: "
        f"{' '.join(command)}"
    )


def ensure_pip() -> None:
    """Fail early and clearly when the interpreter has no pip (e.g. a bare distro python3)."""
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise BuildError(
            f"pip is not available for {sys.executable} (install python3-pip, or run with an interpreter that has pip)"
        )


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Serialise builds sharing a wheel cache (two pips writing one file corrupt it)."""
    with path.open("a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows has no flock; concurrent builds there are the user's to avoid
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def install_dependencies(
    lock: Path, python_version: str, cache: Path, target: Path, log: Callable[[str], None]
) -> None:
    """Install exactly the lock into ``target`` as pip would on SCF: wheels for the target only,
    every file checked against the lock's hashes, nothing compiled (the bytecode is ours to make).
    From the wheel cache alone when it holds them all; else the missing wheels are downloaded
    into the cache first (also hash-checked)."""
    install = ["install", "-q", "--require-hashes", "--no-deps", "--no-compile", *target_options(python_version)]
    install += ["--target", str(target), "-r", str(lock)]
    offline = ["--no-index", "--find-links", str(cache)]
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache / ".lock"):
        if run_pip([*install, *offline], "installing from the wheel cache", quiet=True):
            log(f"wheels: installed from cache {_show(cache)}")
            return
        shutil.rmtree(target, ignore_errors=True)
        log(
            f"wheels: downloading what {_show(lock)} needs for {cpython_tag(python_version)}-{PLATFORM} into "
            f"{_show(cache)}"
        )
        run_pip(
            [
                "download",
                "-q",
                "--require-hashes",
                "--no-deps",
                *target_options(python_version),
                "-r",
                str(lock),
                "-d",
                str(cache),
            ],
            f"downloading the wheels of {lock.name} for CPython {python_version}",
        )
        run_pip([*install, *offline], f"installing the wheels of {lock.name} into {target}")


# ---- the package tree -----------------------------------------------------------------------


def prune(package: Path) -> None:
    """Remove what a wheel may bring but a function never runs: console scripts (``bin/``),
    foreign bytecode, test suites and documentation."""
    shutil.rmtree(package / "bin", ignore_errors=True)
    for directory, subdirs, filenames in os.walk(package, topdown=True):
        for name in [d for d in subdirs if d in PRUNED_DIRS]:
            shutil.rmtree(Path(directory) / name)
            subdirs.remove(name)
        for name in filenames:
            if name.endswith((".pyc", ".pyo")):
                (Path(directory) / name).unlink()


def add_sources(fn: Function, package: Path) -> list[Path]:
    """The handler and config at the root, the library as the top-level package ``wxcloud``
    (its ``.py`` files and its data files, ``LIBRARY_DATA``: no caches, no egg-info). Returns
    what it added, for compiling."""
    for name in ("index.py", "config.json", LIBRARY_PACKAGE):
        if (package / name).exists():
            raise BuildError(
                f"a dependency wheel installed {name!r} at the package root, which would clash with the function's own"
            )
    shutil.copyfile(fn.handler, package / "index.py")
    shutil.copyfile(fn.config, package / "config.json")
    library = fn.root / LIBRARY_SOURCE
    if not (library / "__init__.py").is_file():
        raise BuildError(f"{library} is not a package (no __init__.py)")
    sources = sorted(
        p
        for p in library.rglob("*.py")
        if "__pycache__" not in p.relative_to(library).parts
        and not any(p.relative_to(library).is_relative_to(left) for left in LEFT_OUT)
    )
    # This checkout's library must have every data file; an older tree (a previous release the bench
    # packages with this builder) ships those it has: its modules read no others.
    missing = [data.as_posix() for data in LIBRARY_DATA if not (library / data).is_file()]
    if missing and library.resolve() == (Path(__file__).resolve().parent.parent / LIBRARY_SOURCE):
        raise BuildError(f"the library's data file(s) {', '.join(missing)} are missing from {library}")
    sources += [library / data for data in LIBRARY_DATA if (library / data).is_file()]
    for source in sources:
        dest = package / LIBRARY_PACKAGE / source.relative_to(library)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return [package / "index.py", package / LIBRARY_PACKAGE]


def bytecode_path(source: Path, cache_tag: str | None = None) -> Path:
    """Where the import system looks for a module's bytecode: ``__pycache__/<name>.<tag>.pyc``
    beside it. Computed here rather than by ``importlib.util.cache_from_source``, which would
    follow a ``PYTHONPYCACHEPREFIX`` of the build machine."""
    return source.parent / "__pycache__" / f"{source.stem}.{cache_tag or sys.implementation.cache_tag}.pyc"


def compile_bytecode(base: Path, targets: Sequence[Path] | None = None) -> None:
    """Compile ``targets`` (default: all of ``base``) for this interpreter: unchecked-hash pycs at
    the standard ``__pycache__/<name>.cpython-3XY.pyc`` places, recorded as if ``base`` were
    ``/var/user``, no optimisation (SCF runs without -O).

    It runs ``compileall`` in a child interpreter with ``PYTHONHASHSEED=0``: marshal writes
    frozenset constants (``x in {"a", "b"}``) in hash order, so with a random seed the same
    sources give different bytes each build. The child also has no pycache prefix (the pycs must
    land beside the sources), and may use worker processes without forking a caller that has
    threads (a test's server)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPYCACHEPREFIX", "PYTHONOPTIMIZE", "PYTHONDONTWRITEBYTECODE"}
    }
    env["PYTHONHASHSEED"] = "0"
    paths = [str(p) for p in (targets if targets is not None else [base])]
    command = [
        sys.executable,
        "-m",
        "compileall",
        "-q",
        "-f",
        "-j",
        "0",
        "-o",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
    ]
    command += ["-s", str(base), "-p", DEPLOY_ROOT, *paths]
    if subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode != 0:
        raise BuildError("compiling the package to bytecode failed (compileall's messages are above)")


def check_bytecode(package: Path) -> None:
    missing = [p for p in package.rglob("*.py") if not bytecode_path(p).is_file()]
    if missing:
        raise BuildError(f"no bytecode was written for {len(missing)} modules, e.g. {missing[0].relative_to(package)}")


def normalise_modes(package: Path) -> None:
    """Readable by the SCF user whatever the build machine's umask; nothing needs to be executable."""
    for directory, _, filenames in os.walk(package):
        os.chmod(directory, 0o755)
        for name in filenames:
            os.chmod(Path(directory) / name, 0o644)


def package_files(package: Path) -> list[Path]:
    """Every file of the tree, in the zip's order (sorted by archive name)."""
    return sorted((p for p in package.rglob("*") if p.is_file()), key=lambda p: p.relative_to(package).as_posix())


def write_zip(package: Path, zip_path: Path) -> None:
    """Deflated, files only (SCF needs no directory entries), sorted, fixed timestamp and mode:
    the same tree always gives the same zip bytes."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in package_files(package):
            info = zipfile.ZipInfo(path.relative_to(package).as_posix(), date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below is honoured when unpacking
            info.external_attr = 0o100644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def _publish(staged: Path, final: Path) -> None:
    """Put a staged file or directory in place, replacing the old one, so a failed build never
    leaves a half-written package where the deployment looks."""
    if final.is_dir() and not final.is_symlink():
        old = staged.with_name(staged.name + ".old")
        os.replace(final, old)
        os.replace(staged, final)
        shutil.rmtree(old)
    else:
        os.replace(staged, final)


# ---- the build -------------------------------------------------------------------------------


def _bytecode_decision(python_version: str, requested: bool | None) -> tuple[bool, str]:
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    matches = sys.implementation.name == "cpython" and running == python_version
    if requested is False:
        return False, "disabled (--no-bytecode)"
    if matches:
        return True, f"unchecked-hash {sys.implementation.cache_tag}.pyc, compiled by {sys.executable}"
    why = f"built by {sys.implementation.name} {running}, not CPython {python_version}"
    if requested:
        raise BuildError(
            f"bytecode for CPython {python_version} needs the build to run on python{python_version}: {why}"
        )
    return False, why


def build(
    function_name: str = DEFAULT_FUNCTION,
    python_version: str = DEFAULT_PYTHON_VERSION,
    out: Path | None = None,
    **options: Any,
) -> BuildReport:
    """Build one function's package; ``options`` are :func:`build_all`'s keywords (root, cache,
    bytecode, log), with its defaults."""
    (report,) = build_all([function_name], python_version, out, **options)
    return report


def build_all(
    function_names: Sequence[str] | None = None,
    python_version: str = DEFAULT_PYTHON_VERSION,
    out: Path | None = None,
    *,
    root: Path = ROOT,
    cache: Path | None = None,
    bytecode: bool | None = None,
    log: Callable[[str], None] = print,
) -> list[BuildReport]:
    """Build the packages of ``function_names`` (default: every function) for SCF's CPython
    ``python_version`` into ``out`` (default :func:`default_out`) and return what was built.

    Every function and lock is checked before anything is installed or written. ``bytecode``:
    ``None`` ships bytecode when this interpreter is the target version (else warns and ships
    none); ``False`` never does (to measure the difference); ``True`` insists (an error on another
    interpreter). ``cache`` defaults to ``<root>/.cache/wheels/cpXY``.
    """
    _parse_version(python_version)
    out = (out if out is not None else default_out(python_version, root)).resolve()
    cache = (cache if cache is not None else root / ".cache" / "wheels" / cpython_tag(python_version)).resolve()
    with_bytecode, note = _bytecode_decision(python_version, bytecode)
    try:
        functions = (
            [function(name, root) for name in function_names] if function_names is not None else all_functions(root)
        )
        locks = {fn.name: check_lock(fn, python_version) for fn in functions}
        for fn in functions:  # a missing or malformed config.json would fail every call: fail the build instead
            fn.read_config()
    except (LayoutError, LockError) as exc:
        raise BuildError(str(exc)) from exc
    if not functions:
        raise BuildError(f"no function to build (no functions/*/index.py under {root})")
    if not with_bytecode and bytecode is None:
        print(
            f"WARNING: the packages for CPython {python_version} ship NO bytecode ({note}), so every cold start on SCF "
            f"compiles every module again. To ship bytecode, run the build with python{python_version} "
            f"(make package PYTHON_VERSION={python_version} does when python{python_version} is on PATH).",
            file=sys.stderr,
        )
    ensure_pip()

    out.mkdir(parents=True, exist_ok=True)
    reports: list[BuildReport] = []
    staging = Path(tempfile.mkdtemp(prefix=".build.", dir=out))
    try:
        dependency_trees: dict[Path, Path] = {}
        for fn in functions:
            lock = locks[fn.name]
            if lock not in dependency_trees:  # one install and compile per dependency set
                tree = staging / f"deps-{len(dependency_trees)}"
                install_dependencies(lock, python_version, cache, tree, log)
                prune(tree)
                if with_bytecode:
                    compile_bytecode(tree)
                dependency_trees[lock] = tree
            reports.append(
                _package(fn, lock, dependency_trees[lock], python_version, (with_bytecode, note), staging, out, log)
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return reports


def _package(
    fn: Function,
    lock: Path,
    dependencies: Path,
    python_version: str,
    bytecode: tuple[bool, str],
    staging: Path,
    out: Path,
    log: Callable[[str], None],
) -> BuildReport:
    """One function's tree from its installed dependencies, zipped, measured and published."""
    with_bytecode, note = bytecode
    package = staging / fn.name
    shutil.copytree(dependencies, package)
    sources = add_sources(fn, package)
    if with_bytecode:
        compile_bytecode(package, sources)
        check_bytecode(package)
    normalise_modes(package)
    files = package_files(package)
    staged_zip = staging / f"{fn.name}.zip"
    write_zip(package, staged_zip)
    report = BuildReport(
        function=fn.name,
        python_version=python_version,
        bytecode=with_bytecode,
        bytecode_note=note,
        lock=lock.relative_to(fn.root).as_posix(),
        files=len(files),
        unpacked_bytes=sum(p.stat().st_size for p in files),
        zipped_bytes=staged_zip.stat().st_size,
        zip_path=out / f"{fn.name}.zip",
        dir_path=out / fn.name,
    )
    zipped_limit, unpacked_limit = budget(fn.name)
    if report.zipped_bytes > zipped_limit or report.unpacked_bytes > unpacked_limit:
        raise BuildError(
            f"{fn.name}: the package weighs {report.zipped_bytes / MB:.2f} MB zipped, "
            f"{report.unpacked_bytes / MB:.2f} MB unpacked; "
            f"its budget is {zipped_limit / MB:g} MB zipped, {unpacked_limit / MB:g} MB unpacked (BUDGETS in "
            "devtools/build_package.py)"
        )
    staged_report = staging / f"{fn.name}.report.json"
    staged_report.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    _publish(package, report.dir_path)
    _publish(staged_zip, report.zip_path)
    _publish(staged_report, report_path(out, fn.name))
    log(report.summary())
    log(f"  report:    {_show(report_path(out, fn.name))}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--function",
        action="append",
        dest="functions",
        metavar="NAME",
        help=f"a function folder to build (repeatable; default {DEFAULT_FUNCTION})",
    )
    which.add_argument("--all", action="store_true", help="build every function")
    parser.add_argument(
        "--python-version",
        default=DEFAULT_PYTHON_VERSION,
        metavar="X.Y",
        help=f"SCF's CPython to build for (default {DEFAULT_PYTHON_VERSION}; locked: {', '.join(PYTHON_VERSIONS)})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: build, or build/py3.X for a non-default version)",
    )
    parser.add_argument("--cache", type=Path, default=None, help="wheel cache (default: .cache/wheels/cpXY)")
    parser.add_argument(
        "--no-bytecode", dest="bytecode", action="store_const", const=False, default=None, help="ship no .pyc files"
    )
    args = parser.parse_args(argv)
    names = None if args.all else (args.functions or [DEFAULT_FUNCTION])
    try:
        reports = build_all(names, args.python_version, args.out, cache=args.cache, bytecode=args.bytecode)
    except BuildError as exc:
        print(f"build_package: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build_package: error: {exc.strerror or exc} ({exc.filename or 'no file'})", file=sys.stderr)
        return 1
    if len(reports) > 1:
        print("\nfunction                 zipped MB  unpacked MB")
        for report in reports:
            print(f"{report.function:24} {report.zipped_bytes / MB:9.2f}  {report.unpacked_bytes / MB:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
