"""The archive's schema on first use: the tables created, or an older archive's upgraded in place.

``prepare`` runs once per ``Archive`` (``Archive.ensure_schema``), inside its writing transaction,
and leaves the database at this release's schema:

* a new database gets this release's tables (``create_all``) and its version stamped as the head
  revision, without running the migrations one by one (Alembic's recipe for building a database
  from scratch): they exist to change archives that hold data;
* an archive the first release wrote (tables, no version table: it had no migrations) is stamped
  as that release's schema, the baseline revision ``released``, then upgraded to the head;
* an archive a later release stamped is upgraded from its revision to the head;
* an archive at the head costs two small queries (does the version table exist, what does it
  say) and no Alembic import (about 100 ms of every SCF cold start otherwise).

Why Alembic: the archive is a library that creates its tables on first use in the user's own
database, as MLflow's tracking store does, and like MLflow it ships its revision scripts in the
package (``migrations/versions``) and runs them programmatically: ``MigrationContext.configure``
on the connection it is given, with the options an ``env.py`` would set (no ``alembic.ini``, no
``env.py``). What that buys over hand-written DDL: a version table that says what each archive
holds, an ordered chain of revisions for the next schema change (each one a small script that
runs once per archive), and DDL that is rendered per dialect (``op.add_column`` and
``op.create_table`` know SQLite's, PostgreSQL's and MariaDB's ``ALTER TABLE``). The table prefix
is the user's (``WX_ARCHIVE_TABLE_PREFIX``) and several prefixes may share a database, so the
version table carries it (``{prefix}alembic_version``, Alembic's ``version_table`` option) and the
revision scripts read it from the migration context's options (``PREFIX_OPTION``).

Two instances upgrading at once (two SCF instances' first runs after a deployment) are serialised
by a lock held from before the version is read until the upgrade is committed: SQLite's write lock
(the caller's ``BEGIN IMMEDIATE``), a transaction-scoped advisory lock on PostgreSQL, a named lock
(``GET_LOCK``) on MySQL and MariaDB. The second finds the head and does nothing. On MySQL and
MariaDB every DDL statement commits on its own, so the named lock is held on a second connection
(a row lock would be let go by the first ``ALTER TABLE``), ``prepare`` commits the upgrade
*before* letting it go, else the second instance could read the version table before the first
committed it, and the look at the version before the lock is taken is made on a connection of its
own, else it would fix the transaction's REPEATABLE READ snapshot and the waiting instance would
still see the old version once it has the lock (and upgrade again). And since an upgrade there can stop halfway (a killed instance, a lost connection)
with some of its DDL committed, every revision is written to be run again over its own half-done
work: it adds only the columns and tables that are missing and fills only the rows not filled yet,
its data changes last and in one transaction with the new version stamp.

``prepare`` therefore ends the caller's transaction itself (it commits), on every database alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, select, text

from ..errors import ConfigurationError
from .tables import Tables
from .views import create_views, views_present

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
HEAD = "fanout"  # the newest revision in migrations/versions (a test checks that they agree)
BASELINE = "released"  # the schema of the first release, which had no version table
PREFIX_OPTION = "wxcloud_table_prefix"  # the migration context's option the revision scripts read the prefix from
LOCK_WAIT_SECONDS = 25  # below the driver's read timeout (database.QUERY_TIMEOUT_SECONDS), so the wait ends first


def version_table(prefix: str) -> str:
    """The name of the table that holds the schema revision of the tables with ``prefix``."""
    return f"{prefix}alembic_version"


def prepare(connection: Connection, tables: Tables) -> None:
    """Make the database hold ``tables`` as this release writes them: create them, or upgrade an
    older release's in place, keeping every row; and the views over them (``views.py``), made
    with the tables and again whenever one is missing. Commits ``connection``'s transaction."""
    if _at_head(connection, tables.prefix) and views_present(connection, tables.prefix):
        connection.commit()
        return
    with _upgrade_lock(connection, tables.prefix):
        try:
            _upgrade(connection, tables)
            create_views(connection, tables)
        except BaseException:
            connection.rollback()  # before the lock is let go: the next instance must not meet this one's half
            raise
        connection.commit()


def revision(connection: Connection, prefix: str) -> str | None:
    """The schema revision the archive with ``prefix`` is at (None: no version stamped)."""
    revisions = _stored_revisions(connection, prefix)
    return revisions[0] if len(revisions) == 1 else None


def _at_head(connection: Connection, prefix: str) -> bool:
    """Whether the archive is at the head already, read before the lock is taken. On MySQL and
    MariaDB on a connection of its own: a read on ``connection`` would fix its snapshot
    (REPEATABLE READ) before it waits for the lock, and under the lock it would still see the
    version another instance has just upgraded from, and upgrade again."""
    if connection.dialect.name in {"mysql", "mariadb"}:
        with connection.engine.connect() as probe:
            return _stored_revisions(probe, prefix) == (HEAD,)
    return _stored_revisions(connection, prefix) == (HEAD,)


def _stored_revisions(connection: Connection, prefix: str) -> tuple[str, ...]:
    name = version_table(prefix)
    if not inspect(connection).has_table(name):
        return ()
    versions = Table(name, MetaData(), Column("version_num", String(32)))
    return tuple(connection.execute(select(versions.c.version_num)).scalars())


def _upgrade(connection: Connection, tables: Tables) -> None:
    from alembic.operations import Operations

    script = _script()
    context = _context(connection, tables.prefix, script)
    current = context.get_current_heads()  # again: another instance may have upgraded while this one waited for the lock
    if current == (HEAD,):
        return
    unknown = [rev for rev in current if rev not in _known_revisions(script)]
    if unknown:
        raise ConfigurationError(
            f"the archive's tables {tables.prefix}* are at schema revision {', '.join(unknown)}, which this release does not know "
            f"(its newest is {HEAD}): a newer release upgraded them; deploy that release (or a later one) again"
        )
    if not current:
        if not inspect(connection).has_table(tables.results.name):
            _create(connection, tables)
            context.stamp(script, HEAD)
            return
        context.stamp(script, BASELINE)  # written by the first release, which kept no version
    with Operations.context(context):
        context.run_migrations()


def _create(connection: Connection, tables: Tables) -> None:
    """This release's tables, the results table last: on MySQL each CREATE commits on its own, and
    a results table without a version then always means every other table is there too."""
    for table in tables.metadata.sorted_tables:
        if table is not tables.results:
            table.create(connection, checkfirst=True)
    tables.results.create(connection, checkfirst=True)


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def _known_revisions(script: ScriptDirectory) -> set[str]:
    return {item.revision for item in script.walk_revisions()}


def _context(connection: Connection, prefix: str, script: ScriptDirectory) -> MigrationContext:
    """A migration context on ``connection`` with what an ``env.py`` would configure: the version
    table of ``prefix``, the scripts, and the work (upgrade to the head, as ``alembic upgrade head``)."""
    from alembic.runtime.migration import MigrationContext

    def upgrade(heads: Any, _context: MigrationContext) -> Any:  # heads: the tuple get_current_heads gives
        return script._upgrade_revs("head", heads)  # what alembic.command.upgrade asks the scripts for

    return MigrationContext.configure(
        connection,
        opts={"version_table": version_table(prefix), "script": script, "fn": upgrade, PREFIX_OPTION: prefix},
    )


@contextmanager
def _upgrade_lock(connection: Connection, prefix: str) -> Iterator[None]:
    """Hold the lock that lets one instance at a time create or upgrade the tables of ``prefix``
    in this database (SQLite: the caller's write transaction holds it already)."""
    name = connection.dialect.name
    key = hashlib.sha256(f"wxcloud archive schema {connection.engine.url.database} {prefix}".encode()).digest()
    if name == "postgresql":
        # Ends with the transaction. A wait longer than LOCK_WAIT_SECONDS (here and on every table
        # lock the upgrade takes) fails the attempt, which ensure_schema then makes again.
        connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int.from_bytes(key[:8], "big", signed=True)}).all()
        yield
    elif name in {"mysql", "mariadb"}:
        lock_name = f"wxcloud_archive_{key.hex()[:32]}"  # GET_LOCK names are at most 64 characters
        with connection.engine.connect() as holder:
            got = holder.execute(text("SELECT GET_LOCK(:name, :wait)"), {"name": lock_name, "wait": LOCK_WAIT_SECONDS}).scalar()
            if got != 1:
                raise ConfigurationError(
                    f"another instance has been creating or upgrading the archive's tables {prefix}* for {LOCK_WAIT_SECONDS} s "
                    "(it holds their schema lock); the next run tries again"
                )
            try:
                yield
            finally:
                holder.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name}).all()
                holder.rollback()
    else:
        yield
