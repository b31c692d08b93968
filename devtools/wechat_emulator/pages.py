"""getVisitPage's figures: a day's page views, entries, exits, stay and shares, page by page.

Why it exists: a page report is where a made-up app shows most plainly that it is made up. Real
sessions open on the home page (or on a detail page someone shared) and end on a detail page; a
page's views, entries and exits add up to the day's figures. So here, of the day in
:mod:`devtools.wechat_emulator.visits`:

* every session enters on one page: the home page takes the app's ``home_entries`` share, the
  others come in proportion to their popularity (a Zipf law over the pages' ranks);
* the views that are not entries (``visit_pv - session_cnt``) follow the same popularity, so the
  pages' views add up to the day's ``visit_pv`` (all of it when the app has no more pages than
  the 200 WeChat lists);
* every session exits on one listed page, likelier on a detail page (``leaving`` times) than on
  an index page, and never more often than the page was viewed;
* a page's stay is its share of the day's whole stay (longer on detail pages), its shares its
  share of the day's shares.

Standard library only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from devtools.wechat_emulator.visits import Unit, app, figures, split, split_capped

__all__ = ["visit_page"]

_PAGE_LIMIT = 200  # getVisitPage reports the top 200 pages only
_SECTIONS = ("index", "goods", "cart", "order", "user", "search", "article", "coupon")
_EXIT_ON_INDEX = 1.5  # a section's index page ends sessions a little more often than the home page
_STAY_ON = {"home": 0.6, "index": 0.8, "detail": 1.3}  # seconds per view, relative
_SHARED_ON = {"home": 1.0, "index": 0.7, "detail": 1.6}  # shares per view, relative


def _page_path(rank: int) -> str:
    """A plausible, unique page path per rank; rank 0 is the home page, ranks below 8 a
    section's index page, the others its detail pages."""
    section = _SECTIONS[rank % len(_SECTIONS)]
    return f"pages/{section}/{'index' if rank < len(_SECTIONS) else f'detail{rank // len(_SECTIONS)}'}"


def _kind(rank: int) -> str:
    return "home" if rank == 0 else "index" if rank < len(_SECTIONS) else "detail"


def visit_page(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """The day's pages by views, the top 200 only; sessions enter and leave on listed pages.

    Entries and other views both fall with rank, so a page's views do too and the top 200 are
    ranks 0..199: giving the day's entries and exits to those ranks only makes ``entrypage_pv``
    and ``exitpage_pv`` each add up to ``session_cnt``. The list comes sorted by views.
    """
    fig, own = figures(appid, begin, end), app(appid)
    rnd = Unit("pages", appid, ref)
    skew = rnd.between(0.8, 1.4)
    popular = [int(2**48 / (rank + 1) ** skew) for rank in range(own.pages)]
    listed = min(own.pages, _PAGE_LIMIT)
    home = min(fig.session_cnt, round(fig.session_cnt * own.home_entries * rnd.between(0.9, 1.1)))
    entries = [home, *split(fig.session_cnt - home, popular[1:listed])]
    others = split(fig.visit_pv - fig.session_cnt, popular)
    views = [entry + other for entry, other in zip(entries, others, strict=False)] + others[listed:]
    kinds = [_kind(rank) for rank in range(own.pages)]
    leave = {"home": 1.0, "index": _EXIT_ON_INDEX, "detail": own.leaving}
    exits = split_capped(
        fig.session_cnt,
        [round(views[rank] * leave[kinds[rank]] * rnd.between(0.8, 1.2) * 1024) for rank in range(listed)],
        views[:listed],
    )
    stay = [views[rank] * _STAY_ON[kinds[rank]] * rnd.between(0.8, 1.2) for rank in range(own.pages)]
    per_unit = fig.stay_seconds / sum(stay)  # the pages' stay adds up to the day's
    shares = split(fig.share_pv, [views[rank] * round(_SHARED_ON[kinds[rank]] * 16) for rank in range(listed)])
    pages: list[dict[str, Any]] = []
    for rank in range(listed):
        if not views[rank]:  # a page nobody opened that day is not listed
            continue
        pv, share = views[rank], shares[rank]
        pages.append(
            {
                "page_path": _page_path(rank),
                "page_visit_pv": pv,
                "page_visit_uv": min(pv, fig.visit_uv, max(1, round(pv * rnd.between(0.35, 0.85)))),
                "page_staytime_pv": round(stay[rank] * per_unit / pv, 4),
                "entrypage_pv": entries[rank],
                "exitpage_pv": exits[rank],
                "page_share_pv": share,
                "page_share_uv": min(share, round(share * fig.share_uv / max(fig.share_pv, 1))),
            }
        )
    pages.sort(key=lambda page: -page["page_visit_pv"])  # stable: equal views keep their rank order
    return {"ref_date": ref, "list": pages}
