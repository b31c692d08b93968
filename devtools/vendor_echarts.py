"""Re-fetch the vendored ECharts from npm and check it against the sha256 recorded beside it.

    python3 devtools/vendor_echarts.py            fetch the pinned version, check it, report a match
    python3 devtools/vendor_echarts.py --update   write the fetched file (and its LICENSE, NOTICE, sha256)

The report inlines ``dist/echarts.min.js`` of the npm package ``echarts`` at ``VERSION``; the
file's sha256 is ``echarts.sha256`` beside it, so the copy in the repository is locked: this
script (``npm pack`` of the pinned version, the ordinary npm client) shows that the file is the
published one, and a changed file or a changed publication fails it. Updating: change
``VERSION``, run with ``--update``, look at the diff of ``echarts.sha256``, commit.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.1.0"
HERE = Path(__file__).resolve().parent.parent / "shared" / "wxcloud" / "archive" / "present" / "report"
FILES = {
    "package/dist/echarts.min.js": "echarts.min.js",
    "package/LICENSE": "echarts.LICENSE",
    "package/NOTICE": "echarts.NOTICE",
}


def fetch(workdir: Path) -> dict[str, bytes]:
    """The pinned package's files, from ``npm pack``."""
    subprocess.run(
        ["npm", "pack", f"echarts@{VERSION}", "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    with tarfile.open(workdir / f"echarts-{VERSION}.tgz") as tar:
        found = {}
        for member, name in FILES.items():
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit(f"vendor_echarts: {member} is not in echarts@{VERSION}")
            found[name] = extracted.read()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--update", action="store_true", help="write the fetched files and their sha256")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        files = fetch(Path(workdir))
    digest = hashlib.sha256(files["echarts.min.js"]).hexdigest()
    if args.update:
        for name, content in files.items():
            (HERE / name).write_bytes(content)
        (HERE / "echarts.sha256").write_text(digest + "\n")
        print(f"vendor_echarts: wrote echarts {VERSION} ({len(files['echarts.min.js'])} bytes), sha256 {digest}")
        return 0
    recorded = (HERE / "echarts.sha256").read_text().strip()
    vendored = hashlib.sha256((HERE / "echarts.min.js").read_bytes()).hexdigest()
    if not digest == recorded == vendored:
        print(
            f"vendor_echarts: MISMATCH: npm echarts@{VERSION} {digest}, recorded {recorded}, vendored file {vendored}",
            file=sys.stderr,
        )
        return 1
    print(f"vendor_echarts: echarts {VERSION} matches the recorded sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
