"""The HTML report, end to end: backfilled from the emulator into a real archive, written by the CLI,
opened in a real headless Chromium with the network off. It asks for nothing but its own file,
logs no error, draws every chart, and shows the numbers the archive holds (a KPI delta, a cohort
rate, a cell not over yet); an archive of two reports shows only their sections; an empty one is
exit 2. Without Chromium the browser tests skip visibly, and fail in CI (CI=true)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from test_archive_cli import cli
from test_archive_support import Db, no_db_password_anywhere, sqlite_db_fixture  # noqa: F401 - fixtures
from wxcloud.archive.report import render
from wxcloud.dates import beijing_today

from devtools.browser import chart_option, chromium, console_errors, drawn_pixels, executables, requested_urls
from devtools.wechat_emulator import DEFAULT_APPID, WeChatEmulator

TREND = "analysis.getDailyVisitTrend"
RETAIN = "analysis.getDailyRetain"
PORTRAIT = "analysis.getUserPortrait"
ALL_SECTIONS = ["overview", "trends", "retention", "sources", "pages", "audience"]


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Any]:
    if executables() is None:
        message = "chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with chromium() as driver:
        yield driver


def backfill(monkeypatch: pytest.MonkeyPatch, db: Db, days: int, *apis: str) -> None:
    since = beijing_today(datetime.now(timezone.utc)) - timedelta(days=days)
    options = [item for api in apis for item in ("--api", api)]
    code, _, err = cli(monkeypatch, db, "backfill", "--since", f"{since:%Y%m%d}", *options)
    assert code == 0, err


def open_report(browser: Any, path: Path) -> list[str]:
    requested_urls(browser)  # drain what earlier pages asked for
    console_errors(browser)
    browser.get(path.as_uri())
    browser.find_element("css selector", "footer")
    return requested_urls(browser)


def sections(browser: Any) -> list[str]:
    return [str(item) for item in browser.execute_script("return Array.from(document.querySelectorAll('main > section')).map(s => s.id)")]


def test_a_full_archive_opens_offline_with_every_section_drawn_and_its_numbers(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, browser: Any
) -> None:
    backfill(monkeypatch, sqlite_db, 75)
    out = tmp_path / "report.html"
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out), "--lang", "en")
    assert code == 0, err
    assert out.stat().st_size < 3_000_000

    assert open_report(browser, out) == [out.as_uri()]  # nothing but the file itself, with the network off
    assert console_errors(browser) == []
    assert sections(browser) == ALL_SECTIONS
    pixels = drawn_pixels(browser)
    assert {chart.split("-")[0] for chart in pixels} == {"trend", "retention", "sources", "pages", "audience"}
    assert all(count > 2000 for count in pixels.values()), pixels

    archive = sqlite_db.archive()
    # a KPI delta: the newest day's visitors against 7 days before, from the archive itself
    trend = {item.begin_date: item.result["list"][0] for item in archive.results(DEFAULT_APPID, TREND)}
    newest = max(trend)
    week_before = (datetime.strptime(newest, "%Y%m%d") - timedelta(days=7)).strftime("%Y%m%d")
    delta = trend[newest]["visitUv"] - trend[week_before]["visitUv"]
    shown = browser.find_element("css selector", '[data-kpi="visitUv"] li[data-days="7"]').text
    assert f"{delta:+,}" in shown, shown
    assert f"({delta / trend[week_before]['visitUv'] * 100:+.1f}%)" in shown.replace("+-", "-"), shown

    # a cohort rate: the oldest cohort shown (30 back), one day later, from the stored answer
    retained = archive.results(DEFAULT_APPID, RETAIN)
    cohorts = retained[-30:]
    oldest = cohorts[0].result["visitUvNew"]
    values = {item["key"]: item["value"] for item in oldest}
    option = chart_option(browser, "retention-day-visitUvNew")
    cells = {tuple(item["value"][:2]): item for item in option["series"][0]["data"]}
    rate = round(values[1] / values[0] * 100, 1)
    assert cells[0, 0]["value"][2] == rate
    assert cells[0, 0]["label"]["formatter"] == f"{rate:.1f}%" + ("" if cohorts[0].settled else "*")
    assert not cohorts[0].settled  # 30 days back: its key 30 is knowable tomorrow, so its cells are provisional

    # the newest cohort's key 30 is not over yet: shown as such, never as a rate
    pending = {tuple(item["value"][:2]) for item in option["series"][1]["data"]}
    last = len(cohorts) - 1
    assert (8, last) in pending and (8, last) not in cells  # keys 1..7, 14, 30: key 30 is the 9th column


def test_an_archive_of_two_reports_shows_only_their_sections(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, browser: Any
) -> None:
    backfill(monkeypatch, sqlite_db, 20, TREND, PORTRAIT)
    out = tmp_path / "two.html"
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out))
    assert code == 0, err
    assert open_report(browser, out) == [out.as_uri()]
    assert console_errors(browser) == []
    assert sections(browser) == ["overview", "trends", "audience"]
    pixels = drawn_pixels(browser)
    assert pixels and all(count > 2000 for count in pixels.values()), pixels
    assert browser.find_element("css selector", "html").get_attribute("lang") == "zh"
    missing = browser.find_element("id", "missing").text
    assert "getDailySummary" not in missing  # reports never archived are not "missing periods"


def test_an_empty_archive_is_bad_input_with_a_clear_message(sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out), "--appid", "wxnothing00000001")
    assert code == 2
    assert re.search(r"no archived report of appid wxnothing00000001", err), err
    assert '"errCode"' in err
    assert not out.exists()


def test_the_library_call_returns_the_page_in_either_language(sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    backfill(monkeypatch, sqlite_db, 10, TREND)
    archive = sqlite_db.archive()
    zh, en = (render(archive, DEFAULT_APPID, lang=lang) for lang in ("zh", "en"))  # type: ignore[arg-type]
    assert '<html lang="zh">' in zh and "访问人数" in zh
    assert '<html lang="en">' in en and "Visitors (UV)" in en
    assert 'name="viewport"' in en and "<script src" not in en and "<link" not in en  # everything inlined
