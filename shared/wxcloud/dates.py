"""WeChat's ``yyyymmdd`` dates and its calendar: Beijing time (UTC+8), whatever the machine's zone."""

from __future__ import annotations

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


def beijing_today(now: datetime) -> date:
    """The Beijing calendar day at ``now``, which must be timezone-aware (a naive value would
    silently mean the machine's local time)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(BEIJING).date()
