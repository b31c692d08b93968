#!/usr/bin/env python3
"""The project's two commands, runnable on a machine that has nothing but python3:

    python3 dev.py demo [--month 2026-10]   invoke the function locally and print its result
    python3 dev.py test [pytest args]       run the whole test suite
    python3 dev.py check                    lint and type-check for Python 3.10 (ruff, mypy)
    python3 dev.py bench [--rounds N]       benchmarks against their baselines (bench/run.py)

Each creates (or refreshes) the virtualenv ``.venv`` from the pinned requirements first, then
runs inside it. The environment is rebuilt only when requirements-dev.txt or requirements.txt
change, so repeated runs start at once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".requirements.sha256"
REQUIREMENTS = (ROOT / "requirements-dev.txt", ROOT / "requirements.txt")


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in REQUIREMENTS)).hexdigest()
    python = venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return python
    print(f"dev.py: preparing {VENV.name} (requirements changed or missing)...", file=sys.stderr)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(REQUIREMENTS[0])], check=True)
    STAMP.write_text(digest)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "check", "bench"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_venv()
    env = dict(os.environ)
    if command == "demo":
        return subprocess.call([str(python), "-m", "devtools.demo", *rest], cwd=ROOT, env=env)
    if command == "check":
        ruff = subprocess.call([str(python), "-m", "ruff", "check", "--target-version", "py310", "."], cwd=ROOT, env=env)
        mypy = subprocess.call([str(python), "-m", "mypy", "--python-version", "3.10"], cwd=ROOT, env=env)
        return ruff or mypy
    if command == "bench":
        subprocess.call([str(python), str(ROOT / "devtools" / "install_wxsdk.py")], cwd=ROOT, env=env)  # node baseline
        return subprocess.call([str(python), str(ROOT / "bench" / "run.py"), *rest], cwd=ROOT, env=env)
    node_check = subprocess.call([str(python), str(ROOT / "devtools" / "install_wxsdk.py")], cwd=ROOT, env=env)
    if node_check != 0:
        print("dev.py: wx-server-sdk is not installed; its differential tests will be skipped", file=sys.stderr)
    return subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
