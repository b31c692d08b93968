"""The archive's exceptions, in one place: what each means and whether SCF is to run it again.

The archive's failures are cloud-call errors like the library's (``wxcloud.errors``), so a run's
answer is the same ``{errCode, errMsg}`` a cloud function returns; they hang under the library's
tree (parents in brackets are ``wxcloud.errors``'), each with its code and its class
(``errcodes.ErrorClass``)::

    [PlatformError]
    ├── [ConfigurationError]          -601001  PERMANENT    settings, URL, credentials: fixed by hand
    │   └── DatabaseUnreachable       -601001  UNAVAILABLE  the database did not take the connection
    ├── [StorageError]                -601001  UNAVAILABLE  the database failed while in use
    │   ├── DatabaseError             -601001  UNAVAILABLE  a database failure during a run, safe to log
    │   │   └── RowRefused            -601001  UNAVAILABLE  the database refused one period's rows
    │   └── NotStored                 -601001  UNAVAILABLE  fetched from WeChat, not stored (``.result``)
    └── [InvalidParameters]           -501007  BAD_REQUEST
        └── NothingArchived           -501007  BAD_REQUEST  a reading command found no archive

    Exception                                               never an answer, never returned
    ├── RetryLater                    a worker's failure a later try can cure: raised to SCF
    └── EmptyArchive                  nothing of the appid archived in the range: no report

``UNAVAILABLE`` is the one class that exists for the archive: its database errors share -601001
with configuration errors, so they carry their class themselves (``WxCloudError.kind``) rather
than by their code. It is in ``errcodes.RETRY_LATER``, so ``wxcloud.errors.retry_later`` (the one
rule every asynchronous invocation asks, the archive's worker included) says to run them again.

``DatabaseUnreachable`` was a configuration error by its code and retried by the archive's own
list of types; it is now retried by the one rule: a database that does not connect (refused,
timed out, the server going away) may be a server down for a moment, and on an asynchronous
invocation a retry a minute or two later costs nothing and may succeed. Its parent stays
``ConfigurationError``: its code, its message (check the URL, the server, the VPC) and everything
that catches configuration errors are unchanged. ``RowRefused`` inherits ``UNAVAILABLE``; a run
counts it as its period's failure and goes on (``fetch/runner.py``), so it does not reach that decision.
"""

from __future__ import annotations

from typing import Any

from ..errcodes import ErrorClass
from ..errors import ConfigurationError, InvalidParameters, StorageError

__all__ = [
    "DatabaseError",
    "DatabaseUnreachable",
    "EmptyArchive",
    "NotStored",
    "NothingArchived",
    "RetryLater",
    "RowRefused",
    "StorageError",
]


class DatabaseUnreachable(ConfigurationError):
    """The database did not take the connection (refused, timed out, the server going away): the
    setup may be right and the server down for a moment, so an asynchronous invocation is worth
    another try (``UNAVAILABLE``), unlike any other configuration error (``database.unreachable``
    tells them apart)."""

    kind = ErrorClass.UNAVAILABLE


class DatabaseError(StorageError):
    """A database failure during a run (-601001), with a message safe to log (password masked)."""


class RowRefused(DatabaseError):
    """The database refused the rows of one period (a value it cannot hold, a constraint it
    checks), while it takes other rows: that period's failure, not an outage, so a run counts the
    period as ``failed`` and goes on with the others (``database.refused`` tells them apart)."""


class NotStored(StorageError):
    """``Archive.get`` fetched a result from WeChat but could not store it (-601001). The result
    is not thrown away with the failure: it is ``result``, so a caller can still use it (the quota
    is spent either way), and the next ``get`` of that period fetches it again."""

    def __init__(self, hint: str, result: dict[str, Any]) -> None:
        super().__init__(hint)
        self.result = result


class NothingArchived(InvalidParameters):
    """A reading command found no archive: the SQLite file does not exist, or the database has
    none of the archive's tables. Reading never creates them (a mistyped path would otherwise
    leave an empty database behind); ``reason`` says which, naming the database."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"nothing is archived yet: {reason}; run `backfill --since 1y` first")
        self.what = reason


class RetryLater(Exception):
    """Raised by a worker of a fanned-out run whose failure a later try can cure (what
    ``wxcloud.errors.retry_later`` says so of: the database or a secret's store unreachable, a
    transient failure, the time budget spent before any work), or whose event another copy of it
    is still running: SCF retries an asynchronous invocation that raises. Its text is the error
    value's, free of secrets."""


class EmptyArchive(Exception):
    """Nothing of the appid is archived in the range: there is no report to make."""
