"""The report's figures, section by section: what ``data.gather`` finds in the archive and ``page`` lays out.

Plain values, no behaviour beyond a comparison's change and the list of sections present: every
section is ``None`` (or empty) when its reports are not archived, and the page leaves it out. A
figure that is missing or not final says so (``None``; a retention cell's ``CellState``), never a
number made up to fill its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from ...kept.storable import finite_float

# The portrait's dimensions in the page's order; any other list WeChat sends follows them.
PORTRAIT_DIMENSIONS = ("province", "city", "genders", "ages", "platforms", "devices")

CellState = Literal["final", "provisional", "notYet", "none"]


@dataclass(frozen=True)
class Comparison:
    days: int  # compared with this many days before
    base: float | None  # the figure then (None: not archived)

    def delta(self, value: float) -> float | None:
        """The change (None when there is no earlier figure, or the difference is beyond a float)."""
        return None if self.base is None else finite_float(value - self.base)

    def ratio(self, value: float) -> float | None:
        """The change as a fraction of the earlier figure (None when there is none, or it was 0,
        or the change is too large to show as a percentage)."""
        if not self.base:
            return None
        ratio = finite_float((value - self.base) / self.base)
        return None if ratio is None or finite_float(ratio * 100) is None else ratio


@dataclass(frozen=True)
class Kpi:
    metric: str
    value: float
    comparisons: tuple[Comparison, ...]


@dataclass(frozen=True)
class Overview:
    day: date
    kpis: tuple[Kpi, ...]


@dataclass(frozen=True)
class Series:
    labels: list[str]
    values: dict[str, list[float | None]]  # metric -> one value per label


@dataclass(frozen=True)
class Trends:
    daily: Series | None
    weekly: Series | None
    monthly: Series | None


@dataclass(frozen=True)
class Cell:
    key: int
    rate: float | None  # key k value / key 0 value
    users: int | None
    state: CellState


@dataclass(frozen=True)
class Cohort:
    label: str  # the period's begin date, yyyymmdd
    size: int | None  # key 0 value
    settled: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Triangle:
    unit: str  # day, week, month
    audience: str  # visitUvNew or visitUv
    keys: tuple[int, ...]
    cohorts: tuple[Cohort, ...]  # oldest first


@dataclass(frozen=True)
class Named:
    key: int | None  # None: the others, summed
    value: int


@dataclass(frozen=True)
class Sources:
    days: int  # how many archived days are summed
    channels: list[Named]  # sessions by access_source key, largest first
    staytime: list[Named]  # sessions by stay-time bucket 1..8
    depth: list[Named]  # sessions by depth bucket 1..7


@dataclass(frozen=True)
class PageRow:
    path: str
    # each summed over the days; None when the sum is beyond a float's range
    pv: int | None
    uv: int | None  # a page's users of different days may be the same people
    stay: float | None  # average seconds per view, weighted by views
    entries: int | None
    exits: int | None
    share_pv: int | None


@dataclass(frozen=True)
class Pages:
    days: int
    top: list[PageRow]
    entries: list[PageRow]
    exits: list[PageRow]


@dataclass(frozen=True)
class Audience:
    days: int  # the portrait's span: 1, 7 or 30 days
    period: str  # begin..end of the portrait
    groups: dict[
        str, dict[str, list[tuple[str | None, int]]]
    ]  # audience -> dimension -> (name, users); name None: the others


@dataclass(frozen=True)
class Missing:
    api: str
    count: int
    examples: list[str]


@dataclass
class ReportData:
    appid: str
    since: date
    until: date
    made_at: datetime
    today: date  # Beijing day the report was made: what "not over yet" is measured by
    overview: Overview | None = None
    trends: Trends | None = None
    retention: list[Triangle] = field(default_factory=list)
    sources: Sources | None = None
    pages: Pages | None = None
    audience: list[Audience] = field(
        default_factory=list
    )  # the newest portrait of each span archived, shortest span first
    missing: list[Missing] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # reports with stored answers that cannot be decoded

    @property
    def sections(self) -> list[str]:
        """The sections that have data, in the page's order."""
        present = {
            "overview": self.overview is not None,
            "trends": self.trends is not None,
            "retention": bool(self.retention),
            "sources": self.sources is not None,
            "pages": self.pages is not None,
            "audience": bool(self.audience),
        }
        return [name for name, shown in present.items() if shown]
