"""What a report page looks like once drawn, read back from the browser: every chart's text as
ECharts placed it, and whether the page is wider than the window.

Each chart's text is read from its zrender scene (``chart.getZr()``): every text element it
draws (axis labels and names, bar and cell labels, legends), visible and not ignored, with its
bounding box in the chart's pixels. A label is *clipped* when its box leaves the chart's canvas,
and two labels *overlap* when their boxes intersect: what ``problems`` reports, and what the
browser tests and ``devtools/report_screenshot.py`` check at 1200 px and at 390 px. A table's
name cell (a page path) is read as its text and where the browser broke its lines
(``cell_lines``): a path breaks after a "/", never inside a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

# Per chart shown (wider than 0): its id, canvas size and every text element drawn.
CHART_TEXTS = """
return Array.from(document.querySelectorAll('[data-chart]')).filter(function (el) { return el.clientWidth > 0; }\
).map(function (el) {
  var chart = echarts.getInstanceByDom(el); if (!chart) { return {id: el.dataset.chart, width: 0, height: 0, texts: \
[]}; }
  var zr = chart.getZr(); var texts = [];
  zr.storage.getDisplayList(true).forEach(function (item) {
    var style = item.style || {};
    if ((item.type !== 'tspan' && item.type !== 'text') || item.ignore || item.invisible || style.opacity === 0) { \
return; }
    if (style.text == null || String(style.text) === '') { return; }
    var box = item.getBoundingRect().clone(); if (item.transform) { box.applyTransform(item.transform); }
    texts.push({text: String(style.text), x: box.x, y: box.y, width: box.width, height: box.height});
  });
  return {id: el.dataset.chart, width: zr.getWidth(), height: zr.getHeight(), texts: texts};
});
"""

# How far the page reaches beyond the window sideways (0: no horizontal scroll).
OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth;"
# Elements shown that reach beyond the window's right edge outside a box that scrolls on its own
# (a wide table, the daily retention triangle): what would make the page wider than a phone.
STRAY = """
return Array.from(document.querySelectorAll('body *')).filter(function (el) {
  var box = el.getBoundingClientRect(); return box.width > 0 && box.right > window.innerWidth + 0.5 && \
!el.closest('.scroll');
}).map(function (el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + \
el.className : ''); });
"""

# Each table cell of a name from the data (a page path, first in its row) as [its text, the text
# before each line break]: where the browser wrapped it, read character by character from the
# boxes of its rendered text.
CELL_LINES = """
return Array.from(document.querySelectorAll('table td:first-child')).filter(function (td) { return td.clientWidth > 0;\
 }).map(function (td) {
  var walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT); var text = ''; var breaks = []; var top = null; \
var node;
  while ((node = walker.nextNode())) {
    for (var i = 0; i < node.data.length; i++) {
      var range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      var rects = range.getClientRects(); if (!rects.length) { text += node.data[i]; continue; }
      if (top !== null && rects[0].top > top + 1) { breaks.push(text); }
      top = rects[0].top; text += node.data[i];
    }
  }
  return [text, breaks];
});
"""

SLACK = 0.5  # px: boxes that merely touch (a cell's label at its edge) neither clip nor overlap


@dataclass(frozen=True)
class Text:
    text: str
    x: float
    y: float
    width: float
    height: float

    def inside(self, width: float, height: float) -> bool:
        return (
            self.x >= -SLACK
            and self.y >= -SLACK
            and self.x + self.width <= width + SLACK
            and self.y + self.height <= height + SLACK
        )

    def overlaps(self, other: Text) -> bool:
        return (
            self.x + SLACK < other.x + other.width
            and other.x + SLACK < self.x + self.width
            and self.y + SLACK < other.y + other.height
            and other.y + SLACK < self.y + self.height
        )


@dataclass(frozen=True)
class Chart:
    id: str
    width: float
    height: float
    texts: tuple[Text, ...]


def charts(driver: Any) -> list[Chart]:
    """Every chart shown on the page, with its text as drawn."""
    return [
        Chart(
            str(item["id"]),
            float(item["width"]),
            float(item["height"]),
            tuple(
                Text(str(t["text"]), float(t["x"]), float(t["y"]), float(t["width"]), float(t["height"]))
                for t in item["texts"]
            ),
        )
        for item in driver.execute_script(CHART_TEXTS)
    ]


def problems(found: list[Chart]) -> list[str]:
    """Each label cut by its chart's edge, and each pair of labels drawn over each other, as a line."""
    lines = []
    for chart in found:
        if not chart.texts:
            lines.append(f"{chart.id}: no text drawn")
        for text in chart.texts:
            if not text.inside(chart.width, chart.height):
                lines.append(
                    f"{chart.id}: {text.text!r} at ({text.x:.0f}, {text.y:.0f}, {text.width:.0f}x{text.height:.0f}) "
                    f"leaves the chart of {chart.width:.0f}x{chart.height:.0f}"
                )
        for one, other in combinations(chart.texts, 2):
            if one.overlaps(other):
                lines.append(f"{chart.id}: {one.text!r} and {other.text!r} overlap")
    return lines


def overflow(driver: Any) -> int:
    """How many pixels the page is wider than the window."""
    return int(driver.execute_script(OVERFLOW))


def cell_lines(driver: Any) -> list[tuple[str, list[str]]]:
    """Each name cell of the page's tables: its text and the text before each line break."""
    return [(str(text), [str(before) for before in breaks]) for text, breaks in driver.execute_script(CELL_LINES)]


def broken_paths(driver: Any) -> list[tuple[str, list[str]]]:
    """The name cells (page paths) a line breaks inside a name, not after a "/"."""
    return [(text, breaks) for text, breaks in cell_lines(driver) if not all(before.endswith("/") for before in breaks)]


def set_viewport(driver: Any, width: int, height: int) -> None:
    """Chromium's window as the page sees it: ``width`` by ``height`` CSS pixels, a desktop's."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def stray(driver: Any) -> list[str]:
    """The elements reaching beyond the window's right edge outside a box that scrolls sideways."""
    return [str(name) for name in driver.execute_script(STRAY)]
