"""The report as one HTML file: the gathered figures laid out, ECharts and every chart's data inlined.

Why one file with everything inside: the report travels as a mail attachment and is opened where
there may be no network, so it loads nothing (no CDN, no fonts, no images). Each chart is an
ECharts *option* (plain JSON built here); the only script besides ECharts is the loop that hands
each option to ``echarts.init``. Tables and KPI cards are HTML, so their numbers can be read,
copied and searched. The layout is a single column of cards that reflows on a phone.

No data can break the page: the options are JSON with every number finite (``_finite``: JSON
has no NaN, and a page whose JSON holds one draws nothing), inlined with ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped (``options_json``), so a page path holding ``</script>`` or
``<!--<script>`` cannot end or swallow the script element; text in the HTML is escaped; names
from the data are cut to a readable length (labels.short), whole (still bounded) in tooltips
and title attributes; and each chart is drawn on its own, so one ECharts refuses cannot blank the
others.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ..channels import channel_name
from .data import PORTRAIT_DIMENSIONS, Audience, Kpi, Overview, PageRow, Pages, ReportData, Sources, Trends, Triangle
from .labels import CELL_CHARS, FULL_CHARS, NAME_CHARS, NARROW_CHARS, Lang, number, percent, short, signed, text

ECHARTS = "echarts.min.js"
PALETTE = ["#07c160", "#1677ff", "#fa8c16", "#eb2f96", "#722ed1", "#13c2c2", "#faad14", "#a0d911"]
DECIMALS = {"stayTimeUv": 1, "visitDepth": 2}

STYLE = """
:root{--fg:#1f2329;--muted:#646a73;--line:#e5e6eb;--bg:#f5f6f7;--card:#fff;--up:#07c160;--down:#f54a45}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,"PingFang SC",
"Microsoft YaHei","Noto Sans CJK SC",sans-serif}header,main,footer{max-width:1100px;margin:0 auto;padding:12px}
header h1{font-size:20px;margin:8px 0 0}header p{margin:2px 0;color:var(--muted)}
section{background:var(--card);border-radius:8px;padding:12px 16px;margin:12px 0}section h2{font-size:17px;margin:4px 0 12px}
h3{font-size:14px;margin:12px 0 4px;color:var(--muted);font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 10px}.kpi .name{color:var(--muted);font-size:13px}
.kpi .value{font-size:22px;font-weight:600}.kpi ul{list-style:none;margin:4px 0 0;padding:0;font-size:12px;color:var(--muted)}
.up{color:var(--up)}.down{color:var(--down)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.grid.wide{grid-template-columns:repeat(auto-fit,minmax(520px,1fr))}.chart{width:100%;height:320px}.note{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:right}
th:first-child,td:first-child{text-align:left;word-break:break-all}.scroll{overflow-x:auto}
footer{color:var(--muted);font-size:12px}footer dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}
footer dd{margin:0}@media (max-width:600px){.grid,.grid.wide{grid-template-columns:1fr}.chart{height:260px}.kpi .value{font-size:18px}}
"""

# Hands each chart's option to ECharts, and resizes them with the window: the page's only script.
# Each chart on its own: one that fails is logged and the others are still drawn.
BOOT = """
(function(){var options=JSON.parse(document.getElementById('chart-options').textContent);
var locale=document.documentElement.lang==='zh'?'ZH':'EN';var charts=[];
document.querySelectorAll('[data-chart]').forEach(function(el){try{var c=echarts.init(el,null,{locale:locale});
c.setOption(options[el.dataset.chart]);charts.push(c);}catch(e){console.error('chart '+el.dataset.chart+': '+e);}});
window.addEventListener('resize',function(){charts.forEach(function(c){c.resize();});});})();
"""
# Characters escaped in the inline JSON: none of them can then open or close an element or a
# comment inside the script element, and U+2028/U+2029 end no line of any script that reads it.
JSON_ESCAPES = {ord(char): f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


def echarts_source() -> str:
    return resources.files(__package__).joinpath(ECHARTS).read_text(encoding="utf-8")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _finite(value: Any) -> Any:
    """``value`` with every number JSON cannot carry (NaN, Infinity) or JavaScript cannot hold
    (an int beyond a float) made null: the last guard, whatever the sections computed."""
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return value if math.isfinite(float(value)) else None
        except OverflowError:
            return None
    return value


def options_json(options: dict[str, Any]) -> str:
    """The charts' options as JSON that is safe inside ``<script type="application/json">``."""
    dumped = json.dumps(_finite(options), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return dumped.translate(JSON_ESCAPES)


def _count(value: int | None, lang: Lang) -> str:
    return "—" if value is None else number(value, lang)


def _cell(name: str) -> str:
    """A name from the data in a table cell: cut to a readable length, whole (bounded) in its title."""
    shown = short(name, CELL_CHARS)
    title = f' title="{_e(short(name, FULL_CHARS))}"' if shown != name else ""
    return f"<span{title}>{_e(shown)}</span>"


class Page:
    """Builds the body section by section, collecting each chart's option under its id."""

    def __init__(self, data: ReportData, lang: Lang) -> None:
        self.data = data
        self.lang = lang
        self.options: dict[str, dict[str, Any]] = {}

    def t(self, key: str, **values: object) -> str:
        return text(key, self.lang, **values)

    def chart(self, chart_id: str, option: dict[str, Any], height: int | None = None) -> str:
        self.options[chart_id] = {"color": PALETTE, "animation": False, **option}
        style = f' style="height:{height}px"' if height else ""
        return f'<div class="chart" data-chart="{_e(chart_id)}" id="chart-{_e(chart_id)}"{style}></div>'

    # ---- sections -------------------------------------------------------------------------

    def overview(self, overview: Overview) -> str:
        cards = "".join(self._kpi(kpi) for kpi in overview.kpis)
        day = f"{overview.day:%Y-%m-%d}"
        return f'<p class="note">{self.t("newest_day")}: <b data-newest-day="{day}">{day}</b></p><div class="kpis">{cards}</div>'

    def _kpi(self, kpi: Kpi) -> str:
        decimals = DECIMALS.get(kpi.metric, 0)
        rows = []
        for comparison in kpi.comparisons:
            delta, ratio = comparison.delta(kpi.value), comparison.ratio(kpi.value)
            if delta is None:
                shown, css, raw = "—", "", ""
            else:
                shown = signed(delta, self.lang, decimals) + (f" ({percent(ratio, sign=True)})" if ratio is not None else "")
                css, raw = ("up" if delta > 0 else "down" if delta < 0 else ""), repr(delta)
            rows.append(
                f'<li data-days="{comparison.days}" data-delta="{raw}">{self.t(f"vs_{comparison.days}")} '
                f'<span class="{css}">{_e(shown)}</span></li>'
            )
        return (
            f'<div class="kpi" data-kpi="{kpi.metric}" data-value="{kpi.value!r}"><div class="name">{self.t(kpi.metric)}</div>'
            f'<div class="value">{_e(number(kpi.value, self.lang, decimals))}</div><ul>{"".join(rows)}</ul></div>'
        )

    def trends(self, trends: Trends) -> str:
        parts = []
        metrics = ("visitUv", "visitPv", "visitUvNew")
        for name, series, kind in (("daily", trends.daily, "line"), ("weekly", trends.weekly, "bar"), ("monthly", trends.monthly, "bar")):
            if series is None:
                continue
            option: dict[str, Any] = {
                "tooltip": {"trigger": "axis"},
                "legend": {"top": 0},
                "grid": {"left": 8, "right": 16, "top": 36, "bottom": 56 if name == "daily" else 24, "containLabel": True},
                "xAxis": {"type": "category", "data": series.labels},
                # visits on an axis of their own (right): several times the visitors, they would
                # flatten the visitors' and new users' lines against the bottom of a shared one
                "yAxis": [{"type": "value", "name": self.t("visitUv")}, {"type": "value", "name": self.t("visitPv"), "splitLine": {"show": False}}],
                "series": [
                    {"name": self.t(metric), "type": kind, "data": series.values[metric], "showSymbol": False, "smooth": False,
                     "yAxisIndex": 1 if metric == "visitPv" else 0}
                    for metric in metrics
                ],
            }
            if name == "daily":
                option["dataZoom"] = [{"type": "inside"}, {"type": "slider", "height": 20, "bottom": 8}]
            parts.append(f"<h3>{self.t(f'{name}_trend')}</h3>" + self.chart(f"trend-{name}", option))
        return "".join(parts)

    def retention(self, triangles: list[Triangle]) -> str:
        parts = [f'<p class="note">{self.t("provisional_note")}</p>']
        for wide in (True, False):  # daily triangles (ten keys) take the full width; weekly and monthly share rows
            chosen = [triangle for triangle in triangles if (triangle.unit == "day") == wide]
            parts.append('<div class="grid wide">' if wide else '<div class="grid">')
            for triangle in chosen:
                parts.append(f"<div><h3>{self.t(f'retain_{triangle.unit}')}: {self.t(f'audience_{triangle.audience}')}</h3>")
                parts.append(self._triangle(triangle) + "</div>")
            parts.append("</div>")
        return "".join(parts)

    def _triangle(self, triangle: Triangle) -> str:
        keys = [key for key in triangle.keys if key != 0]  # key 0 is the cohort itself: its size is on the axis
        x_labels = [self.t(f"key_{triangle.unit}", k=key) for key in keys]
        y_labels = [f"{cohort.label} ({number(cohort.size, self.lang) if cohort.size is not None else '—'})" for cohort in triangle.cohorts]
        rates, pending = [], []
        for y, cohort in enumerate(triangle.cohorts):
            for x, key in enumerate(keys):
                cell = next(cell for cell in cohort.cells if cell.key == key)
                if cell.state == "notYet":
                    pending.append({"value": [x, y, 0], "label": {"formatter": self.t("not_yet")}})
                elif cell.rate is not None:
                    shown = round(cell.rate * 100, 1)
                    item: dict[str, Any] = {"value": [x, y, shown], "label": {"formatter": f"{shown:.1f}%"}}
                    if cell.state == "provisional":
                        item["label"]["formatter"] += "*"
                        item["itemStyle"] = {"borderColor": "#8f959e", "borderWidth": 1, "borderType": "dashed", "opacity": 0.7}
                    rates.append(item)
        top = max((item["value"][2] for item in rates), default=100.0)
        option = {
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 8, "top": 8, "bottom": 48, "containLabel": True},
            "xAxis": {"type": "category", "data": x_labels, "splitArea": {"show": True}, "position": "top"},
            "yAxis": {"type": "category", "data": y_labels, "inverse": True, "axisLabel": {"fontSize": 10}},
            "visualMap": {"min": 0, "max": top, "calculable": True, "orient": "horizontal", "left": "center", "bottom": 0,
                          "seriesIndex": 0, "itemHeight": 120, "inRange": {"color": ["#f0fff4", "#95de64", "#07c160", "#0b7a3e"]}},
            "series": [
                {"name": "rate", "type": "heatmap", "data": rates, "label": {"show": True, "fontSize": 9}},
                {"name": self.t("not_yet"), "type": "heatmap", "data": pending, "itemStyle": {"color": "#eceef1"},
                 "label": {"show": True, "fontSize": 9, "color": "#8f959e"}},
            ],
        }
        height = 90 + 22 * len(y_labels)
        return self.chart(f"retention-{triangle.unit}-{triangle.audience}", option, height)

    def sources(self, sources: Sources) -> str:
        note = f'<p class="note">{self.t("summed_days", n=sources.days)}</p>'
        parts = [note]
        if sources.channels:
            names = [self.t("others") if item.key is None else channel_name(item.key, self.lang) for item in sources.channels]
            option = self._bars(names, [item.value for item in sources.channels], horizontal=True)
            parts.append(f"<h3>{self.t('channels')}</h3>" + self.chart("sources-channels", option, 60 + 20 * len(names)))
        grid = []
        for name, items in (("staytime", sources.staytime), ("depth", sources.depth)):
            if items:
                labels = [self.t("others") if item.key is None
                          else self.t(f"{name}_{item.key}") if (0 < item.key < 9 and name == "staytime") or (0 < item.key < 8 and name == "depth")
                          else f"#{item.key}" for item in items]
                option = self._bars(labels, [i.value for i in items], limit=NARROW_CHARS)
                grid.append(f"<div><h3>{self.t(name)}</h3>" + self.chart(f"sources-{name}", option) + "</div>")
        if grid:
            parts.append('<div class="grid">' + "".join(grid) + "</div>")
        return "".join(parts)

    def _bars(self, names: Sequence[str], values: Sequence[int | None], *, horizontal: bool = False, limit: int = NAME_CHARS) -> dict[str, Any]:
        """Bars of named values: each name cut to ``limit`` on the axis, whole (bounded) in its bar's tooltip."""
        category = {"type": "category", "data": [short(name, limit) for name in names], "inverse": horizontal,
                    "axisLabel": {"interval": 0, "fontSize": 11}}
        amount = {"type": "value"}
        return {
            "tooltip": {"trigger": "item"},
            "grid": {"left": 8, "right": 24, "top": 12, "bottom": 8, "containLabel": True},
            "xAxis": amount if horizontal else category,
            "yAxis": category if horizontal else amount,
            "series": [{"type": "bar", "data": [{"name": short(name, FULL_CHARS), "value": value} for name, value in zip(names, values, strict=True)],
                        "label": {"show": horizontal, "position": "right", "fontSize": 10}}],
        }

    def pages(self, pages: Pages) -> str:
        parts = [f'<p class="note">{self.t("summed_days", n=pages.days)}</p>']
        top = pages.top[:10]
        parts.append(f"<h3>{self.t('top_pages')}</h3>")
        parts.append(self.chart("pages-top", self._bars([row.path for row in top], [row.pv for row in top], horizontal=True), 60 + 24 * len(top)))
        parts.append(self._table(pages.top, "pages-table"))
        parts.append('<div class="grid">')
        for name, rows, column in (("top_entries", pages.entries, "entries"), ("top_exits", pages.exits, "exits")):
            body = "".join(f"<tr><td>{_cell(row.path)}</td><td>{_count(getattr(row, column), self.lang)}</td></tr>" for row in rows)
            head = f"<tr><th>{self.t('page_path')}</th><th>{self.t('page_' + column)}</th></tr>"
            parts.append(f'<div><h3>{self.t(name)}</h3><div class="scroll"><table id="{name}">{head}{body}</table></div></div>')
        parts.append("</div>")
        return "".join(parts)

    def _table(self, rows: list[PageRow], table_id: str) -> str:
        columns = ("page_path", "page_pv", "page_uv", "page_stay", "page_entries", "page_exits", "page_shares")
        head = "".join(f"<th>{self.t(column)}</th>" for column in columns)
        body = []
        for row in rows:
            stay = "—" if row.stay is None else number(row.stay, self.lang, 1)
            cells = [_cell(row.path), *(_count(v, self.lang) for v in (row.pv, row.uv)), stay,
                     *(_count(v, self.lang) for v in (row.entries, row.exits, row.share_pv))]
            body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        return f'<div class="scroll"><table id="{table_id}"><tr>{head}</tr>{"".join(body)}</table></div>'

    def audience(self, audience: Audience) -> str:
        parts = [f'<p class="note">{self.t("portrait_of", period=audience.period)}</p>']
        for group, dimensions in audience.groups.items():
            parts.append(f"<h3>{self.t(f'audience_{group}')}</h3><div class=\"grid\">")
            for index, (dimension, pairs) in enumerate(dimensions.items()):
                names = [self.t("others") if name is None else name or self.t("unnamed") for name, _ in pairs]
                values = [value for _, value in pairs]
                if dimension in {"genders", "platforms"}:
                    option: dict[str, Any] = {
                        "tooltip": {"trigger": "item"},
                        "legend": {"bottom": 0, "type": "scroll"},
                        "series": [{"type": "pie", "radius": ["40%", "68%"], "label": {"formatter": "{b}\n{d}%"},
                                    "data": [{"name": short(n, NARROW_CHARS), "value": v} for n, v in zip(names, values, strict=True)]}],
                    }
                else:
                    option = self._bars(names, values, horizontal=True, limit=NARROW_CHARS)
                known = dimension in PORTRAIT_DIMENSIONS  # a dimension WeChat may add: named as it sent it, its id by position
                chart_id = f"audience-{group}-{dimension if known else index}"
                heading = self.t(dimension) if known else _e(short(dimension))
                parts.append(f"<div><h3>{heading}</h3>" + self.chart(chart_id, option, max(220, 50 + 22 * len(names))) + "</div>")
            parts.append("</div>")
        return "".join(parts)

    def footer(self) -> str:
        data = self.data
        missing = "".join(
            f"<li>{_e(item.api)}: {item.count} ({_e(', '.join(item.examples))}{', …' if item.count > len(item.examples) else ''})</li>"
            for item in data.missing
        )
        shown_missing = f"<ul>{missing}</ul>" if missing else self.t("footer_none_missing")
        unreadable = ""
        if data.unreadable:
            unreadable = (f"<dt>{self.t('footer_unreadable')}</dt><dd id=\"unreadable\">{_e(', '.join(data.unreadable))} "
                          f"<span class=\"note\">({self.t('unreadable_note')})</span></dd>")
        return (
            f"<dl><dt>{self.t('footer_appid')}</dt><dd>{_e(data.appid)}</dd>"
            f"<dt>{self.t('footer_range')}</dt><dd>{data.since:%Y-%m-%d} ~ {data.until:%Y-%m-%d}</dd>"
            f"<dt>{self.t('footer_made')}</dt><dd>{data.made_at:%Y-%m-%d %H:%M} UTC</dd>"
            f"<dt>{self.t('footer_missing')}</dt><dd id=\"missing\">{shown_missing}</dd>{unreadable}</dl><p>{self.t('footer_note')}</p>"
        )


def render_page(data: ReportData, lang: Lang) -> str:
    page = Page(data, lang)
    sections = []
    builders = {
        "overview": lambda: page.overview(data.overview) if data.overview else "",
        "trends": lambda: page.trends(data.trends) if data.trends else "",
        "retention": lambda: page.retention(data.retention),
        "sources": lambda: page.sources(data.sources) if data.sources else "",
        "pages": lambda: page.pages(data.pages) if data.pages else "",
        "audience": lambda: page.audience(data.audience) if data.audience else "",
    }
    for name in data.sections:
        sections.append(f'<section id="{name}"><h2>{page.t(name)}</h2>{builders[name]()}</section>')
    options = options_json(page.options)
    title = f"{page.t('title')} · {data.appid}"
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>{data.since:%Y-%m-%d} ~ {data.until:%Y-%m-%d}</p></header>"
        f"<main>{''.join(sections)}</main><footer>{page.footer()}</footer>"
        f"<script>{echarts_source()}</script>"
        f'<script type="application/json" id="chart-options">{options}</script>'
        f"<script>{BOOT}</script></body></html>\n"
    )
