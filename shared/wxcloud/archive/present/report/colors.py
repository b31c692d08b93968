"""The page's colours: one colour per meaning on the whole page, and text that stays readable on each.

A metric, an audience and a portrait's name are drawn in the same colour in every chart; a
retention triangle's cells are coloured here from its audience's scale (``mix``), so that each
cell's text can be chosen black or white by the cell's shade (``text_on``, by WCAG's contrast).
``tests/archive/present/test_archive_report_layout.py`` holds every pair to WCAG's 4.5.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def mix(stops: Sequence[str], t: float) -> str:
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
