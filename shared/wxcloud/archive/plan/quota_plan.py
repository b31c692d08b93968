"""Planning a run within WeChat's daily quotas, before it runs into them.

Why it exists: WeChat allows each account so many requests per API per day and answers 45009 for
the rest of the day once they are spent. A daily run needs a few requests per report and never
comes near; a backfill of years needs thousands, which would spend the whole day's quota of an
API the team's own services also call, and then stop halfway with 45009. So a run that needs more
than :data:`QUOTA_CHECK_OVER` requests reads each API's quota first
(``/cgi-bin/openapi/quota/get``), keeps a share of the daily limit for everyone else
(``WX_ARCHIVE_QUOTA_RESERVE``, default 0.1) and makes at most what is left beyond that reserve;
the rest of the API's periods wait for tomorrow, when the quota is new. A smaller run reads
nothing: the 45009 stop (a report stopped by quota) protects it well enough.

What this module knows of an API is what ``reports.py`` declares (``report_for(name).spec.path``,
the datacube path its quota is kept under). The arithmetic is :func:`allocate`, a pure function;
:func:`plan_quota` reads the quotas and hands them to it. Names sharing one path share its quota:
each may make what the names before it (in the order of ``due``) leave.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ...errors import InvalidParameters, WxCloudError
from ...quota import Quota, read_quota
from ..kept.reports import report_for

if TYPE_CHECKING:
    from ...client import OpenApiClient
    from ...deadline import Deadline

logger = logging.getLogger("wxcloud")

QUOTA_CHECK_OVER = 100  # a run needing more requests than this reads the quotas first
QUOTA_MAX_RESERVE = 0.9  # keeping more than this for others leaves a backfill next to nothing


@dataclass(frozen=True)
class QuotaPlan:
    """What a run may ask of each API today.

    ``allowed``: per cloud-call name, how many requests the run may make (None: its quota could
    not be read, and nothing is planned for it). ``quotas``: the quota read for each name (names
    sharing a path have the same one). ``reserve``: the share of each daily limit kept for others.
    ``checked``: whether the quotas were read at all (False: the run was small enough not to).
    A name missing from ``allowed`` has no limit planned.
    """

    reserve: float
    allowed: dict[str, int | None] = field(default_factory=dict)
    quotas: dict[str, Quota] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # name -> errCode of its failed read
    checked: bool = False

    def deferred(self, name: str, due: int) -> int:
        """Of ``due`` requests of ``name``, how many must wait for tomorrow (0 when nothing is planned)."""
        allowed = self.allowed.get(name)
        return 0 if allowed is None else max(0, due - allowed)

    def to_json(self) -> dict[str, dict[str, Any]]:
        """Per name, for a run's summary: ``dailyLimit``, ``used``, ``remain``, ``reserve`` (the
        requests kept for others), ``allowed``; all None, with ``errCode``, when the read failed."""
        summary: dict[str, dict[str, Any]] = {}
        for name, allowed in self.allowed.items():
            quota = self.quotas.get(name)
            if quota is None:
                summary[name] = {
                    "dailyLimit": None,
                    "used": None,
                    "remain": None,
                    "reserve": None,
                    "allowed": None,
                    "errCode": self.failures.get(name),
                }
            else:
                summary[name] = {
                    "dailyLimit": quota.daily_limit,
                    "used": quota.used,
                    "remain": quota.remain,
                    "reserve": reserved(quota.daily_limit, self.reserve),
                    "allowed": allowed,
                }
        return summary


def reserved(daily_limit: int, reserve: float) -> int:
    """The requests of ``daily_limit`` kept for others: ``reserve`` of it, rounded up. Computed on
    the decimal the share was written as: 0.55 of 100 is 55, where the float product,
    55.00000000000001, would round up to 56."""
    return math.ceil(Fraction(repr(float(reserve))) * daily_limit)


def allocate(
    due: Mapping[str, int],
    path_of: Mapping[str, str],
    quotas: Mapping[str, Quota | None],
    reserve: float,
) -> dict[str, int | None]:
    """Per name of ``due``: the requests it may make, ``max(0, remain - reserved(daily_limit))`` of
    its path's quota (``quotas`` by path; None: unread, so None); names sharing a path share that
    allowance, each getting what the names before it leave."""
    allowed: dict[str, int | None] = {}
    left: dict[str, int] = {}  # path -> allowance not yet given to an earlier name
    for name, wanted in due.items():
        path = path_of[name]
        quota = quotas.get(path)
        if quota is None:
            allowed[name] = None
            continue
        if path not in left:
            left[path] = max(0, quota.remain - reserved(quota.daily_limit, reserve))
        allowed[name] = left[path]
        left[path] = max(0, left[path] - wanted)
    return allowed


def plan_quota(
    client: OpenApiClient, due: Mapping[str, int], *, reserve: float, deadline: Deadline | None = None
) -> QuotaPlan:
    """The plan for a run that would make ``due[name]`` requests of each cloud-call name: each
    path's quota read once when the run needs more than ``QUOTA_CHECK_OVER`` requests in all,
    nothing read otherwise. A failed read is one WARNING naming its error code; its names get
    None (no plan: the 45009 stop still protects them)."""
    if isinstance(reserve, bool) or not isinstance(reserve, (int, float)) or not 0 <= reserve <= QUOTA_MAX_RESERVE:
        raise InvalidParameters(
            f"the quota reserve must be a share of the daily limit from 0 to {QUOTA_MAX_RESERVE}, such as 0.1"
        )
    wanted: dict[str, int] = {}
    for name, count in due.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidParameters(f"the requests due for {report_for(name).name} must be a whole number >= 0")
        if count:
            wanted[name] = count
    if sum(wanted.values()) <= QUOTA_CHECK_OVER:
        return QuotaPlan(reserve=float(reserve))
    path_of = {name: report_for(name).spec.path for name in wanted}
    quotas: dict[str, Quota | None] = {}
    failures: dict[str, int] = {}
    for path in dict.fromkeys(path_of.values()):
        names = [name for name, its in path_of.items() if its == path]
        try:
            quotas[path] = read_quota(client, path, deadline=deadline)
        except WxCloudError as exc:
            quotas[path] = None
            failures.update(dict.fromkeys(names, exc.err_code))
            logger.warning(
                "archive: the daily quota of %s could not be read (errCode %s); no plan for it",
                ", ".join(names),
                exc.err_code,
            )
    return QuotaPlan(
        reserve=float(reserve),
        allowed=allocate(wanted, path_of, quotas, reserve),
        quotas={name: quota for name, path in path_of.items() if (quota := quotas[path]) is not None},
        failures=failures,
        checked=True,
    )
