"""The HTML report, end to end: backfilled from the emulator into a real archive, written by the CLI,
opened in a real headless Chromium with the network off. It asks for nothing but its own file,
logs no error, draws every chart, and shows the numbers the archive holds (a KPI delta, a cohort
rate, a cell not over yet); an archive of two reports shows only their sections; an empty one is
exit 2. No data breaks the page: rows written straight into the archive with SQL (as older
releases or a hand may have left them: NaN, Infinity, 1e400, huge ints, text for numbers, JSON
that is not an object, text that is not JSON) still give a page with no NaN in its JSON; names
holding ``</script>`` or ``<!--<script>`` are shown as text with every chart drawn; a 1 MB page
path and 10,000 devices give a page of normal size. The size the docs give is the size of a year
of all ten reports, in either language. Without Chromium the browser tests skip
visibly, and fail in CI (CI=true)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from wxcloud.archive.kept.channels import channel_name
from wxcloud.archive.present.report import render
from wxcloud.archive.present.report.inline import echarts_source
from wxcloud.dates import beijing_today

from devtools.browser import chart_option, console_errors, drawn_pixels, requested_urls
from devtools.sample_archive import filled_archive
from devtools.wechat_emulator import DEFAULT_APPID, WeChatEmulator
from tests.support.archive import Db, cli
from tests.support.checkout import ROOT

TREND = "analysis.getDailyVisitTrend"
RETAIN = "analysis.getDailyRetain"
PORTRAIT = "analysis.getUserPortrait"
PAGE = "analysis.getVisitPage"
DISTRIBUTION = "analysis.getVisitDistribution"
ALL_SECTIONS = ["overview", "trends", "retention", "sources", "pages", "audience"]


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
    return [
        str(item)
        for item in browser.execute_script(
            "return Array.from(document.querySelectorAll('main > section')).map(s => s.id)"
        )
    ]


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
    assert all(count > 1000 for count in pixels.values()), pixels

    archive = sqlite_db.archive()
    # a KPI delta: the newest day's visitors against 7 days before, from the archive itself
    trend = {item.begin_date: item.result["list"][0] for item in archive.results(DEFAULT_APPID, TREND)}
    newest = max(trend)
    week_before = (datetime.strptime(newest, "%Y%m%d") - timedelta(days=7)).strftime("%Y%m%d")
    delta = trend[newest]["visitUv"] - trend[week_before]["visitUv"]
    shown = browser.find_element("css selector", '[data-kpi="visitUv"] li[data-days="7"]').text
    assert f"{delta:+,}" in shown, shown
    assert f"({delta / trend[week_before]['visitUv'] * 100:+.1f}%)" in shown.replace("+-", "-"), shown

    # a cohort rate: the oldest cohort shown (40 back), one day and 30 days later, from the stored answer
    retained = archive.results(DEFAULT_APPID, RETAIN)
    cohorts = retained[-40:]
    oldest = cohorts[0].result["visitUvNew"]
    values = {item["key"]: item["value"] for item in oldest}
    option = chart_option(browser, "retention-day-visitUvNew")
    cells = {tuple(item["value"][:2]): item for item in option["series"][0]["data"]}
    for x, key in ((0, 1), (8, 30)):  # keys 1..7, 14, 30: key 30 is the 9th column
        rate = round(values[key] / values[0] * 100, 1)
        assert cells[x, 0]["value"][2] == rate
        assert cells[x, 0]["label"]["formatter"] == f"{rate:.1f}%" + ("" if cohorts[0].settled else "*")
    assert cohorts[0].settled  # 40 days back: its key 30 was knowable 9 days ago, so it is final
    with_30_days = {y for x, y in cells if x == 8}
    assert with_30_days == set(range(len(cohorts) - 30)), (
        with_30_days
    )  # every cohort 31 days old or more shows its 30-day value

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
    assert pixels and all(count > 1000 for count in pixels.values()), pixels
    assert browser.find_element("css selector", "html").get_attribute("lang") == "zh"
    missing = browser.find_element("id", "missing").text
    assert "getDailySummary" not in missing  # reports never archived are not "missing periods"


def test_an_empty_archive_is_bad_input_with_a_clear_message(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "empty.html"
    # an archive with its tables (without them: nothing is archived yet, test_archive_cli)
    sqlite_db.archive().ensure_schema()
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out), "--appid", "wxnothing00000001")
    assert code == 2
    assert re.search(r"no archived report of appid wxnothing00000001", err), err
    assert err.startswith("wxcloud-archive: ") and len(err.splitlines()) <= 2, err  # one line (and its hint) for people
    assert not out.exists()


def test_the_library_call_returns_the_page_in_either_language(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    backfill(monkeypatch, sqlite_db, 10, TREND)
    archive = sqlite_db.archive()
    zh, en = (render(archive, DEFAULT_APPID, lang=lang) for lang in ("zh", "en"))  # type: ignore[arg-type]
    assert '<html lang="zh">' in zh and "访问人数" in zh
    assert '<html lang="en">' in en and "Visitors (UV)" in en
    assert 'name="viewport"' in en and "<script src" not in en and "<link" not in en  # everything inlined


# ---- no data breaks the page ----------------------------------------------------------------

OLD_APPID = "wxoldrelease0001"


def put_raw(db: Db, appid: str, rows: list[tuple[str, str, str, str]]) -> None:
    """Archive rows as an older release, or a hand, may have left them: written with SQL, each
    (api, begin, end, result text) exactly as given, replacing the row of that period if any."""
    db.archive().ensure_schema()
    engine = create_engine(db.url)
    table = f"{db.prefix}result"
    try:
        with engine.begin() as connection:
            for api, begin, end, result in rows:
                key = {"appid": appid, "api": api, "begin": begin, "end": end}
                connection.execute(
                    text(
                        f"DELETE FROM {table} WHERE appid = :appid AND api = :api "
                        "AND begin_date = :begin AND end_date = :end"
                    ),
                    key,
                )
                connection.execute(
                    text(
                        f"INSERT INTO {table} (appid, api, begin_date, end_date, result, fetched_at, fetched_on, "
                        "fetches, settled) VALUES (:appid, :api, :begin, :end, :result, :fetched_at, NULL, 1, "
                        ":settled)"
                    ),
                    {**key, "result": result, "fetched_at": datetime(2025, 4, 1, 3), "settled": True},
                )
    finally:
        engine.dispose()


def inline_options(page: str) -> tuple[str, dict[str, Any]]:
    """The page's inline chart options: the text as written, and parsed as strict JSON (no NaN, no Infinity)."""
    found = re.search(r'<script type="application/json" id="chart-options">(.*?)</script>', page, re.S)
    assert found is not None

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the page's JSON")

    return found.group(1), dict(json.loads(found.group(1), parse_constant=refuse))


HUGE = "1" + "0" * 400  # an int far beyond a float, that JSON still decodes
ENORMOUS = "1" + "0" * 5000  # an int of more digits than Python decodes from JSON at all


def test_whatever_an_older_release_stored_the_report_is_written_without_nan(
    db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    put_raw(
        db,
        OLD_APPID,
        [
            (TREND, "20250303", "20250303", '{"list": [{"refDate": "20250303", "visitUv": -1.7e308, "visitPv": 10}]}'),
            (
                TREND,
                "20250307",
                "20250307",
                '{"list": [{"refDate": "20250307", "visitUv": NaN, "visitPv": Infinity, "visitUvNew": -Infinity, '
                f'"sessionCnt": 1e400, "stayTimeUv": {HUGE}, "visitDepth": "2.5"}}]}}',
            ),
            (TREND, "20250308", "20250308", '{"list": [{"visitUv": 5}]}'),  # missing keys
            (TREND, "20250309", "20250309", "[1, 2, 3]"),  # not an object
            (TREND, "20250310", "20250310", '{"list": [{"refDate": "20250310", "visitUv": 1.7e308, "visitPv": 20}]}'),
            ("analysis.getDailySummary", "20250307", "20250307", '{"list": "wrong"}'),
            ("analysis.getDailySummary", "20250308", "20250308", "42"),
            ("analysis.getDailySummary", "20250309", "20250309", '"just text"'),
            ("analysis.getDailySummary", "20250310", "20250310", "null"),
            (
                "analysis.getWeeklyVisitTrend",
                "notaday",
                "notaday",
                '{"list": [{"visitUv": 1}]}',
            ),  # dates that are not days
            (
                TREND,
                "00010101",
                "00010101",
                '{"list": [{"visitUv": 1}]}',
            ),  # before WeChat's analytics: no missing days counted from year 1
            (
                RETAIN,
                "99991231",
                "99991231",
                '{"visitUv": [{"key": 0, "value": 1}]}',
            ),  # never over: its keys' days are beyond any date
            (
                "analysis.getMonthlyVisitTrend",
                "20250201",
                "20250228",
                f'{{"list": [{{"visitUv": {HUGE}, "visitPv": 3}}]}}',
            ),
            (
                RETAIN,
                "20250305",
                "20250305",
                '{"visitUvNew": [{"key": 0, "value": 1}, {"key": 1, "value": 1e308}, {"key": 2, "value": NaN}], '
                '"visitUv": [{"key": 0, "value": Infinity}, {"key": "1", "value": 3}, {"key": true, "value": 1}, 5]}',
            ),
            ("analysis.getWeeklyRetain", "20250303", "20250309", '{"visitUv": ['),  # not JSON at all
            (
                "analysis.getMonthlyRetain",
                "20250201",
                "20250228",
                f'{{"visitUv": [{{"key": 0, "value": {ENORMOUS}}}]}}',
            ),
            *(
                (
                    DISTRIBUTION,
                    day,
                    day,
                    '{"list": [{"index": "access_source_session_cnt", "itemList": [{"key": 1, "value": 1e308}, '
                    '{"key": 2, "value": 5}, {"key": true, "value": 3}, {"key": 3, "value": NaN}, '
                    '{"key": "4", "value": 6}]}, {"index": "access_staytime_info", "itemList": "x"}, "y"]}',
                )
                for day in ("20250308", "20250309")
            ),
            *(
                (
                    PAGE,
                    day,
                    day,
                    '{"list": [{"pagePath": "pages/a", "pageVisitPv": 1e308, "pageVisitUv": 1, '
                    '"pageStaytimePv": NaN, "entrypagePv": 1e308}, '
                    '{"pagePath": "pages/b", "pageVisitPv": 3, "pageStaytimePv": Infinity, "exitpagePv": 2}, '
                    '{"pagePath": "pages/c", "pageVisitPv": Infinity}, {"pagePath": 12, "pageVisitPv": 1}, '
                    '"not a page"]}',
                )
                for day in ("20250308", "20250309")
            ),
            (
                PORTRAIT,
                "20250310",
                "20250310",
                '{"visitUv": {"province": [{"name": "广东省", "value": NaN}, {"name": "北京", "value": 3}, '
                '{"value": 2}, {"name": null, "value": 1e400}, "x"], "genders": "wrong", "devices": [1, 2], '
                '"city": {"a": 1}}, "visitUvNew": [1]}',
            ),
        ],
    )
    out = tmp_path / "old.html"
    code, _, err = cli(monkeypatch, db, "report", "--out", str(out), "--appid", OLD_APPID, "--lang", "en")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    raw, options = inline_options(page)
    assert not re.search(r"NaN|Infinity", raw)

    # figures that are not numbers, or beyond a float, are missing; the others are kept
    daily = options["trend-daily"]
    assert daily["xAxis"]["data"] == ["2025-03-03", "2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"]
    assert [series["data"] for series in daily["series"]] == [
        [-1.7e308, None, 5, None, 1.7e308],
        [10, None, None, None, 20],
        [None] * 5,
    ]
    assert [series["data"] for series in options["trend-monthly"]["series"]] == [[None], [3], [None]]
    assert "trend-weekly" not in options  # its only period has no days for dates
    # a change beyond a float is no change shown; the others are
    assert re.search(r'data-kpi="visitUv" data-value="1\.7e\+308">.*?<li data-days="7" data-delta="">', page)
    assert re.search(
        r'data-kpi="visitPv" data-value="20\.0">.*?<li data-days="7" data-delta="10\.0">.*?\+10 \(\+100\.0%\)', page
    )
    assert 'data-kpi="visitTotal"' not in page  # no summary is an object with a list
    # a retention rate of 1e310 % is not drawn; a size that is Infinity is none
    assert options["retention-day-visitUvNew"]["series"][0]["data"] == []
    assert options["retention-day-visitUvNew"]["yAxis"]["data"] == ["2025-03-05 (1)"]
    assert options["retention-day-visitUv"]["yAxis"]["data"] == ["2025-03-05 (—)"]
    # sums beyond a float (two days of 1e308) are missing: the channel is left out, the page's views shown as —
    assert options["sources-channels"]["series"][0]["data"] == [
        {"name": channel_name(2, "en"), "value": 10, "label": {"formatter": "10"}}
    ]
    assert "sources-staytime" not in options
    assert [item["name"] for item in options["pages-top"]["series"][0]["data"]] == ["pages/b", "pages/c", "pages/a"]
    assert [item["value"] for item in options["pages-top"]["series"][0]["data"]] == [6, 0, None]
    assert "<tr><td><span>pages/<wbr>a</span></td><td>—</td><td>2</td><td>—</td><td>—</td>" in page
    assert [(item["name"], item["value"]) for item in options["audience-1-visitUv-province"]["series"][0]["data"]] == [
        ("北京", 3),
        ("(no name)", 2),
    ]
    assert [name for name in options if name.startswith("audience")] == ["audience-1-visitUv-province"]
    # answers that cannot be decoded at all leave their report out, named in the footer
    unreadable = re.search(r'<dd id="unreadable">(.*?)</dd>', page)
    assert unreadable is not None and "analysis.getWeeklyRetain" in unreadable.group(1)


# Names that would end or swallow the page's script if they reached it as they are.
HOSTILE = [
    "</script><script>window.pwned=1</script>",
    "<!--<script>",
    "a&amp;\u2028\u2029<img src=x onerror=window.pwned=2>",
]

CHART_SERIES = """
return Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var chart = echarts.getInstanceByDom(el);
  if (!chart) { return [el.dataset.chart, -1, 0]; }
  var series = chart.getOption().series || [];
  return [el.dataset.chart, series.length, series.reduce(function (n, s) { return n + (s.data || []).length; }, 0)];
});
"""


def test_names_holding_script_tags_are_text_and_every_chart_is_drawn(
    sqlite_db: Db, emulator: WeChatEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, browser: Any
) -> None:
    backfill(monkeypatch, sqlite_db, 40)
    archive = sqlite_db.archive()
    pages = archive.results(DEFAULT_APPID, PAGE)[-1]
    portrait = [item for item in archive.results(DEFAULT_APPID, PORTRAIT) if item.begin_date == item.end_date][
        -1
    ]  # the newest of one day
    hostile_pages = [
        {
            "pagePath": name,
            "pageVisitPv": 9_000_000 - index,
            "pageVisitUv": 10,
            "pageStaytimePv": 3.5,
            "entrypagePv": 900_000 - index,
            "exitpagePv": 800_000 - index,
            "pageSharePv": 1,
        }
        for index, name in enumerate(HOSTILE)
    ]
    audience = portrait.result["visitUv"]
    audience["province"][0]["name"] = HOSTILE[1]
    audience["devices"].append({"name": HOSTILE[0], "value": 10**9})
    audience["genders"][0]["name"] = HOSTILE[2]
    audience["<!--<script>"] = [{"name": "</script>", "value": 5}]  # a dimension WeChat may add, named by the data
    put_raw(
        sqlite_db,
        DEFAULT_APPID,
        [
            (
                PAGE,
                pages.begin_date,
                pages.end_date,
                json.dumps({**pages.result, "list": [*hostile_pages, *pages.result["list"]]}, ensure_ascii=False),
            ),
            (PORTRAIT, portrait.begin_date, portrait.end_date, json.dumps(portrait.result, ensure_ascii=False)),
        ],
    )
    out = tmp_path / "hostile.html"
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out), "--lang", "en")
    assert code == 0, err
    raw, _ = inline_options(out.read_text(encoding="utf-8"))
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}

    assert open_report(browser, out) == [out.as_uri()]
    assert console_errors(browser) == []
    assert browser.execute_script("return typeof window.pwned") == "undefined"  # no name ran as a script
    assert sections(browser) == ALL_SECTIONS
    charts = {str(chart): (int(series), int(points)) for chart, series, points in browser.execute_script(CHART_SERIES)}
    assert "audience-1-visitUv-province" in charts and "audience-1-visitUv-6" in charts and "pages-top" in charts
    assert all(series >= 1 and points >= 1 for series, points in charts.values()), (
        charts
    )  # each an ECharts instance with its data
    pixels = drawn_pixels(browser)
    assert set(pixels) == set(charts) and all(count > 500 for count in pixels.values()), sorted(
        pixels.items(), key=lambda item: item[1]
    )[:3]

    # the names, as text: in the tables, on the charts' axes and in their tooltips' names
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('#pages-table td:first-child, #top_entries td:first-child'))"
        ".map(td => td.textContent)"
    )
    assert cells[:3] == HOSTILE and cells[20:23] == HOSTILE
    top = chart_option(browser, "pages-top")
    assert top["yAxis"][0]["data"][:3] == [*HOSTILE[:2], HOSTILE[2][:39] + "…"]
    assert [item["name"] for item in top["series"][0]["data"][:3]] == HOSTILE
    assert HOSTILE[1] in chart_option(browser, "audience-1-visitUv-province")["yAxis"][0]["data"]
    devices = chart_option(browser, "audience-1-visitUv-devices")
    assert HOSTILE[0][:19] + "…" in devices["yAxis"][0]["data"] and HOSTILE[0] in [
        item["name"] for item in devices["series"][0]["data"]
    ]
    assert HOSTILE[2][:19] + "…" in [
        item["name"] for item in chart_option(browser, "audience-1-visitUv-genders")["series"][0]["data"]
    ]
    headings = browser.execute_script(
        "return Array.from(document.querySelectorAll('#audience h3')).map(h => h.textContent)"
    )
    assert "<!--<script>" in headings
    assert browser.title.endswith(DEFAULT_APPID)


def test_a_megabyte_path_and_ten_thousand_devices_give_a_page_of_normal_size(
    sqlite_db: Db, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, browser: Any
) -> None:
    long_path = "pages/" + "x" * 1_000_000
    listed = [
        {"pagePath": long_path, "pageVisitPv": 10**6, "pageVisitUv": 1, "entrypagePv": 10**6, "exitpagePv": 10**6}
    ]
    listed += [{"pagePath": f"pages/p{index}", "pageVisitPv": index, "pageVisitUv": 1} for index in range(1, 200)]

    def many(count: int, name: str) -> list[dict[str, Any]]:
        return [{"id": index, "name": f"{name} {index} " + "m" * 60, "value": index} for index in range(1, count + 1)]

    dimensions = {
        "province": many(40, "province"),
        "city": many(10_000, "city"),
        "genders": many(20, "gender"),
        "ages": many(50, "age"),
        "platforms": many(15, "platform"),
        "devices": many(10_000, "device"),
    }
    channels = [{"key": key, "value": key} for key in range(1, 10_001)]
    put_raw(
        sqlite_db,
        OLD_APPID,
        [
            (TREND, "20250310", "20250310", '{"list": [{"visitUv": 3, "visitPv": 4}]}'),
            (PAGE, "20250310", "20250310", json.dumps({"list": listed})),
            (
                DISTRIBUTION,
                "20250310",
                "20250310",
                json.dumps(
                    {
                        "list": [
                            {"index": "access_source_session_cnt", "itemList": channels},
                            {"index": "access_staytime_info", "itemList": channels},
                        ]
                    }
                ),
            ),
            (PORTRAIT, "20250310", "20250310", json.dumps({"visitUv": dimensions, "visitUvNew": dimensions})),
        ],
    )
    out = tmp_path / "big.html"
    code, _, err = cli(monkeypatch, sqlite_db, "report", "--out", str(out), "--appid", OLD_APPID, "--lang", "en")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert len(page) - len(echarts_source()) < 200_000  # the data makes no difference to the page's size

    assert open_report(browser, out) == [out.as_uri()]
    assert console_errors(browser) == []
    pixels = drawn_pixels(browser)
    assert all(count > 2000 for count in pixels.values()), pixels
    for dimension, entries in dimensions.items():  # every dimension: its top ten and the others
        option = chart_option(browser, f"audience-1-visitUv-{dimension}")
        data = option["series"][0]["data"]
        names = [item["name"] for item in data] if dimension in {"genders", "platforms"} else option["yAxis"][0]["data"]
        assert len(names) == 11 and names[-1] == "Others", (dimension, names)
        assert all(len(name) == 20 and name.endswith("…") for name in names[:10]), names
        assert [item["value"] for item in data] == [
            *range(len(entries), len(entries) - 10, -1),
            sum(range(1, len(entries) - 9)),
        ]
    channels_option = chart_option(browser, "sources-channels")
    assert len(channels_option["yAxis"][0]["data"]) == 16 and channels_option["yAxis"][0]["data"][-1] == "Others"
    assert len(chart_option(browser, "sources-staytime")["yAxis"][0]["data"]) == 21
    first = browser.find_element("css selector", "#pages-table tr:nth-child(2) td:first-child span")
    assert first.text == long_path[:79] + "…" and first.get_attribute("title") == long_path[:199] + "…"
    assert chart_option(browser, "pages-top")["yAxis"][0]["data"][0] == long_path[:39] + "…"


DOCS = ROOT / "docs" / "archive.md"
BENCH = ROOT / "bench" / "README.md"


@pytest.mark.slow
def test_the_size_the_docs_give_is_the_size_of_a_year_of_all_ten_reports(tmp_path: Path) -> None:
    archive = filled_archive(tmp_path, 365)
    try:
        sizes = [len(render(archive, DEFAULT_APPID, lang=lang).encode("utf-8")) / 1_000_000 for lang in ("zh", "en")]  # type: ignore[arg-type]
    finally:
        archive.close()
    stated = re.search(r"weighs about ([\d.]+) MB", DOCS.read_text(encoding="utf-8"))
    assert stated is not None
    assert all(abs(size - float(stated.group(1))) < 0.05 for size in sizes), (stated.group(0), sizes)
    benched = re.search(
        r"\| report of 365 days of all ten reports, size \(MB; budget\) \| ([\d.]+) \|",
        BENCH.read_text(encoding="utf-8"),
    )
    assert benched is not None and abs(sizes[0] - float(benched.group(1))) < 0.02, (benched, sizes)
