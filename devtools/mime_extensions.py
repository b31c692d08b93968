"""Writes ``shared/wxcloud/mime_extensions.json`` from mime-db's ``db.json``: the first extension of
every MIME type, which wx-server-sdk uses to name an uploaded file (``wxcloud.mime_extensions``
reads it on the first upload).

    python devtools/mime_extensions.py [--db .cache/wxsdk/node_modules/mime-db/db.json]

mime-db comes with wx-server-sdk (``python devtools/install_wxsdk.py``); ``tests/core/test_mime_extensions.py``
fails when the committed table and the installed mime-db disagree.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / ".cache" / "wxsdk" / "node_modules" / "mime-db"
OUT = ROOT / "shared" / "wxcloud" / "mime_extensions.json"


def first_extensions(db: dict[str, dict[str, object]]) -> dict[str, str]:
    """Each type's first extension, for the types mime-db gives any."""
    found: dict[str, str] = {}
    for kind, facts in db.items():
        extensions = facts.get("extensions")
        if isinstance(extensions, list) and extensions:
            found[kind] = str(extensions[0])
    return found


def table_text(extensions: dict[str, str], version: str) -> str:
    """The table as ``wxcloud.mime_extensions`` reads it: mime-db's version and each type's
    extension, one type a line and sorted, so that a new mime-db shows as a readable diff."""
    table = {"mimeDb": version, "extensions": dict(sorted(extensions.items()))}
    return json.dumps(table, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, default=DB / "db.json")
    args = parser.parse_args()
    db = json.loads(args.db.read_text(encoding="utf-8"))
    version = json.loads((args.db.parent / "package.json").read_text(encoding="utf-8"))["version"]
    OUT.write_text(table_text(first_extensions(db), version), encoding="utf-8")
    print(f"mime_extensions: wrote {OUT.relative_to(ROOT)} from mime-db {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
