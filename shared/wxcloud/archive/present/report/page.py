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
an audience and a portrait's name have one colour on the whole page (``colors.py``,
``Page.name_color``). ``devtools/report_layout.py`` reads the drawn text back.

No data can break the page: the options are JSON with every number finite (``inline.finite``: JSON
has no NaN, and a page whose JSON holds one draws nothing), inlined with ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped (``inline.options_json``), so a page path holding ``</script>`` or
``<!--<script>`` cannot end or swallow the script element; text in the HTML is escaped; names
from the data are cut to a readable length (labels.short), whole (still bounded) in tooltips
and title attributes; and each chart is drawn on its own, so one ECharts refuses cannot blank the
others.
"""

from __future__ import annotations

import html
from typing import Any

from ...kept.channels import channel_name
from .colors import (
    AUDIENCE_COLORS,
    CATEGORY_COLORS,
    DARK_TEXT,
    METRIC_COLORS,
    NAME_COLORS,
    OTHERS_COLOR,
    SCALES,
    mix,
    text_on,
)
from .echarts_shapes import bars, bars_height, pie, pie_height
from .figures import PORTRAIT_DIMENSIONS, Audience, Kpi, Overview, PageRow, Pages, ReportData, Sources, Trends, Triangle
from .inline import BOOT, STYLE, echarts_source, options_json
from .labels import (
    CELL_CHARS,
    FULL_CHARS,
    NARROW_CHARS,
    Lang,
    data_name,
    number,
    percent,
    short,
    signed,
    text,
)

__all__ = ["Page", "render_page"]

_DECIMALS = {"stayTimeUv": 1, "visitDepth": 2}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _count(value: int | None, lang: Lang) -> str:
    return "—" if value is None else number(value, lang)


def _cell(name: str) -> str:
    """A name from the data in a table cell: cut to a readable length, whole (bounded) in its
    title, and free to wrap after each "/" (``<wbr>``), so a narrow column breaks a page path
    between its parts, never inside one (only a part wider than the column itself is broken)."""
    shown = short(name, CELL_CHARS)
    title = f' title="{_e(short(name, FULL_CHARS))}"' if shown != name else ""
    return f"<span{title}>{_e(shown).replace('/', '/<wbr>')}</span>"


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
        decimals = _DECIMALS.get(kpi.metric, 0)
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
                    color = mix(scale, shown / top)
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
            option = bars(names, [item.value for item in sources.channels], color=sessions)
            parts.append(
                f"<h3>{self.t('channels')}</h3>" + self.chart("sources-channels", option, bars_height(len(names)))
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
                option = bars(labels, [i.value for i in items], limit=NARROW_CHARS, color=sessions)
                grid.append(
                    f"<div><h3>{self.t(name)}</h3>"
                    + self.chart(f"sources-{name}", option, bars_height(len(labels)))
                    + "</div>"
                )
        if grid:
            parts.append('<div class="grid">' + "".join(grid) + "</div>")
        return "".join(parts)

    def pages(self, pages: Pages) -> str:
        parts = [f'<p class="note">{self.t("summed_days", n=pages.days)}</p>']
        top = pages.top[:10]
        parts.append(f"<h3>{self.t('top_pages')}</h3>")
        option = bars([row.path for row in top], [row.pv for row in top], color=METRIC_COLORS["visitPv"])
        parts.append(self.chart("pages-top", option, bars_height(len(top))))
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
                if dimension in {"genders", "platforms"}:
                    slices = [
                        (short(shown, NARROW_CHARS), value, self.name_color(name))
                        for shown, (name, value) in zip(names, pairs, strict=True)
                    ]
                    option, height = pie(slices), pie_height(len(slices))
                else:
                    option = bars(names, values, limit=NARROW_CHARS, color=AUDIENCE_COLORS.get(group, DARK_TEXT))
                    height = bars_height(len(names))
                # a dimension WeChat may add: named as it sent it, its id by position
                known = dimension in PORTRAIT_DIMENSIONS
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
