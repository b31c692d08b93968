"""``docs/report.png``: the report of a year of the emulator's data, as Chromium shows it.

    .venv/bin/python devtools/report_screenshot.py [--out docs/report.png] [--lang zh|en] [--height 2200]

A year of all ten reports is archived from the WeChat emulator into a temporary SQLite file
(as ``dev.py archive backfill`` would), the report is rendered, opened in headless Chromium with
the network off, and the top ``--height`` pixels at 1200 px wide are saved: the README's picture
of what ``wxcloud-archive report`` gives.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.archive.report import render  # noqa: E402

from devtools.browser import chromium, console_errors, requested_urls  # noqa: E402
from devtools.sample_archive import filled_archive  # noqa: E402
from devtools.wechat_emulator import DEFAULT_APPID  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--height", type=int, default=2200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        archive = filled_archive(Path(workdir), 365)
        page = Path(workdir) / "report.html"
        page.write_text(render(archive, DEFAULT_APPID, lang=args.lang), encoding="utf-8")
        archive.close()
        with chromium(1200, args.height) as driver:
            driver.get(page.as_uri())
            time.sleep(1)  # let the charts finish drawing
            asked, errors = requested_urls(driver), console_errors(driver)
            if asked != [page.as_uri()] or errors:
                print(f"report_screenshot: the page asked for {asked} and logged {errors}", file=sys.stderr)
                return 1
            driver.save_screenshot(str(args.out))
    print(f"report_screenshot: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
