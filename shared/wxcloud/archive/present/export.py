"""Archived results out of the database: CSV rows, JSON lines, and one number per period for charts.

Everything here reads the latest answer of each period (a refreshed period's replaced answers are
in the revision table, not here).

CSV has one row per list item (per key for retain and distribution, per name for portraits), in
camelCase columns as the cloud call names them, ``refDate`` first, then the API's declared
columns, then any field WeChat sent that the declaration does not know (never dropped); with
``with_settled``, a last ``settled`` column says whether WeChat could still fill the row's period
in (false: a retention period younger than its last key). JSON lines are one archived period
each, its exact result included, with ``fetchedOn`` and ``settled``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from ...errors import InvalidParameters
from ..kept.reports import Report
from ..store.records import Stored

SETTLED = "settled"


def rows(report: Report, stored: Iterable[Stored], *, with_settled: bool = False) -> Iterator[dict[str, Any]]:
    for item in stored:
        for row in report.shape.rows(item.result, item.begin_date):
            yield {**row, SETTLED: "true" if item.settled else "false"} if with_settled else row


def write_csv(report: Report, stored: Sequence[Stored], out: IO[str], *, with_settled: bool = False) -> int:
    """The CSV of the archived periods; the number of rows written."""
    all_rows = list(rows(report, stored, with_settled=with_settled))
    header = list(report.shape.names)
    for row in all_rows:
        header.extend(key for key in row if key not in header and key != SETTLED)
    if with_settled:
        header.append(SETTLED)
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in all_rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return len(all_rows)


def write_jsonl(appid: str, stored: Iterable[Stored], out: IO[str]) -> int:
    count = 0
    for item in stored:
        line = {
            "appid": appid,
            "api": item.api,
            "beginDate": item.begin_date,
            "endDate": item.end_date,
            "fetchedAt": item.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fetchedOn": None if item.fetched_on is None else f"{item.fetched_on:%Y%m%d}",
            "settled": item.settled,
            "result": item.result,
        }
        out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if isinstance(value, (dict, list)) else value


@dataclass(frozen=True)
class Point:
    begin_date: str
    end_date: str
    ref_date: str
    value: float


def series(report: Report, stored: Sequence[Stored], metric: str, where: dict[str, str]) -> list[Point]:
    """One value of ``metric`` per archived period: the row that matches every ``where`` filter
    (column = value, as in the CSV). Several matching rows of one period are an error naming the
    columns that tell them apart, since adding them up (retained users of different days, pages)
    would chart a number nobody means."""
    names = set(report.shape.names)
    for name in [metric, *where]:
        if name not in names:
            raise InvalidParameters(
                f"{report.name} has no column {name!r}; its columns are {', '.join(report.shape.names)}"
            )
    points: list[Point] = []
    for item in stored:
        matching = [
            row
            for row in report.shape.rows(item.result, item.begin_date)
            if all(_matches(row.get(k), v) for k, v in where.items())
        ]
        if len(matching) > 1:
            raise InvalidParameters(_ambiguous(report, matching, metric, where))
        if not matching:
            continue
        value = matching[0].get(metric)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        points.append(Point(item.begin_date, item.end_date, str(matching[0].get("refDate")), float(value)))
    return points


def _matches(value: Any, wanted: str) -> bool:
    return value is not None and str(value) == wanted


def _ambiguous(report: Report, matching: list[dict[str, Any]], metric: str, where: dict[str, str]) -> str:
    telling = [
        name
        for name in report.shape.names
        if name not in {metric, "refDate", *where} and len({str(row.get(name)) for row in matching}) > 1
    ]
    examples = " ".join(f"--where {name}={matching[0].get(name)}" for name in telling[:3])
    return (
        f"{report.name} has {len(matching)} rows per period for {metric}; choose one with --where on "
        f"{', '.join(telling)} (for example {examples})"
    )
