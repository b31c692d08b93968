"""The report as one HTML file: the gathered figures laid out, ECharts and every chart's data inlined.

Why one file with everything inside: the report travels as a mail attachment and is opened where
there may be no network, so it loads nothing (no CDN, no fonts, no images). Each chart is an
ECharts *option* (plain JSON built here); the only script besides ECharts is the loop that hands
each option to ``echarts.init``. Tables and KPI cards are HTML, so their numbers can be read,
copied and searched. The layout is a single column of cards that reflows on a phone.

No label is cut or drawn over another, at 1200 px or at 390 px: value axes speak in 万 or k
(``BOOT``'s "@compact"), each bar is labelled with its whole figure in room the plot keeps for it
on its right, a category axis's names take at most a third of the chart, pies carry a legend of
names and shares instead of labels around them, a heat map's cells are coloured here (so their
text can be black or white by the cell's shade) with the scale as HTML under the chart. A metric,
an audience and a portrait's name have one colour on the whole page (``METRIC_COLORS``,
``AUDIENCE_COLORS``, ``Page.name_color``). ``devtools/report_layout.py`` reads the drawn text back.

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

from ...kept.channels import channel_name
from .data import PORTRAIT_DIMENSIONS, Audience, Kpi, Overview, PageRow, Pages, ReportData, Sources, Trends, Triangle
from .labels import (
    CELL_CHARS,
    FULL_CHARS,
    NAME_CHARS,
    NARROW_CHARS,
    Lang,
    data_name,
    number,
    percent,
    short,
    signed,
    text,
)

ECHARTS = "echarts.min.js"
DECIMALS = {"stayTimeUv": 1, "visitDepth": 2}

# One colour per meaning across the page: a metric, an audience, a name of the portrait are drawn
# in the same colour in every chart (active users green, new users orange, visits blue, sessions
# purple; male and female, iPhone and Android the same in every pie of every span).
METRIC_COLORS = {"visitUv": "#07c160", "visitPv": "#1677ff", "visitUvNew": "#fa8c16", "sessionCnt": "#722ed1"}
AUDIENCE_COLORS = {"visitUv": METRIC_COLORS["visitUv"], "visitUvNew": METRIC_COLORS["visitUvNew"]}
# A retention triangle's scale, light to dark, in its audience's colour.
SCALES = {
    "visitUvNew": ("#fff7e6", "#ffd591", "#fa8c16", "#ad4e00"),
    "visitUv": ("#f0fff4", "#95de64", "#07c160", "#0b5e30"),
}
NAME_COLORS = {
    "男": "#3b6fd4",
    "女": "#e8547a",
    "未知": "#a8aeb8",
    "iPhone": "#5b6b7f",
    "Android": "#34a853",
    "其他": "#c9cdd4",
}
OTHERS_COLOR = "#c9cdd4"
CATEGORY_COLORS = ("#13c2c2", "#eb2f96", "#faad14", "#2f54eb", "#a0d911", "#9254de", "#fa541c", "#36cfc9")
DARK_TEXT, LIGHT_TEXT = "#1f2329", "#ffffff"
# A heat map cell's text: black or white, whichever contrasts more with the cell. Every colour has
# a contrast of at least 4.58 with one of them (WCAG's 4.5 for small text); a softer dark text
# would fall short on the mid shades, where neither it nor white reaches 4.5.
CELL_TEXTS = ("#000000", LIGHT_TEXT)
BAR_LABEL_SIZE = 11
PIE_HEIGHT = 176  # a pie's part of its chart; its legend, a line a name, below
# The width of a digit or separator at BAR_LABEL_SIZE, with room to spare: what a bar's value label
# needs to the right of the plot (grid.right), so no number is cut at the chart's edge.
DIGIT_PX = 7.5

STYLE = """
:root{--fg:#1f2329;--muted:#646a73;--line:#e5e6eb;--bg:#f5f6f7;--card:#fff;--up:#07c160;--down:#f54a45}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,"PingFang SC",
"Microsoft YaHei","Noto Sans CJK SC",sans-serif}header,main,footer{max-width:1100px;margin:0 auto;padding:12px}
header h1{font-size:20px;margin:8px 0 0}header p{margin:2px 0;color:var(--muted)}
section{background:var(--card);border-radius:8px;padding:12px 16px;margin:12px 0}section h2{font-size:17px;margin:4px \
0 12px}
h3{font-size:14px;margin:12px 0 4px;color:var(--muted);font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 10px}.kpi .name{color:var(--muted);font-size:13px}
.kpi .value{font-size:22px;font-weight:600}.kpi ul{list-style:none;margin:4px 0 0;padding:0;font-size:12px;\
color:var(--muted)}
.up{color:var(--up)}.down{color:var(--down)}
body{overflow-wrap:anywhere}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.grid>*{min-width:0}.grid.wide{grid-template-columns:repeat(auto-fit,minmax(520px,1fr))}
.chart{width:100%;height:320px}.note{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 6px;border-bottom:1px solid var(--line);\
text-align:right}
table{overflow-wrap:normal}th,td{white-space:nowrap}th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:break-word;min-width:10em}.scroll{overflow-x:auto;max-width:100%}
.scale{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--muted);margin:2px 0 8px}
.scale i{display:inline-block;width:120px;height:10px;border-radius:2px}
.scale b{display:inline-block;width:18px;height:10px;border-radius:2px;background:#eceef1;margin-left:12px}
.spans{display:flex;gap:6px;flex-wrap:wrap;margin:0 0 8px}
.spans button{font:inherit;font-size:13px;padding:3px 12px;border:1px solid var(--line);
border-radius:14px;background:var(--card);color:var(--fg);cursor:pointer}
.spans button[aria-pressed=true]{background:var(--fg);color:#fff;border-color:var(--fg)}
[data-span-panel][hidden]{display:none}
footer{color:var(--muted);font-size:12px}footer dl{display:grid;grid-template-columns:max-content minmax(0,1fr);\
gap:2px 12px}
footer dd{margin:0}@media (max-width:600px){header,main,footer{padding:8px}section{padding:10px 12px}
.grid,.grid.wide{grid-template-columns:1fr}.chart{height:260px}.kpi .value{font-size:18px}.retention-day \
.chart{min-width:640px}}
"""

# Hands each chart's option to ECharts, resizes them with the window, and switches the portrait's
# span: the page's only script. Each chart on its own: one that fails is logged and the others are
# still drawn. What JSON cannot say is filled in here, by markers in the options: "@compact" (a
# value axis's labels in 万/亿 or k/M, so long numbers never run together), "@share" (a pie's
# legend: each name with its share, instead of labels around the pie that a narrow chart cuts), and
# "@name" (a category axis's label width: a third of the chart, so the bars keep their room).
BOOT = """
(function(){var options=JSON.parse(document.getElementById('chart-options').textContent);
var zh=document.documentElement.lang==='zh';var locale=zh?'ZH':'EN';var charts={};
function trim(v){return String(+v.toFixed(2));}
function compact(v){var a=Math.abs(v);if(zh){if(a>=1e8){return trim(v/1e8)+'亿';}if(a>=1e4){return trim(v/1e4)+'万';}\
return trim(v);}
if(a>=1e9){return trim(v/1e9)+'B';}if(a>=1e6){return trim(v/1e6)+'M';}if(a>=1e3){return trim(v/1e3)+'k';}return \
trim(v);}
function prepare(option,el){var o=JSON.parse(JSON.stringify(option));var width=el.clientWidth;
(function walk(node){if(!node||typeof node!=='object'){return;}Object.keys(node).forEach(function(k){var v=node[k];
if(v==='@compact'){node[k]=compact;}else if(v==='@name'){node[k]=Math.max(64,Math.round(width/3));}
else if(v==='@share'){var data=o.series[0].data;var total=data.reduce(function(t,d){return t+(d.value||0);},0);
node[k]=function(name){var d=data.filter(function(d){return d.name===name;})[0];
return name+'  '+(d&&total?(d.value/total*100).toFixed(1)+'%':'');};}else{walk(v);}});})(o);return o;}
function draw(el){var id=el.dataset.chart;try{var c=echarts.init(el,null,{locale:locale});\
c.setOption(prepare(options[id],el));
charts[id]=c;}catch(e){console.error('chart '+id+': '+e);}}
function resize(el){var c=charts[el.dataset.chart];if(c&&el.clientWidth>0){c.resize();\
c.setOption(prepare(options[el.dataset.chart],el));}}
document.querySelectorAll('[data-chart]').forEach(draw);
document.querySelectorAll('[data-spans]').forEach(function(bar){var buttons=bar.querySelectorAll('button');
function show(span){buttons.forEach(function(b){b.setAttribute('aria-pressed',String(b.dataset.span===span));});
document.querySelectorAll('[data-span-panel]').forEach(function(p){p.hidden=p.dataset.spanPanel!==span;
if(!p.hidden){p.querySelectorAll('[data-chart]').forEach(resize);}});}
buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.span);});});show(bar.dataset.spans);});
window.addEventListener('resize',function(){document.querySelectorAll('[data-chart]').forEach(resize);});})();
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
    """A name from the data in a table cell: cut to a readable length, whole (bounded) in its
    title, and free to wrap after each "/" (``<wbr>``), so a narrow column breaks a page path
    between its parts, never inside one (only a part wider than the column itself is broken)."""
    shown = short(name, CELL_CHARS)
    title = f' title="{_e(short(name, FULL_CHARS))}"' if shown != name else ""
    return f"<span{title}>{_e(shown).replace('/', '/<wbr>')}</span>"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _mix(stops: Sequence[str], t: float) -> str:
    """The colour at ``t`` (0..1) along ``stops``, evenly spaced: a heat map's cell, computed here
    so that its text colour can be chosen for it."""
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    index = min(int(t), len(stops) - 2)
    low, high, part = _rgb(stops[index]), _rgb(stops[index + 1]), t - index
    return "#" + "".join(f"{round(a + (b - a) * part):02x}" for a, b in zip(low, high, strict=True))


def _luminance(color: str) -> float:
    """Relative luminance (WCAG 2)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(color: str) -> str:
    """Black text on a light cell, white on a dark one, whichever contrasts more: every shade of a
    scale keeps its figure readable."""
    return max(CELL_TEXTS, key=lambda text: contrast(text, color))


def _grouped(value: int | None) -> str:
    """A bar's value as its label: whole, with thousands separators, in either language (a bar's
    label is the exact figure; the axis carries the compact one)."""
    return "—" if value is None else f"{value:,}"


class Page:
    """Builds the body section by section, collecting each chart's option under its id."""

    def __init__(self, data: ReportData, lang: Lang) -> None:
        self.data = data
        self.lang = lang
        self.options: dict[str, dict[str, Any]] = {}
        self.name_colors = dict(NAME_COLORS)  # names of the portrait: the same colour in every chart

    def t(self, key: str, **values: object) -> str:
        return text(key, self.lang, **values)

    def chart(self, chart_id: str, option: dict[str, Any], height: int | None = None) -> str:
        self.options[chart_id] = {"animation": False, **option}
        style = f' style="height:{height}px"' if height else ""
        return f'<div class="chart" data-chart="{_e(chart_id)}" id="chart-{_e(chart_id)}"{style}></div>'

    def name_color(self, name: str | None) -> str:
        if name is None:
            return OTHERS_COLOR
        if name not in self.name_colors:
            self.name_colors[name] = CATEGORY_COLORS[(len(self.name_colors) - len(NAME_COLORS)) % len(CATEGORY_COLORS)]
        return self.name_colors[name]

    # ---- sections -------------------------------------------------------------------------

    def overview(self, overview: Overview) -> str:
        cards = "".join(self._kpi(kpi) for kpi in overview.kpis)
        day = f"{overview.day:%Y-%m-%d}"
        return (
            f'<p class="note">{self.t("newest_day")}: <b data-newest-day="{day}">{day}</b></p><div '
            f'class="kpis">{cards}</div>'
        )

    def _kpi(self, kpi: Kpi) -> str:
        decimals = DECIMALS.get(kpi.metric, 0)
        rows = []
        for comparison in kpi.comparisons:
            delta, ratio = comparison.delta(kpi.value), comparison.ratio(kpi.value)
            if delta is None:
                shown, css, raw = "—", "", ""
            else:
                shown = signed(delta, self.lang, decimals) + (
                    f" ({percent(ratio, sign=True)})" if ratio is not None else ""
                )
                css, raw = ("up" if delta > 0 else "down" if delta < 0 else ""), repr(delta)
            rows.append(
                f'<li data-days="{comparison.days}" data-delta="{raw}">{self.t(f"vs_{comparison.days}")} '
                f'<span class="{css}">{_e(shown)}</span></li>'
            )
        return (
            f'<div class="kpi" data-kpi="{kpi.metric}" data-value="{kpi.value!r}"><div '
            f'class="name">{self.t(kpi.metric)}</div><div '
            f'class="value">{_e(number(kpi.value, self.lang, decimals))}</div><ul>{"".join(rows)}</ul></div>'
        )

    def trends(self, trends: Trends) -> str:
        parts = []
        metrics = ("visitUv", "visitPv", "visitUvNew")
        value_label = {"formatter": "@compact", "hideOverlap": True}
        for name, series, kind in (
            ("daily", trends.daily, "line"),
            ("weekly", trends.weekly, "bar"),
            ("monthly", trends.monthly, "bar"),
        ):
            if series is None:
                continue
            option: dict[str, Any] = {
                "tooltip": {"trigger": "axis"},
                "legend": {"top": 0, "type": "scroll"},
                "grid": {
                    "left": 8,
                    "right": 8,
                    "top": 56,
                    "bottom": 40 if name == "daily" else 8,
                    "containLabel": True,
                },
                "xAxis": {"type": "category", "data": series.labels, "axisLabel": {"hideOverlap": True}},
                # visits on an axis of their own (right): several times the visitors, they would
                # flatten the visitors' and new users' lines against the bottom of a shared one;
                # each axis named in its series' colour, the names reaching inwards from the edges
                "yAxis": [
                    {
                        "type": "value",
                        "name": self.t("visitUv"),
                        "axisLabel": value_label,
                        "nameTextStyle": {"align": "left", "color": METRIC_COLORS["visitUv"]},
                    },
                    {
                        "type": "value",
                        "name": self.t("visitPv"),
                        "splitLine": {"show": False},
                        "axisLabel": value_label,
                        "nameTextStyle": {"align": "right", "color": METRIC_COLORS["visitPv"]},
                    },
                ],
                "series": [
                    {
                        "name": self.t(metric),
                        "type": kind,
                        "data": series.values[metric],
                        "showSymbol": False,
                        "smooth": False,
                        "color": METRIC_COLORS[metric],
                        "yAxisIndex": 1 if metric == "visitPv" else 0,
                    }
                    for metric in metrics
                ],
            }
            if name == "daily":
                option["dataZoom"] = [
                    {"type": "inside"},
                    {"type": "slider", "height": 18, "bottom": 6, "showDetail": False},
                ]
            parts.append(f"<h3>{self.t(f'{name}_trend')}</h3>" + self.chart(f"trend-{name}", option))
        return "".join(parts)

    def retention(self, triangles: list[Triangle]) -> str:
        parts = [f'<p class="note">{self.t("provisional_note")}</p>']
        for wide in (True, False):  # daily triangles (ten keys) take the full width; weekly and monthly share rows
            chosen = [triangle for triangle in triangles if (triangle.unit == "day") == wide]
            parts.append('<div class="grid wide">' if wide else '<div class="grid">')
            for triangle in chosen:
                parts.append(
                    f'<div class="retention-{triangle.unit}"><h3>{self.t(f"retain_{triangle.unit}")}: '
                    f"{self.t(f'retained_{triangle.audience}')}</h3>"
                )
                parts.append(self._triangle(triangle) + "</div>")
            parts.append("</div>")
        return "".join(parts)

    def _triangle(self, triangle: Triangle) -> str:
        """A heat map of the cohorts' rates: each cell's colour computed here from the audience's
        scale and its text dark or white by that colour; the scale is HTML under the chart, where
        it cannot cover a row. A daily triangle scrolls sideways on a phone rather than squeeze
        its ten columns."""
        keys = [key for key in triangle.keys if key != 0]  # key 0 is the cohort itself: its size is on the axis
        x_labels = [self.t(f"key_{triangle.unit}", k=key) for key in keys]
        y_labels = [
            f"{cohort.label} ({number(cohort.size, self.lang) if cohort.size is not None else '—'})"
            for cohort in triangle.cohorts
        ]
        scale = SCALES[triangle.audience]
        shown_rates = [
            cell.rate for cohort in triangle.cohorts for cell in cohort.cells if cell.key != 0 and cell.rate is not None
        ]
        top = max((round(rate * 100, 1) for rate in shown_rates), default=100.0) or 100.0
        rates, pending = [], []
        for y, cohort in enumerate(triangle.cohorts):
            for x, key in enumerate(keys):
                cell = next(cell for cell in cohort.cells if cell.key == key)
                if cell.state == "notYet":
                    pending.append({"value": [x, y, 0], "label": {"formatter": self.t("not_yet")}})
                elif cell.rate is not None:
                    shown = round(cell.rate * 100, 1)
                    color = _mix(scale, shown / top)
                    item: dict[str, Any] = {
                        "value": [x, y, shown],
                        "label": {"formatter": f"{shown:.1f}%", "color": text_on(color)},
                        "itemStyle": {"color": color},
                    }
                    if cell.state == "provisional":
                        item["label"]["formatter"] += "*"
                        item["itemStyle"].update({"borderColor": "#646a73", "borderWidth": 1, "borderType": "dashed"})
                    rates.append(item)
        option = {
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 8, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": x_labels,
                "position": "top",
                "axisLabel": {"interval": 0, "fontSize": 11},
            },
            "yAxis": {
                "type": "category",
                "data": y_labels,
                "inverse": True,
                "axisLabel": {"fontSize": 11, "interval": 0},
            },
            "series": [
                {"name": "rate", "type": "heatmap", "data": rates, "label": {"show": True, "fontSize": 11}},
                {
                    "name": self.t("not_yet"),
                    "type": "heatmap",
                    "data": pending,
                    "itemStyle": {"color": "#eceef1"},
                    "label": {"show": True, "fontSize": 11, "color": "#646a73"},
                },
            ],
        }
        height = 36 + 22 * len(y_labels)
        gradient = ", ".join(scale)
        legend = (
            f'<div class="scale"><span>0%</span><i style="background:linear-gradient(90deg, {gradient})"></i>'
            f"<span>{top:.1f}%</span><b></b><span>{self.t('not_yet')}</span></div>"
        )
        chart = self.chart(f"retention-{triangle.unit}-{triangle.audience}", option, height)
        return (f'<div class="scroll">{chart}</div>' if triangle.unit == "day" else chart) + legend

    def sources(self, sources: Sources) -> str:
        note = f'<p class="note">{self.t("summed_days", n=sources.days)}</p>'
        parts = [note]
        sessions = METRIC_COLORS["sessionCnt"]
        if sources.channels:
            names = [
                self.t("others") if item.key is None else channel_name(item.key, self.lang) for item in sources.channels
            ]
            option = self._bars(names, [item.value for item in sources.channels], color=sessions)
            parts.append(
                f"<h3>{self.t('channels')}</h3>" + self.chart("sources-channels", option, _bars_height(len(names)))
            )
        grid = []
        for name, items in (("staytime", sources.staytime), ("depth", sources.depth)):
            if items:
                labels = [
                    self.t("others")
                    if item.key is None
                    else self.t(f"{name}_{item.key}")
                    if (0 < item.key < 9 and name == "staytime") or (0 < item.key < 8 and name == "depth")
                    else f"#{item.key}"
                    for item in items
                ]
                option = self._bars(labels, [i.value for i in items], limit=NARROW_CHARS, color=sessions)
                grid.append(
                    f"<div><h3>{self.t(name)}</h3>"
                    + self.chart(f"sources-{name}", option, _bars_height(len(labels)))
                    + "</div>"
                )
        if grid:
            parts.append('<div class="grid">' + "".join(grid) + "</div>")
        return "".join(parts)

    def _bars(
        self, names: Sequence[str], values: Sequence[int | None], *, limit: int = NAME_CHARS, color: str
    ) -> dict[str, Any]:
        """Horizontal bars of named values, each labelled with its whole figure: the names cut to
        ``limit`` (whole, bounded, in the bar's tooltip) and to a third of the chart's width on
        the axis, the plot leaving room on its right for the longest figure, so none is cut."""
        labels = [_grouped(value) for value in values]
        room = 12 + math.ceil(DIGIT_PX * max((len(label) for label in labels), default=1))
        category = {
            "type": "category",
            "data": [short(name, limit) for name in names],
            "inverse": True,
            "axisLabel": {"interval": 0, "fontSize": 11, "width": "@name", "overflow": "truncate", "ellipsis": "…"},
        }
        return {
            "tooltip": {"trigger": "item"},
            "grid": {"left": 8, "right": room, "top": 8, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "axisLabel": {"show": False}, "splitLine": {"show": False}},
            "yAxis": category,
            "series": [
                {
                    "type": "bar",
                    "color": color,
                    "barMaxWidth": 18,
                    "data": [
                        {"name": short(name, FULL_CHARS), "value": value, "label": {"formatter": label}}
                        for name, value, label in zip(names, values, labels, strict=True)
                    ],
                    "label": {"show": True, "position": "right", "fontSize": BAR_LABEL_SIZE, "color": DARK_TEXT},
                }
            ],
        }

    def pages(self, pages: Pages) -> str:
        parts = [f'<p class="note">{self.t("summed_days", n=pages.days)}</p>']
        top = pages.top[:10]
        parts.append(f"<h3>{self.t('top_pages')}</h3>")
        option = self._bars([row.path for row in top], [row.pv for row in top], color=METRIC_COLORS["visitPv"])
        parts.append(self.chart("pages-top", option, _bars_height(len(top))))
        parts.append(self._table(pages.top, "pages-table"))
        parts.append('<div class="grid">')
        for name, rows, column in (("top_entries", pages.entries, "entries"), ("top_exits", pages.exits, "exits")):
            body = "".join(
                f"<tr><td>{_cell(row.path)}</td><td>{_count(getattr(row, column), self.lang)}</td></tr>" for row in rows
            )
            head = f"<tr><th>{self.t('page_path')}</th><th>{self.t('page_' + column)}</th></tr>"
            parts.append(
                f'<div><h3>{self.t(name)}</h3><div class="scroll"><table id="{name}">{head}{body}</table></div></div>'
            )
        parts.append("</div>")
        return "".join(parts)

    def _table(self, rows: list[PageRow], table_id: str) -> str:
        columns = ("page_path", "page_pv", "page_uv", "page_stay", "page_entries", "page_exits", "page_shares")
        head = "".join(f"<th>{self.t(column)}</th>" for column in columns)
        body = []
        for row in rows:
            stay = "—" if row.stay is None else number(row.stay, self.lang, 1)
            cells = [
                _cell(row.path),
                *(_count(v, self.lang) for v in (row.pv, row.uv)),
                stay,
                *(_count(v, self.lang) for v in (row.entries, row.exits, row.share_pv)),
            ]
            body.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        return f'<div class="scroll"><table id="{table_id}"><tr>{head}</tr>{"".join(body)}</table></div>'

    def audience(self, audiences: list[Audience]) -> str:
        """The newest portrait of each span archived, one panel each, and the buttons choosing
        the span (the widest shown first: most users, steadiest shares)."""
        shown = max(audience.days for audience in audiences)
        buttons = "".join(
            f'<button type="button" data-span="{audience.days}" aria-pressed="{str(audience.days == shown).lower()}">'
            f"{self.t('span_day') if audience.days == 1 else self.t('span_days', n=audience.days)}</button>"
            for audience in audiences
        )
        parts = [
            f'<div class="spans" data-spans="{shown}" role="group" aria-label="{self.t("span_choice")}">{buttons}</div>'
        ]
        for audience in audiences:
            parts.append(f'<div data-span-panel="{audience.days}">{self._portrait(audience)}</div>')
        return "".join(parts)

    def _portrait(self, audience: Audience) -> str:
        parts = [f'<p class="note">{self.t("portrait_of", period=audience.period)}</p>']
        for group, dimensions in audience.groups.items():
            parts.append(f'<h3>{self.t(f"audience_{group}")}</h3><div class="grid">')
            for index, (dimension, pairs) in enumerate(dimensions.items()):
                names = [
                    self.t("others") if name is None else data_name(name, self.lang) or self.t("unnamed")
                    for name, _ in pairs
                ]
                values = [value for _, value in pairs]
                height = _bars_height(len(names))
                if dimension in {"genders", "platforms"}:
                    # the names and shares in a legend under the pie, one a line: labels around a
                    # pie are cut or run together on a narrow chart, and a scrolling legend hides some
                    option: dict[str, Any] = {
                        "tooltip": {"trigger": "item"},
                        "legend": {
                            "top": PIE_HEIGHT,
                            "left": "center",
                            "orient": "vertical",
                            "itemGap": 6,
                            "formatter": "@share",
                        },
                        "series": [
                            {
                                "type": "pie",
                                "radius": [44, 80],
                                "center": ["50%", PIE_HEIGHT // 2],
                                "label": {"show": False},
                                "data": [
                                    {
                                        "name": short(shown, NARROW_CHARS),
                                        "value": value,
                                        "itemStyle": {"color": self.name_color(name)},
                                    }
                                    for shown, (name, value) in zip(names, pairs, strict=True)
                                ],
                            }
                        ],
                    }
                    height = PIE_HEIGHT + 20 * len(names) + 8
                else:
                    option = self._bars(names, values, limit=NARROW_CHARS, color=AUDIENCE_COLORS.get(group, DARK_TEXT))
                known = (
                    dimension in PORTRAIT_DIMENSIONS
                )  # a dimension WeChat may add: named as it sent it, its id by position
                chart_id = f"audience-{audience.days}-{group}-{dimension if known else index}"
                heading = self.t(dimension) if known else _e(short(dimension))
                parts.append(f"<div><h3>{heading}</h3>" + self.chart(chart_id, option, height) + "</div>")
            parts.append("</div>")
        return "".join(parts)

    def footer(self) -> str:
        data = self.data
        missing = "".join(
            f"<li>{_e(item.api)}: {item.count} "
            f"({_e(', '.join(item.examples))}{', …' if item.count > len(item.examples) else ''})</li>"
            for item in data.missing
        )
        shown_missing = f"<ul>{missing}</ul>" if missing else self.t("footer_none_missing")
        unreadable = ""
        if data.unreadable:
            unreadable = (
                f'<dt>{self.t("footer_unreadable")}</dt><dd id="unreadable">{_e(", ".join(data.unreadable))} '
                f'<span class="note">({self.t("unreadable_note")})</span></dd>'
            )
        return (
            f"<dl><dt>{self.t('footer_appid')}</dt><dd>{_e(data.appid)}</dd>"
            f"<dt>{self.t('footer_range')}</dt><dd>{data.since:%Y-%m-%d} ~ {data.until:%Y-%m-%d}</dd>"
            f"<dt>{self.t('footer_made')}</dt><dd>{data.made_at:%Y-%m-%d %H:%M} UTC</dd>"
            f"<dt>{self.t('footer_missing')}</dt><dd "
            f'id="missing">{shown_missing}</dd>{unreadable}</dl><p>{self.t("footer_note")}</p>'
        )


def _bars_height(count: int) -> int:
    """A bar chart's height: 26 px a bar (room for an 11 px label on either side of it), at least 160."""
    return max(160, 24 + 26 * count)


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
