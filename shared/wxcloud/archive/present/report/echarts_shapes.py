"""The shapes of chart the page draws in several sections: horizontal bars of named figures, and pies.

Each is an ECharts option (plain JSON) and a height that leaves room for every label: a bar's
whole figure to its right, a pie's legend under it. Markers in the options (``"@name"``,
``"@share"``) are filled in by the page's script (``inline.BOOT``) with what JSON cannot say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .colors import DARK_TEXT
from .labels import FULL_CHARS, NAME_CHARS, short

BAR_LABEL_SIZE = 11
PIE_HEIGHT = 176  # a pie's part of its chart; its legend, a line a name, below
# The width of a digit or separator at BAR_LABEL_SIZE, with room to spare: what a bar's value label
# needs to the right of the plot (grid.right), so no number is cut at the chart's edge.
DIGIT_PX = 7.5


def bars(names: Sequence[str], values: Sequence[int | None], *, limit: int = NAME_CHARS, color: str) -> dict[str, Any]:
    """Horizontal bars of named values, each labelled with its whole figure: the names cut to
    ``limit`` (whole, bounded, in the bar's tooltip) and to a third of the chart's width on
    the axis, the plot leaving room on its right for the longest figure, so none is cut."""
    labels = [grouped(value) for value in values]
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


def bars_height(count: int) -> int:
    """A bar chart's height: 26 px a bar (room for an 11 px label on either side of it), at least 160."""
    return max(160, 24 + 26 * count)


def pie(slices: Sequence[tuple[str, int, str]]) -> dict[str, Any]:
    """A ring of named shares (each slice: its name, value and colour), with the names and shares
    in a legend under it, one a line: labels around a pie are cut or run together on a narrow
    chart, and a scrolling legend hides some."""
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"top": PIE_HEIGHT, "left": "center", "orient": "vertical", "itemGap": 6, "formatter": "@share"},
        "series": [
            {
                "type": "pie",
                "radius": [44, 80],
                "center": ["50%", PIE_HEIGHT // 2],
                "label": {"show": False},
                "data": [
                    {"name": name, "value": value, "itemStyle": {"color": color}} for name, value, color in slices
                ],
            }
        ],
    }


def pie_height(count: int) -> int:
    """A pie chart's height: the ring, then its legend's lines."""
    return PIE_HEIGHT + 20 * count + 8


def grouped(value: int | None) -> str:
    """A bar's value as its label: whole, with thousands separators, in either language (a bar's
    label is the exact figure; the axis carries the compact one)."""
    return "—" if value is None else f"{value:,}"
