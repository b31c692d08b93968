"""WeChat's ``yyyymmdd`` dates and natural months, in Beijing time (UTC+8) as WeChat counts them."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits, which int() would accept.
_YYYYMMDD = re.compile(r"[0-9]{8}")


def looks_like_yyyymmdd(text: str) -> bool:
    """Exactly 8 ASCII digits, whether or not they name a real day."""
    return _YYYYMMDD.fullmatch(text) is not None


def parse_yyyymmdd(text: str) -> date | None:
    """The date, or None when ``text`` is not 8 ASCII digits naming a real calendar day."""
    if not looks_like_yyyymmdd(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def yyyymmdd(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def last_finished_month(now: datetime) -> tuple[date, date]:
    """First and last day of the latest month WeChat can report on: the previous natural month in
    Beijing time. ``now`` must be timezone-aware (a naive value would silently mean local time)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(BEIJING).date()
    last_of_previous = today.replace(day=1) - timedelta(days=1)
    return month_bounds(last_of_previous.year, last_of_previous.month)
