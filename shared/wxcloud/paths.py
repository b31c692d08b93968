"""The files a user names: the demo's and the archive's `--out`, and the SQLite archive's file.

A path that cannot be used is bad input the user can fix, so it is one line naming the path as an
absolute one (a relative path is read against a working directory the user may not have in mind)
and what is wrong with it: a folder where a file belongs, a file where a folder belongs, a folder
that does not exist, a place that cannot be written. The outputs are checked before any work
(a report is not rendered to be lost), and the write itself is checked too: a disk that fills or
a place only the write finds unwritable (``/proc``, a read-only mount, a check that root passes)
gives the same kind of line. Written with pathlib and ``os.access`` alone: nothing to install.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import InvalidParameters

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
SHOWN_CHARS = 300  # a path in a message: the start is what tells it apart


def absolute(path: str | Path) -> Path:
    """``path`` made absolute against the working directory (``~`` expanded, symlinks kept)."""
    return Path(os.path.abspath(Path(path).expanduser()))


def shown(path: Path) -> str:
    text = str(path)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _existing_folder(path: Path) -> Path:
    """The nearest ancestor of ``path`` that exists (a file, when the path runs below one)."""
    folder = path.parent
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    return folder


def _folder_problem(path: Path, *, make_folder: bool) -> str | None:
    folder = _existing_folder(path)
    if not folder.is_dir():
        return f"{shown(folder)} is a file, not a folder"
    if folder != path.parent and not make_folder:
        return f"its folder {shown(path.parent)} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {shown(folder)} cannot be written"
    return None


def output_problem(path: Path, *, make_folder: bool = False) -> str | None:
    """Why a file cannot be written at ``path`` (absolute), or None when it seems it can
    (``make_folder``: missing folders will be created). Never raises: a place that cannot even
    be looked at (no permission to search a folder, a name too long) is the answer itself."""
    try:
        if path.is_dir():
            return "it is a folder"
        problem = _folder_problem(path, make_folder=make_folder)
        if problem is None and os.path.lexists(path) and not os.access(path, os.W_OK):
            return "the file cannot be written"
        return problem
    except OSError as exc:
        return _os_reason(exc)


def _os_reason(exc: OSError) -> str:
    return f"it cannot be looked at ({exc.strerror or type(exc).__name__})"


def _unwritable(option: str, path: Path, reason: str) -> InvalidParameters:
    return InvalidParameters(f"{option} {shown(path)} cannot be written: {reason}; choose a writable path")


def output(path: str | Path, option: str, *, make_folder: bool = False) -> Path:
    """``path`` (given as ``option``) made absolute, once checked: ``InvalidParameters`` naming it
    when no file can be written there."""
    target = absolute(path)
    problem = output_problem(target, make_folder=make_folder)
    if problem is not None:
        raise _unwritable(option, target, problem)
    return target


def write(path: Path, content: str | bytes, option: str, *, make_folder: bool = False) -> None:
    """Write ``content`` (text as UTF-8) to ``path``; a failure is ``InvalidParameters`` naming it,
    raised outside the ``except`` block, so no OS exception is chained to it."""
    problem: InvalidParameters | None = None
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as exc:  # a full disk, a place the checks could not foresee
        problem = _unwritable(option, path, exc.strerror or type(exc).__name__)
    if problem is not None:
        raise problem


def sqlite_problem(path: Path) -> str | None:
    """Why ``path`` (absolute) cannot be an SQLite archive, or None: a folder, a file that is
    not an SQLite database, a place below a file or where its file cannot be created. An
    existing database is not asked to be writable: reading commands may use a read-only copy.
    Never raises, and never opens what is not a regular file (a FIFO would block the read)."""
    try:
        if path.is_dir():
            return "it is a folder, not an SQLite file"
        if os.path.lexists(path):
            if not stat.S_ISREG(path.stat().st_mode):
                return "it is not a regular file"
            with path.open("rb") as file:
                head = file.read(len(SQLITE_HEADER))
            if head and head != SQLITE_HEADER:
                return "it is a file of another kind, not an SQLite database"
            return None
        return _folder_problem(path, make_folder=True)
    except OSError as exc:
        return _os_reason(exc)
