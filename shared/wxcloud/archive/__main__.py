"""``python -m wxcloud.archive`` and the console script ``wxcloud-archive``: see ``wxcloud.archive.cli.main``.

A module the command imports and the ``archive`` extra brings, when missing, is one line on stderr
naming the line that installs it (exit status 2), never a traceback."""

from __future__ import annotations

import sys

from ..extras import missing_extra, stop_program

try:
    from .cli.main import main
except ModuleNotFoundError as exc:
    missing = missing_extra("archive", exc, "wxcloud-archive")
    if missing is None:
        raise
    stop_program(missing, module="wxcloud.archive", script="wxcloud-archive")
    raise missing from exc

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
