"""Lock the functions' runtime dependencies with hashes, per target CPython: ``make lock``.

Usage::

    python3 devtools/lock.py [--python-version 3.10 ...]

The locking itself is uv's (``uv pip compile --generate-hashes --only-binary :all:
--python-platform x86_64-manylinux2014 --python-version 3.X``): it resolves for SCF's runtime
(CentOS 7, glibc 2.17, x86_64) rather than for this machine, accepts only versions that have a
wheel there, and records the sha256 of every file of each pinned version. The package build then
installs with ``pip --require-hashes`` from these files, so a substituted wheel (a mirror, a
cache) fails the build instead of shipping. The build needs only pip; uv is needed only here, and
this script installs its pinned version into ``.cache/tools`` on first use (``UV=/path/to/uv``
uses another).

One lock per dependency set and interpreter: ``requirements-py3.X.lock`` at the root for every
function that needs only the root ``requirements.txt``, and ``functions/<name>/requirements-py3.X.lock``
for a function whose folder adds a ``requirements.txt``, resolved from both files together. Each
lock is exactly what one package ships (the build installs all of it with ``--no-deps``), and a
function's extras never enter the other functions' packages; the root pins are ``==`` pins, so a
function's lock pins them to the same versions (or uv fails to resolve, which is the signal).

Each lock starts with the sha256 of its inputs (the requirement lines, comments ignored). The
build refuses a lock whose inputs changed since, so a stale lock cannot deploy old versions, and
checking it needs no network and no uv.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python3 devtools/lock.py): make `devtools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.functions import ROOT, Function, all_functions

# The CPython versions SCF offers that the functions are locked for; the build refuses others.
PYTHON_VERSIONS = ("3.10", "3.11")
# SCF's OS is CentOS 7 (glibc 2.17): manylinux2014 is the newest wheel platform it can load.
PLATFORM = "manylinux2014_x86_64"
UV_PLATFORM = "x86_64-manylinux2014"
UV_VERSION = "0.13.9"
DIGEST_PREFIX = "# inputs-sha256: "

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)", re.MULTILINE)


class LockError(Exception):
    """A missing, stale or failed lock; the message says what to do about it."""


def lock_path(function: Function, python_version: str) -> Path:
    """Where the lock of ``function``'s dependency set for ``python_version`` lives."""
    folder = function.root if function.extra_requirements is None else function.folder
    return folder / f"requirements-py{python_version}.lock"


def inputs_digest(files: Sequence[Path], root: Path, python_version: str) -> str:
    """sha256 of what a lock is resolved from: the target and each file's requirement lines,
    lower-cased, without comments, spaces or blank lines, in sorted order (editing a comment or
    reordering needs no new lock; changing a requirement does)."""
    digest = hashlib.sha256(f"cpython {python_version} {PLATFORM}\n".encode())
    for path in files:
        digest.update(f"== {path.relative_to(root).as_posix()}\n".encode())
        lines = {
            re.sub(r"\s+", "", re.sub(r"(^|\s)#.*$", "", raw)).lower()
            for raw in path.read_text(encoding="utf-8").splitlines()
        }
        for line in sorted(lines - {""}):
            digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX) :].strip()
    return None


def check_lock(function: Function, python_version: str) -> Path:
    """The lock the build installs ``function`` from, checked to exist and to be current."""
    if python_version not in PYTHON_VERSIONS:
        raise LockError(
            f"the functions are locked for CPython {', '.join(PYTHON_VERSIONS)}, not {python_version}: "
            "add it to PYTHON_VERSIONS in devtools/lock.py and run 'make lock'"
        )
    lock = lock_path(function, python_version)
    shown = lock.relative_to(function.root).as_posix()
    if not lock.is_file():
        raise LockError(f"{shown} does not exist: run 'make lock'")
    if recorded_digest(lock) != inputs_digest(function.requirement_files, function.root, python_version):
        inputs = " + ".join(p.relative_to(function.root).as_posix() for p in function.requirement_files)
        raise LockError(f"{shown} is out of date with {inputs}: run 'make lock'")
    return lock


def read_pins(lock: Path) -> dict[str, str]:
    """The lock's ``name==version`` pins (canonical names), for reports and tests."""
    return {canonical_name(m["name"]): m["version"] for m in _PIN.finditer(lock.read_text(encoding="utf-8"))}


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: ``pydantic_core`` (a wheel) and ``pydantic-core`` (a pin) are one."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---- writing locks (needs uv and the network) ---------------------------------------------------


def dependency_sets(root: Path = ROOT) -> dict[Path, Function]:
    """One function per distinct lock (the first of those sharing it), keyed by the lock's
    path for the first locked version: what ``make lock`` has to resolve."""
    sets: dict[Path, Function] = {}
    for function in all_functions(root):
        sets.setdefault(lock_path(function, PYTHON_VERSIONS[0]), function)
    return sets


def ensure_uv(root: Path = ROOT) -> str:
    """The uv to lock with: ``$UV``, else the pinned version in ``.cache/tools`` (installed with
    pip on first use, so the lock's format does not drift with whatever uv a machine has)."""
    chosen = os.environ.get("UV")
    if chosen:
        return chosen
    tools = root / ".cache" / "tools" / f"uv-{UV_VERSION}"
    binary = tools / "bin" / ("uv.exe" if os.name == "nt" else "uv")
    if not binary.is_file():
        print(f"lock: installing uv {UV_VERSION} into {tools.relative_to(root)}", file=sys.stderr)
        shutil.rmtree(tools, ignore_errors=True)
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--target",
            str(tools),
            f"uv=={UV_VERSION}",
        ]
        if subprocess.run(command, check=False).returncode != 0 or not binary.is_file():
            raise LockError(
                f"could not install uv {UV_VERSION} with pip (pip's messages are above); or set UV=/path/to/uv"
            )
    return str(binary)


def write_lock(function: Function, python_version: str, uv: str) -> Path:
    """Resolve ``function``'s dependency set for ``python_version`` and write its lock."""
    root = function.root
    lock = lock_path(function, python_version)
    inputs = [p.relative_to(root).as_posix() for p in function.requirement_files]
    command = [
        uv,
        "pip",
        "compile",
        "--quiet",
        "--generate-hashes",
        "--only-binary",
        ":all:",
        "--python-platform",
        UV_PLATFORM,
        "--python-version",
        python_version,
        "--custom-compile-command",
        "make lock",
        *inputs,
        "--output-file",
        lock.relative_to(root).as_posix(),
    ]
    if subprocess.run(command, cwd=root, check=False).returncode != 0:
        raise LockError(
            f"uv could not lock {' + '.join(inputs)} for CPython {python_version} (uv's messages are above)"
        )
    body = lock.read_text(encoding="utf-8")
    header = [
        f"# The runtime dependencies of {_who(function)} for CPython {python_version} on {PLATFORM} (SCF),",
        f"# resolved from {' + '.join(inputs)}, with the sha256 of every file of each pinned version.",
        "# The build installs exactly this with pip --require-hashes; regenerate with 'make lock'.",
        f"{DIGEST_PREFIX}{inputs_digest(function.requirement_files, root, python_version)}",
    ]
    partial = lock.with_name(lock.name + ".tmp")
    partial.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    os.replace(partial, lock)
    return lock


def _who(function: Function) -> str:
    if function.extra_requirements is None:
        return "every function without a requirements.txt of its own"
    return f"the function {function.name}"


def write_all(python_versions: Iterable[str], root: Path = ROOT) -> list[Path]:
    uv = ensure_uv(root)
    written = []
    for function in dependency_sets(root).values():
        for version in python_versions:
            lock = write_lock(function, version, uv)
            pins = read_pins(lock)
            print(f"{lock.relative_to(root)}: {len(pins)} pins")
            written.append(lock)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--python-version",
        action="append",
        dest="python_versions",
        choices=PYTHON_VERSIONS,
        help=f"target CPython (repeatable; default: {' '.join(PYTHON_VERSIONS)})",
    )
    args = parser.parse_args(argv)
    try:
        write_all(args.python_versions or PYTHON_VERSIONS)
    except LockError as exc:
        print(f"lock: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
