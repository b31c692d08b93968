"""``python -m wxcloud.archive`` (``wxcloud-archive``): the archive from a terminal.

``main.py`` runs the commands (``main``, the entry point; ``run``, ``backfill`` and its fan-out),
``parser.py`` gives their options and help, ``read.py`` the commands that only read the archive
(``export``, ``chart``, ``report``, ``status``), ``progress.py`` a run's progress bar, and
``console.py`` (a run's answer, an error) and ``status_table.py`` (``status``) draw the answers
for people with rich. Their helpers keep their leading underscore: they are this package's own,
none is exported.
"""

from __future__ import annotations
