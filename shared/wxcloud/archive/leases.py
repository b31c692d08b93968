"""Leases: which app a worker of a fanned-out run is archiving right now, kept in the database.

A fanned-out run sends one asynchronous invocation per app (``fanout.py``), and SCF may deliver an
event twice, late, or after the worker it was meant for has died. The archive's writes are
idempotent, so a second worker would store nothing twice, but it would spend the app's quota
asking again for what the first is asking. So a worker takes the app's lease first, and a worker
that cannot take it leaves: one worker per app at a time.

A lease has a holder and an end (``expires_at``): a worker that dies (SCF's time limit, a crash)
leaves its lease to expire, and the next worker takes it over. A worker that invokes the next one
for the rest of the app's work *hands the lease on*: its holder becomes ``handoff:<token>`` and the
token travels in the next worker's event, so that worker, and no other, takes it at once (a copy
of that event delivered later finds the lease taken, or free again and the work done).

Taking a lease is one atomic statement per database, whatever the dialect: insert the row if the
app has none (``tables.insert_new``), else update it where it has expired or is handed to this
token; the statement's row count says whether this worker got it. Times are the workers' wall
clocks (UTC), which SCF's hosts keep within a second or so of each other: far below a lease's
length (the function's time limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, or_, select, update

from .store import Archive
from .tables import KEY_LENGTH, insert_new

HANDOFF = "handoff:"


class Leases:
    """The lease table of ``archive``, on ``wall_clock`` (tests pin it)."""

    def __init__(self, archive: Archive, *, wall_clock: Callable[[], float] = time.time) -> None:
        self.archive = archive
        self.table = archive.tables.leases
        self.wall_clock = wall_clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_clock(), timezone.utc).replace(tzinfo=None)

    def take(self, key: str, holder: str, seconds: float, *, handoff: str | None = None, run_id: int | None = None) -> bool:
        """Take the lease of ``key`` for ``seconds``, if nobody holds it (or its holder's time is
        over, or it was handed on to ``handoff``); whether this holder has it now."""
        now = self._now()
        row = {"work_key": key[:KEY_LENGTH], "holder": holder[:KEY_LENGTH], "run_id": run_id, "taken_at": now,
               "expires_at": now + timedelta(seconds=seconds)}

        def work(connection: Connection) -> bool:
            if insert_new(connection, self.table, [row]) == 1:
                return True
            free = self.table.c.expires_at <= now
            if handoff is not None:
                free = or_(free, self.table.c.holder == f"{HANDOFF}{handoff}"[:KEY_LENGTH])
            taken = connection.execute(update(self.table).where(self.table.c.work_key == row["work_key"], free).values(
                holder=row["holder"], run_id=run_id, taken_at=now, expires_at=row["expires_at"]))
            return bool(taken.rowcount == 1)

        return self.archive.write(work, "taking the app's lease")

    def hand_off(self, key: str, holder: str, token: str, seconds: float) -> bool:
        """Give ``holder``'s lease of ``key`` to whoever comes with ``token``, for ``seconds`` (time for
        the next worker's event to arrive); False when ``holder`` no longer has it."""
        now = self._now()

        def work(connection: Connection) -> bool:
            mine = (self.table.c.work_key == key[:KEY_LENGTH], self.table.c.holder == holder[:KEY_LENGTH])
            moved = connection.execute(update(self.table).where(*mine).values(
                holder=f"{HANDOFF}{token}"[:KEY_LENGTH], run_id=None, taken_at=now, expires_at=now + timedelta(seconds=seconds)))
            return bool(moved.rowcount == 1)

        return self.archive.write(work, "handing the app's lease on")

    def release(self, key: str, holder: str) -> None:
        """Let the lease of ``key`` go now, if ``holder`` still has it."""
        now = self._now()
        self.archive.write(
            lambda connection: connection.execute(update(self.table).where(
                self.table.c.work_key == key[:KEY_LENGTH], self.table.c.holder == holder[:KEY_LENGTH]).values(expires_at=now)),
            "releasing the app's lease",
        )

    def held(self, keys: Iterable[str]) -> dict[str, datetime]:
        """The keys among ``keys`` whose lease is held now, and until when (UTC, naive)."""
        wanted = [key[:KEY_LENGTH] for key in keys]
        if not wanted:
            return {}
        now = self._now()
        query = select(self.table.c.work_key, self.table.c.expires_at).where(self.table.c.expires_at > now)
        rows = self.archive.read(lambda connection: connection.execute(query).all())
        chosen = set(wanted)
        return {row.work_key: row.expires_at for row in rows if row.work_key in chosen}
