"""Build the SCF deployment package of ``getMonthlyVisitTrend`` for one target CPython.

Usage (``make package`` runs this)::

    python3.10 devtools/build_package.py [--python-version 3.10] [--out DIR] [--no-bytecode]

writes ``DIR/getMonthlyVisitTrend/`` (what ``serverless.yml`` deploys), ``DIR/getMonthlyVisitTrend.zip``
(the same tree, for uploading by hand or by API) and ``DIR/getMonthlyVisitTrend.report.json``.
``DIR`` defaults to ``build`` for SCF's default runtime (3.10) and to ``build/py3.X`` for any other
version, so a package whose compiled wheels are for another CPython never lands where
``serverless.yml`` (runtime Python3.10) picks it up.

Why it is built this way:

* SCF unpacks the zip to ``/var/user`` with ``PYTHONPATH=/var/user:/opt`` and calls
  ``index.main_handler``, so ``index.py``, ``config.json``, ``wxcloud/`` and the dependencies all sit
  at the zip root.
* The runtime is CentOS 7 (glibc 2.17) and may differ from the build machine, so wheels are
  downloaded for the target (``manylinux2014_x86_64``, ``cpXY``), never taken from the local
  environment, and checked against the hashes of ``requirements.lock``.
* SCF lets a function write only under ``/tmp``, so without shipped bytecode every cold start
  compiles every module again (measured: it doubles the import time of requests + pydantic). The
  bytecode must come from the target's major.minor, so it is compiled only when this interpreter
  is that version; otherwise the package ships without bytecode and a warning says so. The
  ``.pyc`` files are *unchecked-hash* ones: valid whatever mtimes the zip round trip gives the
  sources (a timestamp pyc would be stale, and ignored, after unpacking). The flip side: a source
  edited in place on SCF (the console editor) keeps running its old bytecode until redeployed.
* The zip is reproducible: entries sorted, fixed timestamps and modes, files only.

Stdlib + pip only, so it runs with a bare ``python3`` (no virtualenv). Tests and benchmarks call
:func:`build` in-process.
"""

from __future__ import annotations

import argparse
import itertools
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

if __package__ in (None, ""):  # run as a file (python3 devtools/build_package.py): make `devtools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.lock import (
    LOCK_PYTHON_VERSIONS,
    PLATFORM,
    Lock,
    LockError,
    WheelName,
    ensure_pip,
    parse_wheel_name,
    read_lock,
    read_requirements,
    run_pip,
    sha256_of,
    target_options,
)

ROOT = Path(__file__).resolve().parent.parent
FUNCTION = "getMonthlyVisitTrend"
DEFAULT_PYTHON_VERSION = "3.10"  # SCF's default runtime, and serverless.yml's
HANDLER_SOURCE = Path("functions") / FUNCTION / "index.py"
CONFIG_SOURCE = Path("config.json")
LIBRARY_SOURCE = Path("shared") / "wxcloud"
LIBRARY_PACKAGE = "wxcloud"
# Where SCF unpacks the code: recorded as the compile-time path of the bytecode, so tracebacks of
# code objects not loaded through the import system still name the deployed file.
DEPLOY_ROOT = "/var/user"
# Directories that wheels sometimes carry and a function never needs.
PRUNED_DIRS = frozenset({"__pycache__", "tests", "docs"})
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the zip format's epoch: same bytes for the same inputs
MB = 1_000_000


class BuildError(Exception):
    """A failed build step; the message says what went wrong and what to do."""


@dataclass(frozen=True)
class BuildReport:
    """What was built, for the log, the JSON report and callers such as tests and benchmarks."""

    python_version: str
    bytecode: bool
    bytecode_note: str  # why there is or is not bytecode, in words
    files: int
    unpacked_bytes: int
    zipped_bytes: int
    zip_path: Path
    dir_path: Path

    def to_json(self) -> dict[str, object]:
        return {
            "python_version": self.python_version,
            "bytecode": self.bytecode,
            "files": self.files,
            "unpacked_bytes": self.unpacked_bytes,
            "zipped_bytes": self.zipped_bytes,
            "zip_path": str(self.zip_path),
            "dir_path": str(self.dir_path),
        }

    def summary(self) -> str:
        return "\n".join(
            [
                f"{FUNCTION} for CPython {self.python_version} ({PLATFORM})",
                f"  bytecode:  {'yes' if self.bytecode else 'no'} ({self.bytecode_note})",
                f"  files:     {self.files}",
                f"  unpacked:  {self.unpacked_bytes / MB:.2f} MB ({self.unpacked_bytes} bytes)",
                f"  zipped:    {self.zipped_bytes / MB:.2f} MB ({self.zipped_bytes} bytes)",
                f"  directory: {_show(self.dir_path)}",
                f"  zip:       {_show(self.zip_path)}",
            ]
        )


def default_out(python_version: str, root: Path = ROOT) -> Path:
    """``build`` for the default runtime (where serverless.yml looks), ``build/py3.X`` otherwise."""
    if python_version == DEFAULT_PYTHON_VERSION:
        return root / "build"
    return root / "build" / f"py{python_version}"


def report_path(out: Path) -> Path:
    return out / f"{FUNCTION}.report.json"


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


# ---- wheels --------------------------------------------------------------------------------


def wheel_fits(wheel: WheelName, python_version: str) -> bool:
    """Whether one of the wheel's tags runs on SCF's CPython ``python_version`` (glibc 2.17, x86_64).

    pip already selects by these rules when downloading; this re-checks files taken from the cache,
    which anyone could have put there."""
    _, minor = _parse_version(python_version)
    cp = cpython_tag(python_version)
    for python, abi, platform in itertools.product(wheel.python_tags, wheel.abi_tags, wheel.platform_tags):
        if not _platform_fits(platform):
            continue
        if abi == "none" and python in {"py3", f"py3{minor}", cp}:
            return True
        if abi == cp and python == cp:
            return True
        abi3 = re.fullmatch(r"cp3(\d+)", python)
        if abi == "abi3" and abi3 and int(abi3[1]) <= minor:
            return True
    return False


def _platform_fits(platform: str) -> bool:
    if platform in {"any", "manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"}:
        return True
    glibc = re.fullmatch(r"manylinux_2_(\d+)_x86_64", platform)
    return glibc is not None and int(glibc[1]) <= 17


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


def _cached_wheels(lock: Lock, python_version: str, cache: Path) -> list[Path] | None:
    """One verified wheel per pin from the cache, or ``None`` when any is missing: a file counts
    only if its name, version and tags fit and its sha256 is one the lock allows."""
    available = [(parse_wheel_name(p.name), p) for p in sorted(cache.glob("*.whl"))]
    chosen: list[Path] = []
    for pin in lock.pins:
        match = next(
            (
                path
                for wheel, path in available
                if wheel.key == pin.key and wheel.version == pin.version and wheel_fits(wheel, python_version) and sha256_of(path) in pin.hashes
            ),
            None,
        )
        if match is None:
            return None
        chosen.append(match)
    return chosen


def fetch_wheels(lock: Lock, lock_file: Path, python_version: str, cache: Path, log: Callable[[str], None] = print) -> list[Path]:
    """The locked wheels for the target: from the cache when all are there and intact (no
    network), else ``pip download --require-hashes`` into the cache first."""
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache / ".lock"):
        wheels = _cached_wheels(lock, python_version, cache)
        if wheels is not None:
            log(f"wheels: {len(wheels)} from cache {_show(cache)}")
            return wheels
        log(f"wheels: downloading {len(lock.pins)} for {cpython_tag(python_version)}-{PLATFORM} into {_show(cache)}")
        run_pip(
            ["download", "-q", "--require-hashes", "--no-deps", *target_options(python_version), "-r", str(lock_file), "-d", str(cache)],
            f"downloading the wheels of {lock_file.name} for CPython {python_version}",
        )
        wheels = _cached_wheels(lock, python_version, cache)
    if wheels is None:
        raise BuildError(f"pip downloaded the wheels, but {cache} still lacks one that matches {lock_file.name}")
    return wheels


def check_lock(root: Path, python_version: str) -> Lock:
    """The lock, checked to cover the target and to pin what requirements.txt pins (a stale lock
    would silently deploy the old versions)."""
    lock = read_lock(root / "requirements.lock")
    if python_version not in lock.python_versions:
        raise BuildError(
            f"requirements.lock has hashes for CPython {', '.join(lock.python_versions)}, not {python_version}: "
            f"add it to LOCK_PYTHON_VERSIONS in devtools/lock.py and run 'python3 devtools/lock.py'"
        )
    wanted = {(p.key, p.version) for p in read_requirements(root / "requirements.txt")}
    locked = {(p.key, p.version) for p in lock.pins}
    if wanted != locked:
        differ = sorted(f"{k}=={v}" for k, v in wanted ^ locked)
        raise BuildError(f"requirements.lock is out of date with requirements.txt ({', '.join(differ)}): run 'python3 devtools/lock.py'")
    return lock


# ---- the package tree -----------------------------------------------------------------------


def install_wheels(wheels: Sequence[Path], python_version: str, target: Path) -> None:
    """Unpack the wheels into ``target`` as pip would on SCF, without pip compiling anything (the
    bytecode, if any, is ours to make) and without consulting any index."""
    run_pip(
        ["install", "-q", "--no-index", "--no-deps", "--no-compile", *target_options(python_version), "--target", str(target), *map(str, wheels)],
        f"installing the wheels into {target}",
    )


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


def add_sources(root: Path, package: Path) -> None:
    """The handler and config at the root, the library as the top-level package ``wxcloud``
    (``.py`` files only: no caches, no egg-info)."""
    for name in ("index.py", "config.json", LIBRARY_PACKAGE):
        if (package / name).exists():
            raise BuildError(f"a dependency wheel installed {name!r} at the package root, which would clash with the function's own")
    shutil.copyfile(root / HANDLER_SOURCE, package / "index.py")
    shutil.copyfile(root / CONFIG_SOURCE, package / "config.json")
    library = root / LIBRARY_SOURCE
    sources = sorted(p for p in library.rglob("*.py") if "__pycache__" not in p.relative_to(library).parts)
    if not (library / "__init__.py").is_file():
        raise BuildError(f"{library} is not a package (no __init__.py)")
    for source in sources:
        dest = package / LIBRARY_PACKAGE / source.relative_to(library)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)


def bytecode_path(source: Path, cache_tag: str | None = None) -> Path:
    """Where the import system looks for a module's bytecode: ``__pycache__/<name>.<tag>.pyc``
    beside it. Computed here rather than by ``importlib.util.cache_from_source``, which would
    follow a ``PYTHONPYCACHEPREFIX`` of the build machine."""
    return source.parent / "__pycache__" / f"{source.stem}.{cache_tag or sys.implementation.cache_tag}.pyc"


def compile_bytecode(package: Path) -> None:
    """Compile every module for this interpreter: unchecked-hash pycs at the standard
    ``__pycache__/<name>.cpython-3XY.pyc`` places, no optimisation (SCF runs without -O).

    It runs ``compileall`` in a child interpreter with ``PYTHONHASHSEED=0``: marshal writes
    frozenset constants (``x in {"a", "b"}``) in hash order, so with a random seed the same
    sources give different bytes each build. The child also has no pycache prefix (the pycs must
    land beside the sources), and may use worker processes without forking a caller that has
    threads (a test's server)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPYCACHEPREFIX", "PYTHONOPTIMIZE", "PYTHONDONTWRITEBYTECODE"}}
    env["PYTHONHASHSEED"] = "0"
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
        "-s",
        str(package),
        "-p",
        DEPLOY_ROOT,
        str(package),
    ]
    if subprocess.run(command, env=env, check=False).returncode != 0:
        raise BuildError("compiling the package to bytecode failed (compileall's messages are above)")
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
        raise BuildError(f"bytecode for CPython {python_version} needs the build to run on python{python_version}: {why}")
    return False, why


def build(
    python_version: str = DEFAULT_PYTHON_VERSION,
    out: Path | None = None,
    *,
    root: Path = ROOT,
    cache: Path | None = None,
    bytecode: bool | None = None,
    log: Callable[[str], None] = print,
) -> BuildReport:
    """Build the package for SCF's CPython ``python_version`` into ``out`` (default
    :func:`default_out`) and return what was built.

    ``bytecode``: ``None`` ships bytecode when this interpreter is the target version (else warns
    and ships none); ``False`` never does (to measure the difference); ``True`` insists (an error
    on another interpreter). ``cache`` defaults to ``<root>/.cache/wheels/cpXY``.
    """
    _parse_version(python_version)
    out = (out if out is not None else default_out(python_version, root)).resolve()
    cache = (cache if cache is not None else root / ".cache" / "wheels" / cpython_tag(python_version)).resolve()
    with_bytecode, note = _bytecode_decision(python_version, bytecode)
    if not with_bytecode and bytecode is None:
        print(
            f"WARNING: the package for CPython {python_version} ships NO bytecode ({note}), so every cold start on SCF "
            f"compiles every module again. To ship bytecode, run the build with python{python_version} "
            f"(make package PYTHON_VERSION={python_version} does when python{python_version} is on PATH).",
            file=sys.stderr,
        )
    try:
        lock = check_lock(root, python_version)
        ensure_pip()
        wheels = fetch_wheels(lock, root / "requirements.lock", python_version, cache, log)
    except LockError as exc:
        raise BuildError(str(exc)) from exc

    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{FUNCTION}.", dir=out))
    try:
        package = staging / FUNCTION
        try:
            install_wheels(wheels, python_version, package)
        except LockError as exc:
            raise BuildError(str(exc)) from exc
        prune(package)
        add_sources(root, package)
        if with_bytecode:
            compile_bytecode(package)
        normalise_modes(package)
        files = package_files(package)
        staged_zip = staging / f"{FUNCTION}.zip"
        write_zip(package, staged_zip)

        report = BuildReport(
            python_version=python_version,
            bytecode=with_bytecode,
            bytecode_note=note,
            files=len(files),
            unpacked_bytes=sum(p.stat().st_size for p in files),
            zipped_bytes=staged_zip.stat().st_size,
            zip_path=out / f"{FUNCTION}.zip",
            dir_path=out / FUNCTION,
        )
        staged_report = staging / "report.json"
        staged_report.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        _publish(package, report.dir_path)
        _publish(staged_zip, report.zip_path)
        _publish(staged_report, report_path(out))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(report.summary())
    log(f"  report:    {_show(report_path(out))}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--python-version",
        default=DEFAULT_PYTHON_VERSION,
        metavar="X.Y",
        help=f"SCF's CPython to build for (default {DEFAULT_PYTHON_VERSION}; locked: {', '.join(LOCK_PYTHON_VERSIONS)})",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: build, or build/py3.X for a non-default version)")
    parser.add_argument("--cache", type=Path, default=None, help="wheel cache (default: .cache/wheels/cpXY)")
    parser.add_argument("--no-bytecode", dest="bytecode", action="store_const", const=False, default=None, help="ship no .pyc files")
    args = parser.parse_args(argv)
    try:
        build(args.python_version, args.out, cache=args.cache, bytecode=args.bytecode)
    except (BuildError, LockError) as exc:
        print(f"build_package: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build_package: error: {exc.strerror or exc} ({exc.filename or 'no file'})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
