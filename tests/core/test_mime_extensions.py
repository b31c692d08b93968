"""The file names of uploads: the committed table of extensions is mime-db's, as wx-server-sdk
installs it (the SDK names an uploaded file ``<field>.<mime-db's first extension>``).

Needs the SDK installed (``python devtools/install_wxsdk.py``, which ``python3 dev.py test`` runs when
node is present); without it the test skips, or fails when ``CI=true``.
"""

from __future__ import annotations

import json

import pytest
from wxcloud.mime_extensions import EXTENSIONS, MIME_DB_VERSION
from wxcloud.wire import file_name

from devtools.install_wxsdk import sdk_dir
from devtools.mime_extensions import first_extensions
from tests.support.checkout import ROOT, sdk_unavailable


def test_the_table_is_mime_dbs_as_the_sdk_installs_it() -> None:
    mime_db = sdk_dir(ROOT).parent / "mime-db"
    if not (mime_db / "db.json").is_file():
        sdk_unavailable(f"mime-db is not installed at {mime_db}")
    assert json.loads((mime_db / "package.json").read_text(encoding="utf-8"))["version"] == MIME_DB_VERSION
    assert EXTENSIONS == first_extensions(json.loads((mime_db / "db.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("image/jpeg", "media.jpeg"),
        ("image/png", "media.png"),
        ("audio/mpeg", "media.mpga"),
        ("image/x-unknown", "media.png"),
        ("IMAGE/PNG", "media.png"),
        ("image/png; charset=x", "media.png"),
    ],
)
def test_an_uploads_file_name_is_the_sdks(content_type: str, expected: str) -> None:
    assert file_name("media", {"contentType": content_type, "value": b"x"}, keys_converted=True) == expected
    assert (
        file_name("media", {"content_type": content_type, "value": b"x", "file_name": "mine.bin"}, keys_converted=True)
        == expected
    )
    assert (
        file_name("media", {"contentType": content_type, "value": b"x", "fileName": "mine.bin"}, keys_converted=False)
        == "mine.bin"
    )
