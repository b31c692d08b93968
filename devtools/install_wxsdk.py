"""Install the pinned wx-server-sdk used as the oracle by ``tests/core/test_casing_differential.py`` and
``tests/openapi/test_openapi_differential.py``.

Usage::

    python devtools/install_wxsdk.py [--dir DIR]

installs ``wx-server-sdk@4.0.2`` with npm into ``DIR/node_modules/wx-server-sdk``. ``DIR`` defaults
to ``$WX_SERVER_SDK_DIR`` if set, else ``<repo>/.cache/wxsdk``. Idempotent: when the pinned version
is already there nothing is run. Development / CI only (needs node + npm and the npm registry);
the tests themselves never touch the network. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SDK_PACKAGE = "wx-server-sdk"
SDK_VERSION = "4.0.2"
ENV_VAR = "WX_SERVER_SDK_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
NPM_FLAGS = ("--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", "--loglevel=error")


def install_dir(repo_root: Path | str = REPO_ROOT) -> Path:
    """Directory holding ``node_modules/wx-server-sdk``: ``$WX_SERVER_SDK_DIR`` or ``.cache/wxsdk``."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    return Path(repo_root).resolve() / ".cache" / "wxsdk"


def sdk_dir(repo_root: Path | str = REPO_ROOT) -> Path:
    """The SDK package directory itself (``<install_dir>/node_modules/wx-server-sdk``).

    This is what ``devtools/wxsdk_oracle.js`` takes as its argument. It may not exist yet; see
    :func:`is_installed`.
    """
    return package_dir(install_dir(repo_root))


def package_dir(directory: Path | str) -> Path:
    return Path(directory) / "node_modules" / SDK_PACKAGE


def installed_version(package: Path) -> str | None:
    """Version of the SDK at ``package`` if it looks usable (package.json + index.js), else None."""
    try:
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (package / "index.js").is_file() or not isinstance(meta, dict):
        return None
    version = meta.get("version")
    return version if isinstance(version, str) else None


def is_installed(package: Path | str) -> bool:
    return installed_version(Path(package)) == SDK_VERSION


def install(directory: Path) -> Path:
    """Ensure ``wx-server-sdk@SDK_VERSION`` is installed under ``directory``; return the package dir.

    Raises ``RuntimeError`` with a readable message when npm is missing or the install fails.
    """
    package = package_dir(directory)
    if is_installed(package):
        return package
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found on PATH; install Node.js (with npm) first")
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / "package.json"
    if not manifest.exists():
        # Anchor npm here; without a package.json it would walk up and may pick the wrong project.
        manifest.write_text(
            json.dumps({"name": "wxsdk-oracle", "private": True, "description": "test oracle only"}) + "\n",
            encoding="utf-8",
        )
    command = [npm, "install", *NPM_FLAGS, f"{SDK_PACKAGE}@{SDK_VERSION}"]
    try:
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise RuntimeError(f"could not run npm: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise RuntimeError(f"`{' '.join(command)}` failed in {directory} (exit {result.returncode}):\n{detail}")
    found = installed_version(package)
    if found != SDK_VERSION:
        raise RuntimeError(f"npm finished but {package} has version {found!r}, expected {SDK_VERSION!r}")
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Install {SDK_PACKAGE}@{SDK_VERSION} for tests.")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"install into DIR/node_modules/{SDK_PACKAGE} (default: ${ENV_VAR} or <repo>/.cache/wxsdk)",
    )
    args = parser.parse_args(argv)
    directory = args.dir.expanduser().resolve() if args.dir else install_dir()
    already = is_installed(package_dir(directory))
    try:
        package = install(directory)
    except RuntimeError as exc:
        print(f"install_wxsdk: error: {exc}", file=sys.stderr)
        return 1
    state = "already installed" if already else "installed"
    print(f"{SDK_PACKAGE}@{SDK_VERSION} {state} at {package}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
