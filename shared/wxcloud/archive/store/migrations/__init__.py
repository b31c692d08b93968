"""The archive's schema revisions (Alembic's scripts, run by ``wxcloud.archive.store.schema``, never by the
``alembic`` command: there is no ``alembic.ini`` or ``env.py``).

Each revision in ``versions/`` reads the table prefix from the migration context's options
(``op.get_context().opts[schema.PREFIX_OPTION]``), since the user chooses it, and must be safe to run
again over its own half-done work (MySQL and MariaDB commit each DDL statement on its own).
``schema.HEAD`` names the newest revision. Revision modules are loaded by path, not imported as part
of this package, so they import the library absolutely (``from wxcloud... import ...``).
"""
