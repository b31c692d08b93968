"""The first file extension of each MIME type, as mime-db lists them: wx-server-sdk's file names.

wx-server-sdk names an uploaded file ``<field>.<extension>`` with this extension (``media.png``,
``img.jpeg``: mime-db says ``jpeg`` where Python's ``mimetypes`` says ``jpg``), and ``png`` for a
type it does not know. The table is data, ``mime_extensions.json`` beside this module, written by
``devtools/mime_extensions.py`` from the mime-db that wx-server-sdk installs (a test checks it is
current); it ships as package data in the wheel and in every function's package. This module is
imported only by a call that uploads a file (``wire.file_name``), so the table is read on the
first upload and never by a cold start that uploads nothing.
"""

from __future__ import annotations

import json
from importlib import resources

TABLE = "mime_extensions.json"

_table = json.loads(resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8"))

MIME_DB_VERSION: str = _table["mimeDb"]
EXTENSIONS: dict[str, str] = _table["extensions"]
