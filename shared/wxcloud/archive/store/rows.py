"""An answer as the archive keeps it in rows: its flat table's rows, and whether a later answer keeps it.

A report's answer is stored whole (JSON text in the results table) and as flat rows (the table of
its shape, one typed column per figure: what SQL and the views read). ``flat_rows`` coerces each
figure to its column (an integer a ``BIGINT`` holds, a finite float, text cut to the column) the
same way on every database; ``keeps`` tells a later answer that only added to an earlier one from
a revision of it; ``binary_reply`` is the error of an answer that is not the report's JSON at all,
which the archive never stores. ``Archive.store`` writes with them; the fetch refuses binary
answers before anything is stored.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import InvalidResponse
from ...periods import Period
from ..kept.reports import Report
from ..kept.storable import finite_float, storable_text


def binary_reply(report: Report, result: dict[str, Any]) -> InvalidResponse | None:
    """The error a report's result is when WeChat answered it with something that is not JSON
    (the SDK's ``{contentType, buffer}`` success, a proxy's page): the archive keeps JSON answers."""
    if not isinstance(result.get("buffer"), (bytes, bytearray)):
        return None
    kind = str(result.get("contentType") or "no content type")[:60]
    error = InvalidResponse(f"wechat server internal error, the reply is {kind}, not the report's JSON")
    error.api = report.spec.display_name
    return error


def keeps(old: Any, new: Any) -> bool:
    """Whether the answer ``new`` still says everything ``old`` said: every field of ``old`` is
    in ``new`` with a value that keeps it, every list item of ``old`` is kept by one of ``new``'s.
    A retention answer that only gained keys keeps the earlier one; one that changed a value
    WeChat had given, or dropped it, does not (a revision)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(name in new and keeps(value, new[name]) for name, value in old.items())
    if isinstance(old, list):
        if not isinstance(new, list):
            return False
        return all(
            (index < len(new) and keeps(item, new[index])) or any(keeps(item, other) for other in new)
            for index, item in enumerate(old)
        )
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return bool(old == new)


def flat_rows(report: Report, result: dict[str, Any], period: Period, key: dict[str, str]) -> list[dict[str, Any]]:
    """The flat table's rows of one result: the declared columns, values coerced to their types."""
    rows = []
    for position, item in enumerate(report.shape.rows(result, period.begin_date)):
        row: dict[str, Any] = {**key, "position": position, "ref_date": as_text(item.get("refDate"), 32)}
        for column in report.shape.columns:
            value = item.get(column.name)
            if column.type == "int":
                row[column.column] = as_int(value)
            elif column.type == "float":
                row[column.column] = finite_float(value)
            else:
                row[column.column] = as_text(value, column.length)
        rows.append(row)
    return rows


def as_int(value: Any) -> int | None:
    """An integer a ``BIGINT`` holds (signed 64 bits), or None: beyond it, or not a whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return number if -(2**63) <= number < 2**63 else None


def as_text(value: Any, length: int) -> str | None:
    """The text cut to the column's ``length`` characters (code points, as PostgreSQL's and
    MariaDB's ``VARCHAR`` count them), NUL and lone surrogates made U+FFFD (``storable.py``)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return storable_text(str(value)[:length])
