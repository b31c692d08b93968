"""What the archive answers: a stored period (``Stored``), an answer a later one replaced
(``Revision``), and what storing an answer did (``StoreOutcome``).

Read from the results and revision tables by ``Archive``; a stored answer's text is decoded here,
and one that does not decode to a JSON object is read as an empty answer marked unreadable, so
that one such row neither fails every read of its report nor is taken for an answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from ...dates import parse_yyyymmdd
from ...periods import Period

StoreOutcome = Literal["stored", "refreshed", "revised", "upToDate"]
"""What storing an answer did: ``stored`` a period that was not there; ``refreshed`` replaced the
stored answer with one that keeps every figure it had (WeChat only added, or nothing changed);
``revised`` replaced it with one that changed a figure WeChat had already given; ``upToDate``: a
newer answer was stored meanwhile (by another run), so this one was dropped."""


@dataclass(frozen=True)
class Stored:
    """One archived period as the results table holds it: the latest answer and when it came."""

    api: str
    begin_date: str
    end_date: str
    result: dict[str, Any]
    fetched_at: datetime
    fetched_on: date | None = None  # the Beijing day of the run that fetched it
    settled: bool = True  # WeChat could know nothing more about the period when it answered
    fetches: int = 1
    readable: bool = (
        True  # False: the stored text is not a JSON object (a row written by hand, or by something else); result is {}
    )

    @property
    def period(self) -> Period:
        begin, end = parse_yyyymmdd(self.begin_date), parse_yyyymmdd(self.end_date)
        assert begin is not None and end is not None  # written by store() only
        return Period(begin, end)


@dataclass(frozen=True)
class Revision:
    """An answer that a later one replaced: what WeChat said, and when (``result`` None: an older
    release's answer that cannot be decoded)."""

    result: dict[str, Any] | None
    fetched_at: datetime  # UTC
    fetched_on: date | None
    replaced_at: datetime  # UTC
    revised: bool  # the answer that replaced it changed a figure this one had given


def stored_row(api: str, row: Any) -> Stored:
    """The row as a ``Stored``; an answer that does not decode to a JSON object is an empty one,
    marked unreadable, so that one such row neither fails every read of its report nor is taken
    for an answer (the read-through asks for it again, the report names it)."""
    fetched_on = parse_yyyymmdd(row.fetched_on or "")
    result = decoded(row.result)
    readable = isinstance(result, dict)
    return Stored(
        api,
        row.begin_date,
        row.end_date,
        result if readable else {},
        row.fetched_at,
        fetched_on,
        bool(row.settled),
        int(row.fetches),
        readable,
    )


def decoded(text: Any) -> Any:
    """A stored answer's JSON, or None when it cannot be decoded (not text, not JSON, nested or
    numbered beyond what the parser takes)."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
