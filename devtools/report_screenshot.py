"""The documentation's pictures, from a sample archive the emulator fills on a pinned day.

    .venv/bin/python devtools/report_screenshot.py [--docs docs] [--today 2026-12-01] [--lang zh|en] [--full DIR]

(``make pictures``.) A year of all ten reports is archived from the WeChat emulator into a
temporary SQLite file, fetched on ``--today`` with the emulator's clock pinned to that morning,
so the pictures are the same on every machine and every day. Then:

* ``report.png``: the report in headless Chromium (network off) at 1200 px wide, its top;
* ``report-phone.png``: the same at 390 px wide, a phone's width;
* ``archive-visits.png``: ``wxcloud-archive chart --api analysis.getDailyVisitTrend --metric
  visitUv``, the README's chart, drawn by the command itself.

Before writing a picture the page is checked at its width: nothing asked of the network, no
console error, no chart label cut by its chart's edge or drawn over another, no page path
broken inside a name, no horizontal scroll (``devtools/report_layout.py``). ``--full DIR`` also saves both widths
whole, to look at.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from wxcloud.archive.present.report import render  # noqa: E402

from devtools.browser import chromium, console_errors, requested_urls  # noqa: E402
from devtools.report_layout import broken_paths, charts, overflow, problems, set_viewport, stray  # noqa: E402
from devtools.sample_archive import SAMPLE_FILE, filled_archive, morning  # noqa: E402
from devtools.wechat_emulator import DEFAULT_APPID  # noqa: E402

TODAY = date(2026, 12, 1)  # the pictures' day: any day works, a fixed one keeps them the same
WIDTHS = {"report.png": (1200, 2200), "report-phone.png": (390, 2400)}  # picture: (width, height shown)


def page_height(driver: Any) -> int:
    return int(driver.execute_script("return document.documentElement.scrollHeight"))


def photograph(page: Path, width: int, height: int, out: Path, full: Path | None) -> list[str]:
    """``page`` at ``width`` px: its top ``height`` px written to ``out`` (and the whole page to
    ``full``); what is wrong with it, if anything (then nothing is written)."""
    with chromium(width, height) as driver:
        set_viewport(driver, width, height)
        driver.get(page.as_uri())
        driver.find_element("css selector", "footer")
        time.sleep(0.5)  # let the charts finish drawing
        asked, errors = requested_urls(driver), console_errors(driver)
        wrong = [f"the page asked for {asked}"] if asked != [page.as_uri()] else []
        wrong += [f"the console logged {error}" for error in errors]
        wrong += problems(charts(driver))
        wrong += [f"the path {text!r} breaks inside a name ({breaks})" for text, breaks in broken_paths(driver)]
        if (wider := overflow(driver)) > 0:
            wrong.append(f"the page is {wider} px wider than the window")
        wrong += [f"{name} reaches beyond the window's right edge" for name in stray(driver)]
        if not wrong:
            driver.save_screenshot(str(out))
        if full is not None:
            set_viewport(driver, width, page_height(driver))
            time.sleep(0.5)
            driver.save_screenshot(str(full / f"full-{width}.png"))
    return wrong


def draw_chart(database: Path, out: Path) -> None:
    """The README's chart, drawn by the ``chart`` command of the archive CLI on the sample archive."""
    env = {**os.environ, "WX_ARCHIVE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT / "shared")}
    env.pop("WX_ARCHIVE_APPS", None)
    command = [
        sys.executable,
        "-m",
        "wxcloud.archive",
        "chart",
        "--api",
        "analysis.getDailyVisitTrend",
        "--metric",
        "visitUv",
        "--appid",
        DEFAULT_APPID,
        "--out",
        str(out),
    ]
    subprocess.run(command, check=True, env=env, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the pictures go")
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY, help="the sample archive's day (yyyy-mm-dd)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--full", type=Path, help="also save both widths whole here (full-1200.png, full-390.png)")
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory() as workdir:
        archive = filled_archive(Path(workdir), 365, args.today)
        page = Path(workdir) / "report.html"
        page.write_text(render(archive, DEFAULT_APPID, lang=args.lang, now=morning(args.today)), encoding="utf-8")
        archive.close()
        if args.full is not None:
            args.full.mkdir(parents=True, exist_ok=True)
            (args.full / "report.html").write_bytes(page.read_bytes())
        for name, (width, height) in WIDTHS.items():
            wrong = photograph(page, width, height, args.docs / name, args.full)
            for line in wrong:
                print(f"report_screenshot: {name} at {width} px: {line}", file=sys.stderr)
            failed = failed or bool(wrong)
            if not wrong:
                print(f"report_screenshot: wrote {args.docs / name}")
        draw_chart(Path(workdir) / SAMPLE_FILE, args.docs / "archive-visits.png")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
