"""The archive's schema on first use: the tables created, or an older archive's upgraded in place.

``prepare`` runs once per ``Archive`` (``Archive.ensure_schema``), inside its writing transaction,
and leaves the database at this release's schema:

* a new database gets this release's tables (``create_all``) and its version stamped as the head
  revision, without running the migrations one by one (Alembic's recipe for building a database
  from scratch): they exist to change archives that hold data;
* an archive the first release wrote (tables, no version table: it had no migrations) is stamped
  as that release's schema, the baseline revision ``released``, then upgraded to the head; so is
  one with an empty version table, which MySQL and MariaDB leave when that first upgrade stops
  right after creating it (the ``CREATE TABLE`` commits, the row would have with the next DDL);
* an archive a later release stamped is upgraded from its revision to the head;
* an archive at the head costs two small queries (does the version table exist, what does it
  say) and no Alembic import (about 100 ms of every SCF cold start otherwise);
* a version that cannot say what the tables hold is refused with a -601001 naming the revisions
  found and what to do, before anything is changed: a revision this release does not know (a
  newer release's, or a stray value), more than one row (Alembic would take them for several
  heads), or no version beside tables that are not the first release's (its results table has
  a column, or there is a table, that a later revision added: which one they are at is unknown).
  Anything else Alembic refuses becomes the same kind of error, never an internal one.

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
still see the old version once it has the lock (and upgrade again). And since an upgrade there can stop halfway (a
killed instance, a lost connection) with some of its DDL committed, every revision is written to be run again over its
own half-done
work: it adds only the columns and tables that are missing and fills only the rows not filled yet,
its data changes last and in one transaction with the new version stamp. A new database's
tables are created in an order that leaves no such doubt either (the results table after the
version, see ``_create``), so that tables without a version are always the first release's.

``prepare`` therefore ends the caller's transaction itself (it commits), on every database alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, select, text

from ...errors import ConfigurationError
from .tables import Tables
from .views import create_views, views_present

if TYPE_CHECKING:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
HEAD = "window"  # the newest revision in migrations/versions (a test checks that they agree)
BASELINE = "released"  # the schema of the first release, which had no version table
PREFIX_OPTION = "wxcloud_table_prefix"  # the migration context's option the revision scripts read the prefix from
FIRST_RELEASE_COLUMNS = frozenset(
    {"appid", "api", "begin_date", "end_date", "result", "fetched_at"}
)  # of its results table
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
    from alembic.script.revision import RevisionError
    from alembic.util.exc import CommandError

    found = _stored_revisions(
        connection, tables.prefix
    )  # again: another instance may have upgraded while this one waited for the lock
    if found == (HEAD,):
        _create(
            connection, tables
        )  # what a creation stopped after recording its version left out (MySQL, MariaDB); else nothing
        return
    script = _script()
    _check_version(connection, tables, found, [item.revision for item in reversed(list(script.walk_revisions()))])
    context = _context(connection, tables.prefix, script)
    refused: Exception | None = None
    try:
        if not found:
            if not inspect(connection).has_table(tables.results.name):
                _create(connection, tables)
                return
            context.stamp(script, BASELINE)  # written by the first release, which kept no version
        with Operations.context(context):
            context.run_migrations()
    except (CommandError, RevisionError) as exc:  # a state the checks did not foresee
        refused = exc
    if refused is not None:  # raised here, so that Alembic's exception (and its frames) is not chained to it
        raise ConfigurationError(
            f"Alembic cannot upgrade the archive's tables {tables.prefix}* from schema revision {_listed(found)} "
            f"(in {version_table(tables.prefix)}) to {HEAD}: {refused}; make {version_table(tables.prefix)} hold the "
            "one revision the tables are at, then run again"
        )


def _check_version(connection: Connection, tables: Tables, found: tuple[str, ...], known: list[str]) -> None:
    """Refuse, naming what is there and what to do, a version Alembic cannot upgrade from or one
    that does not say what the tables hold: a revision this release does not know, more than one
    row, or none beside tables that are not the first release's (the one release that kept none).
    The SQL in the messages is advice for the user, never run."""
    prefix, name = tables.prefix, version_table(tables.prefix)
    unknown = tuple(rev for rev in found if rev not in known)
    if unknown:
        raise ConfigurationError(
            f"the archive's tables {prefix}* are at schema revision {_listed(unknown)}, which this release "  # noqa: S608
            f"does not know (it knows {', '.join(known)}; its newest is {HEAD}): a newer release upgraded them; deploy "
            f"that release (or a later one) again. If no release wrote that value into {name}, put the revision the "
            f"tables are at in its place (this release's tables: UPDATE {name} SET version_num = '{HEAD}')"
        )
    if len(found) > 1:
        keep = (
            f"delete all of them but one (DELETE FROM {name}; INSERT INTO {name} (version_num) VALUES ('{found[0]}'))"  # noqa: S608
            if len(set(found)) == 1
            else "keep the row of the revision the tables are at and delete the others "  # noqa: S608
            f"(tables with every table and column this release writes are at {HEAD}: DELETE FROM {name} WHERE "
            f"version_num <> '{HEAD}')"
        )
        raise ConfigurationError(
            f"the archive's schema version table {name} holds {len(found)} rows ({_listed(found)}) where it must hold "
            f"one, the revision the tables {prefix}* are at, so Alembic cannot tell what to upgrade from: {keep}; then "
            "run again"
        )
    if found or not inspect(connection).has_table(tables.results.name):
        return
    later = _after_first_release(connection, tables)
    if later:
        exists = inspect(connection).has_table(name)
        record = f"INSERT INTO {name} (version_num) VALUES ('{HEAD}')"  # noqa: S608
        if not exists:
            record = f"CREATE TABLE {name} (version_num VARCHAR(32) NOT NULL PRIMARY KEY); {record}"
        raise ConfigurationError(
            f"the archive's tables {prefix}* record no schema revision ({name} "
            f"{'has no row' if exists else 'is missing'}), yet "
            f"they are not the first release's, the one release that recorded none: they have {later}. Which revision "
            "they are at is unknown, so they are left as they are. If this release created or upgraded them (they "
            f"have every table and column it writes), record its revision {HEAD}: {record}; if another release did, "
            "deploy that one; then run again"
        )


def _after_first_release(connection: Connection, tables: Tables) -> str:
    """What the tables hold that the first release never wrote, columns of the results table and
    tables ("": they are that release's)."""
    inspector = inspect(connection)
    columns = sorted({column["name"] for column in inspector.get_columns(tables.results.name)} - FIRST_RELEASE_COLUMNS)
    present = set(inspector.get_table_names())
    first_release = [tables.results, *tables.flat.values()]
    later_tables = [
        table.name for table in tables.metadata.sorted_tables if table.name in present and table not in first_release
    ]
    parts = (
        [f"the column{'s' * (len(columns) > 1)} {', '.join(f'{tables.results.name}.{column}' for column in columns)}"]
        if columns
        else []
    )
    parts += [f"the table{'s' * (len(later_tables) > 1)} {', '.join(later_tables)}"] if later_tables else []
    return " and ".join(parts)


def _listed(revisions: tuple[str, ...]) -> str:
    return ", ".join(repr(rev) for rev in revisions) if revisions else "none recorded"


def _create(connection: Connection, tables: Tables) -> None:
    """This release's tables that are missing, and its version, the results table last, after
    the version. On MySQL and MariaDB each CREATE commits on its own (and the version's row with
    the next one), so a creation stopped halfway leaves either no results table (the next run
    creates what is missing and records the version) or the version at the head (the next run
    creates what is missing); never tables without a version, which ``_check_version`` could not
    tell from an archive that lost its version."""
    for table in tables.metadata.sorted_tables:
        if table is not tables.results:
            table.create(connection, checkfirst=True)
    if not _stored_revisions(connection, tables.prefix):
        script = _script()
        _context(connection, tables.prefix, script).stamp(script, HEAD)
    tables.results.create(connection, checkfirst=True)


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


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
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int.from_bytes(key[:8], "big", signed=True)}
        ).all()
        yield
    elif name in {"mysql", "mariadb"}:
        lock_name = f"wxcloud_archive_{key.hex()[:32]}"  # GET_LOCK names are at most 64 characters
        with connection.engine.connect() as holder:
            got = holder.execute(
                text("SELECT GET_LOCK(:name, :wait)"), {"name": lock_name, "wait": LOCK_WAIT_SECONDS}
            ).scalar()
            if got != 1:
                raise ConfigurationError(
                    f"another instance has been creating or upgrading the archive's tables {prefix}* for "
                    f"{LOCK_WAIT_SECONDS} s (it holds their schema lock); the next run tries again"
                )
            try:
                yield
            finally:
                holder.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name}).all()
                holder.rollback()
    else:
        yield
