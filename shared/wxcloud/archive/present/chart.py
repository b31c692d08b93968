"""A line chart of one metric over the archived periods, drawn with matplotlib's Agg backend (no
display needed: a PNG file on a server or in CI). matplotlib is imported here only, so the
function and the other commands never load it (it is the ``chart`` extra; without it the command
says the line that installs it). ``out`` is checked before anything is drawn and written through
``paths.write``: a place that cannot be written is one line naming it, missing folders are created."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from ... import paths
from ...dates import parse_yyyymmdd
from ...errors import ConfigurationError
from ...extras import install_line
from .export import Point


def draw(points: list[Point], *, title: str, metric: str, subtitle: str, out: Path) -> None:
    out = paths.output(out, "--out", make_folder=True)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigurationError(
            f"the chart command needs matplotlib, which the 'chart' extra brings: {install_line('chart')}"
        ) from None
    days: list[date] = [parse_yyyymmdd(point.begin_date) or date.min for point in points]
    values = [point.value for point in points]
    figure, axes = plt.subplots(figsize=(9, 4.2), dpi=100)
    try:
        axes.plot(days, values, color="#1f77b4", linewidth=1.4, marker="o" if len(points) <= 40 else None, markersize=3)  # type: ignore[arg-type]
        figure.suptitle(title, x=0.01, ha="left", fontsize=12)
        axes.set_title(subtitle, loc="left", fontsize=9, color="#555555")
        axes.set_xlabel("period (begin date, Beijing time)")
        axes.set_ylabel(metric)
        axes.grid(True, color="#dddddd", linewidth=0.6)
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        axes.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda value, _pos: f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}")
        )
        axes.margins(x=0.01)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    paths.write(out, _small_png(buffer), "--out", make_folder=True)


def _small_png(rendered: io.BytesIO) -> bytes:
    """A line chart needs few colours: a 64-colour palette halves the file (Pillow comes with matplotlib)."""
    from PIL import Image

    rendered.seek(0)
    small = io.BytesIO()
    with Image.open(rendered) as image:
        image.convert("RGB").quantize(colors=64).save(small, format="PNG", optimize=True)
    return small.getvalue()
