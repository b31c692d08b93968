"""``make dist``: wxcloud's sdist and wheel in ``dist/``, built as ``python -m build`` builds them,
with nothing but python3 and pip.

wxcloud is on no package index; this wheel (or the checkout itself) is what a user installs,
``pip install 'dist/wxcloud-<version>-py3-none-any.whl[archive]'``. The build backend pyproject.toml
names (setuptools) is installed by pip into a temporary directory, as ``pip install .`` would
fetch it, so no build front end is needed. The sdist is built from the checkout and the wheel from
the unpacked sdist: a file the sdist forgets (the report's vendored ECharts, ``py.typed``, the typed
stub) is missing from the wheel and fails the tests that install it, not a user's install. The
checkout is left as it was: the backend's scratch (``*.egg-info``) goes to the temporary directory.

    python3 devtools/dist.py [--out dist]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "wxcloud"
# Left out of the copy the sdist is made from (the copy keeps the backend's scratch out of the checkout):
# environments, caches, builds and local data, none of which is the project's source.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".cache",
    "build",
    "dist",
    ".data",
    "node_modules",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)
# Run by the build backend's interpreter: PEP 517's two hooks, the sdist's then the wheel's.
HOOK = """
import sys
from setuptools import build_meta
print(getattr(build_meta, sys.argv[1])(sys.argv[2]))
"""


def build_requirements(pyproject: Path) -> list[str]:
    """``[build-system] requires`` of ``pyproject`` (read without tomllib, which Python 3.10 lacks)."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[build-system\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    listed = re.search(r"^requires\s*=\s*\[(.*?)\]", section.group(1) if section else "", re.M | re.S)
    if listed is None:
        raise SystemExit(f"dist: {pyproject} names no [build-system] requires")
    return re.findall(r"""["']([^"']+)["']""", listed.group(1))


def _hook(python: str, backend: Path, hook: str, out: Path, cwd: Path) -> Path:
    """The file the backend's ``hook`` wrote into ``out``, building the project at ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(backend)}
    done = subprocess.run([python, "-c", HOOK, hook, str(out)], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dist: {hook} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return out / done.stdout.strip().splitlines()[-1]


def build(out: Path, python: str = sys.executable) -> list[Path]:
    """The sdist and the wheel of the checkout, in ``out`` (earlier ones of wxcloud there removed)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob(f"{DISTRIBUTION}-*.tar.gz"), *out.glob(f"{DISTRIBUTION}-*.whl")]:
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="wxcloud-dist-") as scratch:
        work = Path(scratch)
        backend = work / "backend"
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", str(backend)]
        subprocess.run(
            [*pip, *build_requirements(ROOT / "pyproject.toml")],
            check=True,
            env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
        )
        source = shutil.copytree(ROOT, work / "source", ignore=NOT_SOURCE)
        sdist = _hook(python, backend, "build_sdist", out.resolve(), source)
        unpacked = work / "unpacked"
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+: refuse links and paths out of the tree
                archive.extractall(unpacked, filter="data")
            else:
                archive.extractall(unpacked)  # our own sdist, just built
        (tree,) = unpacked.iterdir()
        wheel = _hook(python, backend, "build_wheel", out.resolve(), tree)
    return [sdist, wheel]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dist", description="wxcloud's sdist and wheel, for installing without a package index"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dist", help="where they go (default: dist/ in the checkout)"
    )
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
