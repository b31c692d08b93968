"""The emulator's daily API quotas: how many requests each app may make to each path per Beijing day.

Why it exists: a large archive backfill must plan within what WeChat still allows today, and a
test of that planning needs a server that counts the way WeChat does and says so truthfully
through ``/cgi-bin/openapi/quota/get``. The server asks this ledger two questions: may this
request be served (counting it when it may), and what are an app's figures for a path today.

The rules, as the emulator states them:

* a quota is per ``(appid, path)`` and per Beijing calendar day of the emulator's clock:
  ``used`` starts again at 0 at Beijing midnight;
* every request that reaches a counted endpoint authenticated counts one, whatever it then
  answers (61500, 61501, 61503 as well as data);
* once ``used >= daily_limit`` the request is refused (45009) and the refusal does not count, so
  ``used`` never passes ``daily_limit`` and ``remain = daily_limit - used`` is never negative;
* without a scripted limit a path allows :data:`DEFAULT_DAILY_LIMIT` requests a day.

A scripted limit names one app or every app (``appid=None``); the latest one set for a path
wins, so setting every app's limit again forgets the per-app ones of that path. Standard library
only; nothing here knows HTTP, tokens or the server's lock (the server holds its own around every
call).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["DEFAULT_DAILY_LIMIT", "QuotaFigures", "Quotas"]

DEFAULT_DAILY_LIMIT = 100_000  # requests per app, path and Beijing day when a test scripts none


@dataclass(frozen=True)
class QuotaFigures:
    """One app's quota of one path for one day, as ``quota/get`` reports it."""

    daily_limit: int
    used: int

    @property
    def remain(self) -> int:
        return self.daily_limit - self.used


class Quotas:
    """Daily limits and today's counts per ``(appid, path)``; not thread-safe on its own."""

    def __init__(self) -> None:
        # (appid, path) -> daily limit; appid None: every app without a limit of its own
        self._limits: dict[tuple[str | None, str], int] = {}
        # (appid, path) -> (day, used that day); appid None: the count every app starts that day from
        self._used: dict[tuple[str | None, str], tuple[date, int]] = {}

    def set(self, path: str, daily_limit: int, *, used: int, appid: str | None, today: date) -> None:
        """Script ``path``'s limit for ``appid`` (None: every app) with ``used`` already spent today."""
        if appid is None:  # the latest setting wins: every app's own figures of this path go
            for key in [key for key in (*self._limits, *self._used) if key[1] == path]:
                self._limits.pop(key, None)
                self._used.pop(key, None)
        self._limits[appid, path] = daily_limit
        self._used[appid, path] = (today, used)

    def figures(self, appid: str, path: str, today: date) -> QuotaFigures:
        """``appid``'s limit and count of ``path`` for ``today``."""
        limit = self._limits.get((appid, path), self._limits.get((None, path), DEFAULT_DAILY_LIMIT))
        return QuotaFigures(daily_limit=limit, used=min(self._count(appid, path, today), limit))

    def spend(self, appid: str, path: str, today: date) -> bool:
        """Count one request of ``appid`` to ``path`` today; False (nothing counted) once the
        day's limit is reached."""
        figures = self.figures(appid, path, today)
        if figures.used >= figures.daily_limit:
            return False
        self._used[appid, path] = (today, figures.used + 1)
        return True

    def clear(self) -> None:
        """Forget every scripted limit and every count."""
        self._limits.clear()
        self._used.clear()

    def _count(self, appid: str, path: str, today: date) -> int:
        for key in ((appid, path), (None, path)):
            day_used = self._used.get(key)
            if day_used is not None:
                day, used = day_used
                return used if day == today else 0  # a count of another day is no count today
        return 0
