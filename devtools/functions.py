"""The deployable functions of the repository and the files each one is made of.

One place for the layout rules that the package build, the lock, the deployment files and their
tests all follow, so they cannot disagree:

* a function is a folder ``functions/<name>/`` holding an ``index.py``;
* its ``config.json`` is the one beside ``index.py``; only the original function,
  ``getMonthlyVisitTrend``, keeps the repository root's (the fallback
  ``wxcloud.FunctionApp.deployed`` applies in the source tree). Any other folder without its
  own is an error here: the root one's permissions and monthly timer are not meant for it;
* its runtime dependencies are the root ``requirements.txt`` plus, when the folder has one, its own
  ``requirements.txt`` of extra dependencies.

Stdlib only: ``make package`` and ``make deploy-files`` run it with a bare ``python3``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = "functions"
DEFAULT_FUNCTION = "getMonthlyVisitTrend"  # the original function: root config.json, root serverless.yml
REQUIREMENTS = "requirements.txt"


class LayoutError(Exception):
    """A function folder that cannot be built or deployed as it is; the message says why."""


@dataclass(frozen=True)
class Function:
    """One function folder, with the files it is built from."""

    name: str
    root: Path

    @property
    def folder(self) -> Path:
        return self.root / FUNCTIONS_DIR / self.name

    @property
    def handler(self) -> Path:
        return self.folder / "index.py"

    @property
    def config(self) -> Path:
        """The ``config.json`` the function ships: its own, else the repository root's."""
        own = self.folder / "config.json"
        return own if own.is_file() else self.root / "config.json"

    @property
    def extra_requirements(self) -> Path | None:
        """The folder's own ``requirements.txt`` (dependencies on top of the root's), if any."""
        path = self.folder / REQUIREMENTS
        return path if path.is_file() else None

    @property
    def requirement_files(self) -> tuple[Path, ...]:
        """What the function's dependencies are resolved from, root first."""
        extra = self.extra_requirements
        return (self.root / REQUIREMENTS,) if extra is None else (self.root / REQUIREMENTS, extra)

    def read_config(self) -> dict[str, Any]:
        if self.config != self.folder / "config.json" and self.name != DEFAULT_FUNCTION:
            raise LayoutError(
                f"{self.name}: {FUNCTIONS_DIR}/{self.name}/config.json does not exist; only {DEFAULT_FUNCTION} uses "
                "the root one (its permissions and timer are not this function's)"
            )
        try:
            loaded = json.loads(self.config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LayoutError(f"{self.name}: cannot read {_relative(self.config, self.root)}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise LayoutError(f"{self.name}: {_relative(self.config, self.root)} is not a JSON object")
        return loaded


def function(name: str, root: Path = ROOT) -> Function:
    """The function folder ``name``, checked to exist (an unknown name lists the known ones)."""
    found = Function(name, root)
    if not found.handler.is_file():
        known = ", ".join(f.name for f in all_functions(root)) or "none"
        raise LayoutError(f"no function {name!r}: {_relative(found.handler, root)} does not exist (functions: {known})")
    return found


def all_functions(root: Path = ROOT) -> list[Function]:
    """Every function folder, sorted by name."""
    base = root / FUNCTIONS_DIR
    if not base.is_dir():
        return []
    return [Function(p.name, root) for p in sorted(base.iterdir()) if (p / "index.py").is_file()]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
