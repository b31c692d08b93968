"""Leases: who is archiving which app right now, kept in the database, and the proof a worker's
event carries.

A fanned-out run sends one asynchronous invocation per app (``fanout.py``), and SCF may deliver an
event twice, late, or after the worker it was meant for has died. The archive's writes are
idempotent, so a second worker would store nothing twice, but it would spend the app's quota
asking again for what the first is asking. And anyone who may invoke the function can send it an
event of a worker's shape. So a worker acts only under the app's lease, and only on an event that
proves the lease was handed to it:

* the run that sends an event (the dispatcher, or the worker before in the app's chain) first
  takes or holds the app's lease, then *hands it on*: the lease's holder becomes
  ``handoff:<digest>``, where the digest is a SHA-256 over a fresh random token and the whole
  work the event names (``fanout.Work.digest``). The token travels in the event, the digest stays
  in the database. A worker recomputes the digest from the event it got: only the event as it was
  sent, token and work unchanged, finds its lease; a forged event, an event with a changed
  ``today`` or ``proven``, or a copy of an event whose chain has moved on finds none, and does
  nothing (no lease, no ledger row, no request to WeChat);
* the worker holds the lease as ``<digest>:<request id>:<nonce>``, and a redelivery of its own
  event (SCF retries a worker that raised, or one that timed out) may take it over once it has
  expired, and no other event may;
* a worker that hands the rest on writes the next ``handoff:``; one that ends its app's chain lets
  the lease go as ``done:<digest>``, so a late copy of its event finds nothing to take over;
* a run that does the work itself (the timer's, when it fits) holds each app's lease as
  ``run:<request id>:<nonce>`` while it runs, so a chain and a run never archive one app at once.

Expiry: a lease has an end (``expires_at``). A worker that dies leaves its lease to expire, and the
next daily run takes it over. Every time here (taken, expires, whether one has expired) is the
*database's* clock, read in the statement's transaction: the workers' hosts may disagree by
seconds, a worker whose clock is wrong by hours must not take a lease that is still held.

Taking a lease never deadlocks and never fails for the other takers: the taker first updates the
row where it is free, then, if there was none, inserts it (``INSERT ... ON CONFLICT DO NOTHING`` /
``INSERT IGNORE``), at READ COMMITTED on MySQL and MariaDB, each statement locking one row and no
gap. Of several takers at once exactly one sees a row count of 1; the others see 0, "not taken".
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select, text, update
from sqlalchemy.sql import ColumnElement

from ...errors import WxCloudError
from ..store.archive import Archive
from ..store.tables import KEY_LENGTH, insert_new

logger = logging.getLogger("wxcloud")

HANDOFF = "handoff:"  # a lease handed on to the event whose digest follows
DONE = "done:"  # a lease whose chain ended (free, and no copy of the last event may take it over)
RUN = "run:"  # a lease held by a run that does the work itself


class Leases:
    """The lease table of ``archive``, on the database's clock."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.table = archive.tables.leases

    # ---- taking ---------------------------------------------------------------------------------

    def take(self, key: str, holder: str, seconds: float, *, run_id: int | None = None) -> bool:
        """Take the lease of ``key`` for ``seconds`` if it is free (nobody has it, or its time is
        over); whether ``holder`` has it now. A dispatcher and a run that does the work itself
        take leases this way."""
        return self._take(
            key, holder, seconds, free=lambda now: self.table.c.expires_at <= now, create=True, run_id=run_id
        )

    def take_handed(self, key: str, digest: str, holder: str, seconds: float) -> bool:
        """Take the lease of ``key`` handed on to the event whose digest is ``digest`` (or held by a
        worker of that same event whose time is over: a redelivery takes over from a worker that
        died or failed); whether ``holder`` has it now. Never creates a lease: an event that no
        lease was handed to leaves no row behind."""

        def free(now: datetime) -> ColumnElement[bool]:
            handed = self.table.c.holder == _cut(f"{HANDOFF}{digest}")
            expired_own = (self.table.c.holder.startswith(f"{digest}:", autoescape=True)) & (
                self.table.c.expires_at <= now
            )
            return or_(handed, expired_own)

        return self._take(key, _cut(f"{digest}:{holder}"), seconds, free=free, create=False)

    def _take(
        self, key: str, holder: str, seconds: float, *, free: Any, create: bool, run_id: int | None = None
    ) -> bool:
        key, holder = _cut(key), _cut(holder)

        def work(connection: Connection) -> bool:
            now = database_now(connection)
            values = {"holder": holder, "run_id": run_id, "taken_at": now, "expires_at": _after(now, seconds)}
            taken = connection.execute(
                update(self.table).where(self.table.c.work_key == key, free(now)).values(**values)
            )
            if taken.rowcount == 1:
                return True
            return create and insert_new(connection, self.table, [{"work_key": key, **values}]) == 1

        return self.archive.write(work, "taking the app's lease", row_locks_only=True)

    # ---- holding, handing on, letting go --------------------------------------------------------

    def hand_off(self, key: str, holder: str, digest: str, seconds: float) -> bool:
        """Hand ``holder``'s lease of ``key`` to the event whose digest is ``digest``, for ``seconds``
        (time for that event to arrive); False when ``holder`` no longer has it."""
        to = _cut(f"{HANDOFF}{digest}")
        return self._update_held(
            key,
            holder,
            lambda now: {"holder": to, "run_id": None, "taken_at": now, "expires_at": _after(now, seconds)},
            "handing the app's lease on",
        )

    def note_run(self, key: str, holder: str, run_id: int) -> None:
        """Record the ledger row of the run holding the lease (for whoever reads the table)."""
        self._update_held(key, holder, {"run_id": run_id}, "recording the lease's run")

    def renew(self, key: str, holder: str, seconds: float) -> bool:
        """Keep ``holder``'s lease of ``key`` for ``seconds`` more from now; False when it lost it."""
        return self._update_held(
            key, holder, lambda now: {"expires_at": _after(now, seconds)}, "renewing the app's lease"
        )

    def release(self, key: str, holder: str, *, ended: str | None = None) -> None:
        """Let the lease of ``key`` go now, if ``holder`` still has it. ``ended``: the digest of the
        event whose chain ends here (no copy of it may take the lease over); without it, a
        redelivery of the holder's event still may (it failed, and SCF's retry resumes it)."""

        def values(now: datetime) -> dict[str, Any]:
            return {"expires_at": now} if ended is None else {"expires_at": now, "holder": _cut(f"{DONE}{ended}")}

        self._update_held(key, holder, values, "releasing the app's lease")

    def _update_held(
        self, key: str, holder: str, values: dict[str, Any] | Callable[[datetime], dict[str, Any]], what: str
    ) -> bool:
        """Set ``values`` on ``holder``'s lease of ``key``, in one statement that finds no row once
        another holder has it; whether ``holder`` still had it. Values that depend on the time are
        ``values(now)``, ``now`` the database's clock (read only then)."""
        table = self.table

        def work(connection: Connection) -> bool:
            changed = connection.execute(
                update(table)
                .where(table.c.work_key == _cut(key), table.c.holder == _cut(holder))
                .values(**(values(database_now(connection)) if callable(values) else values))
            )
            return bool(changed.rowcount == 1)

        return self.archive.write(work, what, row_locks_only=True)

    # ---- reading --------------------------------------------------------------------------------

    def held_by_event(self, key: str, digest: str) -> bool:
        """Whether a worker of the event whose digest is ``digest`` holds the lease of ``key`` now."""
        table = self.table

        def read(connection: Connection) -> bool:
            now = database_now(connection)
            query = select(table.c.holder).where(table.c.work_key == _cut(key), table.c.expires_at > now)
            holder = connection.execute(query).scalar()
            return isinstance(holder, str) and holder.startswith(f"{digest}:")

        return self.archive.read(read)

    def held(self, keys: Iterable[str]) -> dict[str, datetime]:
        """The keys among ``keys`` whose lease is held now, and until when (UTC, naive)."""
        wanted = {_cut(key) for key in keys}
        if not wanted:
            return {}
        table = self.table

        def read(connection: Connection) -> dict[str, datetime]:
            now = database_now(connection)
            rows = connection.execute(
                select(table.c.work_key, table.c.expires_at).where(table.c.expires_at > now)
            ).all()
            return {row.work_key: row.expires_at for row in rows if row.work_key in wanted}

        return self.archive.read(read)


def database_now(connection: Connection) -> datetime:
    """The database's clock, UTC, without a zone (as the lease table keeps its times). SQLite is a
    file on this machine: its clock is this machine's, read the same way."""
    name = connection.dialect.name
    if name == "postgresql":
        value = connection.execute(text("SELECT timezone('UTC', clock_timestamp())")).scalar_one()
    elif name in {"mysql", "mariadb"}:
        value = connection.execute(text("SELECT UTC_TIMESTAMP(6)")).scalar_one()
    else:
        value = connection.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)  # each of the three answers a timestamp (SQLite: its text)
    # Whole seconds: a DATETIME column without fractions rounds them on MySQL (a lease let go at x.7
    # would read as held until x+1) and cuts them on MariaDB; whole seconds are the same everywhere.
    return value.replace(tzinfo=None, microsecond=0)


def _after(now: datetime, seconds: float) -> datetime:
    """``seconds`` from ``now``, in whole seconds, rounded up (a lease never ends early)."""
    return now + timedelta(seconds=math.ceil(seconds))


def _cut(text_: str) -> str:
    return text_[:KEY_LENGTH]


@contextmanager
def held_apps(
    leases: Leases, appids: Sequence[str], holder: str, seconds: float, *, renew_every: float | None = None
) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The leases of ``appids`` for a run that does the work itself, held while the block runs:
    yields the apps it holds, and for each of the others (a worker of a fanned-out run has it)
    why it is left alone. ``renew_every``: for a run with no time limit (the CLI), the leases are
    renewed for ``seconds`` that often, so a killed run's leases expire soon after it. Each lease
    is let go when the block ends, whatever ends it."""
    mine: list[str] = []
    running: dict[str, str] = {}
    stop = threading.Event()
    renewer: threading.Thread | None = None
    try:
        for appid in appids:
            if leases.take(appid, holder, seconds):
                mine.append(appid)
            else:
                until = leases.held([appid]).get(appid)
                running[appid] = f"another worker is archiving {appid}" + (
                    "" if until is None else f" until {until:%Y-%m-%dT%H:%M:%S}Z"
                )
        if renew_every is not None and mine:
            renewer = threading.Thread(
                target=_renew,
                args=(leases, mine, holder, seconds, renew_every, stop),
                daemon=True,
                name="wxcloud-archive-lease",
            )
            renewer.start()
        yield mine, running
    finally:
        stop.set()
        if renewer is not None:
            renewer.join()
        for appid in mine:
            try:
                leases.release(appid, holder)
            except WxCloudError:  # the database failed meanwhile: the lease expires on its own
                pass


def _renew(
    leases: Leases, appids: Sequence[str], holder: str, seconds: float, every: float, stop: threading.Event
) -> None:
    lost: set[str] = set()
    while not stop.wait(every):
        for appid in appids:
            try:
                if not leases.renew(appid, holder, seconds) and appid not in lost:
                    lost.add(appid)
                    logger.warning(
                        "the lease of %s ran out under this run (the database was out of reach longer than %.0f s): "
                        "a worker may archive it at the same time; what both store is kept once",
                        appid,
                        seconds,
                    )
            except WxCloudError:  # the next round tries again; the run itself meets the database's failure
                pass
