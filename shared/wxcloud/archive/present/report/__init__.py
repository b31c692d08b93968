"""``wxcloud-archive report``: one self-contained HTML file of what the archive holds, as WeChat's console shows it.

    from wxcloud.archive import Archive
    from wxcloud.archive.present.report import render

    html = render(Archive(url), "wx...", since=date(2025, 1, 1), lang="en")

Sections appear only for the reports archived: overview (the newest day against 1, 7 and 30 days
before), trends (daily, and weekly and monthly from their own reports), retention triangles,
visit sources with WeChat's channel names, pages, and the audience (the newest portrait of 1, 7
and 30 days, chosen by buttons). It reads the same at 1200 px and on a phone. Charts are ECharts, vendored
in this package (``echarts.min.js``, its sha256 in ``echarts.sha256``, re-fetched and checked
by ``devtools/vendor_echarts.py``) and inlined, so the file opens with no network.

This package needs the ``report`` extra (the archive's database packages; from the checkout,
``pip install '.[report]'``); it never goes into a function's package
(``devtools/build_package.py`` leaves it out). Modules: ``data`` gathers the figures (``figures``)
from the archive, ``labels`` holds the words and number formats of each language, ``page`` lays
out the HTML with the shared chart shapes (``charts``), the colours (``colors``) and what it
inlines (``inline``: style, script, ECharts); the visit sources' names are ``..channels`` (the SQL
views use them too).
"""

from __future__ import annotations

from datetime import date, datetime

from ...errors import EmptyArchive
from ...store.archive import Archive
from .data import gather
from .figures import ReportData
from .labels import LANGS, Lang
from .page import render_page

__all__ = ["LANGS", "EmptyArchive", "Lang", "ReportData", "gather", "render"]


def render(
    archive: Archive,
    appid: str,
    *,
    since: date | None = None,
    until: date | None = None,
    lang: Lang = "zh",
    now: datetime | None = None,
) -> str:
    """The report of ``appid``'s archived periods between ``since`` and ``until`` as one HTML
    document; ``EmptyArchive`` when nothing of it is archived in the range."""
    return render_page(gather(archive, appid, since, until, now=now), lang)
