"""The report reads right at 1200 px and at 390 px, in either language: read back from ECharts in a
real headless Chromium, no chart's label is cut by its chart's edge or drawn over another (the
age bar of 11,876 that read "1187", "12,00015,000" on an axis, "iPh... 48.3..." around a pie, a
colour scale over the last row), the page never scrolls sideways on a phone, value axes speak in
万 or k, every bar's figure is shown whole; each heat-map cell's text contrasts with its shade, a
metric, an audience and a portrait's name keep one colour across the page; the daily triangle
reaches back to cohorts that have their 30-day value; portraits of 1, 7 and 30 days are
archived by default, each shown by the span selector; a page path in a table breaks after a "/",
never inside a name; in English a portrait's fixed names (genders, ages, WeChat's "其他") are
English, in the colours they have in Chinese, and every heading starts with a capital.

The archive is the one the documentation's pictures are made from (``devtools/sample_archive.py``,
the emulator on a pinned day), 75 days of all ten reports. Without Chromium the browser tests skip
visibly, and fail in CI (CI=true)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from wxcloud.archive import Archive
from wxcloud.archive.present.report import render
from wxcloud.archive.present.report.colors import AUDIENCE_COLORS, METRIC_COLORS, NAME_COLORS, SCALES, contrast

from devtools.browser import console_errors, drawn_pixels, requested_urls
from devtools.report_layout import broken_paths, cell_lines, charts, overflow, problems, set_viewport, stray
from devtools.sample_archive import filled_archive, morning
from devtools.wechat_emulator import DEFAULT_APPID

TODAY = date(2026, 12, 1)
WIDTHS = (1200, 390)
LANGS = ("zh", "en")
PORTRAIT = "analysis.getUserPortrait"
OPTIONS = re.compile(r'<script type="application/json" id="chart-options">(.*?)</script>', re.S)


@pytest.fixture(name="sample", scope="module")
def sample_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = filled_archive(tmp_path_factory.mktemp("sample"), 75, TODAY)
    yield archive
    archive.close()


@pytest.fixture(name="pages", scope="module")
def pages_fixture(sample: Archive, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    pages = {}
    for lang in LANGS:
        pages[lang] = folder / f"report-{lang}.html"
        pages[lang].write_text(render(sample, DEFAULT_APPID, lang=lang, now=morning(TODAY)), encoding="utf-8")
    return pages


def options_of(page: Path) -> dict[str, Any]:
    found = OPTIONS.search(page.read_text(encoding="utf-8"))
    assert found is not None
    return dict(json.loads(found.group(1)))


def open_at(browser: Any, page: Path, width: int) -> None:
    set_viewport(browser, width, 900)
    requested_urls(browser)
    console_errors(browser)
    browser.get(page.as_uri())
    browser.find_element("css selector", "footer")
    assert requested_urls(browser) == [page.as_uri()]
    assert console_errors(browser) == []


def texts(browser: Any, chart_id: str) -> list[str]:
    return [text.text for chart in charts(browser) if chart.id == chart_id for text in chart.texts]


SPANS = "return Array.from(document.querySelectorAll('[data-spans] button')).map(b => b.dataset.span)"
PRESSED = (
    "return Array.from(document.querySelectorAll('[data-spans] button[aria-pressed=true]')).map(b => b.textContent)"
)


def spans(browser: Any) -> list[str]:
    return [str(span) for span in browser.execute_script(SPANS)]


def choose(browser: Any, span: str) -> None:
    browser.find_element("css selector", f'[data-spans] button[data-span="{span}"]').click()
    for _ in range(50):  # the click's handler runs on the page's own turn
        if browser.execute_script(f"return !document.querySelector('[data-span-panel=\"{span}\"]').hidden"):
            return
        time.sleep(0.02)
    raise AssertionError(f"the panel of {span} days is not shown")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_label_is_cut_or_overlaps_and_the_page_never_scrolls_sideways(
    browser: Any, pages: dict[str, Path], width: int, lang: str
) -> None:
    open_at(browser, pages[lang], width)
    assert spans(browser) == ["1", "7", "30"]
    for span in ["30", "7", "1"]:  # the widest shown first; each span's charts checked once shown
        choose(browser, span)
        found = charts(browser)
        assert len(found) == 13 + 12, [
            chart.id for chart in found
        ]  # 13 charts of the other sections, 12 of one portrait
        assert {chart.id.split("-")[1] for chart in found if chart.id.startswith("audience-")} == {span}
        assert problems(found) == []
        assert overflow(browser) == 0 and stray(browser) == []
        pixels = drawn_pixels(browser)
        assert all(pixels[chart.id] > 500 for chart in found), pixels


@pytest.mark.parametrize("width", WIDTHS)
def test_axes_speak_in_compact_units_and_every_bar_shows_its_whole_figure(
    browser: Any, pages: dict[str, Path], width: int
) -> None:
    for lang, unit in (("zh", "万"), ("en", "k")):
        open_at(browser, pages[lang], width)
        drawn = texts(browser, "trend-daily")
        figures = [text for text in drawn if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)]
        assert any(text.endswith(unit) for text in figures), drawn
        assert not [text for text in figures if re.search(r"\d{4}|\d,\d", text)], drawn  # no 12,000 or 15000 on an axis
        option = options_of(pages[lang])
        for chart_id in ("pages-top", "sources-channels", "audience-30-visitUv-ages", "audience-30-visitUvNew-devices"):
            shown = texts(browser, chart_id)
            for item in option[chart_id]["series"][0]["data"]:
                assert f"{item['value']:,}" in shown, (chart_id, item, shown)  # as drawn: the whole figure, never cut


def test_each_heat_map_cell_is_readable_and_the_30_day_column_has_values(pages: dict[str, Path]) -> None:
    option = options_of(pages["en"])
    for chart_id in [name for name in option if name.startswith("retention-")]:
        rates, pending = (series["data"] for series in option[chart_id]["series"])
        assert "visualMap" not in option[chart_id]  # the scale is under the chart, never over a row
        assert rates and all(contrast(item["label"]["color"], item["itemStyle"]["color"]) >= 4.5 for item in rates), (
            chart_id
        )
        assert all(
            contrast(
                option[chart_id]["series"][1]["label"]["color"], option[chart_id]["series"][1]["itemStyle"]["color"]
            )
            >= 4.5
            for _ in pending
        )
    daily = option["retention-day-visitUvNew"]
    assert len(daily["yAxis"]["data"]) == 40
    thirty = sorted(
        y for x, y, _ in (item["value"] for item in daily["series"][0]["data"]) if x == 8
    )  # key 30: the 9th column
    assert thirty == list(range(10))  # the ten cohorts 31 days old or more
    assert min(item["value"][2] for item in daily["series"][0]["data"]) >= 0


def test_one_colour_per_meaning_across_the_page(pages: dict[str, Path]) -> None:
    option = options_of(pages["zh"])
    for name in ("trend-daily", "trend-weekly", "trend-monthly"):
        assert [series["color"] for series in option[name]["series"]] == [
            METRIC_COLORS[m] for m in ("visitUv", "visitPv", "visitUvNew")
        ]
    colors: dict[str, set[str]] = {}
    for chart_id, chart in option.items():
        if chart_id.startswith("audience-") and chart["series"][0]["type"] == "pie":
            for item in chart["series"][0]["data"]:
                colors.setdefault(item["name"], set()).add(item["itemStyle"]["color"])
        elif chart_id.startswith("audience-"):
            assert chart["series"][0]["color"] == AUDIENCE_COLORS[chart_id.split("-")[2]], chart_id
    assert {"男", "女", "iPhone", "Android"} <= set(colors)
    assert all(len(shades) == 1 for shades in colors.values()), (
        colors
    )  # the same name, the same colour, in every pie of every span
    assert len({next(iter(shades)) for shades in colors.values()}) == len(
        colors
    )  # and different names, different colours
    heat = {
        chart_id: chart["series"][0]["data"] for chart_id, chart in option.items() if chart_id.startswith("retention-")
    }
    for chart_id, cells in heat.items():  # retention of new users in the new users' hue, of active users in theirs
        darkest = max(cells, key=lambda item: item["value"][2])["itemStyle"]["color"]
        assert darkest == SCALES[chart_id.rsplit("-", 1)[1]][-1], chart_id


def test_portraits_of_1_7_and_30_days_are_archived_and_each_is_chosen_by_its_button(
    browser: Any, sample: Archive, pages: dict[str, Path]
) -> None:
    stored = sample.results(DEFAULT_APPID, PORTRAIT)
    assert {(item.period.end - item.period.begin).days + 1 for item in stored} == {1, 7, 30}
    newest = {
        days: max(item.period for item in stored if (item.period.end - item.period.begin).days + 1 == days)
        for days in (1, 7, 30)
    }
    open_at(browser, pages["en"], 390)
    for span, period in newest.items():
        choose(browser, str(span))
        note = browser.find_element("css selector", f'[data-span-panel="{span}"] .note').text
        assert note == f"Portrait of {period.begin_date}..{period.end_date}"
        pressed = browser.execute_script(PRESSED)
        assert pressed == ["1 day" if span == 1 else f"{span} days"]


def test_the_charts_follow_the_window_from_1200_to_390_px(browser: Any, pages: dict[str, Path]) -> None:
    open_at(browser, pages["en"], 1200)
    wide = {chart.id: chart.width for chart in charts(browser)}
    set_viewport(browser, 390, 900)
    for _ in range(100):  # the page's resize handler runs on its own turn
        narrow = {chart.id: chart.width for chart in charts(browser)}
        if narrow["pages-top"] < wide["pages-top"]:
            break
        time.sleep(0.02)
    assert narrow["trend-daily"] < wide["trend-daily"] / 2
    boxes = dict(
        browser.execute_script(
            "return Array.from(document.querySelectorAll('[data-chart]')).map(el => [el.dataset.chart, el.clientWidth])"
        )
    )
    assert all(width == boxes[chart_id] for chart_id, width in narrow.items()), (
        boxes,
        narrow,
    )  # each drawn the width of its box
    assert problems(charts(browser)) == []
    assert overflow(browser) == 0 and stray(browser) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_page_paths_break_after_a_slash_never_inside_a_name(browser: Any, pages: dict[str, Path], width: int) -> None:
    open_at(browser, pages["en"], width)
    cells = cell_lines(browser)
    assert len(cells) >= 20 and all("/" in text for text, _ in cells), cells  # the pages table, entries and exits
    wrapped = [(text, breaks) for text, breaks in cells if breaks]
    assert broken_paths(browser) == []
    if width == 390:
        assert wrapped, cells  # a phone wraps the longer paths: at their slashes


def test_the_names_of_a_portrait_are_english_in_english_with_their_colours_kept(pages: dict[str, Path]) -> None:
    zh, en = options_of(pages["zh"]), options_of(pages["en"])
    names = {
        chart_id: [item["name"] for item in chart["series"][0]["data"]]
        for chart_id, chart in en.items()
        if chart_id.startswith("audience-")
    }
    shown = {name for chart in names.values() for name in chart}
    assert {"male", "female", "unknown", "under 17", "18-24", "25-29", "30-39", "40-49", "50+", "other"} <= shown
    assert not {"男", "女", "未知", "其他"} & shown and not [name for name in shown if "岁" in name]
    assert (
        "Others" not in names["audience-30-visitUv-genders"]
    )  # WeChat's "其他" is "other"; the report's summed rest "Others"
    assert "杭州" in shown  # a city as WeChat gives it
    checked = []
    for chart_id in ("audience-30-visitUv-genders", "audience-1-visitUvNew-platforms"):
        colours = {item["name"]: item["itemStyle"]["color"] for item in en[chart_id]["series"][0]["data"]}
        colours_zh = {item["name"]: item["itemStyle"]["color"] for item in zh[chart_id]["series"][0]["data"]}
        for english, chinese in (
            ("male", "男"),
            ("female", "女"),
            ("unknown", "未知"),
            ("iPhone", "iPhone"),
            ("other", "其他"),
        ):
            if chinese in colours_zh:
                assert colours[english] == colours_zh[chinese] == NAME_COLORS[chinese], (
                    chart_id,
                    english,
                )  # one colour, either language
                checked.append(english)
    assert {"male", "female", "iPhone"} <= set(checked)


def test_the_headings_are_capitalised_alike_in_english(pages: dict[str, Path]) -> None:
    headings = re.findall(r"<h[123]>(.*?)</h[123]>", pages["en"].read_text(encoding="utf-8"))
    assert "New users" in headings and "Active users" in headings
    assert [heading for heading in headings if not heading[:1].isupper()] == []
