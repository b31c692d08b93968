"""The users every analysis report is a share of: an app's daily visitors, and what a run of days
adds up to.

Why it exists: WeChat's ten reports describe the same people from different sides, so an
emulator whose reports are drawn independently contradicts itself (a week with fewer visitors
than its busiest day, a portrait of more users than visited). Here one model makes every figure:

* an app (:func:`app`) has a size, a growth, habits (sessions per user, pages per session, stay)
  and a visit frequency ``p``: the chance that one of its regular users comes on a given day;
* a day (:func:`day`) has new users (the growth of the cumulative count, :func:`users_so_far`)
  and returning users, and sessions, page views, stay and shares made from them;
* a run of ``n`` days (:func:`figures`) adds up sessions, page views, stay and new users (nobody
  is new twice) exactly, and counts its returning users once: a regular user seen ``n p`` times on
  average is there at least once with chance ``1 - (1 - p)^n``, so the distinct returning users
  are the days' sum times :func:`overlap` ``(1 - (1 - p)^n) / (n p)``, a fixed factor per app and
  length. A week's (month's) users therefore keep a steady ratio to the sum of its days', and
  always lie between its busiest day's and that sum;
* retention (:func:`retention`) keeps, of a period's new or active users, those regular users who
  come again ``k`` periods later, fewer as ``k`` grows, never more than that later period's
  returning users.

Every draw is a SHA-256 of its names (:class:`Unit`), so the same appid and day give the same
figures on any Python. Standard library only.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "App",
    "Figures",
    "Unit",
    "app",
    "day",
    "figures",
    "overlap",
    "retention",
    "split",
    "split_capped",
    "users_so_far",
    "ymd",
]


def ymd(when: date) -> str:
    """``yyyymmdd``; ``strftime("%Y")`` would not zero-pad years below 1000 on every platform."""
    return f"{when.year:04d}{when.month:02d}{when.day:02d}"


class Unit:
    """Deterministic pseudo-random fractions in [0, 1) drawn from a SHA-256 digest.

    Hashing instead of ``random.Random`` keeps the data stable across Python versions, so tests
    and benchmarks written against one interpreter see the same numbers on another.
    """

    def __init__(self, *parts: str) -> None:
        self._seed = "\x00".join(parts).encode("utf-8")
        self._counter = 0

    def next(self) -> float:
        """The next fraction; each call hashes seed + counter, so there is no limit on draws."""
        digest = hashlib.sha256(self._seed + self._counter.to_bytes(4, "big")).digest()
        self._counter += 1
        return int.from_bytes(digest[:8], "big") / 2**64

    def between(self, low: float, high: float) -> float:
        """The next fraction scaled to [low, high)."""
        return low + (high - low) * self.next()

    def weights(self, count: int, skew: float = 2.0) -> list[int]:
        """``count`` positive integer weights; a higher ``skew`` makes a few of them dominate."""
        return [1 + int(self.next() ** skew * 2**32) for _ in range(count)]


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` that add up to ``total`` exactly.

    Integer floors first, then one leftover unit each to the heaviest weights: for weights in
    descending order the parts come out descending too, which the page list relies on.
    """
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    heaviest = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    for i in heaviest[: total - sum(parts)]:
        parts[i] += 1
    return parts


def split_capped(total: int, weights: list[int], caps: list[int]) -> list[int]:
    """Like :func:`split`, but no part above its cap: what a cap cuts off goes to the others,
    in proportion to their weights, until it all fits.

    For counts of people who must be among other counted people (a province's new users among its
    active users, a page's exits among its views). ``total`` must not exceed ``sum(caps)``.
    """
    if total > sum(caps):
        raise ValueError(f"{total} does not fit under caps adding up to {sum(caps)}")
    parts = [0] * len(weights)
    open_ = [i for i, cap in enumerate(caps) if cap > 0]
    left = total
    while left:
        share = split(left, [weights[i] or 1 for i in open_])
        for i, part in zip(open_, share, strict=True):
            parts[i] += min(part, caps[i] - parts[i])
        left = total - sum(parts)
        open_ = [i for i in open_ if parts[i] < caps[i]]
    return parts


@dataclass(frozen=True)
class App:
    """What stays the same for one app: its size, its users' habits, its pages."""

    new_per_day: float  # >= 10, which keeps every day's new users >= 1 (see users_so_far)
    returning_per_day: float
    frequency: float  # the chance that a regular user comes on a given day
    sessions_per_user: float
    pages_per_session: float
    seconds_per_session: float
    sharing: float  # the share of a day's users who share a page
    pages: int
    home_entries: float  # the share of sessions that open on the home page
    leaving: float  # how much likelier a session ends on a detail page than on an index page
    keep: float  # the share of a period's users who are still the app's users after it
    fading: float  # the power of k by which the chance to come again the k-th period after falls
    new_return: float  # how much less likely a new user is to come again than a regular one


@functools.lru_cache(maxsize=1024)
def app(appid: str) -> App:
    """The app ``appid`` is; a function of the appid alone."""
    size, habits = Unit("app-size", appid), Unit("habits", appid)
    new_per_day = 10.0 + 2000.0 * size.next()
    returning_per_day = new_per_day * (2.0 + 10.0 * size.next())
    pages = 5 + int(400 * size.next())
    return App(
        new_per_day=new_per_day,
        returning_per_day=returning_per_day,
        sessions_per_user=habits.between(1.2, 2.0),
        pages_per_session=habits.between(2.5, 5.5),
        seconds_per_session=habits.between(60.0, 300.0),
        sharing=habits.between(0.02, 0.08),
        frequency=habits.between(0.15, 0.45),
        pages=pages,
        home_entries=habits.between(0.35, 0.65),
        leaving=habits.between(2.5, 4.5),
        keep=habits.between(0.45, 0.75),
        fading=habits.between(0.25, 0.5),
        new_return=habits.between(0.35, 0.6),
    )


_LAUNCH = date(2017, 1, 9).toordinal()  # a Monday: when every emulated app starts to grow
_FIRST_USERS = date(2016, 1, 1).toordinal()  # whence cumulative users are counted (visit_total)
_GROWTH_PER_YEAR = 0.3  # each year adds 30% of the first year's daily new users to every later day
_WEEKLY_NEW = 0.12  # amplitude of the weekly swing of new users (in days' worth of the base rate)


def _level(ordinal: int) -> float:
    """How much bigger than at launch the app is on day ``ordinal``: 1 until launch, then growing
    slowly and steadily (``_GROWTH_PER_YEAR``), so a year of reports shows a trend."""
    return 1.0 + _GROWTH_PER_YEAR * max(0, ordinal - _LAUNCH) / 365.0


def users_so_far(appid: str, ordinal: int) -> int:
    """The app's cumulative users at the end of day ``ordinal`` (daily summary's ``visit_total``).

    In closed form, so any day's total costs O(1): the integral of a slowly growing daily rate
    (``_level``), a weekly swing (a sine of period 7) and a jitter of at most 0.6 of a day's base
    rate. The swing moves a day's total by at most 0.11 of the base rate and the jitter by 0.6,
    so the total still rises every day by at least 0.29 * 10 users, which are that day's new users.
    """
    rate = app(appid).new_per_day
    grown = max(0, ordinal - _LAUNCH)
    # counted from a year before the launch (the app's users before it grew), not from year 1, so
    # the cumulative total is that of a real app's few years, not of twenty centuries
    smooth = (ordinal - _FIRST_USERS) + _GROWTH_PER_YEAR * grown * grown / 730.0
    weekly = _WEEKLY_NEW * math.sin(2 * math.pi * (ordinal % 7) / 7)
    return math.floor(rate * (smooth + weekly) + 0.6 * rate * Unit("users", appid, str(ordinal)).next())


@dataclass(frozen=True)
class Figures:
    """A period's visit figures: sessions, page views, stay and new users add up over days; users
    and sharers are counted once per period."""

    session_cnt: int
    visit_pv: int
    visit_uv: int
    visit_uv_new: int
    stay_seconds: int  # all sessions together
    share_pv: int
    share_uv: int

    @property
    def returning(self) -> int:
        """Users who had come before the period (or, over several days, before their first day in it)."""
        return self.visit_uv - self.visit_uv_new


_WEEKDAY_RETURNING = (0.92, 0.95, 0.97, 1.0, 1.08, 1.2, 1.15)  # Monday..Sunday: busier weekends


@functools.lru_cache(maxsize=1 << 16)
def day(appid: str, when: date) -> Figures:
    """One day's figures; ``0 < visit_uv_new <= visit_uv <= session_cnt <= visit_pv`` always."""
    own = app(appid)
    rnd = Unit("day", appid, ymd(when))
    new = users_so_far(appid, when.toordinal()) - users_so_far(appid, when.toordinal() - 1)
    level = _level(when.toordinal())  # returning users grow with the app
    uv = new + round(own.returning_per_day * level * _WEEKDAY_RETURNING[when.weekday()] * rnd.between(0.88, 1.12))
    sessions = math.ceil(uv * own.sessions_per_user * rnd.between(0.9, 1.1))
    share_uv = round(uv * own.sharing * rnd.between(0.8, 1.2))
    return Figures(
        session_cnt=sessions,
        visit_pv=round(sessions * own.pages_per_session * rnd.between(0.9, 1.1)),
        visit_uv=uv,
        visit_uv_new=new,
        stay_seconds=round(sessions * own.seconds_per_session * rnd.between(0.85, 1.15)),
        share_pv=share_uv + round(share_uv * rnd.between(0.3, 0.9)),
        share_uv=share_uv,
    )


def overlap(appid: str, days: int) -> float:
    """Distinct returning users of ``days`` days over the sum of the days' returning users.

    A regular user comes on a day with chance ``p``: over ``n`` days ``n p`` visits on average,
    at least one with chance ``1 - (1 - p)^n``. 1 for one day; for a week and ``p`` 0.3, 0.44.
    """
    p = app(appid).frequency
    return (1.0 - (1.0 - p) ** days) / (days * p)


def _distinct(parts: list[int], new: int, factor: float) -> int:
    """Users of several days: the new ones all distinct, the others counted once by ``factor``;
    never fewer than the busiest day's, never more than the days' sum."""
    counted = new + round((sum(parts) - new) * factor)
    return min(sum(parts), max(counted, *parts))


def figures(appid: str, begin: date, end: date) -> Figures:
    """The figures of ``begin..end``: sums of the days', users counted once per period.

    One day comes out as that day's own figures; a week or a month as its days' sums, with its
    users (and sharers) by :func:`overlap`, so the same days always have the same users.
    """
    days = [day(appid, begin + timedelta(days=i)) for i in range((end - begin).days + 1)]
    factor = overlap(appid, len(days))
    new = sum(d.visit_uv_new for d in days)
    return Figures(
        session_cnt=sum(d.session_cnt for d in days),
        visit_pv=sum(d.visit_pv for d in days),
        visit_uv=_distinct([d.visit_uv for d in days], new, factor),
        visit_uv_new=new,
        stay_seconds=sum(d.stay_seconds for d in days),
        share_pv=sum(d.share_pv for d in days),
        share_uv=_distinct([d.share_uv for d in days], 0, factor),
    )


def retention(
    appid: str, period: Figures, days: int, later: list[tuple[int, Figures]], jitter: float
) -> tuple[list[int], list[int]]:
    """Of ``period``'s new and active users, how many come again in each of the ``later`` periods
    (``(k, figures)``: the ``k``-th period after it, ``days`` long each, ``k`` ascending from 1):
    two lists, one count per later period.

    A user who stays (``keep``) comes in a later period with the chance a regular user shows up
    in that many days, ``1 - (1 - p)^days``, fading as users drift away (``k^-fading``); a new user
    is less likely to (``new_return``), and the active users who come again are the returning
    ones who do plus the new ones who do. ``jitter`` moves one period's whole curve. Each count
    is capped by the later period's returning users (who else could have come back), the new
    users' by the active ones' (they are among them), and by the key before, so no key grows.
    """
    own = app(appid)
    shows = (1.0 - (1.0 - own.frequency) ** days) * own.keep * jitter
    active, new = [], []
    last_active, last_new = period.visit_uv, period.visit_uv_new
    for k, after in later:
        rate = shows / k**own.fading
        came_new = round(period.visit_uv_new * rate * own.new_return)
        last_active = min(last_active, after.returning, came_new + round(period.returning * rate))
        last_new = min(last_new, last_active, came_new)
        active.append(last_active)
        new.append(last_new)
    return new, active
