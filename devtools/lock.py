"""Regenerate ``requirements.lock``: the function's runtime pins with the hash of every wheel.

Usage::

    python3 devtools/lock.py [--python-version 3.10 --python-version 3.11]

Why a lock beside ``requirements.txt``: the deployment package is built on one machine for
another (SCF: CPython 3.10 or 3.11 on CentOS 7, glibc 2.17), so ``devtools/build_package.py``
downloads wheels for that target with ``pip download --require-hashes``. The hashes make the
package reproducible and make a tampered or substituted wheel (a mirror, a cache) fail the build
instead of shipping. ``requirements.txt`` stays the human-edited list; this file is derived.

For each pinned requirement this downloads, per target CPython, the one wheel pip selects for
``manylinux2014_x86_64`` (``--no-deps``: the pins are the complete set) and records its sha256.
Pure wheels (``py3-none-any``) give one hash for all versions; ``pydantic-core`` and
``charset-normalizer`` give one per CPython. It then checks that the pins are closed under the
wheels' own dependencies, so a missing transitive pin fails here rather than at import on SCF.

Stdlib + pip only. The helpers (``read_requirements``, ``read_lock``, ``parse_wheel_name``) are
shared with ``build_package.py``, which checks the lock against ``requirements.txt``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements.lock"

# The CPython versions SCF offers for this function; the build refuses a version not locked.
LOCK_PYTHON_VERSIONS = ("3.10", "3.11")
# SCF's OS is CentOS 7 (glibc 2.17): manylinux2014 is the newest wheel platform it can load.
PLATFORM = "manylinux2014_x86_64"
VERSIONS_HEADER = "# python-versions:"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#\\]+)$")
_HASH = re.compile(r"--hash=sha256:(?P<digest>[0-9a-f]{64})")


class LockError(Exception):
    """A requirement, lock or download problem; the message says what to do about it."""


@dataclass(frozen=True)
class Pin:
    """One ``name==version`` line: the canonical name (PEP 503) is what files are matched by."""

    name: str
    version: str

    @property
    def key(self) -> str:
        return canonical_name(self.name)


@dataclass(frozen=True)
class LockedPin:
    """A pin of ``requirements.lock`` with the sha256 of every wheel allowed for it."""

    name: str
    version: str
    hashes: frozenset[str]

    @property
    def key(self) -> str:
        return canonical_name(self.name)


@dataclass(frozen=True)
class Lock:
    """``requirements.lock`` parsed: the pins and the Python versions its hashes cover."""

    pins: tuple[LockedPin, ...]
    python_versions: tuple[str, ...]


@dataclass(frozen=True)
class WheelName:
    """The parts of a wheel file name (PEP 427) that decide what it is and where it can run."""

    name: str
    version: str
    python_tags: frozenset[str]
    abi_tags: frozenset[str]
    platform_tags: frozenset[str]

    @property
    def key(self) -> str:
        return canonical_name(self.name)

    @property
    def is_pure(self) -> bool:
        return self.abi_tags == {"none"} and self.platform_tags == {"any"}


def canonical_name(name: str) -> str:
    """PEP 503 normalisation, so ``pydantic_core`` (a wheel file) matches ``pydantic-core`` (a pin)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(path: Path = REQUIREMENTS) -> list[Pin]:
    """The ``name==version`` pins of a requirements file; anything looser is an error, because a
    deployment built from a range would change under us between two builds."""
    pins: list[Pin] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if not match:
            raise LockError(f"{path.name}:{number}: {raw.strip()!r} is not an exact 'name==version' pin (the lock needs one)")
        pins.append(Pin(match["name"], match["version"]))
    seen: set[str] = set()
    for pin in pins:
        if pin.key in seen:
            raise LockError(f"{path.name}: {pin.name} is pinned twice")
        seen.add(pin.key)
    return pins


def read_lock(path: Path = LOCK) -> Lock:
    """Parse a lock written by :func:`write_lock` (continuation lines joined, hashes collected)."""
    if not path.is_file():
        raise LockError(f"{path} does not exist: run 'python3 devtools/lock.py' to create it")
    text = path.read_text(encoding="utf-8")
    versions: tuple[str, ...] = ()
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        if raw.startswith(VERSIONS_HEADER):
            versions = tuple(raw[len(VERSIONS_HEADER) :].split())
            continue
        line = raw.strip()
        if line.startswith("#"):
            continue
        current += " " + line.rstrip("\\").strip()
        if not line.endswith("\\"):
            if current.strip():
                logical.append(current.strip())
            current = ""
    if current.strip():
        logical.append(current.strip())
    pins: list[LockedPin] = []
    for entry in logical:
        requirement, _, options = entry.partition(" ")
        match = _PIN.match(requirement)
        hashes = frozenset(m["digest"] for m in _HASH.finditer(options))
        if not match or not hashes:
            raise LockError(f"{path.name}: malformed entry {entry[:80]!r}; regenerate it with 'python3 devtools/lock.py'")
        pins.append(LockedPin(match["name"], match["version"], hashes))
    if not versions:
        raise LockError(f"{path.name}: no '{VERSIONS_HEADER}' line; regenerate it with 'python3 devtools/lock.py'")
    return Lock(tuple(pins), versions)


def parse_wheel_name(filename: str) -> WheelName:
    """Split ``name-version[-build]-python-abi-platform.whl``; compressed tag sets (``a.b``) expand."""
    if not filename.endswith(".whl"):
        raise LockError(f"{filename}: not a wheel")
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise LockError(f"{filename}: not a valid wheel file name")
    name, version = parts[0], parts[1]
    python, abi, platform = parts[-3:]
    return WheelName(name, version, frozenset(python.split(".")), frozenset(abi.split(".")), frozenset(platform.split(".")))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def target_options(python_version: str) -> list[str]:
    """pip's options that select wheels for SCF rather than for the machine running pip."""
    return [
        "--only-binary=:all:",
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        python_version,
    ]


def pip_environment() -> dict[str, str]:
    """The caller's environment (proxies, index mirrors, certificates stay in force) minus pip's
    chatter: no version check, no prompt, no warning about running as root in a container."""
    env = dict(os.environ)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_ROOT_USER_ACTION="ignore", PIP_REQUIRE_VIRTUALENV="0")
    return env


def run_pip(args: Sequence[str], what: str, python: str = sys.executable) -> None:
    """Run ``python -m pip args``; a failure becomes a :class:`LockError` naming the step."""
    command = [python, "-m", "pip", *args]
    try:
        completed = subprocess.run(command, env=pip_environment(), check=False)
    except OSError as exc:
        raise LockError(f"{what}: cannot run {python}: {exc}") from exc
    if completed.returncode != 0:
        raise LockError(f"{what} failed (pip exit status {completed.returncode}; pip's messages are above). Command: {' '.join(command)}")


def ensure_pip(python: str = sys.executable) -> None:
    """Fail early and clearly when the interpreter has no pip (e.g. a bare distro python3)."""
    probe = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise LockError(f"pip is not available for {python} (install python3-pip, or run with an interpreter that has pip)")


def download_wheels(pins: Iterable[Pin], python_version: str, dest: Path) -> dict[str, Path]:
    """Download exactly one wheel per pin for the target into ``dest``; canonical name -> file."""
    wanted = list(pins)
    run_pip(
        ["download", "-q", "--no-deps", *target_options(python_version), "-d", str(dest), *(f"{p.name}=={p.version}" for p in wanted)],
        f"downloading wheels for CPython {python_version}",
    )
    found: dict[str, Path] = {}
    for wheel in sorted(dest.glob("*.whl")):
        parsed = parse_wheel_name(wheel.name)
        if parsed.key in found:
            raise LockError(f"two wheels for {parsed.name} for CPython {python_version}: {found[parsed.key].name}, {wheel.name}")
        found[parsed.key] = wheel
    for pin in wanted:
        wheel_path = found.get(pin.key)
        if wheel_path is None:
            raise LockError(f"pip saved no wheel for {pin.name}=={pin.version} (CPython {python_version}, {PLATFORM})")
        if parse_wheel_name(wheel_path.name).version != pin.version:
            raise LockError(f"{pin.name}: wanted {pin.version}, pip saved {wheel_path.name}")
    return found


def check_closure(requirements: Path, wheels: Path, python_version: str) -> None:
    """Resolve ``requirements`` *with* dependencies against only the downloaded wheels: if a
    wheel needs a distribution that is not pinned, pip cannot find it and this fails."""
    with tempfile.TemporaryDirectory(prefix="lock-closure-") as target:
        run_pip(
            [
                "install",
                "-q",
                "--dry-run",
                "--ignore-installed",
                "--no-index",
                "--find-links",
                str(wheels),
                *target_options(python_version),
                "--target",
                target,
                "-r",
                str(requirements),
            ],
            f"checking that {requirements.name} pins every dependency (CPython {python_version}); pin the missing one",
        )


def render_lock(pins: Sequence[Pin], hashes: dict[str, set[str]], python_versions: Sequence[str]) -> str:
    """The lock's text: sorted by name, one ``--hash`` per allowed wheel, sorted, so a rerun on
    unchanged pins gives a byte-identical file and diffs show only real changes."""
    lines = [
        "# requirements.lock: the deployed function's runtime dependencies (requirements.txt) with the",
        f"# sha256 of every wheel the package may ship, for CPython {', '.join(python_versions)} on {PLATFORM} (SCF).",
        "# Generated from requirements.txt; do not edit by hand. After changing requirements.txt, regenerate with:",
        "#     python3 devtools/lock.py",
        f"{VERSIONS_HEADER} {' '.join(python_versions)}",
    ]
    for pin in sorted(pins, key=lambda p: p.key):
        digests = sorted(hashes[pin.key])
        lines.append(f"{pin.key}=={pin.version} \\")
        lines.extend(f"    --hash=sha256:{d}" + (" \\" if i < len(digests) - 1 else "") for i, d in enumerate(digests))
    return "\n".join(lines) + "\n"


def write_lock(requirements: Path = REQUIREMENTS, lock: Path = LOCK, python_versions: Sequence[str] = LOCK_PYTHON_VERSIONS) -> Lock:
    """Download, hash, check closure, then replace ``lock`` atomically (never half-written)."""
    pins = read_requirements(requirements)
    if not pins:
        raise LockError(f"{requirements} pins nothing")
    ensure_pip()
    hashes: dict[str, set[str]] = {pin.key: set() for pin in pins}
    for version in python_versions:
        with tempfile.TemporaryDirectory(prefix=f"lock-cp{version.replace('.', '')}-") as scratch:
            wheels = download_wheels(pins, version, Path(scratch))
            for key, wheel in wheels.items():
                hashes[key].add(sha256_of(wheel))
                print(f"  cp{version.replace('.', '')}: {wheel.name}")
            check_closure(requirements, Path(scratch), version)
    text = render_lock(pins, hashes, python_versions)
    partial = lock.with_name(lock.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, lock)
    return read_lock(lock)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--python-version",
        action="append",
        dest="python_versions",
        metavar="X.Y",
        help=f"target CPython (repeatable; default: {' '.join(LOCK_PYTHON_VERSIONS)})",
    )
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS)
    parser.add_argument("--lock", type=Path, default=LOCK)
    args = parser.parse_args(argv)
    versions = tuple(args.python_versions or LOCK_PYTHON_VERSIONS)
    for version in versions:
        if not re.fullmatch(r"3\.\d+", version):
            parser.error(f"--python-version {version!r}: expected 3.X")
    try:
        lock = write_lock(args.requirements, args.lock, versions)
    except LockError as exc:
        print(f"lock.py: error: {exc}", file=sys.stderr)
        return 1
    wheels = sum(len(p.hashes) for p in lock.pins)
    print(f"wrote {args.lock} ({len(lock.pins)} pins, {wheels} wheel hashes, CPython {', '.join(versions)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
